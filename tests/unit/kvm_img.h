// SPDX-License-Identifier: MIT
/*
 * A synthetic kernel image for the KVM unit tests: kernel virtual
 * addresses from KBASE map the buffer linearly, user addresses are buffer
 * offsets.  The reader callbacks the KVM walk takes (test_kvm.c,
 * test_kvm_nomem.c).
 */
#ifndef GC_TEST_KVM_IMG_H
#define GC_TEST_KVM_IMG_H

#include <stdint.h>
#include <string.h>

#include "guestcore/error.h"

#define KBASE 0xffff888000000000ull

struct img {
	uint8_t *p;
	size_t n;
};

static struct gc_error *rd(void *ctx, uint64_t va, void *buf, size_t len)
{
	const struct img *m = ctx;
	if (va < KBASE || va - KBASE > m->n || len > m->n - (va - KBASE))
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_KVIRT, va,
				     "image", "outside the image");
	memcpy(buf, m->p + (va - KBASE), len);
	return NULL;
}

static struct gc_error *vtop(void *ctx, uint64_t va, uint64_t *pa)
{
	(void)ctx;
	*pa = va - KBASE;
	return NULL;
}

static struct gc_error *rd_user(void *ctx, uint64_t pgd, uint64_t va,
				void *buf, size_t len)
{
	const struct img *m = ctx;
	(void)pgd;
	if (va > m->n || len > m->n - va)
		return gc_error_addr(GC_ERR_NOT_PRESENT, GC_SPACE_NONE, va,
				     "user", "outside the image");
	memcpy(buf, m->p + va, len);
	return NULL;
}

#endif
