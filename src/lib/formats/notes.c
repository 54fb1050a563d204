// SPDX-License-Identifier: MIT
/* ELF notes of Linux vmcores (see notes.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/check.h"
#include "notes.h"
#include "util/util.h"
#include "util/vec.h"

/* CPU notes beyond this many are ignored (with a finding): more vCPUs than
 * any hypervisor runs, and each costs a table entry. */
enum { NOTES_MAX_CPUS = 65536 };

/* Entry I (at most one past the last) of the CPU table; NULL when out of
 * memory.  The caller keeps I below NOTES_MAX_CPUS. */
static struct gc_note_cpu *cpu_at(struct gc_notes *ns, size_t i)
{
	if (i < ns->ncpus)
		return &ns->cpus[i];
	if (i != ns->ncpus)
		return NULL;
	/* doubling: one realloc per CPU was quadratic in the CPU count
	 * (5 minutes for 65,537 notes under AddressSanitizer, whose
	 * realloc always copies) */
	if (!gc_vec_reserve(&ns->cpus, &ns->cpus_cap, i + 1))
		return NULL;
	struct gc_note_cpu *c = &ns->cpus[i];
	memset(c, 0, sizeof(*c));
	ns->ncpus = i + 1;
	return c;
}

static struct gc_error *too_many_cpus(struct gc_report *r, const char *what,
				      uint64_t off, const char *kind)
{
	return gc_report_add(r, GC_SEV_WARNING, "cpu-notes-too-many", true, off,
			     "%s: more than %d %s notes; this one and any "
			     "after it are ignored", what, NOTES_MAX_CPUS, kind);
}

static struct gc_error *add_note(struct gc_notes *ns, const char *name,
				 uint32_t type, const uint8_t *desc,
				 uint64_t size, uint64_t off)
{
	struct gc_note nt = {
		.name = name, .type = type, .desc = desc, .size = size,
		.offset = off,
	};
	return gc_vec_push(&ns->notes, &ns->n, &ns->cap, &nt) ? NULL :
							       &gc_error_nomem;
}

struct gc_error *gc_notes_parse(struct gc_notes *ns, uint8_t *buf, size_t len,
				uint64_t off, bool be, const char *what,
				struct gc_report *r)
{
	if (!gc_vec_push(&ns->bufs, &ns->nbufs, &ns->bufs_cap, &buf)) {
		free(buf);
		return &gc_error_nomem;
	}
	ns->be = be;
	size_t pos = 0;
	struct gc_error *err = NULL;
	while (pos < len && !err) {
		if (len - pos < 12) {
			/* trailing padding of zeros is common */
			bool zeros = true;
			for (size_t i = pos; i < len; i++)
				zeros &= buf[i] == 0;
			if (!zeros)
				err = gc_report_add(r, GC_SEV_WARNING,
					"note-truncated", true, off + pos,
					"%s: %zu stray bytes at its end are too"
					" short for a note header", what,
					len - pos);
			break;
		}
		uint32_t namesz = gc_get32(buf + pos, be);
		uint32_t descsz = gc_get32(buf + pos + 4, be);
		uint32_t type = gc_get32(buf + pos + 8, be);
		uint64_t nameoff = pos + 12;
		uint64_t descoff = nameoff + (((uint64_t)namesz + 3) & ~3ull);
		uint64_t end = descoff + (((uint64_t)descsz + 3) & ~3ull);
		if (namesz == 0 && descsz == 0 && type == 0) {
			pos += 12;  /* empty note (padding) */
			continue;
		}
		if (descoff > len || descoff + descsz > len) {
			err = gc_report_add(r, GC_SEV_ERROR, "note-overrun",
				true, off + pos,
				"%s: note %zu (namesz %u, descsz %u, type 0x%x)"
				" runs %" PRIu64 " bytes past the end of the "
				"%zu-byte area; it and any notes after it are "
				"ignored", what, ns->n, namesz, descsz, type,
				(descoff > len ? descoff : descoff + descsz) -
					len, len);
			break;
		}
		/* NUL-terminate the name in place (the pad byte or its own
		 * terminator). */
		const char *name = "";
		if (namesz) {
			buf[nameoff + namesz - 1] = '\0';
			name = (const char *)buf + nameoff;
		}
		const uint8_t *desc = buf + descoff;
		err = add_note(ns, name, type, desc, descsz, off + descoff);
		if (err)
			break;
		if (!strcmp(name, "GUESTCORE") && type == 1 &&
		    !ns->guestcore) {
			ns->guestcore = (const char *)desc;
			ns->guestcore_len = descsz;
		}
		if (!strcmp(name, "CORE") && type == GC_NT_PRSTATUS) {
			if (descsz != GC_PRSTATUS64_SIZE &&
			    descsz != GC_PRSTATUS32_SIZE) {
				err = gc_report_add(r, GC_SEV_WARNING,
					"prstatus-size", true, off + descoff,
					"%s: NT_PRSTATUS of %u bytes is neither "
					"the x86_64 (336) nor the i386 (144) "
					"layout; its registers are ignored",
					what, descsz);
			} else if (ns->nprstatus >= NOTES_MAX_CPUS) {
				if (ns->nprstatus++ == NOTES_MAX_CPUS)
					err = too_many_cpus(r, what, off + descoff,
							    "NT_PRSTATUS");
			} else {
				struct gc_note_cpu *c = cpu_at(ns,
							       ns->nprstatus);
				if (!c)
					return &gc_error_nomem;
				c->prstatus = desc;
				c->prstatus_len = descsz;
				ns->nprstatus++;
			}
		} else if (!strcmp(name, "QEMU") && type == 0) {
			if (descsz < GC_QEMU_CPUSTATE_MIN) {
				err = gc_report_add(r, GC_SEV_WARNING,
					"qemu-note-size", true, off + descoff,
					"%s: QEMU CPU state note of %u bytes is "
					"shorter than the %u-byte QEMUCPUState; "
					"ignored", what, descsz,
					GC_QEMU_CPUSTATE_MIN);
			} else if (ns->nqemu >= NOTES_MAX_CPUS) {
				if (ns->nqemu++ == NOTES_MAX_CPUS)
					err = too_many_cpus(r, what, off + descoff,
							    "QEMU CPU state");
			} else {
				struct gc_note_cpu *c = cpu_at(ns, ns->nqemu);
				if (!c)
					return &gc_error_nomem;
				c->qemu = desc;
				c->qemu_len = descsz;
				ns->nqemu++;
			}
		} else if (!strcmp(name, "VMCOREINFO")) {
			if (!ns->vmcoreinfo) {
				ns->vmcoreinfo = malloc((size_t)descsz + 1);
				if (!ns->vmcoreinfo)
					return &gc_error_nomem;
				memcpy(ns->vmcoreinfo, desc, descsz);
				ns->vmcoreinfo[descsz] = '\0';
				ns->vmcoreinfo_len = strlen(ns->vmcoreinfo);
				ns->vmcoreinfo_offset = off + descoff;
			}
			ns->nvmcoreinfo++;
		} else if (!strcmp(name, "Xen")) {
			ns->nxen++;
		} else if (!strcmp(name, "ERASEINFO") && !ns->eraseinfo) {
			/* makedumpfile -E --config: what it erased */
			ns->eraseinfo = (const char *)desc;
			ns->eraseinfo_len = descsz;
			ns->eraseinfo_offset = off + descoff;
			ns->nother++;
		} else {
			ns->nother++;
		}
		pos = (size_t)GC_MIN(end, (uint64_t)len);
	}
	return err;
}

/* VMCOREINFO given as raw text (kdump offset_vmcoreinfo). */
void gc_notes_publish(struct gc_notes *ns, struct gc_dump *d)
{
	d->notes = ns->notes;
	d->nr_notes = ns->n;
	ns->notes = NULL;
	ns->n = ns->cap = 0;
}

void gc_notes_free(struct gc_notes *ns)
{
	for (size_t i = 0; i < ns->nbufs; i++)
		free(ns->bufs[i]);
	free(ns->bufs);
	free(ns->notes);
	free(ns->cpus);
	free(ns->vmcoreinfo);
	memset(ns, 0, sizeof(*ns));
}

bool gc_vmcoreinfo_get(const char *text, const char *key, char *out,
		       size_t outlen)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		if (ll > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			size_t vl = GC_MIN(ll - kl - 1, outlen - 1);
			memcpy(out, p + kl + 1, vl);
			out[vl] = '\0';
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

/* Where the value of "KEY=" starts on a line of the note text T (LEN
 * bytes, not NUL-terminated) and its length in *VL; NULL if no line has
 * it. */
static const char *line_value(const char *t, size_t len, const char *key,
			      size_t *vl)
{
	size_t kl = strlen(key);
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(t + at, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - (t + at)) : len - at;
		if (ll > kl && !memcmp(t + at, key, kl) && t[at + kl] == '=') {
			*vl = ll - kl - 1;
			return t + at + kl + 1;
		}
		at += ll + 1;
	}
	return NULL;
}

/* The value of "KEY=" in the note text T, sanitized into OUT; false if
 * no line has it. */
static bool note_line(const char *t, size_t len, const char *key, char *out,
		      size_t outlen)
{
	size_t vl;
	const char *v = line_value(t, len, key, &vl);
	if (!v)
		return false;
	gc_sanitize(out, v, GC_MIN(vl, outlen - 1));
	return true;
}

/* guestcore's own provenance note (GUESTCORE, type 1), or NULL. */
static const struct gc_note *guestcore_note(const struct gc_notes *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->notes[i].name, "GUESTCORE") &&
		    ns->notes[i].type == 1)
			return &ns->notes[i];
	return NULL;
}

/*
 * A file guestcore wrote (convert, extract) says in its GUESTCORE note
 * what it was made from and which of its pages are not the guest's
 * data: "missing_pages_zeroed=N" (pages the source excluded, written as
 * zeroes in short runs, as makedumpfile -E) and "undecodable_pages=N
 * (--missing zero|skip ...)".  Shown as the "written_by" field and, for
 * those pages, as findings: whoever opens the file later is told that
 * N zero pages stand for pages nobody could read.
 */
static struct gc_error *provenance(const struct gc_notes *ns,
				   struct gc_dump *d)
{
	const struct gc_note *nt = guestcore_note(ns);
	if (nt) {
		const char *t = (const char *)nt->desc;
		size_t len = (size_t)nt->size;
		char producer[64] = "?", source[64] = "?", v[128];
		note_line(t, len, "producer", producer, sizeof(producer));
		note_line(t, len, "source_format", source, sizeof(source));
		struct gc_error *err = gc_dump_add_field(d, "written_by", false,
			0, "%s, from a %s dump (GUESTCORE note at "
			"offset 0x%" PRIx64 ")", producer, source, nt->offset);
		unsigned long long n;
		char how[96];
		if (!err && note_line(t, len, "missing_pages_zeroed", v,
				      sizeof(v)) &&
		    sscanf(v, "%llu", &n) == 1 && n)
			err = gc_report_add(&d->findings, GC_SEV_NOTE,
				"zeroed-pages", true, nt->offset,
				"%llu zero pages of this file stand for pages "
				"its source (%s) had excluded, as makedumpfile "
				"-E writes short runs of them (GUESTCORE note "
				"missing_pages_zeroed): they read as zeroes, "
				"not as the guest's data", n, source);
		if (!err && note_line(t, len, "undecodable_pages", v,
				      sizeof(v)) &&
		    sscanf(v, "%llu %95[^\n]", &n, how) >= 1 && n) {
			bool zero = strstr(v, "--missing zero") != NULL;
			err = gc_report_add(&d->findings,
				zero ? GC_SEV_WARNING : GC_SEV_NOTE,
				"undecodable-pages", true, nt->offset,
				"%llu pages could not be decoded in the source "
				"(%s) and are %s this file (GUESTCORE note "
				"undecodable_pages)", n, source, zero ?
				"zero pages in" : "left out of");
		}
		return err;
	}
	return NULL;
}

/*
 * makedumpfile --config "erase" commands poison kernel data with 'X'
 * (0x58) before the pages are written, and list what they erased
 * ("erase SYMBOL size N", one per line) in the kdump eraseinfo section or
 * an ELF "ERASEINFO" note.  Those bytes then read as 'X' (`sys` shows a
 * nodename of X's): say so in check, with the first command.
 */
static struct gc_error *erased(struct gc_dump *d, bool field)
{
	const char *t = d->eraseinfo;
	size_t len = strnlen(d->eraseinfo, d->eraseinfo_len);
	size_t lines = 0, first_len = 0;
	const char *first = NULL;
	for (size_t at = 0; at < len;) {
		const char *nl = memchr(t + at, '\n', len - at);
		size_t ll = nl ? (size_t)(nl - (t + at)) : len - at;
		if (ll && !lines++) {
			first = t + at;
			first_len = ll;
		}
		at += ll + 1;
	}
	if (!lines)
		return NULL;
	char cmd[96];
	gc_sanitize(cmd, first, GC_MIN(first_len, sizeof(cmd) - 1));
	struct gc_error *err = NULL;
	if (field)
		err = gc_dump_add_field(d, "eraseinfo", false, 0, "%s%s", cmd,
					lines > 1 ? " ..." : "");
	if (!err)
		err = gc_report_add(&d->findings, GC_SEV_WARNING, "erased",
			true, d->eraseinfo_off, "makedumpfile --config "
			"poisoned kernel data with 'X' (0x58) before writing "
			"this dump: %zu erase command%s (the first: '%s'); "
			"those bytes read as 'X', not as the guest's data",
			lines, lines == 1 ? "" : "s", cmd);
	return err;
}

struct gc_error *gc_notes_add_fields(struct gc_notes *ns, struct gc_dump *d)
{
	struct gc_error *err = gc_dump_add_field(d, "notes", true, ns->n,
		"%zu (%zu NT_PRSTATUS, %zu QEMU CPU state, %zu VMCOREINFO, "
		"%zu Xen crash, %zu other)", ns->n, ns->nprstatus, ns->nqemu,
		ns->nvmcoreinfo, ns->nxen, ns->nother);
	if (!err)
		err = provenance(ns, d);
	/* the format's own eraseinfo (kdump) or the note's */
	bool from_note = !d->eraseinfo && ns->eraseinfo;
	if (from_note) {
		d->eraseinfo = ns->eraseinfo;
		d->eraseinfo_len = ns->eraseinfo_len;
		d->eraseinfo_off = ns->eraseinfo_offset;
	}
	if (!err && d->eraseinfo)
		err = erased(d, from_note);
	if (err || !ns->vmcoreinfo)
		return err;
	static const struct {
		const char *key, *field;
	} keys[] = {
		{ "OSRELEASE", "vmcoreinfo OSRELEASE" },
		{ "BUILD-ID", "vmcoreinfo BUILD-ID" },
		{ "PAGESIZE", "vmcoreinfo PAGESIZE" },
		{ "KERNELOFFSET", "vmcoreinfo KERNELOFFSET" },
		{ "NUMBER(phys_base)", "vmcoreinfo phys_base" },
		{ "NUMBER(pgtable_l5_enabled)", "vmcoreinfo pgtable_l5" },
		{ "SYMBOL(swapper_pg_dir)", "vmcoreinfo swapper_pg_dir" },
		{ "CRASHTIME", "vmcoreinfo CRASHTIME" },
	};
	err = gc_dump_add_field(d, "vmcoreinfo", true, ns->vmcoreinfo_len,
				"%zu bytes at offset 0x%" PRIx64,
				ns->vmcoreinfo_len, ns->vmcoreinfo_offset);
	for (size_t i = 0; i < GC_ARRAY_SIZE(keys) && !err; i++) {
		char raw[128], val[128];
		if (!gc_vmcoreinfo_get(ns->vmcoreinfo, keys[i].key, raw,
				       sizeof(raw)))
			continue;
		gc_notes_field_value(keys[i].key, raw, val, sizeof(val));
		err = gc_dump_add_field(d, keys[i].field, false, 0, "%s", val);
	}
	return err;
}

void gc_notes_field_value(const char *key, const char *raw, char *out,
			  size_t size)
{
	char *end;
	errno = 0;
	long long v = strtoll(raw, &end, 10);
	if (!strcmp(key, "NUMBER(phys_base)") && *raw && !*end && !errno) {
		unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v :
						 (unsigned long long)v;
		snprintf(out, size, "%s0x%llx", v < 0 ? "-" : "", mag);
		return;
	}
	gc_sanitize(out, raw, strlen(raw) + 1 < size ? strlen(raw) + 1 : size);
}

void gc_notes_cpu_state(const struct gc_notes *ns, unsigned int i,
			struct gc_cpu_state *out)
{
	const struct gc_note_cpu *c = &ns->cpus[i];
	memset(out, 0, sizeof(*out));
	out->e_machine = ns->e_machine;
	out->be = ns->be;
	out->prstatus = c->prstatus;
	out->prstatus_len = c->prstatus_len;
	out->qemu = c->qemu;
	out->qemu_len = c->qemu_len;
	/* guestcore wrote this file: the registers its source did not
	 * know are 0 in the notes and named in its provenance note */
	if (ns->guestcore) {
		char key[48];
		snprintf(key, sizeof(key), "vcpu%u_unknown_registers", i);
		out->unknown_regs = line_value(ns->guestcore,
					       ns->guestcore_len, key,
					       &out->unknown_regs_len);
	}
}
