// SPDX-License-Identifier: MIT
/*
 * VMCS layouts of real CPUs (published tables), the database's fallback
 * order, a host without a VMCSINFO note, and layout inference.  All hosts
 * here are synthetic (tests/fixtures/hostimg.h): no Intel KVM host dump
 * exists in this project.
 */
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/guestcore.h"
#include "guestcore/vmx.h"
#include "harness.h"
#include "fixtures/hostimg.h"
#include "guests/kvm/kvm_internal.h"

/* Byte offset of the low chunk of ENC in L (the field's start). */
static int low_off(const struct gc_vmcs_layout *l, uint32_t enc)
{
	const struct gc_vmcs_loc *c = gc_vmcs_layout_find(l, enc);
	return c ? c->off[c->nr_chunks - 1] : -1;
}

TEST(published_tables)
{
	CHECK_EQ_U64(gc_vmcs_nr_published(), 5);
	static const uint32_t revs[] = { 0xd, 0xe, 0xf, 0x10, 0x12 };
	for (size_t i = 0; i < 5; i++) {
		const char *cpu = NULL;
		CHECK_EQ_U64(gc_vmcs_published_revision(i, &cpu), revs[i]);
		CHECK(cpu && *cpu);
		struct gc_vmcs_layout *l = gc_vmcs_published_layout(revs[i]);
		CHECK(l);
		CHECK(!l->synthetic);
		CHECK_CONTAINS(l->source, "published");
		CHECK(l->nr_locs >= 100);
		uint8_t used[4096] = { 0 };
		for (size_t k = 0; k < l->nr_locs; k++) {
			const struct gc_vmcs_loc *c = &l->locs[k];
			CHECK_EQ_U64(c->nr_chunks,
				     gc_vmcs_enc_bits(c->encoding) / 16);
			for (unsigned int j = 0; j < c->nr_chunks; j++) {
				CHECK(c->off[j] >= 8 && c->off[j] + 2 <= 4096);
				CHECK(!used[c->off[j]]);
				used[c->off[j]] = 1;
				/* little-endian, high chunk listed first */
				CHECK_EQ_U64(c->off[j], c->off[c->nr_chunks - 1] +
					     2 * (c->nr_chunks - 1 - j));
			}
		}
		gc_vmcs_layout_free(l);
	}
	CHECK(!gc_vmcs_published_layout(0x4));  /* Skylake: no data */
	CHECK(!gc_vmcs_published_layout(0x5a17));
	/* facts from the sources (dword index * 4) */
	struct gc_vmcs_layout *p = gc_vmcs_published_layout(0xd);
	struct gc_vmcs_layout *w = gc_vmcs_published_layout(0xf);
	struct gc_vmcs_layout *s = gc_vmcs_published_layout(0x10);
	struct gc_vmcs_layout *n = gc_vmcs_published_layout(0xe);
	struct gc_vmcs_layout *h = gc_vmcs_published_layout(0x12);
	CHECK(p && w && s && n && h);
	CHECK_EQ_U64(low_off(p, 0x4000), 0x10 * 4);   /* Penryn PIN_BASED */
	CHECK_EQ_U64(low_off(p, 0x680c), 0x54 * 4);   /* DS base (hex) */
	CHECK_EQ_U64(low_off(p, GC_VMCS_LINK_POINTER), 0x8 * 4);
	CHECK_EQ_U64(low_off(p, GC_VMCS_EPT_POINTER), -1);  /* no EPT */
	CHECK_EQ_U64(low_off(w, GC_VMCS_EPT_POINTER), 0x50 * 4);
	CHECK_EQ_U64(low_off(s, GC_VMCS_GUEST_RIP), 0x76 * 4);
	CHECK_EQ_U64(low_off(s, GC_VMCS_HOST_CR3), 0xd0 * 4);
	CHECK_EQ_U64(low_off(s, GC_VMCS_VPID), 0xbc * 4);
	CHECK_EQ_U64(low_off(n, GC_VMCS_GUEST_CR3), 0xb8 * 4);
	CHECK_EQ_U64(low_off(n, GC_VMCS_VPID), -1);    /* 16-bit: dropped */
	CHECK_EQ_U64(low_off(h, GC_VMCS_EPT_POINTER), 0x50 * 4);
	CHECK_EQ_U64(low_off(h, GC_VMCS_GUEST_CS_AR), -1); /* shares a dword */
	CHECK_EQ_U64(low_off(h, GC_VMCS_HOST_RSP), -1);    /* shares a dword */
	CHECK_EQ_U64(low_off(h, GC_VMCS_HOST_RIP), 0xc2 * 4);
	gc_vmcs_layout_free(p);
	gc_vmcs_layout_free(w);
	gc_vmcs_layout_free(s);
	gc_vmcs_layout_free(n);
	gc_vmcs_layout_free(h);
}

TEST(db_fallback_order)
{
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	CHECK(!gc_vmcs_db_find(db, 0x10));
	CHECK_OK(gc_vmcs_db_add_published(db));
	/* rev 0xd: the synthetic built-in first, then Penryn */
	const struct gc_vmcs_layout *a = gc_vmcs_db_candidate(db, 0xd, 0);
	const struct gc_vmcs_layout *b = gc_vmcs_db_candidate(db, 0xd, 1);
	CHECK(a && a->synthetic && gc_vmcs_db_find(db, 0xd) == a);
	CHECK(b && !b->synthetic);
	CHECK_CONTAINS(b->source, "Penryn");
	CHECK(!gc_vmcs_db_candidate(db, 0xd, 2));
	CHECK(gc_vmcs_db_candidate(db, 0x8000000d, 1) == b);  /* shadow */
	/* revisions only published */
	const struct gc_vmcs_layout *s = gc_vmcs_db_find(db, 0x10);
	CHECK(s);
	CHECK_CONTAINS(s->source, "Sandy Bridge");
	CHECK(!gc_vmcs_db_candidate(db, 0x10, 1));
	CHECK(!gc_vmcs_db_find(db, 0x4));
	/* a note or --layout for a revision decides alone */
	struct gc_vmcs_layout *u;
	CHECK_OK(gc_vmcsinfo_parse("REVISION_ID=10\nFIELD(GUEST_RIP)="
				   "0ff60ff40ff20ff0\n", 49, 0, NULL, &u));
	CHECK_OK(gc_vmcs_db_add(db, u));
	CHECK(gc_vmcs_db_find(db, 0x10) == u);
	CHECK(!gc_vmcs_db_candidate(db, 0x10, 1));
	gc_vmcs_db_free(db);
}

/* A one-guest host: vCPUs written with layout L at the hostimg vCPU
 * addresses (the EPT tables themselves are not needed by the scan). */
static bool tiny_host(struct himg *h, const struct gc_vmcs_layout *l,
		      unsigned int nr)
{
	memset(h, 0, sizeof(*h));
	for (unsigned int i = 0; i < nr; i++)
		hi_write_vmcs(h, l, &hi_vcpus[i], i);
	hi_page(h, HI_EPT_A_ROOT);
	hi_page(h, HI_HOST_CR3);
	hi_page(h, 0x10000000ull);  /* host memory ends at 256 MiB */
	return !h->oom;
}

TEST(scan_published_without_note)
{
	/* a Sandy Bridge host (rev 0x10) and no VMCSINFO anywhere */
	struct gc_vmcs_layout *l = gc_vmcs_published_layout(0x10);
	CHECK(l);
	struct himg h;
	CHECK(tiny_host(&h, l, 2));
	struct gc_hostmem m;
	hi_hostmem(&h, &m);
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(false, &db));
	struct gc_vmcs_scan s;
	CHECK_OK(gc_vmcs_scan(&m, db, NULL, &s));
	CHECK_EQ_U64(s.candidates, 0);  /* nothing known without the table */
	gc_vmcs_scan_free(&s);
	CHECK_OK(gc_vmcs_db_add_published(db));
	struct gc_vmcs_scan_opts o = { .text_start = HI_TEXT_START,
				       .text_end = HI_TEXT_END };
	CHECK_OK(gc_vmcs_scan(&m, db, &o, &s));
	CHECK_EQ_U64(s.nr_hits, 2);
	for (size_t i = 0; i < s.nr_hits; i++) {
		const struct gc_vmcs_hit *x = &s.hits[i];
		const struct hi_vcpu *v = x->paddr == HI_VMCS_A0 ? &hi_vcpus[0] :
					  &hi_vcpus[1];
		CHECK(x->valid && x->ept_enabled);
		CHECK_EQ_U64(x->revision, 0x10);
		CHECK_CONTAINS(x->layout->source, "Sandy Bridge");
		CHECK_EQ_U64(x->st.guest_rip, v->rip);
		CHECK_EQ_U64(x->st.guest_rsp, v->rsp);
		CHECK_EQ_U64(x->st.eptp, HI_EPTP_A);
		CHECK_EQ_U64(x->st.vpid, v->vpid);
		CHECK_EQ_U64(x->st.host_cr3, HI_HOST_CR3);
	}
	gc_vmcs_scan_free(&s);
	gc_vmcs_db_free(db);
	gc_vmcs_layout_free(l);
	hi_free(&h);
}

TEST(scan_tries_alternates)
{
	/* rev 0xd written with the Penryn table: the synthetic rev 0xd
	 * layout (2012 VMCSINFO example) rejects it, Penryn's accepts. */
	struct gc_vmcs_layout *l = gc_vmcs_published_layout(0xd);
	CHECK(l);
	struct himg h;
	CHECK(tiny_host(&h, l, 1));
	/* a Core 2 has no EPT: secondary controls off */
	uint8_t *r = hi_page(&h, HI_VMCS_A0);
	CHECK(gc_vmcs_put(l, r, HI_PAGE, true, 0x4002, 0x35a06dfaull));
	CHECK(gc_vmcs_put(l, r, HI_PAGE, true, GC_VMCS_SECONDARY_EXEC, 0));
	struct gc_hostmem m;
	hi_hostmem(&h, &m);
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	struct gc_vmcs_scan_opts o = { .keep_rejected = true };
	struct gc_vmcs_scan s;
	CHECK_OK(gc_vmcs_scan(&m, db, &o, &s));
	CHECK_EQ_U64(s.nr_hits, 1);
	CHECK(!s.hits[0].valid);          /* synthetic only: rejected */
	gc_vmcs_scan_free(&s);
	CHECK_OK(gc_vmcs_db_add_published(db));
	CHECK_OK(gc_vmcs_scan(&m, db, &o, &s));
	CHECK_EQ_U64(s.nr_hits, 1);
	CHECK(s.hits[0].valid);
	CHECK(s.hits[0].layout == gc_vmcs_db_candidate(db, 0xd, 1));
	CHECK_EQ_U64(s.hits[0].st.guest_rip, hi_vcpus[0].rip);
	CHECK(!s.hits[0].ept_enabled);
	gc_vmcs_scan_free(&s);
	gc_vmcs_db_free(db);
	gc_vmcs_layout_free(l);
	hi_free(&h);
}

/* ---- inference ----------------------------------------------------------- */

enum { K_RIP, K_RSP, K_CR3, K_HCR3, K_HRIP, K_CR4, K_HCR4, K_CR0, K_N };
static const uint32_t kenc[K_N] = {
	GC_VMCS_GUEST_RIP, GC_VMCS_GUEST_RSP, GC_VMCS_GUEST_CR3,
	GC_VMCS_HOST_CR3, GC_VMCS_HOST_RIP, GC_VMCS_GUEST_CR4,
	GC_VMCS_HOST_CR4, GC_VMCS_GUEST_CR0,
};

static void known(uint64_t *v, unsigned int i)
{
	uint64_t *r = v + (size_t)i * K_N;
	r[K_RIP] = hi_vcpus[i].rip;
	r[K_RSP] = hi_vcpus[i].rsp;
	r[K_CR3] = hi_vcpus[i].cr3;
	r[K_HCR3] = HI_HOST_CR3;
	r[K_HRIP] = HI_HOST_RIP;
	r[K_CR4] = 0x3626f0;
	r[K_HCR4] = 0x3726f0;
	r[K_CR0] = 0x80050033;   /* equals host CR0 in the fixture */
}

TEST(infer_layout)
{
	struct gc_vmcs_layout *pub = gc_vmcs_published_layout(0x10);
	CHECK(pub);
	struct himg h;
	CHECK(tiny_host(&h, pub, 2));
	const uint8_t *regs[2] = { hi_page(&h, HI_VMCS_A0),
				   hi_page(&h, HI_VMCS_A1) };
	uint64_t v[2 * K_N];
	known(v, 0);
	known(v, 1);
	struct gc_vmcs_inference inf;
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcs_infer(regs, 2, 4096, kenc, K_N, v, &inf, &l));
	CHECK_EQ_U64(inf.revision, 0x10);
	CHECK_EQ_U64(inf.confirmed, 7);
	CHECK_EQ_U64(inf.ambiguous, 1);
	CHECK_EQ_U64(inf.unknown, 0);
	/* every confirmed offset is the published one */
	for (size_t k = 0; k < K_N; k++) {
		const struct gc_vmcs_infer_field *f = &inf.fields[k];
		if (k == K_CR0) {
			/* guest CR0 == host CR0: two offsets, refused */
			CHECK(f->state == GC_VMCS_INFER_AMBIGUOUS);
			CHECK_EQ_U64(f->nr_matches, 2);
			CHECK(!gc_vmcs_layout_find(l, kenc[k]));
			continue;
		}
		CHECK(f->state == GC_VMCS_INFER_CONFIRMED);
		CHECK_EQ_U64(f->offset, low_off(pub, kenc[k]));
		CHECK_EQ_U64(low_off(l, kenc[k]), low_off(pub, kenc[k]));
	}
	CHECK_CONTAINS(l->source, "7 of 8 fields confirmed");
	/* usable as --layout: VMCSINFO text round trip, decodes the region */
	char *text = gc_vmcsinfo_format(l);
	CHECK(text);
	CHECK_CONTAINS(text, "REVISION_ID=10");
	struct gc_vmcs_layout *back;
	CHECK_OK(gc_vmcsinfo_parse(text, strlen(text), 0, NULL, &back));
	uint64_t rip;
	CHECK(gc_vmcs_get(back, regs[1], 4096, true, GC_VMCS_GUEST_RIP, &rip));
	CHECK_EQ_U64(rip, hi_vcpus[1].rip);
	free(text);
	gc_vmcs_layout_free(back);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);

	/* one region alone: RIP/RSP/CR3 still unique */
	CHECK_OK(gc_vmcs_infer(regs, 1, 4096, kenc, K_N, v, &inf, &l));
	CHECK_EQ_U64(inf.confirmed, 7);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	hi_free(&h);
	gc_vmcs_layout_free(pub);
}

TEST(infer_refuses)
{
	struct gc_vmcs_layout *pub = gc_vmcs_published_layout(0x10);
	CHECK(pub);
	struct himg h;
	CHECK(tiny_host(&h, pub, 2));
	uint8_t *r0 = hi_page(&h, HI_VMCS_A0);
	uint8_t *r1 = hi_page(&h, HI_VMCS_A1);
	const uint8_t *regs[2] = { r0, r1 };
	uint64_t v[2 * K_N];
	known(v, 0);
	known(v, 1);
	/* a planted copy of vCPU 0's RIP elsewhere in its region */
	uint64_t rip = hi_vcpus[0].rip;
	memcpy(r0 + 0xf00, &rip, 8);
	struct gc_vmcs_inference inf;
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcs_infer(regs, 1, 4096, kenc, K_N, v, &inf, &l));
	CHECK(inf.fields[K_RIP].state == GC_VMCS_INFER_AMBIGUOUS);
	CHECK_EQ_U64(inf.fields[K_RIP].second, 0xf00);
	CHECK(!gc_vmcs_layout_find(l, GC_VMCS_GUEST_RIP));
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	/* with vCPU 1 as well the copy is not common: RIP confirmed again */
	CHECK_OK(gc_vmcs_infer(regs, 2, 4096, kenc, K_N, v, &inf, &l));
	CHECK(inf.fields[K_RIP].state == GC_VMCS_INFER_CONFIRMED);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	/* a wrong known value: not found; a zero: not searchable */
	v[K_RSP] ^= 0x10;
	v[K_CR3] = 0;
	CHECK_OK(gc_vmcs_infer(regs, 2, 4096, kenc, K_N, v, &inf, &l));
	CHECK(inf.fields[K_RSP].state == GC_VMCS_INFER_NOT_FOUND);
	CHECK(inf.fields[K_CR3].state == GC_VMCS_INFER_UNSEARCHABLE);
	CHECK_EQ_U64(inf.unknown, 2);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	/* regions of two revisions */
	r1[0] = 0x12;
	struct gc_error *e = gc_vmcs_infer(regs, 2, 4096, kenc, K_N, v, &inf,
					   &l);
	CHECK(e);
	CHECK_CONTAINS(gc_error_string(e), "revision 0x12");
	gc_error_free(e);
	/* nothing found at all: an error, no layout */
	uint8_t blank[4096] = { 0x10 };
	const uint8_t *b[1] = { blank };
	e = gc_vmcs_infer(b, 1, sizeof(blank), kenc, K_N, v, &inf, &l);
	CHECK(e && !l);
	CHECK_CONTAINS(gc_error_string(e), "no field confirmed");
	gc_error_free(e);
	/* one field named twice with two values (fuzz_vmcs_infer's first
	 * finding: the layout kept one offset and the other value lied) */
	uint32_t twice[2] = { GC_VMCS_GUEST_RIP, GC_VMCS_GUEST_RIP };
	uint64_t tv[2] = { hi_vcpus[0].rip, hi_vcpus[0].rip + 1 };
	e = gc_vmcs_infer(regs, 1, 4096, twice, 2, tv, &inf, &l);
	CHECK(e && !l);
	CHECK_CONTAINS(gc_error_string(e), "given twice");
	gc_error_free(e);
	/* not a field */
	uint32_t bad = 0x1000;
	e = gc_vmcs_infer(b, 1, sizeof(blank), &bad, 1, v, &inf, &l);
	CHECK(e);
	gc_error_free(e);
	hi_free(&h);
	gc_vmcs_layout_free(pub);
}

/* ---- kvm_intel: the registers KVM keeps in the VMCS ----------------------- */

static void kvm_copies(struct gc_kvm_vcpu *c)
{
	memset(c, 0, sizeof(*c));
	/* GPRs but RSP and RIP current in arch.regs; CR caches stale */
	c->regs_avail = 0xffffu & ~(1u << 4);
	for (unsigned int r = 0; r < 16; r++)
		if (r != GC_REG_RSP)
			gc_vcpu_set_reg(&c->regs, r, 0x1000 + r);
	gc_vcpu_set_reg(&c->regs, GC_REG_RIP, 0x1111);   /* stale */
	gc_vcpu_set_reg(&c->regs, GC_REG_CR0, 0x80050033);
	gc_vcpu_set_reg(&c->regs, GC_REG_CR3, 0xdead000); /* stale */
	gc_vcpu_set_reg(&c->regs, GC_REG_CR4, 0x3606f0);  /* no VMXE */
	gc_vcpu_set_reg(&c->regs, GC_REG_EFER, 0xd01);
}

TEST(kvm_intel_registers)
{
	struct gc_vmcs_layout *pub = gc_vmcs_published_layout(0x10);
	CHECK(pub);
	struct himg h;
	CHECK(tiny_host(&h, pub, 1));
	uint8_t *r = hi_page(&h, HI_VMCS_A0);
	/* the host owns CR4.VMXE and CR0.PE */
	CHECK(gc_vmcs_put(pub, r, HI_PAGE, true, 0x6002, 0x2000));
	CHECK(gc_vmcs_put(pub, r, HI_PAGE, true, 0x6000, 0x1));
	CHECK(gc_vmcs_put(pub, r, HI_PAGE, true, GC_VMCS_GUEST_CR0,
			  0x8005003b));  /* guest set TS (guest-owned) */
	struct gc_vmcs_db *db;
	CHECK_OK(gc_vmcs_db_new(true, &db));
	CHECK_OK(gc_vmcs_db_add_published(db));
	struct gc_kvm_vcpu c;
	kvm_copies(&c);
	CHECK_OK(kvm_vcpu_from_vmcs(&c, r, HI_PAGE, db));
	uint64_t x;
	CHECK_EQ_U64(c.vmcs_revision, 0x10);
	CHECK_CONTAINS(c.vmcs_layout, "Sandy Bridge");
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_RIP, &x) && x == hi_vcpus[0].rip);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_RSP, &x) && x == hi_vcpus[0].rsp);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_RAX, &x) && x == 0x1000);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_CR3, &x) && x == hi_vcpus[0].cr3);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_CR4, &x) && x == 0x3606f0);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_CR0, &x) && x == 0x8005003b);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_RFLAGS, &x) && x == 0x246);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_CS, &x) && x == 0x10);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_SS, &x) && x == 0x18);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_GS_BASE, &x) &&
	      x == 0xffff888077c00000ull);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_EFER, &x) && x == 0xd01);
	/* Sandy Bridge's table has no GUEST_DS_SELECTOR: unknown, not 0 */
	CHECK(!gc_vcpu_get_reg(&c.regs, GC_REG_DS, &x));
	CHECK(!(c.regs_from_vmcs & (1ull << GC_REG_DS)));
	CHECK(c.regs_from_vmcs & (1ull << GC_REG_RIP));
	CHECK(!(c.regs_from_vmcs & (1ull << GC_REG_RAX)));
	CHECK(!(c.regs_from_vmcs & (1ull << GC_REG_EFER)));
	CHECK_EQ_U64(c.eptp, HI_EPTP_A);
	CHECK_CONTAINS(c.regs_note, "from the VMCS");

	/* a dirty RIP and available CR3 in KVM's copies win */
	kvm_copies(&c);
	c.regs_dirty = 1u << 16;
	c.regs_avail |= 1u << 19;
	CHECK_OK(kvm_vcpu_from_vmcs(&c, r, HI_PAGE, db));
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_RIP, &x) && x == 0x1111);
	CHECK(gc_vcpu_get_reg(&c.regs, GC_REG_CR3, &x) && x == 0xdead000);
	CHECK(!(c.regs_from_vmcs & (1ull << GC_REG_RIP)));

	/* no layout for the revision (Skylake 0x4): unknown, said so */
	r[0] = 0x4;
	kvm_copies(&c);
	CHECK_OK(kvm_vcpu_from_vmcs(&c, r, HI_PAGE, db));
	CHECK_EQ_U64(c.vmcs_revision, 0x4);
	CHECK_EQ_U64(c.regs_from_vmcs, 0);
	CHECK_STR(c.vmcs_layout, "");
	CHECK(!gc_vcpu_get_reg(&c.regs, GC_REG_RFLAGS, &x));
	CHECK(!gc_vcpu_get_reg(&c.regs, GC_REG_CS, &x));
	CHECK(!gc_vcpu_get_reg(&c.regs, GC_REG_RSP, &x));
	CHECK_CONTAINS(c.regs_note, "no usable VMCS layout");
	/* a damaged VMCS (link pointer 0): refused the same way */
	r[0] = 0x10;
	CHECK(gc_vmcs_put(pub, r, HI_PAGE, true, GC_VMCS_LINK_POINTER, 0));
	kvm_copies(&c);
	CHECK_OK(kvm_vcpu_from_vmcs(&c, r, HI_PAGE, db));
	CHECK_EQ_U64(c.regs_from_vmcs, 0);
	CHECK(!gc_vcpu_get_reg(&c.regs, GC_REG_RFLAGS, &x));
	/* no database at all */
	kvm_copies(&c);
	CHECK_OK(kvm_vcpu_from_vmcs(&c, r, 4, NULL));
	CHECK_EQ_U64(c.regs_from_vmcs, 0);
	gc_vmcs_db_free(db);
	hi_free(&h);
	gc_vmcs_layout_free(pub);
}

TEST(infer_from_kvm_copies)
{
	struct gc_vmcs_layout *pub = gc_vmcs_published_layout(0x10);
	CHECK(pub);
	struct himg h;
	CHECK(tiny_host(&h, pub, 2));
	const uint8_t *regs[2] = { hi_page(&h, HI_VMCS_A0),
				   hi_page(&h, HI_VMCS_A1) };
	struct gc_kvm_vcpu vc[2];
	memset(vc, 0, sizeof(vc));
	for (int i = 0; i < 2; i++) {
		/* KVM read RIP/RSP from the VMCS (avail, not dirty); its CR3
		 * cache is stale (VCPU_EXREG_CR3 not available) */
		vc[i].regs_avail = (1u << 16) | (1u << 4);
		gc_vcpu_set_reg(&vc[i].regs, GC_REG_RIP, hi_vcpus[i].rip);
		gc_vcpu_set_reg(&vc[i].regs, GC_REG_RSP, hi_vcpus[i].rsp);
		gc_vcpu_set_reg(&vc[i].regs, GC_REG_CR3, 0xdead000);
	}
	struct gc_kvm_vm vm;
	memset(&vm, 0, sizeof(vm));
	vm.vendor = GC_KVM_VMX;
	vm.vcpus = vc;
	vm.nr_vcpus = 2;
	vm.pgd_phys = HI_HOST_CR3;
	uint32_t enc[8];
	uint64_t vals[2 * 8];
	size_t nk = gc_kvm_vmcs_known(&vm, HI_HOST_RIP, enc, vals, 8);
	CHECK_EQ_U64(nk, 5);  /* RIP, RSP, link, host CR3, host RIP */
	struct gc_vmcs_inference inf;
	struct gc_vmcs_layout *l;
	CHECK_OK(gc_vmcs_infer(regs, 2, 4096, enc, nk, vals, &inf, &l));
	CHECK_EQ_U64(inf.confirmed, 5);
	for (size_t k = 0; k < nk; k++)
		CHECK_EQ_U64(inf.fields[k].offset, low_off(pub, enc[k]));
	CHECK(!gc_vmcs_layout_find(l, GC_VMCS_GUEST_CR3));
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	/* a dirty RIP is newer than the VMCS: not a known value */
	vc[1].regs_dirty = 1u << 16;
	nk = gc_kvm_vmcs_known(&vm, 0, enc, vals, 8);
	CHECK_EQ_U64(nk, 4);  /* no HOST_RIP either */
	CHECK_EQ_U64(enc[0], GC_VMCS_GUEST_RIP);
	CHECK_EQ_U64(vals[0], hi_vcpus[0].rip);
	CHECK_EQ_U64(vals[nk + 0], 0);   /* vCPU 1: unknown */
	CHECK_EQ_U64(vals[nk + 1], hi_vcpus[1].rsp);
	CHECK_OK(gc_vmcs_infer(regs, 2, 4096, enc, nk, vals, &inf, &l));
	CHECK(inf.fields[0].state == GC_VMCS_INFER_UNSEARCHABLE);
	CHECK_EQ_U64(inf.confirmed, 3);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	/* an AMD VM: nothing */
	vm.vendor = GC_KVM_SVM;
	CHECK_EQ_U64(gc_kvm_vmcs_known(&vm, 0, enc, vals, 8), 0);
	hi_free(&h);
	gc_vmcs_layout_free(pub);
}

TEST_MAIN()
