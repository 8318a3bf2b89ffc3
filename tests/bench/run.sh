#!/bin/bash
# run.sh - DKIM verification throughput: mxray vs dkimpy vs mailauth (README.md).
#
#     tests/bench/run.sh                 # N=2000 messages, REPS=3 passes, core 0
#     N=500 REPS=1 SPEED=0 tests/bench/run.sh
#
# Environment: N (messages, default 2000), REPS (passes over the corpus, default 3),
# CPU (core to pin every tool to with taskset, default 0), BUILD (default
# build-bench, a release build), CORPUS (default $BUILD/bench-corpus), SPEED=0
# skips `openssl speed` (about 25 s).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
CORPUS=${CORPUS:-$BUILD/bench-corpus}
OUT=$BUILD/bench-results
N=${N:-2000}
REPS=${REPS:-3}
CPU=${CPU:-0}
SPEED=${SPEED:-1}
PY=/usr/bin/python3

# --- build (release) ---
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
fi
bt=$(meson introspect --buildoptions "$BUILD" |
	"$PY" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])')
[ "$bt" = release ] || echo "warning: $BUILD is a '$bt' build, not release" >&2
ninja -C "$BUILD" tests/bench_mxray >/dev/null

# --- corpus ---
have=$(ls "$CORPUS" 2>/dev/null | grep -c '\.eml$' || true)
if [ ! -f "$CORPUS/manifest.json" ] || [ "$have" != "$N" ]; then
	echo "building the corpus ($N messages) in $CORPUS ..." >&2
	"$PY" "$HERE/make_corpus.py" --n "$N" --out "$CORPUS"
fi

# --- mailauth ---
if [ ! -d "$HERE/node_modules/mailauth" ]; then
	echo "installing mailauth (npm ci) ..." >&2
	(cd "$HERE" && npm ci --no-audit --no-fund >/dev/null)
fi

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c "$CPU"); fi
mkdir -p "$OUT"

echo "running mxray ..." >&2
"${pin[@]}" "$BUILD/tests/bench_mxray" --reps "$REPS" --dump "$OUT/mxray.tsv" \
	"$CORPUS/keys.zone" "$CORPUS" >"$OUT/mxray.txt"
echo "running dkimpy ..." >&2
"${pin[@]}" "$PY" "$HERE/bench_dkimpy.py" --reps "$REPS" --dump "$OUT/dkimpy.tsv" \
	"$CORPUS/keys.json" "$CORPUS" >"$OUT/dkimpy.txt"
echo "running mailauth ..." >&2
"${pin[@]}" node "$HERE/bench_mailauth.mjs" --reps "$REPS" --dump "$OUT/mailauth.tsv" \
	"$CORPUS/keys.json" "$CORPUS" >"$OUT/mailauth.txt"

: >"$OUT/speed.txt"
if [ "$SPEED" != 0 ]; then
	echo "running openssl speed ..." >&2
	"${pin[@]}" openssl speed -seconds 2 sha256 rsa2048 >"$OUT/speed.txt" 2>/dev/null
	# the corpus also has RSA-1024 and Ed25519 keys: their verify rates make the exact bound
	"${pin[@]}" openssl speed -seconds 1 rsa1024 ed25519 >>"$OUT/speed.txt" 2>/dev/null
fi

"$PY" - "$OUT" "$CORPUS" <<'EOF'
import json, os, re, sys
out, corpus = sys.argv[1], sys.argv[2]
tools = ["mxray", "dkimpy", "mailauth"]

def kv(path):
    d = {}
    for line in open(path):
        k, _, v = line.rstrip("\n").partition("\t")
        d[k] = v
    return d

def dump(path):
    r = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        r[(f[0], int(f[1]))] = (f[2], f[3], f[4] if len(f) > 4 else "")
    return r

res = {t: kv(os.path.join(out, t + ".txt")) for t in tools}
dumps = {t: dump(os.path.join(out, t + ".tsv")) for t in tools}
manifest = json.load(open(os.path.join(corpus, "manifest.json")))
reps = int(res["mxray"]["reps"])
nbytes = int(res["mxray"]["bytes"])
nmsg = int(res["mxray"]["messages"])

print("DKIM verification throughput, %d messages (%.1f MB, %d signatures), %d pass%s each, "
      "one core" % (nmsg, nbytes / 1e6, int(res["mxray"]["signatures"]), reps,
                    "es" if reps > 1 else ""))
print("rates are per CPU second (process CPU time, all threads); wall time is for all passes")
print()
hdr = ("tool", "msgs/s", "MB/s", "cpu s", "wall s", "peak RSS MB", "results (last pass)")
rows = []
for t in tools:
    r = res[t]
    counts = ", ".join("%s %s" % (k[7:], v) for k, v in sorted(r.items())
                       if k.startswith("result."))
    rows.append((r["tool"], r["msgs_per_s"], r["mb_per_s"], r["cpu_s"], r["wall_s"],
                 "%.1f" % (int(r["peak_rss_kb"]) / 1024), counts))
w = [max(len(str(x[i])) for x in rows + [hdr]) for i in range(len(hdr))]
for row in [hdr] + rows:
    print("  ".join(str(c).rjust(w[i]) if 0 < i < 6 else str(c).ljust(w[i])
                    for i, c in enumerate(row)).rstrip())
print("(peak RSS includes the %.1f MB corpus each tool holds in memory)" % (nbytes / 1e6))
print()
mx = float(res["mxray"]["msgs_per_s"])
for t in tools[1:]:
    print("mxray/%-8s %5.2fx messages/s   (mxray does the full analysis + JSON report; "
          "%s only verifies DKIM)" % (t, mx / float(res[t]["msgs_per_s"]), t))

# ---------------------------------------------------------------- correctness
def norm(tool, result, note):
    # mailauth does not check the header signature when the body hash differs and calls
    # that "neutral" (comment "body hash did not verify"): the others call it fail
    if tool == "mailauth" and result == "neutral" and note == "body hash did not verify":
        return "fail"
    return result

expect = {}
for name, m in manifest.items():
    for i, s in enumerate(m["signatures"]):
        expect[(name, i + 1)] = (s["d"], s["expect"], s)
print()
print("correctness against the corpus manifest (what each signature should verify to; "
      "%d expected pass, %d expected fail)" % (
          sum(1 for v in expect.values() if v[1] == "pass"),
          sum(1 for v in expect.values() if v[1] == "fail")))
for t in tools:
    d = dumps[t]
    bad = []
    for key, (dom, want, s) in sorted(expect.items()):
        got = d.get(key)
        g = norm(t, got[1], got[2]) if got else "missing"
        if g != want:
            bad.append((key, dom, got[1] if got else "missing", want, got[2] if got else ""))
    extra = len(set(d) - set(expect))
    raw = {}
    for key, v in d.items():
        if v[1] != norm(t, v[1], v[2]):
            raw[v[1] + " -> " + norm(t, v[1], v[2])] = raw.get(v[1] + " -> " + norm(t, v[1], v[2]), 0) + 1
    print("  %-8s %d/%d as expected%s%s" % (
        t, len(expect) - len(bad), len(expect),
        "; %d signatures not in the manifest" % extra if extra else "",
        "; counted as fail: " + ", ".join("%d %s" % (n, k) for k, n in raw.items()) if raw else ""))
    for (key, dom, got, want, note) in bad[:10]:
        print("      %s sig %d (d=%s): %s, expected %s  %s" % (key[0], key[1], dom, got, want, note))
    if len(bad) > 10:
        print("      ... %d more" % (len(bad) - 10))

dis = []
for key in sorted(expect):
    v = {t: dumps[t].get(key) for t in tools}
    n = {t: norm(t, x[1], x[2]) if x else "missing" for t, x in v.items()}
    if len(set(n.values())) > 1:
        dis.append((key, n))
print("  tools disagree (after the mailauth mapping) on %d signatures" % len(dis))
for key, n in dis[:10]:
    print("      %s sig %d: %s" % (key[0], key[1], ", ".join("%s %s" % kv for kv in n.items())))

# ---------------------------------------------------------------- hardware bound
speed = open(os.path.join(out, "speed.txt")).read()
m_sha = re.search(r"^sha256\s+.*?([\d.]+)k\s*$", speed, re.M)
rates = {}
for label, pat in (("rsa2048", r"^rsa 2048 bits.*\s([\d.]+)\s*$"),
                   ("rsa1024", r"^rsa 1024 bits.*\s([\d.]+)\s*$"),
                   ("ed25519", r"Ed25519\).*\s([\d.]+)\s*$")):
    mm = re.search(pat, speed, re.M)
    if mm:
        rates[label] = float(mm.group(1))
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
mx_s = float(res["mxray"]["cpu_s"]) / reps
print("  hash every byte once + one RSA-2048 verify per signature: %.3f s + %.3f s = %.3f s "
      "per pass (%.0f msgs/s)" % (hash_s, ver_s, bound, nmsg / bound))
if all(k in rates for k in bykey):
    ver2 = sum(n / rates[k] for k, n in bykey.items())
    print("  with each signature's own key type (%s; RSA-1024 %.0f/s, Ed25519 %.0f/s): "
          "%.3f s per pass" % (", ".join("%d %s" % (n, k) for k, n in sorted(bykey.items())),
                               rates.get("rsa1024", 0), rates.get("ed25519", 0), hash_s + ver2))
    bound2 = hash_s + ver2
else:
    bound2 = bound
print("  mxray: %.3f s per pass = %.1fx the bound (the bound is %.0f%% of mxray's time; "
      "the rest is parsing, MIME, diagnosis, the JSON report, key decoding)" % (
          mx_s, mx_s / bound2, 100 * bound2 / mx_s))
EOF
