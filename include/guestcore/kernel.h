/* SPDX-License-Identifier: MIT */
/*
 * guestcore kernel awareness without debuginfo: VMCOREINFO (from the dump
 * or found in guest memory), x86-64 kernel-virtual translation (native and
 * Xen PV), symbols (VMCOREINFO, kallsyms in memory, System.map, vmlinux
 * .symtab), the printk log and the Xen PV guest's own p2m.
 *
 * Every fact the kernel layer derives carries its SOURCE ("VMCOREINFO
 * note", "vmcoreinfo page found in memory at pfn 0x..", "page tables").
 */
#ifndef GUESTCORE_KERNEL_H
#define GUESTCORE_KERNEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "check.h"
#include "dump.h"
#include "error.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

/* ---- VMCOREINFO text ---------------------------------------------------- */

struct gc_vmcoreinfo;

struct gc_vmcoreinfo_entry {
	const char *key;    /* "SYMBOL(init_top_pgt)", "OSRELEASE", ... */
	const char *value;  /* text after '=' */
};

/* Parse KEY=VALUE lines.  Fails unless at least one line parses. */
struct gc_error *gc_vmcoreinfo_parse(const char *text, size_t len,
				     struct gc_vmcoreinfo **out);
void gc_vmcoreinfo_free(struct gc_vmcoreinfo *vi);
/* TEXT (LEN bytes, from FILE for the message) is VMCOREINFO text: text
 * bytes only (the first other byte is named by its offset) and at least
 * one KEY=VALUE line the kernel writes (OSRELEASE=, PAGESIZE=,
 * SYMBOL(name)=, OFFSET(..)=, SIZE(..)=, NUMBER(..)=, LENGTH(..)=,
 * KERNELOFFSET=, BUILD-ID=, CRASHTIME=).  --vmcoreinfo files are checked
 * with it: a file that is not VMCOREINFO is an error, never ignored. */
struct gc_error *gc_vmcoreinfo_text_check(const char *text, size_t len,
					  const char *file);
/* The raw text (NUL-terminated copy) and its length. */
const char *gc_vmcoreinfo_text(const struct gc_vmcoreinfo *vi, size_t *len);
size_t gc_vmcoreinfo_count(const struct gc_vmcoreinfo *vi);
const struct gc_vmcoreinfo_entry *
gc_vmcoreinfo_entry(const struct gc_vmcoreinfo *vi, size_t i);
/* Value of the full KEY ("KERNELOFFSET", "SYMBOL(_stext)"); NULL if absent. */
const char *gc_vmcoreinfo_value(const struct gc_vmcoreinfo *vi,
			      const char *key);
/* SYMBOL(NAME) (hex). */
bool gc_vmcoreinfo_symbol(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out);
/* NUMBER(NAME) (decimal, may be negative). */
bool gc_vmcoreinfo_number(const struct gc_vmcoreinfo *vi, const char *name,
			  int64_t *out);
/* OFFSET(NAME), SIZE(NAME), LENGTH(NAME) (decimal). */
bool gc_vmcoreinfo_offset(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out);
bool gc_vmcoreinfo_size(const struct gc_vmcoreinfo *vi, const char *name,
			uint64_t *out);
bool gc_vmcoreinfo_length(const struct gc_vmcoreinfo *vi, const char *name,
			  uint64_t *out);
/* KERNELOFFSET (hex) when present. */
bool gc_vmcoreinfo_kerneloffset(const struct gc_vmcoreinfo *vi,
				uint64_t *out);

/* ---- page-table walks ------------------------------------------------------ */

enum { GC_WALK_MAX_LEVELS = 5 };

struct gc_walk_level {
	const char *name;      /* "PML5", "PGD", "PUD", "PMD", "PTE" */
	uint64_t table;        /* table address (machine for Xen PV) */
	uint64_t table_phys;   /* the same table, guest-physical */
	bool has_table_phys;
	unsigned int index;
	uint64_t entry;        /* raw entry as stored */
	uint64_t entry_pseudo; /* Xen PV: entry with the mfn replaced by pfn */
	bool has_entry_pseudo;
	bool read;             /* the entry was read */
};

struct gc_walk {
	uint64_t vaddr;
	unsigned int levels;   /* 4 or 5 */
	bool xen_pv;           /* entries hold machine frames */
	unsigned int nr;       /* levels visited (entries read or attempted) */
	struct gc_walk_level lvl[GC_WALK_MAX_LEVELS];
	bool ok;
	uint64_t phys;         /* final guest-physical address */
	uint64_t mach;         /* final machine address (Xen PV) */
	uint64_t page_size;    /* 4 KiB, 2 MiB or 1 GiB */
	uint64_t leaf;         /* leaf entry (pseudo for PV) */
	char why[200];         /* where and why the walk stopped */
};

/* Leaf entry flags as crash names them ("PRESENT|RW|...|NX"); LARGE
 * when the entry maps a 2 MiB / 1 GiB page (bit 7 is PSE, not PAT). */
void gc_x86_flags(uint64_t entry, bool large, char *buf, size_t len);

/* ---- the kernel object ----------------------------------------------------- */

struct gc_kernel;

/* Where kallsyms comes from: VMCOREINFO's pointers when it has them
 * (Linux >= 6.0) else a search of the kernel image (AUTO), only the
 * pointers, or always the search (to test it on newer kernels). */
enum gc_kallsyms_mode {
	GC_KALLSYMS_AUTO = 0,
	GC_KALLSYMS_VMCOREINFO,
	GC_KALLSYMS_SEARCH,
};

/* How VMCOREINFO that is not in the dump's metadata is looked for in
 * guest memory.  BOUNDED: only from the kernel image the vCPUs' page
 * tables map (its pointers to vmcoreinfo_data / the VMCOREINFO note, and
 * its own bytes): at most 128 MiB of the image and 65536 pointers.  AUTO:
 * that, then (when it finds nothing, or no vCPU has usable page tables)
 * the start of every page of guest memory.  FULL: only the every-page
 * scan (the behaviour before the bounded search; for comparisons). */
enum gc_vmcoreinfo_search {
	GC_VMCOREINFO_SEARCH_AUTO = 0,
	GC_VMCOREINFO_SEARCH_BOUNDED,
	GC_VMCOREINFO_SEARCH_FULL,
};

struct gc_kernel_opts {
	const char *vmcoreinfo_file; /* --vmcoreinfo FILE */
	const char *system_map;      /* --system-map FILE */
	const char *vmlinux;         /* --vmlinux FILE (.symtab only) */
	enum gc_kallsyms_mode kallsyms; /* --kallsyms auto|vmcoreinfo|search */
	enum gc_vmcoreinfo_search vmcoreinfo_search;
};

/* What a fact's value is.  Every fact also has its rendered text. */
enum gc_fact_type {
	GC_FACT_TEXT = 0,  /* text only: value */
	GC_FACT_U64,       /* an unsigned number: u64 */
	GC_FACT_S64,       /* a signed number: s64 (e.g. phys_base) */
	GC_FACT_ADDR,      /* an address: u64 in space */
};

/* Where a fact came from, as a class (SOURCE says it in words). */
enum gc_fact_origin {
	GC_FACT_FROM_UNKNOWN = 0,
	GC_FACT_FROM_VMCOREINFO,   /* the dump's, a file's or a found one */
	GC_FACT_FROM_PAGE_TABLES,  /* derived by walking the guest's tables */
	GC_FACT_FROM_MEMORY,       /* read from guest memory at a symbol */
	GC_FACT_FROM_REGISTERS,    /* a vCPU's registers */
	GC_FACT_FROM_SYMBOLS,      /* kallsyms, System.map, vmlinux */
	GC_FACT_FROM_DEFAULT,      /* an architecture or kernel convention */
	GC_FACT_FROM_TYPES,        /* type information (BTF, DWARF) */
	GC_FACT_FROM_USER,         /* given by the caller */
};

/*
 * A fact about the kernel and where it came from.  Facts are named in
 * lower case ("osrelease", "kaslr_offset", "page_table"); layout facts
 * that a types provider answers are to be named as VMCOREINFO spells
 * them, "SIZE(page)", "OFFSET(page.flags)", "LENGTH(...)", with type
 * U64 and origin VMCOREINFO or TYPES, so a caller asks one way whichever
 * source knows.
 */
struct gc_kernel_fact {
	const char *name;
	char *value;               /* the value as text ("0xffff888000000000") */
	char *source;              /* "VMCOREINFO NUMBER(phys_base)", ... */
	enum gc_fact_type type;
	enum gc_fact_origin origin;
	uint64_t u64;              /* U64 and ADDR */
	int64_t s64;               /* S64 */
	enum gc_space space;       /* ADDR: PHYS, MACH or KVIRT */
};

/* Open the kernel view of DUMP.  OPTS may be NULL.  Only fails when no
 * translation at all can be set up; partial knowledge is reported through
 * the facts and notes. */
struct gc_error *gc_kernel_open(struct gc_dump *dump,
				const struct gc_kernel_opts *opts,
				struct gc_kernel **out);
void gc_kernel_close(struct gc_kernel *k);

/*
 * The dump the kernel object reads by pfn: DUMP itself, or, for a Xen PV
 * dump without a pfn column (legacy xc_core, gc_dump_needs_p2m), a
 * physical view of it whose pfns are the guest's own p2m, rebuilt from
 * guest memory (info shows where from as its p2m_source field).  The view
 * belongs to K; DUMP is never changed.
 */
struct gc_dump *gc_kernel_dump(const struct gc_kernel *k);

/*
 * That physical view on its own, for a dump gc_dump_needs_p2m says needs
 * one: reads, translations and frame runs by pfn go through the guest's
 * p2m; everything else is DUMP's.  On success the view takes DUMP over
 * (closing the view closes DUMP); on failure (no kernel found, p2m not
 * readable: the error says why) DUMP stays the caller's, unchanged.
 */
struct gc_error *gc_kernel_phys_view(struct gc_dump *dump,
				     const struct gc_kernel_opts *opts,
				     struct gc_dump **out);

/* NULL when no VMCOREINFO was found. */
const struct gc_vmcoreinfo *gc_kernel_vmcoreinfo(const struct gc_kernel *k);
/* Where the VMCOREINFO came from ("ELF note at offset 0x..", ...). */
const char *gc_kernel_vmcoreinfo_source(const struct gc_kernel *k);
/* Add the facts that cost reads (release, machine and nodename from
 * init_uts_ns, CPUs online via kallsyms, the panic string from the log);
 * gc_kernel_open records only what setting up translation needs. */
void gc_kernel_collect_facts(struct gc_kernel *k);
size_t gc_kernel_nr_facts(const struct gc_kernel *k);
const struct gc_kernel_fact *gc_kernel_fact(const struct gc_kernel *k,
					    size_t i);
const struct gc_kernel_fact *gc_kernel_fact_by_name(const struct gc_kernel *k,
						    const char *name);
/* The numeric value of fact NAME (the newest of that name): U64 and ADDR
 * facts give u64, S64 facts their two's complement; false when there is
 * no such fact or it is text only.  *SPACE (may be NULL) gets the ADDR
 * fact's space, GC_SPACE_NONE otherwise. */
bool gc_kernel_fact_u64(const struct gc_kernel *k, const char *name,
			uint64_t *out, enum gc_space *space);
bool gc_kernel_fact_s64(const struct gc_kernel *k, const char *name,
			int64_t *out);
const char *gc_fact_type_name(enum gc_fact_type type);
const char *gc_fact_origin_name(enum gc_fact_origin origin);

/*
 * The one bridge from kernel facts to what the writers are told
 * (writer.h): fills K's VMCOREINFO (also when found in guest memory),
 * PAGE_OFFSET (unless OUT already has one), the kernel's top-level table
 * as an extra page-table root (a pfn), phys_base, the utsname strings the
 * facts know, and for a Xen PV guest the patch that clears
 * xen_start_info (crash then reads the pfn-space tables natively).
 * `guestcore convert` calls exactly this, so a library caller that does
 * gets the same output bytes.  OUT's pointers point into K, valid until
 * gc_kernel_close or the next call.  *USED (may be NULL) gets a line
 * naming what was used ("" when nothing), also owned by K.
 */
struct gc_convert_kernel;
struct gc_error *gc_kernel_writer_hints(struct gc_kernel *k,
					struct gc_convert_kernel *out,
					const char **used);

/* Notes about fallbacks taken while opening (one line each). */
size_t gc_kernel_nr_notes(const struct gc_kernel *k);
const char *gc_kernel_note(const struct gc_kernel *k, size_t i);

/* Walk VADDR from the kernel's top-level table, or from ROOT when
 * HAS_ROOT (a cr3 value: machine address for Xen PV). */
struct gc_error *gc_kernel_walk(struct gc_kernel *k, uint64_t vaddr,
				bool has_root, uint64_t root,
				struct gc_walk *out);
/* Kernel virtual -> guest physical (direct map / text shortcuts checked
 * against, or replaced by, the page tables). */
struct gc_error *gc_kernel_vtop(struct gc_kernel *k, uint64_t vaddr,
				uint64_t *paddr);
/* Read kernel virtual memory. */
struct gc_error *gc_kernel_read(struct gc_kernel *k, uint64_t vaddr,
				void *buf, size_t len);
struct gc_error *gc_kernel_read_u64(struct gc_kernel *k, uint64_t vaddr,
				    uint64_t *out);
/* The top-level table the kernel layer uses and its description. */
uint64_t gc_kernel_pgd_vaddr(const struct gc_kernel *k);
bool gc_kernel_is_xen_pv(const struct gc_kernel *k);

/* Symbols: TYPE is the kallsyms/System.map letter ('?' if unknown). */
struct gc_symbol {
	char name[128];
	uint64_t addr;
	char type;
	const char *source;  /* "VMCOREINFO", "kallsyms", "System.map", ... */
	char module[64];     /* the module's name for a module symbol, else "" */
};
struct gc_error *gc_kernel_symbol(struct gc_kernel *k, const char *name,
				  struct gc_symbol *out);
/* NAME is looked up in the kernel's table, then VMCOREINFO, then the
 * loaded modules' own kallsyms (out->module names the module).
 * The symbol at or below ADDR (its offset is ADDR - out->addr): inside
 * the kernel image from the kernel's table; in a loaded module's memory
 * from that module's kallsyms (out->module set); anywhere else an error
 * that says which region ADDR is in. */
struct gc_error *gc_kernel_symbol_at(struct gc_kernel *k, uint64_t addr,
				     struct gc_symbol *out);

/* ---- loaded modules ---------------------------------------------------- */

/* A loaded module, read from the kernel's `modules` list with struct
 * module's layout from the kernel's BTF (see docs/kernel.md). */
struct gc_module {
	char name[64];          /* printable (other bytes as '?') */
	uint64_t addr;          /* its struct module */
	uint64_t base, size;    /* core memory: its first region's base and
				 * the bytes of all core regions (crash's
				 * BASE and SIZE) */
	uint64_t init_base, init_size; /* 0 once init memory is freed */
	uint32_t state;         /* enum module_state */
	const char *state_name; /* "MODULE_STATE_LIVE", or "" if unknown */
	uint64_t taints;        /* TAINT_* bits, when has_taints */
	bool has_taints;
	size_t nr_syms;         /* symbols in its own kallsyms */
};
/* Read the list (once; later calls reuse it).  Fails when there is no
 * list to read (no `modules` symbol, no struct module layout in the
 * types, an unreadable list head); a damaged entry is a problem line
 * instead (below), and the walk keeps what it could read. */
struct gc_error *gc_kernel_modules(struct gc_kernel *k, size_t *nr);
const struct gc_module *gc_kernel_module(const struct gc_kernel *k, size_t i);
/* Symbol J (< nr_syms, by address) of module I; false if out of range. */
bool gc_kernel_module_sym(const struct gc_kernel *k, size_t i, size_t j,
			  struct gc_symbol *out);
/* Damage found by the walk, one line each naming the address (also in
 * the kernel's notes, so `check` lists it). */
size_t gc_kernel_nr_module_problems(const struct gc_kernel *k);
const char *gc_kernel_module_problem(const struct gc_kernel *k, size_t i);

/* A symbol of a loaded module (its mod_kallsyms table: what
 * /proc/kallsyms lists for modules, local symbols included): MODULE
 * ("kvm") or NULL for the first module that has NAME.  Layouts from the
 * kernel's types; GC_ERR_NOT_PRESENT when no such module or symbol. */
struct gc_error *gc_kernel_module_symbol(struct gc_kernel *k,
					 const char *module, const char *name,
					 uint64_t *addr);

/* The kernel's types (see types.h): --vmlinux's .BTF when given, the
 * kernel's own BTF (__start_BTF..__stop_BTF), each loaded module's split
 * BTF (btf_modules), then VMCOREINFO.  Built on the first call, owned by
 * K; what is missing is in the notes and in failed lookups' messages. */
struct gc_error *gc_kernel_types(struct gc_kernel *k,
				 const struct gc_types **out);

/* The task CPU was running (per-CPU current_task) and its pid, with the
 * layouts from the kernel's types; an error says what could not be read
 * or did not check out (the task's own cpu field must name CPU). */
struct gc_error *gc_kernel_cpu_task(struct gc_kernel *k, unsigned int cpu,
				    uint64_t *task, uint32_t *pid);

/* ---- tasks ------------------------------------------------------------- */

/* One task (thread) of the kernel, read with the layouts of the kernel's
 * types (BTF, DWARF, VMCOREINFO); never from hard-coded offsets. */
struct gc_task {
	uint64_t addr;        /* task_struct address (kernel virtual) */
	int32_t pid, tgid, ppid;
	int32_t cpu;          /* task's cpu field, -1 unknown */
	uint64_t state;       /* __state (or state on old kernels) raw value */
	uint64_t exit_state;
	uint64_t stack;       /* task->stack */
	uint64_t mm;          /* task->mm, 0 for kernel threads */
	uint64_t rss_pages;   /* resident pages when known, else UINT64_MAX */
	char comm[16 + 1];    /* escaped of control bytes when printed, NUL-terminated here */
	bool active;          /* current task of some CPU */
	int32_t active_cpu;   /* that CPU, -1 if not active */
};

/*
 * Every task: the idle task of each possible CPU first (pid 0, CPU order:
 * init_task, then each runqueue's idle), then each process on
 * init_task.tasks followed by its other threads (signal->thread_head, or
 * thread_group on kernels before 3.14).  *OUT is malloc'ed (free() it)
 * and *N set on every return: when a list is damaged (a cycle, a broken
 * prev link, an unreadable task, more than 4M tasks) the error names the
 * address and *OUT holds the tasks read before it, which are NOT the
 * whole list; other errors leave *OUT NULL and *N 0.
 */
struct gc_error *gc_kernel_tasks(struct gc_kernel *k, struct gc_task **out,
				 size_t *n);
/* The task with pid PID (0: CPU 0's idle task); GC_ERR_NOT_PRESENT when
 * no task has it. */
struct gc_error *gc_kernel_task_by_pid(struct gc_kernel *k, int32_t pid,
				       struct gc_task *out);
/* Task state letters as crash prints them ("RU", "IN", "UN", "ST", "TR",
 * "ZO", "DE", "SW", "WA", "PA", "ID", "NE", "??"). */
const char *gc_task_state_name(const struct gc_task *t);

/* crash's `sys` summary beyond the facts (release, version, machine,
 * nodename, cpus_online and panic are facts: gc_kernel_collect_facts).
 * Each has_* false means it could not be had; MISSING then says why. */
struct gc_kernel_sys {
	bool has_time;
	int64_t time_sec;          /* wall-clock seconds of the dump (UTC) */
	const char *time_source;   /* "VMCOREINFO CRASHTIME", "tk_core.timekeeper.xtime_sec" */
	bool has_uptime;
	uint64_t uptime_ns;        /* since boot: jiffies_64 as crash counts
				    * it, else monotonic + offs_boot */
	uint32_t hz;               /* HZ (from tick_nsec), 0 unknown */
	const char *uptime_source;
	bool has_load;
	uint64_t avenrun[3];       /* fixed point, 11 fraction bits */
	bool has_memory;
	uint64_t memory_pages;     /* sum of the nodes' node_present_pages */
	uint64_t totalram_pages;   /* _totalram_pages; 0 unknown */
	uint32_t cpus;             /* possible CPUs below nr_cpu_ids; 0 unknown */
	uint32_t cpus_online;      /* 0 unknown */
	uint32_t cpu_khz;          /* 0 unknown */
	bool has_panic_cpu;        /* panic_cpu is set (the kernel panicked) */
	int32_t panic_cpu;
	uint64_t panic_task;       /* that CPU's current task, 0 unknown */
	int32_t panic_pid;
	char missing[512];         /* "; "-separated reasons, "" when none */
};
struct gc_error *gc_kernel_sys(struct gc_kernel *k, struct gc_kernel_sys *out);
/* True when a symbol table (kallsyms, --system-map or --vmlinux) loaded;
 * false when only VMCOREINFO's few symbols are known. */
bool gc_kernel_has_symbols(struct gc_kernel *k);

/* The kernel log as dmesg prints it ("[    0.000000] text\n" lines).
 * *TEXT is malloc'ed.  *SOURCE names the buffer layout used. */
struct gc_error *gc_kernel_log(struct gc_kernel *k, char **text,
			       const char **source);
/* One printk record.  LEVEL (0-7) and FACILITY are -1 when the layout
 * has none; CALLER_ID (has_caller) is the kernel's: bit 31 set = the
 * number of the CPU in the low bits, else the task's pid.  TEXT is the
 * record's text, control bytes other than tab and newline as '.'. */
struct gc_log_record {
	uint64_t ts_nsec;
	bool has_time;       /* false for the plain pre-3.5 buffer */
	uint64_t seq;
	bool has_seq;        /* the lockless ring's sequence number */
	int level;
	int facility;
	bool has_caller;
	uint32_t caller_id;
	char *text;
};
/* The kernel log as records, oldest first; free with
 * gc_log_records_free. */
struct gc_error *gc_kernel_log_records(struct gc_kernel *k,
				       struct gc_log_record **recs,
				       size_t *nr, const char **source);
void gc_log_records_free(struct gc_log_record *recs, size_t nr);
/* Parse a log from raw printk structures in memory is internal; this
 * entry point serves the fuzzer: ring read from BUF as if at VADDR. */

/* Xen PV: rebuild the guest's p2m and compare it with the dump's own
 * index; findings go to REPORT.  A no-op for other guests. */
struct gc_error *gc_kernel_check(struct gc_kernel *k, struct gc_report *rep);

/* ---- stack traces (x86-64: ORC from the dump's memory, frame pointers
 * as the fallback; see docs/stacks.md) ------------------------------- */

/* struct pt_regs of x86-64, in the kernel's order. */
struct gc_pt_regs {
	uint64_t r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx,
		 si, di, orig_ax, ip, cs, flags, sp, ss;
};

enum gc_stack_kind {
	GC_STACK_UNKNOWN = 0,  /* no stack bounds known (no types) */
	GC_STACK_TASK,         /* the task's own stack (task_struct.stack) */
	GC_STACK_IRQ,          /* the CPU's hardirq stack */
	GC_STACK_EXCEPTION,    /* an IST stack in cpu_entry_area (NMI, DF..) */
};

/*
 * One entry of a trace.  A CALL frame (EXCEPTION false) is a return
 * address PC found in the stack slot SP (crash's "#N [SP] func at PC").
 * An exception frame (EXCEPTION true) is a register set: the vCPU's (the
 * first frame of an active task), or a struct pt_regs an entry frame
 * saved at REGS_ADDR (ORC type REGS / REGS_PARTIAL); PC is the
 * interrupted instruction, SP the interrupted stack pointer.
 */
struct gc_stack_frame {
	uint64_t pc;
	uint64_t sp;
	bool exception;
	bool user;             /* exception frame of user mode: the end */
	bool partial;          /* only the iret part of REGS is known */
	uint64_t regs_addr;    /* 0 for the vCPU's registers */
	struct gc_pt_regs regs;
	enum gc_stack_kind stack;   /* the stack SP is on */
	char stack_name[16];   /* "task", "IRQ", "NMI", "DF", ... */
	const char *how;       /* "registers", "ORC", "frame pointer",
				* "saved context", "pt_regs" */
	char module[64];       /* module name when PC is in a module */
};

enum gc_stack_stop {
	GC_STACK_STOP_END = 0,     /* end of stack (ORC end marker, user mode) */
	GC_STACK_STOP_UNREADABLE,  /* a stack word could not be read */
	GC_STACK_STOP_OFF_STACK,   /* SP left every stack known */
	GC_STACK_STOP_LOOP,        /* SP did not move up: a loop */
	GC_STACK_STOP_NO_ORC,      /* no unwind data for PC */
	GC_STACK_STOP_BAD_ORC,     /* an ORC entry that cannot be followed */
	GC_STACK_STOP_NOT_TEXT,    /* a return address outside kernel text */
	GC_STACK_STOP_LIMIT,       /* GC_STACK_MAX_FRAMES reached */
};
enum { GC_STACK_MAX_FRAMES = 256 };
const char *gc_stack_stop_name(enum gc_stack_stop s);

struct gc_stack_trace {
	uint64_t task;         /* task_struct address, 0 when unknown */
	int32_t cpu;           /* the vCPU it ran on, -1 for a sleeping task */
	struct gc_stack_frame *frames;
	size_t nr, cap;
	enum gc_stack_stop stop;
	char stop_why[256];    /* one line: why the walk stopped, where */
	char orc_layout[96];   /* the ORC entry layout used and its source */
};
void gc_stack_trace_free(struct gc_stack_trace *t);

/* The stack of the task running on vCPU CPU (index of gc_dump_vcpu),
 * from that vCPU's registers.  A walk that stops early is not an error:
 * *OUT says why (stop, stop_why); errors are for missing symbols or
 * memory that leave nothing to start from. */
struct gc_error *gc_kernel_stack_vcpu(struct gc_kernel *k, unsigned int cpu,
				      struct gc_stack_trace **out);
/* The stack of a task that is not running, from its saved context
 * (thread.sp -> struct inactive_task_frame: bp and ret_addr).  For a task
 * that is some CPU's current task, use gc_kernel_stack_vcpu. */
struct gc_error *gc_kernel_stack_task(struct gc_kernel *k, uint64_t task,
				      struct gc_stack_trace **out);
/* The vCPU whose current task TASK is: true and *CPU, else false. */
bool gc_kernel_task_active_cpu(struct gc_kernel *k, uint64_t task,
			       unsigned int *cpu);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
