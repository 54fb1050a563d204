// SPDX-License-Identifier: MIT
/* Streaming JSON writer. */
#include <inttypes.h>
#include <math.h>

#include "json.h"

void gc_json_init(struct gc_json *j, FILE *out, bool pretty)
{
	j->out = out;
	j->depth = 0;
	j->first[0] = true;
	j->pending_key = false;
	j->pretty = pretty;
	j->schema = cli_json_schema;
}

const char *cli_json_schema;

static void indent(struct gc_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void before_value(struct gc_json *j)
{
	if (j->pending_key) {
		j->pending_key = false;
		return;
	}
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->out);
		indent(j);
	}
	j->first[j->depth] = false;
}

static void open(struct gc_json *j, char c)
{
	before_value(j);
	fputc(c, j->out);
	if (j->depth < GC_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close(struct gc_json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->out);
}

static bool started;

bool gc_json_started(void)
{
	return started;
}

void gc_json_object_begin(struct gc_json *j)
{
	bool top = j->depth == 0;
	if (top && j->out == stdout)
		started = true;
	open(j, '{');
	if (top && j->schema) {
		gc_json_key(j, "schema");
		gc_json_string(j, j->schema);
	}
}
void gc_json_object_end(struct gc_json *j) { close(j, '}'); }
void gc_json_array_begin(struct gc_json *j)
{
	if (j->depth == 0 && j->out == stdout)
		started = true;
	open(j, '[');
}
void gc_json_array_end(struct gc_json *j) { close(j, ']'); }

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void gc_json_key(struct gc_json *j, const char *key)
{
	before_value(j);
	put_string(j->out, key);
	fputs(j->pretty ? ": " : ":", j->out);
	j->pending_key = true;
}

void gc_json_string(struct gc_json *j, const char *s)
{
	before_value(j);
	if (s)
		put_string(j->out, s);
	else
		fputs("null", j->out);
}

void gc_json_u64(struct gc_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void gc_json_i64(struct gc_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->out, "%" PRId64, v);
}

void gc_json_double(struct gc_json *j, double v)
{
	before_value(j);
	if (isfinite(v))
		fprintf(j->out, "%.6g", v);
	else
		fputs("null", j->out);
}

void gc_json_bool(struct gc_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->out);
}

void gc_json_null(struct gc_json *j)
{
	before_value(j);
	fputs("null", j->out);
}

void gc_json_hex(struct gc_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void gc_json_end(struct gc_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
