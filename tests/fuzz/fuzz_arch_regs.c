// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the architecture register decoders (arch/x86_64/:
 * NT_PRSTATUS x86_64/i386, QEMU CPU state, Xen vcpu_guest_context x86_64
 * and x86_32) through gc_arch_decode_cpu, as gc_dump_vcpu calls them, and
 * the NT_PRSTATUS / QEMU note writers on what was decoded: a decoded
 * PRSTATUS written and decoded again must give the same registers.
 * Byte 0 chooses the record kind and flags, byte 1 the ELF machine; the
 * rest is the record.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint8_t sel = data[0];
	static const uint16_t machines[] = { 0, 3, 62, 183, 0xffff };
	uint16_t em = machines[data[1] % 5];
	const uint8_t *rec = data + 2;
	size_t n = size - 2;
	struct gc_cpu_state st;
	memset(&st, 0, sizeof(st));
	st.e_machine = em;
	st.be = sel & 0x10;
	switch (sel & 3) {
	case 0:
		st.prstatus = rec;
		st.prstatus_len = n;
		break;
	case 1:
		st.qemu = rec;
		st.qemu_len = n;
		break;
	case 2: /* both, split at byte 2 of the record */
		if (n < 2)
			return 0;
		st.prstatus_len = (size_t)rec[0] * 2 + rec[1] % 2;
		if (st.prstatus_len > n - 2)
			st.prstatus_len = n - 2;
		st.prstatus = rec + 2;
		st.qemu = rec + 2 + st.prstatus_len;
		st.qemu_len = n - 2 - st.prstatus_len;
		break;
	case 3:
		st.xen_ctx = malloc(n ? n : 1);
		if (!st.xen_ctx)
			return 0;
		memcpy(st.xen_ctx, rec, n);
		st.xen_ctx_len = n;
		st.xen_32bit = sel & 0x20;
		st.xen_pv = sel & 0x40;
		break;
	}
	struct gc_vcpu v;
	memset(&v, 0, sizeof(v));
	struct gc_error *err = gc_arch_decode_cpu(&st, &v);
	free(st.xen_ctx);
	if (err) {
		gc_error_free(err);
		return 0;
	}
	const struct gc_arch_ops *a = gc_arch_get(v.arch);
	if (!a)
		__builtin_trap(); /* decoded, so the arch must exist */
	uint8_t pr[GC_ARCH_NOTE_MAX], q[GC_ARCH_NOTE_MAX];
	a->prstatus_write(&v, pr);
	if (a->qemu_note_write)
		a->qemu_note_write(&v, v.regs[a->reg_pgd], q);
	/* Round trip: write, read back, compare what PRSTATUS carries. */
	struct gc_vcpu w;
	memset(&w, 0, sizeof(w));
	err = a->prstatus_read(pr, a->prstatus_size, false, &w);
	if (err)
		__builtin_trap(); /* our own output must decode */
	uint64_t x, y;
	if (gc_vcpu_get_reg(&v, a->reg_pc, &x) &&
	    (!gc_vcpu_get_reg(&w, a->reg_pc, &y) ||
	     (!v.is_32bit && x != y)))
		__builtin_trap();
	return 0;
}
