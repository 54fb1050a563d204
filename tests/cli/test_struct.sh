# guestcore struct: layouts and objects from the kernel's own BTF in the
# real dumps (offsets as the debug vmlinux's DWARF has them: see
# tests/unit/test_types.c and make check-btf), module BTF on the KVM host
# (objects checked against truth.json), JSON, and what each failure says
# (a generated kernel without BTF; --vmlinux without types; bad names and
# addresses).
. "$(dirname "$0")/lib.sh"

MK="$(dirname "$GC")/mkvmcore"

# No BTF anywhere: the message says what is missing and which option helps.
if [ -x "$MK" ] && "$MK" kernel "$T/k.elf" --levels 4 --kaslr 0 > /dev/null 2>&1; then
	run_gc struct-no-btf 2 struct "$T/k.elf" task_struct &&
	case "$ERR" in
	*"type: task_struct is in none of: VMCOREINFO; no BTF in the kernel image (a kernel before 5.2 or without CONFIG_DEBUG_INFO_BTF): __start_BTF: no such symbol in kallsyms"*"give --vmlinux FILE (a vmlinux with DWARF debug info or a .BTF section)")
		pass struct-no-btf ;;
	*) fail struct-no-btf "stderr: $ERR" ;;
	esac
	run_gc struct-vmlinux-not-elf 2 struct "$T/k.elf" task_struct --vmlinux /etc/hostname &&
	case "$ERR" in
	*"--vmlinux /etc/hostname gives no types: /etc/hostname: ELF header: not an ELF file; and its DWARF"*"give a working --vmlinux FILE"*)
		pass struct-vmlinux-not-elf ;;
	*) fail struct-vmlinux-not-elf "stderr: $ERR" ;;
	esac
else
	skip struct-no-btf "mkvmcore not built"
fi
# Hostile types through --vmlinux (a .BTF section in a small object): a
# member x[4096][4096][4096] of a 0-byte struct is 2^36 elements in an
# 8-byte object.  Printing one stops at 2^20 members and elements, with
# the reason (it printed for ever: 1.5 GB in 20 s); the layout is one line.
if [ -x "$MK" ] && command -v objcopy > /dev/null && command -v cc > /dev/null; then
	python3 - "$T/arr.btf" <<'PY'
import struct, sys
t = struct.pack("<III", 1, 4 << 24, 0)                      # 1 struct empty {}
for prev in (1, 2, 3):                                      # 2..4 arrays of 4096
    t += struct.pack("<III", 0, 3 << 24, 0) + struct.pack("<III", prev, 5, 4096)
t += struct.pack("<III", 13, 1 << 24, 4) + struct.pack("<I", 1 << 24 | 32)   # 5 int
t += struct.pack("<III", 7, 4 << 24 | 1, 8) + struct.pack("<III", 11, 4, 0)  # 6 struct top
s = b"\0empty\0top\0x\0int\0"
h = struct.pack("<HBBIIIII", 0xeb9f, 1, 0, 24, 0, len(t), len(t), len(s))
open(sys.argv[1], "wb").write(h + t + s)
PY
	echo 'int f(void) { return 0; }' > "$T/o.c"
	cc -c -o "$T/o.o" "$T/o.c" && objcopy --add-section .BTF="$T/arr.btf" "$T/o.o" "$T/hostile.o"
	"$MK" kernel "$T/kb.elf" --levels 4 --kaslr 0 > "$T/kb.out" 2> /dev/null
	banner=$(sed -n 's/^banner=//p' "$T/kb.out")
	expect_out struct-hostile-layout 0 "[0] struct empty x[4096][4096][4096];" \
		struct "$T/kb.elf" top --vmlinux "$T/hostile.o"
	for mode in text json; do
		js=; [ $mode = json ] && js=--json
		timeout 60 "$GC" struct "$T/kb.elf" top "$banner" --vmlinux "$T/hostile.o" $js \
			> "$T/big.out" 2> "$T/stderr"
		RC=$?
		OUT=$(wc -c < "$T/big.out"); ERR=$(cat "$T/stderr"); rm -f "$T/big.out"
		if [ "$RC" = 2 ] && [ "$OUT" -lt 100000000 ] &&
		   [ "$ERR" = "guestcore: $T/kb.elf: type: more than 1048576 members and array elements to print (nesting too wide or deep)" ]; then
			pass "struct-hostile-array-bounded-$mode"
		else
			fail "struct-hostile-array-bounded-$mode" "exit $RC, $OUT bytes, stderr: $ERR"
		fi
	done
	# a member name with an escape sequence prints as '?' (it reached the
	# terminal raw)
	python3 - "$T/esc.btf" <<'PY'
import struct, sys
t = struct.pack("<III", 13, 1 << 24, 4) + struct.pack("<I", 1 << 24 | 32)  # 1 int
t += struct.pack("<III", 7, 4 << 24 | 1, 8) + struct.pack("<III", 17, 1, 0)  # 2 struct top
s = b"\0empty\0top\0x\0int\0\x1b[31mred\0"
h = struct.pack("<HBBIIIII", 0xeb9f, 1, 0, 24, 0, len(t), len(t), len(s))
open(sys.argv[1], "wb").write(h + t + s)
PY
	objcopy --add-section .BTF="$T/esc.btf" "$T/o.o" "$T/esc.o"
	for a in "" "$banner"; do
		run_gc "struct-btf-escape${a:+-object}" 0 struct "$T/kb.elf" top $a --vmlinux "$T/esc.o" &&
		case "$OUT" in
		*$'\033'*) fail "struct-btf-escape${a:+-object}" "ESC in: $OUT" ;;
		*"?[31mred"*) pass "struct-btf-escape${a:+-object}" ;;
		*) fail "struct-btf-escape${a:+-object}" "$OUT" ;;
		esac
	done
else
	skip struct-hostile "mkvmcore, objcopy or cc absent"
fi
expect_rc struct-usage 2 struct
expect_out struct-help 0 "struct DUMP NAME[.MEMBER[,MEMBER...]] [ADDR] [--json]" struct --help

D=$GC_DUMP_CACHE/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
if [ -z "$GC_DUMP_CACHE" ] || [ ! -f "$D" ]; then
	skip struct-real "real dumps absent"
	exit 0
fi
# layout: offsets from DWARF (pahole -F dwarf -C task_struct)
run_gc struct-layout 0 struct "$D" task_struct &&
for want in "   [2416] pid_t pid;" "   [2976] char comm[16];" \
	    "   [2344] unsigned int in_execve : 1; /* bit 2 */" \
	    "     [24] unsigned int __state;" "SIZE: 9792  [kernel BTF at 0xffffffff9f2c1b88 (4359789 bytes, __start_BTF from kallsyms)]"; do
	case "$OUT" in
	*"$want"*) pass "struct-layout: $want" ;;
	*) fail "struct-layout" "no '$want'" ;;
	esac
done
# anonymous members are shown in place: mm_struct's pgd at 72
expect_out struct-anon 0 "     [72]   pgd_t *pgd;" struct "$D" "struct mm_struct"
# JSON layout
run_gc struct-json 0 struct "$D" task_struct --json &&
same struct-json-fields \
	"$(echo "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); m={x["name"]: x for x in d["members"]}; print(d["schema"], d["type"], d["size"], m["pid"]["offset"], m["pid"]["type"], m["comm"]["type"], m["in_execve"]["bit_offset"], m["in_execve"]["bitfield_size"])')" \
	"guestcore.struct/1 struct task_struct 9792 2416 pid_t char [16] 18754 1"
# an object: init_task
A=$("$GC" sym "$D" init_task | cut -d' ' -f1)
run_gc struct-object 0 struct "$D" task_struct "$A" &&
for want in '  comm = "swapper/0",' "  pid = 0," "  stack = 0x" "SIZE: 9792"; do
	case "$OUT" in
	*"$want"*) pass "struct-object: $want" ;;
	*) fail "struct-object" "no '$want'" ;;
	esac
done
# errors
run_gc struct-unknown 1 struct "$D" no_such_type_zz &&
case "$ERR" in
*"type: no_such_type_zz is in none of: kernel BTF at 0xffffffff9f2c1b88"*"; VMCOREINFO") pass struct-unknown ;;
*) fail struct-unknown "$ERR" ;;
esac
expect_err struct-not-struct 2 "guestcore: $D: pid_t: is of kind int, not a struct or union (in kernel BTF at 0xffffffff9f2c1b88 (4359789 bytes, __start_BTF from kallsyms))" struct "$D" pid_t
run_gc struct-unmapped 1 struct "$D" task_struct 0xffff888000000000 --json &&
case "$ERR" in
*"reading task_struct at 0xffff888000000000"*) pass struct-unmapped ;;
*) fail struct-unmapped "$ERR" ;;
esac
expect_err struct-bad-addr 2 "guestcore: struct: 'zz' is not a hex address" struct "$D" task_struct zz

# KVM host: module BTF, objects against truth.json
H=$GC_DUMP_CACHE/kvm-host-vmm/host.elf
if [ ! -f "$H" ]; then
	skip struct-kvm-host "host.elf absent"
	exit 0
fi
run_gc struct-task-vmm 0 struct "$H" task_struct 0xffff8ea3c214c200 --json &&
same struct-task-vmm "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; print(v["pid"], v["tgid"], v["comm"])')" "125 122 vmm"
run_gc struct-kvm 0 struct "$H" kvm 0xffffd2978043d000 --json &&
same struct-kvm "$(echo "$OUT" | python3 -c 'import json,sys; v=json.load(sys.stdin)["value"]; print(v["mm"], v["online_vcpus"]["counter"], v["created_vcpus"], v["nr_memslot_pages"])')" "0xffff8ea3c1061f80 2 2 20480"
run_gc struct-vcpu-svm 0 struct "$H" vcpu_svm 0xffff8ea3c2d654f0 --json &&
same struct-vcpu-svm "$(echo "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); v=d["value"]; print(d["source"].split(" at ")[0], v["vcpu"]["vcpu_id"], hex(v["vcpu"]["arch"]["regs"][0]), hex(v["vcpu"]["arch"]["regs"][3]))')" \
	"BTF of module kvm_amd 0 0x1111111111111111 0x2222222222222222"
# crash's NAME.member,member form
run_gc struct-select 0 struct "$H" task_struct.pid,comm,se.vruntime,in_execve 0xffff8ea3c214c200 &&
same struct-select "$(echo "$OUT" | head -4)" '  pid = 125
  comm = "vmm"
  se.vruntime = 10598127746
  in_execve = 0'
run_gc struct-select-layout 0 struct "$H" task_struct.se.vruntime,in_execve &&
same struct-select-layout "$(echo "$OUT" | head -2)" '    [208] u64 se.vruntime;
   [2344] unsigned int in_execve : 1; /* bit 2 */'
expect_err struct-select-missing 1 "guestcore: $H: member: task_struct has no member 'nosuch' (in kernel BTF at 0xffffffffb4ec1b88 (4359789 bytes, __start_BTF from kallsyms))" struct "$H" task_struct.pid,nosuch
expect_out struct-kvm-mmu-page 0 "SIZE: 184  [BTF of module kvm at 0x" struct "$H" kvm_mmu_page
