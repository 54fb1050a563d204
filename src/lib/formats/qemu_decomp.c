// SPDX-License-Identifier: MIT
/* Whole-stream compressed migration streams: see qemu_stream.h. */
#include <string.h>

#include "qemu_stream.h"

const char *gc_qs_codec_detect(const uint8_t *h, size_t len)
{
	if (len >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return "gzip";
	if (len >= 3 && !memcmp(h, "BZh", 3))
		return "bzip2";
	if (len >= 6 && !memcmp(h, "\xfd" "7zXZ\0", 6))
		return "xz";
	if (len >= 9 && !memcmp(h, "\x89LZO\0\r\n\x1a\n", 9))
		return "lzop";
	if (len >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
		return "zstd";
	return NULL;
}

struct gc_error *gc_qstream_open_compressed(struct gc_dump *d, uint64_t skip,
					    const char *codec,
					    struct gc_qstream **out)
{
	*out = NULL;
	return gc_error_at(GC_ERR_UNSUPPORTED, skip, "migration stream",
			   "%s-compressed streams are not read yet", codec);
}
