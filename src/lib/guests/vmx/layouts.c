// SPDX-License-Identifier: MIT
/*
 * The built-in VMCS layouts.  Both are partly or wholly SYNTHETIC: Intel
 * does not document the layout and we hold no complete VMCSINFO dump from
 * a real CPU.
 *
 * - Revision 0xd ("Core 2"): the six offsets shown in the 2012 VMCSINFO
 *   example from a Core 2 Duo E7500 are kept exactly (PIN_BASED 0x180,
 *   CPU_BASED 0x190, SECONDARY 0xfe0, VM_EXIT_CONTROLS 0x1e0,
 *   VM_ENTRY_CONTROLS 0x310, GUEST_ES_SELECTOR 0x500; GUEST_CS_SELECTOR
 *   was cut off after "05" and is put at 0x502).  Following the pattern of
 *   those examples, every 16-bit chunk sits at the start of a 4-byte cell:
 *   a 32-bit field has its low chunk at X and its high chunk at X+4, a
 *   64-bit field its chunks at X, X+4, X+8, X+12.  The other fields are
 *   placed first-fit from 0x10 upwards.
 * - Revision 0x5a17: made up for tests.  Fields are packed downwards from
 *   the end of a 4 KiB region in reverse table order, each naturally
 *   aligned with its chunks adjacent (plain little-endian storage).
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "vmx_internal.h"

#define REGION 4096u

static const struct {
	uint32_t enc;
	uint16_t off;
} core2_pinned[] = {
	{ 0x4000, 0x180 }, { 0x4002, 0x190 }, { 0x401e, 0xfe0 },
	{ 0x400c, 0x1e0 }, { 0x4012, 0x310 }, { 0x0800, 0x500 },
	{ 0x0802, 0x502 },
};

static unsigned int slot_size(uint32_t enc)
{
	switch (gc_vmcs_enc_bits(enc)) {
	case 16: return 2;
	case 32: return 8;
	default: return 16;
	}
}

/* Chunks in text order (high first) for a cell slot at BASE. */
static void cell_loc(struct gc_vmcs_loc *c, uint32_t enc, unsigned int base)
{
	unsigned int n = gc_vmcs_enc_bits(enc) / 16;
	c->encoding = enc;
	c->nr_chunks = (uint8_t)n;
	for (unsigned int k = 0; k < n; k++)
		c->off[n - 1 - k] = (uint16_t)(base + 4 * k);
}

static struct gc_vmcs_layout *core2(void)
{
	size_t n = gc_vmcs_nr_fields();
	struct gc_vmcs_layout *l = calloc(1, sizeof(*l));
	bool *used = calloc(REGION, 1);
	if (!l || !used)
		goto fail;
	l->locs = calloc(n, sizeof(*l->locs));
	if (!l->locs)
		goto fail;
	for (size_t p = 0; p < GC_ARRAY_SIZE(core2_pinned); p++) {
		unsigned int o = core2_pinned[p].off;
		memset(used + o, 1, slot_size(core2_pinned[p].enc));
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t enc = gc_vmcs_field_at(i)->encoding;
		int base = -1;
		for (size_t p = 0; p < GC_ARRAY_SIZE(core2_pinned); p++)
			if (core2_pinned[p].enc == enc)
				base = core2_pinned[p].off;
		if (base < 0) {
			unsigned int sz = slot_size(enc);
			for (unsigned int o = 0x10; o + sz <= REGION; o += sz) {
				if (memchr(used + o, 1, sz))
					continue;
				base = (int)o;
				break;
			}
			if (base < 0)
				goto fail;
			memset(used + base, 1, sz);
		}
		struct gc_vmcs_loc *c = &l->locs[l->nr_locs++];
		cell_loc(c, enc, (unsigned int)base);
		/* The example's fields first, in the example's order. */
		c->seq = (uint32_t)(GC_ARRAY_SIZE(core2_pinned) + i);
		for (size_t p = 0; p < GC_ARRAY_SIZE(core2_pinned); p++)
			if (core2_pinned[p].enc == enc)
				c->seq = (uint32_t)p;
	}
	free(used);
	return l;
fail:
	free(used);
	gc_vmcs_layout_free(l);
	return NULL;
}

static struct gc_vmcs_layout *synth(void)
{
	size_t n = gc_vmcs_nr_fields();
	struct gc_vmcs_layout *l = calloc(1, sizeof(*l));
	if (!l || !(l->locs = calloc(n, sizeof(*l->locs)))) {
		gc_vmcs_layout_free(l);
		return NULL;
	}
	unsigned int cur = REGION;
	for (size_t i = n; i-- > 0;) {
		uint32_t enc = gc_vmcs_field_at(i)->encoding;
		unsigned int chunks = gc_vmcs_enc_bits(enc) / 16;
		unsigned int sz = chunks * 2;
		cur = (cur - sz) & ~(sz - 1);
		struct gc_vmcs_loc *c = &l->locs[l->nr_locs++];
		c->encoding = enc;
		c->nr_chunks = (uint8_t)chunks;
		c->seq = (uint32_t)i;
		for (unsigned int k = 0; k < chunks; k++)
			c->off[chunks - 1 - k] = (uint16_t)(cur + 2 * k);
	}
	return l;
}

struct gc_vmcs_layout *gc_vmcs_builtin_layout(uint32_t revision)
{
	struct gc_vmcs_layout *l;
	const char *src;
	if (revision == GC_VMCS_REV_CORE2) {
		l = core2();
		src = "built-in rev 0xd (Core 2 example offsets, rest "
		      "synthetic)";
	} else if (revision == GC_VMCS_REV_SYNTH) {
		l = synth();
		src = "built-in rev 0x5a17 (synthetic, for tests)";
	} else {
		return NULL;
	}
	if (!l)
		return NULL;
	l->revision = revision;
	l->region_size = REGION;
	l->high_first = true;
	l->synthetic = true;
	l->source = strdup(src);
	if (!l->source) {
		gc_vmcs_layout_free(l);
		return NULL;
	}
	gc_vmx_layout_sort(l);
	return l;
}
