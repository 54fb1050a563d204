// SPDX-License-Identifier: MIT
/*
 * QEMU process cores: an ELF64 little-endian ET_CORE file as written by
 * the Linux kernel or gdb's gcore.  We read the PT_LOAD segments (host
 * virtual address -> file offset; p_filesz may stop short of p_memsz when
 * the kernel or gdb left pages out), NT_FILE (file-backed mappings),
 * NT_PRSTATUS (threads), NT_PRPSINFO and NT_AUXV, and recover the full
 * command line from the initial stack.  Every field is hostile.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"
#include "qemu_core.h"

#define PT_LOAD 1
#define PT_NOTE 4
#define ET_CORE 4
#define EM_X86_64 62
#define NT_PRSTATUS 1
#define NT_PRPSINFO 3
#define NT_AUXV 6
#define NT_FILE 0x46494c45u
#define AT_NULL 0
#define AT_EXECFN 31
#define MAX_SEGMENTS (1u << 20)
#define MAX_NOTES_BYTES (64u << 20)
#define PRSTATUS_SIZE 336
#define PRSTATUS_PID 32
#define PRSTATUS_REGS 112
#define PRPSINFO_SIZE 136
#define MAX_ARGS 4096
#define MAX_ARG_LEN (128u << 10)

const char *gc_hva_state_name(enum gc_hva_state s)
{
	switch (s) {
	case GC_HVA_PRESENT: return "present";
	case GC_HVA_NOT_DUMPED: return "not dumped";
	case GC_HVA_TRUNCATED: return "truncated";
	case GC_HVA_UNMAPPED: return "unmapped";
	}
	return "?";
}

static struct gc_error *problem(struct gc_qemu_core *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static struct gc_error *problem(struct gc_qemu_core *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = gc_vasprintf(fmt, ap);
	va_end(ap);
	char **n = m && c->nr_problems < 1000 ? realloc(c->problems, (c->nr_problems + 1) * sizeof(*n)) : NULL;
	if (!n) {
		free(m);
		return m ? NULL : &gc_error_nomem;
	}
	c->problems = n;
	c->problems[c->nr_problems++] = m;
	return NULL;
}

static int seg_cmp(const void *a, const void *b)
{
	const struct gc_qemu_segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

/* A bad NT_FILE note's entries and names both go (a later NT_FILE note
 * may try again). */
static void drop_files(struct gc_qemu_core *c)
{
	free(c->files);
	c->files = NULL;
	free(c->file_strings);
	c->file_strings = NULL;
}

static struct gc_error *parse_nt_file(struct gc_qemu_core *c, const uint8_t *d,
				      uint64_t size, uint64_t off)
{
	if (c->files)
		return NULL; /* only the first one counts */
	if (size < 16)
		return gc_error_at(GC_ERR_FORMAT, off, "NT_FILE note",
				   "descriptor of %" PRIu64 " bytes is shorter than its 16-byte header", size);
	uint64_t count = gc_get64(d, false), pgsz = gc_get64(d + 8, false);
	uint64_t need;
	if (!gc_mul_ok(count, 24, &need) || !gc_add_ok(need, 16, &need) || need > size)
		return gc_error_at(GC_ERR_FORMAT, off, "NT_FILE note",
				   "%" PRIu64 " entries do not fit in %" PRIu64 " bytes", count, size);
	if (count == 0)
		return NULL;
	c->files = calloc(count, sizeof(*c->files));
	c->file_strings = malloc(size - need + 1);
	if (!c->files || !c->file_strings)
		return &gc_error_nomem;
	memcpy(c->file_strings, d + need, size - need);
	c->file_strings[size - need] = '\0';
	char *s = c->file_strings, *end = c->file_strings + (size - need);
	for (uint64_t i = 0; i < count; i++) {
		const uint8_t *e = d + 16 + i * 24;
		struct gc_qemu_mapped_file *f = &c->files[i];
		f->start = gc_get64(e, false);
		f->end = gc_get64(e + 8, false);
		uint64_t pg = gc_get64(e + 16, false);
		if (!gc_mul_ok(pg, pgsz, &f->file_offset))
			f->file_offset = UINT64_MAX;
		if (s >= end) {
			drop_files(c);
			return gc_error_at(GC_ERR_FORMAT, off, "NT_FILE note",
					   "names end after %" PRIu64 " of %" PRIu64 " entries", i, count);
		}
		f->path = s;
		s += strlen(s) + 1;
		if (f->end < f->start) {
			/* the message is made before the entries are freed */
			struct gc_error *err = gc_error_at(
				GC_ERR_FORMAT, off, "NT_FILE note",
				"entry %" PRIu64 " ends (0x%" PRIx64 ") before it starts (0x%" PRIx64 ")",
				i, f->end, f->start);
			drop_files(c);
			return err;
		}
	}
	c->nr_files = count;
	return NULL;
}

static struct gc_error *parse_note(struct gc_qemu_core *c, const char *name,
				   uint32_t type, const uint8_t *d, uint64_t size,
				   uint64_t off)
{
	bool core = !strcmp(name, "CORE");
	if (core && type == NT_FILE)
		return parse_nt_file(c, d, size, off);
	if (core && type == NT_PRSTATUS) {
		if (size < PRSTATUS_SIZE)
			return gc_error_at(GC_ERR_FORMAT, off, "NT_PRSTATUS note",
					   "%" PRIu64 " bytes, x86-64 needs %u", size, PRSTATUS_SIZE);
		if (c->nr_threads >= MAX_SEGMENTS)
			return NULL;
		if (!(c->nr_threads & (c->nr_threads - 1))) { /* 0, 1, 2, 4, ...: grow */
			void *n = realloc(c->threads, (c->nr_threads ? 2 * c->nr_threads : 1) *
						      sizeof(*c->threads));
			if (!n)
				return &gc_error_nomem;
			c->threads = n;
		}
		struct gc_qemu_thread *t = &c->threads[c->nr_threads++];
		memset(t, 0, sizeof(*t));
		t->signo = gc_get32(d, false);
		t->pid = gc_get32(d + PRSTATUS_PID, false);
		for (int r = 0; r < GC_QREG_COUNT; r++)
			t->regs[r] = gc_get64(d + PRSTATUS_REGS + 8 * r, false);
		t->note_offset = off;
		return NULL;
	}
	if (core && type == NT_PRPSINFO && size >= PRPSINFO_SIZE && !c->has_prpsinfo) {
		c->has_prpsinfo = true;
		memcpy(c->fname, d + 40, 16);
		c->fname[16] = '\0';
		memcpy(c->psargs, d + 56, 80);
		c->psargs[80] = '\0';
		return NULL;
	}
	if (core && type == NT_AUXV && !c->auxv) {
		uint64_t n = size / 16;
		if (!n)
			return NULL;
		c->auxv = malloc(n * 16);
		if (!c->auxv)
			return &gc_error_nomem;
		for (uint64_t i = 0; i < 2 * n; i++)
			c->auxv[i] = gc_get64(d + 8 * i, false);
		c->nr_auxv = n;
		for (uint64_t i = 0; i < n; i++)
			if (c->auxv[2 * i] == AT_NULL) {
				c->nr_auxv = i;
				break;
			}
		return NULL;
	}
	return NULL;
}

static struct gc_error *parse_notes(struct gc_qemu_core *c, uint64_t off, uint64_t size)
{
	if (size > MAX_NOTES_BYTES)
		return gc_error_at(GC_ERR_FORMAT, off, "PT_NOTE",
				   "%" PRIu64 " bytes of notes is implausible", size);
	struct gc_error *err = gc_file_check_range(c->file, off, size, "PT_NOTE");
	if (err)
		return err;
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return &gc_error_nomem;
	err = gc_file_read(c->file, off, buf, size, "PT_NOTE");
	uint64_t pos = 0;
	while (!err && pos + 12 <= size) {
		uint32_t namesz = gc_get32(buf + pos, false);
		uint32_t descsz = gc_get32(buf + pos + 4, false);
		uint32_t type = gc_get32(buf + pos + 8, false);
		uint64_t name_at = pos + 12;
		uint64_t desc_at = name_at + (((uint64_t)namesz + 3) & ~3ull);
		uint64_t next = desc_at + (((uint64_t)descsz + 3) & ~3ull);
		if (desc_at > size || descsz > size - desc_at || next > size + 3) {
			err = gc_error_at(GC_ERR_FORMAT, off + pos, "note",
					  "name %u / descriptor %u bytes run past the PT_NOTE end (%" PRIu64 " bytes)",
					  namesz, descsz, size);
			break;
		}
		char name[32];
		size_t nl = namesz < sizeof(name) - 1 ? namesz : sizeof(name) - 1;
		memcpy(name, buf + name_at, nl);
		name[nl] = '\0';
		err = parse_note(c, name, type, buf + desc_at, descsz, off + desc_at);
		pos = next;
	}
	free(buf);
	return err;
}

/* Find the auxv vector on the stack and walk back to argc/argv. */
static void recover_argv(struct gc_qemu_core *c)
{
	if (c->nr_auxv < 2)
		goto psargs;
	uint64_t execfn = 0;
	if (!gc_qemu_core_auxv_get(c, AT_EXECFN, &execfn))
		goto psargs;
	uint64_t run, foff;
	/* the segment holding AT_EXECFN is the initial stack */
	const struct gc_qemu_segment *stk = NULL;
	for (size_t i = 0; i < c->nr_segs; i++)
		if (execfn >= c->segs[i].vaddr && execfn - c->segs[i].vaddr < c->segs[i].avail)
			stk = &c->segs[i];
	if (!stk || !c->file->map)
		goto psargs;
	const uint8_t *base = c->file->map + stk->offset;
	uint64_t len = stk->avail;
	uint8_t pat[32];
	for (int i = 0; i < 4; i++)
		gc_put64(pat + 8 * i, c->auxv[i], false);
	const uint8_t *hit = NULL;
	for (uint64_t p = 0; p + 32 <= len; p += 8)
		if (!memcmp(base + p, pat, 32)) {
			hit = base + p;
			break;
		}
	if (!hit || hit - base < 16)
		goto psargs;
	uint64_t pos = (uint64_t)(hit - base) - 8; /* envp NULL */
	if (gc_get64(base + pos, false) != 0)
		goto psargs;
	/* envp entries */
	uint64_t n = 0;
	while (pos >= 8 && gc_get64(base + pos - 8, false) != 0 && n < (1u << 20)) {
		pos -= 8;
		n++;
	}
	if (pos < 8)
		goto psargs;
	pos -= 8; /* argv NULL */
	uint64_t k = 0;
	for (;;) {
		if (pos < 8 || k > MAX_ARGS)
			goto psargs;
		uint64_t v = gc_get64(base + pos - 8, false);
		if (v == k)
			break;
		pos -= 8;
		k++;
	}
	if (k == 0)
		goto psargs;
	char **argv = calloc(k + 1, sizeof(*argv));
	if (!argv)
		goto psargs;
	for (uint64_t i = 0; i < k; i++) {
		uint64_t p = gc_get64(base + pos + 8 * i, false);
		if (gc_qemu_core_hva(c, p, &run, &foff) != GC_HVA_PRESENT)
			goto bad;
		if (run > MAX_ARG_LEN)
			run = MAX_ARG_LEN;
		const char *s = (const char *)c->file->map + foff;
		const char *z = memchr(s, '\0', run);
		if (!z)
			goto bad;
		argv[i] = strdup(s);
		if (!argv[i])
			goto bad;
	}
	c->argv = argv;
	c->argc = k;
	c->argv_source = "initial stack: argv found below the auxiliary vector";
	return;
bad:
	for (uint64_t i = 0; i < k; i++)
		free(argv[i]);
	free(argv);
psargs:
	if (!c->has_prpsinfo || !c->psargs[0])
		return;
	size_t cnt = 0;
	char **av = calloc(41, sizeof(*av));
	if (!av)
		return;
	char tmp[81];
	memcpy(tmp, c->psargs, sizeof(tmp));
	for (char *save = NULL, *t = strtok_r(tmp, " ", &save); t && cnt < 40;
	     t = strtok_r(NULL, " ", &save)) {
		av[cnt] = strdup(t);
		if (!av[cnt])
			break;
		cnt++;
	}
	c->argv = av;
	c->argc = cnt;
	c->argv_source = "NT_PRPSINFO pr_psargs (first 80 bytes of the command line)";
}

struct gc_error *gc_qemu_core_open(const char *path, struct gc_qemu_core **out)
{
	*out = NULL;
	struct gc_qemu_core *c = calloc(1, sizeof(*c));
	if (!c)
		return &gc_error_nomem;
	struct gc_error *err = gc_file_open(path, &c->file);
	if (err) {
		free(c);
		return err;
	}
	uint8_t eh[64];
	err = gc_file_read(c->file, 0, eh, sizeof(eh), "ELF header");
	if (err)
		goto fail;
	if (memcmp(eh, "\177ELF", 4)) {
		err = gc_error_at(GC_ERR_FORMAT, 0, "ELF header", "no ELF magic: not a process core");
		goto fail;
	}
	if (eh[4] != 2 || eh[5] != 1) {
		err = gc_error_at(GC_ERR_UNSUPPORTED, 4, "ELF header",
				  "class %u / data %u: only 64-bit little-endian cores are supported",
				  eh[4], eh[5]);
		goto fail;
	}
	uint16_t type = gc_get16(eh + 16, false), machine = gc_get16(eh + 18, false);
	if (type != ET_CORE) {
		err = gc_error_at(GC_ERR_FORMAT, 16, "e_type", "%u is not ET_CORE (4)", type);
		goto fail;
	}
	if (machine != EM_X86_64) {
		err = gc_error_at(GC_ERR_UNSUPPORTED, 18, "e_machine",
				  "%u: only x86-64 (62) QEMU hosts are supported", machine);
		goto fail;
	}
	uint64_t phoff = gc_get64(eh + 32, false);
	uint16_t phentsize = gc_get16(eh + 54, false);
	uint64_t phnum = gc_get16(eh + 56, false);
	if (phnum == 0xffff) {
		/* PN_XNUM: the real count is section header 0's sh_info */
		uint64_t shoff = gc_get64(eh + 40, false);
		uint8_t sh[64];
		err = gc_file_read(c->file, shoff, sh, sizeof(sh), "section header 0 (PN_XNUM)");
		if (err)
			goto fail;
		phnum = gc_get32(sh + 44, false);
	}
	if (phentsize != 56) {
		err = gc_error_at(GC_ERR_FORMAT, 54, "e_phentsize", "%u, expected 56", phentsize);
		goto fail;
	}
	uint64_t phbytes;
	if (phnum > MAX_SEGMENTS || !gc_mul_ok(phnum, 56, &phbytes)) {
		err = gc_error_at(GC_ERR_FORMAT, 56, "e_phnum", "%" PRIu64 " program headers", phnum);
		goto fail;
	}
	err = gc_file_check_range(c->file, phoff, phbytes, "program header table");
	if (err)
		goto fail;
	c->segs = calloc(phnum ? phnum : 1, sizeof(*c->segs));
	if (!c->segs) {
		err = &gc_error_nomem;
		goto fail;
	}
	for (uint64_t i = 0; i < phnum; i++) {
		uint8_t ph[56];
		uint64_t at = phoff + i * 56;
		err = gc_file_read(c->file, at, ph, sizeof(ph), "program header");
		if (err)
			goto fail;
		uint32_t pt = gc_get32(ph, false);
		uint64_t off = gc_get64(ph + 8, false), filesz = gc_get64(ph + 32, false);
		if (pt == PT_NOTE) {
			uint64_t avail = off < c->file->size ? c->file->size - off : 0;
			if (avail < filesz) {
				err = problem(c, "PT_NOTE at offset 0x%" PRIx64 " (0x%" PRIx64 " bytes): the file ends at 0x%" PRIx64
					      "; %s", off, filesz, c->file->size,
					      avail ? "only the notes before the end are read" : "threads, mapped files, auxv and command line are lost");
				if (err)
					goto fail;
			}
			if (!avail)
				continue;
			err = parse_notes(c, off, GC_MIN(filesz, avail));
			if (err && err != &gc_error_nomem && avail < filesz) {
				/* a note cut by the end of the file: keep what was read */
				gc_error_free(err);
				err = NULL;
			}
			if (err) {
				err = gc_error_context(err, "program header %" PRIu64 " (PT_NOTE)", i);
				goto fail;
			}
			continue;
		}
		if (pt != PT_LOAD)
			continue;
		struct gc_qemu_segment *s = &c->segs[c->nr_segs];
		s->vaddr = gc_get64(ph + 16, false);
		s->memsz = gc_get64(ph + 40, false);
		s->filesz = filesz;
		s->offset = off;
		s->flags = gc_get32(ph + 4, false);
		uint64_t end;
		if (!gc_add_ok(s->vaddr, s->memsz, &end) && end != 0) {
			err = gc_error_at(GC_ERR_FORMAT, at, "PT_LOAD",
					  "vaddr 0x%" PRIx64 " + memsz 0x%" PRIx64 " wraps", s->vaddr, s->memsz);
			goto fail;
		}
		if (s->filesz > s->memsz) {
			err = gc_error_at(GC_ERR_FORMAT, at, "PT_LOAD",
					  "p_filesz 0x%" PRIx64 " > p_memsz 0x%" PRIx64, s->filesz, s->memsz);
			goto fail;
		}
		if (s->memsz == 0)
			continue;
		s->avail = off >= c->file->size ? 0 : GC_MIN(s->filesz, c->file->size - off);
		if (s->avail < s->filesz &&
		    (err = problem(c, "PT_LOAD at 0x%" PRIx64 ": 0x%" PRIx64 " of its 0x%" PRIx64
				   " dumped bytes are past the end of the file", s->vaddr,
				   s->filesz - s->avail, s->filesz)))
			goto fail;
		c->nr_segs++;
	}
	gc_qsort(c->segs, c->nr_segs, sizeof(*c->segs), seg_cmp);
	for (size_t i = 1; i < c->nr_segs; i++)
		if (c->segs[i].vaddr - c->segs[i - 1].vaddr < c->segs[i - 1].memsz) {
			err = gc_error_addr(GC_ERR_FORMAT, GC_SPACE_NONE, c->segs[i].vaddr, "PT_LOAD",
					    "overlaps the segment at 0x%" PRIx64, c->segs[i - 1].vaddr);
			goto fail;
		}
	recover_argv(c);
	const char *exe = NULL;
	uint64_t v;
	if (c->argc && c->argv[0][0] == '/')
		exe = c->argv[0];
	for (size_t i = 0; !exe && i < c->nr_files; i++)
		if (c->files[i].file_offset == 0 && strstr(c->files[i].path, "qemu-system"))
			exe = c->files[i].path;
	if (!exe && gc_qemu_core_auxv_get(c, AT_EXECFN, &v)) {
		uint64_t run, foff;
		if (gc_qemu_core_hva(c, v, &run, &foff) == GC_HVA_PRESENT && c->file->map &&
		    memchr(c->file->map + foff, '\0', GC_MIN(run, 4096)))
			exe = (const char *)c->file->map + foff;
	}
	if (!exe && c->has_prpsinfo)
		exe = c->fname;
	c->exe = strdup(exe ? exe : "");
	if (!c->exe) {
		err = &gc_error_nomem;
		goto fail;
	}
	*out = c;
	return NULL;
fail:
	err = gc_error_set_file(err, path);
	gc_qemu_core_close(c);
	return err;
}

void gc_qemu_core_close(struct gc_qemu_core *c)
{
	if (!c)
		return;
	gc_file_close(c->file);
	free(c->segs);
	free(c->files);
	free(c->file_strings);
	free(c->threads);
	free(c->auxv);
	if (c->argv)
		for (size_t i = 0; i < c->argc; i++)
			free(c->argv[i]);
	free(c->argv);
	free(c->exe);
	for (size_t i = 0; i < c->nr_problems; i++)
		free(c->problems[i]);
	free(c->problems);
	free(c);
}

const char *gc_qemu_core_path(const struct gc_qemu_core *c) { return c->file->path; }
uint64_t gc_qemu_core_file_size(const struct gc_qemu_core *c) { return c->file->size; }
size_t gc_qemu_core_nr_segments(const struct gc_qemu_core *c) { return c->nr_segs; }
const struct gc_qemu_segment *gc_qemu_core_segment(const struct gc_qemu_core *c, size_t i)
{
	return i < c->nr_segs ? &c->segs[i] : NULL;
}
size_t gc_qemu_core_nr_files(const struct gc_qemu_core *c) { return c->nr_files; }
const struct gc_qemu_mapped_file *gc_qemu_core_file(const struct gc_qemu_core *c, size_t i)
{
	return i < c->nr_files ? &c->files[i] : NULL;
}
size_t gc_qemu_core_nr_threads(const struct gc_qemu_core *c) { return c->nr_threads; }
const struct gc_qemu_thread *gc_qemu_core_thread(const struct gc_qemu_core *c, size_t i)
{
	return i < c->nr_threads ? &c->threads[i] : NULL;
}
const uint64_t *gc_qemu_core_auxv(const struct gc_qemu_core *c, size_t *n)
{
	*n = c->nr_auxv;
	return c->auxv;
}
bool gc_qemu_core_auxv_get(const struct gc_qemu_core *c, uint64_t type, uint64_t *value)
{
	for (size_t i = 0; i < c->nr_auxv; i++)
		if (c->auxv[2 * i] == type) {
			*value = c->auxv[2 * i + 1];
			return true;
		}
	return false;
}
const char *gc_qemu_core_exe(const struct gc_qemu_core *c) { return c->exe; }
size_t gc_qemu_core_nr_problems(const struct gc_qemu_core *c) { return c->nr_problems; }
const char *gc_qemu_core_problem(const struct gc_qemu_core *c, size_t i)
{
	return i < c->nr_problems ? c->problems[i] : NULL;
}
size_t gc_qemu_core_argv(const struct gc_qemu_core *c, const char *const **argv,
			 const char **source)
{
	*argv = (const char *const *)c->argv;
	if (source)
		*source = c->argv_source;
	return c->argc;
}

const char *gc_qemu_core_path_at(const struct gc_qemu_core *c, uint64_t hva)
{
	for (size_t i = 0; i < c->nr_files; i++)
		if (hva >= c->files[i].start && hva < c->files[i].end)
			return c->files[i].path;
	return NULL;
}

enum gc_hva_state gc_qemu_core_hva(const struct gc_qemu_core *c, uint64_t hva,
				   uint64_t *run, uint64_t *file_offset)
{
	size_t lo = 0, hi = c->nr_segs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->segs[mid].vaddr <= hva)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo = first segment starting above hva */
	if (lo > 0) {
		const struct gc_qemu_segment *s = &c->segs[lo - 1];
		uint64_t rel = hva - s->vaddr;
		if (rel < s->memsz) {
			if (rel < s->avail) {
				*run = s->avail - rel;
				*file_offset = s->offset + rel;
				return GC_HVA_PRESENT;
			}
			if (rel < s->filesz) {
				*run = s->filesz - rel;
				return GC_HVA_TRUNCATED;
			}
			*run = s->memsz - rel;
			return GC_HVA_NOT_DUMPED;
		}
	}
	*run = lo < c->nr_segs ? c->segs[lo].vaddr - hva : UINT64_MAX - hva + (hva != 0);
	if (*run == 0)
		*run = UINT64_MAX;
	return GC_HVA_UNMAPPED;
}

const void *gc_qemu_core_view(const struct gc_qemu_core *c, uint64_t hva, size_t len)
{
	uint64_t run, off;
	if (!c->file->map || gc_qemu_core_hva(c, hva, &run, &off) != GC_HVA_PRESENT || run < len)
		return NULL;
	return c->file->map + off;
}

struct gc_error *gc_qemu_core_read(struct gc_qemu_core *c, uint64_t hva, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		uint64_t run, off;
		enum gc_hva_state st = gc_qemu_core_hva(c, hva, &run, &off);
		if (st != GC_HVA_PRESENT)
			return gc_error_set_file(
				gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_NONE, hva,
					      "host virtual address", "%s in the process core",
					      gc_hva_state_name(st)),
				c->file->path);
		size_t n = (size_t)GC_MIN(run, (uint64_t)len);
		struct gc_error *err = gc_file_read(c->file, off, p, n, "process memory");
		if (err)
			return err;
		p += n;
		hva += n;
		len -= n;
	}
	return NULL;
}
