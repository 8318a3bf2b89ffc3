#!/bin/bash
# run.sh - DKIM verification throughput: `mxray batch` and libmxray against libopendkim,
# dkimpy and mailauth, on one corpus with one set of keys (README.md).
#
#     tests/bench/run.sh                 # N=2000 messages, REPS=3 passes, core 0
#     N=500 REPS=1 SPEED=0 tests/bench/run.sh
#
# Environment: N (messages, default 2000), REPS (passes over the corpus, default 3),
# CPU (core to pin every single-core run to with taskset, default 0), JOBS (threads of
# the parallel `mxray batch -j` run, default 2), JOBS_CPUS (its cores, default the first
# JOBS: 0-1), BUILD (default build-bench, a release build), CORPUS (default
# $BUILD/bench-corpus), SPEED=0 skips `openssl speed` (about 25 s), TIMER (gnu:
# /usr/bin/time, python: getrusage(RUSAGE_CHILDREN); default gnu when /usr/bin/time
# exists).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
CORPUS=${CORPUS:-$BUILD/bench-corpus}
MSGS=$CORPUS/messages
OUT=$BUILD/bench-results
N=${N:-2000}
REPS=${REPS:-3}
CPU=${CPU:-0}
JOBS=${JOBS:-2}
JOBS_CPUS=${JOBS_CPUS:-0-$((JOBS - 1))}
SPEED=${SPEED:-1}
PY=/usr/bin/python3
if [ -z "${TIMER:-}" ]; then
	if [ -x /usr/bin/time ]; then TIMER=gnu; else TIMER=python; fi
fi

# --- build (release) ---
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release >/dev/null
fi
bt=$(meson introspect --buildoptions "$BUILD" |
	"$PY" -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="buildtype"][0])')
[ "$bt" = release ] || echo "warning: $BUILD is a '$bt' build, not release" >&2
targets=(mxray tests/bench_mxray)
# bench_opendkim exists only where meson found libopendkim (tests/meson.build)
if ninja -C "$BUILD" -t targets all | grep -q '^tests/bench_opendkim:'; then
	targets+=(tests/bench_opendkim)
fi
ninja -C "$BUILD" "${targets[@]}" >/dev/null

# --- corpus ---
have=$(find "$MSGS" -maxdepth 1 -name '*.eml' 2>/dev/null | wc -l)
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
pinj=()
if command -v taskset >/dev/null; then
	pin=(taskset -c "$CPU")
	pinj=(taskset -c "$JOBS_CPUS")
fi
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.tsv "$OUT"/*.time "$OUT"/*.jsonl

# timed FILE CMD...: runs CMD and appends "wall_s user_s sys_s maxrss_kb" to FILE
timed() {
	local file=$1
	shift
	if [ "$TIMER" = gnu ]; then
		/usr/bin/time -f '%e %U %S %M' -a -o "$file" "$@"
	else
		"$PY" -c '
import resource, subprocess, sys, time
w = time.perf_counter()
rc = subprocess.call(sys.argv[2:])
w = time.perf_counter() - w
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "a") as f:
    f.write("%.4f %.4f %.4f %d\n" % (w, r.ru_utime, r.ru_stime, r.ru_maxrss))
sys.exit(rc)' "$file" "$@"
	fi
}

batch=("$BUILD/mxray" batch --no-summary --progress never --dns "$CORPUS/keys.zone")

# The records, for the correctness check (not timed; this also brings the corpus into
# the page cache for the timed runs below).
echo "running mxray batch (records) ..." >&2
"${batch[@]}" -o "$OUT/batch.jsonl" "$MSGS"

echo "running mxray batch -j 1 ($REPS passes) ..." >&2
for _ in $(seq "$REPS"); do
	timed "$OUT/batch-j1.time" "${pin[@]}" "${batch[@]}" -j 1 -o /dev/null "$MSGS"
done
: >"$OUT/batch-jn.skip"
if [ "$JOBS" -lt 2 ]; then
	echo "JOBS=$JOBS: no parallel run" >"$OUT/batch-jn.skip"
elif [ "$(nproc)" -lt "$JOBS" ]; then
	echo "$(nproc) core(s) available, JOBS=$JOBS: no parallel run" >"$OUT/batch-jn.skip"
else
	echo "running mxray batch -j $JOBS ($REPS passes) ..." >&2
	for _ in $(seq "$REPS"); do
		timed "$OUT/batch-jn.time" "${pinj[@]}" "${batch[@]}" -j "$JOBS" -o /dev/null "$MSGS"
	done
fi

echo "running bench_mxray ..." >&2
"${pin[@]}" "$BUILD/tests/bench_mxray" --reps "$REPS" --dump "$OUT/mxray.tsv" \
	"$CORPUS/keys.zone" "$MSGS" >"$OUT/mxray.txt"
if [ -x "$BUILD/tests/bench_opendkim" ]; then
	echo "running bench_opendkim ..." >&2
	"${pin[@]}" "$BUILD/tests/bench_opendkim" --reps "$REPS" --dump "$OUT/opendkim.tsv" \
		"$CORPUS/keys.json" "$MSGS" >"$OUT/opendkim.txt"
fi
echo "running dkimpy ..." >&2
"${pin[@]}" "$PY" "$HERE/bench_dkimpy.py" --reps "$REPS" --dump "$OUT/dkimpy.tsv" \
	"$CORPUS/keys.json" "$MSGS" >"$OUT/dkimpy.txt"
echo "running mailauth ..." >&2
"${pin[@]}" node "$HERE/bench_mailauth.mjs" --reps "$REPS" --dump "$OUT/mailauth.tsv" \
	"$CORPUS/keys.json" "$MSGS" >"$OUT/mailauth.txt"

: >"$OUT/speed.txt"
if [ "$SPEED" != 0 ]; then
	echo "running openssl speed ..." >&2
	"${pin[@]}" openssl speed -seconds 2 sha256 rsa2048 >"$OUT/speed.txt" 2>/dev/null
	# the corpus also has RSA-1024 and Ed25519 keys: their verify rates make the exact bound
	"${pin[@]}" openssl speed -seconds 1 rsa1024 ed25519 >>"$OUT/speed.txt" 2>/dev/null
fi

"$PY" "$HERE/report.py" "$OUT" "$CORPUS" "$TIMER" "$CPU" "$JOBS" "$JOBS_CPUS" "${#pin[@]}"
