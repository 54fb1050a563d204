// SPDX-License-Identifier: MIT
/*
 * gc_convert: any opened dump -> ELF vmcore or kdump-compressed file in
 * pfn space.  Builds the page source (the dump's PHYS runs, with the Xen
 * PV page-table overlay applied), the notes (NT_PRSTATUS + QEMU per vCPU,
 * VMCOREINFO, notes of the source worth keeping, our GUESTCORE
 * provenance note), writes to a temporary file next to the output and
 * renames it into place.  gc_convert_verify re-opens the output and
 * compares every page.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch/arch.h"
#include "dump_internal.h"
#include "guestcore/guestcore.h"
#include "guestcore/writer.h"
#include "util/vec.h"
#include "writers/writer_internal.h"

bool gc_out_codec_parse(const char *name, enum gc_out_codec *out)
{
	static const struct {
		const char *name;
		enum gc_out_codec codec;
	} tab[] = {
		{ "none", GC_OUT_CODEC_NONE }, { "zlib", GC_OUT_CODEC_ZLIB },
		{ "lzo", GC_OUT_CODEC_LZO }, { "snappy", GC_OUT_CODEC_SNAPPY },
		{ "zstd", GC_OUT_CODEC_ZSTD },
	};
	for (size_t i = 0; i < GC_ARRAY_SIZE(tab); i++)
		if (name && !strcmp(name, tab[i].name)) {
			*out = tab[i].codec;
			return true;
		}
	return false;
}

const char *gc_out_codec_name(enum gc_out_codec codec)
{
	switch (codec) {
	case GC_OUT_CODEC_NONE: return "none";
	case GC_OUT_CODEC_ZLIB: return "zlib";
	case GC_OUT_CODEC_LZO: return "lzo";
	case GC_OUT_CODEC_SNAPPY: return "snappy";
	case GC_OUT_CODEC_ZSTD: return "zstd";
	}
	return "?";
}

/* Value of KEY= in VMCOREINFO text, copied into BUF; false if absent. */
static bool vmci_get(const char *text, size_t len, const char *key,
		     char *buf, size_t cap)
{
	size_t kl = strlen(key);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if ((size_t)(le - p) > kl && !memcmp(p, key, kl) &&
		    p[kl] == '=') {
			size_t vl = (size_t)(le - p) - kl - 1;
			if (vl >= cap)
				return false;
			memcpy(buf, p + kl + 1, vl);
			buf[vl] = '\0';
			return true;
		}
		p = le + 1;
	}
	return false;
}

/* KEY's value as a number in BASE (16: unsigned hex, 10: signed). */
static bool vmci_num(const char *text, size_t len, const char *key, int base,
		     uint64_t *out)
{
	char buf[64], *e;
	if (!vmci_get(text, len, key, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*out = base == 16 ? strtoull(buf, &e, 16)
			  : (uint64_t)strtoll(buf, &e, 10);
	return !errno && !*e;
}

static bool vmci_hex(const char *text, size_t len, const char *key,
		     uint64_t *out)
{
	return vmci_num(text, len, key, 16, out);
}

static bool vmci_dec(const char *text, size_t len, const char *key,
		     int64_t *out)
{
	uint64_t v;
	if (!vmci_num(text, len, key, 10, &v))
		return false;
	*out = (int64_t)v;
	return true;
}

#define START_KERNEL_MAP 0xffffffff80000000ull

bool gc_convert_kernel_from_vmcoreinfo(struct gc_convert_kernel *k,
				       const char *text, size_t len)
{
	if (!text || !len)
		return false;
	bool set = false;
	int64_t pb;
	if (!k->has_phys_base && vmci_dec(text, len, "NUMBER(phys_base)",
					  &pb)) {
		k->has_phys_base = true;
		k->phys_base = pb;
		set = true;
	}
	uint64_t stext;
	if (!k->has_text && k->has_phys_base &&
	    vmci_hex(text, len, "SYMBOL(_stext)", &stext) &&
	    stext >= START_KERNEL_MAP) {
		/* _text is 2 MiB aligned (CONFIG_PHYSICAL_ALIGN). */
		uint64_t vaddr = stext & ~0x1fffffull;
		int64_t isize;
		uint64_t size = 512ull << 20;
		/* x86_64's KERNEL_IMAGE_SIZE is 512 MiB, or 1 GiB with
		 * KASLR: a larger value is not a kernel's */
		if (vmci_dec(text, len, "NUMBER(KERNEL_IMAGE_SIZE)", &isize) &&
		    isize > 0 && isize <= (1ll << 30))
			size = (uint64_t)isize;
		uint64_t used = vaddr - START_KERNEL_MAP;
		if (used < size) {
			k->has_text = true;
			k->text_vaddr = vaddr;
			k->text_paddr = used + (uint64_t)k->phys_base;
			k->text_size = size - used;
			set = true;
		}
	}
	return set;
}

/* ---- the page source over a dump ------------------------------------- */

struct dump_src {
	struct gc_dump *d;
	const struct gc_pt_overlay *ov;
	uint32_t page_size;
	const volatile sig_atomic_t *cancel;
	enum gc_missing_policy missing;
	uint64_t *undecodable;      /* counts them (may be NULL) */
};

/* A page the source lists but cannot decode: its data are corrupt or
 * past the end of the file.  (Not a frame the source marks excluded or
 * absent.) */
static bool undecodable(const struct gc_error *err)
{
	enum gc_error_code c = gc_error_code(err);
	return c == GC_ERR_TRUNCATED || c == GC_ERR_CORRUPT ||
	       c == GC_ERR_FORMAT;
}

static struct gc_error *dump_read(void *arg, uint64_t pfn, void *buf,
				  enum gc_page_state *state)
{
	struct dump_src *s = arg;
	if (s->cancel && *s->cancel)
		return gc_error_new(GC_ERR_CANCELLED, "convert",
				    "interrupted at pfn 0x%" PRIx64
				    "; the partial output was removed", pfn);
	const uint8_t *ov = gc_pt_overlay_get(s->ov, pfn);
	if (ov) {
		memcpy(buf, ov, s->page_size);
		*state = GC_PAGE_PRESENT;
		return NULL;
	}
	struct gc_error *err = gc_dump_read(s->d, GC_SPACE_PHYS,
					    pfn * s->page_size, buf,
					    s->page_size);
	*state = GC_PAGE_PRESENT;
	if (err && gc_error_code(err) == GC_ERR_NOT_PRESENT) {
		/* listed, but its data lie past the end of a truncated
		 * file: undecodable, not absent */
		struct gc_page_loc loc;
		struct gc_error *e2 = s->d->ops->locate(s->d, GC_SPACE_PHYS,
							pfn, &loc);
		if (!e2 && loc.state == GC_PAGE_TRUNCATED) {
			gc_error_free(err);
			uint64_t fsize = gc_stream_size(s->d->stream);
			err = loc.size ?
				gc_error_at(GC_ERR_TRUNCATED, loc.offset, "page",
					    "pfn 0x%" PRIx64 ": its %u bytes of "
					    "data lie past the end of the "
					    "truncated file (%" PRIu64 " bytes)",
					    pfn, loc.size, fsize) :
				gc_error_at(GC_ERR_TRUNCATED, fsize, "page",
					    "pfn 0x%" PRIx64 ": its page "
					    "descriptor lies past the end of the "
					    "truncated file (%" PRIu64 " bytes)",
					    pfn, fsize);
			err = gc_error_set_file(err, gc_dump_path(s->d));
		}
		gc_error_free(e2);
	}
	if (err && (gc_error_code(err) == GC_ERR_NOT_PRESENT ||
		    gc_error_code(err) == GC_ERR_EXCLUDED)) {
		*state = gc_error_code(err) == GC_ERR_EXCLUDED ? GC_PAGE_EXCLUDED :
							GC_PAGE_ABSENT;
		gc_error_free(err);
		memset(buf, 0, s->page_size);
		return NULL;
	}
	if (err && undecodable(err)) {
		if (!gc_error_file(err))
			err = gc_error_set_file(err, gc_dump_path(s->d));
		if (s->missing == GC_MISSING_REFUSE)
			return gc_error_context(
				err, "pfn 0x%" PRIx64 " (physical 0x%" PRIx64
				") cannot be decoded; convert refuses "
				"(--missing zero writes such pages as zeroes, "
				"--missing skip leaves them out)", pfn,
				pfn * s->page_size);
		gc_error_free(err);
		memset(buf, 0, s->page_size);
		if (s->undecodable)
			(*s->undecodable)++;
		/* zero: a page of zeroes, counted; skip: left out */
		*state = s->missing == GC_MISSING_ZERO ? GC_PAGE_PRESENT :
							 GC_PAGE_TRUNCATED;
		return NULL;
	}
	return err;
}

/* Frames stored raw and back to back in one file, not rewritten by the
 * overlay: the ELF writer copies them file to file.  Spans stop at 8192
 * frames so that progress and cancellation stay responsive. */
static uint64_t dump_raw_span(void *arg, uint64_t pfn, uint64_t max, int *fd,
			      const char **path, uint64_t *off)
{
	struct dump_src *s = arg;
	struct gc_dump *d = s->d;
	if (s->cancel && *s->cancel)
		return 0;  /* dump_read reports it */
	max = GC_MIN(max, 8192);
	struct gc_file *file = NULL;
	uint64_t n = 0, start = 0;
	for (; n < max; n++) {
		struct gc_page_loc loc;
		if (gc_pt_overlay_get(s->ov, pfn + n))
			break;
		struct gc_error *e = d->ops->locate(d, GC_SPACE_PHYS, pfn + n,
						    &loc);
		if (e) {
			gc_error_free(e);
			break;
		}
		/* where the page's bytes are in a file: a flattened
		 * record or a split part is as good as a plain file */
		struct gc_file *f;
		uint64_t foff;
		if (loc.state != GC_PAGE_PRESENT || loc.codec != GC_CODEC_RAW ||
		    loc.size != s->page_size ||
		    !gc_stream_extent(loc.stream ? loc.stream : d->stream,
				      loc.offset, s->page_size, &f, &foff))
			break;
		if (!n) {
			file = f;
			start = foff;
		} else if (f != file || foff != start + n * s->page_size) {
			break;
		}
	}
	if (n) {
		*fd = file->fd;
		*path = file->path;
		*off = start;
	}
	return n;
}

/* Frames whose whole page lies in one file at increasing offsets with
 * small gaps (a migration stream's record headers), not rewritten by the
 * overlay: the ELF writer gathers them with one preadv. */
static uint64_t dump_raw_gather(void *arg, uint64_t pfn, uint64_t max,
				int *fd, const char **path, uint64_t *offs)
{
	struct dump_src *s = arg;
	struct gc_dump *d = s->d;
	if (s->cancel && *s->cancel)
		return 0;
	struct gc_file *file = NULL;
	uint64_t n = 0;
	for (; n < max; n++) {
		struct gc_page_loc loc;
		if (gc_pt_overlay_get(s->ov, pfn + n))
			break;
		struct gc_error *e = d->ops->locate(d, GC_SPACE_PHYS, pfn + n,
						    &loc);
		if (e) {
			gc_error_free(e);
			break;
		}
		struct gc_file *f;
		uint64_t foff;
		if (loc.state != GC_PAGE_PRESENT || loc.codec != GC_CODEC_RAW ||
		    loc.size != s->page_size ||
		    !gc_stream_extent(loc.stream ? loc.stream : d->stream,
				      loc.offset, s->page_size, &f, &foff))
			break;
		if (n && (f != file || foff < offs[n - 1] + s->page_size ||
			  foff - (offs[n - 1] + s->page_size) >=
				  GC_GATHER_MAX_GAP))
			break;
		file = f;
		offs[n] = foff;
	}
	if (n) {
		*fd = file->fd;
		*path = file->path;
	}
	return n;
}

static bool is_xen_pv(struct gc_dump *d)
{
	return gc_dump_has_space(d, GC_SPACE_MACH);
}

/* Notes of the source that the output regenerates or must not carry. */
static bool note_regenerated(const struct gc_note *n)
{
	if (!strcmp(n->name, "CORE") && n->type == 1)
		return true;
	if (!strcmp(n->name, "QEMU") || !strcmp(n->name, "VMCOREINFO") ||
	    !strcmp(n->name, GC_NOTE_GUESTCORE_NAME) ||
	    !strcmp(n->name, "ERASEINFO"))
		return true;
	/* xc_core's own .note.Xen (DUMPCORE_*) describes the old file. */
	if (!strcmp(n->name, "Xen") && n->type >= 0x2000000 &&
	    n->type <= 0x2000003)
		return true;
	return false;
}

struct build {
	struct gc_wbuf notes;
	size_t notes_patch;     /* see gc_wsource.notes_patch */
	size_t notes_patch_zeroed;
	char *vmcoreinfo;       /* owned copy, NUL-terminated */
	size_t vmcoreinfo_len;
	char release[65];
	uint64_t timestamp;
	unsigned int nr_vcpus;
};

/* "vcpuI_unknown_registers=..." for the provenance note: the registers a
 * reader of V's notes (PR, and Q when written) would take as known but V
 * does not have, written there as 0.  Found by reading the notes back,
 * so that it holds for every architecture's note layout; guestcore
 * reading the file leaves them out (gc_arch_decode_cpu). */
static void unknown_regs_line(const struct gc_arch_ops *a,
			      const struct gc_vcpu *v, const uint8_t *pr,
			      const uint8_t *q, unsigned int i,
			      struct gc_strbuf *sb)
{
	struct gc_cpu_state st;
	memset(&st, 0, sizeof(st));
	st.e_machine = a->e_machine;
	st.prstatus = pr;
	st.prstatus_len = a->prstatus_size;
	st.qemu = q;
	st.qemu_len = q ? a->qemu_note_size : 0;
	struct gc_vcpu back;
	memset(&back, 0, sizeof(back));
	struct gc_error *err = gc_arch_decode_cpu(&st, &back);
	if (err) {
		gc_error_free(err);
		return;
	}
	bool first = true;
	for (unsigned int n = 0; n < a->nr_regs && n < GC_VCPU_MAX_REGS;
	     n++) {
		uint64_t x;
		if (!gc_vcpu_get_reg(&back, n, &x) || gc_vcpu_get_reg(v, n, &x))
			continue;
		if (first)
			gc_strbuf_printf(sb, "vcpu%u_unknown_registers=", i);
		gc_strbuf_printf(sb, "%s%s", first ? "" : ",",
				 a->regs[n].name);
		first = false;
	}
	if (!first)
		gc_strbuf_printf(sb, "\n");
}

static struct gc_error *build_notes(struct gc_dump *d,
				    const struct gc_convert_opts *opts,
				    const struct gc_convert_stats *st,
				    struct build *b)
{
	bool pv = is_xen_pv(d);
	unsigned int n = gc_dump_nr_vcpus(d);
	struct gc_strbuf unknown;
	gc_strbuf_init(&unknown);
	for (unsigned int i = 0; i < n; i++) {
		struct gc_vcpu v;
		struct gc_error *err = gc_dump_vcpu(d, i, &v);
		if (err) {
			gc_strbuf_free(&unknown);
			return gc_error_context(err, "reading vcpu %u", i);
		}
		const struct gc_arch_ops *a = gc_arch_get(v.arch);
		uint8_t pr[GC_ARCH_NOTE_MAX], q[GC_ARCH_NOTE_MAX];
		if (!a || a->prstatus_size > sizeof(pr) ||
		    a->qemu_note_size > sizeof(q)) {
			gc_strbuf_free(&unknown);
			return gc_error_new(GC_ERR_UNSUPPORTED, "vcpu notes",
					    "vcpu %u: cannot write %s "
					    "registers", i,
					    gc_arch_name(v.arch));
		}
		if (i < opts->kernel.nr_cpu_pids &&
		    opts->kernel.cpu_pids[i] != GC_CONVERT_PID_UNKNOWN) {
			v.pid = opts->kernel.cpu_pids[i];
			v.has_pid = true;
		}
		a->prstatus_write(&v, pr);
		gc_wbuf_note(&b->notes, "CORE", 1, pr, a->prstatus_size);
		uint64_t cr3 = v.regs[a->reg_pgd];
		if (pv && v.pgd_space == GC_SPACE_MACH) {
			uint64_t pfn;
			err = gc_dump_mfn_to_pfn(d, v.pgd_addr >> 12, &pfn);
			if (err) {
				gc_error_free(err);
				cr3 = 0;
			} else {
				cr3 = pfn << 12;
			}
		}
		bool wrote_q = a->qemu_note_write &&
			       a->qemu_note_write(&v, cr3, q);
		if (wrote_q)
			gc_wbuf_note(&b->notes, "QEMU", 0, q,
				     a->qemu_note_size);
		unknown_regs_line(a, &v, pr, wrote_q ? q : NULL, i, &unknown);
		b->nr_vcpus++;
	}
	/* VMCOREINFO */
	const char *vi = opts->kernel.vmcoreinfo;
	size_t vlen = opts->kernel.vmcoreinfo_len;
	if (!vi) {
		size_t l;
		uint64_t off;
		struct gc_error *err = gc_dump_vmcoreinfo(d, &vi, &l, &off);
		if (err) {
			gc_error_free(err);
			vi = NULL;
		} else {
			vlen = l;
		}
	}
	if (vi && vlen) {
		while (vlen && vi[vlen - 1] == '\0')
			vlen--;
		b->vmcoreinfo = malloc(vlen + 1);
		if (!b->vmcoreinfo) {
			gc_strbuf_free(&unknown);
			return &gc_error_nomem;
		}
		memcpy(b->vmcoreinfo, vi, vlen);
		b->vmcoreinfo[vlen] = '\0';
		b->vmcoreinfo_len = vlen;
		gc_wbuf_note(&b->notes, "VMCOREINFO", 0, b->vmcoreinfo, vlen);
		vmci_get(vi, vlen, "OSRELEASE", b->release,
			 sizeof(b->release));
		int64_t t;
		if (vmci_dec(vi, vlen, "CRASHTIME", &t) && t > 0)
			b->timestamp = (uint64_t)t;
	}
	/* What makedumpfile --config erased ('X' bytes in the pages, which
	 * are copied as they are): an ERASEINFO note in an ELF output, as
	 * makedumpfile -E writes it; the kdump writer puts it in the
	 * eraseinfo section.  From either kind of source. */
	if (d->eraseinfo && d->eraseinfo_len && opts->format == GC_OUT_ELF)
		gc_wbuf_note(&b->notes, "ERASEINFO", 0, d->eraseinfo,
			     strnlen(d->eraseinfo, d->eraseinfo_len));
	/* Other notes of the source, verbatim. */
	for (size_t i = 0; i < gc_dump_nr_notes(d); i++) {
		const struct gc_note *nt = gc_dump_note(d, i);
		if (!nt || note_regenerated(nt))
			continue;
		gc_wbuf_note(&b->notes, nt->name, nt->type, nt->desc,
			     (size_t)nt->size);
	}
	/* Provenance */
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	gc_strbuf_printf(&sb, "producer=guestcore %s\n", GUESTCORE_VERSION);
	gc_strbuf_printf(&sb, "source_format=%s\n",
			 gc_format_name(gc_dump_format(d)));
	const struct gc_field *f = gc_dump_field_by_name(d, "xen_version");
	if (f && f->value)
		gc_strbuf_printf(&sb, "xen_version=%s\n", f->value);
	f = gc_dump_field_by_name(d, "guest_type");
	if (f && f->value)
		gc_strbuf_printf(&sb, "guest_type=%s\n", f->value);
	/* Guest views (an EPT-mapped KVM guest, a QEMU process's guest)
	 * describe where they came from in a "provenance" field of
	 * "key=value" lines. */
	f = gc_dump_field_by_name(d, "provenance");
	if (f && f->value) {
		size_t l = strlen(f->value);
		gc_strbuf_printf(&sb, "%s%s", f->value,
				 l && f->value[l - 1] == '\n' ? "" : "\n");
	}
	gc_strbuf_printf(&sb, "address_space=pfn\n");
	/* registers written as 0 because the source did not know them */
	if (unknown.len)
		gc_strbuf_append(&sb, unknown.buf, unknown.len);
	if (unknown.failed)
		sb.failed = true;
	gc_strbuf_free(&unknown);
	if (pv) {
		gc_strbuf_printf(&sb,
				 "changed=page-table entries rewritten "
				 "mfn->pfn in %" PRIu64 " pages (%" PRIu64
				 " entries); %" PRIu64 " entries made "
				 "non-present (mfn not in the dump); %" PRIu64
				 " hypervisor-hole L4 entries cleared\n",
				 st->pt_pages, st->pt_entries, st->pt_dropped,
				 st->pt_hole);
		gc_strbuf_printf(&sb,
				 "changed=QEMU note cr3 = pfn of the "
				 "vCPU's top-level table\n");
		gc_strbuf_printf(&sb,
				 "unchanged=machine frames remain in: p2m "
				 "list, GDT frames, start_info, "
				 "shared_info, grant tables, page tables "
				 "not reached from a root\n");
	} else {
		gc_strbuf_printf(&sb, "changed=none (pages copied)\n");
	}
	for (size_t i = 0; i < opts->kernel.nr_patches; i++) {
		const struct gc_convert_patch *p = &opts->kernel.patches[i];
		gc_strbuf_printf(&sb, "changed=%u bytes at physical 0x%" PRIx64
				 ": %s\n", p->len, p->paddr,
				 p->what ? p->what : "patched");
	}
	if (d->eraseinfo && d->eraseinfo_len)
		gc_strbuf_printf(&sb, "eraseinfo=carried over (%zu bytes): "
				 "the data makedumpfile --config poisoned with "
				 "'X' stays so\n",
				 strnlen(d->eraseinfo, d->eraseinfo_len));
	if (opts->exclude_zero)
		gc_strbuf_printf(&sb, "%s",
				 opts->format == GC_OUT_ELF ?
				 "zero_pages=runs of 256 or more left out of "
				 "PT_LOAD file data (p_memsz tails read as "
				 "zeroes)\nelf_memsz_tail=zero\n" :
				 "zero_pages=one shared zero-page "
				 "descriptor\n");
	size_t count_at = SIZE_MAX;
	if (opts->missing != GC_MISSING_REFUSE) {
		gc_strbuf_printf(&sb, "undecodable_pages=");
		count_at = sb.len;
		gc_strbuf_printf(&sb, "%*s %s\n", GC_NOTE_COUNT_WIDTH, "",
				 opts->missing == GC_MISSING_ZERO ?
				 "(--missing zero: written as zeroes)" :
				 "(--missing skip: left out, read as "
				 "missing)");
	}
	/* ELF: frames the source cannot give, in runs shorter than 256
	 * between stored pages, are zero pages (as makedumpfile -E); the
	 * count is filled in once known.  Longer runs are left out. */
	size_t zeroed_at = SIZE_MAX;
	if (opts->format == GC_OUT_ELF) {
		gc_strbuf_printf(&sb, "missing_pages_zeroed=");
		zeroed_at = sb.len;
		gc_strbuf_printf(&sb, "%*s (excluded or absent in the source, "
				 "in runs shorter than 256 pages between "
				 "stored ones: written as zeroes, as "
				 "makedumpfile -E does; longer runs are left "
				 "out of the PT_LOADs)\n",
				 GC_NOTE_COUNT_WIDTH, "");
	}
	char *text = gc_strbuf_steal(&sb);
	if (!text)
		return &gc_error_nomem;
	size_t at = (b->notes.len + 3) & ~(size_t)3;
	at += 12 + ((sizeof(GC_NOTE_GUESTCORE_NAME) + 3) & ~(size_t)3);
	b->notes_patch = count_at == SIZE_MAX ? SIZE_MAX : at + count_at;
	b->notes_patch_zeroed = zeroed_at == SIZE_MAX ? SIZE_MAX :
							at + zeroed_at;
	gc_wbuf_note(&b->notes, GC_NOTE_GUESTCORE_NAME,
		     GC_NOTE_GUESTCORE_PROVENANCE, text, strlen(text));
	free(text);
	if (b->notes.failed)
		return &gc_error_nomem;
	return NULL;
}

/* ---- atomic output ------------------------------------------------------ */


/* Append [START, START+COUNT) to the runs, joining the last one when it
 * ends where this starts. */
static struct gc_error *add_run(struct gc_frame_run **out, size_t *n,
				size_t *cap, uint64_t start, uint64_t count)
{
	if (*n && (*out)[*n - 1].start + (*out)[*n - 1].count == start) {
		(*out)[*n - 1].count += count;
		return NULL;
	}
	struct gc_frame_run r = { .start = start, .count = count };
	return gc_vec_push(out, n, cap, &r) ? NULL : &gc_error_nomem;
}

/*
 * Frame runs list the frames with data.  Frames a dump says existed but
 * were filtered out (kdump bitmap 1 without bitmap 2) sit in the gaps;
 * add them so that they stay "excluded" in a kdump output and read as
 * zeroes in an ELF one (as with makedumpfile -E).  Probing a frame's
 * state is O(1), so the cost is one probe per frame up to the highest.
 */
static struct gc_error *add_excluded(struct gc_dump *d,
				     struct gc_frame_run **runs, size_t *nr)
{
	/* Only kdump-compressed dumps mark frames excluded, and their
	 * bitmaps bound the highest frame by the file's own size; other
	 * formats are not probed.  A guest (guests/) is never a kdump dump
	 * whatever its host is: its view has format GC_FORMAT_GUEST and
	 * lists only frames with data, which may sit near 2^48 (probing the
	 * holes below them was the hang of issue #12). */
	enum gc_format fmt = gc_dump_format(d);
	if (!*nr || (fmt != GC_FORMAT_KDUMP && fmt != GC_FORMAT_KDUMP_FLAT))
		return NULL;
	struct gc_frame_run *in = *runs;
	struct gc_frame_run *out = NULL;
	size_t cap = 0, n = 0;
	if (!gc_vec_reserve(&out, &cap, *nr + 16))
		return &gc_error_nomem;
	struct gc_error *err = NULL;
	uint64_t pos = 0;
	for (size_t i = 0; i <= *nr && !err; i++) {
		uint64_t gap_end = i < *nr ? in[i].start : pos;
		for (uint64_t f = pos; f < gap_end && !err; f++) {
			enum gc_page_state st;
			err = gc_dump_page_state(d, GC_SPACE_PHYS, f, &st);
			if (!err && st == GC_PAGE_EXCLUDED)
				err = add_run(&out, &n, &cap, f, 1);
		}
		if (err || i == *nr)
			break;
		err = add_run(&out, &n, &cap, in[i].start, in[i].count);
		pos = in[i].start + in[i].count;
	}
	if (err) {
		free(out);
		return err;
	}
	free(in);
	*runs = out;
	*nr = n;
	return NULL;
}

static struct gc_error *make_source(struct gc_dump *in,
				    const struct gc_convert_opts *opts,
				    struct gc_convert_stats *st,
				    struct gc_pt_overlay **ov,
				    struct gc_frame_run **runs, size_t *nr)
{
	*ov = NULL;
	struct gc_error *err = gc_dump_frame_runs(in, GC_SPACE_PHYS, runs, nr);
	if (err)
		return gc_error_context(err, "listing guest-physical frames");
	err = add_excluded(in, runs, nr);
	if (err)
		return gc_error_context(err, "listing excluded frames");
	st->pages_total = 0;
	for (size_t i = 0; i < *nr; i++)
		st->pages_total += (*runs)[i].count;
	if (is_xen_pv(in)) {
		st->xen_pv = true;
		err = gc_xen_pt_rewrite(in, &opts->kernel, ov, st);
		if (err)
			return gc_error_context(err, "rewriting Xen PV page "
						     "tables mfn->pfn");
	}
	for (size_t i = 0; i < opts->kernel.nr_patches; i++) {
		const struct gc_convert_patch *p = &opts->kernel.patches[i];
		if (p->len > sizeof(p->bytes))
			return gc_error_new(GC_ERR_INVALID_ARG, "patch",
					    "%u bytes (at most 16)", p->len);
		err = gc_pt_overlay_patch(ov, in, p->paddr, p->bytes, p->len);
		if (err)
			return err;
	}
	return NULL;
}

static unsigned int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return (unsigned int)GC_MIN(n, 8);
}

struct gc_error *gc_convert(struct gc_dump *in, const char *out_path,
			    const struct gc_convert_opts *opts_in,
			    struct gc_convert_stats *stats)
{
	struct gc_convert_stats local;
	struct gc_convert_stats *st = stats ? stats : &local;
	memset(st, 0, sizeof(*st));
	struct gc_convert_opts opts = *opts_in;
	if (!opts.threads)
		opts.threads = default_threads();
	if (opts.format != GC_OUT_ELF && opts.format != GC_OUT_KDUMP)
		return gc_error_new(GC_ERR_INVALID_ARG, "output format",
				    "unknown format %d", (int)opts.format);
	if (opts.missing != GC_MISSING_REFUSE &&
	    opts.missing != GC_MISSING_ZERO && opts.missing != GC_MISSING_SKIP)
		return gc_error_new(GC_ERR_INVALID_ARG, "--missing",
				    "unknown policy %d", (int)opts.missing);
	/* "-": standard output, only as a flattened stream (no seeks). */
	bool to_stdout = !strcmp(out_path, "-");
	if (to_stdout && !opts.flatten)
		return gc_error_new(GC_ERR_INVALID_ARG, "output",
				    "standard output needs the flattened form "
				    "(--flatten): the plain formats are written "
				    "with seeks");
	if (!to_stdout) {
		struct gc_error *oerr = gc_outfile_check(out_path, opts.force,
							 gc_dump_path(in));
		if (oerr)
			return oerr;
	}
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	struct gc_pt_overlay *ov = NULL;
	struct build b;
	memset(&b, 0, sizeof(b));
	char *tmp = NULL;
	int fd = -1;
	struct gc_error *err = make_source(in, &opts, st, &ov, &runs, &nr);
	if (!err)
		err = build_notes(in, &opts, st, &b);
	if (!err) {
		st->nr_vcpus = b.nr_vcpus;
		st->has_vmcoreinfo = b.vmcoreinfo_len > 0;
		if (to_stdout)
			fd = STDOUT_FILENO;
		else
			err = gc_outfile_create(out_path, &fd, &tmp);
	}
	if (!err) {
		struct gc_convert_kernel k = opts.kernel;
		if (!k.has_phys_base || !k.has_text)
			gc_convert_kernel_from_vmcoreinfo(&k, b.vmcoreinfo,
							  b.vmcoreinfo_len);
		struct dump_src ds = { .d = in, .ov = ov,
				       .page_size = gc_dump_page_size(in),
				       .cancel = opts.cancel,
				       .missing = opts.missing,
				       .undecodable = &st->pages_undecodable };
		struct gc_wsource src = {
			.page_size = ds.page_size,
			.runs = runs,
			.nr_runs = nr,
			.read = dump_read,
			.raw_span = dump_raw_span,
			.raw_gather = dump_raw_gather,
			.arg = &ds,
			.notes = b.notes.data,
			.notes_rw = b.notes.data,
			.notes_patch = b.notes_patch,
			.notes_patch_zeroed = b.notes_patch_zeroed,
			.notes_len = b.notes.len,
			.vmcoreinfo = b.vmcoreinfo,
			.vmcoreinfo_len = b.vmcoreinfo_len,
			.eraseinfo = in->eraseinfo,
			.eraseinfo_len = in->eraseinfo ?
				strnlen(in->eraseinfo, in->eraseinfo_len) : 0,
			.nr_vcpus = b.nr_vcpus,
			.kernel = &k,
			.release = k.uts_release ? k.uts_release :
				   b.release[0] ? b.release : NULL,
			.version = k.uts_version,
			.nodename = k.uts_nodename,
			.timestamp = b.timestamp,
			.arch = gc_arch_of_dump(in),
		};
		err = opts.format == GC_OUT_ELF ?
			      gc_write_elf(&src, fd, to_stdout ? "(standard "
					   "output)" : tmp, &opts, st) :
			      gc_write_kdump(&src, fd, to_stdout ? "(standard "
					     "output)" : tmp, &opts, st);
	}
	if (to_stdout) {
		if (err)
			err = gc_error_context(err, "the stream on standard "
					       "output is incomplete");
		fd = -1;
	}
	if (fd >= 0 && close(fd) && !err)
		err = gc_error_set_file(gc_error_new(GC_ERR_IO, "output",
						     "close failed: %s",
						     strerror(errno)),
					tmp);
	if (!err && tmp)
		err = gc_outfile_place(tmp, out_path, opts.force);
	if (err && tmp) {
		unlink(tmp);
		/* Write errors name the temporary file; say which output. */
		const char *ef = gc_error_file(err);
		if (ef && !strcmp(ef, tmp))
			err = gc_error_context(err, "writing %s", out_path);
	}
	free(tmp);
	gc_wbuf_free(&b.notes);
	free(b.vmcoreinfo);
	gc_pt_overlay_free(ov);
	free(runs);
	return err;
}

/* ---- verify ------------------------------------------------------------- */

struct gc_error *gc_convert_verify(struct gc_dump *in, const char *out_path,
				   const struct gc_convert_opts *opts,
				   struct gc_verify_stats *vs)
{
	memset(vs, 0, sizeof(*vs));
	if (!strcmp(out_path, "-"))
		return gc_error_new(GC_ERR_INVALID_ARG, "--verify",
				    "the output went to standard output and "
				    "cannot be read back");
	struct gc_dump *out = NULL;
	/* an ELF output records no page size but VMCOREINFO's: read it
	 * with the input's (a 512 KiB-page source without VMCOREINFO) */
	uint32_t ps = gc_dump_page_size(in);
	struct gc_open_opts oo = { .page_size = ps };
	struct gc_error *err = gc_dump_open(out_path, &oo, &out);
	if (err)
		return gc_error_context(err, "re-opening the output");
	if (gc_dump_page_size(out) != ps) {
		gc_dump_close(out);
		return gc_error_set_file(
			gc_error_new(GC_ERR_FORMAT, "page size",
				     "%u in the output, %u in the input",
				     gc_dump_page_size(out), ps),
			out_path);
	}
	struct gc_convert_stats st;
	memset(&st, 0, sizeof(st));
	struct gc_frame_run *runs = NULL, *oruns = NULL;
	size_t nr = 0, onr = 0;
	struct gc_pt_overlay *ov = NULL;
	uint8_t *a = malloc(ps), *bpage = malloc(ps);
	if (!a || !bpage)
		err = &gc_error_nomem;
	if (!err)
		err = make_source(in, opts, &st, &ov, &runs, &nr);
	struct dump_src ds = { .d = in, .ov = ov, .page_size = ps,
			       .missing = opts->missing };
	uint64_t und = 0, und_before = 0;
	ds.undecodable = &und;
	for (size_t r = 0; r < nr && !err; r++) {
		for (uint64_t f = 0; f < runs[r].count && !err; f++) {
			uint64_t pfn = runs[r].start + f;
			enum gc_page_state s;
			err = dump_read(&ds, pfn, a, &s);
			if (err)
				break;
			if (s != GC_PAGE_PRESENT) {
				vs->missing++;
				continue;
			}
			if (opts->missing == GC_MISSING_ZERO &&
			    ds.undecodable && *ds.undecodable != und_before) {
				/* written as zeroes on purpose */
				vs->missing++;
				und_before = *ds.undecodable;
				continue;
			}
			enum gc_page_state os;
			err = gc_dump_page_state(out, GC_SPACE_PHYS, pfn, &os);
			if (err)
				break;
			/* A page with data in the input must read back
			 * from the output: a zero page excluded (not
			 * readable) is a mismatch, as crash refuses it. */
			bool same = false;
			if (os != GC_PAGE_EXCLUDED && os != GC_PAGE_ABSENT) {
				err = gc_dump_read(out, GC_SPACE_PHYS,
						   pfn * ps, bpage, ps);
				if (err)
					break;
				same = !memcmp(a, bpage, ps);
				if (same && opts->exclude_zero &&
				    gc_page_is_zero(a, ps))
					vs->excluded++;
				else if (same)
					vs->compared++;
			}
			if (!same) {
				if (!vs->mismatches++) {
					vs->has_first_mismatch = true;
					vs->first_mismatch_pfn = pfn;
				}
			}
		}
	}
	/* Frames the output has that the input does not list. */
	if (!err)
		err = gc_dump_frame_runs(out, GC_SPACE_PHYS, &oruns, &onr);
	for (size_t i = 0, j = 0; !err && i < onr; i++) {
		uint64_t s = oruns[i].start, e = s + oruns[i].count;
		while (s < e) {
			while (j < nr && runs[j].start + runs[j].count <= s)
				j++;
			if (j == nr || runs[j].start >= e) {
				vs->extra += e - s;
				break;
			}
			if (runs[j].start > s)
				vs->extra += runs[j].start - s;
			s = runs[j].start + runs[j].count;
		}
	}
	if (err)
		err = gc_error_set_file(err, out_path);
	free(oruns);
	free(runs);
	free(a);
	free(bpage);
	gc_pt_overlay_free(ov);
	gc_dump_close(out);
	return err;
}

/* ---- one-pass convert (convert_stream.c): after the pages ---------------- */

struct gc_error *gc_convert_prelaid(struct gc_dump *in, int fd,
				    const char *tmp_path,
				    const struct gc_convert_opts *opts,
				    const struct gc_frame_run *runs,
				    size_t nr, struct gc_convert_stats *st)
{
	uint32_t ps = gc_dump_page_size(in);
	uint64_t data_off = gc_elf_prelaid_data_off(nr, ps);
	st->pages_total = 0;
	for (size_t i = 0; i < nr; i++)
		st->pages_total += runs[i].count;
	/* the kernel layer's byte patches, written over the pages in place */
	for (size_t i = 0; i < opts->kernel.nr_patches; i++) {
		const struct gc_convert_patch *p = &opts->kernel.patches[i];
		if (p->len > sizeof(p->bytes) || p->paddr % ps + p->len > ps)
			return gc_error_new(GC_ERR_INVALID_ARG, "patch",
					    "%u bytes at 0x%" PRIx64 " (at most "
					    "16, within one page)", p->len,
					    p->paddr);
		uint64_t pfn = p->paddr / ps, at = data_off;
		size_t r;
		for (r = 0; r < nr; r++) {
			if (pfn >= runs[r].start &&
			    pfn - runs[r].start < runs[r].count)
				break;
			at += runs[r].count * ps;
		}
		if (r == nr)
			return gc_error_new(GC_ERR_NOT_PRESENT, "patch",
					    "physical address 0x%" PRIx64
					    " is not in the dump", p->paddr);
		at += p->paddr - runs[r].start * ps;
		if (pwrite(fd, p->bytes, p->len, (off_t)at) != (ssize_t)p->len)
			return gc_error_set_file(gc_error_at(GC_ERR_IO, at,
				"output", "write failed: %s", strerror(errno)),
				tmp_path);
	}
	struct build b;
	memset(&b, 0, sizeof(b));
	struct gc_error *err = build_notes(in, opts, st, &b);
	if (!err) {
		st->nr_vcpus = b.nr_vcpus;
		st->has_vmcoreinfo = b.vmcoreinfo_len > 0;
		struct gc_convert_kernel k = opts->kernel;
		if (!k.has_phys_base || !k.has_text)
			gc_convert_kernel_from_vmcoreinfo(&k, b.vmcoreinfo,
							  b.vmcoreinfo_len);
		struct gc_wsource src = {
			.page_size = ps,
			.runs = runs,
			.nr_runs = nr,
			.notes = b.notes.data,
			.notes_rw = b.notes.data,
			.notes_patch = b.notes_patch,
			.notes_patch_zeroed = b.notes_patch_zeroed,
			.notes_len = b.notes.len,
			.vmcoreinfo = b.vmcoreinfo,
			.vmcoreinfo_len = b.vmcoreinfo_len,
			.nr_vcpus = b.nr_vcpus,
			.kernel = &k,
			.arch = gc_arch_of_dump(in),
		};
		err = gc_write_elf_prelaid(&src, fd, tmp_path, st);
	}
	gc_wbuf_free(&b.notes);
	free(b.vmcoreinfo);
	return err;
}
