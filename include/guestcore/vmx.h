/* SPDX-License-Identifier: MIT */
/*
 * guestcore VMX: the VMCS field table, VMCSINFO layouts, finding and
 * decoding VMCS regions in a host memory dump, and EPT walks so that a
 * guest's physical memory can be read out of the host dump.
 *
 * The VMCS in-memory layout is not documented by Intel; a layout (field ->
 * byte offsets of its 16-bit chunks) comes from a VMCSINFO note, a file the
 * user gives, or the small built-in database.  See docs/vmx.md.
 */
#ifndef GUESTCORE_VMX_H
#define GUESTCORE_VMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "dump.h"
#include "error.h"
#include "guest.h"
#include "writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared in include/guestcore/ is the library's ABI. */
#pragma GCC visibility push(default)

/* ---- the field table --------------------------------------------------- */

enum gc_vmcs_width {  /* encoding bits 14:13 */
	GC_VMCS_W16 = 0,
	GC_VMCS_W64 = 1,
	GC_VMCS_W32 = 2,
	GC_VMCS_WNAT = 3, /* natural width: 64 bits on x86_64 */
};
enum gc_vmcs_type {   /* encoding bits 11:10 */
	GC_VMCS_CONTROL = 0,
	GC_VMCS_EXIT_INFO = 1,
	GC_VMCS_GUEST = 2,
	GC_VMCS_HOST = 3,
};

struct gc_vmcs_field {
	const char *name;   /* Linux spelling ("GUEST_IA32_EFER") */
	uint32_t encoding;  /* full encoding (bit 0 = 0) */
};

static inline enum gc_vmcs_width gc_vmcs_enc_width(uint32_t enc)
{
	return (enum gc_vmcs_width)((enc >> 13) & 3);
}
static inline enum gc_vmcs_type gc_vmcs_enc_type(uint32_t enc)
{
	return (enum gc_vmcs_type)((enc >> 10) & 3);
}
/* Size in bits of a field (x86_64: natural = 64); 32 for a _HIGH access. */
unsigned int gc_vmcs_enc_bits(uint32_t enc);
/* Is ENC a well-formed encoding (reserved bits 0, _HIGH only on 64-bit)? */
bool gc_vmcs_enc_valid(uint32_t enc);
const char *gc_vmcs_width_name(enum gc_vmcs_width w);  /* "16", "natural" */
const char *gc_vmcs_type_name(enum gc_vmcs_type t);    /* "guest state" */

size_t gc_vmcs_nr_fields(void);
const struct gc_vmcs_field *gc_vmcs_field_at(size_t i);
/*
 * Look a field up by name (Linux or Xen spelling, e.g. GUEST_EFER); a
 * "_HIGH" suffix on a 64-bit field gives *HIGH = true.  NULL if unknown.
 */
const struct gc_vmcs_field *gc_vmcs_field_by_name(const char *name,
						  bool *high);
const struct gc_vmcs_field *gc_vmcs_field_by_encoding(uint32_t enc);

/* Frequently used encodings. */
enum {
	GC_VMCS_VPID = 0x0000,
	GC_VMCS_GUEST_ES_SEL = 0x0800,
	GC_VMCS_GUEST_CS_SEL = 0x0802,
	GC_VMCS_EPT_POINTER = 0x201a,
	GC_VMCS_LINK_POINTER = 0x2800,
	GC_VMCS_GUEST_EFER = 0x2806,
	GC_VMCS_SECONDARY_EXEC = 0x401e,
	GC_VMCS_GUEST_ES_AR = 0x4814,
	GC_VMCS_GUEST_CS_AR = 0x4816,
	GC_VMCS_GUEST_TR_AR = 0x4822,
	GC_VMCS_GUEST_CR0 = 0x6800,
	GC_VMCS_GUEST_CR3 = 0x6802,
	GC_VMCS_GUEST_CR4 = 0x6804,
	GC_VMCS_GUEST_FS_BASE = 0x680e,
	GC_VMCS_GUEST_GS_BASE = 0x6810,
	GC_VMCS_GUEST_RSP = 0x681c,
	GC_VMCS_GUEST_RIP = 0x681e,
	GC_VMCS_GUEST_RFLAGS = 0x6820,
	GC_VMCS_HOST_CR0 = 0x6c00,
	GC_VMCS_HOST_CR3 = 0x6c02,
	GC_VMCS_HOST_CR4 = 0x6c04,
	GC_VMCS_HOST_RSP = 0x6c14,
	GC_VMCS_HOST_RIP = 0x6c16,
};

/* ---- layouts (VMCSINFO) ---------------------------------------------- */

/* Where one field lives: byte offsets of its 16-bit chunks in the region,
 * in the order the VMCSINFO text lists them. */
struct gc_vmcs_loc {
	uint32_t encoding;
	uint8_t nr_chunks;     /* 1, 2 or 4 */
	uint16_t off[4];
	uint32_t seq;          /* position in the text (output order) */
};

struct gc_vmcs_layout {
	uint32_t revision;     /* VMCS revision identifier (bits 30:0) */
	uint32_t region_size;  /* bytes; offsets must stay below this */
	/* true: the text lists the HIGH chunk first (the VMCSINFO
	 * convention); decoders may re-decide per region, see
	 * gc_vmcs_detect_order(). */
	bool high_first;
	bool synthetic;        /* built in for tests, not from a real CPU
				* (published and inferred layouts: false) */
	char *source;          /* "built-in", "note in FILE", a path */
	struct gc_vmcs_loc *locs;  /* sorted by encoding */
	size_t nr_locs;
};

void gc_vmcs_layout_free(struct gc_vmcs_layout *l);
const struct gc_vmcs_loc *gc_vmcs_layout_find(const struct gc_vmcs_layout *l,
					      uint32_t encoding);

/*
 * Parse a VMCSINFO body ("REVISION_ID=d\nFIELD(NAME)=01840180\n...",
 * "VMCS_ID=" accepted).  Unknown names, widths that disagree with the
 * table, offsets past REGION_SIZE (0 = 4096) and overlapping chunks are
 * reported to WARNINGS (may be NULL) and the entries dropped; only a
 * missing revision id or no usable field at all is an error.
 */
struct gc_error *gc_vmcsinfo_parse(const char *text, size_t len,
				   uint32_t region_size,
				   struct gc_report *warnings,
				   struct gc_vmcs_layout **out);
/*
 * BUF is either a whole ELF note (namesz, descsz, type, "VMCSINFO") or
 * the bare body text; the note form is checked and its body parsed.
 */
struct gc_error *gc_vmcsinfo_parse_any(const uint8_t *buf, size_t len,
				       struct gc_report *warnings,
				       struct gc_vmcs_layout **out);
/* The body text for L (caller frees). */
char *gc_vmcsinfo_format(const struct gc_vmcs_layout *l);
/* The ELF note (header, "VMCSINFO" padded to 12, body) for L; caller
 * frees *OUT. */
struct gc_error *gc_vmcsinfo_note(const struct gc_vmcs_layout *l,
				  uint8_t **out, size_t *len);
/* The "ADDRESS SIZE" text of /sys/kernel/vmcsinfo (hex numbers). */
bool gc_vmcsinfo_parse_sysfs(const char *text, uint64_t *addr,
			     uint64_t *size);
/* Layout from the dump's "VMCSINFO" note (name VMCSINFO, type 0).
 * GC_ERR_NOT_PRESENT when the dump has none. */
struct gc_error *gc_vmcsinfo_from_dump(struct gc_dump *d,
				       struct gc_report *warnings,
				       struct gc_vmcs_layout **out);
/* Layout read from SIZE bytes at physical ADDR of a host dump (the
 * buffer /sys/kernel/vmcsinfo points at). */
struct gc_error *gc_vmcsinfo_from_memory(struct gc_dump *d, uint64_t addr,
					 uint64_t size,
					 struct gc_report *warnings,
					 struct gc_vmcs_layout **out);

/* A set of layouts keyed by revision id. */
struct gc_vmcs_db;
/* New database, with the built-in layouts when BUILTINS. */
struct gc_error *gc_vmcs_db_new(bool builtins, struct gc_vmcs_db **out);
void gc_vmcs_db_free(struct gc_vmcs_db *db);
/* Add L (the db takes ownership, also on error); a later layout with the
 * same revision replaces an earlier one. */
struct gc_error *gc_vmcs_db_add(struct gc_vmcs_db *db,
				struct gc_vmcs_layout *l);
const struct gc_vmcs_layout *gc_vmcs_db_find(const struct gc_vmcs_db *db,
					     uint32_t revision);
size_t gc_vmcs_db_count(const struct gc_vmcs_db *db);
const struct gc_vmcs_layout *gc_vmcs_db_at(const struct gc_vmcs_db *db,
					   size_t i);
/*
 * The published layouts of real CPUs (src/lib/guests/vmx/published.c,
 * docs/vmx.md "Published layouts": Actaeon / Rekall data for Penryn 0xd,
 * Nehalem 0xe, Westmere 0xf, Sandy Bridge 0x10, Haswell 0x12).  Added to
 * DB as fallbacks: gc_vmcs_db_find() returns a note's / --layout's /
 * built-in layout first and a published one only when none has that
 * revision.
 */
struct gc_error *gc_vmcs_db_add_published(struct gc_vmcs_db *db);
/* The K-th layout to try for REVISION: the db's own (K = 0), then, when
 * that one is a synthetic built-in or absent, the published ones.  NULL
 * past the end. */
const struct gc_vmcs_layout *gc_vmcs_db_candidate(const struct gc_vmcs_db *db,
						  uint32_t revision, size_t k);
size_t gc_vmcs_nr_published(void);
/* Revision of published layout I (0 past the end); *CPU its CPU name. */
uint32_t gc_vmcs_published_revision(size_t i, const char **cpu);
/* Published layout by revision (copy; caller frees), NULL if none. */
struct gc_vmcs_layout *gc_vmcs_published_layout(uint32_t revision);
/* Built-in layout by revision (copy; caller frees), NULL if none. */
struct gc_vmcs_layout *gc_vmcs_builtin_layout(uint32_t revision);
/* Revision ids of the built-in layouts. */
enum { GC_VMCS_REV_CORE2 = 0xd, GC_VMCS_REV_SYNTH = 0x5a17 };

/* ---- decoding a region ------------------------------------------------ */

/* Read one field from a region of LEN bytes with chunk order HIGH_FIRST.
 * False when the layout lacks it or it lies outside LEN. */
bool gc_vmcs_get(const struct gc_vmcs_layout *l, const uint8_t *region,
		 size_t len, bool high_first, uint32_t encoding,
		 uint64_t *value);
/* Write one field (for fixtures and tests). */
bool gc_vmcs_put(const struct gc_vmcs_layout *l, uint8_t *region,
		 size_t len, bool high_first, uint32_t encoding,
		 uint64_t value);
/*
 * Decide the chunk order for REGION: score both orders on fields with
 * known values (host CR0 PE|PG|NE, CR4.VMXE, guest CR0.NE, EPTP form,
 * page-aligned CR3); *HIGH_FIRST gets the better one, *DECIDED is false
 * when both scored the same (then the layout's own order is kept).
 */
void gc_vmcs_detect_order(const struct gc_vmcs_layout *l,
			  const uint8_t *region, size_t len, bool *high_first,
			  bool *decided);

/* ---- inferring a layout ------------------------------------------------ */

enum gc_vmcs_infer_state {
	GC_VMCS_INFER_CONFIRMED,   /* at exactly one offset in every region */
	GC_VMCS_INFER_NOT_FOUND,   /* at no common offset */
	GC_VMCS_INFER_AMBIGUOUS,   /* at two or more offsets: refused */
	GC_VMCS_INFER_CONFLICT,    /* overlaps another confirmed field */
	GC_VMCS_INFER_UNSEARCHABLE,/* a known value is 0 */
};
const char *gc_vmcs_infer_state_name(enum gc_vmcs_infer_state s);

struct gc_vmcs_infer_field {
	uint32_t encoding;
	enum gc_vmcs_infer_state state;
	uint16_t offset;       /* CONFIRMED: byte offset (little-endian) */
	uint16_t second;       /* AMBIGUOUS: the second offset; CONFLICT: the
				* other field's offset */
	unsigned int nr_matches;
};
struct gc_vmcs_inference {
	uint32_t revision;
	size_t nr_regions;
	struct gc_vmcs_infer_field *fields;   /* one per known encoding */
	size_t nr_fields;
	size_t confirmed, ambiguous, unknown;
};
void gc_vmcs_inference_free(struct gc_vmcs_inference *inf);
/*
 * Locate known values in NR VMCS regions of LEN bytes (same revision):
 * VALUES[r * NK + k] is the value of field ENCODINGS[k] in region r (from
 * KVM's copies, the VMM's CR3, ...).  Each field's value is searched as a
 * little-endian integer of the field's width at 4-byte alignment (2 for
 * 16-bit fields) from byte 8; an offset counts only when every region
 * holds its own value there.  One offset = confirmed; none = not found;
 * two or more = ambiguous (refused); confirmed fields that overlap are
 * both refused.  *LAYOUT gets the confirmed fields (revision of the
 * regions, source "inferred ..."); GC_ERR_NOT_PRESENT when none is.
 * On any error *OUT holds nothing to free and *LAYOUT is NULL.
 */
struct gc_error *gc_vmcs_infer(const uint8_t *const *regions, size_t nr,
			       size_t len, const uint32_t *encodings,
			       size_t nk, const uint64_t *values,
			       struct gc_vmcs_inference *out,
			       struct gc_vmcs_layout **layout);

/* ---- host memory -------------------------------------------------------- */

/*
 * What the VMX layer needs from host physical memory.  gc_hostmem_dump()
 * fills one from a dump (PHYS space); tests fill it from memory.
 */
struct gc_hostmem {
	void *ctx;
	struct gc_error *(*read)(void *ctx, uint64_t paddr, void *buf,
				 size_t len);
	/* Runs of present page frames (of PAGE_SIZE), ascending; malloc'ed. */
	struct gc_error *(*runs)(void *ctx, struct gc_frame_run **runs,
				 size_t *nr);
	uint32_t page_size;
	uint64_t max_paddr;   /* end of the highest present frame */
};
struct gc_error *gc_hostmem_dump(struct gc_dump *d, struct gc_hostmem *out);

/* ---- finding VMCS regions ---------------------------------------------- */

struct gc_vmcs_scan_opts {
	/* Host kernel text range for the HOST_RIP check (0/0 = unknown). */
	uint64_t text_start, text_end;
	bool keep_rejected;   /* also return decoys with their reason */
};

/* The decoded guest state of one VMCS. */
struct gc_vmcs_state {
	uint64_t guest_rip, guest_rsp, guest_rflags;
	uint64_t guest_cr0, guest_cr3, guest_cr4, guest_efer;
	uint64_t guest_cs_sel, guest_cs_ar, guest_fs_base, guest_gs_base;
	uint64_t eptp, vpid, link, secondary;
	uint64_t host_cr0, host_cr3, host_cr4, host_rip, host_rsp;
};

struct gc_vmcs_hit {
	uint64_t paddr;        /* host physical address of the region */
	uint32_t revision;
	bool shadow;           /* revision bit 31 */
	bool valid;            /* passed validation */
	bool high_first;       /* chunk order used */
	bool order_decided;
	bool ept_enabled;
	struct gc_vmcs_state st;
	char *reason;          /* why accepted ("...") or rejected */
	const struct gc_vmcs_layout *layout;  /* owned by the db */
};

struct gc_vmcs_scan {
	struct gc_vmcs_hit *hits;
	size_t nr_hits;
	uint64_t frames_scanned;
	uint64_t candidates;   /* frames whose revision id matched */
	uint64_t read_errors;
};
void gc_vmcs_scan_free(struct gc_vmcs_scan *s);

/* Check REGION (LEN bytes) with each candidate layout of its revision in
 * DB (gc_vmcs_db_candidate) and keep the first valid one, else the first
 * one's rejection; HIT->layout is NULL (and HIT->reason NULL) when DB has
 * no layout for the revision. */
struct gc_error *gc_vmcs_check_db(const struct gc_vmcs_db *db,
				  const uint8_t *region, size_t len,
				  uint64_t paddr, uint64_t max_paddr,
				  const struct gc_vmcs_scan_opts *opts,
				  struct gc_vmcs_hit *hit);
/* Check one region; fills HIT (reason allocated). */
struct gc_error *gc_vmcs_check_region(const struct gc_vmcs_layout *l,
				      const uint8_t *region, size_t len,
				      uint64_t paddr, uint64_t max_paddr,
				      const struct gc_vmcs_scan_opts *opts,
				      struct gc_vmcs_hit *hit);
/* Scan every page-aligned frame of MEM for VMCS regions of DB's layouts. */
struct gc_error *gc_vmcs_scan(const struct gc_hostmem *mem,
			      const struct gc_vmcs_db *db,
			      const struct gc_vmcs_scan_opts *opts,
			      struct gc_vmcs_scan *out);
/* Host kernel text range from VMCOREINFO text (SYMBOL(_stext)/_etext). */
bool gc_vmcs_text_range(const char *vmcoreinfo, size_t len, uint64_t *start,
			uint64_t *end);

/* ---- EPT ---------------------------------------------------------------- */

struct gc_eptp_info {
	unsigned int memtype;  /* paging-structure memory type */
	unsigned int levels;   /* 4 or 5 */
	bool ad;               /* accessed/dirty flags enabled */
	uint64_t root;         /* physical address of the PML4/PML5 */
};
/* Decode and validate an EPTP (memtype 0/6, walk length 4 or 5 levels,
 * bits 11:8 zero, root below MAX_PADDR when that is nonzero). */
struct gc_error *gc_eptp_decode(uint64_t eptp, uint64_t max_paddr,
				struct gc_eptp_info *out);
const char *gc_ept_memtype_name(unsigned int mt);   /* "WB" */

struct gc_ept_walk {
	uint64_t gpa, hpa;
	uint64_t page_size;   /* 4 KiB, 2 MiB or 1 GiB */
	unsigned int perms;   /* bit 0 read, 1 write, 2 execute, 3 user-exec */
	unsigned int memtype; /* leaf EPT memory type */
	bool ipat;
	unsigned int depth;   /* entries read */
	uint64_t entry[5];    /* entries from the top */
	uint64_t entry_addr[5];
};
/*
 * Translate guest-physical GPA.  Not mapped -> GC_ERR_NOT_PRESENT,
 * misconfigured entry -> GC_ERR_CORRUPT, table not readable -> the read
 * error; each names the level and entry address.  MAX_PADDR (0 = 2^52)
 * bounds table/frame addresses.
 */
struct gc_error *gc_ept_translate(const struct gc_hostmem *mem, uint64_t eptp,
				  uint64_t gpa, struct gc_ept_walk *out);
/* Misconfiguration of entry E at LEVEL (1 = PTE .. 5 = PML5E), or NULL. */
const char *gc_ept_entry_misconfig(uint64_t e, unsigned int level,
				   uint64_t max_paddr);

/* A guest's physical memory seen through an EPT over host memory. */
struct gc_ept_map {
	uint64_t gfn;     /* first guest frame (4 KiB) */
	uint64_t count;   /* frames */
	uint64_t hfn;     /* first host frame; guest and host both contiguous */
	unsigned int perms, memtype;
};
struct gc_ept_space;
struct gc_ept_space_opts {
	uint64_t max_entries;  /* leaf/table entries to visit (0 = 1<<26) */
};
/* Walk the whole EPT once.  Misconfigured entries and unreadable tables
 * go to FINDINGS (may be NULL) and are skipped. */
struct gc_error *gc_ept_space_open(const struct gc_hostmem *mem,
				   uint64_t eptp,
				   const struct gc_ept_space_opts *opts,
				   struct gc_report *findings,
				   struct gc_ept_space **out);
void gc_ept_space_close(struct gc_ept_space *s);
/* Mappings sorted by gfn (owned by the space). */
const struct gc_ept_map *gc_ept_space_maps(const struct gc_ept_space *s,
					   size_t *nr);
/* The mapping that holds guest frame GFN, or NULL (binary search). */
const struct gc_ept_map *gc_ept_space_find(const struct gc_ept_space *s,
					   uint64_t gfn);
/* Runs of mapped guest frames (adjacent maps merged); caller frees. */
struct gc_error *gc_ept_space_runs(const struct gc_ept_space *s,
				   struct gc_frame_run **runs, size_t *nr);
uint64_t gc_ept_space_nr_frames(const struct gc_ept_space *s);
struct gc_error *gc_ept_space_translate(const struct gc_ept_space *s,
					uint64_t gpa, uint64_t *hpa);
/* Read guest-physical memory; unmapped -> GC_ERR_NOT_PRESENT naming the
 * guest address. */
struct gc_error *gc_ept_space_read(const struct gc_ept_space *s, uint64_t gpa,
				   void *buf, size_t len);
/* The guest's physical memory as a gc_hostmem (4 KiB frames), e.g. to scan
 * an L1 hypervisor guest for its own (nested) VMCS regions.  Valid while
 * S is open. */
void gc_ept_space_hostmem(const struct gc_ept_space *s, struct gc_hostmem *out);


/* ---- the "vmx" guest source (src/lib/guests/vmx/source.c) ------------ */

/*
 * gc_guest_open("vmx", args): args.host, args.addrs / nr_addrs (the VMCS
 * regions of the guest's vCPUs, all with the same EPTP), args.vmcs_db,
 * args.text_start / text_end.  Registers come from each VMCS guest-state
 * area (general registers other than RSP/RIP are not in a VMCS and are
 * left unknown); memory is guest frame -> EPT -> host frame.  An absent or
 * invalid VMCS, a layout-less revision or differing EPTPs are errors
 * naming the VMCS address.  Gaps: gc_guest_gaps().
 */

struct gc_vmx_guest_vcpu {
	uint64_t vmcs;                 /* host physical address */
	uint32_t revision;
	bool high_first, order_decided;
	const char *layout;            /* the layout's source */
	uint64_t vpid, efer;
};

struct gc_vmx_guest_info {
	const char *host_path;
	uint64_t eptp;
	unsigned int ept_levels;
	size_t nr_maps;                /* EPT mappings (merged) */
	uint64_t frames_mapped;        /* guest frames the EPT maps */
	uint64_t frames_present;       /* ... with data in the host dump */
	uint64_t frames_missing;       /* host page excluded/truncated */
	uint64_t frames_not_ram;       /* host address outside the dump */
	const struct gc_vmx_guest_vcpu *vcpus;
	size_t nr_vcpus;
	/* EPT problems (misconfigured entries, tables or frames above the
	 * host's memory, unreadable tables): also the guest dump's check
	 * findings. */
	const struct gc_finding *ept_problems;
	size_t nr_ept_problems;
};

/* NULL when G is not a "vmx" guest. */
const struct gc_vmx_guest_info *gc_vmx_guest_info(const struct gc_guest *g);

/* Guests found by scanning HOST: valid EPT-enabled VMCS regions grouped
 * by EPTP, vCPUs ordered by VPID (then address). */
struct gc_vmx_guest_group {
	uint64_t eptp;
	uint64_t *vmcs;
	size_t nr_vmcs;
};
struct gc_error *gc_vmx_find_guests(struct gc_dump *host,
				    const struct gc_vmcs_db *db,
				    const struct gc_vmcs_scan_opts *opts,
				    struct gc_vmx_guest_group **out,
				    size_t *nr);
void gc_vmx_guest_groups_free(struct gc_vmx_guest_group *g, size_t nr);


#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif
#endif
