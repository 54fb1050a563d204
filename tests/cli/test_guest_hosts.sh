#!/usr/bin/env bash
# asan-pass: skip (one guest through five host formats; each format's reader and extract run under ASan in their own scripts)
# A guest is the same guest whatever format its host dump is in: the KVM
# guests of mkhost's synthetic host (tests/fixtures/hostimg.h) extracted
# from the host as an ELF vmcore, as kdump-compressed (zlib, zstd), as a
# flattened kdump stream and as a split kdump dump must be page for page
# the same vmcore.  (Before the guests layer, a guest of a kdump host
# posed as a kdump dump and the writer probed 2^36 frames for exclusion:
# extract never finished; every run here is bounded with timeout.)
# With the real QEMU guest dumps available, the same for a host built
# around one of them (tests/fixtures/hostguest.h).
. "$(dirname "$0")/lib.sh"
MKHOST="$(dirname "$GC")/mkhost"
RESHAPE="$(dirname "$0")/kdump_reshape.py"
IDLE="${GC_DUMP_CACHE:-/nonexistent}/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.elf"
if [ ! -x "$MKHOST" ]; then
	skip guest_hosts "mkhost not built"
	exit 0
fi
LIMIT=${GC_GUEST_TIMEOUT:-60}

# page_list VMCORE: "gpa sha256" of every page of every PT_LOAD
page_list() {
	python3 - "$1" <<'EOF'
import hashlib, struct, sys
f = open(sys.argv[1], 'rb')
h = f.read(64)
phoff, = struct.unpack_from('<Q', h, 32)
phnum, = struct.unpack_from('<H', h, 56)
f.seek(phoff)
ph = f.read(56 * phnum)
seen = {}
for i in range(phnum):
    t, _, off, va, pa, fsz, msz, _ = struct.unpack_from('<IIQQQQQQ', ph, 56 * i)
    if t != 1:
        continue
    for k in range(0, fsz, 4096):
        f.seek(off + k)
        seen.setdefault(pa + k, hashlib.sha256(f.read(4096)).hexdigest())
for a in sorted(seen):
    print('%x %s' % (a, seen[a]))
EOF
}

# host_variants HOST.elf: HOST.zlib, HOST.zstd, HOST.flat, HOST.split{,.1,.2}
host_variants() {
	local h=$1
	"$GC" convert "$h" -o "$h.zlib" --format kdump --compress zlib >/dev/null &&
		"$GC" convert "$h" -o "$h.zstd" --format kdump --compress zstd >/dev/null &&
		python3 "$RESHAPE" flat "$h.zstd" "$h.flat" &&
		python3 "$RESHAPE" split "$h.zlib" 3 "$h.split"
}

# same_guest TAG HOST VMCS RC [KDUMP_OUT]: extract from each host variant
# (exit status RC, 1 when the guest has EPT problems), compare with the
# extract from the ELF host; with KDUMP_OUT also as a kdump-compressed
# output (not for a guest with a frame at 2^48: its kdump bitmaps alone
# would be 16 GiB)
same_guest() {
	local tag=$1 h=$2 vmcs=$3 want_rc=$4 kdump_out=${5:-} ref="$T/$1-ref.vmcore"
	timeout "$LIMIT" "$GC" extract "$h" --vmcs "$vmcs" -o "$ref" >/dev/null 2>"$T/err"
	local rc=$?
	if [ $rc != "$want_rc" ]; then
		fail "${tag}_elf_host" "exit $rc: $(tail -1 "$T/err")"
		return
	fi
	local want n
	want=$(page_list "$ref")
	n=$(echo "$want" | wc -l)
	local v args
	for v in zlib zstd flat split; do
		args=("$h.$v")
		[ $v = split ] && args+=(--split "$h.split.1" --split "$h.split.2")
		local out="$T/$tag-$v.vmcore"
		timeout "$LIMIT" "$GC" extract "${args[@]}" --vmcs "$vmcs" -o "$out" --verify \
			>"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc = 124 ]; then
			fail "${tag}_${v}_host" "extract still running after ${LIMIT}s"
			continue
		elif [ $rc != "$want_rc" ]; then
			fail "${tag}_${v}_host" "exit $rc: $(tail -1 "$T/err")"
			continue
		fi
		if grep -q "verify: ok: $n pages compared, 0 differ, 0 extra" "$T/out"; then
			pass "${tag}_${v}_host_verify"
		else
			fail "${tag}_${v}_host_verify" "$(grep verify: "$T/out")"
		fi
		same "${tag}_${v}_host_pages" "$(page_list "$out")" "$want"
		# the same guest as kdump output, read back page for page
		[ -n "$kdump_out" ] || continue
		timeout "$LIMIT" "$GC" extract "${args[@]}" --vmcs "$vmcs" -o "$out.kdump" \
			--format kdump --verify >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc = "$want_rc" ] && grep -q "verify: ok: $n pages compared" "$T/out"; then
			pass "${tag}_${v}_host_kdump_out"
		else
			fail "${tag}_${v}_host_kdump_out" "exit $rc: $(tail -1 "$T/err") $(grep verify: "$T/out")"
		fi
	done
	# the provenance names the host's own format, never the guest's
	case "$(strings "$T/$tag-flat.vmcore" 2>/dev/null | grep '^extracted_from=')" in
	*"(kdump-compressed (flattened))") pass "${tag}_provenance_host_format" ;;
	*) fail "${tag}_provenance_host_format" "$(strings "$T/$tag-flat.vmcore" | grep '^extracted_from=')" ;;
	esac
}

H="$T/host.elf"
"$MKHOST" "$H" >/dev/null || { fail mkhost "exit $?"; exit 0; }
host_variants "$H" || { fail host_variants "convert/reshape failed"; exit 0; }
# guest B: a 5-level EPT with a frame at guest-physical 2^48
same_guest synth_b "$H" 0x9990000 0
# guest A: two vCPUs, one misconfigured EPT entry (listed: exit 1)
same_guest synth_a "$H" 0x2345000,0xabc000 1 kdump

if [ -s "$IDLE" ]; then
	H2="$T/hostg.elf"
	L=$("$MKHOST" "$H2" --guest "$IDLE") || { fail mkhost_guest "exit $?"; exit 0; }
	V=$(echo "$L" | sed -n 's/^guest 0 eptp 0x[0-9a-f]* vmcs //p')
	host_variants "$H2" || { fail host_variants_real "convert/reshape failed"; exit 0; }
	same_guest real "$H2" "$V" 0 kdump
else
	skip guest_hosts_real "real QEMU guest dumps not available"
fi
