// SPDX-License-Identifier: MIT
/* Dropping memory from the CPU caches (cache.h). */
#include <stdint.h>

#include "cache.h"

#if defined(__x86_64__)
#include <cpuid.h>

/* CPUID leaf 7, subleaf 0: EBX bit 23 is CLFLUSHOPT; leaf 1 EBX bits
 * 15:8 give the line size CLFLUSH works on, in 8-byte units. */
static unsigned line_size(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	return ((b >> 8) & 0xff) * 8;
}

bool gc_cache_can_drop(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 23)))
		return false;
	return line_size() == 64;
}

__attribute__((target("clflushopt")))
void gc_cache_drop(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)63;
	uintptr_t end = (uintptr_t)p + n;
	for (; a < end; a += 64)
		__builtin_ia32_clflushopt((void *)a);
}
#else
bool gc_cache_can_drop(void)
{
	return false;
}

void gc_cache_drop(const void *p, size_t n)
{
	(void)p;
	(void)n;
}
#endif
