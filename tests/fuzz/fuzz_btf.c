// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the BTF reader and the type chain over it.  The first
 * byte is a mode: bit 0 set = a u32 base length follows, then base BTF
 * and split BTF on it (a module's); otherwise the rest is one blob.  A
 * blob that loads is walked whole: every type's info, size, stripped
 * type, C spelling, members and enumerators, then name queries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guestcore/types.h"

static void walk(const struct gc_type_provider *p)
{
	uint32_t n = gc_type_provider_nr_types(p);
	if (n > 20000)
		n = 20000;
	for (uint32_t id = 0; id <= n; id++) {
		struct gc_type ty = {p, id}, s;
		struct gc_type_info ti;
		uint64_t size;
		char *str = NULL;
		gc_error_free(gc_type_sizeof(ty, &size));
		gc_error_free(gc_type_strip(ty, &s));
		struct gc_error *ferr = gc_type_format(ty, "x", &str);
		if (!ferr)
			free(str);
		gc_error_free(ferr);
		ferr = gc_type_info(ty, &ti);
		if (ferr) {
			gc_error_free(ferr);
			continue;
		}
		for (uint32_t i = 0; i < ti.vlen && i < 64; i++) {
			struct gc_member m;
			struct gc_enumerator e;
			struct gc_error *err = gc_type_member(ty, i, &m);
			if (!err) {
				str = NULL;
				err = gc_type_format(m.type, m.name, &str);
				if (!err)
					free(str);
			} else {
				gc_error_free(err);
				err = gc_type_enumerator(ty, i, &e);
			}
			gc_error_free(err);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	const uint8_t *split = NULL;
	size_t blen = size, slen = 0;
	if ((mode & 1) && size >= 4) {
		uint32_t l;
		memcpy(&l, data, 4);
		data += 4;
		size -= 4;
		blen = size;
		if (l <= size) {
			blen = l;
			split = data + l;
			slen = size - l;
		}
	}
	struct gc_type_provider *b, *s = NULL;
	struct gc_error *err = gc_btf_provider_new(data, blen, "fuzz", &b);
	if (err) {
		gc_error_free(err);
		return 0;
	}
	if (split) {
		err = gc_btf_provider_new_split(b, split, slen, "fuzz split", &s);
		gc_error_free(err);
	}
	struct gc_types *t;
	if (gc_types_new(&t)) {
		gc_type_provider_free(s);
		gc_type_provider_free(b);
		return 0;
	}
	gc_error_free(gc_types_add(t, b));
	if (s)
		gc_error_free(gc_types_add(t, s));
	walk(b);
	if (s)
		walk(s);
	static const char *const names[] = {"s", "struct s", "outer", "mod",
					    "mod_t", "int", "union x", "e"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t v;
		int64_t n;
		struct gc_member m;
		gc_error_free(gc_types_sizeof(t, names[i], &v, NULL));
		gc_error_free(gc_types_member(t, names[i], "s1.name", &m, NULL));
		gc_error_free(gc_types_offsetof(t, names[i], "x", &v, NULL));
		gc_error_free(gc_types_number(t, names[i], &n, NULL));
	}
	gc_types_free(t);
	return 0;
}
