// SPDX-License-Identifier: MIT
/* The format modules' entry points (see registry.c). */
#ifndef GC_FORMATS_H
#define GC_FORMATS_H

#include "../dump_internal.h"

extern const struct gc_format_ops gc_xc_core_elf_ops;
bool gc_xc_core_elf_probe(const uint8_t *head, size_t len, struct gc_stream *s);
extern const struct gc_format_ops gc_xc_core_legacy_ops;
bool gc_xc_core_legacy_probe(const uint8_t *head, size_t len,
			     struct gc_stream *s);
extern const struct gc_format_ops gc_elf_vmcore_ops;
bool gc_elf_vmcore_probe(const uint8_t *head, size_t len, struct gc_stream *s);
extern const struct gc_format_ops gc_kdump_ops;
bool gc_kdump_probe(const uint8_t *head, size_t len, struct gc_stream *s);

#endif
