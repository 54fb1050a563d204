// SPDX-License-Identifier: MIT
/* Every dump format guestcore reads, in the order they are probed. */
#include "../dump_internal.h"
#include "formats.h"
#include "qemu_stream.h"

const struct gc_format_entry gc_formats[] = {
	{ &gc_xc_core_elf_ops, gc_xc_core_elf_probe, NULL },
	{ &gc_xc_core_legacy_ops, gc_xc_core_legacy_probe, NULL },
	/* after xc_core: ET_CORE with program headers (xc_core has none) */
	{ &gc_elf_vmcore_ops, gc_elf_vmcore_probe, NULL },
	{ &gc_kdump_ops, gc_kdump_probe, NULL },
	/* "QEVM" (virsh dump), maybe compressed */
	{ &gc_qemu_stream_ops, gc_qemu_stream_probe, gc_qemu_stream_explain },
	{ &gc_libvirt_save_ops, gc_libvirt_save_probe, NULL }, /* virsh save */
	/* flattened files are a container (io/stream.h), unwrapped before
	 * probing: any format above can be flattened */
	{ NULL, NULL, NULL },
};
