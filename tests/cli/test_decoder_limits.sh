#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The memory a whole-stream decoder may take (src/lib/formats/qemu_decomp.c):
# a zstd or xz header declares its window / dictionary and the library
# allocates it before decoding a byte, so a few hostile bytes must not cost
# gigabytes.  Found by the fuzz campaign (fuzz_elf_vmcore: a 470-byte zstd
# frame asking for a 1.25 GiB window, allocated while probing the format).
. "$(dirname "$0")/lib.sh"
MK=$(dirname "$GCFIX")/mkqevm
export GUESTCORE_CACHE_DIR=$T/cache
[ -x "$MK" ] || { fail decoder_tool "$MK not built"; exit 0; }
"$MK" "$T/a.qevm" >/dev/null

# zstd with a 2 GiB window and no content size (what `zstd --long=31` in a
# pipe writes): refused by default, read when the limit is raised.
if command -v zstd >/dev/null; then
	zstd -q --long=31 -c < "$T/a.qevm" > "$T/long.zst"
	expect_err decoder_zstd_window_refused 2 "guestcore: $T/long.zst: file header at offset 0x0: this is a zstd-compressed file: decompress it first (zstd -d --long=31)" info "$T/long.zst"
	GUESTCORE_DECOMPRESS_MEM_MIB=4096 expect_out decoder_zstd_window_raised 0 \
		"format:        QEMU migration stream" info "$T/long.zst"
	zstd -q -c < "$T/a.qevm" > "$T/small.zst"
	expect_out decoder_zstd_default_window 0 "format:        QEMU migration stream" info "$T/small.zst"
	GUESTCORE_DECOMPRESS_MEM_MIB=junk expect_out decoder_zstd_bad_env_default 0 \
		"format:        QEMU migration stream" info "$T/small.zst"
else
	skip decoder_zstd "zstd not installed"
fi
# xz with a 512 MiB dictionary (the decoder needs about that much)
if command -v xz >/dev/null; then
	xz -q -c --lzma2=preset=1,dict=512MiB < "$T/a.qevm" > "$T/big.xz"
	expect_err decoder_xz_dict_refused 2 "guestcore: $T/big.xz: file header at offset 0x0: this is an xz-compressed file: decompress it first (xz -d)" info "$T/big.xz"
	GUESTCORE_DECOMPRESS_MEM_MIB=1024 expect_out decoder_xz_dict_raised 0 \
		"format:        QEMU migration stream" info "$T/big.xz"
	xz -q -c < "$T/a.qevm" > "$T/small.xz"
	expect_out decoder_xz_default 0 "format:        QEMU migration stream" info "$T/small.xz"
else
	skip decoder_xz "xz not installed"
fi
# the fuzz campaign's input itself (1.25 GiB window, no content size):
# refused while probing, without the allocation
printf '\050\265\057\375\000\242\214\000\000\206\274\063\373\000\000\000' > "$T/oom.zst"
expect_err decoder_fuzz_oom_input 2 "guestcore: $T/oom.zst: file header at offset 0x0: this is a zstd-compressed file: decompress it first (zstd -d --long=31)" info "$T/oom.zst"
