// SPDX-License-Identifier: MIT
/* Every dump format guestcore reads, in the order they are probed. */
#include "../dump_internal.h"
#include "formats.h"

const struct gc_format_entry gc_formats[] = {
	{ &gc_xc_core_elf_ops, gc_xc_core_elf_probe },
	{ &gc_xc_core_legacy_ops, gc_xc_core_legacy_probe },
	{ NULL, NULL },
};
