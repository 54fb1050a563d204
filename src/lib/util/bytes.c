// SPDX-License-Identifier: MIT
/* Byte-buffer helpers. */
#include "util.h"

bool gc_page_is_zero(const uint8_t *p, size_t len)
{
	uint64_t acc = 0;
	size_t i = 0;
	for (; i + 32 <= len; i += 32) {
		uint64_t a, b, c, d;
		memcpy(&a, p + i, 8);
		memcpy(&b, p + i + 8, 8);
		memcpy(&c, p + i + 16, 8);
		memcpy(&d, p + i + 24, 8);
		acc |= a | b | c | d;
		if (acc)
			return false;
	}
	for (; i < len; i++)
		acc |= p[i];
	return acc == 0;
}
