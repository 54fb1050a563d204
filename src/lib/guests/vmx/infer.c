// SPDX-License-Identifier: MIT
/*
 * VMCS layout inference: given VMCS regions whose guest/host state is
 * known from elsewhere (KVM's own copies in struct kvm_vcpu, the VMM's
 * CR3, vmx_vmexit's address, the host's control registers), find where
 * each known value is stored.  A field is confirmed only when its value
 * occurs at exactly one offset common to every region; a value found at
 * two offsets is ambiguous and refused, never guessed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "vmx_internal.h"

const char *gc_vmcs_infer_state_name(enum gc_vmcs_infer_state s)
{
	switch (s) {
	case GC_VMCS_INFER_CONFIRMED: return "confirmed";
	case GC_VMCS_INFER_NOT_FOUND: return "not found";
	case GC_VMCS_INFER_AMBIGUOUS: return "ambiguous";
	case GC_VMCS_INFER_CONFLICT: return "conflict";
	case GC_VMCS_INFER_UNSEARCHABLE: return "value 0 (not searchable)";
	}
	return "?";
}

static uint64_t load(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void gc_vmcs_inference_free(struct gc_vmcs_inference *inf)
{
	if (!inf)
		return;
	free(inf->fields);
	memset(inf, 0, sizeof(*inf));
}

struct gc_error *gc_vmcs_infer(const uint8_t *const *regions, size_t nr,
			       size_t len, const uint32_t *encodings,
			       size_t nk, const uint64_t *values,
			       struct gc_vmcs_inference *out,
			       struct gc_vmcs_layout **layout)
{
	memset(out, 0, sizeof(*out));
	*layout = NULL;
	if (!nr || !nk || len < 16 || len > 0x10000)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCS inference",
				    "need at least one region of 16..65536 "
				    "bytes and one known value (%zu regions, "
				    "%zu bytes, %zu values)", nr, len, nk);
	uint32_t rev = gc_get32(regions[0], false) & 0x7fffffffu;
	for (size_t r = 1; r < nr; r++)
		if ((gc_get32(regions[r], false) & 0x7fffffffu) != rev)
			return gc_error_new(GC_ERR_INVALID_ARG,
					    "VMCS inference", "region %zu has "
					    "revision 0x%x, region 0 has 0x%x: "
					    "one layout cannot describe both",
					    r, gc_get32(regions[r], false) &
						       0x7fffffffu, rev);
	/* one field, one offset: a field named twice (with the same or
	 * another value) would give the layout two places for it */
	for (size_t a = 0; a < nk; a++)
		for (size_t b = a + 1; b < nk; b++)
			if (encodings[a] == encodings[b])
				return gc_error_new(GC_ERR_INVALID_ARG,
						    "VMCS inference", "field "
						    "0x%x is given twice (values "
						    "%zu and %zu): name each "
						    "field once", encodings[a],
						    a, b);
	out->revision = rev;
	out->nr_regions = nr;
	out->fields = calloc(nk, sizeof(*out->fields));
	if (!out->fields)
		return &gc_error_nomem;
	out->nr_fields = nk;
	for (size_t k = 0; k < nk; k++) {
		struct gc_vmcs_infer_field *f = &out->fields[k];
		uint32_t enc = encodings[k];
		f->encoding = enc;
		if (!gc_vmcs_field_by_encoding(enc) || !gc_vmcs_enc_valid(enc)) {
			gc_vmcs_inference_free(out);
			return gc_error_new(GC_ERR_INVALID_ARG,
					    "VMCS inference", "encoding 0x%x "
					    "is not a VMCS field", enc);
		}
		unsigned int bytes = gc_vmcs_enc_bits(enc) / 8;
		bool zero = false;
		for (size_t r = 0; r < nr; r++)
			zero |= values[r * nk + k] == 0;
		if (zero) {
			f->state = GC_VMCS_INFER_UNSEARCHABLE;
			continue;
		}
		/* Offsets (from 8: the header is not a field) where every
		 * region holds its value; fields are stored at 4-byte
		 * (16-bit: 2-byte) alignment in every layout we know. */
		unsigned int step = bytes == 2 ? 2 : 4;
		unsigned int n = 0, first = 0;
		for (size_t o = 8; o + bytes <= len; o += step) {
			bool all = true;
			for (size_t r = 0; r < nr && all; r++)
				all = load(regions[r] + o, bytes) ==
				      (values[r * nk + k] &
				       (bytes == 8 ? UINT64_MAX :
					(1ull << (8 * bytes)) - 1));
			if (!all)
				continue;
			if (!n++)
				first = (unsigned int)o;
			else if (n == 2)
				f->second = (uint16_t)o;
		}
		f->nr_matches = n;
		f->offset = (uint16_t)first;
		f->state = n == 1 ? GC_VMCS_INFER_CONFIRMED :
			   n == 0 ? GC_VMCS_INFER_NOT_FOUND :
				    GC_VMCS_INFER_AMBIGUOUS;
	}
	/* Two confirmed fields sharing a byte: both refused. */
	for (size_t a = 0; a < nk; a++) {
		struct gc_vmcs_infer_field *fa = &out->fields[a];
		if (fa->state != GC_VMCS_INFER_CONFIRMED &&
		    fa->state != GC_VMCS_INFER_CONFLICT)
			continue;
		unsigned int la = gc_vmcs_enc_bits(fa->encoding) / 8;
		for (size_t b = a + 1; b < nk; b++) {
			struct gc_vmcs_infer_field *fb = &out->fields[b];
			if (fb->state != GC_VMCS_INFER_CONFIRMED &&
			    fb->state != GC_VMCS_INFER_CONFLICT)
				continue;
			unsigned int lb = gc_vmcs_enc_bits(fb->encoding) / 8;
			if (fa->offset < fb->offset + lb &&
			    fb->offset < fa->offset + la) {
				fa->state = GC_VMCS_INFER_CONFLICT;
				fb->state = GC_VMCS_INFER_CONFLICT;
				fa->second = fb->offset;
				fb->second = fa->offset;
			}
		}
	}
	struct gc_vmcs_layout *l = calloc(1, sizeof(*l));
	if (!l || !(l->locs = calloc(nk, sizeof(*l->locs)))) {
		gc_vmcs_layout_free(l);
		gc_vmcs_inference_free(out);
		return &gc_error_nomem;
	}
	for (size_t k = 0; k < nk; k++) {
		struct gc_vmcs_infer_field *f = &out->fields[k];
		switch (f->state) {
		case GC_VMCS_INFER_CONFIRMED: out->confirmed++; break;
		case GC_VMCS_INFER_AMBIGUOUS:
		case GC_VMCS_INFER_CONFLICT: out->ambiguous++; break;
		default: out->unknown++; break;
		}
		if (f->state != GC_VMCS_INFER_CONFIRMED)
			continue;
		bool dup = false;
		for (size_t i = 0; i < l->nr_locs; i++)
			dup |= l->locs[i].encoding == f->encoding;
		if (dup)
			continue;
		unsigned int n = gc_vmcs_enc_bits(f->encoding) / 16;
		struct gc_vmcs_loc *c = &l->locs[l->nr_locs++];
		c->encoding = f->encoding;
		c->nr_chunks = (uint8_t)n;
		c->seq = (uint32_t)k;
		for (unsigned int i = 0; i < n; i++)
			c->off[n - 1 - i] = (uint16_t)(f->offset + 2 * i);
	}
	if (!l->nr_locs) {
		gc_vmcs_layout_free(l);
		struct gc_error *e = gc_error_new(
			GC_ERR_NOT_PRESENT, "VMCS inference", "no field "
			"confirmed (%zu not found or unsearchable, %zu "
			"ambiguous) in %zu region(s) of revision 0x%x",
			out->unknown, out->ambiguous, nr, rev);
		gc_vmcs_inference_free(out);
		return e;
	}
	l->revision = rev;
	l->region_size = (uint32_t)len;
	l->high_first = true;
	l->synthetic = false;
	l->source = gc_asprintf("inferred from %zu VMCS region(s): %zu of "
				"%zu fields confirmed", nr, out->confirmed,
				nk);
	if (!l->source) {
		gc_vmcs_layout_free(l);
		gc_vmcs_inference_free(out);
		return &gc_error_nomem;
	}
	gc_vmx_layout_sort(l);
	*layout = l;
	return NULL;
}
