#!/usr/bin/env bash
# asan-pass: skip (JSON shape of every command on the real dumps; the same commands run under ASan in their own scripts)
# Every reporting command's --json on real dumps (and on mkhost's
# synthetic KVM host for vmcs/vmcsinfo/extract): one object, valid for
# python3 -m json.tool, checked by json_check.py (schema first, snake_case
# keys without spaces, addresses as "0x" strings, no integer past 2^53,
# errors as objects).  An error in JSON mode is an object on stdout too.
. "$(dirname "$0")/lib.sh"
CHECK="$(dirname "$0")/json_check.py"

# jcheck NAME EXPECTED_RC CMD ARGS... : runs CMD ARGS --json
jcheck() {
	local name=$1 want=$2 cmd=$3
	shift 3
	run_gc "$name" "$want" "$cmd" "$@" --json || return
	# kept for the cross-command key check at the end (json_keys.py)
	mkdir -p "$T/jsonout" && echo "$OUT" > "$T/jsonout/$name.json"
	if ! echo "$OUT" | python3 -m json.tool > /dev/null 2>"$T/jt"; then
		fail "$name" "json.tool: $(head -1 "$T/jt")"
		return
	fi
	local p
	p=$(echo "$OUT" | python3 "$CHECK" "$cmd")
	if [ -n "$p" ]; then
		fail "$name" "$(echo "$p" | head -3 | tr '\n' ';')"
	else
		pass "$name"
	fi
}

# errors in JSON mode: an object on stdout with the error's fields, and
# the one line on stderr as always
jerror() {  # NAME RC FIELD=VALUE... -- CMD ARGS
	local name=$1 want=$2
	shift 2
	local checks=()
	while [ "$1" != "--" ]; do checks+=("$1"); shift; done
	shift
	run_gc "$name" "$want" "$@" --json || return
	local got
	got=$(echo "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
e = d["error"]
for c in sys.argv[1:]:
    k, v = c.split("=", 1)
    x = d[k] if k in ("schema", "exit_code") else e.get(k)
    if str(x) != v:
        print("%s is %r, expected %r" % (k, x, v))
' "${checks[@]}" 2>&1)
	if [ -n "$got" ]; then
		fail "$name" "$got"
	elif [ -z "$ERR" ] || [ "$(echo "$ERR" | wc -l)" != 1 ]; then
		fail "$name" "stderr is not one line: '$ERR'"
	else
		pass "$name"
	fi
}

jerror json-error-missing-file 2 schema=guestcore.info/1 code=io file=/nonexistent/x what="cannot open" exit_code=2 -- info /nonexistent/x
jerror json-error-usage 2 schema=guestcore.sym/1 "message=usage: guestcore sym DUMP NAME|ADDR [--json] [--vmcoreinfo FILE] [--system-map FILE] [--vmlinux FILE] [--kallsyms auto|vmcoreinfo|search]" exit_code=2 -- sym
jerror json-error-option 2 schema=guestcore.rd/1 "message=rd: unknown or ambiguous option '--bogus' (see guestcore rd --help)" -- rd x 0 --bogus

C=${GC_DUMP_CACHE:-}
Q=$C/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.elf
if [ -z "$C" ] || [ ! -f "$Q" ]; then
	skip json-real "real dumps absent"
else
	K=$C/qemu-idle-nokaslr/qemu-6.1-idle-2cpu.kdump-zlib
	L=$C/qemu-panic-kaslr/qemu-6.1-panic-kaslr-2cpu.makedumpfile-d0-lzo
	X=$C/xen-pv-idle/xen-pv-idle.core
	XH=$C/xen-pvh-idle/xen-pvh-idle.core
	V=$C/virsh-q35-256m-nokaslr/virsh-save.raw.img
	for d in "$Q" "$K" "$L" "$X" "$XH" "$V"; do
		[ -f "$d" ] || continue
		b=$(basename "$d")
		jcheck "json-info-$b" 0 info "$d"
		jcheck "json-check-$b" 0 check "$d"
		jcheck "json-regs-$b" 0 regs "$d"
		jcheck "json-vtop-$b" 0 vtop "$d" "$("$GC" sym "$d" linux_banner | cut -d' ' -f1)"
		jcheck "json-rd-$b" 0 rd "$d" -v "$("$GC" sym "$d" jiffies_64 | cut -d' ' -f1)" 4
	done
	jcheck json-sym-name 0 sym "$Q" linux_banner
	jcheck json-sym-addr 0 sym "$Q" ffffffff9ef61905
	jcheck json-log 0 log "$Q"
	jcheck json-struct-layout 0 struct "$Q" task_struct
	jcheck json-struct-object 0 struct "$Q" task_struct ffffffff9f81aa40
	jcheck json-rd-phys 0 rd "$Q" -p 1000000 8
	jcheck json-p2m 0 p2m "$X" 1 2 3
	jcheck json-p2m-missing 1 p2m "$X" 1 fffffffff
	jcheck json-vtop-unmapped 1 vtop "$X" ffffc8ffffe00000
	# errors after the object has begun stay inside it
	jcheck json-rd-unmapped 1 rd "$Q" -v ffffc90000000000 4
	echo "$OUT" | python3 -c 'import json,sys; e=json.load(sys.stdin)["error"]; assert e["address"] == "0xffffc90000000000" and e["space"] == "kernel virtual" and e["code"] == "translation", e' 2>"$T/e" &&
		pass json-rd-unmapped-error-object || fail json-rd-unmapped-error-object "$(tail -1 "$T/e")"
	jerror json-error-sym-missing 1 code=not_present what=no_such_symbol_zz exit_code=1 -- sym "$Q" no_such_symbol_zz
	jerror json-error-sym-refused 1 code=not_present address=0xffffffffffffffff "space=kernel virtual" exit_code=1 -- sym "$Q" ffffffffffffffff
	# log --json: records with time, level, facility, caller, text
	run_gc json-log-records 0 log "$Q" --json &&
	same json-log-records "$(echo "$OUT" | python3 -c '
import json, sys
r = json.load(sys.stdin)["records"]
first = r[0]
panic = [x for x in r if x["text"].startswith("Kernel panic")][0]
print(len(r), first["time"], first["level"], first["facility"], first["caller"], first["text"][:22],
      panic["time"], panic["level"], panic["caller"])')" \
		"391 0.000000 5 0 T0 Linux version 6.1.0-56 7.437745 0 T1"
	# the same key for the same thing: output_bytes in convert and extract
	run_gc json-convert 0 convert "$XH" -o "$T/c.kdump" --format kdump --compress none --json &&
	same json-convert-output-bytes "$(echo "$OUT" | python3 -c 'import json,os,sys; d=json.load(sys.stdin); print(d["output_bytes"] == os.path.getsize(sys.argv[1]), "out_bytes" in d)' "$T/c.kdump")" "True False"
	echo "$OUT" | python3 "$CHECK" convert > "$T/p"; [ -s "$T/p" ] && fail json-convert-rules "$(head -1 "$T/p")" || pass json-convert-rules
	mkdir -p "$T/jsonout" && echo "$OUT" > "$T/jsonout/json-convert.json"
	rm -f "$T/c.kdump"
fi

MKHOST="$(dirname "$GC")/mkhost"
if [ -x "$MKHOST" ]; then
	"$MKHOST" "$T/h.elf" > /dev/null
	jcheck json-vmcs 0 vmcs "$T/h.elf"
	jcheck json-vmcsinfo 0 vmcsinfo "$T/h.elf"
	jcheck json-extract 1 extract "$T/h.elf" --vmcs 0x2345000 -o "$T/g.elf"
	same json-extract-output-bytes "$(echo "$OUT" | python3 -c 'import json,os,sys; d=json.load(sys.stdin); print(d["output_bytes"] == os.path.getsize(sys.argv[1]))' "$T/g.elf")" "True"
	rm -f "$T/h.elf" "$T/g.elf"
fi

# the same key for the same thing across commands: a key is a list in every
# command that has it or a count in every one (vcpus is the list of regs and
# extract; info and convert count them as nr_vcpus)
if ls "$T"/jsonout/*.json >/dev/null 2>&1; then
	p=$(python3 "$(dirname "$0")/json_keys.py" "$T"/jsonout/*.json)
	if [ -n "$p" ]; then
		fail json-same-key-same-kind "$(echo "$p" | head -3 | tr '\n' ';')"
	else
		pass json-same-key-same-kind
	fi
	same json-nr-vcpus-info-convert "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nr_vcpus"], json.load(open(sys.argv[2]))["nr_vcpus"])' "$(ls "$T"/jsonout/json-info-*.json | head -1)" "$T/jsonout/json-convert.json" 2>&1)" "2 2"
fi
