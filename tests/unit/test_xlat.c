// SPDX-License-Identifier: MIT
/* Address translations: tables, composition, limits. */
#include "harness.h"
#include "spaces/xlat.h"

static void two_tables(struct gc_xlat **z)
{
	/* a: 0x1000-0x2fff -> 0x10000, 0x5000-0x5fff -> 0x20000
	 * b: 0x10000-0x117ff -> 0x900000, 0x20000-0x2ffff -> 0 */
	static const struct gc_xlat_entry a[] = {
		{ 0x1000, 0x10000, 0x2000 }, { 0x5000, 0x20000, 0x1000 } };
	static const struct gc_xlat_entry b[] = {
		{ 0x10000, 0x900000, 0x1800 }, { 0x20000, 0, 0x10000 } };
	struct gc_xlat *x, *y;
	*z = NULL;
	CHECK_OK(gc_xlat_table(a, 2, "a", GC_SPACE_PHYS, GC_SPACE_PHYS, NULL, &x));
	CHECK_OK(gc_xlat_table(b, 2, "b", GC_SPACE_PHYS, GC_SPACE_PHYS,
			       "hole of b", &y));
	CHECK_OK(gc_xlat_compose(x, y, z));
}

TEST(compose_runs_are_the_shorter_of_both)
{
	struct gc_xlat *z;
	struct gc_xlat_run r;
	two_tables(&z);
	if (!z)
		return;
	CHECK_OK(gc_xlat_lookup(z, 0x1800, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0x900800);
	CHECK_EQ_U64(r.len, 0x1000);   /* b's run ends first */
	CHECK_OK(gc_xlat_lookup(z, 0x5fff, &r));
	CHECK_EQ_U64(r.target, 0xfff);
	CHECK_EQ_U64(r.len, 1);
	gc_xlat_free(z);
}

TEST(compose_unmapped_names_the_stage)
{
	struct gc_xlat *z;
	struct gc_xlat_run r;
	two_tables(&z);
	if (!z)
		return;
	CHECK_OK(gc_xlat_lookup(z, 0, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, 0x1000);
	CHECK_STR(r.reason, "not in the translation table");
	CHECK_OK(gc_xlat_lookup(z, 0x2fff, &r));  /* a maps it, b does not */
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_STR(r.reason, "hole of b");
	CHECK_EQ_U64(r.len, 1);
	CHECK_OK(gc_xlat_lookup(z, 0x6000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_EQ_U64(r.len, UINT64_MAX - 0x6000);  /* to the limit */
	gc_xlat_free(z);
}

TEST(table_rejects_overlaps_and_wraps)
{
	struct gc_xlat *x = NULL;
	struct gc_xlat_entry bad[] = { { 0x1000, 0, 0x2000 }, { 0x2000, 0, 1 } };
	struct gc_error *err = gc_xlat_table(bad, 2, "t", GC_SPACE_PHYS,
					     GC_SPACE_PHYS, NULL, &x);
	CHECK(err && !x);
	CHECK_CONTAINS(gc_error_string(err), "run 1");
	gc_error_free(err);
	struct gc_xlat_entry wrap[] = { { ~0ull - 10, 0, 100 } };
	err = gc_xlat_table(wrap, 1, "t", GC_SPACE_PHYS, GC_SPACE_PHYS, NULL, &x);
	CHECK(err && !x);
	gc_error_free(err);
}

TEST(identity_stops_at_its_limit)
{
	struct gc_xlat *x;
	struct gc_xlat_run r;
	CHECK_OK(gc_xlat_identity(GC_SPACE_PHYS, 0x10000, &x));
	CHECK_OK(gc_xlat_lookup(x, 0xf000, &r));
	CHECK(r.status == GC_XLAT_MAPPED);
	CHECK_EQ_U64(r.target, 0xf000);
	CHECK_EQ_U64(r.len, 0x1000);
	CHECK_OK(gc_xlat_lookup(x, 0x10000, &r));
	CHECK(r.status == GC_XLAT_UNMAPPED);
	CHECK_STR(r.reason, "beyond the end of the space");
	gc_xlat_free(x);
}

TEST_MAIN()
