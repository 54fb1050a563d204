// SPDX-License-Identifier: MIT
/*
 * Kernel symbol tables without debuginfo: the compressed kallsyms tables
 * in guest memory (located through VMCOREINFO on Linux >= 6.0), a
 * System.map file, or the .symtab of a vmlinux ELF file.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"

#define KSYMS_MAX 4000000u       /* sanity bound on kallsyms_num_syms */
#define NAMES_MAX (64u << 20)
/* The longest kallsyms_names entry: a two-byte length holds 14 bits and
 * scripts/kallsyms.c refuses anything longer. */
#define KSYM_ENTRY_MAX 0x3fffu
#define MAP_FILE_MAX (256u << 20)

void gc_symtab_free(struct gc_symtab *t)
{
	if (t->names) {
		free(t->names);
	} else {
		for (size_t i = 0; i < t->n; i++)
			free(t->s[i].name);
	}
	free(t->s);
	memset(t, 0, sizeof(*t));
}

static int by_addr(const void *a, const void *b)
{
	const struct gc_ksym *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static struct gc_error *read_all(const struct gc_kmem *m, uint64_t va,
				 void *buf, size_t len, const char *what)
{
	struct gc_error *e = m->read(m->ctx, va, buf, len);
	return e ? gc_error_context(e, "reading %s", what) : NULL;
}

/* Can VMCOREINFO locate the tables (Linux >= 6.0)? */
bool gc_kallsyms_locate_vmcoreinfo(const struct gc_vmcoreinfo *vi,
				   struct gc_kallsyms_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	if (!vi || !gc_vmcoreinfo_symbol(vi, "kallsyms_num_syms",
					 &loc->num_syms) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_names", &loc->names) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_token_table",
				  &loc->token_table) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_token_index",
				  &loc->token_index))
		return false;
	bool offsets = gc_vmcoreinfo_symbol(vi, "kallsyms_offsets",
					    &loc->offsets);
	loc->relative = offsets &&
			gc_vmcoreinfo_symbol(vi, "kallsyms_relative_base",
					     &loc->relative_base);
	loc->layout = "located by VMCOREINFO";
	if (!loc->relative && offsets) {
		/* Linux >= 7.0: no relative base, every offset relative to
		 * where it is stored */
		loc->relative = loc->pcrel = true;
		loc->layout = "located by VMCOREINFO; kallsyms_offsets "
			      "relative to themselves (Linux >= 7.0)";
		return true;
	}
	if (!loc->relative &&
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_addresses", &loc->addresses))
		return false;
	return true;
}

/*
 * Decode the tables at LOC: names through the token table, addresses from
 * kallsyms_offsets + kallsyms_relative_base (either encoding), from
 * kallsyms_offsets alone, each relative to its own address (LOC->pcrel),
 * or from kallsyms_addresses.  LOC->nr is read from kallsyms_num_syms when 0.
 */
static struct gc_error *decode(const struct gc_kmem *m,
			       struct gc_kallsyms_loc *loc,
			       struct gc_symtab *out)
{
	memset(out, 0, sizeof(*out));
	uint8_t b4[8];
	struct gc_error *err = read_all(m, loc->num_syms, b4, 4,
					"kallsyms_num_syms");
	if (err)
		return err;
	uint32_t num = gc_get32(b4, false);
	if (!num || num > KSYMS_MAX)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
				     loc->num_syms, "kallsyms_num_syms",
				     "%u symbols is implausible", num);
	loc->nr = num;
	uint8_t tib[512];
	err = read_all(m, loc->token_index, tib, sizeof(tib),
		       "kallsyms_token_index");
	if (err)
		return err;
	uint16_t tidx[256];
	for (int i = 0; i < 256; i++)
		tidx[i] = gc_get16(tib + 2 * i, false);
	/* The token table: 256 NUL-terminated strings. */
	uint16_t maxoff = 0;
	for (int i = 0; i < 256; i++)
		if (tidx[i] > maxoff)
			maxoff = tidx[i];
	size_t ttlen = (size_t)maxoff + 256;
	char *ttab = calloc(1, ttlen + 1);
	bool relative = loc->relative;
	uint8_t *offs = malloc((size_t)num * 8);
	if (!ttab || !offs) {
		free(ttab);
		free(offs);
		return &gc_error_nomem;
	}
	err = read_all(m, loc->token_table, ttab, ttlen,
		       "kallsyms_token_table");
	if (!err)
		err = read_all(m, relative ? loc->offsets : loc->addresses,
			       offs, (size_t)num * (relative ? 4 : 8),
			       relative ? "kallsyms_offsets" :
					  "kallsyms_addresses");
	uint64_t relbase = 0;
	bool abs_percpu = false;
	if (!err && relative && !loc->pcrel) {
		uint8_t b8[8];
		err = read_all(m, loc->relative_base, b8, 8,
			       "kallsyms_relative_base");
		relbase = gc_get64(b8, false);
		/* With CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86-64 SMP) every
		 * relative symbol has a negative offset; without it no
		 * offset is negative. */
		for (uint32_t i = 0; !err && i < num && !abs_percpu; i++)
			abs_percpu = (int32_t)gc_get32(offs + (size_t)i * 4,
						       false) < 0;
	}
	loc->abs_percpu = abs_percpu;
	/* kallsyms_names, read in chunks as we go. */
	struct gc_ksym *s = err ? NULL : calloc(num, sizeof(*s));
	struct gc_strbuf names;
	gc_strbuf_init(&names);
	size_t *nameoff = err ? NULL : malloc((size_t)num * sizeof(size_t));
	if (!err && (!s || !nameoff))
		err = &gc_error_nomem;
	uint8_t chunk[4096];
	size_t have = 0, pos = 0;
	uint64_t cva = loc->names;
	for (uint32_t i = 0; !err && i < num; i++) {
		uint8_t entry[2 + KSYM_ENTRY_MAX];
		uint64_t eva = cva - have + pos;
		size_t need = 1, got = 0;
		for (int phase = 0; phase < 3 && !err; phase++) {
			while (got < need && !err) {
				if (pos == have) {
					err = read_all(m, cva, chunk,
						       sizeof(chunk),
						       "kallsyms_names");
					cva += sizeof(chunk);
					have = sizeof(chunk);
					pos = 0;
				}
				if (!err)
					entry[got++] = chunk[pos++];
			}
			if (err)
				break;
			if (phase == 0) {
				if (entry[0] & 0x80)
					need = 2; /* big symbol (>= 6.1) */
				else {
					need = 1 + entry[0];
					phase = 1;
				}
			} else if (phase == 1 && need == 2 && got == 2) {
				size_t len = (entry[0] & 0x7f) |
					     ((size_t)entry[1] << 7);
				if (len > KSYM_ENTRY_MAX) {
					err = gc_error_addr(GC_ERR_CORRUPT,
						GC_SPACE_KVIRT, eva,
						"kallsyms_names",
						"entry %u claims %zu bytes "
						"(scripts/kallsyms.c writes "
						"at most %u)", i, len,
						KSYM_ENTRY_MAX);
					break;
				}
				need = 2 + len;
			}
		}
		if (err)
			break;
		size_t hdr = (entry[0] & 0x80) ? 2 : 1;
		nameoff[i] = names.len;
		bool first = true;
		for (size_t t = hdr; t < need; t++) {
			uint16_t o = tidx[entry[t]];
			if (o >= ttlen) {
				err = gc_error_addr(GC_ERR_CORRUPT,
						    GC_SPACE_KVIRT,
						    loc->token_index,
						    "kallsyms_token_index",
						    "token %u offset %u "
						    "out of range", entry[t],
						    o);
				break;
			}
			const char *tok = ttab + o;
			size_t tl = strnlen(tok, ttlen - o);
			if (first && tl) {
				s[i].type = tok[0];
				tok++;
				tl--;
				first = false;
			}
			gc_strbuf_append(&names, tok, tl);
		}
		gc_strbuf_append(&names, "", 1);
		if (names.failed)
			err = &gc_error_nomem;
		if (names.len > NAMES_MAX)
			err = gc_error_new(GC_ERR_CORRUPT, "kallsyms_names",
					   "names exceed %u bytes", NAMES_MAX);
		if (relative) {
			int32_t o = (int32_t)gc_get32(offs + (size_t)i * 4,
						      false);
			if (loc->pcrel)
				s[i].addr = loc->offsets + 4ull * i +
					    (uint64_t)(int64_t)o;
			else if (!abs_percpu)
				s[i].addr = relbase + (uint32_t)o;
			else
				s[i].addr = o >= 0 ? (uint64_t)o :
					    relbase - 1 - (uint64_t)(int64_t)o;
		} else {
			s[i].addr = gc_get64(offs + (size_t)i * 8, false);
		}
	}
	free(ttab);
	free(offs);
	if (err) {
		free(s);
		free(nameoff);
		gc_strbuf_free(&names);
		return err;
	}
	out->names = gc_strbuf_steal(&names);
	if (!out->names) {
		free(s);
		free(nameoff);
		return &gc_error_nomem;
	}
	/* Symbol names and types are printable ASCII in every kernel; a byte
	 * that is not (an escape sequence, invalid UTF-8) is shown as '?'
	 * and counted, so no output can carry it. */
	for (uint32_t i = 0; i < num; i++) {
		char *nm = out->names + nameoff[i];
		bool bad = s[i].type <= 0x20 || s[i].type >= 0x7f;
		if (bad)
			s[i].type = '?';
		for (char *c = nm; *c; c++)
			if ((unsigned char)*c <= 0x20 ||
			    (unsigned char)*c >= 0x7f) {
				*c = '?';
				bad = true;
			}
		out->unprintable += bad;
		s[i].name = nm;
	}
	free(nameoff);
	/* The kernel sorts the table by address; keep that order for the
	 * checks, then sort by (address, name) for lookups. */
	out->s = s;
	out->n = num;
	out->source = "kallsyms";
	return NULL;
}

static void sort_table(struct gc_symtab *t)
{
	gc_qsort(t->s, t->n, sizeof(*t->s), by_addr);
}

static bool table_sane(const struct gc_symtab *t,
		       const struct gc_vmcoreinfo *vi, unsigned int *agree,
		       char *why, size_t whylen);

struct gc_error *gc_kallsyms_read(const struct gc_vmcoreinfo *vi,
				  const struct gc_kmem *m,
				  struct gc_symtab *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_kallsyms_loc loc;
	if (!gc_kallsyms_locate_vmcoreinfo(vi, &loc))
		return gc_error_new(GC_ERR_NOT_PRESENT, "kallsyms",
				    "VMCOREINFO does not locate the kallsyms "
				    "tables (Linux < 6.0)");
	struct gc_error *err = decode(m, &loc, out);
	if (!err && loc.pcrel) {
		/* an encoding inferred, not named: the table must agree
		 * with VMCOREINFO's own symbols */
		char why[160];
		unsigned int agree;
		if (!table_sane(out, vi, &agree, why, sizeof(why))) {
			gc_symtab_free(out);
			err = gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT,
					    loc.offsets, "kallsyms_offsets",
					    "no kallsyms_relative_base, and "
					    "offsets relative to themselves "
					    "give a wrong table: %s", why);
		}
	}
	if (!err)
		sort_table(out);
	return err;
}

/* ---- finding the tables by their structure ------------------------------ */

/*
 * Without VMCOREINFO pointers (Linux < 6.0) the tables are found in the
 * kernel image by their shape (scripts/kallsyms.c emits them into .rodata,
 * each label 8-byte aligned on 64-bit):
 *   kallsyms_token_index: 256 u16 offsets, the first 0, strictly rising;
 *   kallsyms_token_table: right before it, 256 NUL-terminated tokens whose
 *     lengths are exactly the index's steps;
 *   kallsyms_markers: before the token table (6.2/6.3: kallsyms_seqs_of_names
 *     in between), u32 (u64 before 4.20) names offsets of every 256th
 *     symbol, the first 0;
 *   kallsyms_names: before the markers, and kallsyms_num_syms right before
 *     the names; walking the names' length bytes must land on every marker;
 *   kallsyms_offsets + kallsyms_relative_base before num_syms (4.6-6.3),
 *     or after the token index (6.4+); kallsyms_addresses (u64) before
 *     num_syms on kernels without CONFIG_KALLSYMS_BASE_RELATIVE.
 */
#define SEARCH_CAP (128u << 20)     /* bytes kept in memory at once */
#define SEARCH_STEP (1u << 20)      /* scan after this much new data */
#define SEARCH_OVERLAP (16u << 20)  /* kept when the cap is hit */
#define SEARCH_MAX_PAGES (1u << 19) /* 2 GiB of reads at most */
#define ENTRY_MAX 130u              /* typical bound of a names entry */

struct win {
	const uint8_t *p;
	size_t len;
	uint64_t va;
};

static bool w_has(const struct win *w, uint64_t va, uint64_t n)
{
	return va >= w->va && va - w->va <= w->len &&
	       w->len - (va - w->va) >= n;
}
static uint32_t w32(const struct win *w, uint64_t va)
{
	return gc_get32(w->p + (va - w->va), false);
}
static uint16_t w16(const struct win *w, uint64_t va)
{
	return gc_get16(w->p + (va - w->va), false);
}
static uint8_t w8(const struct win *w, uint64_t va)
{
	return w->p[va - w->va];
}

static bool token_char(uint8_t c)
{
	return c > 0x20 && c < 0x7f;
}

/* Does a token table that matches IDX end right before TI?  *TT. */
static bool token_table_before(const struct win *w, uint64_t ti,
			       const uint16_t *idx, uint64_t *tt_out)
{
	if (ti < (uint64_t)idx[255] + 1)
		return false;
	uint64_t hi = (ti - idx[255] - 1) & ~7ull;
	for (unsigned int k = 0; k < 34; k++) {
		if (hi < 8ull * k)
			break;
		uint64_t tt = hi - 8ull * k;
		if (!w_has(w, tt, ti - tt))
			break;
		bool ok = true;
		unsigned int nonempty = 0;
		for (int i = 0; i < 255 && ok; i++) {
			uint64_t s = tt + idx[i], e = tt + idx[i + 1] - 1;
			if (w8(w, e) != 0) {
				ok = false;
				break;
			}
			nonempty += e > s;
			for (uint64_t a = s; a < e && ok; a++)
				ok = token_char(w8(w, a));
		}
		if (!ok)
			continue;
		uint64_t a = tt + idx[255];
		while (a < ti && w8(w, a) && token_char(w8(w, a)))
			a++;
		if (a >= ti || w8(w, a) != 0)
			continue;
		nonempty += a > tt + idx[255];
		if (((a + 1 + 7) & ~7ull) != ti || nonempty < 64)
			continue;
		*tt_out = tt;
		return true;
	}
	return false;
}

/* The markers ending at END (entries of ESZ bytes): *MS and *C. */
static bool markers_ending(const struct win *w, uint64_t end, unsigned esz,
			   uint64_t *ms, uint32_t *c)
{
	uint64_t a = end;
	uint32_t prev = 0, n = 0;
	while (a >= w->va + esz && w_has(w, a - esz, esz)) {
		a -= esz;
		if (esz == 8 && w32(w, a + 4))
			return false;
		uint32_t v = w32(w, a);
		if (n && (v >= prev || prev - v < 512 ||
			  prev - v > 256u * (2 + 0x3fff)))
			return false;
		n++;
		if (v == 0) {
			if ((a & 7) || n < 2)
				return false;
			*ms = a;
			*c = n;
			return true;
		}
		prev = v;
		if (n > KSYMS_MAX / 256 + 1)
			return false;
	}
	return false;
}

/* Size of the names entry at VA, 0 if it does not fit in W. */
static uint32_t entry_size(const struct win *w, uint64_t va)
{
	if (!w_has(w, va, 1))
		return 0;
	uint8_t b = w8(w, va);
	if (!(b & 0x80))
		return b ? 1u + b : 0;
	if (!w_has(w, va, 2))
		return 0;
	uint32_t len = (b & 0x7fu) | ((uint32_t)w8(w, va + 1) << 7);
	return len > KSYM_ENTRY_MAX ? 0 : 2u + len;
}

/* Walk all N entries from NS: every 256th must start at its marker, the
 * walk must end at most 7 bytes before LIMIT. */
static bool names_agree(const struct win *w, uint64_t ns, uint32_t n,
			uint64_t ms, unsigned esz, uint64_t limit)
{
	uint64_t pos = ns;
	for (uint32_t i = 0; i < n; i++) {
		if ((i & 255) == 0 &&
		    pos != ns + w32(w, ms + (uint64_t)(i / 256) * esz))
			return false;
		uint32_t sz = entry_size(w, pos);
		if (!sz || pos + sz > limit)
			return false;
		pos += sz;
	}
	return limit - pos < 8;
}

/* num_syms and the names before the markers at MS (C entries): the names
 * 8 bytes after an aligned num_syms, or (Linux >= 7.0) right after it. */
static bool find_names(const struct win *w, uint64_t ms, uint32_t c,
		       unsigned esz, uint64_t *ns_out, uint32_t *n_out,
		       uint64_t *num_out)
{
	uint32_t last = w32(w, ms + (uint64_t)(c - 1) * esz);
	if (ms < (uint64_t)last + 2 + 8)
		return false;
	uint64_t top = (ms - last - 2) & ~3ull;
	for (uint64_t back = 0; back <= 256u * ENTRY_MAX; back += 4) {
		if (top < back + 8)
			break;
		uint64_t ns = top - back;
		if (!w_has(w, ns - 8, 8))
			break;
		uint64_t num = (ns & 7) ? ns - 4 : ns - 8;
		uint32_t n = w32(w, num);
		if ((num & 7) || n <= 256u * (c - 1) || n > 256u * c)
			continue;
		/* the last block first (cheap), then everything */
		uint64_t pos = ns + last;
		bool ok = true;
		for (uint32_t i = 256u * (c - 1); i < n && ok; i++) {
			uint32_t sz = entry_size(w, pos);
			ok = sz && pos + sz <= ms;
			pos += sz;
		}
		if (!ok || ms - pos >= 8)
			continue;
		if (!names_agree(w, ns, n, ms, esz, ms))
			continue;
		*ns_out = ns;
		*n_out = n;
		*num_out = num;
		return true;
	}
	return false;
}

/* Markers right before the token table, or (6.2/6.3) separated from it
 * by kallsyms_seqs_of_names (3 bytes a symbol, 4 in early patches). */
static bool find_markers_names(const struct win *w, uint64_t tt,
			       struct gc_kallsyms_loc *loc)
{
	static const unsigned sizes[] = {4, 8};
	for (int pass = 0; pass < 2; pass++) {
		for (size_t si = 0; si < 2; si++) {
			unsigned esz = sizes[si];
			uint64_t lo = pass ? (tt > 4ull * KSYMS_MAX + 16 ?
					      tt - 4ull * KSYMS_MAX - 16 : 0) :
					     tt - 8;
			if (pass && esz == 8)
				continue;
			for (uint64_t end = pass ? tt - 8 : tt; end >= lo &&
			     end > w->va; end -= 4) {
				if (!pass && esz == 8 && end != tt)
					break;
				if (pass && !w_has(w, end - 8, 8))
					break;
				if (pass) {
					uint32_t a = w32(w, end - 4),
						 b = w32(w, end - 8);
					if (a <= b || a - b < 512)
						continue;
				}
				uint64_t ms;
				uint32_t c, n;
				uint64_t ns, num;
				if (!markers_ending(w, end, esz, &ms, &c))
					continue;
				if (!find_names(w, ms, c, esz, &ns, &n, &num))
					continue;
				if (pass) {
					uint64_t seq = (end + 7) & ~7ull;
					uint64_t l3 = ((uint64_t)n * 3 + 7) &
						      ~7ull;
					uint64_t l4 = ((uint64_t)n * 4 + 7) &
						      ~7ull;
					if (seq + l3 != tt && seq + l4 != tt)
						continue;
				}
				loc->markers = ms;
				loc->nr_markers = c;
				loc->marker_size = esz;
				loc->names = ns;
				loc->num_syms = num;
				loc->nr = n;
				loc->seqs_gap = pass;
				return true;
			}
		}
	}
	return false;
}

static const char *const key_syms[] = {"_stext", "init_uts_ns",
				       "swapper_pg_dir", "init_top_pgt",
				       "_text", "linux_banner"};

/*
 * A decoded table is right when it is sorted by address (the kernel sorts
 * it) and the symbols VMCOREINFO names agree with it: the key ones above
 * must, and at least one must be present when VMCOREINFO has any.
 * *AGREE counts every SYMBOL() that matched.
 */
static bool table_sane(const struct gc_symtab *t,
		       const struct gc_vmcoreinfo *vi, unsigned int *agree,
		       char *why, size_t whylen)
{
	*agree = 0;
	for (size_t i = 1; i < t->n; i++)
		if (t->s[i].addr < t->s[i - 1].addr) {
			snprintf(why, whylen, "addresses not sorted at "
				 "symbol %zu", i);
			return false;
		}
	if (!vi)
		return true;
	unsigned int keys_known = 0, keys_ok = 0;
	size_t nv = gc_vmcoreinfo_count(vi);
	for (size_t i = 0; i < nv; i++) {
		const struct gc_vmcoreinfo_entry *e = gc_vmcoreinfo_entry(vi,
									  i);
		if (strncmp(e->key, "SYMBOL(", 7))
			continue;
		char name[128];
		size_t kl = strlen(e->key);
		if (kl < 9 || kl - 8 >= sizeof(name))
			continue;
		memcpy(name, e->key + 7, kl - 8);
		name[kl - 8] = '\0';
		uint64_t want;
		if (!gc_vmcoreinfo_symbol(vi, name, &want))
			continue;
		bool key = false;
		for (size_t k = 0; k < GC_ARRAY_SIZE(key_syms); k++)
			key |= !strcmp(name, key_syms[k]);
		bool found = false, match = false;
		for (size_t j = 0; j < t->n && !match; j++)
			if (!strcmp(t->s[j].name, name)) {
				found = true;
				match = t->s[j].addr == want;
			}
		if (key && found) {
			keys_known++;
			if (!match) {
				snprintf(why, whylen, "%s disagrees with "
					 "VMCOREINFO (0x%" PRIx64 ")", name,
					 want);
				return false;
			}
			keys_ok++;
		}
		*agree += match;
	}
	bool vi_has_key = false;
	for (size_t k = 0; k < GC_ARRAY_SIZE(key_syms); k++) {
		uint64_t a;
		vi_has_key |= gc_vmcoreinfo_symbol(vi, key_syms[k], &a);
	}
	if (vi_has_key && !keys_ok) {
		snprintf(why, whylen, "none of VMCOREINFO's key symbols "
			 "(%u known) is in the decoded table", keys_known);
		return false;
	}
	return true;
}

struct layout {
	bool relative, pcrel;
	uint64_t tab, base;
	const char *name;
};

/* Try the address-table layouts for the names at LOC. */
static struct gc_error *try_layouts(const struct gc_kmem *m,
				    const struct gc_vmcoreinfo *vi,
				    struct gc_kallsyms_loc *loc,
				    struct gc_symtab *out, char *why,
				    size_t whylen)
{
	uint64_t n = loc->nr;
	uint64_t l4 = (n * 4 + 7) & ~7ull;
	struct layout c[5];
	size_t nc = 0;
	uint64_t rb = loc->num_syms - 8;
	if (rb >= l4)
		c[nc++] = (struct layout){true, false, rb - l4, rb,
			"kallsyms_offsets and kallsyms_relative_base before "
			"kallsyms_num_syms (4.6-6.3)"};
	uint64_t o64 = loc->token_index + 512;
	c[nc++] = (struct layout){true, false, o64, o64 + l4,
		"kallsyms_offsets and kallsyms_relative_base after "
		"kallsyms_token_index (6.4+)"};
	c[nc++] = (struct layout){true, true, o64, 0,
		"kallsyms_offsets after kallsyms_token_index, each relative "
		"to itself (7.0+)"};
	if (loc->num_syms >= n * 8)
		c[nc++] = (struct layout){false, false, loc->num_syms - n * 8, 0,
			"kallsyms_addresses before kallsyms_num_syms "
			"(no CONFIG_KALLSYMS_BASE_RELATIVE)"};
	c[nc++] = (struct layout){false, false, o64, 0,
		"kallsyms_addresses after kallsyms_token_index"};
	why[0] = '\0';
	for (size_t i = 0; i < nc; i++) {
		struct gc_kallsyms_loc l = *loc;
		l.relative = c[i].relative;
		l.pcrel = c[i].pcrel;
		l.offsets = c[i].relative ? c[i].tab : 0;
		l.relative_base = c[i].base;
		l.addresses = c[i].relative ? 0 : c[i].tab;
		l.layout = c[i].name;
		struct gc_symtab t;
		struct gc_error *e = decode(m, &l, &t);
		if (e) {
			snprintf(why, whylen, "%s", gc_error_string(e));
			gc_error_free(e);
			continue;
		}
		unsigned int agree;
		if (!table_sane(&t, vi, &agree, why, whylen)) {
			gc_symtab_free(&t);
			continue;
		}
		l.vmcoreinfo_agree = agree;
		*loc = l;
		sort_table(&t);
		*out = t;
		return NULL;
	}
	return gc_error_new(GC_ERR_CORRUPT, "kallsyms", "%s", why);
}

/* Look for the token index in W; on success fill LOC and OUT. */
static bool scan_window(const struct win *w, const struct gc_kmem *m,
			const struct gc_vmcoreinfo *vi,
			struct gc_kallsyms_loc *loc, struct gc_symtab *out,
			char *why, size_t whylen, unsigned int *candidates,
			uint64_t *from)
{
	uint64_t ti = (GC_MAX(*from, w->va) + 7) & ~7ull;
	for (; w_has(w, ti, 512); ti += 8) {
		*from = ti + 8;
		if (w16(w, ti) != 0)
			continue;
		uint16_t i1 = w16(w, ti + 2), i2 = w16(w, ti + 4);
		if (i1 == 0 || i1 > 256 || i2 <= i1 || i2 - i1 > 256)
			continue;
		uint16_t idx[256];
		bool ok = true;
		idx[0] = 0;
		for (int i = 1; i < 256 && ok; i++) {
			idx[i] = w16(w, ti + 2ull * i);
			ok = idx[i] > idx[i - 1] && idx[i] - idx[i - 1] <= 256;
		}
		uint64_t tt;
		if (!ok || !token_table_before(w, ti, idx, &tt))
			continue;
		(*candidates)++;
		struct gc_kallsyms_loc l = {0};
		l.token_table = tt;
		l.token_index = ti;
		if (!find_markers_names(w, tt, &l)) {
			snprintf(why, whylen, "a token table at 0x%" PRIx64
				 " has no markers and names before it", tt);
			continue;
		}
		struct gc_error *e = try_layouts(m, vi, &l, out, why, whylen);
		if (e) {
			gc_error_free(e);
			continue;
		}
		*loc = l;
		return true;
	}
	return false;
}

struct gc_error *gc_kallsyms_search(const struct gc_kmem *m,
				    const struct gc_va_range *ranges,
				    size_t nr_ranges,
				    const struct gc_vmcoreinfo *vi,
				    struct gc_symtab *out,
				    struct gc_kallsyms_loc *loc)
{
	memset(out, 0, sizeof(*out));
	memset(loc, 0, sizeof(*loc));
	uint8_t *buf = NULL;
	size_t cap = 0;
	char why[200] = "";
	unsigned int candidates = 0;
	uint64_t pages = 0, bytes_scanned = 0;
	bool found = false;
	for (size_t r = 0; r < nr_ranges && !found; r++) {
		uint64_t va = ranges[r].start & ~4095ull;
		uint64_t end = ranges[r].end;
		/* A run of readable pages is kept whole (the tables are
		 * found backwards from the token index); new positions are
		 * scanned every SEARCH_STEP bytes. */
		uint64_t wva = va, from = va;
		size_t len = 0;
		while (!found && pages < SEARCH_MAX_PAGES) {
			bool more = va < end;
			bool bad = false;
			if (more && len + 4096 > cap) {
				size_t nc = cap ? cap * 2 : 1u << 20;
				uint8_t *nb = realloc(buf, nc);
				if (!nb) {
					free(buf);
					return &gc_error_nomem;
				}
				buf = nb;
				cap = nc;
			}
			if (more) {
				pages++;
				struct gc_error *e = m->read(m->ctx, va,
							     buf + len, 4096);
				gc_error_free(e);
				bad = e != NULL;
				if (!bad)
					len += 4096;
				va += 4096;
			}
			bool last = !more || bad;
			if (!last && len % SEARCH_STEP && len < SEARCH_CAP)
				continue;
			struct win w = {buf, len, wva};
			uint64_t before = from;
			found = len && scan_window(&w, m, vi, loc, out, why,
						   sizeof(why), &candidates,
						   &from);
			bytes_scanned += from > before ? from - before : 0;
			if (!more)
				break;
			if (bad) {
				wva = from = va;
				len = 0;
			} else if (len >= SEARCH_CAP) {
				/* keep the tail, drop the rest */
				memmove(buf, buf + len - SEARCH_OVERLAP,
					SEARCH_OVERLAP);
				wva += len - SEARCH_OVERLAP;
				len = SEARCH_OVERLAP;
			}
		}
	}
	free(buf);
	if (!found)
		return gc_error_new(GC_ERR_NOT_PRESENT, "kallsyms",
				    "no kallsyms tables found in %" PRIu64
				    " KiB of the kernel image (%u token-table "
				    "candidate%s%s%s)", bytes_scanned >> 10,
				    candidates, candidates == 1 ? "" : "s",
				    why[0] ? "; last: " : "", why);
	loc->pages_read = pages;
	out->source = "kallsyms (found by searching the kernel image)";
	return NULL;
}

struct gc_error *gc_system_map_parse(const char *text, size_t len,
				     uint64_t slide, struct gc_symtab *out)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		char line[512];
		size_t ll = (size_t)(le - p);
		p = le + 1;
		if (ll >= sizeof(line))
			continue;
		memcpy(line, p - ll - 1, ll);
		line[ll] = '\0';
		char *endp;
		errno = 0;
		unsigned long long a = strtoull(line, &endp, 16);
		if (errno || endp == line || *endp != ' ' || !endp[1] ||
		    endp[2] != ' ' || !endp[3])
			continue;
		char type = endp[1];
		const char *name = endp + 3;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 1024;
			struct gc_ksym *ns = realloc(out->s, cap * sizeof(*ns));
			if (!ns) {
				gc_symtab_free(out);
				return &gc_error_nomem;
			}
			out->s = ns;
		}
		char *nm = strdup(name);
		if (!nm) {
			gc_symtab_free(out);
			return &gc_error_nomem;
		}
		out->s[out->n++] = (struct gc_ksym){
			.addr = (type == 'A' || type == 'a') ? a : a + slide,
			.type = type, .name = nm};
	}
	if (!out->n)
		return gc_error_new(GC_ERR_FORMAT, "System.map",
				    "no 'ADDRESS TYPE NAME' line");
	gc_qsort(out->s, out->n, sizeof(*out->s), by_addr);
	out->source = "System.map";
	return NULL;
}

static struct gc_error *slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return gc_error_new(GC_ERR_IO, path, "cannot open: %s",
				    strerror(errno));
	struct gc_strbuf sb;
	gc_strbuf_init(&sb);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		gc_strbuf_append(&sb, tmp, n);
		if (sb.len > MAP_FILE_MAX)
			break;
	}
	fclose(f);
	if (sb.len > MAP_FILE_MAX) {
		gc_strbuf_free(&sb);
		return gc_error_new(GC_ERR_FORMAT, path, "larger than %u bytes",
				    MAP_FILE_MAX);
	}
	*len = sb.len;
	gc_strbuf_append(&sb, "", 1);
	*buf = gc_strbuf_steal(&sb);
	return *buf ? NULL : &gc_error_nomem;
}

struct gc_error *gc_system_map_read(const char *path, uint64_t slide,
				    struct gc_symtab *out)
{
	char *buf;
	size_t len;
	struct gc_error *err = slurp(path, &buf, &len);
	if (err)
		return err;
	err = gc_system_map_parse(buf, len, slide, out);
	free(buf);
	return err ? gc_error_context(err, "reading %s", path) : NULL;
}

struct gc_error *gc_vmlinux_symtab_read(const char *path, uint64_t slide,
					struct gc_symtab *out)
{
	memset(out, 0, sizeof(*out));
	struct gc_file *f;
	struct gc_error *err = gc_file_open(path, &f);
	if (err)
		return err;
	Elf64_Ehdr eh;
	err = gc_file_read(f, 0, &eh, sizeof(eh), "ELF header");
	if (!err && (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
		     eh.e_ident[EI_CLASS] != ELFCLASS64 ||
		     eh.e_ident[EI_DATA] != ELFDATA2LSB ||
		     eh.e_shentsize != sizeof(Elf64_Shdr)))
		err = gc_error_at(GC_ERR_FORMAT, 0, "ELF header",
				  "not a little-endian ELF64 vmlinux");
	uint64_t shnum = err ? 0 : eh.e_shnum;
	if (!err && (shnum == 0 || !gc_range_ok(eh.e_shoff,
						 shnum * sizeof(Elf64_Shdr),
						 f->size)))
		err = gc_error_at(GC_ERR_FORMAT, eh.e_shoff, "section headers",
				  "%" PRIu64 " headers do not fit the file",
				  shnum);
	Elf64_Shdr sym = {0}, str = {0};
	bool found = false;
	for (uint64_t i = 0; !err && i < shnum; i++) {
		Elf64_Shdr sh;
		err = gc_file_read(f, eh.e_shoff + i * sizeof(sh), &sh,
				   sizeof(sh), "section header");
		if (err || sh.sh_type != SHT_SYMTAB)
			continue;
		if (sh.sh_link >= shnum) {
			err = gc_error_at(GC_ERR_FORMAT, eh.e_shoff,
					  ".symtab", "bad sh_link %u",
					  sh.sh_link);
			break;
		}
		sym = sh;
		err = gc_file_read(f, eh.e_shoff + (uint64_t)sh.sh_link *
				   sizeof(sh), &str, sizeof(str),
				   "section header");
		found = true;
		break;
	}
	if (!err && !found)
		err = gc_error_new(GC_ERR_NOT_PRESENT, path,
				   "no .symtab section (stripped vmlinux?)");
	if (!err && (!gc_range_ok(sym.sh_offset, sym.sh_size, f->size) ||
		     !gc_range_ok(str.sh_offset, str.sh_size, f->size) ||
		     !str.sh_size))
		err = gc_error_at(GC_ERR_TRUNCATED, sym.sh_offset, ".symtab",
				  "symbol or string table past end of file");
	size_t n = err ? 0 : (size_t)(sym.sh_size / sizeof(Elf64_Sym));
	char *strs = NULL;
	if (!err) {
		strs = malloc(str.sh_size + 1);
		out->s = calloc(n ? n : 1, sizeof(*out->s));
		if (!strs || !out->s)
			err = &gc_error_nomem;
		else
			err = gc_file_read(f, str.sh_offset, strs,
					   str.sh_size, ".strtab");
	}
	for (size_t i = 0; !err && i < n; i++) {
		Elf64_Sym es;
		err = gc_file_read(f, sym.sh_offset + i * sizeof(es), &es,
				   sizeof(es), ".symtab entry");
		if (err)
			break;
		if (es.st_name >= str.sh_size || !es.st_value)
			continue;
		unsigned t = ELF64_ST_TYPE(es.st_info);
		if (t != STT_FUNC && t != STT_OBJECT && t != STT_NOTYPE)
			continue;
		const char *nm = strs + es.st_name;
		size_t nl = strnlen(nm, str.sh_size - es.st_name);
		if (!nl)
			continue;
		char type = t == STT_FUNC ? 't' : 'd';
		if (ELF64_ST_BIND(es.st_info) != STB_LOCAL)
			type = (char)(type - 'a' + 'A');
		char *copy = strndup(nm, nl);
		if (!copy) {
			err = &gc_error_nomem;
			break;
		}
		out->s[out->n++] = (struct gc_ksym){
			.addr = es.st_shndx == SHN_ABS ? es.st_value :
							 es.st_value + slide,
			.type = type, .name = copy};
	}
	free(strs);
	gc_file_close(f);
	if (err) {
		gc_symtab_free(out);
		return gc_error_context(err, "reading %s", path);
	}
	gc_qsort(out->s, out->n, sizeof(*out->s), by_addr);
	out->source = "vmlinux .symtab";
	return NULL;
}

struct gc_error *gc_vmlinux_build_id(const char *path, char *hex, size_t size)
{
	if (size)
		hex[0] = '\0';
	struct gc_file *f;
	struct gc_error *err = gc_file_open(path, &f);
	if (err)
		return err;
	Elf64_Ehdr eh;
	err = gc_file_read(f, 0, &eh, sizeof(eh), "ELF header");
	if (!err && (memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
		     eh.e_ident[EI_CLASS] != ELFCLASS64 ||
		     eh.e_ident[EI_DATA] != ELFDATA2LSB ||
		     eh.e_shentsize != sizeof(Elf64_Shdr) ||
		     !gc_range_ok(eh.e_shoff,
				  (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr),
				  f->size)))
		err = gc_error_at(GC_ERR_FORMAT, 0, "ELF header",
				  "not a little-endian ELF64 vmlinux");
	bool found = false;
	for (uint64_t i = 0; !err && !found && i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		err = gc_file_read(f, eh.e_shoff + i * sizeof(sh), &sh,
				   sizeof(sh), "section header");
		if (err || sh.sh_type != SHT_NOTE)
			continue;
		if (!gc_range_ok(sh.sh_offset, sh.sh_size, f->size) ||
		    sh.sh_size > (1u << 20)) {
			err = gc_error_at(GC_ERR_TRUNCATED, sh.sh_offset,
					  "note section", "%" PRIu64 " bytes "
					  "do not fit the file", sh.sh_size);
			break;
		}
		uint8_t *b = malloc(sh.sh_size ? sh.sh_size : 1);
		if (!b) {
			err = &gc_error_nomem;
			break;
		}
		err = gc_file_read(f, sh.sh_offset, b, sh.sh_size, "notes");
		for (uint64_t pos = 0; !err && pos + 12 <= sh.sh_size;) {
			uint32_t nsz = gc_get32(b + pos, false);
			uint32_t dsz = gc_get32(b + pos + 4, false);
			uint32_t type = gc_get32(b + pos + 8, false);
			uint64_t nal = ((uint64_t)nsz + 3) & ~3ull;
			uint64_t dal = ((uint64_t)dsz + 3) & ~3ull;
			if (pos + 12 + nal + dal > sh.sh_size)
				break;
			const uint8_t *nm = b + pos + 12, *d = nm + nal;
			if (type == 3 && nsz == 4 && !memcmp(nm, "GNU", 4) &&
			    dsz && dsz * 2 + 1 <= size) {
				for (uint32_t k = 0; k < dsz; k++)
					snprintf(hex + 2 * k, 3, "%02x", d[k]);
				found = true;
				break;
			}
			pos += 12 + nal + dal;
		}
		free(b);
	}
	gc_file_close(f);
	if (!err && !found)
		err = gc_error_new(GC_ERR_NOT_PRESENT, path,
				   "no GNU build-id note");
	return err;
}
