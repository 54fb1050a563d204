// SPDX-License-Identifier: MIT
/*
 * One-pass convert of a QEMU migration stream (gc_convert_stream_open /
 * finish / abort): the real 256 MiB q35 save image written in one pass,
 * every page equal to the same moment's `virsh dump --memory-only` ELF;
 * an abandoned conversion leaves nothing; inputs that are not streams are
 * left to gc_convert.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guestcore/guestcore.h"
#include "guestcore/writer.h"
#include "harness.h"

#define SET "virsh-q35-256m-nokaslr"

static unsigned tmp_files(const char *dir)
{
	unsigned n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".gctmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

TEST(real_save_one_pass_equals_ref)
{
	/* gc_test_real_dump's answer is overwritten by the next call */
	char save[4096], ref[4096];
	const char *p = gc_test_real_dump(SET "/virsh-save.raw.img");
	snprintf(save, sizeof(save), "%s", p ? p : "");
	p = gc_test_real_dump(SET "/ref.elf");
	snprintf(ref, sizeof(ref), "%s", p ? p : "");
	if (!save[0] || !ref[0]) {
		gc_test_skip(SET " not in the dump cache");
		return;
	}
	char out[4096];
	snprintf(out, sizeof(out), "%s/onepass.elf", gc_test_tmpdir());
	unlink(out);
	struct gc_convert_opts o = { .format = GC_OUT_ELF };
	struct gc_dump *d = NULL;
	struct gc_convert_stream *cs = NULL;
	CHECK(!gc_convert_stream_open(save, out, &o, &d, &cs));
	CHECK(d && cs);
	if (!d || !cs)
		return;
	struct gc_convert_stats st;
	struct gc_error *err = gc_convert_stream_finish(cs, d, &o, &st);
	if (err)
		gc_test_fail(__FILE__, __LINE__, "%s", gc_error_string(err));
	CHECK(st.one_pass);
	CHECK_EQ_U64(st.pages_total, 65600);
	CHECK_EQ_U64(st.pages_written, 65600);
	CHECK_EQ_U64(st.nr_vcpus, 2);
	CHECK(st.has_vmcoreinfo);
	CHECK_EQ_U64(st.segments, 3);  /* 2 runs + the text (VMCOREINFO) */
	gc_dump_close(d);
	struct gc_dump *a = NULL, *b = NULL;
	CHECK(!gc_dump_open(out, NULL, &a));
	CHECK(!gc_dump_open(ref, NULL, &b));
	if (!a || !b)
		return;
	struct gc_frame_run *ra = NULL, *rb = NULL;
	size_t na = 0, nb = 0;
	CHECK(!gc_dump_frame_runs(a, GC_SPACE_PHYS, &ra, &na));
	CHECK(!gc_dump_frame_runs(b, GC_SPACE_PHYS, &rb, &nb));
	CHECK_EQ_U64(na, nb);
	CHECK(na == nb && !memcmp(ra, rb, na * sizeof(*ra)));
	static uint8_t pa[4096], pb[4096];
	uint64_t differ = 0, pages = 0;
	for (size_t i = 0; i < nb; i++)
		for (uint64_t f = rb[i].start; f < rb[i].start + rb[i].count; f++) {
			CHECK(!gc_dump_read(a, GC_SPACE_PHYS, f << 12, pa, 4096));
			CHECK(!gc_dump_read(b, GC_SPACE_PHYS, f << 12, pb, 4096));
			differ += memcmp(pa, pb, 4096) != 0;
			pages++;
		}
	CHECK_EQ_U64(pages, 65600);
	CHECK_EQ_U64(differ, 0);
	CHECK_EQ_U64(gc_dump_nr_vcpus(a), 2);
	free(ra);
	free(rb);
	gc_dump_close(a);
	gc_dump_close(b);
	unlink(out);
	CHECK_EQ_U64(tmp_files(gc_test_tmpdir()), 0);
}

TEST(abort_leaves_nothing)
{
	const char *save = gc_test_real_dump(SET "/virsh-save.raw.img");
	if (!save) {
		gc_test_skip(SET " not in the dump cache");
		return;
	}
	char out[4096];
	snprintf(out, sizeof(out), "%s/aborted.elf", gc_test_tmpdir());
	unlink(out);
	struct gc_convert_opts o = { .format = GC_OUT_ELF };
	struct gc_dump *d = NULL;
	struct gc_convert_stream *cs = NULL;
	CHECK(!gc_convert_stream_open(save, out, &o, &d, &cs));
	CHECK(d && cs);
	CHECK(tmp_files(gc_test_tmpdir()) == 1);  /* the pages, written */
	gc_convert_stream_abort(cs);
	gc_dump_close(d);
	CHECK(access(out, F_OK) != 0);
	CHECK_EQ_U64(tmp_files(gc_test_tmpdir()), 0);
}

TEST(not_a_stream_left_to_gc_convert)
{
	char ref[4096];
	const char *p = gc_test_real_dump(SET "/ref.elf");
	snprintf(ref, sizeof(ref), "%s", p ? p : "");
	if (!p) {
		gc_test_skip(SET " not in the dump cache");
		return;
	}
	char out[4096];
	snprintf(out, sizeof(out), "%s/never.elf", gc_test_tmpdir());
	struct gc_convert_opts o = { .format = GC_OUT_ELF };
	struct gc_dump *d = (struct gc_dump *)1;
	struct gc_convert_stream *cs = (struct gc_convert_stream *)1;
	CHECK(!gc_convert_stream_open(ref, out, &o, &d, &cs));
	CHECK(!d && !cs);
	/* options the one pass does not take: the same */
	const char *save = gc_test_real_dump(SET "/virsh-save.raw.img");
	struct gc_convert_opts k = { .format = GC_OUT_KDUMP };
	CHECK(!gc_convert_stream_open(save, out, &k, &d, &cs));
	CHECK(!d && !cs);
	struct gc_convert_opts f = { .format = GC_OUT_ELF, .flatten = true };
	CHECK(!gc_convert_stream_open(save, out, &f, &d, &cs));
	CHECK(!d && !cs);
	CHECK(access(out, F_OK) != 0);
}

TEST(existing_output_refused_before_work)
{
	const char *save = gc_test_real_dump(SET "/virsh-save.raw.img");
	if (!save) {
		gc_test_skip(SET " not in the dump cache");
		return;
	}
	char out[4096];
	snprintf(out, sizeof(out), "%s/exists.elf", gc_test_tmpdir());
	FILE *f = fopen(out, "w");
	CHECK(f);
	if (f)
		fclose(f);
	struct gc_convert_opts o = { .format = GC_OUT_ELF };
	struct gc_dump *d = NULL;
	struct gc_convert_stream *cs = NULL;
	struct gc_error *err = gc_convert_stream_open(save, out, &o, &d, &cs);
	CHECK(err);
	CHECK(!d && !cs);
	if (err)
		CHECK_CONTAINS(gc_error_string(err), "exists");
	gc_error_free(err);
	CHECK_EQ_U64(tmp_files(gc_test_tmpdir()), 0);
	unlink(out);
}

TEST_MAIN()
