#!/usr/bin/python3
"""
report.py - the table run.sh prints (README.md), from what the runs left in OUT.

    report.py OUT CORPUS TIMER CPU JOBS JOBS_CPUS PINNED

OUT holds TOOL.txt ("key<TAB>value" lines) and TOOL.tsv (one line per signature:
file, signature#, d=, result, note) of each driver, batch.jsonl (the records of
an untimed `mxray batch` run), batch-j1.time and batch-jn.time (one line per
timed `mxray batch` pass: wall s, user s, sys s, max RSS KB), batch-jn.skip (why
there is no parallel run, if so) and speed.txt (openssl speed, or empty).
CORPUS has manifest.json and messages/.  The rest says how run.sh ran them.
"""
import json
import os
import re
import sys

out, corpus, timer, cpu_core, jobs, jobs_cpus, pinned = sys.argv[1:8]
pinned = pinned != "0"


def kv(path):
    d = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            d[k] = v
    return d


def dump(path):
    r = {}
    with open(path) as f:
        for line in f:
            f_ = line.rstrip("\n").split("\t")
            r[(f_[0], int(f_[1]))] = (f_[2], f_[3], f_[4] if len(f_) > 4 else "")
    return r


# ---------------------------------------------------------------- mxray batch
def batch_records(path):
    """batch.jsonl as a dump (and the same file as batch.tsv), plus the record count."""
    sigs, lines, nrec = {}, [], 0
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            nrec += 1
            name = os.path.basename(rec["source"]["path"])
            for s in rec.get("dkim") or []:
                note = "body hash %s" % (s.get("body_hash") or "not checked")
                if rec.get("error"):
                    note += "; " + rec["error"]
                v = (s.get("domain") or "?", s["result"], note)
                sigs[(name, s["number"])] = v
                lines.append("%s\t%d\t%s\t%s\t%s\n" % ((name, s["number"]) + v))
    with open(os.path.join(out, "batch.tsv"), "w") as f:
        f.writelines(lines)
    return sigs, nrec


def batch_kv(timefile, label, nmsg, nbytes, sigs):
    """The passes of timefile as the drivers' key/value lines (also written to .txt)."""
    runs = []
    with open(timefile) as f:
        for line in f:
            p = line.split()
            if len(p) == 4 and re.match(r"^[\d.]+$", p[0]):	# GNU time may add a status line
                runs.append((float(p[0]), float(p[1]) + float(p[2]), int(p[3])))
    wall = sum(r[0] for r in runs)
    cpu = sum(r[1] for r in runs)
    reps = len(runs)
    d = {"tool": label, "messages": str(nmsg), "reps": str(reps),
         "signatures": str(len(sigs)), "bytes": str(nbytes),
         "cpu_s": "%.4f" % cpu, "wall_s": "%.4f" % wall,
         "msgs_per_s": "%.1f" % (nmsg * reps / cpu),
         "mb_per_s": "%.2f" % (nbytes * reps / 1e6 / cpu),
         "peak_rss_kb": str(max(r[2] for r in runs))}
    counts = {}
    for v in sigs.values():
        counts[v[1]] = counts.get(v[1], 0) + 1
    for k, n in sorted(counts.items()):
        d["result." + k] = str(n)
    with open(timefile[:-len(".time")] + ".txt", "w") as f:
        f.write("".join("%s\t%s\n" % i for i in d.items()))
    return d


manifest = json.load(open(os.path.join(corpus, "manifest.json")))
mdir = os.path.join(corpus, "messages")
nmsg = len(manifest)
nbytes = sum(os.path.getsize(os.path.join(mdir, n)) for n in manifest)

res, dumps = {}, {}
notes = []
bsigs, nrec = batch_records(os.path.join(out, "batch.jsonl"))
if nrec != nmsg:
    notes.append("mxray batch wrote %d records for %d messages" % (nrec, nmsg))
dumps["batch"] = bsigs
res["batch"] = batch_kv(os.path.join(out, "batch-j1.time"), "mxray batch -j 1", nmsg, nbytes,
                        bsigs)
jn = os.path.join(out, "batch-jn.time")
skip = open(os.path.join(out, "batch-jn.skip")).read().strip()
if not skip and os.path.exists(jn):
    res["batchN"] = batch_kv(jn, "mxray batch -j %s" % jobs, nmsg, nbytes, bsigs)

drivers = ["mxray", "opendkim", "dkimpy", "mailauth"]
for t in drivers:
    if os.path.exists(os.path.join(out, t + ".txt")):
        res[t] = kv(os.path.join(out, t + ".txt"))
        dumps[t] = dump(os.path.join(out, t + ".tsv"))
res["mxray"]["tool"] = "bench_mxray (libmxray)"
reps = int(res["mxray"]["reps"])
for t, r in res.items():
    if int(r["bytes"]) != nbytes or int(r["messages"]) != nmsg:
        notes.append("%s read %s messages, %s bytes (the corpus: %d, %d)" % (
            r["tool"], r["messages"], r["bytes"], nmsg, nbytes))

# ---------------------------------------------------------------- throughput
where = ("core %s" % cpu_core) if pinned else "not pinned (no taskset)"
print("DKIM verification throughput, %d messages (%.1f MB, %d signatures), %d pass%s each, %s"
      % (nmsg, nbytes / 1e6, sum(len(m["signatures"]) for m in manifest.values()), reps,
         "es" if reps > 1 else "", where))
print("msgs/s and MB/s are per CPU second (user + system, all threads); wall msgs/s per "
      "second of wall time")
print()
hdr = ("tool", "msgs/s", "MB/s", "cpu s", "wall s", "wall msgs/s", "peak RSS MB",
       "results (last pass)")
rows = []
for t in ["batch", "batchN"] + drivers:
    if t not in res:
        continue
    r = res[t]
    counts = ", ".join("%s %s" % (k[7:], v) for k, v in sorted(r.items())
                       if k.startswith("result."))
    if t == "batchN":
        counts = "(the same records)"
    wall_rate = nmsg * int(r["reps"]) / float(r["wall_s"])
    rows.append((r["tool"], r["msgs_per_s"], r["mb_per_s"], r["cpu_s"], r["wall_s"],
                 "%.1f" % wall_rate, "%.1f" % (int(r["peak_rss_kb"]) / 1024), counts))
w = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(len(hdr))]
for row in [hdr] + rows:
    print("  ".join(str(c).rjust(w[i]) if 0 < i < 7 else str(c).ljust(w[i])
                    for i, c in enumerate(row)).rstrip())
print("(mxray batch's results are counted from the records of an untimed run; "
      "the timed runs write to /dev/null)")
print("(the drivers' peak RSS includes the %.1f MB corpus they hold in memory; mxray batch "
      "holds one message at a time per thread)" % (nbytes / 1e6))
if "batchN" in res:
    print("(mxray batch -j 1 on core %s, -j %s on cores %s; times by %s)" % (
        cpu_core, jobs, jobs_cpus if pinned else "any", "/usr/bin/time" if timer == "gnu"
        else "getrusage(RUSAGE_CHILDREN)"))
else:
    print("mxray batch -j %s: skipped (%s)" % (jobs, skip))
if "opendkim" not in res:
    print("libopendkim: skipped (bench_opendkim not built: meson did not find libopendkim; "
          "Debian libopendkim-dev)")
for n in notes:
    print("note: " + n)

print()
print("ratios of messages per CPU second (more than 1: mxray is faster)")
mx = {t: float(res[t]["msgs_per_s"]) for t in ("batch", "mxray")}
peers = [t for t in drivers[1:] if t in res]
peer_names = ["against " + res[t]["tool"].split(" (")[0] for t in peers]
pw = max(len(n) for n in peer_names + [""])
print("  %-*s  %16s  %11s" % (pw, "", "mxray batch -j 1", "bench_mxray"))
for t, name in zip(peers, peer_names):
    p = float(res[t]["msgs_per_s"])
    print("  %-*s  %15.2fx  %10.2fx" % (pw, name, mx["batch"] / p, mx["mxray"] / p))
print("  mxray batch -j 1 / bench_mxray: %.2fx (the command: start-up, reading files, compact "
      "JSON lines; the loop: in memory, indented JSON)" % (mx["batch"] / mx["mxray"]))
print("  (mxray does the full analysis and a JSON report; the others only verify DKIM)")
if "batchN" in res:
    w1 = nmsg * int(res["batch"]["reps"]) / float(res["batch"]["wall_s"])
    wn = nmsg * int(res["batchN"]["reps"]) / float(res["batchN"]["wall_s"])
    print("speed-up: mxray batch -j %s on cores %s: %.1f msgs/s wall, -j 1 on one core %.1f: "
          "%.2fx" % (jobs, jobs_cpus if pinned else "any", wn, w1, wn / w1))


# ---------------------------------------------------------------- correctness
def norm(tool, result, note):
    # mailauth does not check the header signature when the body hash differs and calls
    # that "neutral" (comment "body hash did not verify"): the others call it fail
    if tool == "mailauth" and result == "neutral" and note == "body hash did not verify":
        return "fail"
    return result


checked = ["batch"] + [t for t in drivers if t in dumps]
label = {"batch": "mxray batch", "mxray": "bench_mxray", "opendkim": "libopendkim",
         "dkimpy": "dkimpy", "mailauth": "mailauth"}
expect = {}
for name, m in manifest.items():
    for i, s in enumerate(m["signatures"]):
        expect[(name, i + 1)] = (s["d"], s["expect"], s)
print()
print("correctness against the corpus manifest (what each signature should verify to; "
      "%d expected pass, %d expected fail)" % (
          sum(1 for v in expect.values() if v[1] == "pass"),
          sum(1 for v in expect.values() if v[1] == "fail")))
for t in checked:
    d = dumps[t]
    bad = []
    wrong_d = 0
    for key, (dom, want, s) in sorted(expect.items()):
        got = d.get(key)
        g = norm(t, got[1], got[2]) if got else "missing"
        if got and got[0].lower() != dom.lower():
            wrong_d += 1
        if g != want:
            bad.append((key, dom, got[1] if got else "missing", want, got[2] if got else ""))
    extra = len(set(d) - set(expect))
    raw = {}
    for key, v in d.items():
        if v[1] != norm(t, v[1], v[2]):
            k = v[1] + " -> " + norm(t, v[1], v[2])
            raw[k] = raw.get(k, 0) + 1
    print("  %-11s %d/%d as expected%s%s%s" % (
        label[t], len(expect) - len(bad), len(expect),
        "; %d with another d=" % wrong_d if wrong_d else "",
        "; %d signatures not in the manifest" % extra if extra else "",
        "; counted as fail: " + ", ".join("%d %s" % (n, k) for k, n in raw.items()) if raw else ""))
    for (key, dom, got, want, note) in bad[:10]:
        print("      %s sig %d (d=%s): %s, expected %s  %s" % (key[0], key[1], dom, got, want, note))
    if len(bad) > 10:
        print("      ... %d more" % (len(bad) - 10))

dis = []
for key in sorted(expect):
    v = {t: dumps[t].get(key) for t in checked}
    n = {label[t]: norm(t, x[1], x[2]) if x else "missing" for t, x in v.items()}
    if len(set(n.values())) > 1:
        dis.append((key, n))
print("  tools disagree (after the mailauth mapping) on %d signatures" % len(dis))
for key, n in dis[:10]:
    print("      %s sig %d: %s" % (key[0], key[1], ", ".join("%s %s" % i for i in n.items())))

# ---------------------------------------------------------------- hardware bound
speed = open(os.path.join(out, "speed.txt")).read()
m_sha = re.search(r"^sha256\s+.*?([\d.]+)k\s*$", speed, re.M)
rates = {}
for kind, pat in (("rsa2048", r"^rsa 2048 bits.*\s([\d.]+)\s*$"),
                  ("rsa1024", r"^rsa 1024 bits.*\s([\d.]+)\s*$"),
                  ("ed25519", r"Ed25519\).*\s([\d.]+)\s*$")):
    mm = re.search(pat, speed, re.M)
    if mm:
        rates[kind] = float(mm.group(1))
print()
if not m_sha or "rsa2048" not in rates:
    print("hardware bound: skipped (SPEED=0)")
    sys.exit(0)
sha = float(m_sha.group(1)) / 1000	# 1000s of bytes/s -> MB/s
nsig = len(expect)
bykey = {}
for _, _, s in expect.values():
    bykey[s["key"]] = bykey.get(s["key"], 0) + 1
print("hardware bound (openssl speed -seconds 2 sha256 rsa2048, same core):")
print("  SHA-256 %.0f MB/s (16 KB blocks), RSA-2048 %.0f verifies/s" % (sha, rates["rsa2048"]))
hash_s = nbytes / 1e6 / sha
ver_s = nsig / rates["rsa2048"]
bound = hash_s + ver_s
print("  hash every byte once + one RSA-2048 verify per signature: %.3f s + %.3f s = %.3f s "
      "per pass (%.0f msgs/s)" % (hash_s, ver_s, bound, nmsg / bound))
if all(k in rates for k in bykey):
    ver2 = sum(n / rates[k] for k, n in bykey.items())
    print("  with each signature's own key type (%s; RSA-1024 %.0f/s, Ed25519 %.0f/s): "
          "%.3f s per pass (%.0f msgs/s)" % (
              ", ".join("%d %s" % (n, k) for k, n in sorted(bykey.items())),
              rates.get("rsa1024", 0), rates.get("ed25519", 0), hash_s + ver2,
              nmsg / (hash_s + ver2)))
    bound2 = hash_s + ver2
else:
    bound2 = bound
for t, what in (("batch", "the rest is reading files, parsing, MIME, diagnosis, records and "
                 "JSON lines"),
                ("mxray", "the rest is parsing, MIME, diagnosis, the JSON report")):
    s = float(res[t]["cpu_s"]) / int(res[t]["reps"])
    print("  %-22s %.3f s per pass = %.1fx the bound (the bound is %.0f%% of its time; %s)" % (
        res[t]["tool"].split(" (")[0] + ":", s, s / bound2, 100 * bound2 / s, what))
