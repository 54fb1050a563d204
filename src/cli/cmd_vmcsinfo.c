// SPDX-License-Identifier: MIT
/* guestcore vmcsinfo: show a VMCS layout (VMCSINFO), or write one. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"
#include "cmd_vmx.h"
#include "guestcore/vmx.h"

#define MAX_TEXT (1u << 20)

char *vmx_read_small_file(const char *path, size_t *len, struct gc_error **err)
{
	*err = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		*err = gc_error_new(GC_ERR_IO, path, "cannot open");
		return NULL;
	}
	char *buf = malloc(MAX_TEXT + 1);
	size_t n = buf ? fread(buf, 1, MAX_TEXT + 1, f) : 0;
	bool bad = ferror(f);
	fclose(f);
	if (!buf) {
		*err = &gc_error_nomem;
		return NULL;
	}
	if (bad || n > MAX_TEXT) {
		free(buf);
		*err = gc_error_new(GC_ERR_IO, path, bad ? "read failed" :
				    "larger than 1 MiB; not a VMCSINFO text");
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

bool vmx_looks_like_vmcsinfo(const char *b, size_t len)
{
	if (len >= 24 && (uint8_t)b[0] == 9 && !b[1] && !b[2] && !b[3] &&
	    !memcmp(b + 12, "VMCSINFO", 9))
		return true;
	while (len && (*b == ' ' || *b == '\n' || *b == '\r' || *b == '\t')) {
		b++;
		len--;
	}
	return (len >= 12 && !memcmp(b, "REVISION_ID=", 12)) ||
	       (len >= 8 && !memcmp(b, "VMCS_ID=", 8)) ||
	       (len >= 6 && !memcmp(b, "FIELD(", 6));
}

struct gc_error *vmx_load_layout_file(const char *path, struct gc_report *w,
				      struct gc_vmcs_layout **out)
{
	size_t len;
	struct gc_error *err;
	char *buf = vmx_read_small_file(path, &len, &err);
	if (!buf)
		return err;
	struct gc_report *tmp = w ? cli_report_new() : NULL;
	err = gc_vmcsinfo_parse_any((const uint8_t *)buf, len, tmp, out);
	free(buf);
	struct gc_error *merr = w ? vmx_merge_warnings(w, tmp, path) : NULL;
	if (merr && !err) {
		gc_vmcs_layout_free(*out);
		*out = NULL;
		return merr;
	}
	gc_error_free(merr);
	if (err)
		return gc_error_set_file(err, path);
	free((*out)->source);
	(*out)->source = strdup(path);
	return NULL;
}

struct gc_error *vmx_merge_warnings(struct gc_report *w, struct gc_report *tmp,
				    const char *file)
{
	struct gc_error *err = NULL;
	for (size_t i = 0; !err && i < gc_report_count(tmp); i++) {
		const struct gc_finding *f = gc_report_finding(tmp, i);
		if (f->has_offset)
			err = gc_report_add(w, f->severity, f->code, true,
					    f->offset, "%s [%s at offset 0x%"
					    PRIx64 "]", f->message, file,
					    f->offset);
		else
			err = gc_report_add(w, f->severity, f->code, false, 0,
					    "%s [%s]", f->message, file);
	}
	gc_report_free(tmp);
	return err;
}

struct gc_error *vmx_layout_from_dump(struct gc_dump *d, uint64_t addr,
				      uint64_t size, struct gc_report *w,
				      struct gc_vmcs_layout **out)
{
	struct gc_report *tmp = w ? cli_report_new() : NULL;
	struct gc_error *err =
		size ? gc_vmcsinfo_from_memory(d, addr, size, tmp, out) :
		       gc_vmcsinfo_from_dump(d, tmp, out);
	if (!w)
		return err;
	struct gc_error *merr = vmx_merge_warnings(w, tmp, gc_dump_path(d));
	if (err) {
		gc_error_free(merr);
		return err;
	}
	return merr;
}

void vmx_print_warnings(const struct gc_report *w, FILE *out)
{
	for (size_t i = 0; i < gc_report_count(w); i++)
		fprintf(out, "warning: %s\n", gc_report_finding(w, i)->message);
}

/* -o FILE style option: removes it from argv; NULL when absent. */
const char *vmx_take_opt(int *argc, char **argv, const char *name, bool *bad)
{
	const char *val = NULL;
	int j = 0;
	for (int i = 0; i < *argc; i++) {
		if (strcmp(argv[i], name)) {
			argv[j++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc) {
			*bad = true;
			break;
		}
		val = argv[++i];
	}
	*argc = j;
	return val;
}

static int emit(const char *what, const char *path, bool note, bool force)
{
	struct gc_vmcs_layout *l = NULL;
	uint64_t rev;
	if (cli_parse_hex(what, &rev) && rev <= 0x7fffffff &&
	    ((l = gc_vmcs_builtin_layout((uint32_t)rev)) ||
	     (l = gc_vmcs_published_layout((uint32_t)rev)))) {
		/* a built-in or published layout */
	} else {
		FILE *t = fopen(what, "rb");
		if (!t)
			return cli_fail("%s: neither a built-in layout "
					"revision (d, 5a17; published: e, f, 10, "
					"12) nor a readable "
					"file", what);
		fclose(t);
		struct gc_report *w = cli_report_new();
		struct gc_error *err = vmx_load_layout_file(what, w, &l);
		if (!err)
			vmx_print_warnings(w, stderr);
		gc_report_free(w);
		if (err)
			return cli_error(err);
	}
	uint8_t *buf = NULL;
	size_t len = 0;
	struct gc_error *err = NULL;
	if (note) {
		err = gc_vmcsinfo_note(l, &buf, &len);
	} else {
		buf = (uint8_t *)gc_vmcsinfo_format(l);
		len = buf ? strlen((char *)buf) : 0;
		if (!buf)
			err = &gc_error_nomem;
	}
	gc_vmcs_layout_free(l);
	if (err)
		return cli_error(err);
	err = vmx_write_output(path, force, what, buf, len);
	free(buf);
	if (err)
		return cli_error(err);
	return EXIT_OK;
}

struct gc_error *vmx_write_output(const char *path, bool force,
				  const char *what, const void *buf,
				  size_t len)
{
	/* the output rules every writer follows (gc_outfile_*) */
	int fd = -1;
	char *tmp = NULL;
	struct gc_error *err = gc_outfile_check(path, force, what);
	if (!err)
		err = gc_outfile_create(path, &fd, &tmp);
	if (!err && write(fd, buf, len) != (ssize_t)len)
		err = gc_error_set_file(gc_error_new(GC_ERR_IO, "output",
						     "write failed"), path);
	if (fd >= 0 && close(fd) && !err)
		err = gc_error_set_file(gc_error_new(GC_ERR_IO, "output",
						     "close failed"), path);
	if (!err)
		err = gc_outfile_place(tmp, path, force);
	if (err && tmp)
		unlink(tmp);
	free(tmp);
	return err;
}

static void print_layout(const struct gc_vmcs_layout *l,
			 const struct gc_report *w, bool json)
{
	if (json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "revision");
		gc_json_hex(&j, l->revision);
		gc_json_key(&j, "source");
		gc_json_string(&j, l->source ? l->source : "");
		gc_json_key(&j, "region_size");
		gc_json_hex(&j, l->region_size);
		gc_json_key(&j, "chunk_order");
		gc_json_string(&j, l->high_first ? "high-first" : "low-first");
		gc_json_key(&j, "synthetic");
		gc_json_bool(&j, l->synthetic);
		gc_json_key(&j, "fields");
		gc_json_array_begin(&j);
		for (size_t i = 0; i < l->nr_locs; i++) {
			const struct gc_vmcs_loc *c = &l->locs[i];
			const struct gc_vmcs_field *f =
				gc_vmcs_field_by_encoding(c->encoding & ~1u);
			char name[96];
			snprintf(name, sizeof(name), "%s%s",
				 f ? f->name : "?",
				 (c->encoding & 1) ? "_HIGH" : "");
			gc_json_object_begin(&j);
			gc_json_key(&j, "name");
			gc_json_string(&j, name);
			gc_json_key(&j, "encoding");
			gc_json_hex(&j, c->encoding);
			gc_json_key(&j, "bits");
			gc_json_u64(&j, gc_vmcs_enc_bits(c->encoding));
			gc_json_key(&j, "type");
			gc_json_string(&j, gc_vmcs_type_name(
						   gc_vmcs_enc_type(c->encoding)));
			gc_json_key(&j, "offsets");
			gc_json_array_begin(&j);
			for (unsigned int k = 0; k < c->nr_chunks; k++)
				gc_json_hex(&j, c->off[k]);
			gc_json_array_end(&j);
			gc_json_object_end(&j);
		}
		gc_json_array_end(&j);
		gc_json_key(&j, "warnings");
		gc_json_array_begin(&j);
		for (size_t i = 0; i < gc_report_count(w); i++)
			gc_json_string(&j, gc_report_finding(w, i)->message);
		gc_json_array_end(&j);
		gc_json_object_end(&j);
		gc_json_end(&j);
		return;
	}
	printf("VMCS revision 0x%x: %zu fields, region 0x%x bytes, offsets "
	       "listed %s\n", l->revision, l->nr_locs, l->region_size,
	       l->high_first ? "high chunk first" : "low chunk first");
	printf("source: %s%s\n", l->source ? l->source : "?",
	       l->synthetic ? " [synthetic]" : "");
	vmx_print_warnings(w, stdout);
	printf("%-34s %-8s %-7s %-11s %s\n", "FIELD", "ENCODING", "WIDTH",
	       "TYPE", "OFFSETS");
	for (size_t i = 0; i < l->nr_locs; i++) {
		const struct gc_vmcs_loc *c = &l->locs[i];
		const struct gc_vmcs_field *f =
			gc_vmcs_field_by_encoding(c->encoding & ~1u);
		char name[96];
		snprintf(name, sizeof(name), "%s%s", f ? f->name : "?",
			 (c->encoding & 1) ? "_HIGH" : "");
		printf("%-34s 0x%04x   %-7s %-11s", name, c->encoding,
		       (c->encoding & 1) ? "32" :
		       gc_vmcs_width_name(gc_vmcs_enc_width(c->encoding)),
		       gc_vmcs_type_name(gc_vmcs_enc_type(c->encoding)));
		for (unsigned int k = 0; k < c->nr_chunks; k++)
			printf(" 0x%03x", c->off[k]);
		printf("\n");
	}
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool note = cli_take_flag(&argc, argv, "--note");
	bool force = cli_take_flag(&argc, argv, "--force");
	bool bad = false;
	const char *emit_what = vmx_take_opt(&argc, argv, "--emit", &bad);
	const char *out = vmx_take_opt(&argc, argv, "-o", &bad);
	const char *sysfs = vmx_take_opt(&argc, argv, "--sysfs", &bad);
	if (bad)
		return cli_usage(&cmd_vmcsinfo);
	if (emit_what) {
		if (argc != 1 || !out || json || sysfs)
			return cli_usage(&cmd_vmcsinfo);
		return emit(emit_what, out, note, force);
	}
	if (argc != 2 || out || note)
		return cli_usage(&cmd_vmcsinfo);
	const char *path = argv[1];
	struct gc_report *w = cli_report_new();
	struct gc_vmcs_layout *l = NULL;
	struct gc_error *err = NULL;

	/* A VMCSINFO text (or note) on its own? */
	FILE *f = fopen(path, "rb");
	char head[64] = { 0 };
	size_t hn = f ? fread(head, 1, sizeof(head), f) : 0;
	if (f)
		fclose(f);
	if (!sysfs && vmx_looks_like_vmcsinfo(head, hn)) {
		err = vmx_load_layout_file(path, w, &l);
	} else {
		struct gc_dump *d = cli_open(path);
		if (!d)
			return EXIT_ERROR;
		if (sysfs) {
			/* "ADDR SIZE" literally, or a file holding it */
			uint64_t addr, size;
			char *txt = NULL;
			size_t tl;
			if (!gc_vmcsinfo_parse_sysfs(sysfs, &addr, &size)) {
				struct gc_error *e2;
				txt = vmx_read_small_file(sysfs, &tl, &e2);
				gc_error_free(e2);
				if (!txt || !gc_vmcsinfo_parse_sysfs(txt, &addr,
								     &size)) {
					free(txt);
					gc_dump_close(d);
					return cli_fail("--sysfs: '%s' is not "
							"\"ADDRESS SIZE\" in "
							"hex nor a file "
							"holding it", sysfs);
				}
			}
			free(txt);
			err = vmx_layout_from_dump(d, addr, size, w, &l);
		} else {
			err = vmx_layout_from_dump(d, 0, 0, w, &l);
		}
		if (err)
			gc_error_set_file(err, gc_dump_path(d));
		gc_dump_close(d);
	}
	if (err) {
		gc_report_free(w);
		return cli_error(err);
	}
	print_layout(l, w, json);
	int rc = gc_report_count(w) ? EXIT_PROBLEMS : EXIT_OK;
	gc_vmcs_layout_free(l);
	gc_report_free(w);
	return rc;
}

static const struct cli_opt options[] = {
	CLI_VALUE_OPT("sysfs", 0, "'ADDR SIZE'|FILE", "read the note from a host dump at the address /sys/kernel/vmcsinfo printed"),
	CLI_VALUE_OPT("emit", 0, "REVISION|FILE", "write a layout as VMCSINFO text (with -o)"),
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "OUT", .canon = "-o", .help = "where --emit writes" },
	CLI_FLAG_OPT("note", 0, "with --emit: write the whole ELF note"),
	CLI_FLAG_OPT("force", 0, "with --emit: replace an existing regular OUT"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_OPT_END,
};

const struct cli_command cmd_vmcsinfo = {
	.name = "vmcsinfo",
	.run = run,
	.summary = "show a VMCS field layout (VMCSINFO note, text or host "
		   "memory), or write one",
	.usage = "vmcsinfo FILE|DUMP [--sysfs 'ADDR SIZE'|FILE] [--json]\n"
		 "       guestcore vmcsinfo --emit REVISION|FILE -o OUT "
		 "[--note]",
	.opts = options,
};
