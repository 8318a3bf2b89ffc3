#!/usr/bin/python3
"""
bench_dkimpy.py - DKIM verification throughput of dkimpy (Debian python3-dkim).

    /usr/bin/python3 tests/bench/bench_dkimpy.py [--reps N] [--dump FILE] KEYS.json DIR

Reads every DIR/*.eml into memory and the keys from KEYS.json (not timed), then
times verifying every DKIM-Signature of every message: one dkim.DKIM object per
message (the message is parsed once) and DKIM.verify(idx=i) for each signature,
which is what dkim.verify() does for the first one.  DNS answers come from a
dict.  Results: pass (verified), fail (verify() returned False: bad signature
or body hash), permerror (a DKIMException: malformed, body hash mismatch, key
too small ...).  The numbers are process CPU time (time.process_time) and wall
time; peak RSS from getrusage.
"""
import argparse
import json
import os
import resource
import sys
import time

import dkim


def main():
    ap = argparse.ArgumentParser(description="dkimpy side of the DKIM benchmark")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--dump")
    ap.add_argument("keys")
    ap.add_argument("dir")
    args = ap.parse_args()

    with open(args.keys) as f:
        keys = {(k.lower() + ".").encode(): v.encode() for k, v in json.load(f).items()}

    def dnsfunc(name, timeout=5):
        return keys.get(name.lower())

    msgs = []
    for name in sorted(os.listdir(args.dir)):
        if name.endswith(".eml"):
            with open(os.path.join(args.dir, name), "rb") as f:
                msgs.append((name, f.read()))
    total = sum(len(m) for _, m in msgs)

    results = []
    c0, w0 = time.process_time(), time.perf_counter()
    for rep in range(args.reps):
        last = rep == args.reps - 1
        for name, msg in msgs:
            d = dkim.DKIM(msg, minkey=1024)
            nsig = sum(1 for h, _ in d.headers if h.lower() == b"dkim-signature")
            for idx in range(nsig):
                note = ""
                try:
                    r = "pass" if d.verify(idx=idx, dnsfunc=dnsfunc) else "fail"
                except dkim.ValidationError as e:
                    # dkimpy raises for a body hash mismatch (and bad tags)
                    r = "fail" if "body hash mismatch" in str(e) else "permerror"
                    note = str(e)[:60]
                except dkim.DKIMException as e:
                    r, note = "permerror", str(e)[:60]
                if last:
                    results.append((name, idx + 1, d.domain.decode() if d.domain else "?", r,
                                    note))
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0

    counts = {}
    for r in results:
        counts[r[3]] = counts.get(r[3], 0) + 1
    if args.dump:
        with open(args.dump, "w") as f:
            for r in results:
                f.write("%s\t%d\t%s\t%s\t%s\n" % r)
    n, mb = len(msgs) * args.reps, total * args.reps / 1e6
    try:
        import importlib.metadata
        version = importlib.metadata.version("dkimpy")
    except Exception:
        version = "?"
    out = [("tool", "dkimpy " + version),
           ("messages", len(msgs)), ("reps", args.reps), ("signatures", len(results)),
           ("bytes", total), ("cpu_s", "%.4f" % cpu), ("wall_s", "%.4f" % wall),
           ("msgs_per_s", "%.1f" % (n / cpu)), ("mb_per_s", "%.2f" % (mb / cpu)),
           ("peak_rss_kb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)]
    out += [("result." + k, v) for k, v in sorted(counts.items())]
    sys.stdout.write("".join("%s\t%s\n" % kv for kv in out))


if __name__ == "__main__":
    main()
