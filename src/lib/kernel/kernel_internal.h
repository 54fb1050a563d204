// SPDX-License-Identifier: MIT
/* The kernel object, shared by the kernel-layer modules. */
#ifndef GC_KERNEL_INTERNAL_H
#define GC_KERNEL_INTERNAL_H

#include "dump_internal.h"
#include "guestcore/kernel.h"
#include "guestcore/writer.h"
#include "arch/arch.h"
/* x86_64 specifics still named directly by kernel-layer code that predates
 * the arch table (gc_x86_canonical in regions.c on main); new code goes
 * through k->arch. */
#include "arch/x86_64/x86_64.h"

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

struct gc_modlist;

struct gc_symtab {
	struct gc_ksym *s;     /* sorted by address */
	size_t n;
	const char *source;
	char *names;           /* storage for kallsyms names */
	size_t unprintable;    /* kallsyms names with bytes outside printable
				* ASCII (shown as '?') */
};

struct gc_kernel {
	struct gc_dump *d;         /* what it reads: the dump, or VIEW */
	/* ORC register numbering found by stack.c's vote, once: 0 not yet,
	 * 1 the 6.x one, 2 with AX (7.x), 3 undetermined */
	int orc_regs;
	/* Legacy PV dump (no pfn column): the physical view over it built
	 * from the guest's own p2m (gc_p2m_view_new), owned; else NULL. */
	struct gc_dump *view;
	struct gc_kernel_opts opts;
	struct gc_vmcoreinfo *vi;
	char *vi_source;
	struct gc_kernel_fact *facts;
	size_t nr_facts, cap_facts;
	char **notes;
	size_t nr_notes;
	const struct gc_arch_ops *arch; /* ISA of the guest (gc_arch_of_dump) */
	struct gc_arch_paging pg;
	struct gc_arch_mem mem;
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
	uint64_t image_text, image_end; /* _text (or _stext) and _end; 0 = unknown */
	bool facts_collected;
	struct gc_error *syms_err; /* why no table, kept for messages */
	/* Storage behind gc_kernel_writer_hints (hints.c). */
	struct {
		uint64_t pgd_pfn;
		struct gc_convert_patch patch;
		char patch_what[256];
		char used[512];
		uint32_t *pids;
	} hints;
	struct gc_types *types;    /* btf_find.c, built on first use */
	bool types_building;       /* set while it is built: symbol lookups
				    * then do not read the modules (whose
				    * layouts need the types) */
	struct gc_modlist *mods;   /* modules.c, read on first use */
	/* Small direct-mapped cache of 4 KiB translations (the dump does
	 * not change, so entries never go stale). */
	struct { uint64_t vpage, page; bool valid; } tlb[256];
};

struct gc_error *gc_kernel_add_fact(struct gc_kernel *k, const char *name,
				    const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A typed fact: T gives type, origin, u64/s64/space (name and source
 * are taken from the arguments, T's are ignored); FMT renders the
 * value's text. */
struct gc_error *gc_kernel_add_fact_typed(struct gc_kernel *k,
					  const char *name,
					  const char *source,
					  const struct gc_kernel_fact *t,
					  const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Shorthands: an unsigned number shown as 0x..., an address in SPACE
 * shown as 0x..., a text fact with its origin. */
struct gc_error *gc_kernel_add_fact_hex(struct gc_kernel *k,
					const char *name,
					enum gc_fact_origin origin,
					const char *source, uint64_t v);
struct gc_error *gc_kernel_add_fact_addr(struct gc_kernel *k,
					 const char *name,
					 enum gc_fact_origin origin,
					 const char *source, enum gc_space sp,
					 uint64_t v);
struct gc_error *gc_kernel_add_fact_text(struct gc_kernel *k,
					 const char *name,
					 enum gc_fact_origin origin,
					 const char *source, const char *fmt,
					 ...)
	__attribute__((format(printf, 5, 6)));
struct gc_error *gc_kernel_add_note(struct gc_kernel *k, const char *fmt,
				    ...) __attribute__((format(printf, 2, 3)));
/* tasks.c: where the x86 per-CPU variable NAME sits in each CPU's per-CPU
 * area: its own symbol, or else a member of the per-CPU struct pcpu_hot
 * (Linux 6.2-6.14, found through T; T may be NULL). */
struct gc_error *gc_kernel_percpu_var(struct gc_kernel *k,
				     const struct gc_types *t,
				     const char *name, uint64_t *off);
void gc_kernel_kmem(struct gc_kernel *k, struct gc_kmem *m);

/* tasklist.c: task_struct and friends as the kernel's types lay them out. */
struct gc_task_layout {
	const struct gc_types *t;
	uint64_t tasks, pid, tgid, real_parent, state, exit_state, stack, mm,
		 comm, cpu, signal, thread_link, thread_head;
	unsigned int state_size;
	bool has_cpu, has_exit_state, has_mm, has_stack;
	bool per_signal;        /* threads on signal->thread_head */
	/* rss: mm->rss_stat.count[] (atomic_long_t; Linux < 6.2) */
	bool has_rss;
	uint64_t rss_off, rss_elem;
	int64_t rss_idx[3];
	unsigned int nr_rss;
};
/* The task-list walk over memory M (the idle tasks IDLE, then
 * init_task.tasks from INIT with each process's threads); *OUT and *N are
 * set on every return (see gc_kernel_tasks). */
struct gc_error *gc_task_list_walk(const struct gc_kmem *m,
				   const struct gc_task_layout *l,
				   const uint64_t *idle, size_t nr_idle,
				   uint64_t init, struct gc_task **out,
				   size_t *n);

/* regions.c: describe where ADDR is in the kernel's address space
 * (IMAGE_END: the end of the kernel image, _end). */
void gc_kernel_describe_addr(struct gc_kernel *k, uint64_t addr,
			     uint64_t image_end, char *buf, size_t len);

/* kallsyms.c */
/* Where the kallsyms tables are (kernel-virtual addresses). */
struct gc_kallsyms_loc {
	uint64_t num_syms, names, markers, token_table, token_index;
	uint64_t offsets, relative_base; /* CONFIG_KALLSYMS_BASE_RELATIVE */
	uint64_t addresses;              /* otherwise */
	bool relative;
	bool pcrel;              /* each offset relative to its own address
				  * (Linux >= 7.0: no kallsyms_relative_base) */
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
/* The GNU build-id note of the vmlinux at PATH as lower-case hex. */
struct gc_error *gc_vmlinux_build_id(const char *path, char *hex,
				     size_t size);

/* modules.c: ADDR in a loaded module (true; *ERR set when that module has
 * no symbol for it), or not (false).  NAME among the symbols of MODULE (NULL: any module). */
bool gc_kernel_module_symbol_at(struct gc_kernel *k, uint64_t addr,
				struct gc_symbol *out, struct gc_error **err);
bool gc_kernel_module_find(struct gc_kernel *k, const char *module,
			   const char *name, struct gc_symbol *out);
/* Forget the list (it is read again on next use). */
void gc_kernel_modules_free(struct gc_kernel *k);
size_t gc_kernel_nr_modules_read(const struct gc_kernel *k);

/* printk.c: the log as records (gc_kernel_log_records). */
struct gc_error *gc_printk_records(const struct gc_vmcoreinfo *vi,
				   const struct gc_kmem *m,
				   struct gc_log_record **recs, size_t *nr,
				   const char **source);
/* printk.c: the whole log as dmesg lines into SB. */
struct gc_error *gc_printk_read(const struct gc_vmcoreinfo *vi,
				const struct gc_kmem *m, struct gc_strbuf *sb,
				const char **source);

#endif
