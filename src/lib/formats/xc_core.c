// SPDX-License-Identifier: MIT
/*
 * Xen domain dumps ("xc_core"): the ELF layout written by `xl dump-core`
 * (sections, no program headers) and the older non-ELF layout with the
 * 0xF00FEBED header.  Every on-disk field is checked against the file
 * size before it sizes an allocation or a loop.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../dump_internal.h"
#include "../spaces/frame_index.h"
#include "formats.h"

#define XC_CORE_MAGIC 0xF00FEBEDull
#define XC_CORE_MAGIC_HVM 0xF00FEBEEull
#define XEN_ELFNOTE_DUMPCORE_NONE 0x2000000u
#define XEN_ELFNOTE_DUMPCORE_HEADER 0x2000001u
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION 0x2000002u
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003u
#define VCPU_CTX_64 5168
#define VCPU_CTX_32 2800
#define EM_386 3
#define EM_X86_64 62
#define VGCF_ONLINE (1u << 5)

struct section {
	bool present;
	uint64_t index;     /* section header number */
	uint64_t offset, size, entsize;
	uint64_t hdr_offset;
};

struct xc_core {
	bool elf;
	bool be;
	int elf_class;          /* 32 or 64 (ELF layout only) */
	uint16_t e_machine;
	uint64_t magic, nr_vcpus_hdr, nr_pages_hdr, page_size_hdr;
	bool pv;                /* has a machine space (.xen_p2m / legacy PV) */
	bool is_32bit;          /* guest width from e_machine / stride */
	bool ctx_short;         /* stride < the layout's context size */
	/* sections (ELF) or header offsets (legacy) */
	struct section note, prstatus, shared_info, pages, p2m, pfn, strtab;
	bool have_none_note, have_header_note, have_version_note;
	bool have_format_note;
	uint64_t header_note_offset;
	uint64_t format_version;
	/* xen version note */
	uint64_t xen_major, xen_minor;
	char xen_extra[17];
	char xen_changeset[65];
	char xen_capabilities[129];
	char xen_compile_date[33];
	/* vCPU contexts */
	uint64_t ctxt_offset, ctxt_stride;
	unsigned int nr_ctx;    /* contexts actually in the file */
	/* page index */
	uint64_t index_offset, index_entsize, index_entries_in_file;
	bool legacy_index_is_pfn;  /* legacy HVM: position == pfn */
	uint64_t pages_offset;
	uint64_t pages_in_file; /* entries whose page data is in the file */
	uint64_t pages_in_section;
	struct gc_frame_index idx;
};

static struct xc_core *XC(struct gc_dump *d) { return d->priv; }

/* ------------------------------------------------------------------ */
/* ELF parsing                                                          */

bool gc_xc_core_elf_probe(const uint8_t *head, size_t len, struct gc_stream *s)
{
	(void)s;
	if (len < 52 || memcmp(head, "\177ELF", 4))
		return false;
	bool be = head[5] == 2;
	uint16_t type = gc_get16(head + 16, be);
	uint16_t phnum = head[4] == 2 ? (len >= 64 ? gc_get16(head + 56, be) : 1)
				      : gc_get16(head + 44, be);
	/* xc_core: ET_CORE with section headers and no program headers */
	return type == 4 && phnum == 0;
}

struct ehdr {
	uint64_t shoff;
	uint16_t machine, shentsize, shstrndx;
	uint64_t shnum;
};

static struct gc_error *read_ehdr(struct gc_dump *d, struct ehdr *eh)
{
	struct xc_core *x = XC(d);
	uint8_t h[64];
	size_t hlen = x->elf_class == 64 ? 64 : 52;
	struct gc_error *err = gc_stream_read(d->stream, 0, h, hlen, "ELF header");
	if (err)
		return err;
	bool be = x->be;
	eh->machine = gc_get16(h + 18, be);
	if (x->elf_class == 64) {
		eh->shoff = gc_get64(h + 40, be);
		eh->shentsize = gc_get16(h + 58, be);
		eh->shnum = gc_get16(h + 60, be);
		eh->shstrndx = gc_get16(h + 62, be);
	} else {
		eh->shoff = gc_get32(h + 32, be);
		eh->shentsize = gc_get16(h + 46, be);
		eh->shnum = gc_get16(h + 48, be);
		eh->shstrndx = gc_get16(h + 50, be);
	}
	uint16_t minsz = x->elf_class == 64 ? 64 : 40;
	uint64_t shnum_off = x->elf_class == 64 ? 60 : 48;
	if (eh->shentsize < minsz)
		return gc_error_at(GC_ERR_FORMAT, x->elf_class == 64 ? 58 : 46,
				   "e_shentsize",
				   "%u is smaller than a section header (%u)",
				   eh->shentsize, minsz);
	if (eh->shoff == 0)
		return gc_error_at(GC_ERR_FORMAT, x->elf_class == 64 ? 40 : 32,
				   "e_shoff",
				   "0: the file has no section header table, so "
				   "it has no xc_core sections");
	/* Extended numbering: the real count is in section 0's sh_size. */
	if (eh->shnum == 0 || eh->shstrndx == 0xffff) {
		uint8_t s0[64];
		err = gc_stream_read(d->stream, eh->shoff, s0, minsz,
				   "section header 0");
		if (err)
			return err;
		if (eh->shnum == 0)
			eh->shnum = x->elf_class == 64 ? gc_get64(s0 + 32, be) :
							 gc_get32(s0 + 20, be);
		if (eh->shstrndx == 0xffff)
			eh->shstrndx = (uint16_t)gc_get32(
				s0 + (x->elf_class == 64 ? 40 : 24), be);
	}
	uint64_t table;
	if (!gc_mul_ok(eh->shnum, eh->shentsize, &table) ||
	    !gc_range_ok(eh->shoff, table, gc_stream_size(d->stream)))
		return gc_error_at(GC_ERR_TRUNCATED, eh->shoff,
				   "section header table",
				   "%" PRIu64 " headers of %u bytes run past the "
				   "end of the file (size 0x%" PRIx64 ")",
				   eh->shnum, eh->shentsize, gc_stream_size(d->stream));
	(void)shnum_off;
	if (eh->shstrndx >= eh->shnum)
		return gc_error_at(GC_ERR_FORMAT, x->elf_class == 64 ? 62 : 50,
				   "e_shstrndx",
				   "%u is not a section (there are %" PRIu64 ")",
				   eh->shstrndx, eh->shnum);
	return NULL;
}

static void read_shdr(struct xc_core *x, const uint8_t *s, uint32_t *name,
		      uint32_t *type, struct section *sec)
{
	bool be = x->be;
	*name = gc_get32(s, be);
	*type = gc_get32(s + 4, be);
	if (x->elf_class == 64) {
		sec->offset = gc_get64(s + 24, be);
		sec->size = gc_get64(s + 32, be);
		sec->entsize = gc_get64(s + 56, be);
	} else {
		sec->offset = gc_get32(s + 16, be);
		sec->size = gc_get32(s + 20, be);
		sec->entsize = gc_get32(s + 36, be);
	}
}

/* Bytes of section SEC that are actually in the file. */
static uint64_t in_file(const struct gc_dump *d, const struct section *s)
{
	if (s->offset >= gc_stream_size(d->stream))
		return 0;
	return GC_MIN(s->size, gc_stream_size(d->stream) - s->offset);
}

static struct gc_error *parse_sections(struct gc_dump *d,
				       const struct ehdr *eh)
{
	struct xc_core *x = XC(d);
	uint8_t sh[64];
	uint32_t name, type;
	/* The section name table first. */
	uint64_t stroff = eh->shoff + (uint64_t)eh->shstrndx * eh->shentsize;
	struct gc_error *err = gc_stream_read(d->stream, stroff, sh,
					    x->elf_class == 64 ? 64 : 40,
					    "section header");
	if (err)
		return err;
	read_shdr(x, sh, &name, &type, &x->strtab);
	x->strtab.present = true;
	x->strtab.index = eh->shstrndx;
	x->strtab.hdr_offset = stroff;
	if (!gc_range_ok(x->strtab.offset, x->strtab.size, gc_stream_size(d->stream)))
		return gc_error_at(GC_ERR_TRUNCATED, x->strtab.offset,
				   "section name table (.shstrtab)",
				   "0x%" PRIx64 " bytes run past the end of the "
				   "file (size 0x%" PRIx64 ")",
				   x->strtab.size, gc_stream_size(d->stream));
	if (x->strtab.size > (16u << 20))
		return gc_error_at(GC_ERR_FORMAT, stroff,
				   "section name table (.shstrtab)",
				   "size 0x%" PRIx64 " is absurd for section "
				   "names", x->strtab.size);
	char *names = malloc(x->strtab.size + 1);
	if (!names)
		return &gc_error_nomem;
	err = gc_stream_read(d->stream, x->strtab.offset, names, x->strtab.size,
			   "section name table (.shstrtab)");
	if (err) {
		free(names);
		return err;
	}
	names[x->strtab.size] = '\0';

	static const struct {
		const char *name;
		size_t off;
	} known[] = {
		{ ".note.Xen", offsetof(struct xc_core, note) },
		{ ".xen_prstatus", offsetof(struct xc_core, prstatus) },
		{ ".xen_shared_info", offsetof(struct xc_core, shared_info) },
		{ ".xen_pages", offsetof(struct xc_core, pages) },
		{ ".xen_p2m", offsetof(struct xc_core, p2m) },
		{ ".xen_pfn", offsetof(struct xc_core, pfn) },
	};
	for (uint64_t i = 1; i < eh->shnum && !err; i++) {
		uint64_t off = eh->shoff + i * eh->shentsize;
		err = gc_stream_read(d->stream, off, sh,
				   x->elf_class == 64 ? 64 : 40,
				   "section header");
		if (err)
			break;
		struct section sec = { .present = true, .index = i,
				       .hdr_offset = off };
		read_shdr(x, sh, &name, &type, &sec);
		if (name >= x->strtab.size)
			continue;
		const char *nm = names + name;
		for (size_t k = 0; k < GC_ARRAY_SIZE(known); k++) {
			if (strcmp(nm, known[k].name))
				continue;
			struct section *dst =
				(struct section *)((char *)x + known[k].off);
			if (dst->present) {
				err = gc_dump_finding(d, GC_SEV_WARNING,
					      "duplicate-section", true, off,
					      "section %s appears twice "
					      "(headers %" PRIu64 " and %"
					      PRIu64 "); the first is used",
					      nm, dst->index, i);
				break;
			}
			*dst = sec;
			uint64_t end;
			bool wraps = !gc_add_ok(sec.offset, sec.size, &end);
			char ends[40];
			if (wraps)  /* not the wrapped sum */
				snprintf(ends, sizeof(ends), "past 2^64");
			else
				snprintf(ends, sizeof(ends), "at 0x%" PRIx64,
					 end);
			if (!gc_range_ok(sec.offset, sec.size,
					 gc_stream_size(d->stream)))
				err = gc_dump_finding(
					d, GC_SEV_ERROR, "section-bounds", true,
					sec.offset,
					"section %s (offset 0x%" PRIx64
					", size 0x%" PRIx64 ") ends %s, past "
					"the end of the file (size 0x%" PRIx64
					"): 0x%" PRIx64 " bytes are missing",
					nm, sec.offset, sec.size, ends,
					gc_stream_size(d->stream),
					sec.size - in_file(d, &sec));
		}
	}
	free(names);
	return err;
}

static struct gc_error *parse_notes(struct gc_dump *d)
{
	struct xc_core *x = XC(d);
	if (!x->note.present)
		return gc_error_new(GC_ERR_FORMAT, "section .note.Xen",
				    "missing: the file has no Xen dump-core "
				    "notes, so it is not an xc_core dump");
	if (x->note.offset >= gc_stream_size(d->stream))
		return gc_error_at(GC_ERR_TRUNCATED, x->note.hdr_offset,
				   "section .note.Xen",
				   "starts at 0x%" PRIx64 ", past the end of the "
				   "file (size 0x%" PRIx64 "), so the dump-core "
				   "notes are missing", x->note.offset,
				   gc_stream_size(d->stream));
	uint64_t len = in_file(d, &x->note);
	if (len > (1u << 20))
		return gc_error_at(GC_ERR_FORMAT, x->note.hdr_offset,
				   "section .note.Xen",
				   "size 0x%" PRIx64 " is absurd for four notes",
				   len);
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return &gc_error_nomem;
	struct gc_error *err = gc_stream_read(d->stream, x->note.offset, buf, len,
					    "section .note.Xen");
	uint64_t pos = 0;
	bool be = x->be;
	while (!err && pos < len) {
		uint64_t at = x->note.offset + pos;
		if (len - pos < 12) {
			err = gc_dump_finding(d, GC_SEV_WARNING, "note-short", true, at,
				      "%" PRIu64 " stray bytes at the end of "
				      ".note.Xen are too short for a note "
				      "header (12 bytes)", len - pos);
			break;
		}
		uint32_t namesz = gc_get32(buf + pos, be);
		uint32_t descsz = gc_get32(buf + pos + 4, be);
		uint32_t type = gc_get32(buf + pos + 8, be);
		uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
		uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;
		uint64_t desc_off = pos + 12 + name_pad;
		if (desc_off > len || desc_pad > len - desc_off) {
			if (type == XEN_ELFNOTE_DUMPCORE_HEADER)
				err = gc_error_at(
					GC_ERR_TRUNCATED, at,
					"note DUMPCORE_HEADER",
					"name %u + descriptor %u bytes run past "
					"the end of .note.Xen (0x%" PRIx64
					" bytes left)", namesz, descsz,
					len - pos - 12);
			else
				err = gc_dump_finding(d, GC_SEV_WARNING, "note-short",
					      true, at,
					      "note type 0x%x claims %u name + "
					      "%u descriptor bytes but only %"
					      PRIu64 " remain in .note.Xen; "
					      "later notes are ignored", type,
					      namesz, descsz, len - pos - 12);
			break;
		}
		const uint8_t *desc = buf + desc_off;
		uint64_t dat = x->note.offset + desc_off;
		switch (type) {
		case XEN_ELFNOTE_DUMPCORE_NONE:
			x->have_none_note = true;
			break;
		case XEN_ELFNOTE_DUMPCORE_HEADER:
			if (descsz < 32) {
				err = gc_error_at(GC_ERR_FORMAT, at,
						  "note DUMPCORE_HEADER",
						  "descriptor is %u bytes, "
						  "expected 32", descsz);
				break;
			}
			x->have_header_note = true;
			x->header_note_offset = dat;
			x->magic = gc_get64(desc, be);
			x->nr_vcpus_hdr = gc_get64(desc + 8, be);
			x->nr_pages_hdr = gc_get64(desc + 16, be);
			x->page_size_hdr = gc_get64(desc + 24, be);
			break;
		case XEN_ELFNOTE_DUMPCORE_XEN_VERSION:
			if (descsz < 1200) {
				err = gc_dump_finding(d, GC_SEV_WARNING, "note-short",
					      true, at,
					      "DUMPCORE_XEN_VERSION descriptor"
					      " is %u bytes, expected 1280",
					      descsz);
				break;
			}
			x->have_version_note = true;
			x->xen_major = gc_get64(desc, be);
			x->xen_minor = gc_get64(desc + 8, be);
			gc_sanitize(x->xen_extra, desc + 16, 16);
			gc_sanitize(x->xen_compile_date, desc + 32 + 112, 32);
			gc_sanitize(x->xen_capabilities, desc + 176, 128);
			if (descsz >= 1264)
				gc_sanitize(x->xen_changeset, desc + 1200, 64);
			break;
		case XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION:
			if (descsz < 8) {
				err = gc_dump_finding(d, GC_SEV_WARNING, "note-short",
					      true, at,
					      "DUMPCORE_FORMAT_VERSION "
					      "descriptor is %u bytes, expected"
					      " 8", descsz);
				break;
			}
			x->have_format_note = true;
			x->format_version = gc_get64(desc, be);
			break;
		default:
			err = gc_dump_finding(d, GC_SEV_NOTE, "note-unknown", true, at,
				      "unknown note type 0x%x (%u bytes) "
				      "ignored", type, descsz);
		}
		pos = desc_off + desc_pad;
	}
	free(buf);
	if (err)
		return err;
	if (!x->have_header_note)
		return gc_error_at(GC_ERR_FORMAT, x->note.offset,
				   "section .note.Xen",
				   "has no DUMPCORE_HEADER note (type 0x2000001)"
				   "; the page count and page size are unknown");
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Index sources                                                        */

struct index_src {
	struct gc_dump *d;
	uint64_t offset, entsize;
	bool has_pfn, has_mfn;
	bool legacy32;  /* legacy 4-byte entries */
	uint8_t *buf;
	/* frame numbers past the 52-bit physical address space (x86-64's
	 * and arm64's widest) are impossible: read as invalid entries and
	 * counted on the first of the builder's two passes */
	uint64_t limit;
	unsigned pass;
	uint64_t nr_wild, first_wild, first_wild_idx;
};

static uint64_t tame(struct index_src *s, uint64_t i, uint64_t v)
{
	if (v == GC_FRAME_INVALID || v < s->limit)
		return v;
	if (s->pass == 1 && !s->nr_wild++) {
		s->first_wild = v;
		s->first_wild_idx = i;
	}
	return GC_FRAME_INVALID;
}

static struct gc_error *index_get(void *ctx, uint64_t start, uint64_t count,
				  uint64_t *pfn, uint64_t *mfn)
{
	struct index_src *s = ctx;
	struct xc_core *x = XC(s->d);
	uint64_t off = s->offset + start * s->entsize;
	size_t len = (size_t)(count * s->entsize);
	const void *p;
	struct gc_error *err = gc_stream_view(s->d->stream, off, len, s->buf, &p,
					    "page index");
	if (err)
		return err;
	const uint8_t *b = p;
	if (!start)
		s->pass++;
	for (uint64_t k = 0; k < count; k++, b += s->entsize) {
		if (s->legacy32) {
			uint32_t v = gc_get32(b, x->be);
			mfn[k] = v == UINT32_MAX ? GC_FRAME_INVALID :
				 tame(s, start + k, v);
			continue;
		}
		if (s->has_pfn && s->has_mfn) {
			pfn[k] = tame(s, start + k, gc_get64(b, x->be));
			mfn[k] = tame(s, start + k, gc_get64(b + 8, x->be));
		} else if (s->has_pfn) {
			pfn[k] = tame(s, start + k, gc_get64(b, x->be));
		} else {
			mfn[k] = tame(s, start + k, gc_get64(b, x->be));
		}
	}
	return NULL;
}

static struct gc_error *build_index(struct gc_dump *d, uint64_t n,
				    bool has_pfn, bool has_mfn, bool legacy32)
{
	struct xc_core *x = XC(d);
	struct index_src src = {
		.d = d, .offset = x->index_offset, .entsize = x->index_entsize,
		.has_pfn = has_pfn, .has_mfn = has_mfn, .legacy32 = legacy32,
	};
	/* the entries are stored bytes, whatever a flattened file's records
	 * claim its size to be: never allocate for more than it holds */
	uint64_t stored = gc_stream_stored(d->stream), need;
	if (!gc_mul_ok(n, x->index_entsize, &need) || need > stored)
		return gc_error_at(GC_ERR_TRUNCATED, x->index_offset,
				   "page index", "%" PRIu64 " entries of %"
				   PRIu64 " bytes cannot be in a file that "
				   "stores %" PRIu64 " bytes", n,
				   x->index_entsize, stored);
	src.buf = malloc(4096 * x->index_entsize);
	if (!src.buf)
		return &gc_error_nomem;
	src.limit = 1ull << (52 - d->page_shift);
	struct gc_error *err = gc_frame_index_build(&x->idx, n, has_pfn,
						    has_mfn, index_get, &src);
	free(src.buf);
	if (!err && src.nr_wild)
		err = gc_dump_finding(d, GC_SEV_ERROR, "index-wild-frames", true,
			      x->index_offset + src.first_wild_idx *
			      x->index_entsize, "%" PRIu64 " page index "
			      "entr%s a frame past the 52-bit physical address "
			      "space and %s ignored (the first: entry %" PRIu64
			      ", frame 0x%" PRIx64 ")", src.nr_wild,
			      src.nr_wild == 1 ? "y names" : "ies name",
			      src.nr_wild == 1 ? "is" : "are",
			      src.first_wild_idx, src.first_wild);
	return err;
}

/* ------------------------------------------------------------------ */
/* Common setup after the layout is known                               */

static const char *magic_name(uint64_t magic)
{
	return magic == XC_CORE_MAGIC ? "XC_CORE_MAGIC" :
	       magic == XC_CORE_MAGIC_HVM ? "XC_CORE_MAGIC_HVM" : "unknown";
}

static struct gc_error *add_fields(struct gc_dump *d)
{
	struct xc_core *x = XC(d);
	struct gc_error *err = NULL;
#define F(name, num, ...)                                                   \
	do {                                                                \
		if (!err)                                                   \
			err = gc_dump_add_field(d, name, true, num,         \
						__VA_ARGS__);               \
	} while (0)
#define DECHEX(name, v) F(name, v, "%" PRIu64 " (0x%" PRIx64 ")", (uint64_t)(v), (uint64_t)(v))
	F("xch_magic", x->magic, "%" PRIx64 " (%s)", x->magic,
	  magic_name(x->magic));
	F("xch_nr_vcpus", x->nr_vcpus_hdr, "%" PRIu64, x->nr_vcpus_hdr);
	DECHEX("xch_nr_pages", x->nr_pages_hdr);
	DECHEX("xch_ctxt_offset", x->ctxt_offset);
	DECHEX("xch_index_offset", x->index_offset);
	DECHEX("xch_pages_offset", x->pages_offset);
	if (x->elf) {
		if (!err)
			err = gc_dump_add_field(d, "elf_class", true,
						(uint64_t)x->elf_class,
						"ELFCLASS%d", x->elf_class);
		DECHEX("elf_strtab_offset", x->strtab.offset);
		F("format_version", x->format_version, "%016" PRIx64,
		  x->format_version);
		if (x->shared_info.present) {
			DECHEX("shared_info_offset", x->shared_info.offset);
			DECHEX("shared_info_size", x->shared_info.size);
		}
		else if (!err)
			err = gc_dump_add_field(d, "shared_info_offset", false,
						0, "(none)");
	}
	F("page_size", d->page_size, "%u", d->page_size);
#undef DECHEX
#undef F
	if (!err && x->have_version_note)
		err = gc_dump_add_field(d, "xen_version", false, 0,
					"%" PRIu64 ".%" PRIu64 "%s",
					x->xen_major, x->xen_minor,
					x->xen_extra);
	if (!err && x->have_version_note && x->xen_changeset[0])
		err = gc_dump_add_field(d, "xen_changeset", false, 0, "%s",
					x->xen_changeset);
	if (!err && x->have_version_note && x->xen_capabilities[0])
		err = gc_dump_add_field(d, "xen_capabilities", false, 0, "%s",
					x->xen_capabilities);
	if (!err)
		err = gc_dump_add_field(d, "guest_type", false, 0, "%s",
					x->pv ? "PV" : "HVM");
	if (!err)
		err = gc_dump_add_field(d, "guest_width", true,
					x->is_32bit ? 32 : 64, "%s",
					x->is_32bit ? "x86_32" : "x86_64");
	if (!err)
		err = gc_dump_add_field(d, "vcpu_context_stride", true,
					x->ctxt_stride, "%" PRIu64,
					x->ctxt_stride);
	return err;
}

static struct gc_error *finish_open(struct gc_dump *d, uint64_t n_index)
{
	struct xc_core *x = XC(d);
	struct gc_error *err;
	/* Pages: entry i's data at pages_offset + i * page_size. */
	uint64_t avail = x->pages_offset < gc_stream_size(d->stream) ?
				 (gc_stream_size(d->stream) - x->pages_offset) >>
					 d->page_shift : 0;
	uint64_t nr = x->idx.n;
	x->pages_in_file = GC_MIN(avail, x->pages_in_section);
	x->pages_in_file = GC_MIN(x->pages_in_file, nr);
	if (x->pages_in_file < GC_MIN(nr, x->pages_in_section)) {
		uint64_t first = x->pages_in_file;
		uint64_t missing = GC_MIN(nr, x->pages_in_section) - first;
		uint64_t pfn = x->idx.has_pfn ?
				       gc_column_get(&x->idx.pfn, first) :
				       first;
		err = gc_dump_finding(d, GC_SEV_ERROR, "pages-truncated", true,
			      x->pages_offset + (first << d->page_shift),
			      "page data is truncated: the file ends at 0x%"
			      PRIx64 ", so %" PRIu64 " of %" PRIu64
			      " listed pages have no data, from index %"
			      PRIu64 " (pfn 0x%" PRIx64 ") on", gc_stream_size(d->stream),
			      missing, nr, first, pfn);
		if (err)
			return err;
	}
	if (x->pages_in_section < nr) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "pages-section-size", true,
			      x->pages.hdr_offset,
			      "the pages section holds %" PRIu64 " pages but "
			      "the index lists %" PRIu64, x->pages_in_section,
			      nr);
		if (err)
			return err;
	}
	(void)n_index;
	d->nr_frames = x->idx.nr_valid;
	d->has_mach = x->pv;
	d->nr_vcpus = x->nr_ctx;
	err = add_fields(d);
	if (err || !x->pv || !x->idx.has_pfn)
		return err;  /* legacy PV: no pfns, see gc_p2m_view_new */
	/* The .xen_p2m pairs as translations both ways. */
	char why[96];
	snprintf(why, sizeof(why), "is not in the page index (%" PRIu64
		 " pages)", x->idx.nr_valid);
	err = gc_frame_index_xlat(&x->idx, true, d->page_shift, why, &d->p2m);
	if (!err)
		err = gc_frame_index_xlat(&x->idx, false, d->page_shift,
					  "no pfn maps to it in the page index",
					  &d->m2p);
	return err;
}

/* vCPU count and stride, bounded by the bytes in the file. */
static struct gc_error *setup_vcpus(struct gc_dump *d, uint64_t ctx_bytes,
				    uint64_t stride, uint64_t at)
{
	struct xc_core *x = XC(d);
	x->ctxt_stride = stride;
	if (x->nr_vcpus_hdr == 0) {
		return gc_dump_finding(d, GC_SEV_WARNING, "vcpus-none", true, at,
			       "the header lists no vCPU contexts "
			       "(xch_nr_vcpus = 0): no registers and no cr3");
	}
	if (stride == 0)
		return gc_dump_finding(d, GC_SEV_ERROR, "vcpus-stride", true, at,
			       "the vCPU context stride is 0; contexts "
			       "cannot be located");
	uint64_t fit = ctx_bytes / stride;
	uint64_t n = GC_MIN(fit, x->nr_vcpus_hdr);
	if (n > 4096)
		n = 4096; /* Xen's HVM_MAX_VCPUS is far below */
	x->nr_ctx = (unsigned int)n;
	struct gc_error *err = NULL;
	if (n < x->nr_vcpus_hdr)
		err = gc_dump_finding(d, GC_SEV_ERROR, "vcpus-count", true, at,
			       "the header lists %" PRIu64 " vCPU contexts of "
			       "%" PRIu64 " bytes but only %" PRIu64
			       " fit in the 0x%" PRIx64 " bytes available",
			       x->nr_vcpus_hdr, stride, fit, ctx_bytes);
	/* A context is read up to the stride only: a shorter stride leaves
	 * the registers past it (cr3 among them) unknown, not zero. */
	uint64_t need = x->is_32bit ? VCPU_CTX_32 : VCPU_CTX_64;
	x->ctx_short = stride < need;
	if (!err && x->ctx_short)
		err = gc_dump_finding(d, GC_SEV_ERROR, "vcpus-stride", true, at,
			       "the vCPU context stride is %" PRIu64 " bytes, "
			       "shorter than an %s vcpu_guest_context (%"
			       PRIu64 " bytes): only the first %" PRIu64
			       " bytes of each context are read, and the "
			       "registers past them (cr3 at byte %u) are "
			       "unknown", stride,
			       x->is_32bit ? "x86_32" : "x86_64", need, stride,
			       x->is_32bit ? 2728u : 5008u);
	return err;
}

static struct gc_error *open_elf(struct gc_dump *d)
{
	struct xc_core *x = calloc(1, sizeof(*x));
	if (!x)
		return &gc_error_nomem;
	d->priv = x;
	x->elf = true;
	uint8_t id[16];
	struct gc_error *err = gc_stream_read(d->stream, 0, id, 16, "ELF ident");
	if (err)
		return err;
	if (id[4] != 1 && id[4] != 2)
		return gc_error_at(GC_ERR_FORMAT, 4, "e_ident[EI_CLASS]",
				   "%u is neither ELFCLASS32 (1) nor "
				   "ELFCLASS64 (2)", id[4]);
	if (id[5] != 1 && id[5] != 2)
		return gc_error_at(GC_ERR_FORMAT, 5, "e_ident[EI_DATA]",
				   "%u is neither little (1) nor big (2) "
				   "endian", id[5]);
	x->elf_class = id[4] == 2 ? 64 : 32;
	x->be = id[5] == 2;
	struct ehdr eh;
	err = read_ehdr(d, &eh);
	if (err)
		return err;
	x->e_machine = eh.machine;
	err = parse_sections(d, &eh);
	if (!err)
		err = parse_notes(d);
	if (err)
		return err;
	if (x->magic != XC_CORE_MAGIC && x->magic != XC_CORE_MAGIC_HVM)
		return gc_error_at(GC_ERR_FORMAT, x->header_note_offset,
				   "xch_magic",
				   "0x%" PRIx64 " is neither 0xf00febed (PV) "
				   "nor 0xf00febee (HVM)", x->magic);
	err = gc_dump_set_page_size(d, x->page_size_hdr,
				    x->header_note_offset + 24,
				    "xch_page_size");
	if (err)
		return err;
	if (!x->have_none_note || !x->have_format_note) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "notes-missing", true,
			      x->note.offset,
			      ".note.Xen lacks the %s%s%s note%s the writer "
			      "always emits",
			      x->have_none_note ? "" : "DUMPCORE_NONE",
			      (!x->have_none_note && !x->have_format_note) ?
				      " and " : "",
			      x->have_format_note ? "" :
						    "DUMPCORE_FORMAT_VERSION",
			      (!x->have_none_note && !x->have_format_note) ?
				      "s" : "");
		if (err)
			return err;
	}
	if (x->have_format_note && x->format_version != 1) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "format-version", true,
			      x->note.offset,
			      "format_version is 0x%016" PRIx64 "; only "
			      "0x0000000000000001 (0.1) is known",
			      x->format_version);
		if (err)
			return err;
	}
	/* Which index: .xen_p2m (PV) or .xen_pfn (HVM). */
	if (x->p2m.present && x->pfn.present)
		return gc_error_at(GC_ERR_FORMAT, x->pfn.hdr_offset,
				   "sections .xen_p2m and .xen_pfn",
				   "both are present; a dump has one or the "
				   "other");
	if (!x->pages.present)
		return gc_error_new(GC_ERR_FORMAT, "section .xen_pages",
				    "missing: the dump holds no page data");
	struct section *ix = x->p2m.present ? &x->p2m : &x->pfn;
	if (!ix->present)
		return gc_error_new(GC_ERR_FORMAT,
				    "sections .xen_p2m / .xen_pfn",
				    "both missing: there is no page index, so "
				    "no page can be placed");
	x->pv = x->p2m.present;
	if (x->pv != (x->magic == XC_CORE_MAGIC)) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "magic-index", true,
			      x->header_note_offset,
			      "xch_magic says %s but the index is %s; "
			      "trusting the index",
			      x->magic == XC_CORE_MAGIC ? "PV" : "HVM",
			      x->pv ? ".xen_p2m (PV)" : ".xen_pfn (HVM)");
		if (err)
			return err;
	}
	x->index_offset = ix->offset;
	x->index_entsize = x->pv ? 16 : 8;
	if (ix->entsize && ix->entsize != x->index_entsize) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "index-entsize", true,
			      ix->hdr_offset,
			      "%s sh_entsize is %" PRIu64 ", expected %" PRIu64
			      "; using %" PRIu64, x->pv ? ".xen_p2m" :
			      ".xen_pfn", ix->entsize, x->index_entsize,
			      x->index_entsize);
		if (err)
			return err;
	}
	uint64_t ix_bytes = in_file(d, ix);
	x->index_entries_in_file = ix_bytes / x->index_entsize;
	if (ix->size % x->index_entsize || ix->size / x->index_entsize !=
						   x->nr_pages_hdr) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "index-size", true,
			      ix->hdr_offset,
			      "the index %s is 0x%" PRIx64 " bytes: (index end"
			      " 0x%" PRIx64 " - index start 0x%" PRIx64 ") / %"
			      PRIu64 " = %" PRIu64 "%s, but xch_nr_pages is %"
			      PRIu64, x->pv ? ".xen_p2m" : ".xen_pfn",
			      ix->size, ix->offset + ix->size, ix->offset,
			      x->index_entsize, ix->size / x->index_entsize,
			      ix->size % x->index_entsize ? " (with a "
			      "remainder)" : "", x->nr_pages_hdr);
		if (err)
			return err;
	}
	uint64_t n = GC_MIN(x->nr_pages_hdr, x->index_entries_in_file);
	n = GC_MIN(n, ix->size / x->index_entsize);
	if (ix_bytes < ix->size) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "index-truncated", true,
			      ix->offset + ix_bytes,
			      "the page index is cut short by the end of the "
			      "file: %" PRIu64 " of %" PRIu64 " entries are "
			      "readable; pages of the missing entries cannot "
			      "be placed", x->index_entries_in_file,
			      ix->size / x->index_entsize);
		if (err)
			return err;
	}
	x->pages_offset = x->pages.offset;
	x->pages_in_section = x->pages.size >> d->page_shift;
	if (x->pages.offset & (d->page_size - 1)) {
		err = gc_dump_finding(d, GC_SEV_WARNING, "pages-alignment", true,
			      x->pages.hdr_offset,
			      ".xen_pages starts at 0x%" PRIx64 ", not page "
			      "aligned", x->pages.offset);
		if (err)
			return err;
	}
	err = build_index(d, n, true, x->pv, false);
	if (err)
		return gc_error_context(err, "building the page index");
	/* vCPU contexts: stride = sh_entsize. */
	x->ctxt_offset = x->prstatus.present ? x->prstatus.offset : 0;
	uint64_t stride = x->prstatus.entsize;
	x->is_32bit = x->e_machine == EM_386 || stride == VCPU_CTX_32;
	if (!x->prstatus.present) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "vcpus-missing", false, 0,
			      "there is no .xen_prstatus section: no vCPU "
			      "registers and no cr3");
	} else {
		if (!stride && x->nr_vcpus_hdr)
			stride = x->prstatus.size / x->nr_vcpus_hdr;
		err = setup_vcpus(d, in_file(d, &x->prstatus), stride,
				  x->prstatus.hdr_offset);
	}
	if (err)
		return err;
	return finish_open(d, n);
}

/* ------------------------------------------------------------------ */
/* Legacy (non-ELF) layout                                              */

bool gc_xc_core_legacy_probe(const uint8_t *head, size_t len,
			     struct gc_stream *s)
{
	(void)s;
	if (len < 4)
		return false;
	uint32_t le = gc_get32(head, false), be = gc_get32(head, true);
	return le == XC_CORE_MAGIC || le == XC_CORE_MAGIC_HVM ||
	       be == XC_CORE_MAGIC || be == XC_CORE_MAGIC_HVM;
}

static struct gc_error *open_legacy(struct gc_dump *d)
{
	struct xc_core *x = calloc(1, sizeof(*x));
	if (!x)
		return &gc_error_nomem;
	d->priv = x;
	uint8_t h[24];
	struct gc_error *err = gc_stream_read(d->stream, 0, h, 24,
					    "xc_core header");
	if (err)
		return err;
	uint32_t m = gc_get32(h, false);
	x->be = !(m == XC_CORE_MAGIC || m == XC_CORE_MAGIC_HVM);
	x->magic = gc_get32(h, x->be);
	x->nr_vcpus_hdr = gc_get32(h + 4, x->be);
	x->nr_pages_hdr = gc_get32(h + 8, x->be);
	x->ctxt_offset = gc_get32(h + 12, x->be);
	x->index_offset = gc_get32(h + 16, x->be);
	x->pages_offset = gc_get32(h + 20, x->be);
	x->pv = x->magic == XC_CORE_MAGIC;
	uint64_t ps = d->opts.page_size ? d->opts.page_size : 4096;
	err = gc_dump_set_page_size(d, ps, 0, "page size option");
	if (err)
		return err;
	uint64_t fsz = gc_stream_size(d->stream);
	if (x->ctxt_offset > fsz)
		return gc_error_at(GC_ERR_TRUNCATED, 12, "xch_ctxt_offset",
				   "0x%" PRIx64 " is past the end of the file "
				   "(size 0x%" PRIx64 ")", x->ctxt_offset, fsz);
	if (x->index_offset > fsz)
		return gc_error_at(GC_ERR_TRUNCATED, 16, "xch_index_offset",
				   "0x%" PRIx64 " is past the end of the file "
				   "(size 0x%" PRIx64 ")", x->index_offset, fsz);
	if (x->pages_offset > fsz)
		return gc_error_at(GC_ERR_TRUNCATED, 20, "xch_pages_offset",
				   "0x%" PRIx64 " is past the end of the file "
				   "(size 0x%" PRIx64 ")", x->pages_offset, fsz);
	/* Index entry width: the dumping host's unsigned long.  Room for
	 * 8-byte entries plus an x,0,y,0 pattern in 4-byte words says 8. */
	uint64_t room = x->pages_offset > x->index_offset ?
				x->pages_offset - x->index_offset :
				fsz - x->index_offset;
	x->index_entsize = 4;
	uint64_t want8;
	if (gc_mul_ok(x->nr_pages_hdr, 8, &want8) && room >= want8 &&
	    x->nr_pages_hdr) {
		uint64_t probe = GC_MIN(x->nr_pages_hdr, 64);
		uint8_t buf[64 * 8];
		err = gc_stream_read(d->stream, x->index_offset, buf, probe * 8,
				   "page index");
		if (err)
			return err;
		bool highs_zero = true;
		for (uint64_t i = 0; i < probe; i++) {
			uint64_t v = gc_get64(buf + i * 8, x->be);
			if (v != UINT64_MAX && (v >> 32))
				highs_zero = false;
		}
		if (highs_zero)
			x->index_entsize = 8;
	}
	uint64_t n = GC_MIN(x->nr_pages_hdr, room / x->index_entsize);
	x->index_entries_in_file = n;
	if (n < x->nr_pages_hdr) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "index-size", true,
			      x->index_offset,
			      "xch_nr_pages is %" PRIu64 " but only %" PRIu64
			      " index entries of %" PRIu64 " bytes fit before "
			      "0x%" PRIx64, x->nr_pages_hdr, n,
			      x->index_entsize, x->index_offset + room);
		if (err)
			return err;
	}
	x->legacy_index_is_pfn = !x->pv;
	err = build_index(d, n, false, true, x->index_entsize == 4);
	if (err)
		return gc_error_context(err, "building the page index");
	x->pages_in_section = UINT64_MAX;
	/* contexts sit between the header and the index */
	uint64_t ctx_bytes = x->index_offset > x->ctxt_offset ?
				     x->index_offset - x->ctxt_offset : 0;
	uint64_t stride = x->nr_vcpus_hdr ? ctx_bytes / x->nr_vcpus_hdr : 0;
	if (stride > VCPU_CTX_64)
		stride = VCPU_CTX_64;
	x->is_32bit = stride && stride < 5048 + 64;
	err = setup_vcpus(d, ctx_bytes, stride, 4);
	if (err)
		return err;
	if (x->pv) {
		err = gc_dump_finding(d, GC_SEV_NOTE, "legacy-no-pfn", false, 0,
			      "legacy PV dumps list machine frames only; reads"
			      " by pfn need the guest's own p2m, rebuilt from "
			      "guest memory by the kernel layer when it finds "
			      "the kernel (else read by mfn, -m)");
		if (err)
			return err;
	}
	return finish_open(d, n);
}

/* ------------------------------------------------------------------ */
/* Shared operations                                                    */

static void xc_close(struct gc_dump *d)
{
	struct xc_core *x = XC(d);
	if (!x)
		return;
	gc_frame_index_free(&x->idx);
	free(x);
	d->priv = NULL;
}

static void loc_for_index(struct gc_dump *d, uint64_t i,
			  struct gc_page_loc *loc)
{
	struct xc_core *x = XC(d);
	memset(loc, 0, sizeof(*loc));
	if (i == GC_INDEX_NONE) {
		loc->state = GC_PAGE_ABSENT;
		return;
	}
	if (i >= x->pages_in_file) {
		loc->state = GC_PAGE_TRUNCATED;
		return;
	}
	loc->state = GC_PAGE_PRESENT;
	loc->offset = x->pages_offset + (i << d->page_shift);
	loc->size = d->page_size;
}

static uint64_t find_pfn(struct xc_core *x, uint64_t pfn)
{
	if (x->legacy_index_is_pfn) {
		if (pfn >= x->idx.n ||
		    gc_column_get(&x->idx.mfn, pfn) == GC_FRAME_INVALID)
			return GC_INDEX_NONE;
		return pfn;
	}
	return gc_frame_index_find_pfn(&x->idx, pfn);
}

static struct gc_error *xc_locate(struct gc_dump *d, enum gc_space space,
				  uint64_t frame, struct gc_page_loc *loc)
{
	struct xc_core *x = XC(d);
	if (space == GC_SPACE_MACH) {
		loc_for_index(d, gc_frame_index_find_mfn(&x->idx, frame), loc);
		return NULL;
	}
	if (!x->elf && x->pv)
		return gc_error_addr(GC_ERR_UNSUPPORTED, GC_SPACE_PHYS,
				     frame << d->page_shift, "read",
				     "legacy PV xc_core dumps have no pfn "
				     "column and the guest's p2m was not "
				     "rebuilt (no kernel found); read by "
				     "machine address (-m)");
	loc_for_index(d, find_pfn(x, frame), loc);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static struct gc_error *xc_frame_runs(struct gc_dump *d, enum gc_space space,
				      struct gc_frame_run **runs, size_t *nr)
{
	struct xc_core *x = XC(d);
	uint64_t n = x->idx.n;
	uint64_t *v = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!v)
		return &gc_error_nomem;
	uint64_t k = 0;
	bool pfn_space = space == GC_SPACE_PHYS;
	if (pfn_space && !x->elf && x->pv) {
		free(v);
		return gc_error_new(GC_ERR_UNSUPPORTED, "pfn runs",
				    "legacy PV dumps have no pfn column");
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t f;
		if (pfn_space && x->legacy_index_is_pfn)
			f = gc_column_get(&x->idx.mfn, i) == GC_FRAME_INVALID ?
				    GC_FRAME_INVALID : i;
		else
			f = gc_column_get(pfn_space ? &x->idx.pfn :
						      &x->idx.mfn, i);
		if (f != GC_FRAME_INVALID)
			v[k++] = f;
	}
	if (!(pfn_space && x->idx.pfn_sorted && x->elf))
		gc_qsort(v, k, sizeof(*v), cmp_u64);
	size_t cap = 16, cnt = 0;
	struct gc_frame_run *r = malloc(cap * sizeof(*r));
	if (!r) {
		free(v);
		return &gc_error_nomem;
	}
	for (uint64_t i = 0; i < k; i++) {
		if (cnt && r[cnt - 1].start + r[cnt - 1].count == v[i]) {
			r[cnt - 1].count++;
			continue;
		}
		if (cnt && r[cnt - 1].start + r[cnt - 1].count > v[i])
			continue; /* duplicate */
		if (cnt == cap) {
			cap *= 2;
			struct gc_frame_run *nr2 = realloc(r, cap * sizeof(*r));
			if (!nr2) {
				free(r);
				free(v);
				return &gc_error_nomem;
			}
			r = nr2;
		}
		r[cnt++] = (struct gc_frame_run){ v[i], 1 };
	}
	free(v);
	*runs = r;
	*nr = cnt;
	return NULL;
}

static struct gc_error *xc_cpu_state(struct gc_dump *d, unsigned int i,
				     struct gc_cpu_state *out)
{
	struct xc_core *x = XC(d);
	size_t len = (size_t)GC_MIN(x->ctxt_stride, (uint64_t)VCPU_CTX_64);
	uint64_t off = x->ctxt_offset + (uint64_t)i * x->ctxt_stride;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf)
		return &gc_error_nomem;
	struct gc_error *err = gc_stream_read(d->stream, off, buf, len,
					    "vCPU context");
	if (err) {
		free(buf);
		return gc_error_context(err, "vcpu %u", i);
	}
	out->e_machine = x->e_machine;
	out->be = x->be;
	out->xen_ctx = buf;
	out->xen_ctx_len = len;
	out->xen_32bit = x->is_32bit;
	out->xen_pv = x->pv;
	return NULL;
}

/* The checks of `guestcore check` beyond what open recorded. */
static struct gc_error *xc_check(struct gc_dump *d, unsigned int flags,
				 struct gc_report *r)
{
	(void)flags;
	struct xc_core *x = XC(d);
	const struct gc_frame_index *ix = &x->idx;
	struct gc_error *err = NULL;
	const char *col = x->elf ? (x->pv ? ".xen_p2m" : ".xen_pfn") :
				   "page index";
#define ADD(...)                                                            \
	do {                                                                \
		if (!err)                                                   \
			err = gc_report_add(r, __VA_ARGS__);                \
	} while (0)
	if (x->idx.n == x->nr_pages_hdr && x->elf)
		ADD(GC_SEV_OK, "index-size", true, x->index_offset,
		    "index size matches xch_nr_pages: %" PRIu64 " entries of "
		    "%" PRIu64 " bytes", ix->n, x->index_entsize);
	if (ix->has_pfn && ix->first_unsorted != GC_INDEX_NONE) {
		uint64_t i = ix->first_unsorted;
		ADD(GC_SEV_WARNING, "pfn-order", true,
		    x->index_offset + i * x->index_entsize,
		    "%s is not in ascending pfn order: entry %" PRIu64
		    " has pfn 0x%" PRIx64 " after pfn 0x%" PRIx64
		    "; lookups use a hash instead of binary search", col, i,
		    gc_column_get(&ix->pfn, i), ix->first_unsorted_prev);
	} else if (ix->has_pfn) {
		ADD(GC_SEV_OK, "pfn-order", false, 0,
		    "pfns are in ascending order (%" PRIu64 " valid entries,"
		    " pfn 0x%" PRIx64 "-0x%" PRIx64 ")", ix->nr_valid,
		    ix->nr_valid ? ix->min_pfn : 0,
		    ix->nr_valid ? ix->max_pfn : 0);
	}
	if (ix->nr_dup_pfn)
		ADD(GC_SEV_ERROR, "pfn-duplicate", true,
		    x->index_offset + ix->first_dup_pfn_idx * x->index_entsize,
		    "%" PRIu64 " duplicate pfn entr%s; the first is pfn 0x%"
		    PRIx64 " again at entry %" PRIu64 " (reads use the first "
		    "copy)", ix->nr_dup_pfn, ix->nr_dup_pfn == 1 ? "y" : "ies",
		    ix->first_dup_pfn, ix->first_dup_pfn_idx);
	if (ix->nr_dup_mfn)
		ADD(GC_SEV_ERROR, "mfn-duplicate", true,
		    x->index_offset + ix->first_dup_mfn_idx * x->index_entsize,
		    "%" PRIu64 " duplicate mfn entr%s; the first is mfn 0x%"
		    PRIx64 " again at entry %" PRIu64 " (two pages claim one "
		    "machine frame; reads by mfn use the first)",
		    ix->nr_dup_mfn, ix->nr_dup_mfn == 1 ? "y" : "ies",
		    ix->first_dup_mfn, ix->first_dup_mfn_idx);
	if (ix->nr_invalid && x->legacy_index_is_pfn)
		ADD(GC_SEV_NOTE, "legacy-holes", true,
		    x->index_offset + ix->first_invalid * x->index_entsize,
		    "%" PRIu64 " of the %" PRIu64 " index positions (= pfns) "
		    "hold ~0, the legacy marker of a pfn that was not dumped;"
		    " the first is pfn 0x%" PRIx64, ix->nr_invalid, ix->n,
		    ix->first_invalid);
	else if (ix->nr_invalid && !ix->nr_invalid_inside)
		ADD(GC_SEV_NOTE, "invalid-tail", true,
		    x->index_offset + ix->first_invalid * x->index_entsize,
		    "%" PRIu64 " invalid (~0) entries pad the end of the index"
		    " from entry %" PRIu64 " (the domain had fewer pages than "
		    "xch_nr_pages when dumped); their pages are zero-filled "
		    "and not addressable", ix->nr_invalid, ix->first_invalid);
	else if (ix->nr_invalid)
		ADD(GC_SEV_WARNING, "invalid-inside", true,
		    x->index_offset + ix->first_invalid * x->index_entsize,
		    "%" PRIu64 " invalid (~0) entries, the first at entry %"
		    PRIu64 ", sit before valid ones; the writer only pads the "
		    "tail, so the index is damaged", ix->nr_invalid,
		    ix->first_invalid);
	if (ix->nr_valid && x->pages_in_file >= ix->n)
		ADD(GC_SEV_OK, "pages", false, 0,
		    "all %" PRIu64 " pages have data in the file",
		    ix->nr_valid);
	if (x->nr_ctx && !x->ctx_short)
		ADD(GC_SEV_OK, "vcpus", false, 0,
		    "%u vCPU context%s of %" PRIu64 " bytes (%s layout)",
		    x->nr_ctx, x->nr_ctx == 1 ? "" : "s", x->ctxt_stride,
		    x->is_32bit ? "x86_32" : "x86_64");
	for (unsigned int v = 0; v < x->nr_ctx && !err; v++) {
		struct gc_vcpu c;
		err = gc_dump_vcpu(d, v, &c);
		if (err)
			break;
		bool online = !c.has_xen_flags || (c.xen_flags & VGCF_ONLINE);
		uint64_t cr3;
		if (!gc_vcpu_get_reg(&c, GC_REG_CR3, &cr3) ||
		    c.pgd_space == GC_SPACE_NONE) {
			/* never decoded (a context cut short): no frame
			 * to look up, and 0 is not its value */
			ADD(GC_SEV_WARNING, "cr3-unknown", false, 0,
			    "vcpu %u cr3 is unknown: its %" PRIu64 "-byte "
			    "context ends before the register; page-table "
			    "walks from this vCPU cannot start", v,
			    GC_MIN(x->ctxt_stride, (uint64_t)VCPU_CTX_64));
			continue;
		}
		if (!online && cr3 == 0) {
			ADD(GC_SEV_NOTE, "vcpu-offline", false, 0,
			    "vcpu %u is offline (VGCF_online clear, cr3 0); "
			    "nothing to check", v);
			continue;
		}
		uint64_t frame = c.pgd_addr >> d->page_shift;
		bool mach = c.pgd_space == GC_SPACE_MACH;
		uint64_t i = mach ? gc_frame_index_find_mfn(ix, frame) :
				    find_pfn(x, frame);
		if (i != GC_INDEX_NONE && i < x->pages_in_file) {
			ADD(GC_SEV_OK, "cr3", false, 0,
			    "vcpu %u cr3 = 0x%" PRIx64 " -> %s 0x%" PRIx64
			    " is page %" PRIu64 " of the dump", v, cr3,
			    mach ? "mfn" : "pfn", frame, i);
		} else if (i != GC_INDEX_NONE) {
			ADD(GC_SEV_ERROR, "cr3-truncated", false, 0,
			    "vcpu %u cr3 = 0x%" PRIx64 " -> %s 0x%" PRIx64
			    " is listed as page %" PRIu64 " but its data is "
			    "past the end of the truncated file; page-table "
			    "walks from this cr3 cannot start", v, cr3,
			    mach ? "mfn" : "pfn", frame, i);
		} else {
			ADD(GC_SEV_ERROR, "cr3-missing", false, 0,
			    "vcpu %u cr3 = 0x%" PRIx64 " -> %s 0x%" PRIx64
			    " is not among the %" PRIu64 " dumped frames; "
			    "page-table walks from this cr3 cannot start%s",
			    v, cr3, mach ? "mfn" : "pfn", frame, ix->nr_valid,
			    mach ? " (the kernel's own top-level table, "
				   "found by symbol, is the way around it)" :
				   "");
		}
	}
	if (x->elf && !x->shared_info.present)
		ADD(GC_SEV_NOTE, "shared-info", false, 0,
		    "no .xen_shared_info section (optional): the guest's "
		    "p2m frame-list root is not recorded");
#undef ADD
	return err;
}

const struct gc_format_ops gc_xc_core_elf_ops = {
	.format = GC_FORMAT_XC_CORE_ELF,
	.open = open_elf,
	.close = xc_close,
	.locate = xc_locate,
	.frame_runs = xc_frame_runs,
	.cpu_state = xc_cpu_state,
	.check = xc_check,
};

const struct gc_format_ops gc_xc_core_legacy_ops = {
	.format = GC_FORMAT_XC_CORE_LEGACY,
	.open = open_legacy,
	.close = xc_close,
	.locate = xc_locate,
	.frame_runs = xc_frame_runs,
	.cpu_state = xc_cpu_state,
	.check = xc_check,
};
