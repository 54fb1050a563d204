#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make_kvm_host_memfd.sh OUTDIR [script args...]: kvm-host-memfd, a vmm-mode
# KVM host dump whose guest RAM slot 1 (16 MiB at GPA 4 GiB) is a memfd
# (shmem) mapped MAP_SHARED by the VMM, with the first half of that slot's
# PTEs zapped by madvise(MADV_DONTNEED) after the vCPUs filled it and the
# VMM printed its hashes: those 2048 pages are then only in the memfd's page
# cache (docs/kvm.md "Shared and file-backed guest RAM"), of which the
# first 256 (1 MiB) are then punched out of the memfd
# (fallocate PUNCH_HOLE): no page at all, the guest would read zero.
# ../shared/tools/make-kvm-host-dump.sh is not edited: a copy is patched
# here (its embedded vmm.c) and run with a private --cache (symlinks to the
# shared cache's kernel and debuginfo) so it does not share the script's
# run directory with other users of the script.  vmm-truth.json gains
# "slot1_backing": "memfd", "slot1_zapped": [gpa, pages], "slot1_punched":
# [gpa, pages] and "slot1_sha256_now" (slot 1 with the punched pages zero,
# hashed from a copy taken before).
set -euo pipefail
OUT=${1:?usage: make_kvm_host_memfd.sh OUTDIR [make-kvm-host-dump.sh args]}
shift
TOOLS=${GC_SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}/tools
SHARED_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/make-kvm-host-dump
W=$(mktemp -d /tmp/gcmemfd.XXXXXX)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/tools" "$W/cache"
for d in kernel dbg dbgmods debs; do
	[ -e "$SHARED_CACHE/$d" ] && ln -s "$SHARED_CACHE/$d" "$W/cache/$d"
done
python3 - "$TOOLS/make-kvm-host-dump.sh" "$W/tools/make-kvm-host-dump.sh" <<'EOF_PY'
import sys
s = open(sys.argv[1]).read()
def sub(old, new):
    global s
    if s.count(old) != 1:
        raise SystemExit("make_kvm_host_memfd.sh: the script changed: %r found %d times" % (old, s.count(old)))
    s = s.replace(old, new)
sub("static uint64_t patval(int vcpu, int k)\n", r'''static int memfd1 = -1;

static void *alloc_guest_memfd(uint64_t size)
{
    /* guestcore kvm-host-memfd: shared shmem guest RAM (a memfd), 2 MiB aligned */
    int fd = memfd1 = memfd_create("guest-slot1", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) < 0)
        die("memfd_create guest RAM");
    unsigned char *a = alloc_guest(size);
    if (mmap(a, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) != a)
        die("mmap memfd guest RAM");
    return a;
}

static uint64_t patval(int vcpu, int k)
''')
sub("    mem1 = alloc_guest(SLOT1_SIZE);\n", "    mem1 = alloc_guest_memfd(SLOT1_SIZE);\n")
sub("    sleep(2);                   /* vCPUs have re-entered the guest */\n",
    "    sleep(2);                   /* vCPUs have re-entered the guest */\n"
    "    char h1now[65];\n"
    "    unsigned char *copy1 = malloc(SLOT1_SIZE);\n"
    "    if (!copy1)\n"
    "        die(\"malloc\");\n"
    "    memcpy(copy1, mem1, SLOT1_SIZE);\n"
    "    memset(copy1, 0, 256 * 4096);\n"
    "    sha256_hex(copy1, SLOT1_SIZE, h1now);\n"
    "    free(copy1);\n"
    "    if (madvise(mem1, SLOT1_SIZE / 2, MADV_DONTNEED) < 0)\n"
    "        die(\"madvise slot1\");\n"
    "    if (fallocate(memfd1, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 256 * 4096) < 0)\n"
    "        die(\"fallocate PUNCH_HOLE slot1\");\n"
    "    fprintf(stderr, \"VMM: zapped the PTEs of slot1's first half (memfd page cache keeps it), punched its first 1 MiB\\n\");\n")
sub('    printf("  \\"vmm_pid\\": %d,\\n", getpid());\n',
    '    printf("  \\"vmm_pid\\": %d,\\n", getpid());\n'
    '    printf("  \\"slot1_backing\\": \\"memfd\\", \\"slot1_zapped\\": [\\"0x%llx\\", %llu], \\"slot1_punched\\": [\\"0x%llx\\", 256], \\"slot1_sha256_now\\": \\"%s\\",\\n", SLOT1_GPA, SLOT1_SIZE / 2 / 4096, SLOT1_GPA, h1now);\n')
open(sys.argv[2], "w").write(s)
EOF_PY
bash "$W/tools/make-kvm-host-dump.sh" --l2 vmm --no-panic --cache "$W/cache" "$@" "$OUT"
