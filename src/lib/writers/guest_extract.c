// SPDX-License-Identifier: MIT
/*
 * The one extract pipeline for guests of every source (guests/):
 * guest -> writer hints -> writer -> verify.
 *
 *   hints:  the frames with data (the guest's frame runs; gaps are never
 *           written, never zero-filled), the vCPUs, the provenance lines
 *           and guest type, and the VMCOREINFO the kernel layer finds in
 *           guest memory (unless the caller gives one);
 *   writer: gc_convert on the guest's dump view (GC_FORMAT_GUEST: the
 *           writer never takes a guest for its host's format);
 *   verify: gc_convert_verify, the output re-opened and compared page
 *           for page.
 *
 * Writers are the layer above guests, so this lives here and takes a
 * gc_guest; the guest sources know nothing of writing.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/guest.h"
#include "guestcore/kernel.h"
#include "guests/guest.h"
#include "writers/writer_internal.h"

void gc_guest_extract_result_free(struct gc_guest_extract_result *r)
{
	if (!r)
		return;
	free(r->vmcoreinfo_status);
	memset(r, 0, sizeof(*r));
}

struct gc_error *gc_guest_extract(struct gc_guest *g, const char *out_path,
				  const struct gc_convert_opts *opts,
				  struct gc_guest_extract_result *r)
{
	memset(r, 0, sizeof(*r));
	struct gc_dump *view = gc_guest_dump(g);
	if (!g->counts.frames_present)
		return gc_error_new(GC_ERR_NOT_PRESENT, "guest memory",
				    "none of the %" PRIu64 " guest frames the "
				    "%s maps is in the %s",
				    g->counts.frames_mapped, g->src->mapper,
				    g->src->where);
	struct gc_convert_opts o = *opts;
	struct gc_kernel *k = NULL;
	struct gc_error *kerr = NULL;
	if (!o.kernel.vmcoreinfo)
		kerr = gc_kernel_open(view, NULL, &k);
	const struct gc_vmcoreinfo *vi = k ? gc_kernel_vmcoreinfo(k) : NULL;
	if (o.kernel.vmcoreinfo) {
		r->vmcoreinfo_status = gc_asprintf("given by the caller");
	} else if (vi) {
		o.kernel.vmcoreinfo = gc_vmcoreinfo_text(
			vi, &o.kernel.vmcoreinfo_len);
		gc_convert_kernel_from_vmcoreinfo(&o.kernel,
						  o.kernel.vmcoreinfo,
						  o.kernel.vmcoreinfo_len);
		r->vmcoreinfo_status = gc_asprintf(
			"%s", gc_kernel_vmcoreinfo_source(k));
	} else {
		r->vmcoreinfo_status =
			kerr ? gc_asprintf("not stored: the kernel layer found "
					   "no Linux kernel in guest memory "
					   "(%s)", gc_error_string(kerr)) :
			       gc_asprintf("not stored: no VMCOREINFO found in "
					   "guest memory");
	}
	gc_error_free(kerr);
	struct gc_error *err = r->vmcoreinfo_status ? NULL : &gc_error_nomem;
	/* pages listed present that could not be read are left out of the
	 * output and counted (r->stats.pages_missing), as convert does: the
	 * output stays, and the caller says so (it was an error that left
	 * the file in place) */
	if (!err)
		err = gc_convert(view, out_path, &o, &r->stats);
	gc_kernel_close(k);
	return err;
}

struct gc_error *gc_guest_verify(struct gc_guest *g, const char *out_path,
				 const struct gc_convert_opts *opts,
				 struct gc_verify_stats *vs)
{
	return gc_convert_verify(gc_guest_dump(g), out_path, opts, vs);
}
