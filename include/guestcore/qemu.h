/* SPDX-License-Identifier: MIT */
/*
 * Guests inside QEMU process cores.
 *
 * A core file of a qemu-system-* process (kernel core dump or gdb
 * `gcore`) is not a guest dump: it is the host process's address space,
 * and guest RAM is a few of its mappings.  This API reads such a core
 * (segments by host virtual address, mapped files, threads, auxv, the
 * recovered command line), builds the guest-physical -> host-virtual map
 * of guest RAM and extracts the guest as an ELF vmcore.
 *
 * It is deliberately separate from gc_dump_open(): a process core is never
 * taken for a guest dump.
 */
#ifndef GUESTCORE_QEMU_H
#define GUESTCORE_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dump.h"
#include "error.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

struct gc_qemu_core;

/* A PT_LOAD of the process core. */
struct gc_qemu_segment {
	uint64_t vaddr;    /* host virtual address */
	uint64_t memsz;    /* size of the mapping */
	uint64_t filesz;   /* bytes the core claims to hold (may be < memsz) */
	uint64_t offset;   /* file offset of the data */
	uint64_t avail;    /* bytes of FILESZ actually inside the file */
	uint32_t flags;    /* PF_R 4, PF_W 2, PF_X 1 */
};

/* An NT_FILE entry: a file-backed mapping. */
struct gc_qemu_mapped_file {
	uint64_t start, end;   /* host virtual range [start, end) */
	uint64_t file_offset;  /* bytes */
	const char *path;      /* "/usr/bin/qemu-system-x86_64", "/memfd:pc.ram (deleted)" */
};

/* An NT_PRSTATUS thread: the host thread's user registers. */
enum gc_qemu_thread_reg {
	GC_QREG_R15, GC_QREG_R14, GC_QREG_R13, GC_QREG_R12, GC_QREG_RBP,
	GC_QREG_RBX, GC_QREG_R11, GC_QREG_R10, GC_QREG_R9, GC_QREG_R8,
	GC_QREG_RAX, GC_QREG_RCX, GC_QREG_RDX, GC_QREG_RSI, GC_QREG_RDI,
	GC_QREG_ORIG_RAX, GC_QREG_RIP, GC_QREG_CS, GC_QREG_EFLAGS,
	GC_QREG_RSP, GC_QREG_SS, GC_QREG_FS_BASE, GC_QREG_GS_BASE,
	GC_QREG_DS, GC_QREG_ES, GC_QREG_FS, GC_QREG_GS,
	GC_QREG_COUNT
};
struct gc_qemu_thread {
	uint32_t pid;
	uint32_t signo;
	uint64_t regs[GC_QREG_COUNT];
	uint64_t note_offset;
};

/* Where a host virtual address stands in the core. */
enum gc_hva_state {
	GC_HVA_PRESENT = 0,   /* bytes in the file */
	GC_HVA_NOT_DUMPED,    /* mapped, but p_filesz stops before it */
	GC_HVA_TRUNCATED,     /* p_filesz covers it, the file ends before */
	GC_HVA_UNMAPPED,      /* no segment covers it */
};
const char *gc_hva_state_name(enum gc_hva_state state);

struct gc_error *gc_qemu_core_open(const char *path, struct gc_qemu_core **out);
void gc_qemu_core_close(struct gc_qemu_core *core);
const char *gc_qemu_core_path(const struct gc_qemu_core *core);
uint64_t gc_qemu_core_file_size(const struct gc_qemu_core *core);

size_t gc_qemu_core_nr_segments(const struct gc_qemu_core *core);
const struct gc_qemu_segment *gc_qemu_core_segment(const struct gc_qemu_core *core, size_t i);
size_t gc_qemu_core_nr_files(const struct gc_qemu_core *core);
const struct gc_qemu_mapped_file *gc_qemu_core_file(const struct gc_qemu_core *core, size_t i);
size_t gc_qemu_core_nr_threads(const struct gc_qemu_core *core);
const struct gc_qemu_thread *gc_qemu_core_thread(const struct gc_qemu_core *core, size_t i);
/* NT_AUXV as (type, value) pairs; NULL/0 when absent. */
const uint64_t *gc_qemu_core_auxv(const struct gc_qemu_core *core, size_t *nr_pairs);
bool gc_qemu_core_auxv_get(const struct gc_qemu_core *core, uint64_t type, uint64_t *value);
/* The executable's path (NT_FILE / AT_EXECFN / NT_PRPSINFO), or "". */
const char *gc_qemu_core_exe(const struct gc_qemu_core *core);
/* The command line: recovered from the initial stack (full argv), else
 * split from NT_PRPSINFO pr_psargs (80 bytes, possibly cut).  *SOURCE says
 * which.  Returns 0 when neither is available. */
size_t gc_qemu_core_argv(const struct gc_qemu_core *core, const char *const **argv,
			 const char **source);
/* Damage noticed while opening that did not stop it (notes past EOF, ...). */
size_t gc_qemu_core_nr_problems(const struct gc_qemu_core *core);
const char *gc_qemu_core_problem(const struct gc_qemu_core *core, size_t i);
/* NT_FILE path of the mapping containing HVA, or NULL. */
const char *gc_qemu_core_path_at(const struct gc_qemu_core *core, uint64_t hva);

/*
 * State of HVA: *RUN receives how many bytes from HVA on share that state
 * (up to the segment/gap boundary) and *FILE_OFFSET the file offset of HVA
 * when present.
 */
enum gc_hva_state gc_qemu_core_hva(const struct gc_qemu_core *core, uint64_t hva,
				   uint64_t *run, uint64_t *file_offset);
/* Read LEN bytes at HVA; an error unless every byte is present. */
struct gc_error *gc_qemu_core_read(struct gc_qemu_core *core, uint64_t hva,
				   void *buf, size_t len);
/* Pointer into the mapped core for LEN present bytes at HVA, or NULL. */
const void *gc_qemu_core_view(const struct gc_qemu_core *core, uint64_t hva, size_t len);

/* ---- guest RAM map ------------------------------------------------------ */

/* One guest-physical range backed by host memory. */
struct gc_qemu_ram_range {
	uint64_t gpa;
	uint64_t size;
	uint64_t hva;
	char name[64];     /* RAM block ("pc.ram"), or "" */
};

enum gc_qemu_ram_method {
	GC_QEMU_RAM_EXPLICIT = 1,  /* --ram GPA:SIZE@HVA */
	GC_QEMU_RAM_MTREE,         /* info mtree -f (+ info ramblock) */
	GC_QEMU_RAM_LAYOUT,        /* recognised mapping + machine layout */
};
const char *gc_qemu_ram_method_name(enum gc_qemu_ram_method m);

struct gc_qemu_ram_map {
	enum gc_qemu_ram_method method;
	char *why;                 /* one line: how and why */
	char *machine;             /* "q35", "pc-i440fx-7.2"; NULL unknown */
	uint64_t ram_size;         /* 0 unknown */
	struct gc_qemu_ram_range *ranges;  /* sorted by gpa, disjoint */
	size_t nr_ranges;
	char **notes;              /* caveats, one line each */
	size_t nr_notes;
};
void gc_qemu_ram_map_free(struct gc_qemu_ram_map *map);

/* "GPA:SIZE@HVA" (hex, 0x optional; SIZE also with K/M/G suffix). */
struct gc_error *gc_qemu_parse_ram_arg(const char *arg, struct gc_qemu_ram_range *out);

/* `info mtree -f`: the RAM/ROM ranges of the FlatView of AS "memory". */
struct gc_qemu_mtree_range {
	uint64_t gpa, size;
	uint64_t offset;   /* offset in the RAM block (the "@..." part) */
	char name[64];
	bool rom;
};
struct gc_error *gc_qemu_parse_mtree(const char *text, size_t len,
				     struct gc_qemu_mtree_range **out, size_t *nr);
/* `info ramblock`: block name, sizes and (QEMU >= 8.? / older with HVA
 * column) host address. */
struct gc_qemu_ramblock {
	char name[64];
	uint64_t page_size, offset, used, total;
	uint64_t hva;
	bool has_hva;
};
struct gc_error *gc_qemu_parse_ramblock(const char *text, size_t len,
					struct gc_qemu_ramblock **out, size_t *nr);

/* Standard pc / q35 split of RAM below / above 4 GiB. */
struct gc_error *gc_qemu_x86_layout(const char *machine, uint64_t ram_size,
				    uint64_t max_ram_below_4g,
				    uint64_t *below_4g, uint64_t *above_4g);

struct gc_qemu_ram_opts {
	const struct gc_qemu_ram_range *explicit_ranges;  /* --ram */
	size_t nr_explicit;
	const char *mtree_text;   /* --mtree FILE contents (mtree and/or ramblock) */
	size_t mtree_len;
	const char *machine;      /* override; NULL = from the command line */
	uint64_t ram_size;        /* override; 0 = from the command line */
};
/* Build the map by the first method the options allow. */
struct gc_error *gc_qemu_ram_map_build(struct gc_qemu_core *core,
				       const struct gc_qemu_ram_opts *opts,
				       struct gc_qemu_ram_map *out);

/* ---- extraction ---------------------------------------------------------- */

/* Guest-physical pages of the map that the core does not hold. */
struct gc_qemu_gap {
	uint64_t gpa, size;
	uint64_t hva;
	enum gc_hva_state state;   /* NOT_DUMPED, TRUNCATED or UNMAPPED */
};

struct gc_qemu_extract_result {
	uint64_t pages_written;    /* 4 KiB pages of guest RAM in the output */
	uint64_t pages_missing;    /* pages of the map not in the core */
	uint64_t nr_loads;         /* PT_LOADs written (ELF) */
	uint64_t file_size;        /* bytes of the output file */
	struct gc_qemu_gap *gaps;  /* by gpa; left out of the output */
	size_t nr_gaps;
	const char *writer;        /* which writer produced the file */
	const char *vcpu_status;   /* why vCPU registers are (not) present */
	char *vmcoreinfo_status;   /* where VMCOREINFO came from, or why not */
	bool has_vmcoreinfo;       /* a VMCOREINFO note was written */
};
void gc_qemu_extract_result_free(struct gc_qemu_extract_result *r);

/* The guest itself: gc_guest_open("qemu", args) with args.core and
 * args.ram_map (include/guestcore/guest.h). */

/*
 * Write the guest RAM of MAP with the shared vmcore writer (gc_convert;
 * OPTS NULL = ELF, an existing regular OUT replaced; otherwise OUT is
 * replaced only with OPTS->force) at OUT_PATH, atomically.  VMCOREINFO found in guest
 * memory by the kernel layer is stored.  Pages the core lacks are left
 * out (never zero-filled) and listed in RESULT->gaps.
 */
struct gc_error *gc_qemu_extract(struct gc_qemu_core *core, const struct gc_qemu_ram_map *map,
				 const char *out_path, const struct gc_convert_opts *opts,
				 struct gc_qemu_extract_result *result);

struct gc_qemu_verify_result {
	uint64_t pages_compared;
	uint64_t pages_differ;
	uint64_t first_differ_gpa;  /* valid when pages_differ */
	uint64_t pages_outside_map; /* output pages no map range explains */
	uint64_t pages_not_in_output; /* core pages of the map absent from the output */
};
/* Compare OUT_PATH with the core page for page: an ELF vmcore by its
 * PT_LOADs read raw, other formats through gc_dump_open (gc_convert_verify). */
struct gc_error *gc_qemu_verify(struct gc_qemu_core *core, const struct gc_qemu_ram_map *map,
				const char *out_path, struct gc_qemu_verify_result *result);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
