// SPDX-License-Identifier: MIT
#include "util/vec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool gc_vec_reserve_(void **ptr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap : 8;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return false;
		n *= 2;
	}
	if (elem && n > SIZE_MAX / elem)
		return false;
	void *p = realloc(*ptr, n * elem);
	if (!p)
		return false;
	*ptr = p;
	*cap = n;
	return true;
}

bool gc_vec_push_(void **ptr, size_t *nr, size_t *cap, const void *item,
		  size_t elem)
{
	if (*nr == SIZE_MAX || !gc_vec_reserve_(ptr, cap, *nr + 1, elem))
		return false;
	memcpy((char *)*ptr + *nr * elem, item, elem);
	(*nr)++;
	return true;
}
