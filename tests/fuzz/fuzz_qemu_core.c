// SPDX-License-Identifier: MIT
/* libFuzzer target: the QEMU process-core parser (ELF ET_CORE, PT_LOADs,
 * NT_FILE / NT_PRSTATUS / NT_PRPSINFO / NT_AUXV, argv recovery), the RAM
 * map built from it and reads through the guest view. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guestcore/guestcore.h"
#include "guestcore/guest.h"
#include "guestcore/qemu.h"

/* The input lives in an anonymous memory file (memfd) opened by its
 * /proc/self/fd path: nothing is left in /tmp when the fuzzer stops. */
static char path[64];
static int fd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		fd = memfd_create("fuzz_qemu_core", 0);
		if (fd < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return 0;
	struct gc_qemu_core *c;
	struct gc_error *err = gc_qemu_core_open(path, &c);
	if (err) {
		(void)gc_error_string(err);
		gc_error_free(err);
		return 0;
	}
	for (size_t i = 0; i < gc_qemu_core_nr_segments(c); i++) {
		const struct gc_qemu_segment *s = gc_qemu_core_segment(c, i);
		uint64_t run, off;
		uint8_t buf[64];
		gc_qemu_core_hva(c, s->vaddr, &run, &off);
		gc_qemu_core_hva(c, s->vaddr + s->memsz - 1, &run, &off);
		err = gc_qemu_core_read(c, s->vaddr, buf, sizeof(buf));
		gc_error_free(err);
		(void)gc_qemu_core_path_at(c, s->vaddr);
	}
	const char *const *argv;
	const char *src;
	size_t argc = gc_qemu_core_argv(c, &argv, &src);
	for (size_t i = 0; i < argc; i++)
		(void)strlen(argv[i]);
	struct gc_qemu_ram_opts o = { 0 };
	struct gc_qemu_ram_map m;
	/* size the layout from the input so small cores can match */
	if (size >= 8)
		o.ram_size = ((uint64_t)data[size - 1] + 1) << 12;
	o.machine = size & 1 ? "q35" : "pc";
	err = gc_qemu_ram_map_build(c, &o, &m);
	if (!err) {
		struct gc_guest *gg;
		struct gc_guest_args ga = { .core = c, .ram_map = &m };
		err = gc_guest_open("qemu", &ga, &gg);
		if (!err) {
			struct gc_dump *d = gc_guest_dump(gg);
			uint8_t page[4096];
			for (uint64_t a = 0; a < 8 * 4096; a += 4096) {
				struct gc_error *e = gc_dump_read(d, GC_SPACE_PHYS, a, page, sizeof(page));
				gc_error_free(e);
			}
			gc_guest_close(gg);
		}
		gc_qemu_ram_map_free(&m);
	}
	gc_error_free(err);
	gc_qemu_core_close(c);
	return 0;
}
