// SPDX-License-Identifier: MIT
/* libFuzzer target: the VMCSINFO parser (text and note forms), the
 * "ADDRESS SIZE" parser, the writer round trip and region checks with
 * the parsed layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/report.h"
#include "guestcore/vmx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gc_report w = { 0 };
	struct gc_vmcs_layout *l;
	struct gc_error *err = gc_vmcsinfo_parse_any(data, size, &w, &l);
	if (!err) {
		/* round trip: what we write must parse to the same layout */
		char *text = gc_vmcsinfo_format(l);
		if (text) {
			struct gc_vmcs_layout *l2;
			struct gc_error *e2 = gc_vmcsinfo_parse(
				text, strlen(text), l->region_size, NULL, &l2);
			if (!e2) {
				if (l2->nr_locs != l->nr_locs)
					abort();
				gc_vmcs_layout_free(l2);
			} else {
				abort();
			}
			free(text);
		}
		/* use the input itself as a region */
		uint8_t region[4096] = { 0 };
		memcpy(region, data, size < sizeof(region) ? size : sizeof(region));
		struct gc_vmcs_hit hit;
		err = gc_vmcs_check_region(l, region, sizeof(region), 0x1000,
					   1ull << 32, NULL, &hit);
		if (!err)
			free(hit.reason);
		gc_vmcs_layout_free(l);
	}
	gc_error_free(err);
	gc_report_clear(&w);
	char s[64];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	memcpy(s, data, n);
	s[n] = '\0';
	uint64_t a, b;
	(void)gc_vmcsinfo_parse_sysfs(s, &a, &b);
	return 0;
}
