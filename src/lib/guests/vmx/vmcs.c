// SPDX-License-Identifier: MIT
/*
 * Finding VMCS regions in host physical memory (the Actaeon approach):
 * every 4 KiB-aligned frame whose first dword is a known revision id is a
 * candidate; a candidate is kept when its fields hold plausible state
 * (abort indicator 0, link pointer ~0, CR0/CR4 fixed bits, a well-formed
 * EPTP, canonical host RIP/RSP, sane segment access rights).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "vmx_internal.h"

#define SCAN_STEP 4096u
#define KERNEL_HALF 0xffff800000000000ull
#define ADDR_BITS 0x000ffffffffff000ull
/* x86_64 Linux module mapping space (MODULES_VADDR..MODULES_END). */
#define MODULES_LO 0xffffffffa0000000ull
#define MODULES_HI 0xffffffffff000000ull

/* ---- host memory from a dump ------------------------------------------ */

static struct gc_error *dump_read(void *ctx, uint64_t paddr, void *buf,
				  size_t len)
{
	return gc_dump_read(ctx, GC_SPACE_PHYS, paddr, buf, len);
}

static struct gc_error *dump_runs(void *ctx, struct gc_frame_run **runs,
				  size_t *nr)
{
	return gc_dump_frame_runs(ctx, GC_SPACE_PHYS, runs, nr);
}

struct gc_error *gc_hostmem_dump(struct gc_dump *d, struct gc_hostmem *out)
{
	memset(out, 0, sizeof(*out));
	out->ctx = d;
	out->read = dump_read;
	out->runs = dump_runs;
	out->page_size = gc_dump_page_size(d);
	struct gc_frame_run *runs;
	size_t nr;
	struct gc_error *err = dump_runs(d, &runs, &nr);
	if (err)
		return err;
	if (nr) {
		uint64_t end = runs[nr - 1].start + runs[nr - 1].count;
		if (!gc_mul_ok(end, out->page_size, &out->max_paddr))
			out->max_paddr = UINT64_MAX;
	}
	free(runs);
	return NULL;
}

/* ---- validation --------------------------------------------------------- */

struct checker {
	const struct gc_vmcs_layout *l;
	const uint8_t *r;
	size_t len;
	bool hf;
	struct gc_strbuf ok;  /* checks passed */
	char *bad;            /* first failure */
};

static bool get(struct checker *c, uint32_t enc, uint64_t *v)
{
	*v = 0;
	return gc_vmcs_get(c->l, c->r, c->len, c->hf, enc, v);
}

static void fail(struct checker *c, char *msg)
{
	if (!c->bad)
		c->bad = msg;
	else
		free(msg);
}

static void passed(struct checker *c, const char *what)
{
	gc_strbuf_printf(&c->ok, "%s%s", c->ok.len ? ", " : "", what);
}

static const char *seg_name(unsigned int i)
{
	static const char *const n[] = { "ES", "CS", "SS", "DS", "FS", "GS",
					 "LDTR", "TR" };
	return i < 8 ? n[i] : "?";
}

static void check_segments(struct checker *c, bool pe)
{
	bool seen = false;
	for (unsigned int i = 0; i < 8 && !c->bad; i++) {
		uint64_t ar;
		if (!get(c, GC_VMCS_GUEST_ES_AR + 2 * i, &ar))
			continue;
		seen = true;
		bool unusable = ar & (1u << 16);
		if (ar & 0xfffe0f00ull) {
			fail(c, gc_asprintf("guest %s access rights 0x%" PRIx64
					    " have reserved bits set",
					    seg_name(i), ar));
			break;
		}
		if (i == 7 && unusable) {
			fail(c, gc_asprintf("guest TR is marked unusable "
					    "(0x%" PRIx64 ")", ar));
			break;
		}
		if (unusable)
			continue;
		unsigned int type = ar & 15;
		bool s = ar & 0x10, p = ar & 0x80;
		const char *why = NULL;
		if (!p)
			why = "not present";
		else if (i == 1 && pe && (!s || !(type & 8)))
			why = "not a code segment";
		else if (i == 6 && (s || type != 2))
			why = "not an LDT descriptor";
		else if (i == 7 && (s || (type != 11 && type != 3)))
			why = "not a busy TSS";
		else if (i < 6 && i != 1 && !s)
			why = "a system descriptor";
		if (why)
			fail(c, gc_asprintf("guest %s access rights 0x%" PRIx64
					    ": %s", seg_name(i), ar, why));
	}
	if (seen && !c->bad)
		passed(c, "segment access rights sane");
}

struct gc_error *gc_vmcs_check_region(const struct gc_vmcs_layout *l,
				      const uint8_t *region, size_t len,
				      uint64_t paddr, uint64_t max_paddr,
				      const struct gc_vmcs_scan_opts *opts,
				      struct gc_vmcs_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	hit->paddr = paddr;
	hit->layout = l;
	if (len < 8)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCS region",
				    "only %zu bytes", len);
	uint32_t rev = gc_get32(region, false);
	hit->revision = rev & 0x7fffffffu;
	hit->shadow = rev >> 31;
	struct checker c = { .l = l, .r = region, .len = len };
	gc_strbuf_init(&c.ok);
	gc_vmcs_detect_order(l, region, len, &c.hf, &hit->order_decided);
	hit->high_first = c.hf;

	struct gc_vmcs_state *st = &hit->st;
	get(&c, GC_VMCS_GUEST_RIP, &st->guest_rip);
	get(&c, GC_VMCS_GUEST_RSP, &st->guest_rsp);
	get(&c, GC_VMCS_GUEST_RFLAGS, &st->guest_rflags);
	get(&c, GC_VMCS_GUEST_CR0, &st->guest_cr0);
	get(&c, GC_VMCS_GUEST_CR3, &st->guest_cr3);
	get(&c, GC_VMCS_GUEST_CR4, &st->guest_cr4);
	get(&c, GC_VMCS_GUEST_EFER, &st->guest_efer);
	get(&c, GC_VMCS_GUEST_CS_SEL, &st->guest_cs_sel);
	get(&c, GC_VMCS_GUEST_CS_AR, &st->guest_cs_ar);
	get(&c, GC_VMCS_GUEST_FS_BASE, &st->guest_fs_base);
	get(&c, GC_VMCS_GUEST_GS_BASE, &st->guest_gs_base);
	get(&c, GC_VMCS_EPT_POINTER, &st->eptp);
	get(&c, GC_VMCS_VPID, &st->vpid);
	get(&c, GC_VMCS_HOST_CR0, &st->host_cr0);
	get(&c, GC_VMCS_HOST_CR3, &st->host_cr3);
	get(&c, GC_VMCS_HOST_CR4, &st->host_cr4);
	get(&c, GC_VMCS_HOST_RIP, &st->host_rip);
	get(&c, GC_VMCS_HOST_RSP, &st->host_rsp);
	bool has_link = get(&c, GC_VMCS_LINK_POINTER, &st->link);
	bool has_sec = get(&c, GC_VMCS_SECONDARY_EXEC, &st->secondary);
	uint64_t cpu_based = 0;
	bool has_cpu = get(&c, 0x4002, &cpu_based);
	if (has_cpu && !(cpu_based & (1ull << 31)))
		st->secondary = 0;  /* secondary controls not activated */
	hit->ept_enabled = has_sec && (st->secondary & 2);
	bool unrestricted = has_sec && (st->secondary & 0x80);
	uint64_t v;

	uint32_t abort_ind = gc_get32(region + 4, false);
	if (abort_ind)
		fail(&c, gc_asprintf("VMX-abort indicator is 0x%x, not 0",
				     abort_ind));
	else
		passed(&c, "abort 0");
	if (!has_link || st->link != UINT64_MAX)
		fail(&c, has_link ? gc_asprintf("VMCS link pointer 0x%" PRIx64
						" is not ~0", st->link) :
				    gc_asprintf("layout has no "
						"VMCS_LINK_POINTER"));
	else
		passed(&c, "link pointer ~0");
	if (get(&c, GC_VMCS_HOST_CR0, &v)) {
		if ((v & 0x80000021u) != 0x80000021u || v >> 32)
			fail(&c, gc_asprintf("host CR0 0x%" PRIx64 " lacks "
					     "PE|NE|PG or has bits above 31",
					     v));
		else
			passed(&c, "host CR0 fixed bits");
	}
	if (get(&c, GC_VMCS_HOST_CR4, &v)) {
		if (!(v & (1u << 13)) || !(v & (1u << 5)) || v >> 32)
			fail(&c, gc_asprintf("host CR4 0x%" PRIx64 " lacks "
					     "VMXE|PAE or has bits above 31",
					     v));
		else
			passed(&c, "host CR4 VMXE");
	}
	if (get(&c, GC_VMCS_GUEST_CR0, &v)) {
		bool pe = v & 1, pg = v & (1ull << 31);
		if (!(v & 0x20) || v >> 32 || (pg && !pe) ||
		    (!unrestricted && !(pe && pg)))
			fail(&c, gc_asprintf("guest CR0 0x%" PRIx64 " breaks "
					     "the VMX fixed bits (NE%s)", v,
					     unrestricted ? "" : ", PE, PG"));
		else
			passed(&c, "guest CR0 fixed bits");
	}
	if (get(&c, GC_VMCS_GUEST_CR4, &v)) {
		if (!(v & (1u << 13)) || v >> 32)
			fail(&c, gc_asprintf("guest CR4 0x%" PRIx64 " lacks "
					     "VMXE or has bits above 31", v));
		else
			passed(&c, "guest CR4 VMXE");
	}
	if (get(&c, GC_VMCS_GUEST_RFLAGS, &v)) {
		if (!(v & 2) || (v & ~0x3f7fd7ull))
			fail(&c, gc_asprintf("guest RFLAGS 0x%" PRIx64 " has "
					     "reserved bits wrong", v));
	}
	if (get(&c, GC_VMCS_GUEST_EFER, &v) && (v & ~0xfd01ull))
		fail(&c, gc_asprintf("guest EFER 0x%" PRIx64 " has reserved "
				     "bits set", v));
	if (hit->ept_enabled) {
		struct gc_eptp_info ei;
		struct gc_error *e = gc_eptp_decode(st->eptp, max_paddr, &ei);
		if (e) {
			fail(&c, strdup(gc_error_string(e)));
			gc_error_free(e);
		} else {
			char *m = gc_asprintf("EPTP %u-level %s", ei.levels,
					      gc_ept_memtype_name(ei.memtype));
			passed(&c, m ? m : "EPTP");
			free(m);
		}
	} else {
		passed(&c, "EPT off");
	}
	if (get(&c, GC_VMCS_HOST_CR3, &v)) {
		bool pcid = st->host_cr4 & (1u << 17);
		uint64_t a = v & ADDR_BITS;
		if (!a || (!pcid && (v & 0xfff)) || v >> 52 ||
		    (max_paddr && a >= max_paddr))
			fail(&c, gc_asprintf("host CR3 0x%" PRIx64 " is not a "
					     "page-aligned address in the "
					     "dump", v));
		else
			passed(&c, "host CR3 page-aligned");
	}
	if (get(&c, GC_VMCS_HOST_RIP, &v)) {
		bool text = opts && opts->text_end > opts->text_start;
		/* KVM's VM-exit entry point is in kvm_intel.ko unless KVM is
		 * built in: accept the module area above the kernel image. */
		uint64_t mod_lo = text ? GC_MAX(opts->text_end, MODULES_LO) :
					 MODULES_LO;
		bool in_text = text && v >= opts->text_start &&
			       v < opts->text_end;
		bool in_mod = v >= mod_lo && v < MODULES_HI;
		if (v < KERNEL_HALF)
			fail(&c, gc_asprintf("host RIP 0x%" PRIx64 " is not "
					     "a kernel address", v));
		else if (text && !in_text && !in_mod)
			fail(&c, gc_asprintf("host RIP 0x%" PRIx64 " is "
					     "outside the host kernel text "
					     "0x%" PRIx64 "-0x%" PRIx64 " and "
					     "the module area", v,
					     opts->text_start,
					     opts->text_end));
		else
			passed(&c, in_text ? "host RIP in kernel text" :
				   in_mod ? "host RIP in the module area" :
					    "host RIP kernel address");
	}
	if (get(&c, GC_VMCS_HOST_RSP, &v) && v < KERNEL_HALF)
		fail(&c, gc_asprintf("host RSP 0x%" PRIx64 " is not a kernel "
				     "address", v));
	uint64_t cr0 = 0;
	get(&c, GC_VMCS_GUEST_CR0, &cr0);
	check_segments(&c, cr0 & 1);
	passed(&c, hit->order_decided ?
			   (c.hf ? "chunk order high-first (verified)" :
				   "chunk order low-first (verified)") :
			   "chunk order as listed (not verifiable)");

	hit->valid = !c.bad;
	if (c.bad) {
		hit->reason = c.bad;
		gc_strbuf_free(&c.ok);
	} else {
		hit->reason = gc_strbuf_steal(&c.ok);
	}
	if (!hit->reason)
		return &gc_error_nomem;
	return NULL;
}

struct gc_error *gc_vmcs_check_db(const struct gc_vmcs_db *db,
				  const uint8_t *region, size_t len,
				  uint64_t paddr, uint64_t max_paddr,
				  const struct gc_vmcs_scan_opts *opts,
				  struct gc_vmcs_hit *hit)
{
	memset(hit, 0, sizeof(*hit));
	if (len < 4)
		return gc_error_new(GC_ERR_INVALID_ARG, "VMCS region",
				    "only %zu bytes", len);
	uint32_t rev = gc_get32(region, false) & 0x7fffffffu;
	struct gc_vmcs_hit first;
	bool have_first = false;
	const struct gc_vmcs_layout *l;
	for (size_t k = 0; (l = gc_vmcs_db_candidate(db, rev, k)); k++) {
		size_t rl = GC_MIN(len, (size_t)l->region_size);
		struct gc_vmcs_hit h;
		struct gc_error *err = gc_vmcs_check_region(l, region, rl,
							    paddr, max_paddr,
							    opts, &h);
		if (err) {
			if (have_first)
				free(first.reason);
			return err;
		}
		if (h.valid) {
			if (have_first)
				free(first.reason);
			*hit = h;
			return NULL;
		}
		if (have_first) {
			free(h.reason);
		} else {
			first = h;
			have_first = true;
		}
	}
	if (have_first)
		*hit = first;
	else
		hit->revision = rev;
	return NULL;
}

/* ---- the scan ------------------------------------------------------------ */

void gc_vmcs_scan_free(struct gc_vmcs_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_hits; i++)
		free(s->hits[i].reason);
	free(s->hits);
	memset(s, 0, sizeof(*s));
}

struct gc_error *gc_vmcs_scan(const struct gc_hostmem *mem,
			      const struct gc_vmcs_db *db,
			      const struct gc_vmcs_scan_opts *opts,
			      struct gc_vmcs_scan *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_frame_run *runs = NULL;
	size_t nr = 0, cap = 0;
	uint8_t *region = malloc(0x10000);
	if (!region)
		return &gc_error_nomem;
	struct gc_error *err = mem->runs(mem->ctx, &runs, &nr);
	uint64_t ps = mem->page_size ? mem->page_size : 4096;
	for (size_t i = 0; i < nr && !err; i++) {
		uint64_t start, end;
		if (!gc_mul_ok(runs[i].start, ps, &start) ||
		    !gc_mul_ok(runs[i].start + runs[i].count, ps, &end))
			break;
		start = (start + SCAN_STEP - 1) & ~(uint64_t)(SCAN_STEP - 1);
		for (uint64_t a = start; a < end && !err; a += SCAN_STEP) {
			out->frames_scanned++;
			uint8_t head[4];
			struct gc_error *e = mem->read(mem->ctx, a, head, 4);
			if (e) {
				gc_error_free(e);
				out->read_errors++;
				continue;
			}
			uint32_t rev = gc_get32(head, false);
			if (!rev)
				continue;
			const struct gc_vmcs_layout *l =
				gc_vmcs_db_find(db, rev & 0x7fffffffu);
			if (!l)
				continue;
			out->candidates++;
			size_t rs = 8;
			const struct gc_vmcs_layout *cl;
			for (size_t k = 0; (cl = gc_vmcs_db_candidate(
					db, rev, k)); k++)
				rs = GC_MAX(rs, (size_t)cl->region_size);
			rs = GC_MIN(rs, 0x10000u);
			if (end - a < rs)
				rs = (size_t)(end - a);
			e = mem->read(mem->ctx, a, region, rs);
			if (e) {
				gc_error_free(e);
				out->read_errors++;
				continue;
			}
			struct gc_vmcs_hit hit;
			err = gc_vmcs_check_db(db, region, rs, a,
					       mem->max_paddr, opts, &hit);
			if (err)
				break;
			if (!hit.valid && !(opts && opts->keep_rejected)) {
				free(hit.reason);
				continue;
			}
			if (out->nr_hits == cap) {
				size_t nc = cap ? cap * 2 : 16;
				struct gc_vmcs_hit *nh = realloc(
					out->hits, nc * sizeof(*nh));
				if (!nh) {
					free(hit.reason);
					err = &gc_error_nomem;
					break;
				}
				out->hits = nh;
				cap = nc;
			}
			out->hits[out->nr_hits++] = hit;
		}
	}
	free(runs);
	free(region);
	if (err)
		gc_vmcs_scan_free(out);
	return err;
}

static bool vi_symbol(const char *text, size_t len, const char *key,
		      uint64_t *out)
{
	size_t kl = strlen(key);
	for (size_t pos = 0; pos < len;) {
		const char *s = text + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		pos += n + 1;
		if (n <= kl || memcmp(s, key, kl))
			continue;
		uint64_t v = 0;
		size_t k = kl, digits = 0;
		for (; k < n && digits <= 16; k++, digits++) {
			char ch = s[k];
			int h = ch >= '0' && ch <= '9' ? ch - '0' :
				ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
				ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
			if (h < 0)
				break;
			v = v << 4 | (uint64_t)h;
		}
		if (!digits || digits > 16 || (k < n && s[k] != '\r'))
			return false;
		*out = v;
		return true;
	}
	return false;
}

bool gc_vmcs_text_range(const char *text, size_t len, uint64_t *start,
			uint64_t *end)
{
	uint64_t s, e;
	if (!vi_symbol(text, len, "SYMBOL(_stext)=", &s) ||
	    !vi_symbol(text, len, "SYMBOL(_etext)=", &e) || e <= s)
		return false;
	*start = s;
	*end = e;
	return true;
}
