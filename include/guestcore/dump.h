/* SPDX-License-Identifier: MIT */
/*
 * guestcore dumps: open any supported dump file and read it through its
 * address spaces.
 *
 * A format only says where each page of a space lives in the file; reads,
 * translations and checks are format neutral.
 */
#ifndef GUESTCORE_DUMP_H
#define GUESTCORE_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "arch.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

struct gc_dump;

enum gc_format {
	GC_FORMAT_UNKNOWN = 0,
	GC_FORMAT_XC_CORE_ELF,     /* xl dump-core, ELF with .note.Xen */
	GC_FORMAT_XC_CORE_LEGACY,  /* xm dump-core, 0xF00FEBED header */
	GC_FORMAT_ELF_VMCORE,      /* /proc/vmcore, QEMU dump-guest-memory */
	GC_FORMAT_KDUMP,           /* makedumpfile "KDUMP   " */
	GC_FORMAT_KDUMP_FLAT,      /* makedumpfile -F flattened stream */
	GC_FORMAT_QEMU_CORE,       /* core file of a QEMU process */
	/* Not a file format: the read-only dump object over a guest found
	 * inside another dump (gc_guest_dump(), include/guestcore/guest.h). */
	GC_FORMAT_GUEST,
	GC_FORMAT_QEMU_STREAM,     /* QEMU migration stream "QEVM" (virsh dump) */
	GC_FORMAT_LIBVIRT_SAVE,    /* libvirt save image (virsh save) */
};

const char *gc_format_name(enum gc_format format);

struct gc_open_opts {
	/* Page size to assume when the format does not record one (0 = 4096). */
	uint32_t page_size;
	/* Extra files of a split dump (kdump --split), NULL-terminated. */
	const char *const *split_files;
	/* Do not decode ahead on a second thread when pages are read in
	 * ascending order (compressed formats; on by default). */
	bool no_readahead;
};

/* Open PATH, detecting its format.  OPTS may be NULL. */
struct gc_error *gc_dump_open(const char *path, const struct gc_open_opts *opts,
			      struct gc_dump **out);
void gc_dump_close(struct gc_dump *dump);

const char *gc_dump_path(const struct gc_dump *dump);
enum gc_format gc_dump_format(const struct gc_dump *dump);
/* What holds the format's bytes: "plain" (the file itself), "flattened"
 * (makedumpfile -F records, any format), "window", "concatenated".  A
 * flattened kdump also reports GC_FORMAT_KDUMP_FLAT as its format. */
const char *gc_dump_container(const struct gc_dump *dump);
uint32_t gc_dump_page_size(const struct gc_dump *dump);
uint64_t gc_dump_file_size(const struct gc_dump *dump);
/* True when the dump has a machine (mfn) space distinct from PHYS. */
bool gc_dump_has_space(const struct gc_dump *dump, enum gc_space space);

/* What a dump says about one page frame. */
enum gc_page_state {
	GC_PAGE_PRESENT = 0,  /* data in the file */
	GC_PAGE_ZERO,         /* known to be all zeroes (no data stored) */
	GC_PAGE_EXCLUDED,     /* existed, filtered out by the dump tool */
	GC_PAGE_ABSENT,       /* not in the dump at all */
	GC_PAGE_TRUNCATED,    /* listed, but its data is past the end of file */
};
const char *gc_page_state_name(enum gc_page_state state);

struct gc_error *gc_dump_page_state(struct gc_dump *dump, enum gc_space space,
				    uint64_t frame, enum gc_page_state *out);

/*
 * Read LEN bytes at ADDR of SPACE (PHYS or MACH).  A page that is not in
 * the dump is an error naming the address, unless ZERO_MISSING is set,
 * in which case it reads as zeroes and *MISSING (if not NULL) counts the
 * pages that were filled.
 */
struct gc_error *gc_dump_read(struct gc_dump *dump, enum gc_space space,
			      uint64_t addr, void *buf, size_t len);
struct gc_error *gc_dump_read_fill(struct gc_dump *dump, enum gc_space space,
				   uint64_t addr, void *buf, size_t len,
				   uint64_t *missing_pages);

/*
 * Translate a frame number between PHYS (pfn) and MACH (mfn).  For dumps
 * without a separate machine space the translation is the identity.
 */
struct gc_error *gc_dump_pfn_to_mfn(struct gc_dump *dump, uint64_t pfn,
				    uint64_t *mfn);
struct gc_error *gc_dump_mfn_to_pfn(struct gc_dump *dump, uint64_t mfn,
				    uint64_t *pfn);

/* Runs of present frames in a space, in ascending order. */
struct gc_frame_run {
	uint64_t start;  /* first frame */
	uint64_t count;  /* number of frames */
};
/* *RUNS is malloc'ed; the caller frees it. */
struct gc_error *gc_dump_frame_runs(struct gc_dump *dump, enum gc_space space,
				    struct gc_frame_run **runs, size_t *nr_runs);
/* Number of frames the dump holds data (or a zero marker) for. */
uint64_t gc_dump_nr_frames(const struct gc_dump *dump);

/*
 * True when the dump has a machine space but no pfn index (legacy PV
 * xc_core): reads by pfn need the guest's own p2m, which the kernel layer
 * rebuilds from guest memory into a physical view of the dump
 * (gc_kernel_phys_view, or implicitly gc_kernel_open).  The dump itself
 * never changes.
 */
bool gc_dump_needs_p2m(const struct gc_dump *dump);

/* ---- vCPU registers ---------------------------------------------------- */

/*
 * The x86_64 register numbering (GC_ARCH_X86_64, see arch.h): the index
 * of a register in struct gc_vcpu.regs[] and its bit in valid when
 * vcpu.arch is GC_ARCH_X86_64.  Other architectures number their
 * registers their own way; gc_arch_reg_name() names any of them.
 */
enum gc_vcpu_reg {
	GC_REG_RAX, GC_REG_RBX, GC_REG_RCX, GC_REG_RDX, GC_REG_RSI, GC_REG_RDI,
	GC_REG_RBP, GC_REG_RSP, GC_REG_R8, GC_REG_R9, GC_REG_R10, GC_REG_R11,
	GC_REG_R12, GC_REG_R13, GC_REG_R14, GC_REG_R15, GC_REG_RIP,
	GC_REG_RFLAGS, GC_REG_CS, GC_REG_SS, GC_REG_DS, GC_REG_ES, GC_REG_FS,
	GC_REG_GS, GC_REG_FS_BASE, GC_REG_GS_BASE, GC_REG_GS_BASE_KERNEL,
	GC_REG_CR0, GC_REG_CR1, GC_REG_CR2, GC_REG_CR3, GC_REG_CR4,
	GC_REG_CR5, GC_REG_CR6, GC_REG_CR7, GC_REG_EFER,
	GC_REG_KERNEL_SS, GC_REG_KERNEL_SP, GC_REG_ORIG_RAX,
	GC_REG_GDT_BASE, GC_REG_GDT_LIMIT, GC_REG_IDT_BASE, GC_REG_IDT_LIMIT,
	GC_REG_COUNT  /* x86_64 registers; <= GC_VCPU_MAX_REGS */
};
/* x86_64 register name (gc_arch_reg_name(GC_ARCH_X86_64, reg)); "?" for
 * a number that is not one. */
const char *gc_vcpu_reg_name(enum gc_vcpu_reg reg);

struct gc_vcpu {
	uint32_t id;           /* vCPU number (array position for Xen) */
	enum gc_arch arch;     /* numbering of regs[] (0 = x86_64) */
	bool is_32bit;         /* x86_32 guest context */
	/* Register N of ARCH (x86_64: enum gc_vcpu_reg). */
	uint64_t regs[GC_VCPU_MAX_REGS];
	/* Bit N set when regs[N] is known: valid_bits[N / 64] bit N % 64.
	 * VALID is the first word (registers 0..63: all of x86_64). */
	union {
		uint64_t valid;
		uint64_t valid_bits[GC_VCPU_MAX_REGS / 64];
	};
	uint64_t xen_flags;    /* Xen VGCF_* flags, when from a Xen context */
	bool has_xen_flags;
	uint32_t pid;          /* NT_PRSTATUS pr_pid, when known */
	bool has_pid;
	/* Top-level page table: machine address for Xen PV, else physical. */
	uint64_t pgd_addr;
	enum gc_space pgd_space; /* GC_SPACE_NONE when unknown */
	const char *source;    /* "xen vcpu_guest_context", "NT_PRSTATUS"... */
};

/* Register N of V: true and *VAL when V has it. */
bool gc_vcpu_get_reg(const struct gc_vcpu *v, unsigned int n,
		     uint64_t *val);
/* Set register N of V (N < GC_VCPU_MAX_REGS) and mark it known. */
void gc_vcpu_set_reg(struct gc_vcpu *v, unsigned int n, uint64_t val);

unsigned int gc_dump_nr_vcpus(const struct gc_dump *dump);
struct gc_error *gc_dump_vcpu(struct gc_dump *dump, unsigned int index,
			      struct gc_vcpu *out);

/* ---- metadata ---------------------------------------------------------- */

/*
 * Format-specific header fields as ordered (name, value) pairs, for info.
 * Values are rendered text ("0xf00febed (XC_CORE_MAGIC)").
 */
struct gc_field {
	const char *name;
	char *value;     /* owned by the dump */
	uint64_t number; /* numeric value when has_number */
	bool has_number;
};
size_t gc_dump_nr_fields(const struct gc_dump *dump);
const struct gc_field *gc_dump_field(const struct gc_dump *dump, size_t i);
/* Look a field up by name; NULL when absent. */
const struct gc_field *gc_dump_field_by_name(const struct gc_dump *dump,
					     const char *name);

/* ---- notes and VMCOREINFO --------------------------------------------- */

/* An ELF-style note the dump carries (PT_NOTE, kdump offset_note, ...). */
struct gc_note {
	const char *name;      /* "CORE", "VMCOREINFO", "QEMU", "Xen", ... */
	uint32_t type;
	const uint8_t *desc;   /* descriptor bytes, owned by the dump */
	uint64_t size;         /* descriptor size */
	uint64_t offset;       /* file offset of the descriptor */
};
size_t gc_dump_nr_notes(const struct gc_dump *dump);
const struct gc_note *gc_dump_note(const struct gc_dump *dump, size_t i);

/*
 * The VMCOREINFO text the dump's own metadata carries (ELF note, kdump
 * sub-header).  *TEXT is owned by the dump and NUL-terminated; returns a
 * GC_ERR_NOT_PRESENT error when the format has none.  (Finding it in
 * guest memory is the kernel layer's job.)
 */
struct gc_error *gc_dump_vmcoreinfo(struct gc_dump *dump, const char **text,
				    size_t *len, uint64_t *offset);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
