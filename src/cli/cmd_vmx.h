// SPDX-License-Identifier: MIT
/* Helpers shared by the vmcsinfo and vmcs commands. */
#ifndef GC_CLI_CMD_VMX_H
#define GC_CLI_CMD_VMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "guestcore/vmx.h"

/* Whole file (at most 1 MiB), NUL-terminated; NULL and *ERR on failure. */
char *vmx_read_small_file(const char *path, size_t *len,
			  struct gc_error **err);
/* Does B start like a VMCSINFO text or note? */
bool vmx_looks_like_vmcsinfo(const char *b, size_t len);
/* Layout from a VMCSINFO text/note file. */
struct gc_error *vmx_load_layout_file(const char *path, struct gc_report *w,
				      struct gc_vmcs_layout **out);
void vmx_print_warnings(const struct gc_report *w, FILE *out);
/* The findings of TMP added to W, each naming FILE (and the offset in it):
 * "MESSAGE [FILE at offset 0x..]"; TMP is freed. */
struct gc_error *vmx_merge_warnings(struct gc_report *w, struct gc_report *tmp,
				    const char *file);
/* gc_vmcsinfo_from_dump / _from_memory (ADDR, SIZE when SIZE != 0) with
 * the warnings naming the dump. */
struct gc_error *vmx_layout_from_dump(struct gc_dump *d, uint64_t addr,
				      uint64_t size, struct gc_report *w,
				      struct gc_vmcs_layout **out);
/* Take "NAME VALUE" out of argv (last one wins); *BAD when VALUE is
 * missing. */
const char *vmx_take_opt(int *argc, char **argv, const char *name,
			 bool *bad);

/* Write BUF to PATH by the output rules (exists -> error unless FORCE;
 * atomic); WHAT names the input in messages. */
struct gc_error *vmx_write_output(const char *path, bool force,
				  const char *what, const void *buf,
				  size_t len);

#endif
