# Sourced by the real-host tests (make check-kvm-host): copy the host dump
# $H, poison both pointers of kvm.ko's vm_list head in the copy, and check
# that `guests` and `extract --vm 0` are then answered by the VMCB scan,
# saying why.  $SVM_VMCBS: the VMCB list the scan must show (from the
# structures of the intact host); $SVM_PAGES: the pages extract writes;
# $SVM_INGUEST: what check says of a CPU in a guest ("" none).
VA=$("$GC" sym "$H" vm_list | awk '{print $1}')
PA=$("$GC" vtop "$H" "0x$VA" | awk '/^[0-9a-f]+ +[0-9a-f]+ +\(/ {p=$2} END {print p}')
if [ -n "$PA" ] && cp --reflink=auto "$H" "$T/damaged.elf" 2>/dev/null &&
	python3 "$TOOLS/kvm_truth.py" poke "$T/damaged.elf" "$(printf '0x%x' $((0x$PA + (0x$VA & 0xfff))))" 0xdead000000000100; then
	expect_out "svm fallback: guests on a damaged vm_list" 1 "KVM structures could not be used (struct kvm 0xdeacffffffffef88" guests "$T/damaged.elf"
	case "$OUT" in
	*"VMs found by the VMCB scan"*"vmcb $SVM_VMCBS "*) pass "svm fallback lists the VM" ;;
	*) fail "svm fallback lists the VM" "$OUT" ;;
	esac
	expect_out "svm fallback: extract --vm 0 on a damaged vm_list" 1 "this guest was found by the VMCB scan" extract "$T/damaged.elf" --vm 0 -o "$T/d0.vmcore"
	case "$OUT" in
	*"wrote $T/d0.vmcore: $SVM_PAGES pages of guest memory"*) pass "svm fallback extract wrote the guest" ;;
	*) fail "svm fallback extract wrote the guest" "$OUT" ;;
	esac
	# check: the structures' failure, and a CPU in a guest found by the
	# scan ($SVM_INGUEST: the line expected, "" when no CPU was in one)
	run_gc "svm fallback: check on a damaged vm_list" 1 check "$T/damaged.elf"
	case "$OUT" in
	*"KVM is loaded but its VMs cannot be listed: struct kvm 0xdeacffffffffef88"*) pass "svm fallback: check names the damaged structures" ;;
	*) fail "svm fallback: check names the damaged structures" "$OUT" ;;
	esac
	if [ -n "$SVM_INGUEST" ]; then
		case "$OUT" in
		*"$SVM_INGUEST"*) pass "svm fallback: check finds the CPU in the guest by the scan" ;;
		*) fail "svm fallback: check finds the CPU in the guest by the scan" "$OUT" ;;
		esac
	else
		case "$OUT" in
		*"was executing"*) fail "svm fallback: check: no CPU in a guest" "$OUT" ;;
		*) pass "svm fallback: check: no CPU in a guest" ;;
		esac
	fi
	rm -f "$T/damaged.elf" "$T/d0.vmcore"
else
	fail "svm damaged copy" "vm_list 0x$VA phys '$PA'"
fi
