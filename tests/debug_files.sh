# Sourced by tests/referees.sh and tests/btf_dwarf.sh: the debug files of
# the real dumps' kernel (Debian's linux-image-$KVER-dbg), downloaded once
# into the referee cache and unpacked there in one pass -- the vmlinux and
# kvm.ko / kvm-amd.ko (the package also holds every other module's debug
# info, several GB unpacked).  Needs RC, T; sets KVER, PKG, VMLINUX, KVM,
# KVM_AMD.  debug_files returns 1 (message printed) when they cannot be had.
KVER=6.1.0-56-amd64
PKG=linux-image-$KVER-dbg
VMLINUX="$RC/vmlinux-$KVER"
KVM="$RC/kvm-$KVER.ko"
KVM_AMD="$RC/kvm-amd-$KVER.ko"

debug_files() {
	[ -s "$VMLINUX" ] && [ -s "$KVM" ] && [ -s "$KVM_AMD" ] && return 0
	mkdir -p "$RC" || return 1
	if ! ls "$RC"/${PKG}_*.deb >/dev/null 2>&1; then
		echo "fetching $PKG (about 860 MB, once) into $RC"
		(cd "$RC" && apt-get download "$PKG") >"$T/apt.log" 2>&1 || {
			echo "apt-get download $PKG failed: $(tail -2 "$T/apt.log")"
			return 1
		}
	fi
	local deb m=./usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm
	deb=$(ls "$RC"/${PKG}_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] || return 1
	mkdir -p "$T/x"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$T/x" "./usr/lib/debug/boot/vmlinux-$KVER" "$m/kvm.ko" \
		    "$m/kvm-amd.ko" 2>"$T/tar.log" ||
		{ echo "extracting the debug files failed: $(tail -2 "$T/tar.log")"; return 1; }
	mv "$T/x/usr/lib/debug/boot/vmlinux-$KVER" "$VMLINUX.tmp" &&
		mv "$VMLINUX.tmp" "$VMLINUX" &&
		mv "$T/x/$m/kvm.ko" "$KVM" && mv "$T/x/$m/kvm-amd.ko" "$KVM_AMD" &&
		rm -f "$deb"
}
