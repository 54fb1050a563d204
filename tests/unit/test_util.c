// SPDX-License-Identifier: MIT
/* util: escaping text from dumps, the growable array, error accessors. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "guestcore/check.h"
#include "util/report.h"
#include "util/util.h"
#include "util/vec.h"

TEST(escape_controls)
{
	char *s = gc_escape_controls(strdup("key \033[31mRED\x7f\tend"));
	CHECK_STR(s, "key \\x1b[31mRED\\x7f\\x09end");
	free(s);
	char *plain = strdup("plain text, UTF-8 \xc3\xa9");
	char *same = gc_escape_controls(plain);
	CHECK(same == plain);   /* nothing to escape: the same string */
	free(same);
	CHECK(gc_escape_controls(NULL) == NULL);
}

TEST(findings_and_errors_never_carry_control_bytes)
{
	struct gc_report r = { 0 };
	CHECK_OK(gc_report_add(&r, GC_SEV_WARNING, "x", false, 0,
			       "field %s", "A\033]0;owned\007B"));
	CHECK_STR(gc_report_finding(&r, 0)->message,
		  "field A\\x1b]0;owned\\x07B");
	gc_report_clear(&r);
	struct gc_error *e = gc_error_at(GC_ERR_FORMAT, 0x10, "key \033",
					 "why \r");
	CHECK_STR(gc_error_string(e), "key \\x1b at offset 0x10: why \\x0d");
	uint64_t off = 0;
	CHECK(gc_error_offset(e, &off) && off == 0x10);
	CHECK(gc_error_code(e) == GC_ERR_FORMAT);
	CHECK(!gc_error_address(e, NULL, NULL));
	gc_error_free(e);
}

TEST(vec_push_and_reserve)
{
	int *v = NULL;
	size_t n = 0, cap = 0;
	for (int i = 0; i < 1000; i++)
		CHECK(gc_vec_push(&v, &n, &cap, &i));
	CHECK_EQ_U64(n, 1000);
	CHECK(cap >= 1000 && cap < 2048);
	CHECK_EQ_U64(v[999], 999);
	CHECK(!gc_vec_reserve(&v, &cap, SIZE_MAX));  /* refused, unchanged */
	CHECK_EQ_U64(v[500], 500);
	free(v);
}

TEST_MAIN()
