// SPDX-License-Identifier: MIT
/*
 * libvirt save images (`virsh save`, `managedsave`): a 92-byte header,
 * the domain XML (and, in version 2, a cookie), then the QEMU migration
 * stream, whole-stream compressed when the header says so.
 *
 * Facts from libvirt's src/qemu/qemu_saveimage.h (learned, not copied):
 * magic "LibvirtQemudSave" ("LibvirtQemudPart" while the save is still
 * being written), then native-endian 32-bit version (1 or 2), data_len
 * (bytes of XML + cookie + padding after the header), was_running,
 * compressed (0 raw, 1 gzip, 2 bzip2, 3 xz, 4 lzop, 5 zstd, 6 sparse =
 * QEMU mapped-ram), cookieOffset (version 2), and 14 unused words.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "qemu_stream.h"

#define LV_HDR 92
#define LV_MAX_DATA (64u << 20)

static const char *const lv_formats[] = {
	"raw", "gzip", "bzip2", "xz", "lzop", "zstd", "sparse (mapped-ram)",
};

bool gc_libvirt_save_probe(const uint8_t *head, size_t len, struct gc_stream *s)
{
	return len >= 16 && (!memcmp(head, "LibvirtQemudSave", 16) ||
			     !memcmp(head, "LibvirtQemudPart", 16));
}

/* The machine attribute of <os>'s <type> in the domain XML (XML of
 * LEN bytes), or "" when absent or not a plain printable name. */
static void xml_machine(const char *xml, size_t len, char *out, size_t outsz)
{
	out[0] = '\0';
	const char *end = xml + len;
	const char *os = memmem(xml, len, "<os>", 4);
	if (!os)
		os = memmem(xml, len, "<os ", 4);
	if (!os)
		return;
	const char *os_end = memmem(os, (size_t)(end - os), "</os>", 5);
	const char *t = memmem(os, (size_t)(end - os), "<type", 5);
	if (!t || (os_end && t > os_end))
		return;
	const char *gt = memchr(t, '>', (size_t)(end - t));
	if (!gt)
		return;
	const char *a = memmem(t, (size_t)(gt - t), " machine=", 9);
	if (!a || a + 10 >= gt)
		return;
	char q = a[9];
	if (q != '\'' && q != '"')
		return;
	const char *v = a + 10;
	const char *ve = memchr(v, q, (size_t)(gt - v));
	if (!ve || ve == v || (size_t)(ve - v) >= outsz)
		return;
	for (const char *p = v; p < ve; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return;
	memcpy(out, v, (size_t)(ve - v));
	out[ve - v] = '\0';
}

#define FIELD(...) do { \
	err = gc_dump_add_field(d, __VA_ARGS__); \
	if (err) \
		goto out; \
} while (0)

static struct gc_error *lv_open(struct gc_dump *d)
{
	uint8_t h[LV_HDR];
	char *data = NULL;
	struct gc_error *err = gc_qstream_plain_only(d, "libvirt save image");
	if (!err)
		err = gc_file_read(d->file, 0, h, LV_HDR, "libvirt save header");
	if (err)
		return err;
	bool partial = !memcmp(h, "LibvirtQemudPart", 16);
	bool be = false;
	uint32_t version = gc_get32(h + 16, false);
	if (version != 1 && version != 2) {
		be = true;
		version = gc_get32(h + 16, true);
	}
	if (version != 1 && version != 2)
		return gc_error_at(GC_ERR_FORMAT, 16, "libvirt save header",
				   "version 0x%08x in either byte order (1 or 2 "
				   "expected)", gc_get32(h + 16, false));
	uint32_t data_len = gc_get32(h + 20, be);
	uint32_t was_running = gc_get32(h + 24, be);
	uint32_t comp = gc_get32(h + 28, be);
	uint32_t cookie_off = version >= 2 ? gc_get32(h + 32, be) : 0;
	if (data_len > LV_MAX_DATA)
		return gc_error_at(GC_ERR_FORMAT, 20, "libvirt save header",
				   "data_len %u is larger than any domain XML "
				   "(at most %u expected)", data_len, LV_MAX_DATA);
	if ((err = gc_file_check_range(d->file, LV_HDR, data_len,
				       "libvirt domain XML")))
		return err;
	if (!(data = malloc((size_t)data_len + 1)))
		return &gc_error_nomem;
	if ((err = gc_file_read(d->file, LV_HDR, data, data_len,
				"libvirt domain XML")))
		goto out;
	data[data_len] = '\0';
	size_t xml_len = strnlen(data, data_len);
	if (cookie_off && (cookie_off > data_len || cookie_off < xml_len)) {
		err = gc_error_at(GC_ERR_FORMAT, 32, "libvirt save header",
				  "cookieOffset %u is outside the XML data "
				  "(%u bytes, XML of %zu)", cookie_off,
				  data_len, xml_len);
		goto out;
	}
	if (xml_len < 8 || memcmp(data, "<domain", 7)) {
		err = gc_error_at(GC_ERR_FORMAT, LV_HDR, "libvirt domain XML",
				  "does not start with <domain (%zu bytes of "
				  "text)", xml_len);
		goto out;
	}
	uint64_t stream_off = (uint64_t)LV_HDR + data_len;
	FIELD("libvirt_magic", false, 0, "%.16s%s", (const char *)h,
	      partial ? " (the save did not finish)" : "");
	FIELD("libvirt_byte_order", false, 0, "%s",
	      be ? "big-endian" : "little-endian");
	FIELD("libvirt_version", true, version, "%u", version);
	FIELD("libvirt_data_len", true, data_len, "%u", data_len);
	FIELD("libvirt_was_running", true, was_running, "%u", was_running);
	FIELD("libvirt_compressed", true, comp, "%u (%s)", comp,
	      comp < GC_ARRAY_SIZE(lv_formats) ? lv_formats[comp] : "unknown");
	if (version >= 2)
		FIELD("libvirt_cookie_offset", true, cookie_off, "%u", cookie_off);
	FIELD("domain_xml", true, xml_len, "%s", data);
	if (cookie_off && cookie_off < data_len)
		FIELD("libvirt_cookie", true, strnlen(data + cookie_off,
						      data_len - cookie_off),
		      "%s", data + cookie_off);
	if (partial) {
		err = gc_dump_finding(d, GC_SEV_ERROR, "libvirt-partial", true, 0,
				      "magic LibvirtQemudPart: libvirt had not "
				      "finished writing this save image (it "
				      "renames the magic to LibvirtQemudSave "
				      "when the save completes)");
		if (err)
			goto out;
	}
	/* the machine type, for a stream without a configuration section */
	char machine[256];
	xml_machine(data, xml_len, machine, sizeof(machine));
	struct gc_qstream *qs;
	if (comp == 0) {
		err = gc_qstream_open(d, d->file, stream_off, false, machine, &qs);
	} else if (comp == 6) {
		err = gc_error_at(GC_ERR_UNSUPPORTED, 28, "libvirt save header",
				  "format 6 (sparse: QEMU's mapped-ram "
				  "capability) is not read yet");
	} else if (comp < GC_ARRAY_SIZE(lv_formats)) {
		err = gc_qstream_open_compressed(d, stream_off, lv_formats[comp],
						 machine, &qs);
	} else {
		err = gc_error_at(GC_ERR_FORMAT, 28, "libvirt save header",
				  "compression %u is not one libvirt writes "
				  "(0-6)", comp);
	}
	if (err)
		err = gc_error_context(err, "QEMU migration stream at file "
				       "offset 0x%" PRIx64, stream_off);
out:
	free(data);
	return err;
}

const struct gc_format_ops gc_libvirt_save_ops = {
	.format = GC_FORMAT_LIBVIRT_SAVE,
	.open = lv_open,
	GC_QSTREAM_OPS,
};
