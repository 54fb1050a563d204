// SPDX-License-Identifier: MIT
/* libFuzzer target: the QEMU monitor text parsers (`info mtree -f`,
 * `info ramblock`), --ram GPA:SIZE@HVA and the pc/q35 layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/guestcore.h"
#include "guestcore/qemu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct gc_qemu_mtree_range *mt;
	struct gc_qemu_ramblock *rb;
	size_t n;
	struct gc_error *err = gc_qemu_parse_mtree(text, size, &mt, &n);
	if (!err)
		free(mt);
	gc_error_free(err);
	err = gc_qemu_parse_ramblock(text, size, &rb, &n);
	if (!err)
		free(rb);
	gc_error_free(err);
	struct gc_qemu_ram_range r;
	char *nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	err = gc_qemu_parse_ram_arg(text, &r);
	gc_error_free(err);
	uint64_t lo, hi, sz = 0;
	memcpy(&sz, data, size < 8 ? size : 8);
	err = gc_qemu_x86_layout(text, sz, sz >> 3, &lo, &hi);
	gc_error_free(err);
	free(text);
	return 0;
}
