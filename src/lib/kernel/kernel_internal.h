// SPDX-License-Identifier: MIT
/* The kernel object, shared by the kernel-layer modules. */
#ifndef GC_KERNEL_INTERNAL_H
#define GC_KERNEL_INTERNAL_H

#include "dump_internal.h"
#include "guestcore/kernel.h"
#include "spaces/x86_64.h"

#define GC_START_KERNEL_MAP 0xffffffff80000000ull

/* Kernel-virtual memory as the log reader and symbol reader see it. */
struct gc_kmem {
	void *ctx;
	struct gc_error *(*read)(void *ctx, uint64_t vaddr, void *buf,
				 size_t len);
};

struct gc_ksym {
	uint64_t addr;
	char type;
	char *name;
};

struct gc_symtab {
	struct gc_ksym *s;     /* sorted by address */
	size_t n;
	const char *source;
	char *names;           /* storage for kallsyms names */
};

struct gc_kernel {
	struct gc_dump *d;
	struct gc_kernel_opts opts;
	struct gc_vmcoreinfo *vi;
	char *vi_source;
	struct gc_kernel_fact *facts;
	size_t nr_facts, cap_facts;
	char **notes;
	size_t nr_notes;
	struct gc_x86_paging pg;
	struct gc_x86_mem mem;
	uint64_t root;             /* top-level table */
	enum gc_space root_space;
	bool has_root;
	uint64_t pgd_vaddr;        /* its kernel-virtual address, or 0 */
	uint64_t phys_base;
	uint64_t kaslr;
	uint64_t page_offset;
	bool has_page_offset;
	struct gc_symtab syms;     /* kallsyms / System.map / vmlinux */
	bool syms_loaded;
	bool facts_collected;
	struct gc_error *syms_err; /* why no table, kept for messages */
	struct gc_types *types;    /* btf_find.c, built on first use */
	/* Small direct-mapped cache of 4 KiB translations (the dump does
	 * not change, so entries never go stale). */
	struct { uint64_t vpage, page; bool valid; } tlb[256];
};

struct gc_error *gc_kernel_add_fact(struct gc_kernel *k, const char *name,
				    const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct gc_error *gc_kernel_add_note(struct gc_kernel *k, const char *fmt,
				    ...) __attribute__((format(printf, 2, 3)));
void gc_kernel_kmem(struct gc_kernel *k, struct gc_kmem *m);

/* kallsyms.c */
/* Where the kallsyms tables are (kernel-virtual addresses). */
struct gc_kallsyms_loc {
	uint64_t num_syms, names, markers, token_table, token_index;
	uint64_t offsets, relative_base; /* CONFIG_KALLSYMS_BASE_RELATIVE */
	uint64_t addresses;              /* otherwise */
	bool relative;
	bool abs_percpu;         /* offsets >= 0 are absolute values */
	bool seqs_gap;           /* kallsyms_seqs_of_names before tokens */
	uint32_t nr;             /* symbols */
	uint32_t nr_markers;
	unsigned int marker_size;
	unsigned int vmcoreinfo_agree; /* SYMBOL()s the table agrees with */
	uint64_t pages_read;     /* by the search */
	const char *layout;
};
struct gc_va_range {
	uint64_t start, end;
};
/* The VMCOREINFO pointers (Linux >= 6.0); false when absent. */
bool gc_kallsyms_locate_vmcoreinfo(const struct gc_vmcoreinfo *vi,
				   struct gc_kallsyms_loc *loc);
/* Find the tables by their structure in RANGES of kernel-virtual memory
 * (the kernel image) and decode them; VI (may be NULL) validates. */
struct gc_error *gc_kallsyms_search(const struct gc_kmem *m,
				    const struct gc_va_range *ranges,
				    size_t nr_ranges,
				    const struct gc_vmcoreinfo *vi,
				    struct gc_symtab *out,
				    struct gc_kallsyms_loc *loc);
struct gc_error *gc_kallsyms_read(const struct gc_vmcoreinfo *vi,
				  const struct gc_kmem *m,
				  struct gc_symtab *out);
struct gc_error *gc_system_map_read(const char *path, uint64_t slide,
				    struct gc_symtab *out);
struct gc_error *gc_vmlinux_symtab_read(const char *path, uint64_t slide,
					struct gc_symtab *out);
/* Parse System.map text (for the fuzzer and the reader above). */
struct gc_error *gc_system_map_parse(const char *text, size_t len,
				     uint64_t slide, struct gc_symtab *out);
void gc_symtab_free(struct gc_symtab *t);

/* printk.c: the whole log as dmesg lines into SB. */
struct gc_error *gc_printk_read(const struct gc_vmcoreinfo *vi,
				const struct gc_kmem *m, struct gc_strbuf *sb,
				const char **source);

/* xen_p2m.c */
struct gc_error *gc_xen_p2m_check(struct gc_kernel *k,
				  struct gc_report *rep);
/* The guest's pfn -> mfn table read from guest memory: the linear list
 * (xen_p2m_addr) or the 3-level p2m_top tree.  *TABLE and *SOURCE are
 * malloc'ed; unreadable parts are ~0 and said in *SOURCE. */
struct gc_error *gc_xen_p2m_rebuild(struct gc_kernel *k, uint64_t **table,
				    uint64_t *count, char **source);

#endif
