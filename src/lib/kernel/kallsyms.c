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

struct gc_error *gc_kallsyms_read(const struct gc_vmcoreinfo *vi,
				  const struct gc_kmem *m,
				  struct gc_symtab *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t a_num, a_names, a_ttab, a_tidx, a_offs, a_base;
	if (!gc_vmcoreinfo_symbol(vi, "kallsyms_num_syms", &a_num) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_names", &a_names) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_token_table", &a_ttab) ||
	    !gc_vmcoreinfo_symbol(vi, "kallsyms_token_index", &a_tidx))
		return gc_error_new(GC_ERR_NOT_PRESENT, "kallsyms",
				    "VMCOREINFO does not locate the kallsyms "
				    "tables (Linux < 6.0); give --system-map "
				    "or --vmlinux");
	bool relative = gc_vmcoreinfo_symbol(vi, "kallsyms_offsets", &a_offs) &&
			gc_vmcoreinfo_symbol(vi, "kallsyms_relative_base",
					     &a_base);
	uint64_t a_addrs = 0;
	if (!relative && !gc_vmcoreinfo_symbol(vi, "kallsyms_addresses",
					       &a_addrs))
		return gc_error_new(GC_ERR_NOT_PRESENT, "kallsyms",
				    "neither kallsyms_offsets nor "
				    "kallsyms_addresses in VMCOREINFO");
	uint8_t b4[8];
	struct gc_error *err = read_all(m, a_num, b4, 4, "kallsyms_num_syms");
	if (err)
		return err;
	uint32_t num = gc_get32(b4, false);
	if (!num || num > KSYMS_MAX)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, a_num,
				     "kallsyms_num_syms",
				     "%u symbols is implausible", num);
	uint16_t tidx[256];
	err = read_all(m, a_tidx, tidx, sizeof(tidx), "kallsyms_token_index");
	if (err)
		return err;
	/* The token table: 256 NUL-terminated strings. */
	uint16_t maxoff = 0;
	for (int i = 0; i < 256; i++)
		if (tidx[i] > maxoff)
			maxoff = tidx[i];
	size_t ttlen = (size_t)maxoff + 256;
	char *ttab = calloc(1, ttlen + 1);
	uint8_t *offs = malloc((size_t)num * 8);
	if (!ttab || !offs) {
		free(ttab);
		free(offs);
		return &gc_error_nomem;
	}
	err = read_all(m, a_ttab, ttab, ttlen, "kallsyms_token_table");
	if (!err)
		err = read_all(m, relative ? a_offs : a_addrs, offs,
			       (size_t)num * (relative ? 4 : 8),
			       relative ? "kallsyms_offsets" :
					  "kallsyms_addresses");
	uint64_t relbase = 0;
	if (!err && relative) {
		uint8_t b8[8];
		err = read_all(m, a_base, b8, 8, "kallsyms_relative_base");
		relbase = gc_get64(b8, false);
	}
	/* kallsyms_names: the names region ends before the token tables;
	 * read it in chunks as we go. */
	struct gc_ksym *s = err ? NULL : calloc(num, sizeof(*s));
	struct gc_strbuf names;
	gc_strbuf_init(&names);
	size_t *nameoff = err ? NULL : malloc((size_t)num * sizeof(size_t));
	if (!err && (!s || !nameoff))
		err = &gc_error_nomem;
	uint8_t chunk[4096];
	size_t have = 0, pos = 0;
	uint64_t cva = a_names;
	for (uint32_t i = 0; !err && i < num; i++) {
		/* Ensure at least 2 + 0x3fff bytes are buffered is too much;
		 * refill per need instead. */
		uint8_t entry[2 + 0x4000];
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
						    GC_SPACE_KVIRT, a_tidx,
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
			/* x86-64 uses absolute per-cpu symbols: non-negative
			 * offsets are absolute values. */
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
	for (uint32_t i = 0; i < num; i++)
		s[i].name = out->names + nameoff[i];
	free(nameoff);
	qsort(s, num, sizeof(*s), by_addr);
	out->s = s;
	out->n = num;
	out->source = "kallsyms";
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
	qsort(out->s, out->n, sizeof(*out->s), by_addr);
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
	qsort(out->s, out->n, sizeof(*out->s), by_addr);
	out->source = "vmlinux .symtab";
	return NULL;
}
