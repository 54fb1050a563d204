// SPDX-License-Identifier: MIT
/* libFuzzer target: VMCS layout inference (gc_vmcs_infer) on hostile
 * regions and known values, and the published-layout database check
 * (gc_vmcs_check_db) on the same regions.
 * Input: nk (1 byte, 1..16), nr (1 byte, 1..3), nk field indexes (1 byte
 * each, into the field table), nr*nk little-endian 64-bit values, then
 * the regions' bytes (4096 each, zero-padded).
 * Invariant: every confirmed field holds each region's value at the
 * offset reported; an ambiguous one was seen at least twice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/vmx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t nk = data[0] % 16 + 1, nr = data[1] % 3 + 1;
	size_t pos = 2;
	if (size < pos + nk + nr * nk * 8)
		return 0;
	uint32_t enc[16];
	for (size_t k = 0; k < nk; k++)
		enc[k] = gc_vmcs_field_at(data[pos + k] % gc_vmcs_nr_fields())
				 ->encoding;
	pos += nk;
	uint64_t vals[3 * 16];
	for (size_t i = 0; i < nr * nk; i++) {
		uint64_t v = 0;
		for (int b = 7; b >= 0; b--)
			v = v << 8 | data[pos + i * 8 + (size_t)b];
		vals[i] = v;
	}
	pos += nr * nk * 8;
	static uint8_t reg[3][4096];
	const uint8_t *regs[3];
	for (size_t r = 0; r < nr; r++) {
		memset(reg[r], 0, sizeof(reg[r]));
		size_t off = pos + r * 4096;
		if (off < size)
			memcpy(reg[r], data + off,
			       size - off < 4096 ? size - off : 4096);
		regs[r] = reg[r];
	}
	struct gc_vmcs_inference inf;
	struct gc_vmcs_layout *l;
	struct gc_error *err = gc_vmcs_infer(regs, nr, 4096, enc, nk, vals,
					     &inf, &l);
	if (!err) {
		for (size_t k = 0; k < inf.nr_fields; k++) {
			const struct gc_vmcs_infer_field *f = &inf.fields[k];
			if (f->state == GC_VMCS_INFER_AMBIGUOUS &&
			    f->nr_matches < 2)
				abort();
			if (f->state != GC_VMCS_INFER_CONFIRMED)
				continue;
			unsigned int bits = gc_vmcs_enc_bits(f->encoding);
			uint64_t mask = bits == 64 ? UINT64_MAX :
						     (1ull << bits) - 1;
			for (size_t r = 0; r < nr; r++) {
				uint64_t got;
				if (!gc_vmcs_get(l, regs[r], 4096, true,
						 f->encoding, &got) ||
				    got != (vals[r * nk + k] & mask))
					abort();
			}
		}
		gc_vmcs_layout_free(l);
		gc_vmcs_inference_free(&inf);
	}
	gc_error_free(err);
	/* the same regions through the published layouts */
	static struct gc_vmcs_db *db;
	if (!db && (gc_vmcs_db_new(true, &db) ||
		    gc_vmcs_db_add_published(db)))
		abort();
	for (size_t r = 0; r < nr; r++) {
		struct gc_vmcs_hit hit;
		err = gc_vmcs_check_db(db, regs[r], 4096, 0x1000, 1ull << 32,
				       NULL, &hit);
		if (!err)
			free(hit.reason);
		gc_error_free(err);
	}
	return 0;
}
