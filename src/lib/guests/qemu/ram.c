// SPDX-License-Identifier: MIT
/*
 * Where guest RAM lives in a QEMU process: explicit --ram ranges, the
 * text of the monitor's `info mtree -f` / `info ramblock`, or the RAM
 * mapping recognised by size plus the machine type's standard layout
 * (facts from QEMU's hw/i386/pc_piix.c and pc_q35.c: pc splits at
 * 0xe0000000, or 0xc0000000 when RAM >= 0xe0000000 on machine types with
 * gigabyte alignment (all but pc-i440fx-1.7 and older: a real
 * pc-i440fx-2.0 guest of QEMU 7.2 splits at 3 GiB); q35 splits at
 * 0xb0000000, or 0x80000000 when RAM >= 0xb0000000; on pc
 * max-ram-below-4g replaces 0xe0000000 (it may raise the split, up to
 * 4 GiB) and the 3 GiB cap applies once RAM reaches it, on q35 it can only
 * lower the split; the rest of RAM starts at 4 GiB).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "formats/qemu_core.h"
#include "guests/qemu/ram.h"
#include "util/vec.h"

#define GIB (1ull << 30)
#define MAX_TEXT_RANGES 100000

const char *gc_qemu_ram_method_name(enum gc_qemu_ram_method m)
{
	switch (m) {
	case GC_QEMU_RAM_EXPLICIT: return "explicit";
	case GC_QEMU_RAM_MTREE: return "mtree";
	case GC_QEMU_RAM_LAYOUT: return "layout";
	}
	return "?";
}

void gc_qemu_ram_map_free(struct gc_qemu_ram_map *m)
{
	if (!m)
		return;
	free(m->why);
	free(m->machine);
	free(m->ranges);
	for (size_t i = 0; i < m->nr_notes; i++)
		free(m->notes[i]);
	free(m->notes);
	memset(m, 0, sizeof(*m));
}

static struct gc_error *map_note(struct gc_qemu_ram_map *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct gc_error *map_note(struct gc_qemu_ram_map *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = gc_vasprintf(fmt, ap);
	va_end(ap);
	char **n = s ? realloc(m->notes, (m->nr_notes + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(s);
		return &gc_error_nomem;
	}
	m->notes = n;
	m->notes[m->nr_notes++] = s;
	return NULL;
}

static struct gc_error *map_add(struct gc_qemu_ram_map *m, uint64_t gpa, uint64_t size,
				uint64_t hva, const char *name)
{
	if (!size)
		return NULL;
	void *n = realloc(m->ranges, (m->nr_ranges + 1) * sizeof(*m->ranges));
	if (!n)
		return &gc_error_nomem;
	m->ranges = n;
	struct gc_qemu_ram_range *r = &m->ranges[m->nr_ranges++];
	r->gpa = gpa;
	r->size = size;
	r->hva = hva;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
	return NULL;
}

static int range_cmp(const void *a, const void *b)
{
	const struct gc_qemu_ram_range *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static struct gc_error *map_finish(struct gc_qemu_ram_map *m)
{
	gc_qsort(m->ranges, m->nr_ranges, sizeof(*m->ranges), range_cmp);
	for (size_t i = 0; i < m->nr_ranges; i++) {
		struct gc_qemu_ram_range *r = &m->ranges[i];
		uint64_t e;
		if (!gc_add_ok(r->gpa, r->size, &e) || !gc_add_ok(r->hva, r->size, &e))
			return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, r->gpa, "guest RAM range",
					     "size 0x%" PRIx64 " wraps the address space", r->size);
		if ((r->gpa | r->size | r->hva) & 0xfff)
			return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, r->gpa, "guest RAM range",
					     "GPA 0x%" PRIx64 ", size 0x%" PRIx64 " and HVA 0x%" PRIx64
					     " must be 4 KiB aligned", r->gpa, r->size, r->hva);
		if (i && r->gpa < m->ranges[i - 1].gpa + m->ranges[i - 1].size)
			return gc_error_addr(GC_ERR_INVALID_ARG, GC_SPACE_PHYS, r->gpa, "guest RAM range",
					     "overlaps the range at 0x%" PRIx64, m->ranges[i - 1].gpa);
	}
	/* merge neighbours contiguous in both spaces and from one block */
	size_t j = 0;
	for (size_t i = 0; i < m->nr_ranges; i++) {
		if (j && m->ranges[j - 1].gpa + m->ranges[j - 1].size == m->ranges[i].gpa &&
		    m->ranges[j - 1].hva + m->ranges[j - 1].size == m->ranges[i].hva &&
		    !strcmp(m->ranges[j - 1].name, m->ranges[i].name)) {
			m->ranges[j - 1].size += m->ranges[i].size;
			continue;
		}
		m->ranges[j++] = m->ranges[i];
	}
	m->nr_ranges = j;
	return NULL;
}

/* ---- numbers and sizes ------------------------------------------------------ */

static bool parse_hex(const char *s, size_t n, uint64_t *out)
{
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (!n || n > 16)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return true;
}

/* QEMU size: decimal (or 0x hex) with optional B/K/M/G/T/P/E suffix;
 * DEF_SHIFT applies without a suffix. */
static bool parse_qemu_size(const char *s, size_t n, unsigned def_shift, uint64_t *out)
{
	if (!n)
		return false;
	unsigned shift = def_shift;
	char last = s[n - 1];
	const char *units = "BKMGTPE";
	const char *u = strchr(units, toupper((unsigned char)last));
	if (u && last) {
		shift = 10 * (unsigned)(u - units);
		n--;
	}
	if (!n || n > 20)
		return false;
	uint64_t v = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (!parse_hex(s, n, &v))
			return false;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (!isdigit((unsigned char)s[i]))
				return false;
			if (!gc_mul_ok(v, 10, &v) || !gc_add_ok(v, (uint64_t)(s[i] - '0'), &v))
				return false;
		}
	}
	if (shift >= 64 || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = v << shift;
	return true;
}

struct gc_error *gc_qemu_parse_ram_arg(const char *arg, struct gc_qemu_ram_range *out)
{
	memset(out, 0, sizeof(*out));
	const char *colon = strchr(arg, ':'), *at = strchr(arg, '@');
	if (!colon || !at || at < colon)
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "'%s' is not GPA:SIZE@HVA", arg);
	if (!parse_hex(arg, (size_t)(colon - arg), &out->gpa))
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "bad GPA in '%s'", arg);
	const char *sz = colon + 1;
	size_t szn = (size_t)(at - sz);
	if (!(szn > 2 && sz[0] == '0' && (sz[1] == 'x' || sz[1] == 'X') &&
	      parse_hex(sz, szn, &out->size)) &&
	    !parse_qemu_size(sz, szn, 0, &out->size))
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "bad SIZE in '%s' (0xHEX or decimal with K/M/G)", arg);
	if (!parse_hex(at + 1, strlen(at + 1), &out->hva))
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "bad HVA in '%s'", arg);
	if (!out->size)
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "empty range in '%s'", arg);
	if ((out->gpa | out->size | out->hva) & 0xfff)
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "'%s': GPA, SIZE and HVA must be 4 KiB aligned", arg);
	uint64_t e;
	if (!gc_add_ok(out->gpa, out->size, &e) || !gc_add_ok(out->hva, out->size, &e))
		return gc_error_new(GC_ERR_INVALID_ARG, "--ram", "'%s' wraps the address space", arg);
	return NULL;
}

/* ---- monitor text ---------------------------------------------------------- */

struct line_iter {
	const char *p, *end;
};
static bool next_line(struct line_iter *it, const char **s, size_t *n)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *e = nl ? nl : it->end;
	*s = it->p;
	*n = (size_t)(e - it->p);
	while (*n && (s[0][*n - 1] == '\r'))
		(*n)--;
	it->p = nl ? nl + 1 : it->end;
	return true;
}

static bool starts(const char *s, size_t n, const char *pfx)
{
	size_t l = strlen(pfx);
	return n >= l && !memcmp(s, pfx, l);
}

static const char *find_in(const char *s, size_t n, const char *needle)
{
	size_t l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (!memcmp(s + i, needle, l))
			return s + i;
	return NULL;
}

struct gc_error *gc_qemu_parse_mtree(const char *text, size_t len,
				     struct gc_qemu_mtree_range **out, size_t *nr)
{
	*out = NULL;
	*nr = 0;
	struct line_iter it = { text, text + len };
	const char *s;
	size_t n;
	bool in_view = false, is_memory = false, found = false, done = false;
	struct gc_qemu_mtree_range *v = NULL;
	size_t cnt = 0, cap = 0;
	uint64_t lineno = 0;
	while (!done && next_line(&it, &s, &n)) {
		lineno++;
		if (starts(s, n, "FlatView #")) {
			if (is_memory)
				done = true;
			in_view = true;
			is_memory = false;
			continue;
		}
		if (!in_view)
			continue;
		while (n && *s == ' ') {
			s++;
			n--;
		}
		if (starts(s, n, "AS \"memory\"")) {
			is_memory = true;
			found = true;
			continue;
		}
		size_t hx = 0;
		while (hx < n && isxdigit((unsigned char)s[hx]))
			hx++;
		if (!is_memory || !hx || hx >= n || s[hx] != '-')
			continue;
		/* START-END (prio P, TYPE): NAME[ @OFFSET][ KVM] */
		const char *dash = memchr(s, '-', n);
		const char *paren = find_in(s, n, " (prio ");
		const char *close = find_in(s, n, "): ");
		if (!dash || !paren || !close || dash > paren || paren > close) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info mtree -f",
					    "line %" PRIu64 ": '%.*s' is not START-END (prio N, TYPE): NAME",
					    lineno, (int)GC_MIN(n, 80), s);
		}
		uint64_t start, last;
		if (!parse_hex(s, (size_t)(dash - s), &start) ||
		    !parse_hex(dash + 1, (size_t)(paren - dash - 1), &last) || last < start) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info mtree -f",
					    "line %" PRIu64 ": bad address range '%.*s'", lineno,
					    (int)(paren - s), s);
		}
		const char *comma = memchr(paren + 1, ',', (size_t)(close - paren - 1));
		if (!comma)
			continue;
		const char *type = comma + 1;
		while (type < close && *type == ' ')
			type++;
		size_t tn = (size_t)(close - type);
		bool ram = tn == 3 && !memcmp(type, "ram", 3);
		bool rom = tn == 3 && !memcmp(type, "rom", 3);
		if (!ram && !rom)
			continue;
		const char *name = close + 3;
		size_t nn = (size_t)(s + n - name);
		uint64_t off = 0;
		const char *atp = find_in(name, nn, " @");
		size_t name_len = nn;
		if (atp) {
			name_len = (size_t)(atp - name);
			const char *h = atp + 2;
			size_t hn = 0;
			while (h + hn < s + n && isxdigit((unsigned char)h[hn]))
				hn++;
			if (!parse_hex(h, hn, &off)) {
				free(v);
				return gc_error_new(GC_ERR_FORMAT, "info mtree -f",
						    "line %" PRIu64 ": bad offset after '@'", lineno);
			}
		} else {
			const char *k = find_in(name, nn, " KVM");
			if (k)
				name_len = (size_t)(k - name);
		}
		while (name_len && name[name_len - 1] == ' ')
			name_len--;
		if (cnt >= MAX_TEXT_RANGES) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info mtree -f", "more than %u RAM ranges",
					    MAX_TEXT_RANGES);
		}
		if (!gc_vec_reserve(&v, &cap, cnt + 1)) {
			free(v);
			return &gc_error_nomem;
		}
		struct gc_qemu_mtree_range *r = &v[cnt++];
		memset(r, 0, sizeof(*r));
		r->gpa = start;
		r->size = last - start + 1; /* last == UINT64_MAX start == 0 wraps to 0 */
		r->offset = off;
		r->rom = rom;
		snprintf(r->name, sizeof(r->name), "%.*s", (int)GC_MIN(name_len, 63), name);
		if (!r->size) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info mtree -f",
					    "line %" PRIu64 ": range covers the whole address space", lineno);
		}
	}
	if (!found) {
		free(v);
		return gc_error_new(GC_ERR_FORMAT, "info mtree -f",
				    "no FlatView for address space \"memory\" (is this `info mtree -f` output?)");
	}
	*out = v;
	*nr = cnt;
	return NULL;
}

struct gc_error *gc_qemu_parse_ramblock(const char *text, size_t len,
					struct gc_qemu_ramblock **out, size_t *nr)
{
	*out = NULL;
	*nr = 0;
	struct line_iter it = { text, text + len };
	const char *s;
	size_t n;
	bool header = false, has_hva = false;
	struct gc_qemu_ramblock *v = NULL;
	size_t cnt = 0, cap = 0;
	uint64_t lineno = 0;
	while (next_line(&it, &s, &n)) {
		lineno++;
		if (find_in(s, n, "Block Name") && find_in(s, n, "Offset")) {
			header = true;
			has_hva = find_in(s, n, "HVA") != NULL;
			continue;
		}
		if (!header)
			continue;
		/* tokens */
		const char *tok[16];
		size_t tl[16], nt = 0;
		for (size_t i = 0; i < n;) {
			while (i < n && isspace((unsigned char)s[i]))
				i++;
			if (i >= n)
				break;
			size_t b = i;
			while (i < n && !isspace((unsigned char)s[i]))
				i++;
			if (nt < 16) {
				tok[nt] = s + b;
				tl[nt] = i - b;
			}
			nt++;
		}
		if (nt == 0) {
			header = false; /* a blank line ends the table */
			continue;
		}
		size_t want = has_hva ? 7 : 6;
		if (nt != want) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info ramblock",
					    "line %" PRIu64 ": %zu fields, expected %zu "
					    "(NAME PSIZE UNIT OFFSET USED TOTAL%s)",
					    lineno, nt, want, has_hva ? " HVA" : "");
		}
		struct gc_qemu_ramblock b;
		memset(&b, 0, sizeof(b));
		snprintf(b.name, sizeof(b.name), "%.*s", (int)GC_MIN(tl[0], 63), tok[0]);
		char unit[8];
		snprintf(unit, sizeof(unit), "%.*s", (int)GC_MIN(tl[2], 7), tok[2]);
		uint64_t ps;
		if (!parse_qemu_size(tok[1], tl[1], 0, &ps) || !unit[0] ||
		    !strchr("BKMGT", unit[0]) || !parse_qemu_size(tok[1], tl[1], unit[0] == 'B' ? 0 :
		    10 * (unsigned)(strchr("BKMGT", unit[0]) - "BKMGT"), &b.page_size) ||
		    !parse_hex(tok[3], tl[3], &b.offset) || !parse_hex(tok[4], tl[4], &b.used) ||
		    !parse_hex(tok[5], tl[5], &b.total) ||
		    (has_hva && !parse_hex(tok[6], tl[6], &b.hva))) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info ramblock",
					    "line %" PRIu64 ": unparsable field in '%.*s'", lineno,
					    (int)GC_MIN(n, 100), s);
		}
		b.has_hva = has_hva;
		if (cnt >= MAX_TEXT_RANGES) {
			free(v);
			return gc_error_new(GC_ERR_FORMAT, "info ramblock", "too many blocks");
		}
		if (!gc_vec_push(&v, &cnt, &cap, &b)) {
			free(v);
			return &gc_error_nomem;
		}
	}
	if (!cnt) {
		free(v);
		return gc_error_new(GC_ERR_FORMAT, "info ramblock",
				    "no 'Block Name ... Offset' table found (is this `info ramblock` output?)");
	}
	*out = v;
	*nr = cnt;
	return NULL;
}

/* ---- machine layout --------------------------------------------------------- */

enum mkind { M_UNKNOWN, M_PC, M_Q35 };

static enum mkind machine_kind(const char *m, bool *gig_align)
{
	*gig_align = true;
	if (!strcmp(m, "q35") || !strncmp(m, "pc-q35-", 7))
		return M_Q35;
	if (!strcmp(m, "pc") || !strncmp(m, "pc-i440fx-", 10) || !strncmp(m, "pc-0.", 5) ||
	    !strncmp(m, "pc-1.", 5)) {
		unsigned maj = 0, min = 0;
		if (!strncmp(m, "pc-0.", 5) || !strncmp(m, "pc-1.", 5))
			*gig_align = false;
		else if (sscanf(m, "pc-i440fx-%u.%u", &maj, &min) == 2 && maj < 2)
			*gig_align = false;   /* pc-i440fx-1.7 and older (pc_compat_1_7) */
		return M_PC;
	}
	return M_UNKNOWN;
}

struct gc_error *gc_qemu_x86_layout(const char *machine, uint64_t ram_size,
				    uint64_t max_below, uint64_t *below, uint64_t *above)
{
	bool gig;
	enum mkind k = machine_kind(machine, &gig);
	uint64_t lowmem;
	if (max_below > 4 * GIB)
		return gc_error_new(GC_ERR_FORMAT, "machine options",
				    "max-ram-below-4g=0x%" PRIx64 " is above 4 GiB (QEMU refuses it)",
				    max_below);
	if (k == M_PC) {
		/* max-ram-below-4g replaces the 3.5 GiB default (and may raise
		 * it); gigabyte-aligned machine versions cap it at 3 GiB once RAM
		 * reaches it */
		uint64_t limit = max_below ? max_below : 0xe0000000ull;
		lowmem = limit;
		if (ram_size >= limit && gig && lowmem > 0xc0000000ull)
			lowmem = 0xc0000000ull;
	} else if (k == M_Q35) {
		/* the option can only lower q35's split */
		lowmem = ram_size >= 0xb0000000ull ? 0x80000000ull : 0xb0000000ull;
		if (max_below && lowmem > max_below)
			lowmem = max_below;
	} else {
		return gc_error_new(GC_ERR_UNSUPPORTED, "machine type",
				    "'%s': the standard layout is known for pc and q35 only", machine);
	}
	if (ram_size >= lowmem) {
		*below = lowmem;
		*above = ram_size - lowmem;
	} else {
		*below = ram_size;
		*above = 0;
	}
	return NULL;
}

/* ---- the command line --------------------------------------------------- */

struct qemu_cmdline {
	char machine[64];
	bool machine_given;
	uint64_t ram_size;
	bool ram_given;
	uint64_t max_below;
	char backend[64];
};

/* "key=value" property KEY in a comma list, or the leading implicit value. */
static bool prop(const char *list, const char *key, char *out, size_t outsz)
{
	size_t kl = key ? strlen(key) : 0;
	const char *p = list;
	bool first = true;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (!key && first && !eq) {
			snprintf(out, outsz, "%.*s", (int)n, p);
			return true;
		}
		if (key && eq && (size_t)(eq - p) == kl && !memcmp(p, key, kl)) {
			snprintf(out, outsz, "%.*s", (int)(n - kl - 1), eq + 1);
			return true;
		}
		first = false;
		if (!e)
			break;
		p = e + 1;
	}
	return false;
}

static void parse_cmdline(const char *const *argv, size_t argc, struct qemu_cmdline *q)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->machine, sizeof(q->machine), "pc");
	q->ram_size = 128ull << 20;
	for (size_t i = 1; i + 1 < argc; i++) {
		const char *o = argv[i];
		if (o[0] == '-' && o[1] == '-')
			o++;
		const char *a = argv[i + 1];
		char v[256];
		if (!strcmp(o, "-m")) {
			const char *sz = a;
			if (prop(a, "size", v, sizeof(v)) || prop(a, NULL, v, sizeof(v)))
				sz = v;
			uint64_t s;
			if (parse_qemu_size(sz, strlen(sz), 20, &s)) {
				q->ram_size = s;
				q->ram_given = true;
			}
			i++;
		} else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
			if (prop(a, "type", v, sizeof(v)) || prop(a, NULL, v, sizeof(v))) {
				snprintf(q->machine, sizeof(q->machine), "%.63s", v);
				q->machine_given = true;
			}
			uint64_t s;
			if (prop(a, "max-ram-below-4g", v, sizeof(v)) &&
			    parse_qemu_size(v, strlen(v), 0, &s))
				q->max_below = s;
			if (prop(a, "memory-backend", v, sizeof(v)))
				snprintf(q->backend, sizeof(q->backend), "%.63s", v);
			i++;
		}
	}
}

/* ---- finding RAM blocks in the core ------------------------------------- */

static bool plausible_ram_mapping(const struct gc_qemu_core *c, const struct gc_qemu_segment *s)
{
	if (!(s->flags & 2))
		return false; /* guest RAM is writable */
	const char *path = gc_qemu_core_path_at(c, s->vaddr);
	if (!path)
		return true; /* anonymous */
	return strstr(path, "/memfd:") || strstr(path, "hugepages") || strstr(path, "hugetlbfs") ||
	       !strncmp(path, "/dev/shm/", 9) || strstr(path, "/dev/zero");
}

/* The one mapping of SIZE bytes that looks like a RAM block (NAME helps
 * choose among several).  Returns the number of candidates. */
static size_t find_block(const struct gc_qemu_core *c, uint64_t size, const char *name,
			 bool need_rw, uint64_t *hva, struct gc_strbuf *cands)
{
	size_t nc = 0, named = 0;
	uint64_t first = 0, first_named = 0;
	for (size_t i = 0; i < c->nr_segs; i++) {
		const struct gc_qemu_segment *s = &c->segs[i];
		if (s->memsz != size)
			continue;
		if (need_rw ? !plausible_ram_mapping(c, s) : false)
			continue;
		const char *path = gc_qemu_core_path_at(c, s->vaddr);
		if (!need_rw && path && !strstr(path, "/memfd:"))
			continue;
		if (!nc)
			first = s->vaddr;
		nc++;
		if (cands)
			gc_strbuf_printf(cands, "%s0x%" PRIx64 "%s%s", nc > 1 ? ", " : "", s->vaddr,
					 path ? " " : "", path ? path : "");
		if (name && path && name[0]) {
			char want[80];
			snprintf(want, sizeof(want), "/memfd:%s", name);
			if (strstr(path, want)) {
				if (!named)
					first_named = s->vaddr;
				named++;
			}
		}
	}
	if (named == 1) {
		*hva = first_named;
		return 1;
	}
	if (nc == 1)
		*hva = first;
	return nc;
}

static uint64_t page_up(uint64_t v)
{
	return v > UINT64_MAX - 0xfff ? UINT64_MAX & ~0xfffull : (v + 0xfff) & ~0xfffull;
}

static struct gc_error *build_from_mtree(struct gc_qemu_core *c, const struct gc_qemu_ram_opts *o,
					 const struct qemu_cmdline *q, struct gc_qemu_ram_map *m)
{
	struct gc_qemu_mtree_range *mt = NULL;
	struct gc_qemu_ramblock *rb = NULL;
	size_t nmt = 0, nrb = 0;
	struct gc_error *err = NULL;
	bool have_mt = find_in(o->mtree_text, o->mtree_len, "FlatView") != NULL;
	bool have_rb = find_in(o->mtree_text, o->mtree_len, "Block Name") != NULL;
	if (!have_mt && !have_rb)
		return gc_error_new(GC_ERR_FORMAT, "--mtree",
				    "neither `info mtree -f` (FlatView ...) nor `info ramblock` (Block Name ...) output");
	if (have_mt && (err = gc_qemu_parse_mtree(o->mtree_text, o->mtree_len, &mt, &nmt)))
		return err;
	if (have_rb && (err = gc_qemu_parse_ramblock(o->mtree_text, o->mtree_len, &rb, &nrb))) {
		free(mt);
		return err;
	}
	m->method = GC_QEMU_RAM_MTREE;
	if (!have_mt) {
		/* ramblock alone: block sizes (and maybe HVAs), not guest addresses;
		 * place the main RAM block with the machine layout. */
		const char *main_name = q->backend[0] ? q->backend : "pc.ram";
		const struct gc_qemu_ramblock *b = NULL;
		for (size_t i = 0; i < nrb; i++)
			if (!strcmp(rb[i].name, main_name))
				b = &rb[i];
		if (!b) {
			err = gc_error_new(GC_ERR_NOT_PRESENT, "info ramblock",
					   "no RAM block named '%s'", main_name);
			goto out;
		}
		uint64_t hva = b->hva;
		if (!b->has_hva) {
			struct gc_strbuf cs;
			gc_strbuf_init(&cs);
			size_t n = find_block(c, page_up(b->total), b->name, true, &hva, &cs);
			if (n != 1) {
				err = gc_error_new(GC_ERR_NOT_PRESENT, "RAM block",
						   "'%s' (0x%" PRIx64 " bytes): %zu mappings of that size in the core%s%s%s",
						   b->name, b->total, n, n ? " (" : "", cs.buf ? cs.buf : "", n ? "); give --ram" : "");
				gc_strbuf_free(&cs);
				goto out;
			}
			gc_strbuf_free(&cs);
		}
		uint64_t below, above;
		if ((err = gc_qemu_x86_layout(q->machine, b->used, q->max_below, &below, &above)))
			goto out;
		if ((err = map_add(m, 0, below, hva, b->name)) ||
		    (err = map_add(m, 4 * GIB, above, hva + below, b->name)))
			goto out;
		m->why = gc_asprintf("`info ramblock` gave block '%s' (0x%" PRIx64 " bytes%s); no `info mtree -f` "
				     "text, so its guest addresses follow the %s layout (below 4 GiB: 0x%" PRIx64 ")",
				     b->name, b->used, b->has_hva ? ", HVA from the table" : ", HVA: the only mapping of that size",
				     q->machine, below);
		err = map_note(m, "ROM blocks and other RAM blocks are not placed without `info mtree -f`");
		goto out;
	}
	/* mtree: GPA -> (block, offset); HVA per block from ramblock or by size */
	struct { char name[64]; uint64_t hva; bool ok; } blk[64];
	size_t nblk = 0;
	size_t unresolved = 0;
	for (size_t i = 0; i < nmt && !err; i++) {
		struct gc_qemu_mtree_range *r = &mt[i];
		size_t k;
		if ((r->gpa | r->size | r->offset) & 0xfff) {
			err = map_note(m, "range 0x%" PRIx64 "-0x%" PRIx64 " of '%s' is not 4 KiB aligned: left out",
				       r->gpa, r->gpa + r->size - 1, r->name);
			unresolved++;
			continue;
		}
		for (k = 0; k < nblk; k++)
			if (!strcmp(blk[k].name, r->name))
				break;
		if (k == nblk) {
			if (nblk == GC_ARRAY_SIZE(blk)) {
				err = gc_error_new(GC_ERR_UNSUPPORTED, "info mtree -f", "more than 64 RAM blocks");
				break;
			}
			nblk++;
			snprintf(blk[k].name, sizeof(blk[k].name), "%s", r->name);
			blk[k].ok = false;
			const struct gc_qemu_ramblock *b = NULL;
			for (size_t j = 0; j < nrb; j++)
				if (!strcmp(rb[j].name, r->name))
					b = &rb[j];
			if (b && b->has_hva) {
				blk[k].hva = b->hva;
				blk[k].ok = true;
			} else {
				uint64_t size = 0;
				const char *how;
				if (b) {
					size = page_up(b->total);
					how = "its `info ramblock` size";
				} else {
					uint64_t ext = 0;
					for (size_t j = 0; j < nmt; j++)
						if (!strcmp(mt[j].name, r->name) &&
						    mt[j].offset + mt[j].size > ext)
							ext = mt[j].offset + mt[j].size;
					size = page_up(ext);
					how = "the extent `info mtree -f` shows";
					if (q->ram_size >= ext && q->ram_size - ext < 4 * GIB &&
					    (!strcmp(r->name, "pc.ram") || !strcmp(r->name, q->backend))) {
						size = q->ram_size;
						how = "the -m RAM size";
					}
				}
				struct gc_strbuf cs;
				gc_strbuf_init(&cs);
				size_t n = find_block(c, size, r->name, !r->rom, &blk[k].hva, &cs);
				if (n == 1)
					blk[k].ok = true;
				else
					err = map_note(m, "RAM block '%s': %zu mappings of 0x%" PRIx64 " bytes (%s) in the core%s%s%s: its guest ranges are left out",
						       r->name, n, size, how, n ? " (" : "", n ? cs.buf : "", n ? ")" : "");
				gc_strbuf_free(&cs);
			}
		}
		if (err)
			break;
		if (!blk[k].ok) {
			unresolved++;
			continue;
		}
		err = map_add(m, r->gpa, r->size, blk[k].hva + r->offset, r->name);
	}
	if (err)
		goto out;
	m->why = gc_asprintf("`info mtree -f` FlatView of AS \"memory\": %zu RAM/ROM range(s) in %zu block(s); "
			     "host addresses from %s%s",
			     nmt, nblk, nrb && rb[0].has_hva ? "the `info ramblock` HVA column" :
			     nrb ? "the mappings matching the `info ramblock` sizes" : "the mappings matching the block sizes",
			     unresolved ? " (some blocks unresolved, see notes)" : "");
	if (!m->nr_ranges)
		err = gc_error_new(GC_ERR_NOT_PRESENT, "guest RAM",
				   "no RAM range of `info mtree -f` could be placed in the core");
out:
	free(mt);
	free(rb);
	return err;
}

static struct gc_error *build_from_layout(struct gc_qemu_core *c, const struct gc_qemu_ram_opts *o,
					  const struct qemu_cmdline *q, const char *argv_source,
					  struct gc_qemu_ram_map *m)
{
	m->method = GC_QEMU_RAM_LAYOUT;
	uint64_t below, above, hva = 0;
	struct gc_error *err = gc_qemu_x86_layout(q->machine, q->ram_size, q->max_below, &below, &above);
	if (err)
		return gc_error_context(err, "placing guest RAM (give --ram GPA:SIZE@HVA or --mtree FILE)");
	struct gc_strbuf cs;
	gc_strbuf_init(&cs);
	size_t n = find_block(c, q->ram_size, q->backend[0] ? q->backend : "pc.ram", true, &hva, &cs);
	if (n != 1) {
		err = gc_error_new(GC_ERR_NOT_PRESENT, "guest RAM mapping",
				   "%zu writable anonymous/memfd mappings of exactly 0x%" PRIx64 " bytes (the RAM size) in the core%s%s%s; "
				   "give --ram GPA:SIZE@HVA or --mtree FILE",
				   n, q->ram_size, n ? " (" : "", n ? cs.buf : "", n ? ")" : "");
		gc_strbuf_free(&cs);
		return err;
	}
	gc_strbuf_free(&cs);
	const char *path = gc_qemu_core_path_at(c, hva);
	if ((err = map_add(m, 0, below, hva, q->backend[0] ? q->backend : "pc.ram")) ||
	    (err = map_add(m, 4 * GIB, above, hva + below, q->backend[0] ? q->backend : "pc.ram")))
		return err;
	m->why = gc_asprintf(
		"RAM size 0x%" PRIx64 " (%s) and machine '%s' (%s), from the command line (%s); the only writable %s mapping "
		"of that size is at HVA 0x%" PRIx64 "; the %s layout puts 0x%" PRIx64 " bytes below 4 GiB and 0x%" PRIx64
		" at 4 GiB",
		q->ram_size, o->ram_size ? "--ram-size" : q->ram_given ? "-m" : "QEMU's default",
		q->machine, o->machine ? "--machine" : q->machine_given ? "-machine" : "QEMU's default",
		argv_source ? argv_source : "not recovered", path ? path : "anonymous", hva, q->machine, below, above);
	if (!m->why)
		return &gc_error_nomem;
	if (below > 0xa0000 && (err = map_note(m,
		"the layout maps all of RAM below 0x%" PRIx64 " including 0xa0000-0xfffff, where the guest may see "
		"VGA, option ROMs or the BIOS instead (PAM/SMRAM state); --mtree gives the exact view", below)))
		return err;
	return map_note(m, "ROM blocks (pc.bios, pc.rom) and device RAM (VGA VRAM) are not extracted by the layout method");
}

struct gc_error *gc_qemu_ram_map_build(struct gc_qemu_core *c, const struct gc_qemu_ram_opts *o,
				       struct gc_qemu_ram_map *m)
{
	memset(m, 0, sizeof(*m));
	const char *const *argv;
	const char *src = NULL;
	size_t argc = gc_qemu_core_argv(c, &argv, &src);
	struct qemu_cmdline q;
	parse_cmdline(argv, argc, &q);
	if (o->machine) {
		snprintf(q.machine, sizeof(q.machine), "%s", o->machine);
		q.machine_given = true;
	}
	if (o->ram_size) {
		q.ram_size = o->ram_size;
		q.ram_given = true;
	}
	if (argc || o->machine)
		m->machine = strdup(q.machine);
	m->ram_size = argc || o->ram_size ? q.ram_size : 0;
	struct gc_error *err = NULL;
	if (o->nr_explicit) {
		m->method = GC_QEMU_RAM_EXPLICIT;
		for (size_t i = 0; i < o->nr_explicit && !err; i++)
			err = map_add(m, o->explicit_ranges[i].gpa, o->explicit_ranges[i].size,
				      o->explicit_ranges[i].hva, o->explicit_ranges[i].name);
		if (!err)
			m->why = gc_asprintf("%zu range(s) given with --ram", o->nr_explicit);
		if (!err && o->mtree_text)
			err = map_note(m, "--mtree ignored: explicit --ram ranges take precedence");
	} else if (o->mtree_text) {
		err = build_from_mtree(c, o, &q, m);
	} else {
		if (!argc && !(o->machine && o->ram_size)) {
			err = gc_error_new(GC_ERR_NOT_PRESENT, "QEMU command line",
					   "not recoverable from the core (no auxv/stack, no NT_PRPSINFO): "
					   "give --ram GPA:SIZE@HVA or --mtree FILE");
		} else {
			err = build_from_layout(c, o, &q, src, m);
		}
	}
	if (!err)
		err = map_finish(m);
	if (!err && !m->why)
		err = &gc_error_nomem;
	if (err) {
		gc_qemu_ram_map_free(m);
		return err;
	}
	return NULL;
}

const struct gc_qemu_ram_range *gc_qemu_ram_range_find(
	const struct gc_qemu_ram_range *ranges, size_t n, uint64_t gpa)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ranges[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct gc_qemu_ram_range *r = &ranges[lo - 1];
	return gpa - r->gpa < r->size ? r : NULL;
}
