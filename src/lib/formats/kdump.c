// SPDX-License-Identifier: MIT
/*
 * kdump-compressed dumps ("KDUMP   ", makedumpfile -c/-l/-p/-z, QEMU
 * kdump-*) and split dumps (several files, each a kdump of a pfn range).
 *
 * Open reads the headers and both bitmaps, never page data; a rank table
 * of bitmap 2 (cumulative popcount per 512 bits) makes finding a page's
 * descriptor O(1).  Every part is read as a stream (io/stream.h): the
 * flattened form (makedumpfile -F, QEMU 7.2) is a container the io layer
 * unwraps, for kdump as for every other format, so offsets here are
 * always logical.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "notes.h"

#define DH_SIZE_64 464u
#define DH_SIZE_32 456u
#define SUB_SIZE_64 104u
#define SUB_SIZE_32 80u
#define DESC_SIZE 24u
#define FLAT_HDR_SIZE 4096u
#define CODEC_MASK (GC_CODEC_ZLIB | GC_CODEC_LZO | GC_CODEC_SNAPPY | \
		    GC_CODEC_ZSTD)
#define MAX_META (64u << 20)
#define RANK_BITS 512u

struct kd_file {
	struct gc_stream *s;  /* the part's logical bytes */
	const char *path;
	bool own;             /* opened here (split part), closed here */
	uint64_t lsize;       /* logical size */
	/* header */
	bool be, is32;
	char sig[9];
	int32_t version;
	char release[66], machine[66], nodename[66];
	uint64_t ts_sec, ts_usec;
	uint32_t status, block_size, sub_hdr_size, bitmap_blocks;
	uint32_t max_mapnr32, total_ram_blocks, device_blocks, written_blocks;
	uint32_t current_cpu, nr_cpus;
	/* sub header (fields valid per version) */
	uint64_t phys_base;
	int32_t dump_level;
	int32_t split;
	uint64_t start_pfn, end_pfn;   /* as recorded */
	uint64_t off_vmcoreinfo, size_vmcoreinfo;
	uint64_t off_note, size_note;
	uint64_t off_erase, size_erase;
	uint64_t max_mapnr;
	/* derived */
	uint64_t pfn_lo, pfn_hi;       /* range this file holds */
	uint64_t bm_off, bm_bytes;     /* per bitmap */
	uint8_t *bm1, *bm2;            /* padded to RANK_BITS/8 */
	uint64_t *rank;                /* set bits of bm2 before chunk i */
	uint64_t nbits;
	uint64_t desc_off, ndesc, ndesc_in_file, desc_first;
};

struct kdump {
	struct kd_file *files;
	size_t nfiles;
	uint64_t max_mapnr;
	struct gc_notes notes;
	char *vmcoreinfo;   /* from offset_vmcoreinfo */
	size_t vmcoreinfo_len;
	uint64_t vmcoreinfo_off;
	char *eraseinfo;
};

static struct kdump *KD(const struct gc_dump *d) { return d->priv; }

bool gc_kdump_probe(const uint8_t *head, size_t len, struct gc_stream *s)
{
	(void)s;
	return len >= 8 && (!memcmp(head, "KDUMP   ", 8) ||
			    !memcmp(head, "DISKDUMP", 8));
}

/* Read LEN logical bytes at OFF of part K. */
static struct gc_error *kd_read(struct kd_file *k, uint64_t off, void *buf,
				size_t len, const char *what)
{
	return gc_stream_read(k->s, off, buf, len, what);
}

/* ---- headers ------------------------------------------------------- */

static bool valid_block(uint32_t v)
{
	return v >= 512 && v <= (1u << 20) && !(v & (v - 1));
}

static void text_field(char *dst, const uint8_t *src, size_t n)
{
	char tmp[66];
	memcpy(tmp, src, n);
	tmp[n] = '\0';
	gc_sanitize(dst, tmp, n + 1);
}

static struct gc_error *read_headers(struct gc_dump *d, struct kd_file *k)
{
	uint8_t h[DH_SIZE_64];
	if (k->lsize < DH_SIZE_32)
		return gc_error_at(GC_ERR_TRUNCATED, 0, "disk_dump_header",
				   "the dump is %" PRIu64 " bytes, shorter than "
				   "its header", k->lsize);
	size_t hl = (size_t)GC_MIN((uint64_t)DH_SIZE_64, k->lsize);
	memset(h, 0, sizeof(h));
	struct gc_error *err = kd_read(k, 0, h, hl, "disk_dump_header");
	if (err)
		return err;
	memcpy(k->sig, h, 8);
	k->sig[8] = '\0';
	if (memcmp(h, "KDUMP   ", 8) && memcmp(h, "DISKDUMP", 8))
		return gc_error_at(GC_ERR_FORMAT, 0, "disk_dump_header",
				   "signature is not \"KDUMP   \" or "
				   "\"DISKDUMP\" (reassembled from %s)",
				   k->path);
	uint32_t v = gc_get32(h + 8, false);
	k->be = v > 0xffff && __builtin_bswap32(v) <= 0xffff;
	k->version = (int32_t)gc_get32(h + 8, k->be);
	text_field(k->nodename, h + 12 + 65, 65);
	text_field(k->release, h + 12 + 130, 65);
	text_field(k->machine, h + 12 + 260, 65);
	const char *m = k->machine;
	bool m32 = !strcmp(m, "i386") || !strcmp(m, "i486") ||
		   !strcmp(m, "i586") || !strcmp(m, "i686") ||
		   !strncmp(m, "arm", 3) || !strcmp(m, "ppc") ||
		   !strcmp(m, "s390") || !strcmp(m, "mips");
	bool ok64 = hl >= DH_SIZE_64 && valid_block(gc_get32(h + 428, k->be));
	bool ok32 = valid_block(gc_get32(h + 420, k->be));
	k->is32 = m32 ? ok32 || !ok64 : !ok64 && ok32;
	bool be = k->be;
	unsigned b = k->is32 ? 416 : 424;
	if (k->is32) {
		k->ts_sec = gc_get32(h + 404, be);
		k->ts_usec = gc_get32(h + 408, be);
	} else {
		k->ts_sec = gc_get64(h + 408, be);
		k->ts_usec = gc_get64(h + 416, be);
	}
	k->status = gc_get32(h + b, be);
	k->block_size = gc_get32(h + b + 4, be);
	k->sub_hdr_size = gc_get32(h + b + 8, be);
	k->bitmap_blocks = gc_get32(h + b + 12, be);
	k->max_mapnr32 = gc_get32(h + b + 16, be);
	k->total_ram_blocks = gc_get32(h + b + 20, be);
	k->device_blocks = gc_get32(h + b + 24, be);
	k->written_blocks = gc_get32(h + b + 28, be);
	k->current_cpu = gc_get32(h + b + 32, be);
	k->nr_cpus = gc_get32(h + b + 36, be);
	if (!valid_block(k->block_size))
		return gc_error_at(GC_ERR_FORMAT, b + 4, "block_size",
				   "%u is not a power of two between 512 and "
				   "1048576", k->block_size);
	/* sub header */
	uint8_t s[SUB_SIZE_64];
	memset(s, 0, sizeof(s));
	size_t sl = k->is32 ? SUB_SIZE_32 : SUB_SIZE_64;
	uint64_t soff = k->block_size;
	if (k->version >= 0 && k->sub_hdr_size) {
		if (!gc_range_ok(soff, sl, k->lsize))
			return gc_error_at(GC_ERR_TRUNCATED, soff,
					   "kdump_sub_header",
					   "runs past the end of the dump "
					   "(size 0x%" PRIx64 ")", k->lsize);
		err = kd_read(k, soff, s, sl, "kdump_sub_header");
		if (err)
			return err;
	}
	int ver = k->version;
	if (k->is32) {
		k->phys_base = gc_get32(s, be);
		if (ver >= 1)
			k->dump_level = (int32_t)gc_get32(s + 4, be);
		if (ver >= 2) {
			k->split = (int32_t)gc_get32(s + 8, be);
			k->start_pfn = gc_get32(s + 12, be);
			k->end_pfn = gc_get32(s + 16, be);
		}
		if (ver >= 3) {
			k->off_vmcoreinfo = gc_get64(s + 20, be);
			k->size_vmcoreinfo = gc_get32(s + 28, be);
		}
		if (ver >= 4) {
			k->off_note = gc_get64(s + 32, be);
			k->size_note = gc_get32(s + 40, be);
		}
		if (ver >= 5) {
			k->off_erase = gc_get64(s + 44, be);
			k->size_erase = gc_get32(s + 52, be);
		}
		if (ver >= 6) {
			k->start_pfn = gc_get64(s + 56, be);
			k->end_pfn = gc_get64(s + 64, be);
			k->max_mapnr = gc_get64(s + 72, be);
		}
	} else {
		k->phys_base = gc_get64(s, be);
		if (ver >= 1)
			k->dump_level = (int32_t)gc_get32(s + 8, be);
		if (ver >= 2) {
			k->split = (int32_t)gc_get32(s + 12, be);
			k->start_pfn = gc_get64(s + 16, be);
			k->end_pfn = gc_get64(s + 24, be);
		}
		if (ver >= 3) {
			k->off_vmcoreinfo = gc_get64(s + 32, be);
			k->size_vmcoreinfo = gc_get64(s + 40, be);
		}
		if (ver >= 4) {
			k->off_note = gc_get64(s + 48, be);
			k->size_note = gc_get64(s + 56, be);
		}
		if (ver >= 5) {
			k->off_erase = gc_get64(s + 64, be);
			k->size_erase = gc_get64(s + 72, be);
		}
		if (ver >= 6) {
			k->start_pfn = gc_get64(s + 80, be);
			k->end_pfn = gc_get64(s + 88, be);
			k->max_mapnr = gc_get64(s + 96, be);
		}
	}
	if (ver < 6)
		k->max_mapnr = k->max_mapnr32;
	return NULL;
}

static uint64_t popc_bytes(const uint8_t *p, size_t n)
{
	uint64_t c = 0;
	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		c += (uint64_t)__builtin_popcountll(w);
	}
	return c;
}

/* Set bits of bm2 before bit N (N <= nbits). */
static uint64_t rank2(const struct kd_file *k, uint64_t n)
{
	uint64_t chunk = n / RANK_BITS;
	uint64_t c = k->rank[chunk];
	const uint8_t *p = k->bm2 + chunk * (RANK_BITS / 8);
	uint64_t rem = n % RANK_BITS;
	c += popc_bytes(p, (size_t)(rem / 64) * 8);
	if (rem % 64) {
		uint64_t w;
		memcpy(&w, p + (rem / 64) * 8, 8);
		c += (uint64_t)__builtin_popcountll(w &
						    ((1ull << (rem % 64)) - 1));
	}
	return c;
}

static bool bit(const uint8_t *bm, uint64_t n)
{
	return (bm[n >> 3] >> (n & 7)) & 1;
}

static struct gc_error *read_bitmaps(struct gc_dump *d, struct kd_file *k,
				     uint64_t max_mapnr)
{
	uint64_t bs = k->block_size;
	uint64_t blocks;
	struct gc_error *err = NULL;
	if (k->bitmap_blocks & 1)
		err = gc_dump_finding(d, GC_SEV_WARNING, "bitmap-blocks-odd", true,
			      k->is32 ? 428 : 436, "%s: bitmap_blocks %u is "
			      "odd; the two bitmaps should be the same size",
			      k->path, k->bitmap_blocks);
	if (err)
		return err;
	if (!gc_add_ok(1, k->sub_hdr_size, &blocks) ||
	    !gc_mul_ok(blocks, bs, &k->bm_off) ||
	    !gc_mul_ok((uint64_t)(k->bitmap_blocks / 2), bs, &k->bm_bytes) ||
	    !gc_range_ok(k->bm_off, 2 * k->bm_bytes, k->lsize))
		return gc_error_at(GC_ERR_TRUNCATED, k->is32 ? 424 : 432,
				   "bitmaps",
				   "sub_hdr_size %u and bitmap_blocks %u of %"
				   PRIu64 "-byte blocks run past the end of the "
				   "dump (size 0x%" PRIx64 ")", k->sub_hdr_size,
				   k->bitmap_blocks, bs, k->lsize);
	/* the bitmaps are stored bytes: a flattened stream must hold them */
	uint64_t stored = gc_stream_stored(k->s);
	if (2 * k->bm_bytes > stored)
		return gc_error_at(GC_ERR_TRUNCATED, k->bm_off, "bitmaps",
				   "2 x %" PRIu64 " bitmap bytes cannot be in a "
				   "%" PRIu64 "-byte file", k->bm_bytes,
				   stored);
	k->desc_off = k->bm_off + 2 * k->bm_bytes;
	k->nbits = k->bm_bytes * 8;
	if (max_mapnr > k->nbits) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "bitmap-short", true, k->bm_off,
			      "%s: the bitmaps hold %" PRIu64 " bits but "
			      "max_mapnr is %" PRIu64 "; pfns from 0x%" PRIx64
			      " on are treated as absent", k->path,
			      k->nbits, max_mapnr, k->nbits);
		if (err)
			return err;
	}
	size_t padded = (size_t)((k->bm_bytes + RANK_BITS / 8 - 1) /
				 (RANK_BITS / 8) * (RANK_BITS / 8));
	k->bm1 = calloc(1, padded ? padded : 1);
	k->bm2 = calloc(1, padded ? padded : 1);
	size_t nchunks = padded / (RANK_BITS / 8);
	k->rank = malloc((nchunks + 1) * sizeof(*k->rank));
	if (!k->bm1 || !k->bm2 || !k->rank)
		return &gc_error_nomem;
	err = kd_read(k, k->bm_off, k->bm1, (size_t)k->bm_bytes, "bitmap 1");
	if (!err)
		err = kd_read(k, k->bm_off + k->bm_bytes, k->bm2,
			      (size_t)k->bm_bytes, "bitmap 2");
	if (err)
		return err;
	uint64_t c = 0;
	for (size_t i = 0; i < nchunks; i++) {
		k->rank[i] = c;
		c += popc_bytes(k->bm2 + i * (RANK_BITS / 8), RANK_BITS / 8);
	}
	k->rank[nchunks] = c;
	return NULL;
}

static struct gc_error *read_desc(struct kd_file *k, uint64_t idx,
				  uint64_t *off, uint32_t *size,
				  uint32_t *flags, uint64_t *where)
{
	uint8_t p[DESC_SIZE];
	*where = k->desc_off + idx * DESC_SIZE;
	struct gc_error *err = kd_read(k, *where, p, DESC_SIZE,
				       "page descriptor");
	if (err)
		return err;
	*off = gc_get64(p, k->be);
	*size = gc_get32(p + 8, k->be);
	*flags = gc_get32(p + 12, k->be);
	return NULL;
}

static struct gc_error *setup_file(struct gc_dump *d, struct kd_file *k,
				   uint64_t max_mapnr)
{
	struct gc_error *err = read_bitmaps(d, k, max_mapnr);
	if (err)
		return err;
	uint64_t lim = GC_MIN(max_mapnr, k->nbits);
	if (k->split && k->version >= 2) {
		k->pfn_lo = GC_MIN(k->start_pfn, lim);
		k->pfn_hi = GC_MIN(k->end_pfn, lim);
		if (k->pfn_hi < k->pfn_lo)
			k->pfn_hi = k->pfn_lo;
	} else {
		k->pfn_lo = 0;
		k->pfn_hi = lim;
	}
	k->desc_first = rank2(k, k->pfn_lo);
	k->ndesc = rank2(k, k->pfn_hi) - k->desc_first;
	uint64_t room = k->lsize > k->desc_off ?
				(k->lsize - k->desc_off) / DESC_SIZE : 0;
	k->ndesc_in_file = GC_MIN(room, k->ndesc);
	if (k->ndesc_in_file < k->ndesc) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "desc-past-eof", true,
			      k->desc_off + k->ndesc_in_file * DESC_SIZE,
			      "%s: bitmap 2 marks %" PRIu64 " pages dumped but "
			      "only %" PRIu64 " page descriptors fit before the "
			      "end of the dump (size 0x%" PRIx64 "); %" PRIu64
			      " pages read as truncated", k->path, k->ndesc,
			      k->ndesc_in_file, k->lsize,
			      k->ndesc - k->ndesc_in_file);
		if (err)
			return err;
	}
	if (k->ndesc_in_file) {
		/* Page data starts right after the descriptor array; the
		 * first descriptor's data tells where the writer put it. */
		uint64_t off, where;
		uint32_t size, flags;
		err = read_desc(k, 0, &off, &size, &flags, &where);
		if (err)
			return err;
		uint64_t dend = k->desc_off + k->ndesc * DESC_SIZE;
		if (off > k->desc_off && off < dend)
			err = gc_dump_finding(d, GC_SEV_ERROR, "bitmap-desc-mismatch",
				      true, where, "%s: bitmap 2 marks %" PRIu64
				      " pages dumped, so the descriptors should "
				      "end at 0x%" PRIx64 ", but the first page's"
				      " data starts at 0x%" PRIx64 " (room for %"
				      PRIu64 " descriptors): bitmap and "
				      "descriptors disagree", k->path,
				      k->ndesc, dend, off,
				      (off - k->desc_off) / DESC_SIZE);
	}
	return err;
}

static struct kd_file *file_for(struct kdump *kd, uint64_t pfn);

/* Dumped pages (bitmap 2 of the main file, which spans the whole range)
 * that no part given holds: a split dump with parts missing. */
static uint64_t gap_dumped(struct kdump *kd, uint64_t lo, uint64_t hi)
{
	const struct kd_file *m = &kd->files[0];
	hi = GC_MIN(hi, GC_MIN(kd->max_mapnr, m->nbits));
	return hi > lo ? rank2(m, hi) - rank2(m, lo) : 0;
}

static struct gc_error *split_gaps(struct gc_dump *d, struct kdump *kd)
{
	const struct kd_file *m = &kd->files[0];
	if (!m->split)
		return NULL;
	/* parts sorted by pfn except the main one, first: walk the range
	 * in pfn order through file_for's sorted view */
	uint64_t top = GC_MIN(kd->max_mapnr, m->nbits), pos = 0;
	uint64_t missing = 0, first_lo = 0, first_hi = 0;
	size_t ngaps = 0;
	while (pos < top) {
		struct kd_file *k = file_for(kd, pos);
		if (k) {
			pos = k->pfn_hi > pos ? k->pfn_hi : pos + 1;
			continue;
		}
		/* the gap runs to the next part's start */
		uint64_t next = top;
		for (size_t i = 0; i < kd->nfiles; i++)
			if (kd->files[i].pfn_lo > pos && kd->files[i].pfn_lo < next &&
			    kd->files[i].pfn_hi > kd->files[i].pfn_lo)
				next = kd->files[i].pfn_lo;
		uint64_t n = gap_dumped(kd, pos, next);
		if (n) {
			if (!ngaps++) {
				first_lo = pos;
				first_hi = next;
			}
			missing += n;
		}
		pos = next;
	}
	if (!missing)
		return NULL;
	return gc_dump_finding(d, GC_SEV_ERROR, "split-part-missing", false, 0,
		"%s is one part of a split dump, and the parts given do not "
		"hold %" PRIu64 " dumped page%s in %zu pfn range%s (the first: "
		"pfn 0x%" PRIx64 "-0x%" PRIx64 "); give every part with "
		"--split FILE", m->path, missing, missing == 1 ? "" : "s",
		ngaps, ngaps == 1 ? "" : "s", first_lo, first_hi - 1);
}

static struct gc_error *open_part(struct gc_dump *d, struct kd_file *k)
{
	k->path = gc_stream_path(k->s);
	k->lsize = gc_stream_size(k->s);
	return read_headers(d, k);
}

/* ---- notes, vmcoreinfo, eraseinfo ----------------------------------- */

static struct gc_error *read_blob(struct gc_dump *d, struct kd_file *k,
				  uint64_t off, uint64_t size,
				  const char *what, const char *code,
				  uint8_t **out)
{
	*out = NULL;
	if (!size)
		return NULL;
	if (size > MAX_META || !gc_range_ok(off, size, k->lsize))
		return gc_dump_finding(d, GC_SEV_ERROR, code, true, off,
			       "%s: %s of %" PRIu64 " bytes at 0x%" PRIx64
			       " lies outside the dump (size 0x%" PRIx64 ")",
			       k->path, what, size, off, k->lsize);
	uint8_t *b = malloc((size_t)size + 1);
	if (!b)
		return &gc_error_nomem;
	struct gc_error *err = kd_read(k, off, b, (size_t)size, what);
	if (err) {
		free(b);
		return err;
	}
	b[size] = 0;
	*out = b;
	return NULL;
}

static struct gc_error *read_meta(struct gc_dump *d, struct kdump *kd)
{
	struct kd_file *k = &kd->files[0];
	uint8_t *b;
	struct gc_error *err = NULL;
	if (k->version >= 4 && k->size_note) {
		err = read_blob(d, k, k->off_note, k->size_note, "ELF notes",
				"note-range", &b);
		if (!err && b) {
			err = gc_notes_parse(&kd->notes, b,
					     (size_t)k->size_note, k->off_note,
					     k->be, "kdump notes",
					     &d->findings);
		}
	}
	if (!err && k->version >= 3 && k->size_vmcoreinfo) {
		err = read_blob(d, k, k->off_vmcoreinfo, k->size_vmcoreinfo,
				"VMCOREINFO", "vmcoreinfo-range", &b);
		if (!err && b) {
			kd->vmcoreinfo = (char *)b;
			kd->vmcoreinfo_len = strlen(kd->vmcoreinfo);
			kd->vmcoreinfo_off = k->off_vmcoreinfo;
		}
	}
	if (!err && k->version >= 5 && k->size_erase) {
		err = read_blob(d, k, k->off_erase, k->size_erase,
				"eraseinfo", "eraseinfo-range", &b);
		if (!err && b) {
			kd->eraseinfo = (char *)b;
			d->eraseinfo = kd->eraseinfo;
			d->eraseinfo_len = strlen(kd->eraseinfo);
			d->eraseinfo_off = k->off_erase;
		}
	}
	return err;
}

/* ---- open ------------------------------------------------------------ */

static int cmp_file(const void *a, const void *b)
{
	const struct kd_file *x = a, *y = b;
	return x->pfn_lo < y->pfn_lo ? -1 : x->pfn_lo > y->pfn_lo;
}

static const char *codec_words(uint32_t st)
{
	switch (st & CODEC_MASK) {
	case 0: return "raw";
	case GC_CODEC_ZLIB: return "zlib";
	case GC_CODEC_LZO: return "lzo";
	case GC_CODEC_SNAPPY: return "snappy";
	case GC_CODEC_ZSTD: return "zstd";
	default: return "mixed";
	}
}

static struct gc_error *add_fields(struct gc_dump *d, struct kdump *kd)
{
	struct kd_file *k = &kd->files[0];
	struct gc_error *err = NULL;
#define F(...)                                                          \
	do {                                                            \
		if (!err)                                               \
			err = gc_dump_add_field(d, __VA_ARGS__);        \
	} while (0)
	F("signature", false, 0, "\"%s\"", k->sig);
	F("header_version", true, (uint64_t)k->version, "%d", k->version);
	F("layout", false, 0, "%s-bit producer, %s endian",
	  k->is32 ? "32" : "64", k->be ? "big" : "little");
	F("utsname_release", false, 0, "%s", k->release);
	F("utsname_machine", false, 0, "%s", k->machine);
	F("utsname_nodename", false, 0, "%s", k->nodename);
	F("timestamp", true, k->ts_sec, "%" PRIu64 ".%06" PRIu64, k->ts_sec,
	  k->ts_usec);
	F("status", true, k->status, "0x%x (%s%s%s)", k->status,
	  codec_words(k->status), k->status & 0x8 ? ", incomplete" : "",
	  k->status & 0x10 ? ", excluded vmemmap" : "");
	F("block_size", true, k->block_size, "%u", k->block_size);
	F("sub_hdr_size", true, k->sub_hdr_size, "%u", k->sub_hdr_size);
	F("bitmap_blocks", true, k->bitmap_blocks, "%u", k->bitmap_blocks);
	F("max_mapnr", true, kd->max_mapnr, "%" PRIu64 "%s", kd->max_mapnr,
	  k->version >= 6 ? " (max_mapnr_64)" : "");
	F("total_ram_blocks", true, k->total_ram_blocks, "%u",
	  k->total_ram_blocks);
	F("device_blocks", true, k->device_blocks, "%u", k->device_blocks);
	F("written_blocks", true, k->written_blocks, "%u",
	  k->written_blocks);
	F("current_cpu", true, k->current_cpu, "%u", k->current_cpu);
	F("nr_cpus", true, k->nr_cpus, "%u", k->nr_cpus);
	/* signed, as VMCOREINFO's and the kernel layer's phys_base */
	F("phys_base", true, k->phys_base, "%s0x%" PRIx64,
	  (int64_t)k->phys_base < 0 ? "-" : "",
	  (int64_t)k->phys_base < 0 ? (uint64_t)0 - k->phys_base :
				      k->phys_base);
	if (k->version >= 1)
		F("dump_level", true, (uint64_t)k->dump_level, "%d",
		  k->dump_level);
	if (k->version >= 2) {
		F("split", true, (uint64_t)k->split, "%d", k->split);
		F("start_pfn", true, k->start_pfn, "0x%" PRIx64, k->start_pfn);
		F("end_pfn", true, k->end_pfn, "0x%" PRIx64, k->end_pfn);
	}
	if (k->version >= 3)
		F("offset_vmcoreinfo", true, k->off_vmcoreinfo, "0x%" PRIx64
		  " (%" PRIu64 " bytes)", k->off_vmcoreinfo,
		  k->size_vmcoreinfo);
	if (k->version >= 4)
		F("offset_note", true, k->off_note, "0x%" PRIx64 " (%" PRIu64
		  " bytes)", k->off_note, k->size_note);
	if (k->version >= 5)
		F("offset_eraseinfo", true, k->off_erase, "0x%" PRIx64 " (%"
		  PRIu64 " bytes)", k->off_erase, k->size_erase);
	if (kd->eraseinfo) {
		char first[80];
		const char *nl = strchr(kd->eraseinfo, '\n');
		size_t n = nl ? (size_t)(nl - kd->eraseinfo) :
				strlen(kd->eraseinfo);
		char tmp[80];
		n = GC_MIN(n, sizeof(tmp) - 1);
		memcpy(tmp, kd->eraseinfo, n);
		tmp[n] = '\0';
		gc_sanitize(first, tmp, n + 1);
		F("eraseinfo", false, 0, "%s%s", first, nl && nl[1] ? " ..." :
		  "");
	}
	F("descriptors", true, k->ndesc, "%" PRIu64 " at 0x%" PRIx64,
	  k->ndesc, k->desc_off);
	for (size_t i = 1; i < kd->nfiles; i++)
		F("split_file", true, i, "%s: pfn 0x%" PRIx64 "-0x%" PRIx64
		  " (%" PRIu64 " pages)%s", kd->files[i].path,
		  kd->files[i].pfn_lo, kd->files[i].pfn_hi,
		  kd->files[i].ndesc,
		  gc_stream_container(kd->files[i].s) == GC_CONTAINER_FLAT ?
			  ", flattened" : "");
	if (kd->nfiles > 1)
		F("split_main", false, 0, "pfn 0x%" PRIx64 "-0x%" PRIx64,
		  k->pfn_lo, k->pfn_hi);
#undef F
	if (!err)
		err = gc_notes_add_fields(&kd->notes, d);
	if (!err && kd->vmcoreinfo && !kd->notes.vmcoreinfo) {
		/* show the keys from the sub-header copy */
		static const char *const keys[][2] = {
			{ "OSRELEASE", "vmcoreinfo OSRELEASE" },
			{ "PAGESIZE", "vmcoreinfo PAGESIZE" },
			{ "KERNELOFFSET", "vmcoreinfo KERNELOFFSET" },
			{ "NUMBER(phys_base)", "vmcoreinfo phys_base" },
		};
		for (size_t i = 0; i < GC_ARRAY_SIZE(keys) && !err; i++) {
			char raw[128], val[128];
			if (!gc_vmcoreinfo_get(kd->vmcoreinfo, keys[i][0], raw,
					       sizeof(raw)))
				continue;
			gc_notes_field_value(keys[i][0], raw, val, sizeof(val));
			err = gc_dump_add_field(d, keys[i][1], false, 0, "%s",
						val);
		}
	}
	return err;
}

static struct gc_error *kd_open(struct gc_dump *d)
{
	struct kdump *kd = calloc(1, sizeof(*kd));
	if (!kd)
		return &gc_error_nomem;
	d->priv = kd;
	size_t nextra = 0;
	if (d->opts.split_files)
		while (d->opts.split_files[nextra])
			nextra++;
	if (nextra > 4096)
		return gc_error_new(GC_ERR_INVALID_ARG, "split files",
				    "%zu split files is too many", nextra);
	kd->files = calloc(nextra + 1, sizeof(*kd->files));
	if (!kd->files)
		return &gc_error_nomem;
	kd->files[0].s = d->stream;
	kd->nfiles = 1;
	struct gc_error *err = open_part(d, &kd->files[0]);
	for (size_t i = 0; i < nextra && !err; i++) {
		struct kd_file *k = &kd->files[kd->nfiles];
		/* each part in its own container (flattened or not) */
		err = gc_stream_open(d->opts.split_files[i], &d->findings,
				     &k->s);
		if (err)
			break;
		k->own = true;
		kd->nfiles++;
		err = open_part(d, k);
		if (err) {
			err = gc_error_context(err, "split file %s",
					       k->path);
			break;
		}
		const struct kd_file *m = &kd->files[0];
		if (k->block_size != m->block_size || k->be != m->be ||
		    k->is32 != m->is32)
			err = gc_error_at(GC_ERR_FORMAT, 0, "split file",
					  "%s has block size %u (%s endian), "
					  "the first file %u (%s endian): not "
					  "parts of one dump", k->path,
					  k->block_size, k->be ? "big" : "little",
					  m->block_size,
					  m->be ? "big" : "little");
	}
	if (err)
		return err;
	struct kd_file *m = &kd->files[0];
	err = gc_dump_set_page_size(d, m->block_size, m->is32 ? 420 : 428,
				    "block_size");
	if (err)
		return err;
	kd->max_mapnr = m->max_mapnr;
	for (size_t i = 0; i < kd->nfiles && !err; i++)
		err = setup_file(d, &kd->files[i], kd->max_mapnr);
	if (err)
		return err;
	/* bitmap 2 bits at or past max_mapnr: descriptors the file may
	 * hold, which no pfn lookup reaches */
	uint64_t lim = GC_MIN(kd->max_mapnr, m->nbits);
	uint64_t past = rank2(m, m->nbits) - rank2(m, lim);
	if (past)
		err = gc_dump_finding(d, GC_SEV_WARNING, "bitmap-past-mapnr", true,
			      m->bm_off + m->bm_bytes + lim / 8,
			      "%s: bitmap 2 marks %" PRIu64 " page%s dumped at "
			      "or past max_mapnr 0x%" PRIx64 "; %s not read",
			      m->path, past, past == 1 ? "" : "s", lim,
			      past == 1 ? "it is" : "they are");
	if (err)
		return err;
	if (nextra && !m->split)
		err = gc_dump_finding(d, GC_SEV_WARNING, "split-flag", true,
			      m->block_size + (m->is32 ? 8 : 12),
			      "split files were given but %s does not have "
			      "the split flag set", m->path);
	/* order parts by pfn range; reject overlaps */
	struct kd_file first = kd->files[0];
	gc_qsort(kd->files, kd->nfiles, sizeof(*kd->files), cmp_file);
	for (size_t i = 1; i < kd->nfiles && !err; i++)
		if (kd->files[i].pfn_lo < kd->files[i - 1].pfn_hi)
			err = gc_error_new(GC_ERR_FORMAT, "split files",
				"%s (pfn 0x%" PRIx64 "-0x%" PRIx64 ") overlaps "
				"%s (pfn 0x%" PRIx64 "-0x%" PRIx64 ")",
				kd->files[i].path, kd->files[i].pfn_lo,
				kd->files[i].pfn_hi, kd->files[i - 1].path,
				kd->files[i - 1].pfn_lo,
				kd->files[i - 1].pfn_hi);
	/* keep the main file first for metadata */
	for (size_t i = 0; i < kd->nfiles; i++)
		if (kd->files[i].s == first.s && i) {
			struct kd_file t = kd->files[i];
			memmove(&kd->files[1], &kd->files[0],
				i * sizeof(*kd->files));
			kd->files[0] = t;
			break;
		}
	if (err)
		return err;
	/* after the reorder above the parts are sorted except the main one;
	 * locate searches all parts' ranges by binary search over a sorted
	 * copy of the order */
	err = split_gaps(d, kd);
	if (!err)
		err = read_meta(d, kd);
	if (err)
		return err;
	d->nr_frames = 0;
	for (size_t i = 0; i < kd->nfiles; i++)
		d->nr_frames += kd->files[i].ndesc;
	d->nr_vcpus = (unsigned)kd->notes.ncpus;
	err = add_fields(d, kd);
	if (!err)
		gc_notes_publish(&kd->notes, d);
	return err;
}

static void kd_close(struct gc_dump *d)
{
	struct kdump *kd = KD(d);
	if (!kd)
		return;
	for (size_t i = 0; i < kd->nfiles; i++) {
		struct kd_file *k = &kd->files[i];
		free(k->bm1);
		free(k->bm2);
		free(k->rank);
		if (k->own)
			gc_stream_close(k->s);
	}
	free(kd->files);
	gc_notes_free(&kd->notes);
	free(kd->vmcoreinfo);
	free(kd->eraseinfo);
	free(kd);
	d->priv = NULL;
}

/* ---- lookups ----------------------------------------------------------- */

static struct kd_file *file_for(struct kdump *kd, uint64_t pfn)
{
	if (kd->nfiles == 1)
		return kd->files[0].pfn_lo <= pfn && pfn < kd->files[0].pfn_hi ?
			       &kd->files[0] : NULL;
	/* files[0] is the main part, files[1..] are sorted */
	if (kd->files[0].pfn_lo <= pfn && pfn < kd->files[0].pfn_hi)
		return &kd->files[0];
	size_t lo = 1, hi = kd->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct kd_file *k = &kd->files[mid];
		if (pfn < k->pfn_lo)
			hi = mid;
		else if (pfn >= k->pfn_hi)
			lo = mid + 1;
		else
			return k;
	}
	return NULL;
}

static struct gc_error *kd_locate(struct gc_dump *d, enum gc_space space,
				  uint64_t pfn, struct gc_page_loc *loc)
{
	(void)space;
	struct kdump *kd = KD(d);
	memset(loc, 0, sizeof(*loc));
	loc->state = GC_PAGE_ABSENT;
	struct kd_file *k = file_for(kd, pfn);
	if (!k) {
		const struct kd_file *m = &kd->files[0];
		if (pfn < m->nbits && pfn < kd->max_mapnr && m->split &&
		    bit(m->bm2, pfn))
			return gc_error_new(GC_ERR_NOT_PRESENT, "split part",
					    "pfn 0x%" PRIx64 " was dumped into "
					    "a part that was not given "
					    "(--split FILE)", pfn);
		if (pfn < m->nbits && pfn < kd->max_mapnr &&
		    bit(m->bm1, pfn) && !bit(m->bm2, pfn))
			loc->state = GC_PAGE_EXCLUDED;
		return NULL;
	}
	if (!bit(k->bm2, pfn)) {
		if (bit(k->bm1, pfn))
			loc->state = GC_PAGE_EXCLUDED;
		return NULL;
	}
	uint64_t idx = rank2(k, pfn) - k->desc_first;
	if (idx >= k->ndesc_in_file) {
		loc->state = GC_PAGE_TRUNCATED;
		return NULL;
	}
	uint64_t off, where;
	uint32_t size, flags;
	struct gc_error *err = read_desc(k, idx, &off, &size, &flags, &where);
	if (err)
		return err;
	uint32_t codec = flags & CODEC_MASK;
	if ((flags & ~(uint32_t)CODEC_MASK) || (codec & (codec - 1)))
		return gc_error_at(GC_ERR_CORRUPT, where, "page descriptor",
				   "pfn 0x%" PRIx64 ": flags 0x%x name no single"
				   " known compression (zlib 0x1, lzo 0x2, "
				   "snappy 0x4, zstd 0x20)", pfn, flags);
	if (size == 0 || size > k->block_size ||
	    (codec == 0 && size != k->block_size))
		return gc_error_at(GC_ERR_CORRUPT, where, "page descriptor",
				   "pfn 0x%" PRIx64 ": stored size %u is "
				   "impossible for a %u-byte block (%s)", pfn,
				   size, k->block_size,
				   codec ? "compressed" : "raw");
	if (!gc_range_ok(off, size, k->lsize)) {
		loc->state = GC_PAGE_TRUNCATED;
		loc->offset = off;  /* where its data would be */
		loc->size = size;
		return NULL;
	}
	loc->state = GC_PAGE_PRESENT;
	loc->size = size;
	loc->codec = codec;
	loc->stream = k->s;
	loc->offset = off;
	return NULL;
}

static struct gc_error *kd_frame_runs(struct gc_dump *d, enum gc_space space,
				      struct gc_frame_run **runs, size_t *nr)
{
	(void)space;
	struct kdump *kd = KD(d);
	size_t cap = 16, cnt = 0;
	struct gc_frame_run *r = malloc(cap * sizeof(*r));
	if (!r)
		return &gc_error_nomem;
	/* parts in pfn order */
	size_t *ord = malloc(kd->nfiles * sizeof(*ord));
	if (!ord) {
		free(r);
		return &gc_error_nomem;
	}
	for (size_t i = 0; i < kd->nfiles; i++)
		ord[i] = i;
	for (size_t i = 1; i < kd->nfiles; i++)
		for (size_t j = i; j > 0 && kd->files[ord[j]].pfn_lo <
					     kd->files[ord[j - 1]].pfn_lo; j--) {
			size_t t = ord[j];
			ord[j] = ord[j - 1];
			ord[j - 1] = t;
		}
	for (size_t fi = 0; fi < kd->nfiles; fi++) {
		const struct kd_file *k = &kd->files[ord[fi]];
		uint64_t p = k->pfn_lo;
		while (p < k->pfn_hi) {
			uint64_t w;
			if (!(p & 63) && p + 64 <= k->pfn_hi) {
				memcpy(&w, k->bm2 + (p >> 3), 8);
				if (!w) {
					p += 64;
					continue;
				}
			}
			if (!bit(k->bm2, p)) {
				p++;
				continue;
			}
			if (cnt && r[cnt - 1].start + r[cnt - 1].count == p) {
				r[cnt - 1].count++;
			} else {
				if (cnt == cap) {
					cap *= 2;
					struct gc_frame_run *n2 =
						realloc(r, cap * sizeof(*r));
					if (!n2) {
						free(r);
						free(ord);
						return &gc_error_nomem;
					}
					r = n2;
				}
				r[cnt++] = (struct gc_frame_run){ p, 1 };
			}
			p++;
		}
	}
	free(ord);
	*runs = r;
	*nr = cnt;
	return NULL;
}

static struct gc_error *kd_cpu_state(struct gc_dump *d, unsigned int i,
				     struct gc_cpu_state *out)
{
	gc_notes_cpu_state(&KD(d)->notes, i, out);
	return NULL;
}

static struct gc_error *kd_vmcoreinfo(struct gc_dump *d, const char **text,
				      size_t *len, uint64_t *offset)
{
	struct kdump *kd = KD(d);
	if (kd->vmcoreinfo) {
		*text = kd->vmcoreinfo;
		*len = kd->vmcoreinfo_len;
		if (offset)
			*offset = kd->vmcoreinfo_off;
		return NULL;
	}
	if (kd->notes.vmcoreinfo) {
		*text = kd->notes.vmcoreinfo;
		*len = kd->notes.vmcoreinfo_len;
		if (offset)
			*offset = kd->notes.vmcoreinfo_offset;
		return NULL;
	}
	return gc_error_new(GC_ERR_NOT_PRESENT, "VMCOREINFO",
			    "the kdump header (version %d) carries no "
			    "VMCOREINFO", kd->files[0].version);
}

static struct gc_error *check_file(struct gc_dump *d, struct kd_file *k,
				   unsigned int flags, struct gc_report *r)
{
	struct gc_error *err = NULL;
#define ADD(...)                                                            \
	do {                                                                \
		if (!err)                                                   \
			err = gc_report_add(r, __VA_ARGS__);                \
	} while (0)
	uint64_t n1 = 0, n2 = 0, only2 = 0, excl = 0;
	for (uint64_t i = 0; i < k->bm_bytes; i++) {
		n1 += (uint64_t)__builtin_popcount(k->bm1[i]);
		n2 += (uint64_t)__builtin_popcount(k->bm2[i]);
		only2 += (uint64_t)__builtin_popcount(k->bm2[i] & ~k->bm1[i]);
		excl += (uint64_t)__builtin_popcount(k->bm1[i] & ~k->bm2[i]);
	}
	ADD(GC_SEV_OK, "bitmaps", true, k->bm_off, "%s: bitmap 1 (valid RAM) "
	    "has %" PRIu64 " pages, bitmap 2 (dumped) %" PRIu64 "; %" PRIu64
	    " excluded by dump_level %d", k->path, n1, n2, excl,
	    k->dump_level);
	if (only2)
		ADD(GC_SEV_WARNING, "bitmap2-not-in-bitmap1", true, k->bm_off,
		    "%s: %" PRIu64 " pages are dumped (bitmap 2) but not "
		    "valid RAM (bitmap 1)", k->path, only2);
	/* every descriptor */
	uint64_t bad = 0, zero_shared = 0, codecs[6] = {0};
	uint64_t prev_off = UINT64_MAX, min_off = UINT64_MAX;
	char first[256] = "";
	uint64_t first_at = 0;
	for (uint64_t i = 0; i < k->ndesc_in_file && !err; i++) {
		uint64_t off, where;
		uint32_t size, fl;
		err = read_desc(k, i, &off, &size, &fl, &where);
		if (err)
			break;
		uint32_t c = fl & CODEC_MASK;
		const char *why = NULL;
		char buf[200];
		if ((fl & ~(uint32_t)CODEC_MASK) || (c & (c - 1)))
			why = "unknown compression flags";
		else if (!size || size > k->block_size ||
			 (!c && size != k->block_size))
			why = "impossible stored size";
		else if (!gc_range_ok(off, size, k->lsize))
			why = "data past the end of the dump";
		if (why) {
			if (!bad++) {
				snprintf(buf, sizeof(buf), "descriptor %"
					 PRIu64 " (offset 0x%" PRIx64
					 ", size %u, flags 0x%x): %s", i, off,
					 size, fl, why);
				memcpy(first, buf, sizeof(buf));
				first_at = where;
			}
			continue;
		}
		if (off == prev_off || (i && off < k->desc_off))
			zero_shared++;
		if (off >= k->desc_off && off < min_off)
			min_off = off;
		prev_off = off;
		codecs[c == 0 ? 0 : c == 1 ? 1 : c == 2 ? 2 : c == 4 ? 3 : 4]++;
	}
	uint64_t full_end = k->desc_off + k->ndesc * DESC_SIZE;
	if (min_off != UINT64_MAX && min_off < full_end)
		ADD(GC_SEV_ERROR, "bitmap-desc-mismatch", true, min_off,
		    "%s: bitmap 2 marks %" PRIu64 " pages dumped, so the "
		    "descriptor array would end at 0x%" PRIx64 ", but page data"
		    " starts at 0x%" PRIx64 " (room for %" PRIu64 " descriptors)"
		    ": bitmap and descriptors disagree", k->path, k->ndesc,
		    full_end, min_off, (min_off - k->desc_off) / DESC_SIZE);
	if (bad)
		ADD(GC_SEV_ERROR, "descriptors", true, first_at, "%s: %" PRIu64
		    " of %" PRIu64 " page descriptors are bad; the first: %s",
		    k->path, bad, k->ndesc_in_file, first);
	else
		ADD(GC_SEV_OK, "descriptors", true, k->desc_off, "%s: %" PRIu64
		    " page descriptors fit the file (raw %" PRIu64 ", zlib %"
		    PRIu64 ", lzo %" PRIu64 ", snappy %" PRIu64 ", zstd %"
		    PRIu64 ")", k->path, k->ndesc_in_file, codecs[0],
		    codecs[1], codecs[2], codecs[3], codecs[4]);
	if (err || !(flags & GC_CHECK_DEEP))
		return err;
	uint64_t nbad = 0, firstpfn = 0, n = 0;
	char msg[256] = "";
	for (uint64_t p = k->pfn_lo; p < k->pfn_hi; p++) {
		if (!bit(k->bm2, p))
			continue;
		n++;
		struct gc_page_loc loc;
		struct gc_error *e = kd_locate(d, GC_SPACE_PHYS, p, &loc);
		if (!e && loc.state != GC_PAGE_PRESENT)
			e = gc_error_new(GC_ERR_TRUNCATED, "page",
					 "pfn 0x%" PRIx64 " is %s", p,
					 gc_page_state_name(loc.state));
		if (!e)
			e = gc_decode_page(d, &loc, p, GC_SPACE_PHYS,
					   d->scratch);
		if (e) {
			if (!nbad++) {
				firstpfn = p;
				snprintf(msg, sizeof(msg), "%s",
					 gc_error_string(e));
			}
			gc_error_free(e);
		}
	}
	if (nbad)
		ADD(GC_SEV_ERROR, "pages-decode", false, 0, "%s: %" PRIu64 " of %"
		    PRIu64 " pages fail to decode; the first is pfn 0x%" PRIx64
		    ": %s", k->path, nbad, n, firstpfn, msg);
	else
		ADD(GC_SEV_OK, "pages-decode", false, 0, "%s: all %" PRIu64
		    " dumped pages decode to %u bytes", k->path, n,
		    k->block_size);
#undef ADD
	return err;
}

static struct gc_error *kd_check(struct gc_dump *d, unsigned int flags,
				 struct gc_report *r)
{
	struct kdump *kd = KD(d);
	struct gc_error *err = NULL;
	for (size_t i = 0; i < kd->nfiles && !err; i++)
		err = check_file(d, &kd->files[i], flags, r);
	if (!err)
		err = gc_report_add(r, kd->notes.ncpus ? GC_SEV_OK : GC_SEV_NOTE,
			"notes", false, 0, "%zu notes: %zu NT_PRSTATUS, %zu "
			"QEMU CPU state; VMCOREINFO %s", d->nr_notes,
			kd->notes.nprstatus, kd->notes.nqemu,
			kd->vmcoreinfo ? "in the sub-header" :
			kd->notes.vmcoreinfo ? "in the notes" : "absent");
	return err;
}

const struct gc_format_ops gc_kdump_ops = {
	.format = GC_FORMAT_KDUMP,
	.open = kd_open,
	.close = kd_close,
	.locate = kd_locate,
	.frame_runs = kd_frame_runs,
	.cpu_state = kd_cpu_state,
	.vmcoreinfo = kd_vmcoreinfo,
	.check = kd_check,
	.readahead = true,   /* locate only reads immutable state */
};
