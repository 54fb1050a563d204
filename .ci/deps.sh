#!/usr/bin/env bash
# Install what the build and the test suite need, when it is missing.
# Idempotent: a machine that has everything installs nothing.
set -e
BUILD_PKGS="build-essential pkg-config zlib1g-dev liblzo2-dev libsnappy-dev libzstd-dev libdeflate-dev libdw-dev liblzma-dev libbz2-dev zstd python3 python3-dev"
TEST_PKGS="clang libclang-rt-14-dev valgrind gdb qemu-system-x86 python3-libkdumpfile libkdumpfile-dev makedumpfile crash dwarves python3-drgn parallel"
want="$BUILD_PKGS"
[ "${1:-}" = "--test" ] && want="$BUILD_PKGS $TEST_PKGS"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
