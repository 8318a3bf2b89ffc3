#!/bin/sh
# setup.sh - install what is missing (Debian 12), build, and run mxray.
#
#   ./setup.sh          install, build, analyze a bundled example message
#   ./setup.sh test     install, build, run the whole test suite
#   ./setup.sh asan     the same suite in a build with AddressSanitizer and
#                       UndefinedBehaviorSanitizer (build-asan/)
#   ./setup.sh tsan     the batch tests (threads) under ThreadSanitizer (build-tsan/)
set -eu
cd "$(dirname "$0")"

PACKAGES="build-essential pkg-config meson ninja-build libgmime-3.0-dev libssl-dev zlib1g-dev
libldns-dev libjansson-dev libpsl-dev publicsuffix python3 python3-yaml python3-cryptography strace nsd"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup.sh: installing$missing" >&2
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

build() {
	dir=$1
	shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >/dev/null
	ninja -C "$dir" >/dev/null
}

case "${1:-run}" in
run)
	build build
	./build/mxray analyze fixtures/gmail-inbound-plaintext-hop.eml
	;;
test)
	build build
	meson test -C build --print-errorlogs
	;;
asan)
	build build-asan -Db_sanitize=address,undefined -Db_lundef=false
	meson test -C build-asan --print-errorlogs --timeout-multiplier 4
	;;
tsan)
	# the threaded code (mxray batch -j) under ThreadSanitizer; GLib's own
	# futex-guarded caches are suppressed (tests/tsan.supp says why)
	build build-tsan -Db_sanitize=thread
	if ! out=$(./build-tsan/mxray --version 2>&1); then
		# e.g. a kernel whose address-space randomization TSan's runtime rejects
		echo "tsan: ThreadSanitizer cannot run here, skipped: $(echo "$out" | head -n 1)"
		exit 0
	fi
	G_SLICE=always-malloc TSAN_OPTIONS="suppressions=$(pwd)/tests/tsan.supp halt_on_error=1" \
	    meson test -C build-tsan --print-errorlogs --timeout-multiplier 4 batch
	;;
*)
	echo "usage: ./setup.sh [run | test | asan | tsan]" >&2
	exit 2
	;;
esac
