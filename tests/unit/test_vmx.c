// SPDX-License-Identifier: MIT
/* VMX layer: field table, VMCSINFO, layouts, VMCS scan/decode, EPT. */
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "guestcore/guest.h"
#include "guestcore/vmx.h"
#include "harness.h"
#include "fixtures/hostimg.h"
#include "guests/vmx/vmx_internal.h"

#define GC_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
static uint64_t gc_get64_le(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}
static uint32_t gc_get32_le(const uint8_t *p)
{
	return (uint32_t)gc_get64_le((const uint8_t[8]){ p[0], p[1], p[2],
							 p[3] });
}

/* ---- field table --------------------------------------------------------- */

TEST(field_table)
{
	CHECK_EQ_U64(gc_vmcs_nr_fields(), 174);
	uint32_t prev = 0;
	for (size_t i = 0; i < gc_vmcs_nr_fields(); i++) {
		const struct gc_vmcs_field *f = gc_vmcs_field_at(i);
		CHECK(gc_vmcs_enc_valid(f->encoding));
		CHECK(i == 0 || f->encoding > prev);
		prev = f->encoding;
		CHECK(gc_vmcs_field_by_name(f->name, NULL) == f);
		CHECK(gc_vmcs_field_by_encoding(f->encoding) == f);
	}
	const struct gc_vmcs_field *f = gc_vmcs_field_by_name("GUEST_RIP",
							      NULL);
	CHECK(f);
	CHECK_EQ_U64(f->encoding, 0x681e);
	CHECK(gc_vmcs_enc_width(f->encoding) == GC_VMCS_WNAT);
	CHECK(gc_vmcs_enc_type(f->encoding) == GC_VMCS_GUEST);
	CHECK_EQ_U64(gc_vmcs_enc_bits(0x4000), 32);
	CHECK_EQ_U64(gc_vmcs_enc_bits(0x0800), 16);
	CHECK_EQ_U64(gc_vmcs_enc_bits(0x201a), 64);
	CHECK_EQ_U64(gc_vmcs_enc_bits(0x201b), 32);
	CHECK_STR(gc_vmcs_type_name(gc_vmcs_enc_type(0x4402)), "exit info");
	/* Xen spelling, _HIGH */
	bool high;
	f = gc_vmcs_field_by_name("GUEST_EFER", &high);
	CHECK(f && f->encoding == 0x2806 && !high);
	f = gc_vmcs_field_by_name("EPT_POINTER_HIGH", &high);
	CHECK(f && f->encoding == 0x201a && high);
	CHECK(!gc_vmcs_field_by_name("GUEST_RIP_HIGH", &high));
	CHECK(!gc_vmcs_field_by_name("NO_SUCH_FIELD", NULL));
	CHECK(!gc_vmcs_enc_valid(0x4001));  /* _HIGH of a 32-bit field */
	CHECK(!gc_vmcs_enc_valid(0x1000));  /* reserved bit 12 */
}

/* ---- the seed: rd -p of the 2012 VMCSINFO note ---------------------------- */

static const uint64_t seed_words[] = {
	0x0000127b00000009ull, 0x53434d5600000000ull,
	0x000000004f464e49ull, 0x4e4f495349564552ull,
	0x49460a643d44495full, 0x5f4e495028444c45ull,
	0x4d565f4445534142ull, 0x4f435f434558455full,
	0x303d294c4f52544eull, 0x0a30383130343831ull,
	0x504328444c454946ull, 0x5f44455341425f55ull,
	0x5f434558455f4d56ull, 0x294c4f52544e4f43ull,
	0x393130343931303dull, 0x28444c4549460a30ull,
	0x5241444e4f434553ull, 0x4558455f4d565f59ull,
	0x4f52544e4f435f43ull, 0x30346566303d294cull,
	0x4c4549460a306566ull, 0x4958455f4d562844ull,
	0x4f52544e4f435f54ull, 0x346531303d29534cull,
	0x4549460a30653130ull, 0x4e455f4d5628444cull,
	0x544e4f435f595254ull, 0x33303d29534c4f52ull,
	0x460a303133303431ull, 0x45554728444c4549ull,
	0x45535f53455f5453ull, 0x3d29524f5443454cull,
	0x4549460a30303530ull, 0x545345554728444cull,
	0x454c45535f53435full, 0x35303d29524f5443ull,
};

TEST(seed_note_parse)
{
	uint8_t b[sizeof(seed_words)];
	for (size_t i = 0; i < GC_ARRAY_LEN(seed_words); i++)
		for (int k = 0; k < 8; k++)
			b[8 * i + k] = (uint8_t)(seed_words[i] >> (8 * k));
	CHECK_EQ_U64(gc_get32_le(b), 9);           /* namesz */
	CHECK_EQ_U64(gc_get32_le(b + 4), 0x127b);  /* descsz */
	CHECK_EQ_U64(gc_get32_le(b + 8), 0);       /* type */
	CHECK(!memcmp(b + 12, "VMCSINFO\0\0\0\0", 12));
	CHECK(!memcmp(b + 24, "REVISION_ID=d\nFIELD(PIN_BASED_VM_EXEC_"
			      "CONTROL)=01840180\n", 55));
	struct gc_report w = { 0 };
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcsinfo_parse_any(b, sizeof(b), &w, &l));
	CHECK_EQ_U64(l->revision, 0xd);
	/* 6 complete fields; GUEST_CS_SELECTOR was cut after "05" */
	CHECK_EQ_U64(l->nr_locs, 6);
	CHECK_EQ_U64(w.count, 2);
	CHECK_STR(w.items[0].code, "vmcsinfo-note");  /* descsz > bytes */
	CHECK_STR(w.items[1].code, "vmcsinfo-width");
	CHECK_CONTAINS(w.items[1].message, "GUEST_CS_SELECTOR");
	const struct gc_vmcs_loc *c = gc_vmcs_layout_find(l, 0x4000);
	CHECK(c && c->nr_chunks == 2);
	CHECK_EQ_U64(c->off[0], 0x184);
	CHECK_EQ_U64(c->off[1], 0x180);
	c = gc_vmcs_layout_find(l, 0x401e);
	CHECK(c && c->off[0] == 0xfe4 && c->off[1] == 0xfe0);
	c = gc_vmcs_layout_find(l, 0x800);
	CHECK(c && c->nr_chunks == 1 && c->off[0] == 0x500);
	/* high chunk first: 0x184 holds bits 31:16 */
	uint8_t r[4096] = { 0 };
	r[0x180] = 0x16;
	r[0x184] = 0x01;
	uint64_t v;
	CHECK(gc_vmcs_get(l, r, sizeof(r), true, 0x4000, &v));
	CHECK_EQ_U64(v, 0x00010016);
	CHECK(gc_vmcs_get(l, r, sizeof(r), false, 0x4000, &v));
	CHECK_EQ_U64(v, 0x00160001);
	gc_vmcs_layout_free(l);
	gc_report_clear(&w);
}

TEST(seed_note_rebuilt)
{
	/* The built-in rev 0xd layout's note starts with exactly the bytes
	 * the seed shows, except descsz (our layout lists every field). */
	uint8_t b[sizeof(seed_words)];
	for (size_t i = 0; i < GC_ARRAY_LEN(seed_words); i++)
		for (int k = 0; k < 8; k++)
			b[8 * i + k] = (uint8_t)(seed_words[i] >> (8 * k));
	struct gc_vmcs_layout *l = gc_vmcs_builtin_layout(0xd);
	CHECK(l);
	uint8_t *note;
	size_t len;
	CHECK_OK(gc_vmcsinfo_note(l, &note, &len));
	CHECK(len > sizeof(b));
	CHECK(!memcmp(note, b, 4));
	CHECK(!memcmp(note + 8, b + 8, sizeof(b) - 8));
	CHECK_EQ_U64(gc_get32_le(note + 4), len - 24 - (len - 24 -
			  strlen((char *)note + 24)));
	/* and the note parses back into the same layout */
	struct gc_vmcs_layout *p;
	struct gc_report w = { 0 };
	CHECK_OK(gc_vmcsinfo_parse_any(note, len, &w, &p));
	CHECK_EQ_U64(w.count, 0);
	CHECK_EQ_U64(p->nr_locs, l->nr_locs);
	CHECK_EQ_U64(p->nr_locs, gc_vmcs_nr_fields());
	for (size_t i = 0; i < p->nr_locs; i++) {
		CHECK_EQ_U64(p->locs[i].encoding, l->locs[i].encoding);
		CHECK(!memcmp(p->locs[i].off, l->locs[i].off,
			      sizeof(p->locs[i].off)));
	}
	free(note);
	gc_vmcs_layout_free(l);
	gc_vmcs_layout_free(p);
}

TEST(vmcsinfo_warnings)
{
	static const char text[] =
		"VMCS_ID=5a17\r\n"
		"FIELD(GUEST_RIP)=0ff60ff40ff20ff0\r\n"
		"FIELD(NOT_A_FIELD)=0100\n"
		"FIELD(GUEST_CR0)=01000102\n"         /* natural: 2 groups */
		"FIELD(GUEST_RSP)=0ff60ff40ff20ff0\n" /* overlaps RIP */
		"FIELD(GUEST_RIP)=0e000e020e040e06\n" /* duplicate */
		"FIELD(GUEST_ES_SELECTOR)=1000\n"     /* past 4 KiB */
		"FIELD(GUEST_CS_SELECTOR)=0004\n"     /* in the header */
		"FIELD(GUEST_SS_SELECTOR)=0zz0\n"
		"GARBAGE\n"
		"FIELD(VIRTUAL_PROCESSOR_ID)=0010\n";
	struct gc_report w = { 0 };
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcsinfo_parse(text, sizeof(text) - 1, 0, &w, &l));
	CHECK_EQ_U64(l->revision, 0x5a17);
	CHECK_EQ_U64(l->nr_locs, 2);
	CHECK_EQ_U64(w.count, 8);
	static const char *const codes[] = {
		"vmcsinfo-unknown-field", "vmcsinfo-width", "vmcsinfo-overlap",
		"vmcsinfo-duplicate", "vmcsinfo-range", "vmcsinfo-range",
		"vmcsinfo-syntax", "vmcsinfo-syntax",
	};
	for (size_t i = 0; i < 8; i++)
		CHECK_STR(w.items[i].code, codes[i]);
	CHECK_CONTAINS(w.items[2].message, "overlaps GUEST_RIP");
	CHECK_CONTAINS(w.items[4].message, "0x1000");
	gc_vmcs_layout_free(l);
	gc_report_clear(&w);

	struct gc_error *err = gc_vmcsinfo_parse("FIELD(GUEST_RIP)="
						 "0ff60ff40ff20ff0\n", 34, 0,
						 NULL, &l);
	CHECK(err && gc_error_code(err) == GC_ERR_FORMAT);
	CHECK_CONTAINS(gc_error_string(err), "REVISION_ID");
	gc_error_free(err);
	err = gc_vmcsinfo_parse("REVISION_ID=d\n", 14, 0, NULL, &l);
	CHECK(err && gc_error_code(err) == GC_ERR_FORMAT);
	gc_error_free(err);

	uint64_t a, s;
	CHECK(gc_vmcsinfo_parse_sysfs("1cba8c0 2000\n", &a, &s));
	CHECK_EQ_U64(a, 0x1cba8c0);
	CHECK_EQ_U64(s, 0x2000);
	CHECK(!gc_vmcsinfo_parse_sysfs("1cba8c0", &a, &s));
	CHECK(!gc_vmcsinfo_parse_sysfs("1cba8c0 2000 3", &a, &s));
}

TEST(builtin_layouts)
{
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	CHECK_EQ_U64(gc_vmcs_db_count(db), 2);
	for (size_t k = 0; k < 2; k++) {
		const struct gc_vmcs_layout *l = gc_vmcs_db_at(db, k);
		CHECK_EQ_U64(l->nr_locs, gc_vmcs_nr_fields());
		/* no two chunks share a byte, all inside the region */
		uint8_t used[4096] = { 0 };
		for (size_t i = 0; i < l->nr_locs; i++) {
			const struct gc_vmcs_loc *c = &l->locs[i];
			CHECK_EQ_U64(c->nr_chunks,
				     gc_vmcs_enc_bits(c->encoding) / 16);
			for (unsigned int j = 0; j < c->nr_chunks; j++) {
				CHECK(c->off[j] >= 8 && c->off[j] + 2 <= 4096);
				CHECK(!used[c->off[j]] &&
				      !used[c->off[j] + 1]);
				used[c->off[j]] = used[c->off[j] + 1] = 1;
			}
		}
	}
	const struct gc_vmcs_layout *a = gc_vmcs_db_find(db, 0xd);
	const struct gc_vmcs_layout *b = gc_vmcs_db_find(db, 0x5a17);
	CHECK(a && b && a != b);
	CHECK(gc_vmcs_db_find(db, 0x8000000d) == a);  /* shadow bit */
	CHECK(!gc_vmcs_db_find(db, 0x12));
	/* 0xd keeps the example's offsets; 0x5a17 differs */
	CHECK_EQ_U64(gc_vmcs_layout_find(a, 0x4012)->off[1], 0x310);
	CHECK(gc_vmcs_layout_find(b, 0x4012)->off[1] != 0x310);
	/* a user layout replaces the built-in one of the same revision */
	struct gc_vmcs_layout *u;
	CHECK_OK(gc_vmcsinfo_parse("REVISION_ID=d\nFIELD(GUEST_RIP)="
				   "0ff60ff40ff20ff0\n", 48, 0, NULL, &u));
	CHECK_OK(gc_vmcs_db_add(db, u));
	CHECK_EQ_U64(gc_vmcs_db_count(db), 2);
	CHECK_EQ_U64(gc_vmcs_db_find(db, 0xd)->nr_locs, 1);
	gc_vmcs_db_free(db);
}

TEST(chunk_order)
{
	struct gc_vmcs_layout *l = gc_vmcs_builtin_layout(0xd);
	CHECK(l);
	uint8_t r[4096];
	for (int order = 0; order < 2; order++) {
		bool hf = order == 0;
		memset(r, 0, sizeof(r));
		CHECK(gc_vmcs_put(l, r, sizeof(r), hf, GC_VMCS_HOST_CR0,
				  0x80050033));
		CHECK(gc_vmcs_put(l, r, sizeof(r), hf, GC_VMCS_HOST_CR4,
				  0x3726f0));
		CHECK(gc_vmcs_put(l, r, sizeof(r), hf, GC_VMCS_GUEST_CR0,
				  0x80000031));
		CHECK(gc_vmcs_put(l, r, sizeof(r), hf, GC_VMCS_EPT_POINTER,
				  0x3011000 | 0x1e));
		bool got, decided;
		gc_vmcs_detect_order(l, r, sizeof(r), &got, &decided);
		CHECK(decided);
		CHECK(got == hf);
		uint64_t v;
		CHECK(gc_vmcs_get(l, r, sizeof(r), got, GC_VMCS_GUEST_CR0,
				  &v));
		CHECK_EQ_U64(v, 0x80000031);
	}
	memset(r, 0, sizeof(r));
	bool got, decided;
	gc_vmcs_detect_order(l, r, sizeof(r), &got, &decided);
	CHECK(!decided && got);
	uint64_t v;
	CHECK(!gc_vmcs_get(l, r, 0x100, true, GC_VMCS_GUEST_RIP, &v));
	gc_vmcs_layout_free(l);
}

/* ---- the synthetic host ---------------------------------------------------- */

struct world {
	struct himg h;
	struct gc_vmcs_layout *la, *lb;
	struct gc_hostmem mem;
};

static bool world_build(struct world *w)
{
	memset(w, 0, sizeof(*w));
	if (!hi_build(&w->h, &w->la, &w->lb))
		return false;
	hi_hostmem(&w->h, &w->mem);
	return true;
}

static void world_free(struct world *w)
{
	hi_free(&w->h);
	gc_vmcs_layout_free(w->la);
	gc_vmcs_layout_free(w->lb);
}

TEST(eptp_decode)
{
	struct gc_eptp_info ei;
	CHECK_OK(gc_eptp_decode(HI_EPTP_A, 0, &ei));
	CHECK(ei.levels == 4 && ei.memtype == 6 && ei.ad);
	CHECK_EQ_U64(ei.root, HI_EPT_A_ROOT);
	CHECK_OK(gc_eptp_decode(HI_EPTP_B, 0, &ei));
	CHECK(ei.levels == 5 && !ei.ad);
	static const uint64_t bad[] = { 0x1000 | 3 | (3 << 3),
					0x1000 | 6 | (2 << 3),
					0x1000 | 6 | (3 << 3) | 0x100,
					(1ull << 60) | 6 | (3 << 3) };
	for (size_t i = 0; i < 4; i++) {
		struct gc_error *e = gc_eptp_decode(bad[i], 0, &ei);
		CHECK(e && gc_error_code(e) == GC_ERR_FORMAT);
		gc_error_free(e);
	}
	struct gc_error *e = gc_eptp_decode(0x9000000 | 0x1e, 0x8000000, &ei);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "above the highest host address");
	gc_error_free(e);
	CHECK(gc_ept_entry_misconfig(0x1002, 1, 0));
	CHECK(gc_ept_entry_misconfig(0x1000 | 0x17, 1, 0));  /* type 2 */
	CHECK(gc_ept_entry_misconfig(0x201000 | 0xb7, 2, 0)); /* 2M bits */
	CHECK(gc_ept_entry_misconfig(0x1000 | 0x87, 4, 0));  /* PS in PML4 */
	CHECK(!gc_ept_entry_misconfig(0x200000 | 0xb7, 2, 0));
}

TEST(ept_translate)
{
	struct world w;
	CHECK(world_build(&w));
	struct gc_ept_walk wk;
	/* 4 KiB pages, scattered */
	for (uint64_t i = 0; i < 10; i++) {
		CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_A, (i << 12) | 0x123,
					  &wk));
		CHECK_EQ_U64(wk.hpa, 0x5000000 + (9 - i) * 0x3000 + 0x123);
		CHECK_EQ_U64(wk.page_size, 4096);
		CHECK_EQ_U64(wk.depth, 4);
		CHECK_EQ_U64(wk.memtype, 6);
		CHECK_EQ_U64(wk.perms, 7);
		CHECK(wk.ipat);
	}
	/* 2 MiB */
	CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_A, 0x3fffff, &wk));
	CHECK_EQ_U64(wk.hpa, 0x7ffffff);
	CHECK_EQ_U64(wk.page_size, 2u << 20);
	CHECK_EQ_U64(wk.depth, 3);
	/* 1 GiB */
	CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_A, 0x52345678, &wk));
	CHECK_EQ_U64(wk.hpa, 0x112345678ull);
	CHECK_EQ_U64(wk.page_size, 1u << 30);
	CHECK_EQ_U64(wk.depth, 2);
	/* unmapped */
	struct gc_error *e = gc_ept_translate(&w.mem, HI_EPTP_A, 0xa000, &wk);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(e), "not mapped: EPT PTE");
	gc_error_free(e);
	/* write-only entry */
	e = gc_ept_translate(&w.mem, HI_EPTP_A, 0x600000, &wk);
	CHECK(e && gc_error_code(e) == GC_ERR_CORRUPT);
	CHECK_CONTAINS(gc_error_string(e), "write permission without read");
	gc_error_free(e);
	CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_A, 0x601008, &wk));
	CHECK_EQ_U64(wk.hpa, 0x5100008);
	CHECK_EQ_U64(wk.perms, 3);
	/* beyond 48 bits on a 4-level EPT */
	e = gc_ept_translate(&w.mem, HI_EPTP_A, 1ull << 48, &wk);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	/* 5-level */
	CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_B, (1ull << 48) | 0x10,
				  &wk));
	CHECK_EQ_U64(wk.hpa, 0x6100010);
	CHECK_EQ_U64(wk.depth, 5);
	CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_B, 0x2fff, &wk));
	CHECK_EQ_U64(wk.hpa, 0x6002fff);
	/* a table outside the image */
	e = gc_ept_translate(&w.mem, 0x7770000 | 0x1e, 0, &wk);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(e), "EPT PML4E");
	gc_error_free(e);
	world_free(&w);
}

/* The EPT as an xlat: one run per leaf (4 KiB, 2 MiB, 1 GiB) from the
 * address on, one run per stopping entry's whole span, and the same
 * answers as the single walk. */
TEST(ept_xlat)
{
	struct world w;
	CHECK(world_build(&w));
	struct gc_xlat *x;
	CHECK_OK(gc_ept_xlat_new(&w.mem, HI_EPTP_A, &x));
	CHECK_EQ_U64(x->limit, 1ull << 48);
	struct gc_xlat_run r;
	/* 4 KiB leaf, from inside the page */
	CHECK_OK(gc_xlat_lookup(x, 0x3123, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x5000000 + 6 * 0x3000 + 0x123);
	CHECK_EQ_U64(r.len, 0x1000 - 0x123);
	/* 2 MiB leaf: the rest of the large page in one run */
	CHECK_OK(gc_xlat_lookup(x, 0x200000, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x7e00000);
	CHECK_EQ_U64(r.len, 2u << 20);
	/* 1 GiB leaf */
	CHECK_OK(gc_xlat_lookup(x, 0x52345678, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x112345678ull);
	CHECK_EQ_U64(r.len, 0x80000000ull - 0x52345678);
	/* a PTE not present: that page only */
	CHECK_OK(gc_xlat_lookup(x, 0xa000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, 0x1000);
	CHECK_CONTAINS(r.reason, "PTE not present");
	/* the write-only (misconfigured) entry is not mapped */
	CHECK_OK(gc_xlat_lookup(x, 0x600000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_CONTAINS(r.reason, "misconfigured");
	/* a PML4E not present: its whole 512 GiB in one run */
	CHECK_OK(gc_xlat_lookup(x, (1ull << 39) + 0x5000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, (1ull << 39) - 0x5000);
	CHECK_CONTAINS(r.reason, "PML4E not present");
	/* every mapped run agrees with the walk, and walking the space run
	 * by run visits as many frames as the full walk maps */
	uint64_t frames = 0, lookups = 0;
	for (uint64_t a = 0; a < x->limit; a += r.len) {
		CHECK_OK(gc_xlat_lookup(x, a, &r));
		lookups++;
		if (r.status != GC_XLAT_MAPPED)
			continue;
		struct gc_ept_walk wk;
		CHECK_OK(gc_ept_translate(&w.mem, HI_EPTP_A, a, &wk));
		CHECK_EQ_U64(r.target, wk.hpa);
		frames += r.len >> 12;
	}
	CHECK_EQ_U64(frames, 10 + 512 + 262144 + 1);
	CHECK(lookups < 4096);
	gc_xlat_free(x);
	/* 5-level: the frame at 2^48 is reached in a few runs */
	CHECK_OK(gc_ept_xlat_new(&w.mem, HI_EPTP_B, &x));
	CHECK_EQ_U64(x->limit, 1ull << 57);
	lookups = 0;
	uint64_t far = 0;
	for (uint64_t a = 0; a < x->limit; a += r.len) {
		CHECK_OK(gc_xlat_lookup(x, a, &r));
		lookups++;
		if (r.status == GC_XLAT_MAPPED && a >= (1ull << 48))
			far = r.target;
	}
	CHECK_EQ_U64(far, 0x6100000);
	/* one lookup per entry of the tables on the way (4600), not one per
	 * page below 2^48 */
	CHECK_EQ_U64(lookups, 4600);
	gc_xlat_free(x);
	/* an EPTP whose root is outside the host's memory is refused */
	struct gc_error *e = gc_ept_xlat_new(&w.mem, 0x7770000000ull | 0x1e, &x);
	CHECK(e != NULL);
	gc_error_free(e);
	world_free(&w);
}

TEST(ept_space)
{
	struct world w;
	CHECK(world_build(&w));
	struct gc_report f = { 0 };
	struct gc_ept_space *s;
	CHECK_OK(gc_ept_space_open(&w.mem, HI_EPTP_A, NULL, &f, &s));
	/* 10 + 512 + 262144 + 1 frames mapped; one misconfigured entry */
	CHECK_EQ_U64(gc_ept_space_nr_frames(s), 10 + 512 + 262144 + 1);
	CHECK_EQ_U64(f.count, 1);
	CHECK_CONTAINS(f.items[0].message, "guest-physical 0x600000");
	size_t nm;
	const struct gc_ept_map *m = gc_ept_space_maps(s, &nm);
	CHECK_EQ_U64(nm, 10 + 1 + 1 + 1);   /* reverse-ordered 4K don't merge */
	CHECK_EQ_U64(m[10].gfn, 0x200);
	CHECK_EQ_U64(m[10].count, 512);
	CHECK_EQ_U64(m[10].hfn, 0x7e00);
	struct gc_frame_run *runs;
	size_t nr;
	CHECK_OK(gc_ept_space_runs(s, &runs, &nr));
	CHECK_EQ_U64(nr, 4);
	CHECK_EQ_U64(runs[0].start, 0);
	CHECK_EQ_U64(runs[0].count, 10);
	CHECK_EQ_U64(runs[3].start, 0x40000);
	CHECK_EQ_U64(runs[3].count, 0x40000);
	free(runs);
	/* reads through the EPT, across scattered frames */
	uint8_t buf[8192];
	CHECK_OK(gc_ept_space_read(s, 0x3ff8, buf, 16));
	CHECK_EQ_U64(gc_get64_le(buf + 8), HI_TAG_A(4));
	for (uint64_t g = 0; g < 10; g++) {
		CHECK_OK(gc_ept_space_read(s, g << 12, buf, 8));
		CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(g));
	}
	CHECK_OK(gc_ept_space_read(s, 0x3ff000, buf, 8192 - 4096));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(0x3ff));
	CHECK_OK(gc_ept_space_read(s, 0x52345000, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(0x52345));
	uint64_t hpa;
	CHECK_OK(gc_ept_space_translate(s, 0x7fffffff, &hpa));
	CHECK_EQ_U64(hpa, 0x13fffffffull);
	/* mapped but the host frame is not in the image */
	struct gc_error *e = gc_ept_space_read(s, 0x40002000, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(e), "0x100002000");
	gc_error_free(e);
	e = gc_ept_space_read(s, 0xa000, buf, 8);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	gc_error_free(e);
	/* the guest's memory as host memory (nested scans) */
	struct gc_hostmem gm;
	gc_ept_space_hostmem(s, &gm);
	CHECK_EQ_U64(gm.max_paddr, 0x80000000ull);
	CHECK_OK(gm.read(gm.ctx, 0x5000, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(5));
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	struct gc_vmcs_scan sc;
	CHECK_OK(gc_vmcs_scan(&gm, db, NULL, &sc));
	/* all 4 KiB frames mapped; the 1 GiB page is only partly present */
	CHECK_EQ_U64(sc.frames_scanned, 10 + 512 + 262144 + 1);
	CHECK_EQ_U64(sc.read_errors, 262144 - 3);
	CHECK_EQ_U64(sc.nr_hits, 0);
	gc_vmcs_scan_free(&sc);
	gc_vmcs_db_free(db);
	gc_ept_space_close(s);
	gc_report_clear(&f);
	/* the walk limit stops runaway tables */
	struct gc_ept_space_opts o = { .max_entries = 1024 };
	e = gc_ept_space_open(&w.mem, HI_EPTP_A, &o, NULL, &s);
	CHECK(e && gc_error_code(e) == GC_ERR_UNSUPPORTED);
	gc_error_free(e);
	/* 5-level */
	CHECK_OK(gc_ept_space_open(&w.mem, HI_EPTP_B, NULL, NULL, &s));
	CHECK_EQ_U64(gc_ept_space_nr_frames(s), 4);
	CHECK_OK(gc_ept_space_read(s, 1ull << 48, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_B(1ull << 36));
	gc_ept_space_close(s);
	world_free(&w);
}

static const struct gc_vmcs_hit *hit_at(const struct gc_vmcs_scan *s,
					uint64_t paddr)
{
	for (size_t i = 0; i < s->nr_hits; i++)
		if (s->hits[i].paddr == paddr)
			return &s->hits[i];
	return NULL;
}

static void check_scan(const struct gc_vmcs_scan *s, bool rejected)
{
	size_t valid = 0;
	for (size_t i = 0; i < s->nr_hits; i++)
		valid += s->hits[i].valid;
	CHECK_EQ_U64(valid, 3);
	CHECK_EQ_U64(s->nr_hits, rejected ? 7 : 3);
	/* rev 0xd: 2 vCPUs + 3 decoys; rev 0x5a17: 1 vCPU + 1 decoy */
	CHECK_EQ_U64(s->candidates, 7);
	for (int i = 0; i < 3; i++) {
		const struct gc_vmcs_hit *h = hit_at(s, hi_vcpus[i].paddr);
		CHECK(h && h->valid);
		CHECK_EQ_U64(h->revision, i < 2 ? 0xd : 0x5a17);
		CHECK_EQ_U64(h->st.guest_rip, hi_vcpus[i].rip);
		CHECK_EQ_U64(h->st.guest_rsp, hi_vcpus[i].rsp);
		CHECK_EQ_U64(h->st.guest_cr3, hi_vcpus[i].cr3);
		CHECK_EQ_U64(h->st.eptp, hi_vcpus[i].eptp);
		CHECK_EQ_U64(h->st.vpid, hi_vcpus[i].vpid);
		CHECK_EQ_U64(h->st.guest_cr0, 0x80050033);
		CHECK_EQ_U64(h->st.guest_cr4, 0x3626f0);
		CHECK_EQ_U64(h->st.guest_efer, 0xd01);
		CHECK_EQ_U64(h->st.host_rip, HI_HOST_RIP);
		CHECK_EQ_U64(h->st.guest_gs_base, 0xffff888077c00000ull +
						       (i == 1) * 0x40000ull);
		CHECK(h->ept_enabled && h->high_first && h->order_decided);
		CHECK_CONTAINS(h->reason, i < 2 ? "EPTP 4-level WB" :
						  "EPTP 5-level WB");
	}
	if (!rejected)
		return;
	const struct gc_vmcs_hit *h = hit_at(s, HI_DECOYS);
	CHECK(h && !h->valid);
	CHECK_STR(h->reason, "VMX-abort indicator is 0x1, not 0");
	h = hit_at(s, HI_DECOYS + 0x1000);
	CHECK(h && !h->valid);
	CHECK_STR(h->reason, "VMCS link pointer 0x0 is not ~0");
	h = hit_at(s, HI_DECOYS + 0x2000);
	CHECK(h && !h->valid);
	CHECK_CONTAINS(h->reason, "memory type 3");
	h = hit_at(s, HI_DECOYS + 0x3000);
	CHECK(h && !h->valid && h->revision == 0x5a17);
	CHECK(!hit_at(s, HI_DECOYS + 0x4000));
}

TEST(scan_in_memory)
{
	struct world w;
	CHECK(world_build(&w));
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	struct gc_vmcs_scan_opts o = { .text_start = HI_TEXT_START,
				       .text_end = HI_TEXT_END };
	struct gc_vmcs_scan s;
	CHECK_OK(gc_vmcs_scan(&w.mem, db, &o, &s));
	CHECK_EQ_U64(s.frames_scanned, w.h.n);
	check_scan(&s, false);
	if (gc_test_failed)
		return;
	CHECK_CONTAINS(s.hits[0].reason, "host RIP in kernel text");
	gc_vmcs_scan_free(&s);
	o.keep_rejected = true;
	CHECK_OK(gc_vmcs_scan(&w.mem, db, &o, &s));
	check_scan(&s, true);
	gc_vmcs_scan_free(&s);
	/* a text range that excludes host RIP rejects everything */
	o.text_start = HI_TEXT_END;
	o.text_end = HI_TEXT_END + 0x1000;
	o.keep_rejected = false;
	CHECK_OK(gc_vmcs_scan(&w.mem, db, &o, &s));
	CHECK_EQ_U64(s.nr_hits, 0);
	gc_vmcs_scan_free(&s);
	/* without layouts nothing is even a candidate */
	struct gc_vmcs_db *empty;
	CHECK_OK(gc_vmcs_db_new(false, &empty));
	CHECK_OK(gc_vmcs_scan(&w.mem, empty, NULL, &s));
	CHECK_EQ_U64(s.candidates, 0);
	gc_vmcs_scan_free(&s);
	gc_vmcs_db_free(empty);
	gc_vmcs_db_free(db);
	world_free(&w);
}

TEST(region_checks)
{
	struct world w;
	CHECK(world_build(&w));
	uint8_t r[4096];
	memcpy(r, hi_page(&w.h, HI_VMCS_A0), sizeof(r));
	struct gc_vmcs_scan_opts o = { .text_start = HI_TEXT_START,
				       .text_end = HI_TEXT_END };
	struct gc_vmcs_hit hit;
	uint64_t maxpa = w.mem.max_paddr;
	/* kvm_intel.ko: host RIP in the module area is fine */
	CHECK(gc_vmcs_put(w.la, r, sizeof(r), true, GC_VMCS_HOST_RIP,
			  0xffffffffc0a1d2e0ull));
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), HI_VMCS_A0, maxpa,
				      &o, &hit));
	CHECK(hit.valid);
	CHECK_CONTAINS(hit.reason, "host RIP in the module area");
	free(hit.reason);
	/* a direct-map address is neither text nor module */
	CHECK(gc_vmcs_put(w.la, r, sizeof(r), true, GC_VMCS_HOST_RIP,
			  0xffff888000001000ull));
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), HI_VMCS_A0, maxpa,
				      &o, &hit));
	CHECK(!hit.valid);
	CHECK_CONTAINS(hit.reason, "outside the host kernel text");
	free(hit.reason);
	/* ... but without a known text range only "kernel half" is checked */
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), HI_VMCS_A0, maxpa,
				      NULL, &hit));
	CHECK(hit.valid);
	free(hit.reason);
	/* host CR3 beyond the dump */
	CHECK(gc_vmcs_put(w.la, r, sizeof(r), true, GC_VMCS_HOST_CR3,
			  0x200000000000ull));
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), HI_VMCS_A0, maxpa,
				      NULL, &hit));
	CHECK(!hit.valid);
	CHECK_CONTAINS(hit.reason, "host CR3 0x200000000000");
	free(hit.reason);
	/* a busy-TSS check: TR as a data segment */
	memcpy(r, hi_page(&w.h, HI_VMCS_A0), sizeof(r));
	CHECK(gc_vmcs_put(w.la, r, sizeof(r), true, GC_VMCS_GUEST_TR_AR,
			  0xc093));
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), HI_VMCS_A0, maxpa,
				      NULL, &hit));
	CHECK(!hit.valid);
	CHECK_STR(hit.reason, "guest TR access rights 0xc093: not a busy TSS");
	free(hit.reason);
	/* a region written low chunk first: detected, decoded right */
	memset(r, 0, sizeof(r));
	r[0] = 0xd;
	static const uint32_t encs[] = {
		GC_VMCS_LINK_POINTER, GC_VMCS_HOST_CR0, GC_VMCS_HOST_CR3,
		GC_VMCS_HOST_CR4, GC_VMCS_HOST_RIP, GC_VMCS_HOST_RSP,
		GC_VMCS_GUEST_CR0, GC_VMCS_GUEST_CR4, GC_VMCS_GUEST_RFLAGS,
		GC_VMCS_GUEST_RIP, GC_VMCS_GUEST_TR_AR, GC_VMCS_GUEST_CS_AR,
	};
	static const uint64_t vals[] = {
		~0ull, 0x80050033, HI_HOST_CR3, 0x3726f0, HI_HOST_RIP,
		0xfffffe0000001000ull, 0x80050033, 0x3626f0, 0x246,
		0xffffffff81234567ull, 0x8b, 0xa09b,
	};
	for (size_t i = 0; i < GC_ARRAY_LEN(encs); i++)
		CHECK(gc_vmcs_put(w.la, r, sizeof(r), false, encs[i], vals[i]));
	/* the other segments unusable */
	static const uint32_t unusable[] = { 0x4814, 0x4818, 0x481a, 0x481c,
					     0x481e, 0x4820 };
	for (size_t i = 0; i < GC_ARRAY_LEN(unusable); i++)
		CHECK(gc_vmcs_put(w.la, r, sizeof(r), false, unusable[i],
				  0x10000));
	CHECK_OK(gc_vmcs_check_region(w.la, r, sizeof(r), 0x1000, maxpa, &o,
				      &hit));
	if (!hit.valid)
		gc_test_fail(__FILE__, __LINE__, "rejected: %s", hit.reason);
	CHECK(hit.valid);
	CHECK(!hit.high_first && hit.order_decided);
	CHECK_EQ_U64(hit.st.guest_rip, 0xffffffff81234567ull);
	CHECK_CONTAINS(hit.reason, "chunk order low-first (verified)");
	free(hit.reason);
	world_free(&w);
}

TEST(end_to_end_elf)
{
	struct world w;
	CHECK(world_build(&w));
	char path[512];
	snprintf(path, sizeof(path), "%s/host.elf", gc_test_tmpdir());
	CHECK(hi_write_elf(&w.h, path, w.la, true));
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(path, NULL, &d));
	CHECK(gc_dump_format(d) == GC_FORMAT_ELF_VMCORE);
	/* VMCSINFO from the note */
	struct gc_report rep = { 0 };
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcsinfo_from_dump(d, &rep, &l));
	CHECK_EQ_U64(rep.count, 0);
	CHECK_EQ_U64(l->revision, 0xd);
	CHECK_EQ_U64(l->nr_locs, gc_vmcs_nr_fields());
	CHECK_CONTAINS(l->source, "note in");
	gc_vmcs_layout_free(l);
	/* ... and from memory, as /sys/kernel/vmcsinfo says */
	CHECK_OK(gc_vmcsinfo_from_memory(d, HI_NOTE_ADDR, 0x2000, &rep, &l));
	CHECK_EQ_U64(l->revision, 0xd);
	CHECK_EQ_U64(l->nr_locs, gc_vmcs_nr_fields());
	gc_vmcs_layout_free(l);
	/* text range from VMCOREINFO */
	const char *vi;
	size_t vlen;
	uint64_t off, ts = 0, te = 0;
	CHECK_OK(gc_dump_vmcoreinfo(d, &vi, &vlen, &off));
	CHECK(gc_vmcs_text_range(vi, vlen, &ts, &te));
	CHECK_EQ_U64(ts, HI_TEXT_START);
	CHECK_EQ_U64(te, HI_TEXT_END);
	/* scan with only the note's layout: guest B's VMCS is unknown */
	struct gc_hostmem mem;
	CHECK_OK(gc_hostmem_dump(d, &mem));
	CHECK_EQ_U64(mem.max_paddr, 0x112346000ull);
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(false, &db));
	CHECK_OK(gc_vmcsinfo_from_dump(d, NULL, &l));
	CHECK_OK(gc_vmcs_db_add(db, l));
	struct gc_vmcs_scan_opts o = { .text_start = ts, .text_end = te };
	struct gc_vmcs_scan s;
	CHECK_OK(gc_vmcs_scan(&mem, db, &o, &s));
	CHECK_EQ_U64(s.nr_hits, 2);
	CHECK_EQ_U64(s.candidates, 5);
	CHECK_EQ_U64(s.hits[0].paddr, HI_VMCS_A1);
	CHECK_EQ_U64(s.hits[1].paddr, HI_VMCS_A0);
	CHECK_EQ_U64(s.hits[1].st.guest_rip, hi_vcpus[0].rip);
	/* the guest's memory through the EPT, read from the ELF file */
	struct gc_ept_space *es;
	CHECK_OK(gc_ept_space_open(&mem, s.hits[0].st.eptp, NULL, NULL, &es));
	uint8_t buf[16];
	CHECK_OK(gc_ept_space_read(es, 0x9000, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(9));
	CHECK_OK(gc_ept_space_read(es, 0x201000, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_A(0x201));
	gc_ept_space_close(es);
	gc_vmcs_scan_free(&s);
	gc_vmcs_db_free(db);
	gc_report_clear(&rep);
	gc_dump_close(d);
	world_free(&w);
}

/* The guest object on mkhost's image: the registry, guest B (5-level EPT,
 * a frame at 2^48) through gc_guest_open("vmx"), its view is never the
 * host's format, its gaps and counts. */
TEST(guest_vmx_source)
{
	const char *desc = NULL;
	CHECK(gc_guest_source_at(0, &desc) && !strcmp(gc_guest_source_at(0, NULL), "vmx"));
	CHECK(desc && strstr(desc, "EPT"));
	CHECK(gc_guest_source_at(1, NULL) && !strcmp(gc_guest_source_at(1, NULL), "qemu"));
	CHECK(gc_guest_source_at(2, NULL) && !strcmp(gc_guest_source_at(2, NULL), "kvm"));
	/* the AMD fallback (amdfb) registered a fourth source, "svm", so
	 * the unknown name this test opens is now "nosuch" */
	CHECK(gc_guest_source_at(3, NULL) && !strcmp(gc_guest_source_at(3, NULL), "svm"));
	CHECK(gc_guest_source_at(4, NULL) == NULL);
	struct gc_guest *g = NULL;
	struct gc_guest_args a = { 0 };
	struct gc_error *e = gc_guest_open("nosuch", &a, &g);
	CHECK(e && gc_error_code(e) == GC_ERR_INVALID_ARG);
	CHECK_CONTAINS(gc_error_string(e), "no source 'nosuch' (known: vmx, qemu, kvm, svm)");
	gc_error_free(e);
	struct world w;
	CHECK(world_build(&w));
	char path[512];
	snprintf(path, sizeof(path), "%s/host-g.elf", gc_test_tmpdir());
	CHECK(hi_write_elf(&w.h, path, w.la, true));
	struct gc_dump *d;
	CHECK_OK(gc_dump_open(path, NULL, &d));
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	e = gc_guest_open("vmx", &a, &g);
	CHECK(e && gc_error_code(e) == GC_ERR_INVALID_ARG);
	gc_error_free(e);
	uint64_t vb[1] = { HI_VMCS_B0 };
	a = (struct gc_guest_args){ .host = d, .vmcs_db = db, .addrs = vb,
				    .nr_addrs = 1 };
	CHECK_OK(gc_guest_open("vmx", &a, &g));
	CHECK(!strcmp(gc_guest_source(g), "vmx"));
	struct gc_dump *v = gc_guest_dump(g);
	CHECK(gc_dump_format(v) == GC_FORMAT_GUEST);
	CHECK(gc_dump_format(d) == GC_FORMAT_ELF_VMCORE);
	CHECK_EQ_U64(gc_guest_nr_vcpus(g), 1);
	struct gc_vcpu c;
	CHECK_OK(gc_guest_vcpu(g, 0, &c));
	CHECK_EQ_U64(c.regs[GC_REG_RIP], 0x7c00);
	const struct gc_guest_counts *n = gc_guest_counts(g);
	CHECK_EQ_U64(n->frames_present, 4);
	CHECK_EQ_U64(n->frames_present + n->frames_missing + n->frames_not_ram,
		     n->frames_mapped);
	CHECK_EQ_U64(gc_dump_nr_frames(v), 4);
	struct gc_frame_run *runs;
	size_t nr;
	CHECK_OK(gc_dump_frame_runs(v, GC_SPACE_PHYS, &runs, &nr));
	CHECK(nr >= 1);
	CHECK_EQ_U64(runs[nr - 1].start, 0x1000000000ull);
	free(runs);
	uint8_t buf[8];
	CHECK_OK(gc_dump_read(v, GC_SPACE_PHYS, 1ull << 48, buf, 8));
	CHECK_EQ_U64(gc_get64_le(buf), HI_TAG_B(0x1000000000ull));
	uint64_t t, len;
	CHECK_OK(gc_guest_translate(g, (1ull << 48) | 0x10, &t, &len));
	CHECK_EQ_U64(t, 0x6100010);
	CHECK_EQ_U64(len, 0x1000 - 0x10);
	e = gc_guest_translate(g, 0x7000000, &t, &len);
	CHECK(e && gc_error_code(e) == GC_ERR_NOT_PRESENT);
	CHECK_CONTAINS(gc_error_string(e), "not present");
	gc_error_free(e);
	CHECK_CONTAINS(gc_guest_provenance(g), "eptp=0x");
	CHECK_CONTAINS(gc_guest_provenance(g), "guest_frames=");
	CHECK(gc_vmx_guest_info(g) && gc_vmx_guest_info(g)->ept_levels == 5);
	gc_guest_close(g);
	gc_vmcs_db_free(db);
	gc_dump_close(d);
	world_free(&w);
}

TEST_MAIN()
