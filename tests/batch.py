#!/usr/bin/python3
"""mxray batch: mbox (mboxrd quoting), gzip, Maildir, folders, stdin, error
records, records out == messages in, and a sharded run equal to a single run.

usage: batch.py (MXRAY and MXRAY_SOURCE_ROOT in the environment, as meson test sets)
"""
import glob
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading

mxray = os.environ["MXRAY"]
fixtures = os.path.join(os.environ["MXRAY_SOURCE_ROOT"], "fixtures")
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print("FAIL:", what)


def batch(*args, stdin=None):
    p = subprocess.run([mxray, "batch", "--no-summary", *args], input=stdin,
                       capture_output=True, timeout=300)
    check(p.returncode == 0, f"batch {args} exit {p.returncode}: {p.stderr[:300]!r}")
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def analyze(path):
    p = subprocess.run([mxray, "analyze", "--json", path], capture_output=True, timeout=60)
    return json.loads(p.stdout)


def same_analysis(a, b):
    keys = ("message", "hops", "dkim", "spf", "dmarc", "findings")
    return all(a.get(k) == b.get(k) for k in keys)


emls = sorted(glob.glob(os.path.join(fixtures, "*.eml")))
emls = [e for e in emls if not os.path.basename(e).startswith("mbox-")]
tmp = tempfile.mkdtemp(prefix="mxray-batch-")
try:
    # an mbox written the mboxrd way: every ">*From " body line gets one more '>'
    box = os.path.join(tmp, "box.mbox")
    with open(box, "wb") as out:
        offsets = []
        for e in emls:
            offsets.append(out.tell())
            out.write(b"From sender@example.com Mon Jan  1 00:00:00 2024\n")
            data = open(e, "rb").read()
            lines = data.split(b"\n")
            for i, ln in enumerate(lines):
                if ln.lstrip(b">").startswith(b"From "):
                    lines[i] = b">" + ln
            out.write(b"\n".join(lines))
            if not data.endswith(b"\n"):
                out.write(b"\n")
            out.write(b"\n")
    recs = batch(box)
    check(len(recs) == len(emls), f"mbox: {len(recs)} records for {len(emls)} messages")
    for r, e, off in zip(recs, emls, offsets):
        src = r["source"]
        check(src["format"] == "mbox" and src["offset"] == off,
              f"mbox offset of {e}: {src} (want {off})")
        check(r["input"]["bytes"] == os.path.getsize(e),
              f"{e}: {r['input']['bytes']} bytes out of the mbox, {os.path.getsize(e)} in the file")
        check(r["error"] is None, f"{e}: error {r['error']}")
        check(same_analysis(r, analyze(e)), f"{e}: batch record differs from analyze --json")

    # quoting: >From loses one '>', a "From " line not after a blank line stays in the body
    q = os.path.join(tmp, "quoted.mbox")
    with open(q, "wb") as out:
        out.write(b"From a Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nSubject: one\n\n"
                  b"body\n>From quoted\n>>From twice\nFrom not a separator\n\n"
                  b"From b Mon Jan  1 00:00:00 2024\nFrom: b@example.org\nSubject: two\n\nx\n")
    recs = batch(q)
    check([r["message"]["subject"] for r in recs] == ["one", "two"],
          f"quoted mbox split: {[r.get('message', {}).get('subject') for r in recs]}")
    check(recs[0]["input"]["bytes"] == len(b"From: a@example.org\nSubject: one\n\n"
                                          b"body\nFrom quoted\n>From twice\nFrom not a separator\n"),
          f"unquoted size {recs[0]['input']['bytes']}")

    # gzip gives the same records
    with open(box, "rb") as f, gzip.open(box + ".gz", "wb") as g:
        g.write(f.read())
    plain, packed = batch(box), batch(box + ".gz")
    check(len(plain) == len(packed) and all(p["source"]["compressed"] for p in packed),
          "gzip: record count or compressed flag")
    check(all(same_analysis(a, b) and a["source"]["offset"] == b["source"]["offset"]
              for a, b in zip(plain, packed)), "gzip records differ from plain ones")

    # standard input, plain and compressed
    check(len(batch(stdin=open(box, "rb").read())) == len(emls), "stdin mbox")
    check(len(batch("-", stdin=open(box + ".gz", "rb").read())) == len(emls), "stdin gzip")

    # Maildir: cur/ and new/, never tmp/; a Maildir++ sub-folder
    md = os.path.join(tmp, "Maildir")
    for d in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        os.makedirs(os.path.join(md, d))
    shutil.copy(emls[0], os.path.join(md, "cur", "1700000000.1.host:2,S"))
    shutil.copy(emls[1], os.path.join(md, "new", "1700000001.2.host"))
    shutil.copy(emls[2], os.path.join(md, "tmp", "1700000002.3.host"))
    shutil.copy(emls[3], os.path.join(md, ".Sent", "cur", "1700000003.4.host:2,S"))
    recs = batch(md)
    paths = [os.path.relpath(r["source"]["path"], md) for r in recs]
    check(paths == [".Sent/cur/1700000003.4.host:2,S", "cur/1700000000.1.host:2,S",
                    "new/1700000001.2.host"], f"Maildir paths {paths}")

    # records out == inputs in, errors included
    bad = os.path.join(tmp, "bad")
    os.makedirs(bad)
    open(os.path.join(bad, "empty.eml"), "wb").close()
    open(os.path.join(bad, "pdf.eml"), "wb").write(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    open(os.path.join(bad, "trunc.mbox.gz"), "wb").write(open(box + ".gz", "rb").read()[:300])
    recs = batch(bad, os.path.join(tmp, "missing.mbox"))
    check(len(recs) == 4, f"bad inputs: {len(recs)} records for 4 inputs")
    check(all(r["error"] for r in recs), f"bad inputs without an error: "
          f"{[r['source']['path'] for r in recs if not r['error']]}")

    # summary: counts match the records
    p = subprocess.run([mxray, "batch", "--summary-json", "--summary-file",
                        os.path.join(tmp, "s.json"), box, bad], capture_output=True, timeout=300)
    lines = p.stdout.decode().splitlines()
    s = json.load(open(os.path.join(tmp, "s.json")))["summary"]
    check(s["messages"] == len(lines) == len(emls) + 3, f"summary messages {s['messages']}")
    check(sum(s["dmarc"].values()) == len(emls), f"summary dmarc counts {s['dmarc']}")

    # a sharded run (one process per file, in parallel) gives the same records
    shard_dir = os.path.join(tmp, "shards")
    os.makedirs(shard_dir)
    for i, e in enumerate(emls):
        shutil.copy(e, os.path.join(shard_dir, f"{i:03d}.eml"))
    shutil.copy(box, os.path.join(shard_dir, "zz.mbox"))
    single = subprocess.run([mxray, "batch", "--no-summary", "--now", "1700000000", shard_dir],
                            capture_output=True, timeout=300).stdout.decode().splitlines()
    # each shard writes its own part file, as GNU parallel --results, Hadoop
    # Streaming or Spark's pipe would; the parts are concatenated afterwards
    files = sorted(glob.glob(os.path.join(shard_dir, "*")))
    procs = [subprocess.Popen([mxray, "batch", "--no-summary", "--now", "1700000000",
                               "-o", os.path.join(tmp, f"part-{i:05d}.jsonl"), *files[i:i + 3]])
             for i in range(0, len(files), 3)]
    check(all(p.wait(timeout=300) == 0 for p in procs), "a shard failed")
    sharded = []
    for part in sorted(glob.glob(os.path.join(tmp, "part-*.jsonl"))):
        sharded += open(part).read().splitlines()

    def key(line):
        r = json.loads(line)
        return (r["source"]["path"], r["source"]["offset"] or 0)
    check(sorted(single, key=key) == sorted(sharded, key=key),
          f"sharded run differs: {len(single)} vs {len(sharded)} records")

    # -j: the same records, byte for byte and in input order, with any number of
    # threads; DKIM keys from a snapshot exercise the shared DNS layer and key cache
    dkim_dir = os.path.join(fixtures, "dkim")
    zone = os.path.join(dkim_dir, "keys.zone")
    mixed = [shard_dir, dkim_dir, bad, box + ".gz"]

    def run_j(j):
        sf = os.path.join(tmp, f"summary-j{j}.json")
        p = subprocess.run([mxray, "batch", "--summary-json", "--summary-file", sf, "--now",
                            "1700000000", "--dns", zone, "-j", str(j), *mixed],
                           capture_output=True, timeout=300)
        check(p.returncode == 0, f"-j {j}: exit {p.returncode} {p.stderr[:300]!r}")
        summary = json.load(open(sf))["summary"]
        del summary["seconds"]
        return p.stdout, summary
    one, one_summary = run_j(1)
    n_in = len(one.splitlines())
    check(n_in > 2 * len(emls), f"-j test corpus too small: {n_in} records")
    check(one_summary["records"] == n_in and sum(one_summary["dkim_signatures"].values()) > 10,
          f"-j 1 summary: {one_summary['records']} records, {one_summary['dkim_signatures']}")
    for j in (2, 3, 8):
        out, summary = run_j(j)
        check(out == one, f"-j {j} records differ from -j 1")
        check(summary == one_summary, f"-j {j} summary differs from -j 1: "
              f"{ {k: (v, one_summary.get(k)) for k, v in summary.items() if one_summary.get(k) != v} }")
    for bad_j in ("0", "-1", "x", "100000"):
        p = subprocess.run([mxray, "batch", "-j", bad_j, box], capture_output=True, timeout=60)
        check(p.returncode == 2 and b"-j" in p.stderr, f"-j {bad_j}: exit {p.returncode}")

    # --online: each name is asked once per run, whatever the number of messages and
    # threads; a local server that answers SERVFAIL at once counts the questions
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    asked = {}

    def serve():
        while True:
            try:
                q, peer = srv.recvfrom(4096)
            except OSError:
                return
            i = 12
            while i < len(q) and q[i] != 0:
                i += 1 + q[i]
            name = q[12:i + 1]
            qtype = q[i + 1:i + 3]
            asked[(name, qtype)] = asked.get((name, qtype), 0) + 1
            # same id, QR RD RA, rcode 2 (SERVFAIL), the question echoed
            srv.sendto(q[:2] + b"\x81\x82\x00\x01\x00\x00\x00\x00\x00\x00" + q[12:i + 5], peer)
    threading.Thread(target=serve, daemon=True).start()
    copies = os.path.join(tmp, "copies")
    os.makedirs(copies)
    for i in range(6):
        shutil.copy(os.path.join(dkim_dir, "footer-appended.eml"), os.path.join(copies, f"{i}.eml"))
    p = subprocess.run([mxray, "batch", "--no-summary", "-j", "3", "--resolver",
                        f"127.0.0.1:{srv.getsockname()[1]}", copies], capture_output=True,
                       timeout=120)
    srv.close()
    recs = [json.loads(ln) for ln in p.stdout.decode().splitlines()]
    check(p.returncode == 0 and len(recs) == 6, f"--online batch: exit {p.returncode}, "
          f"{len(recs)} records {p.stderr[:300]!r}")
    check(all(r["dkim"][0]["result"] == "temperror" for r in recs),
          f"--online batch: SERVFAIL is a temperror: {[r['dkim'][0]['result'] for r in recs]}")
    check(len(asked) >= 2 and all(n == 1 for n in asked.values()),
          f"--online batch: each name asked once for 6 messages: {sorted(asked.values())}")

    # a full disk: the threads stop, nothing hangs, the exit status says so
    if os.path.exists("/dev/full"):
        for j in ("1", "3"):
            p = subprocess.run([mxray, "batch", "--no-summary", "-j", j, "-o", "/dev/full",
                                *mixed], capture_output=True, timeout=120)
            check(p.returncode not in (0, 130) and b"writing the records failed" in p.stderr,
                  f"-j {j} -o /dev/full: exit {p.returncode} {p.stderr[:200]!r}")

    # Ctrl-C: what was written is whole lines, the summary covers exactly them, exit 130
    big = os.path.join(tmp, "big.mbox")
    with open(big, "wb") as out:
        for _ in range(40):
            out.write(open(box, "rb").read())
    sfile = os.path.join(tmp, "int.json")
    p = subprocess.Popen([mxray, "batch", "-j", "2", "--summary-json", "--summary-file", sfile,
                          "--dns", zone, big], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         bufsize=0)  # unbuffered: communicate() reads the fd itself
    first = p.stdout.readline()
    p.send_signal(signal.SIGINT)
    rest, _ = p.communicate(timeout=120)
    lines = (first + rest).decode().splitlines()
    check(p.returncode == 130, f"interrupted batch exit {p.returncode}")
    try:
        whole = all(json.loads(ln)["source"]["path"] == big for ln in lines)
    except ValueError:
        whole = False
    check(whole, f"interrupted: not all whole records: {[ln[:80] for ln in lines if not ln.startswith('{')][:3]}")
    s = json.load(open(sfile))["summary"]
    check(s["interrupted"] and s["records"] == s["messages"] == len(lines) < 40 * len(emls),
          f"interrupted summary {s['messages']} messages, {s['records']} records, "
          f"{len(lines)} lines")
finally:
    shutil.rmtree(tmp)

print("batch: %s" % ("ok" if failures == 0 else f"{failures} failures"))
sys.exit(1 if failures else 0)
