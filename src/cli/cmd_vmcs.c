// SPDX-License-Identifier: MIT
/* guestcore vmcs: find VMCS regions in a host dump, or decode one. */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_vmx.h"
#include "guestcore/vmx.h"
#include "svm_cli.h"
#include "guestcore/kvm.h"
#include "guestcore/kernel.h"

#define MAX_LAYOUTS 16

static void perms_str(unsigned int p, char *s)
{
	s[0] = (p & 1) ? 'r' : '-';
	s[1] = (p & 2) ? 'w' : '-';
	s[2] = (p & 4) ? 'x' : '-';
	s[3] = (p & 8) ? 'u' : '-';
	s[4] = '\0';
}

static int show_ept(const struct gc_hostmem *mem, uint64_t eptp, bool json,
		    struct gc_json *j)
{
	struct gc_report *f = cli_report_new();
	struct gc_ept_space *s;
	struct gc_error *err = gc_ept_space_open(mem, eptp, NULL, f, &s);
	if (err) {
		gc_report_free(f);
		if (json) {
			gc_json_key(j, "ept_error");
			gc_json_string(j, gc_error_string(err));
			gc_error_free(err);
			return EXIT_PROBLEMS;
		}
		printf("EPT: %s\n", gc_error_string(err));
		gc_error_free(err);
		return EXIT_PROBLEMS;
	}
	size_t nm;
	const struct gc_ept_map *m = gc_ept_space_maps(s, &nm);
	if (json) {
		gc_json_key(j, "ept");
		gc_json_object_begin(j);
		gc_json_key(j, "frames");
		gc_json_u64(j, gc_ept_space_nr_frames(s));
		gc_json_key(j, "maps");
		gc_json_array_begin(j);
	} else {
		printf("EPT 0x%" PRIx64 ": %" PRIu64 " guest frames mapped in "
		       "%zu pieces\n", eptp, gc_ept_space_nr_frames(s), nm);
	}
	for (size_t i = 0; i < nm; i++) {
		char p[5];
		perms_str(m[i].perms, p);
		if (json) {
			gc_json_object_begin(j);
			gc_json_key(j, "gpa");
			gc_json_hex(j, m[i].gfn << 12);
			gc_json_key(j, "hpa");
			gc_json_hex(j, m[i].hfn << 12);
			gc_json_key(j, "size");
			gc_json_hex(j, m[i].count << 12);
			gc_json_key(j, "perms");
			gc_json_string(j, p);
			gc_json_key(j, "memtype");
			gc_json_string(j, gc_ept_memtype_name(m[i].memtype));
			gc_json_object_end(j);
		} else {
			printf("  gpa 0x%09" PRIx64 "-0x%09" PRIx64 " -> host "
			       "0x%09" PRIx64 "  %s %s\n", m[i].gfn << 12,
			       ((m[i].gfn + m[i].count) << 12) - 1,
			       m[i].hfn << 12, p,
			       gc_ept_memtype_name(m[i].memtype));
		}
	}
	if (json) {
		gc_json_array_end(j);
		gc_json_key(j, "problems");
		gc_json_array_begin(j);
		for (size_t i = 0; i < gc_report_count(f); i++)
			gc_json_string(j, gc_report_finding(f, i)->message);
		gc_json_array_end(j);
		gc_json_object_end(j);
	} else {
		vmx_print_warnings(f, stdout);
	}
	int rc = gc_report_count(f) ? EXIT_PROBLEMS : EXIT_OK;
	gc_report_free(f);
	gc_ept_space_close(s);
	return rc;
}

static int decode_at(const struct gc_hostmem *mem,
		     const struct gc_vmcs_db *db, uint64_t paddr,
		     const struct gc_vmcs_scan_opts *opts, bool json, bool ept)
{
	uint8_t head[8];
	struct gc_error *err = mem->read(mem->ctx, paddr, head, 8);
	if (err)
		return cli_error(gc_error_context(err, "VMCS at 0x%" PRIx64,
						  paddr));
	uint32_t rev = head[0] | head[1] << 8 | head[2] << 16 |
		       (uint32_t)head[3] << 24;
	/* every candidate layout of the revision, as the scan does */
	size_t rs = 0;
	const struct gc_vmcs_layout *l;
	for (size_t k = 0; (l = gc_vmcs_db_candidate(db, rev, k)); k++)
		rs = l->region_size > rs ? l->region_size : rs;
	if (!rs)
		return cli_fail("VMCS at 0x%" PRIx64 ": no layout for "
				"revision 0x%x (give one with --layout)",
				paddr, rev & 0x7fffffffu);
	uint8_t *r = calloc(1, rs);
	if (!r)
		return cli_error(&gc_error_nomem);
	err = mem->read(mem->ctx, paddr, r, rs);
	struct gc_vmcs_hit hit;
	if (!err)
		err = gc_vmcs_check_db(db, r, rs, paddr, mem->max_paddr, opts,
				       &hit);
	l = err ? NULL : hit.layout;
	if (err) {
		free(r);
		return cli_error(gc_error_context(err, "VMCS at 0x%" PRIx64,
						  paddr));
	}
	struct gc_json j;
	if (json) {
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "paddr");
		gc_json_hex(&j, paddr);
		gc_json_key(&j, "revision");
		gc_json_hex(&j, hit.revision);
		gc_json_key(&j, "layout");
		gc_json_string(&j, l->source ? l->source : "");
		gc_json_key(&j, "valid");
		gc_json_bool(&j, hit.valid);
		gc_json_key(&j, "reason");
		gc_json_string(&j, hit.reason);
		gc_json_key(&j, "chunk_order");
		gc_json_string(&j, hit.high_first ? "high-first" :
						    "low-first");
		gc_json_key(&j, "fields");
		gc_json_object_begin(&j);
	} else {
		printf("VMCS at 0x%" PRIx64 ": revision 0x%x%s, abort "
		       "indicator 0x%x, layout %s\n", paddr, hit.revision,
		       hit.shadow ? " (shadow)" : "",
		       r[4] | r[5] << 8 | r[6] << 16 | (uint32_t)r[7] << 24,
		       l->source ? l->source : "?");
		printf("%s: %s\n", hit.valid ? "plausible" : "rejected",
		       hit.reason);
	}
	for (size_t i = 0; i < l->nr_locs; i++) {
		const struct gc_vmcs_loc *c = &l->locs[i];
		const struct gc_vmcs_field *f =
			gc_vmcs_field_by_encoding(c->encoding & ~1u);
		uint64_t v;
		if (!f || !gc_vmcs_get(l, r, l->region_size, hit.high_first,
				       c->encoding, &v))
			continue;
		char name[96];
		snprintf(name, sizeof(name), "%s%s", f->name,
			 (c->encoding & 1) ? "_HIGH" : "");
		if (json) {
			gc_json_key(&j, name);
			gc_json_hex(&j, v);
		} else {
			unsigned int bits = gc_vmcs_enc_bits(c->encoding);
			printf("  %-34s 0x%04x %2u  0x%0*" PRIx64 "\n", name,
			       c->encoding, bits, (int)(bits / 4), v);
		}
	}
	int rc = hit.valid ? EXIT_OK : EXIT_PROBLEMS;
	if (json)
		gc_json_object_end(&j);
	if (ept) {
		if (!hit.ept_enabled) {
			if (!json)
				printf("EPT is not enabled in this VMCS\n");
		} else {
			int erc = show_ept(mem, hit.st.eptp, json, &j);
			if (erc > rc)
				rc = erc;
		}
	}
	if (json) {
		gc_json_object_end(&j);
		gc_json_end(&j);
	}
	free(hit.reason);
	free(r);
	return rc;
}

/* Does H's layout have field ENC? */
static bool has(const struct gc_vmcs_hit *h, uint32_t enc)
{
	return h->layout && gc_vmcs_layout_find(h->layout, enc);
}

/* V as %0*x (WIDTH 0: %x) when H's layout has ENC, else "?". */
static void hexf(char *buf, int width, const struct gc_vmcs_hit *h,
		 uint32_t enc, uint64_t v)
{
	if (has(h, enc))
		snprintf(buf, 20, "%0*" PRIx64, width, v);
	else
		snprintf(buf, 20, "%*s", width, "?");
}

static void hit_json(struct gc_json *j, const struct gc_vmcs_hit *h)
{
	gc_json_object_begin(j);
	gc_json_key(j, "paddr");
	gc_json_hex(j, h->paddr);
	gc_json_key(j, "revision");
	gc_json_hex(j, h->revision);
	gc_json_key(j, "valid");
	gc_json_bool(j, h->valid);
	gc_json_key(j, "layout");
	gc_json_string(j, h->layout && h->layout->source ? h->layout->source
							  : "");
	gc_json_key(j, "reason");
	gc_json_string(j, h->reason);
	if (h->valid) {
		static const struct {
			const char *n;
			size_t off;
			uint32_t enc;
		} regs[] = {
#define R(x, e) { #x, offsetof(struct gc_vmcs_state, x), e }
			R(guest_rip, GC_VMCS_GUEST_RIP),
			R(guest_rsp, GC_VMCS_GUEST_RSP),
			R(guest_rflags, GC_VMCS_GUEST_RFLAGS),
			R(guest_cr0, GC_VMCS_GUEST_CR0),
			R(guest_cr3, GC_VMCS_GUEST_CR3),
			R(guest_cr4, GC_VMCS_GUEST_CR4),
			R(guest_efer, GC_VMCS_GUEST_EFER),
			R(guest_fs_base, GC_VMCS_GUEST_FS_BASE),
			R(guest_gs_base, GC_VMCS_GUEST_GS_BASE),
			R(eptp, GC_VMCS_EPT_POINTER), R(vpid, GC_VMCS_VPID),
			R(host_cr3, GC_VMCS_HOST_CR3),
			R(host_rip, GC_VMCS_HOST_RIP),
#undef R
		};
		for (size_t i = 0; i < sizeof(regs) / sizeof(*regs); i++) {
			uint64_t v;
			memcpy(&v, (const char *)&h->st + regs[i].off, 8);
			gc_json_key(j, regs[i].n);
			/* null: the layout has no such field */
			if (has(h, regs[i].enc))
				gc_json_hex(j, v);
			else
				gc_json_null(j);
		}
		gc_json_key(j, "ept_enabled");
		gc_json_bool(j, h->ept_enabled);
	}
	gc_json_object_end(j);
}


#define MAX_KNOWN 32
#define MAX_INFER_REGIONS 64

/* "A[,B...]" hex addresses into OUT (at most MAX); count or -1. */
static int parse_addr_list(const char *s, uint64_t *out, int max)
{
	int n = 0;
	char *copy = strdup(s);
	if (!copy)
		return -1;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (n == max || !cli_parse_hex(t, &out[n])) {
			n = -1;
			break;
		}
		n++;
	}
	free(copy);
	return n;
}

/* Infer from NR regions (4 KiB each) at ADDRS and print the verdicts. */
static int infer_report(const uint64_t *addrs, int nr,
			const uint8_t *const *regs, const uint32_t *enc,
			size_t nk, const uint64_t *vals, const char *outp,
			bool force, bool json)
{
	int rc = EXIT_OK;
	struct gc_vmcs_inference inf;
	struct gc_vmcs_layout *l = NULL;
	memset(&inf, 0, sizeof(inf));
	if (rc == EXIT_OK) {
		struct gc_error *err = gc_vmcs_infer(regs, (size_t)nr, 4096,
						     enc, nk, vals, &inf, &l);
		if (err)
			rc = cli_error(err);
	}
	char *text = NULL;
	if (rc == EXIT_OK && outp) {
		text = gc_vmcsinfo_format(l);
		struct gc_error *err = text ? vmx_write_output(
			outp, force, "inferred layout", text, strlen(text)) :
					      &gc_error_nomem;
		if (err)
			rc = cli_error(err);
	}
	if (rc == EXIT_OK && json) {
		struct gc_json j;
		gc_json_init(&j, stdout, true);
		gc_json_object_begin(&j);
		gc_json_key(&j, "revision");
		gc_json_hex(&j, inf.revision);
		gc_json_key(&j, "regions");
		gc_json_array_begin(&j);
		for (int r = 0; r < nr; r++)
			gc_json_hex(&j, addrs[r]);
		gc_json_array_end(&j);
		gc_json_key(&j, "confirmed");
		gc_json_u64(&j, inf.confirmed);
		gc_json_key(&j, "ambiguous");
		gc_json_u64(&j, inf.ambiguous);
		gc_json_key(&j, "unknown");
		gc_json_u64(&j, inf.unknown);
		gc_json_key(&j, "fields");
		gc_json_array_begin(&j);
		for (size_t k = 0; k < inf.nr_fields; k++) {
			const struct gc_vmcs_infer_field *f = &inf.fields[k];
			gc_json_object_begin(&j);
			gc_json_key(&j, "field");
			gc_json_string(&j, gc_vmcs_field_by_encoding(
						   f->encoding)->name);
			gc_json_key(&j, "state");
			gc_json_string(&j, gc_vmcs_infer_state_name(f->state));
			if (f->state == GC_VMCS_INFER_CONFIRMED) {
				gc_json_key(&j, "offset");
				gc_json_u64(&j, f->offset);
			}
			gc_json_key(&j, "matches");
			gc_json_u64(&j, f->nr_matches);
			gc_json_object_end(&j);
		}
		gc_json_array_end(&j);
		if (outp) {
			gc_json_key(&j, "output");
			gc_json_string(&j, outp);
		}
		gc_json_object_end(&j);
		gc_json_end(&j);
	} else if (rc == EXIT_OK) {
		printf("inferred layout for revision 0x%" PRIx32 " from %d "
		       "VMCS region%s: %zu of %zu fields confirmed, %zu "
		       "ambiguous (refused), %zu unknown\n", inf.revision, nr,
		       nr == 1 ? "" : "s", inf.confirmed, inf.nr_fields,
		       inf.ambiguous, inf.unknown);
		for (size_t k = 0; k < inf.nr_fields; k++) {
			const struct gc_vmcs_infer_field *f = &inf.fields[k];
			const char *nm = gc_vmcs_field_by_encoding(
				f->encoding)->name;
			switch (f->state) {
			case GC_VMCS_INFER_CONFIRMED:
				printf("  %-28s confirmed at 0x%x\n", nm,
				       f->offset);
				break;
			case GC_VMCS_INFER_AMBIGUOUS:
				printf("  %-28s ambiguous: at 0x%x, 0x%x%s "
				       "(refused)\n", nm, f->offset,
				       f->second, f->nr_matches > 2 ?
				       " and more" : "");
				break;
			case GC_VMCS_INFER_CONFLICT:
				printf("  %-28s conflict: at 0x%x, overlapping "
				       "another field at 0x%x (refused)\n", nm,
				       f->offset, f->second);
				break;
			default:
				printf("  %-28s %s\n", nm,
				       gc_vmcs_infer_state_name(f->state));
				break;
			}
		}
		if (outp)
			printf("wrote %s (VMCSINFO text; use it with --layout "
			       "%s)\n", outp, outp);
	}
	if (rc == EXIT_OK && inf.confirmed < inf.nr_fields)
		rc = EXIT_PROBLEMS;
	free(text);
	gc_vmcs_layout_free(l);
	gc_vmcs_inference_free(&inf);
	return rc;
}

/*
 * vmcs DUMP --infer --at A[,B...] --known NAME=V[,V...]... [-o FILE]:
 * locate the known values in the regions and report the layout.
 */
static int infer_run(const struct gc_hostmem *mem, const char *at,
		     const char **known, size_t nk, const char *outp,
		     bool force, bool json)
{
	uint64_t addrs[MAX_INFER_REGIONS];
	int nr = parse_addr_list(at, addrs, MAX_INFER_REGIONS);
	if (nr <= 0)
		return cli_fail("--at %s: not a list of hex addresses (at most "
				"%d)", at, MAX_INFER_REGIONS);
	uint32_t enc[MAX_KNOWN];
	uint64_t *vals = calloc((size_t)nr * nk, sizeof(*vals));
	uint8_t *buf = calloc((size_t)nr, 4096);
	const uint8_t *regs[MAX_INFER_REGIONS];
	int rc = EXIT_OK;
	if (!vals || !buf) {
		free(vals);
		free(buf);
		return cli_error(&gc_error_nomem);
	}
	for (size_t k = 0; k < nk && rc == EXIT_OK; k++) {
		const char *eq = strchr(known[k], '=');
		char name[64];
		size_t nl = eq ? (size_t)(eq - known[k]) : 0;
		bool high = false;
		const struct gc_vmcs_field *f = NULL;
		if (eq && nl < sizeof(name)) {
			memcpy(name, known[k], nl);
			name[nl] = '\0';
			f = gc_vmcs_field_by_name(name, &high);
		}
		uint64_t v[MAX_INFER_REGIONS];
		int nv = f && !high ? parse_addr_list(eq + 1, v,
						      MAX_INFER_REGIONS) : -1;
		if (!f || high || (nv != 1 && nv != nr)) {
			rc = cli_fail("--known %s: want FIELD=VALUE or FIELD="
				      "V1,...,V%d (one hex value per --at "
				      "region)", known[k], nr);
			break;
		}
		enc[k] = f->encoding;
		for (int r = 0; r < nr; r++)
			vals[(size_t)r * nk + k] = v[nv == 1 ? 0 : r];
	}
	for (int r = 0; r < nr && rc == EXIT_OK; r++) {
		struct gc_error *err = mem->read(mem->ctx, addrs[r],
						 buf + (size_t)r * 4096, 4096);
		if (err)
			rc = cli_error(gc_error_context(
				err, "VMCS at 0x%" PRIx64, addrs[r]));
		regs[r] = buf + (size_t)r * 4096;
	}
	if (rc == EXIT_OK)
		rc = infer_report(addrs, nr, regs, enc, nk, vals, outp, force,
				  json);
	free(vals);
	free(buf);
	return rc;
}

/*
 * vmcs HOST --infer (no --at/--known): the known values from the host
 * kernel's KVM structures (gc_kvm_list, gc_kvm_vmcs_known), each Intel
 * VM's vCPU VMCS regions; -o writes the first VM's layout.
 */
static int infer_kvm(struct gc_dump *d, const struct gc_hostmem *mem,
		     const char *outp, bool force, bool json)
{
	struct gc_kernel *k;
	struct gc_error *err = gc_kernel_open(d, NULL, &k);
	if (err)
		return cli_error(gc_error_context(err, "the host kernel (needed "
						  "for its KVM structures; "
						  "else give --at and "
						  "--known)"));
	struct gc_kvm_vm *vms = NULL;
	size_t nvm = 0;
	err = gc_kvm_list(k, &vms, &nvm);
	if (err) {
		gc_kernel_close(k);
		return cli_error(gc_error_context(err, "the KVM structures "
						  "(give --at and --known "
						  "instead)"));
	}
	uint64_t host_rip = 0;
	err = gc_kernel_module_symbol(k, "kvm_intel", "vmx_vmexit",
				      &host_rip);
	if (err) {
		struct gc_symbol sym;
		gc_error_free(err);
		err = gc_kernel_symbol(k, "vmx_vmexit", &sym);
		host_rip = err ? 0 : sym.addr;
		gc_error_free(err);
	}
	int rc = EXIT_PROBLEMS, done = 0;
	for (size_t i = 0; i < nvm; i++) {
		const struct gc_kvm_vm *vm = &vms[i];
		if (vm->vendor != GC_KVM_VMX || !vm->nr_vcpus ||
		    vm->nr_vcpus > MAX_INFER_REGIONS)
			continue;
		uint64_t addrs[MAX_INFER_REGIONS];
		const uint8_t *regs[MAX_INFER_REGIONS];
		uint32_t enc[MAX_KNOWN];
		uint64_t *vals = calloc((size_t)vm->nr_vcpus * MAX_KNOWN,
					sizeof(*vals));
		uint8_t *buf = calloc(vm->nr_vcpus, 4096);
		int r = EXIT_OK;
		if (!vals || !buf)
			r = cli_error(&gc_error_nomem);
		for (unsigned int c = 0; c < vm->nr_vcpus && r == EXIT_OK; c++) {
			addrs[c] = vm->vcpus[c].vmcs_pa;
			regs[c] = buf + (size_t)c * 4096;
			err = addrs[c] ? mem->read(mem->ctx, addrs[c],
						   buf + (size_t)c * 4096, 4096) :
					 gc_error_new(GC_ERR_NOT_PRESENT, "VMCS",
						      "not found through "
						      "loaded_vmcs");
			if (err)
				r = cli_error(gc_error_context(
					err, "VM %zu vCPU %u", i, c));
		}
		size_t nk = r == EXIT_OK ? gc_kvm_vmcs_known(
			vm, host_rip, enc, vals, MAX_KNOWN) : 0;
		if (r == EXIT_OK) {
			if (!json)
				printf("VM %zu (VMM pid %" PRIu32 " %s), %u "
				       "vCPUs, values from KVM's structures"
				       "%s:\n", i, vm->pid, vm->comm,
				       vm->nr_vcpus, host_rip ? "" :
				       " (vmx_vmexit not found: no HOST_RIP)");
			r = infer_report(addrs, (int)vm->nr_vcpus, regs, enc,
					 nk, vals, done ? NULL : outp, force,
					 json);
		}
		free(vals);
		free(buf);
		if (!done || r > rc)
			rc = r;
		done++;
		if (json)
			break;  /* one top-level object */
	}
	if (!done)
		rc = cli_fail("no Intel (kvm_intel) VM with vCPUs in the host's "
			      "KVM structures");
	gc_kvm_vms_free(vms, nvm);
	gc_kernel_close(k);
	return rc;
}

static int run(int argc, char **argv)
{
	bool json = cli_take_flag(&argc, argv, "--json");
	bool verbose = cli_take_flag(&argc, argv, "--verbose");
	bool ept = cli_take_flag(&argc, argv, "--ept");
	bool infer = cli_take_flag(&argc, argv, "--infer");
	bool force = cli_take_flag(&argc, argv, "--force");
	bool bad = false;
	const char *at = vmx_take_opt(&argc, argv, "--at", &bad);
	const char *outp = vmx_take_opt(&argc, argv, "-o", &bad);
	const char *layouts[MAX_LAYOUTS];
	const char *known[MAX_KNOWN];
	size_t nl = 0, nk = 0;
	int j2 = 0;
	for (int i = 0; i < argc; i++) {
		bool is_layout = !strcmp(argv[i], "--layout");
		bool is_known = !strcmp(argv[i], "--known");
		if (!is_layout && !is_known) {
			argv[j2++] = argv[i];
			continue;
		}
		if (i + 1 >= argc || (is_layout && nl == MAX_LAYOUTS) ||
		    (is_known && nk == MAX_KNOWN)) {
			bad = true;
			break;
		}
		if (is_layout)
			layouts[nl++] = argv[++i];
		else
			known[nk++] = argv[++i];
	}
	argc = j2;
	uint64_t paddr = 0;
	if (bad || argc != 2 || (at && !infer && !cli_parse_hex(at, &paddr)) ||
	    (ept && !at) || (infer && (!at != !nk || ept || verbose)) ||
	    (!infer && (nk || outp || force)))
		return cli_usage(&cmd_vmcs);
	struct gc_vmcs_db *db;
	struct gc_error *err = gc_vmcs_db_new(true, &db);
	if (!err)
		err = gc_vmcs_db_add_published(db);
	if (err) {
		gc_vmcs_db_free(db);
		return cli_error(err);
	}
	struct gc_report *w = cli_report_new();
	for (size_t i = 0; i < nl; i++) {
		struct gc_vmcs_layout *l;
		err = vmx_load_layout_file(layouts[i], w, &l);
		if (!err)
			err = gc_vmcs_db_add(db, l);
		if (err) {
			gc_vmcs_db_free(db);
			gc_report_free(w);
			return cli_error(err);
		}
	}
	struct gc_dump *d = cli_open(argv[1]);
	if (!d) {
		gc_vmcs_db_free(db);
		gc_report_free(w);
		return EXIT_ERROR;
	}
	/* The dump's own VMCSINFO note; --layout files win over it. */
	struct gc_vmcs_layout *nl_layout;
	err = vmx_layout_from_dump(d, 0, 0, w, &nl_layout);
	if (!err) {
		bool overridden = false;
		for (size_t i = 0; i < nl; i++) {
			const struct gc_vmcs_layout *u =
				gc_vmcs_db_find(db, nl_layout->revision);
			if (u && u->source && !strcmp(u->source, layouts[i]))
				overridden = true;
		}
		if (overridden)
			gc_vmcs_layout_free(nl_layout);
		else
			err = gc_vmcs_db_add(db, nl_layout);
	} else if (gc_error_code(err) == GC_ERR_NOT_PRESENT) {
		gc_error_free(err);
		err = NULL;
	} else {
		fprintf(stderr, "guestcore: warning: %s\n",
			gc_error_string(err));
		gc_error_free(err);
		err = NULL;
	}
	if (!json)
		vmx_print_warnings(w, stderr);
	gc_report_free(w);
	struct gc_vmcs_scan_opts opts = { .keep_rejected = verbose };
	const char *vi;
	size_t vlen;
	uint64_t voff;
	struct gc_error *verr = gc_dump_vmcoreinfo(d, &vi, &vlen, &voff);
	if (!verr)
		gc_vmcs_text_range(vi, vlen, &opts.text_start, &opts.text_end);
	gc_error_free(verr);
	struct gc_hostmem mem;
	if (!err)
		err = gc_hostmem_dump(d, &mem);
	int rc = EXIT_OK;
	if (err) {
		rc = cli_error(gc_error_set_file(err, gc_dump_path(d)));
	} else if (infer && !at) {
		rc = infer_kvm(d, &mem, outp, force, json);
	} else if (infer) {
		rc = infer_run(&mem, at, known, nk, outp, force, json);
	} else if (at) {
		rc = decode_at(&mem, db, paddr, &opts, json, ept);
	} else {
		struct gc_vmcs_scan s;
		err = gc_vmcs_scan(&mem, db, &opts, &s);
		if (err) {
			rc = cli_error(gc_error_set_file(err,
							 gc_dump_path(d)));
		} else if (json) {
			struct gc_json j;
			gc_json_init(&j, stdout, true);
			gc_json_object_begin(&j);
			gc_json_key(&j, "frames_scanned");
			gc_json_u64(&j, s.frames_scanned);
			gc_json_key(&j, "candidates");
			gc_json_u64(&j, s.candidates);
			gc_json_key(&j, "unreadable");
			gc_json_u64(&j, s.read_errors);
			gc_json_key(&j, "vmcs");
			gc_json_array_begin(&j);
			for (size_t i = 0; i < s.nr_hits; i++)
				if (s.hits[i].valid)
					hit_json(&j, &s.hits[i]);
			gc_json_array_end(&j);
			if (verbose) {
				gc_json_key(&j, "rejected");
				gc_json_array_begin(&j);
				for (size_t i = 0; i < s.nr_hits; i++)
					if (!s.hits[i].valid)
						hit_json(&j, &s.hits[i]);
				gc_json_array_end(&j);
			}
			size_t nv = 0;
			for (size_t i = 0; i < s.nr_hits; i++)
				nv += s.hits[i].valid;
			if (!nv)  /* no Intel guest: the AMD VMCB scan */
				svm_cli_vmcb_list(&mem, verbose, &j);
			gc_json_object_end(&j);
			gc_json_end(&j);
		} else {
			size_t valid = 0;
			for (size_t i = 0; i < s.nr_hits; i++)
				valid += s.hits[i].valid;
			printf("scanned %" PRIu64 " frames: %" PRIu64
			       " with a known revision id, %zu VMCS "
			       "region%s\n", s.frames_scanned, s.candidates,
			       valid, valid == 1 ? "" : "s");
			if (s.read_errors)
				printf("%" PRIu64 " frames could not be read\n",
				       s.read_errors);
			for (size_t i = 0; i < s.nr_hits; i++) {
				const struct gc_vmcs_hit *h = &s.hits[i];
				if (!h->valid) {
					printf("rejected 0x%" PRIx64 " (revision "
					       "0x%x): %s\n", h->paddr,
					       h->revision, h->reason);
					continue;
				}
				const struct gc_vmcs_state *t = &h->st;
				/* a field the layout lacks is "?", never 0 */
				char vp[24], rip[20], rsp[20], rfl[20], cr0[20],
					cr3[20], cr4[20], efer[20], eptp[20],
					hcr3[20], hrip[20];
				if (has(h, GC_VMCS_VPID))
					snprintf(vp, sizeof(vp), "%" PRIu64,
						 t->vpid);
				else
					snprintf(vp, sizeof(vp), "?");
				hexf(rip, 16, h, GC_VMCS_GUEST_RIP, t->guest_rip);
				hexf(rsp, 16, h, GC_VMCS_GUEST_RSP, t->guest_rsp);
				hexf(rfl, 8, h, GC_VMCS_GUEST_RFLAGS,
				     t->guest_rflags);
				hexf(cr0, 16, h, GC_VMCS_GUEST_CR0, t->guest_cr0);
				hexf(cr3, 16, h, GC_VMCS_GUEST_CR3, t->guest_cr3);
				hexf(cr4, 8, h, GC_VMCS_GUEST_CR4, t->guest_cr4);
				hexf(efer, 8, h, GC_VMCS_GUEST_EFER,
				     t->guest_efer);
				hexf(eptp, 16, h, GC_VMCS_EPT_POINTER, t->eptp);
				hexf(hcr3, 0, h, GC_VMCS_HOST_CR3, t->host_cr3);
				hexf(hrip, 16, h, GC_VMCS_HOST_RIP, t->host_rip);
				printf("VMCS at 0x%" PRIx64 ": revision 0x%x, "
				       "VPID %s, EPT %s\n", h->paddr,
				       h->revision, vp,
				       h->ept_enabled ? "on" : "off");
				printf("  RIP %s  RSP %s  RFLAGS %s\n", rip, rsp,
				       rfl);
				printf("  CR0 %s  CR3 %s  CR4 %s\n", cr0, cr3, cr4);
				printf("  EFER %s  EPTP %s  host CR3 %s  host RIP "
				       "%s\n", efer, eptp, hcr3, hrip);
				printf("  why: %s\n", h->reason);
			}
			/* vCPUs of one VM share an EPTP */
			for (size_t i = 0; i < s.nr_hits; i++) {
				const struct gc_vmcs_hit *h = &s.hits[i];
				bool first = h->valid && h->ept_enabled;
				for (size_t k = 0; k < i && first; k++)
					if (s.hits[k].valid &&
					    s.hits[k].ept_enabled &&
					    s.hits[k].st.eptp == h->st.eptp)
						first = false;
				if (!first)
					continue;
				printf("guest with EPTP 0x%" PRIx64 ": VMCS",
				       h->st.eptp);
				for (size_t k = i; k < s.nr_hits; k++)
					if (s.hits[k].valid &&
					    s.hits[k].ept_enabled &&
					    s.hits[k].st.eptp == h->st.eptp)
						printf(" 0x%" PRIx64,
						       s.hits[k].paddr);
				printf("\n");
			}
			if (!valid)  /* no Intel guest: the AMD VMCB scan */
				svm_cli_vmcb_list(&mem, verbose, NULL);
		}
		gc_vmcs_scan_free(&s);
	}
	gc_dump_close(d);
	gc_vmcs_db_free(db);
	return rc;
}

static const struct cli_opt options[] = {
	CLI_VALUE_OPT("layout", 0, "FILE", "a VMCS layout (VMCSINFO text or note); repeat for more, the last wins"),
	CLI_VALUE_OPT("at", 0, "PADDR", "decode the region at PADDR field by field"),
	CLI_FLAG_OPT("ept", 0, "with --at: the guest-physical ranges its EPT maps"),
	CLI_FLAG_OPT("verbose", 0, "also list rejected candidates and why"),
	CLI_FLAG_OPT("json", 0, "print one JSON object"),
	CLI_FLAG_OPT("infer", 0, "with --at A[,B...] and --known: infer the layout from known values"),
	CLI_VALUE_OPT("known", 0, "FIELD=V[,V...]", "with --infer: a field's value in each --at region (hex); repeat"),
	{ .name = "output", .short_name = 'o', .arg = CLI_VALUE, .metavar = "FILE", .canon = "-o", .help = "with --infer: write the inferred layout (VMCSINFO text, for --layout)" },
	CLI_FLAG_OPT("force", 0, "with -o: replace an existing regular FILE"),
	CLI_OPT_END,
};

const struct cli_command cmd_vmcs = {
	.name = "vmcs",
	.run = run,
	.summary = "find VMCS regions (KVM/Xen HVM vCPUs) in a host dump "
		   "(none found: AMD VMCBs), or decode one",
	.usage = "vmcs DUMP [--layout FILE]... [--json] [--verbose]\n"
		 "       guestcore vmcs DUMP --at PADDR [--layout FILE]... "
		 "[--ept] [--json]\n"
		 "       guestcore vmcs DUMP --infer [--at PADDR[,PADDR...] "
		 "--known FIELD=V[,V...]...] [-o FILE [--force]] [--json]",
	.opts = options,
};
