// SPDX-License-Identifier: MIT
/* Unit-test harness implementation. */
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestcore/error.h"
#include "harness.h"

#define MAX_TESTS 512

static struct gc_test tests[MAX_TESTS];
static int nr_tests;
bool gc_test_failed;
static bool skipped;
static char skip_why[256];
static char tmpdir[512];

void gc_test_register(const char *name, void (*fn)(void))
{
	if (nr_tests < MAX_TESTS)
		tests[nr_tests++] = (struct gc_test){ name, fn };
}

void gc_test_fail(const char *file, int line, const char *fmt, ...)
{
	if (gc_test_failed)
		return;
	gc_test_failed = true;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stdout, "  at %s:%d: ", file, line);
	vfprintf(stdout, fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

void gc_test_skip(const char *why)
{
	skipped = true;
	snprintf(skip_why, sizeof(skip_why), "%s", why);
}

const char *gc_test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("GC_TEST_TMP");
		snprintf(tmpdir, sizeof(tmpdir), "%s/unit-%d",
			 base ? base : "/tmp", (int)getpid());
		mkdir(tmpdir, 0755);
	}
	return tmpdir;
}

const char *gc_test_mkvmcore(const char *name, const char *args,
			     char *path, size_t len)
{
	const char *fix = getenv("GCFIX");
	if (!fix)
		return NULL;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s", fix);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, len, "%s/%s", gc_test_tmpdir(), name);
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "'%s/mkvmcore' kdump '%s' %s", dir, path,
		 args);
	return system(cmd) == 0 ? path : NULL;
}

const char *gc_test_real_dump(const char *relpath)
{
	static char path[1024];
	const char *cache = getenv("GC_DUMP_CACHE");
	if (!cache)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", cache, relpath);
	return access(path, R_OK) == 0 ? path : NULL;
}

int gc_test_main(int argc, char **argv)
{
	int failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;
	for (int i = 0; i < nr_tests; i++) {
		if (only && strcmp(only, tests[i].name))
			continue;
		gc_test_failed = false;
		skipped = false;
		tests[i].fn();
		if (gc_test_failed) {
			printf("FAIL %s\n", tests[i].name);
			failed++;
		} else if (skipped) {
			printf("SKIP %s: %s\n", tests[i].name, skip_why);
		} else {
			printf("PASS %s\n", tests[i].name);
		}
		fflush(stdout);
	}
	if (tmpdir[0]) {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd)) {
		}
	}
	return failed ? 1 : 0;
}
