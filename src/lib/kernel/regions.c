// SPDX-License-Identifier: MIT
/*
 * Which part of the x86-64 Linux address space an address is in, so that
 * an address outside the kernel image is described ("the direct map, pfn
 * 0x1234") instead of being given the last image symbol below it.
 *
 * Layout facts (Documentation/arch/x86/x86_64/mm.rst): with 4-level paging
 * user space ends at 0x0000800000000000, with 5-level at
 * 0x0100000000000000; the direct map starts at page_offset_base, vmalloc
 * at vmalloc_base, the struct page array at vmemmap_base (all three
 * randomized under KASLR, read from the variables of those names when the
 * kernel has them, else the fixed defaults); the kernel image mapping
 * starts at 0xffffffff80000000, modules follow the image's 1 GiB (512 MiB
 * before KASLR) up to 0xffffffffff000000, then the fixmap, whose legacy
 * vsyscall page is 0xffffffffff600000.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel_internal.h"
#include "util/util.h"

#define TiB (1ull << 40)

static uint64_t var_or(struct gc_kernel *k, const char *name, uint64_t dflt)
{
	struct gc_symbol s;
	uint64_t v;
	struct gc_error *e = gc_kernel_symbol(k, name, &s);
	if (!e)
		e = gc_kernel_read_u64(k, s.addr, &v);
	if (e) {
		gc_error_free(e);
		return dflt;
	}
	return v;
}

void gc_kernel_describe_addr(struct gc_kernel *k, uint64_t addr,
			     uint64_t image_end, char *buf, size_t len)
{
	bool l5 = k->pg.levels == 5;
	uint64_t user_end = l5 ? 0x0100000000000000ull : 0x0000800000000000ull;
	if (addr < user_end) {
		snprintf(buf, len, "a user-space address");
		return;
	}
	if (!gc_x86_canonical(addr, l5 ? 5 : 4)) {
		snprintf(buf, len, "a non-canonical address (%d-level paging)",
			 l5 ? 5 : 4);
		return;
	}
	/* Under KASLR the three bases move but keep their order; each area
	 * ends at the next one's base or at its largest size. */
	uint64_t dm = var_or(k, "page_offset_base",
			     l5 ? 0xff11000000000000ull : 0xffff888000000000ull);
	if (k->has_page_offset)
		dm = k->page_offset;
	uint64_t vm = var_or(k, "vmalloc_base",
			     l5 ? 0xffa0000000000000ull : 0xffffc90000000000ull);
	uint64_t vmemmap = var_or(k, "vmemmap_base",
				  l5 ? 0xffd4000000000000ull : 0xffffea0000000000ull);
	uint64_t dm_end = GC_MIN(dm + (l5 ? 32768 * TiB : 64 * TiB), vm);
	uint64_t vm_end = GC_MIN(vm + (l5 ? 12800 * TiB : 32 * TiB), vmemmap);
	uint64_t vmemmap_end = vmemmap + (l5 ? 512 * TiB : 1 * TiB);
	/* The direct map holds RAM: past the dump's last physical frame the
	 * randomized layout leaves a gap up to the next area. */
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	struct gc_error *e = gc_dump_frame_runs(k->d, GC_SPACE_PHYS, &runs, &nr);
	if (!e && nr) {
		uint64_t ram_end = (runs[nr - 1].start + runs[nr - 1].count) *
				   gc_dump_page_size(k->d);
		if (ram_end && dm + ram_end > dm && dm + ram_end < dm_end &&
		    addr >= dm + ram_end && addr < dm_end) {
			free(runs);
			snprintf(buf, len, "past the end of RAM in the direct map "
				 "(physical 0x%" PRIx64 ", the dump's memory ends at "
				 "0x%" PRIx64 ")", addr - dm, ram_end);
			return;
		}
	}
	gc_error_free(e);
	free(runs);
	if (addr >= dm && addr < dm_end) {
		snprintf(buf, len, "in the direct map (physical 0x%" PRIx64
			 ", pfn 0x%" PRIx64 ")", addr - dm, (addr - dm) >> 12);
		return;
	}
	if (addr >= vm && addr < vm_end) {
		snprintf(buf, len, "in the vmalloc/ioremap area (from 0x%"
			 PRIx64 ")", vm);
		return;
	}
	if (addr >= vmemmap && addr < vmemmap_end) {
		snprintf(buf, len, "in the struct page array (vmemmap, pfn "
			 "0x%" PRIx64 " if struct page is 64 bytes)",
			 (addr - vmemmap) / 64);
		return;
	}
	if (addr < dm) {
		snprintf(buf, len, "below the direct map (which starts at 0x%"
			 PRIx64 ")", dm);
		return;
	}
	if (addr >= 0xfffffe0000000000ull && addr < 0xfffffe8000000000ull) {
		snprintf(buf, len, "in the cpu_entry_area");
		return;
	}
	if (addr >= 0xffffffff80000000ull && addr < image_end) {
		snprintf(buf, len, "in the kernel image mapping");
		return;
	}
	if (addr >= 0xffffffffff600000ull && addr < 0xffffffffff601000ull) {
		snprintf(buf, len, "the legacy vsyscall page (fixmap)");
		return;
	}
	if (addr >= 0xffffffffff000000ull) {
		snprintf(buf, len, "in the fixmap area");
		return;
	}
	if (addr >= 0xffffffffa0000000ull && addr >= image_end) {
		snprintf(buf, len, "in the module area, in no loaded module's "
			 "memory (`guestcore mod` lists them)");
		return;
	}
	if (addr >= 0xffffffff80000000ull) {
		snprintf(buf, len, "past the end of the kernel image (0x%" PRIx64
			 ")", image_end);
		return;
	}
	snprintf(buf, len, "in no region the kernel maps by default");
}
