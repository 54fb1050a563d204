// SPDX-License-Identifier: MIT
/*
 * Minimal unit-test harness.  Each test binary registers cases with
 * TEST(name) and ends with TEST_MAIN(); every case prints one line
 * "PASS name" or "FAIL name: why" that tests/run.sh counts.
 */
#ifndef GC_TEST_HARNESS_H
#define GC_TEST_HARNESS_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct gc_test {
	const char *name;
	void (*fn)(void);
};

void gc_test_register(const char *name, void (*fn)(void));
void gc_test_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int gc_test_main(int argc, char **argv);
/* Scratch directory for this test binary (created on demand). */
const char *gc_test_tmpdir(void);
/* Path of a real dump (decompressed into the cache) or NULL if absent. */
const char *gc_test_real_dump(const char *relpath);
/* Write NAME in the scratch directory with `mkvmcore kdump NAME ARGS`
 * ($(BUILD)/mkvmcore, next to $GCFIX); its path in PATH, or NULL. */
const char *gc_test_mkvmcore(const char *name, const char *args,
			     char *path, size_t len);
/* Mark the current case skipped (real data missing). */
void gc_test_skip(const char *why);
extern bool gc_test_failed;

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	__attribute__((constructor)) static void reg_##name(void)         \
	{                                                                 \
		gc_test_register(#name, test_##name);                     \
	}                                                                 \
	static void test_##name(void)

#define TEST_MAIN()                                                       \
	int main(int argc, char **argv) { return gc_test_main(argc, argv); }

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			gc_test_fail(__FILE__, __LINE__, "%s", #cond);    \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_EQ_U64(a, b)                                                \
	do {                                                              \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);          \
		if (a_ != b_) {                                           \
			gc_test_fail(__FILE__, __LINE__,                  \
				     "%s == 0x%" PRIx64 ", expected 0x%"  \
				     PRIx64, #a, a_, b_);                 \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                              \
		const char *a_ = (a), *b_ = (b);                          \
		if (!a_ || !b_ || strcmp(a_, b_)) {                       \
			gc_test_fail(__FILE__, __LINE__,                  \
				     "%s == \"%s\", expected \"%s\"", #a, \
				     a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
			return;                                           \
		}                                                         \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                       \
	do {                                                              \
		const char *h_ = (hay), *n_ = (needle);                   \
		if (!h_ || !strstr(h_, n_)) {                             \
			gc_test_fail(__FILE__, __LINE__,                  \
				     "\"%s\" does not contain \"%s\"",    \
				     h_ ? h_ : "(null)", n_);             \
			return;                                           \
		}                                                         \
	} while (0)

/* A library call that must succeed. */
#define CHECK_OK(call)                                                    \
	do {                                                              \
		struct gc_error *e_ = (call);                             \
		if (e_) {                                                 \
			gc_test_fail(__FILE__, __LINE__, "%s failed: %s", \
				     #call, gc_error_string(e_));         \
			gc_error_free(e_);                                \
			return;                                           \
		}                                                         \
	} while (0)

#endif
