/* SPDX-License-Identifier: MIT */
/* A small streaming JSON writer, the command line's (every --json output);
 * not part of the library. */
#ifndef GC_CLI_JSON_H
#define GC_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif


#define GC_JSON_MAX_DEPTH 32

struct gc_json {
	FILE *out;
	int depth;
	bool first[GC_JSON_MAX_DEPTH];
	bool pending_key;
	bool pretty;
	const char *schema;  /* written first in the top-level object */
};

/* "guestcore.COMMAND/1": every command's JSON object starts with it
 * ("schema"); main sets it before the command runs. */
extern const char *cli_json_schema;

void gc_json_init(struct gc_json *j, FILE *out, bool pretty);
void gc_json_object_begin(struct gc_json *j);
void gc_json_object_end(struct gc_json *j);
void gc_json_array_begin(struct gc_json *j);
void gc_json_array_end(struct gc_json *j);
void gc_json_key(struct gc_json *j, const char *key);
void gc_json_string(struct gc_json *j, const char *s);
void gc_json_u64(struct gc_json *j, uint64_t v);
void gc_json_i64(struct gc_json *j, int64_t v);
void gc_json_double(struct gc_json *j, double v);
void gc_json_bool(struct gc_json *j, bool v);
void gc_json_null(struct gc_json *j);
/* "0x..." string: addresses are hex strings so 64-bit values survive. */
void gc_json_hex(struct gc_json *j, uint64_t v);
/* True once a top-level value has been begun on stdout (an error after
 * that is not printed as a second object). */
bool gc_json_started(void);
/* Finish: newline after the top-level value. */
void gc_json_end(struct gc_json *j);

#ifdef __cplusplus
}
#endif
#endif
