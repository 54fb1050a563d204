// SPDX-License-Identifier: MIT
/*
 * The kernel log from memory, located through VMCOREINFO:
 *  - the lockless ring buffer (Linux >= 5.10: prb, descriptors + data ring),
 *  - the variable-length record buffer (3.5 - 5.9: log_buf of printk_log),
 *  - the plain character buffer (< 3.5: log_buf, log_end).
 * Every loop is bounded by the ring's own size, so a corrupt ring ends.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "util/vec.h"

#define LOG_BUF_MAX (64u << 20)

/* Where the readers put what they find: dmesg lines (SB) or records. */
struct sink {
	struct gc_strbuf *sb;
	struct gc_log_record *recs;
	size_t nr, cap;
	bool failed;
};

/* What a record says besides its text (level, facility: -1 unknown). */
struct meta {
	uint64_t ts, seq;
	bool has_seq;
	int level, facility;
	bool has_caller;
	uint32_t caller;
};

static void emit_record(struct sink *s, const struct meta *mt,
			const char *text, size_t len)
{
	char *t = malloc(len + 1);
	if (!t) {
		s->failed = true;
		return;
	}
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		t[i] = ((unsigned char)c < 0x20 && c != '\t' && c != '\n') ?
			       '.' : c;
	}
	t[len] = '\0';
	struct gc_log_record r = {
		.ts_nsec = mt->ts, .has_time = true,
		.seq = mt->seq, .has_seq = mt->has_seq,
		.level = mt->level, .facility = mt->facility,
		.has_caller = mt->has_caller, .caller_id = mt->caller,
		.text = t,
	};
	if (!gc_vec_push(&s->recs, &s->nr, &s->cap, &r)) {
		free(t);
		s->failed = true;
	}
}

static void emit(struct sink *s, const struct meta *mt, const char *text,
		 size_t len)
{
	if (!s->sb) {
		emit_record(s, mt, text, len);
		return;
	}
	struct gc_strbuf *sb = s->sb;
	uint64_t ts = mt->ts;
	char prefix[40];
	int pl = snprintf(prefix, sizeof(prefix), "[%5" PRIu64 ".%06" PRIu64
			  "] ", (uint64_t)(ts / 1000000000u),
			  (uint64_t)((ts % 1000000000u) / 1000u));
	if (pl < 0)
		return;
	gc_strbuf_append(sb, prefix, (size_t)pl);
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == '\n') {
			/* Continuation lines are indented under the text. */
			gc_strbuf_append(sb, "\n", 1);
			for (int k = 0; k < pl; k++)
				gc_strbuf_append(sb, " ", 1);
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t')
			c = '.';
		gc_strbuf_append(sb, &c, 1);
	}
	gc_strbuf_append(sb, "\n", 1);
}

static struct gc_error *rd(const struct gc_kmem *m, uint64_t va, void *b,
			   size_t len)
{
	return m->read(m->ctx, va, b, len);
}

static struct gc_error *rd64(const struct gc_kmem *m, uint64_t va,
			     uint64_t *out)
{
	uint8_t b[8];
	struct gc_error *e = rd(m, va, b, 8);
	if (!e)
		*out = gc_get64(b, false);
	return e;
}

static struct gc_error *rd32(const struct gc_kmem *m, uint64_t va,
			     uint32_t *out)
{
	uint8_t b[4];
	struct gc_error *e = rd(m, va, b, 4);
	if (!e)
		*out = gc_get32(b, false);
	return e;
}

/* LEN bytes at VA into a new buffer *OUT (the caller frees it). */
static struct gc_error *rd_alloc(const struct gc_kmem *m, uint64_t va,
				 size_t len, void **out)
{
	void *p = malloc(len);
	if (!p)
		return &gc_error_nomem;
	struct gc_error *e = rd(m, va, p, len);
	if (e) {
		free(p);
		return e;
	}
	*out = p;
	return NULL;
}

static uint64_t off(const struct gc_vmcoreinfo *vi, const char *name,
		    uint64_t dflt)
{
	uint64_t v;
	return gc_vmcoreinfo_offset(vi, name, &v) ? v : dflt;
}

static uint64_t sz(const struct gc_vmcoreinfo *vi, const char *name,
		   uint64_t dflt)
{
	uint64_t v;
	return gc_vmcoreinfo_size(vi, name, &v) ? v : dflt;
}

/* Linux >= 5.10 lockless ring buffer. */
static struct gc_error *read_prb(const struct gc_vmcoreinfo *vi,
				 const struct gc_kmem *m, uint64_t prb_sym,
				 struct sink *sk)
{
	uint64_t rb;
	struct gc_error *e = rd64(m, prb_sym, &rb);
	if (e)
		return gc_error_context(e, "reading prb");
	uint64_t dr = rb + off(vi, "printk_ringbuffer.desc_ring", 0);
	uint64_t tr = rb + off(vi, "printk_ringbuffer.text_data_ring", 48);
	uint8_t b4[4];
	uint64_t descs, infos, tail, head, data;
	if ((e = rd(m, dr + off(vi, "prb_desc_ring.count_bits", 0), b4, 4)))
		return e;
	uint32_t count_bits = gc_get32(b4, false);
	if ((e = rd64(m, dr + off(vi, "prb_desc_ring.descs", 8), &descs)) ||
	    (e = rd64(m, dr + off(vi, "prb_desc_ring.infos", 16), &infos)) ||
	    (e = rd64(m, dr + off(vi, "prb_desc_ring.head_id", 24), &head)) ||
	    (e = rd64(m, dr + off(vi, "prb_desc_ring.tail_id", 32), &tail)))
		return e;
	if ((e = rd(m, tr + off(vi, "prb_data_ring.size_bits", 0), b4, 4)))
		return e;
	uint32_t size_bits = gc_get32(b4, false);
	if ((e = rd64(m, tr + off(vi, "prb_data_ring.data", 8), &data)))
		return e;
	if (count_bits > 24 || size_bits > 28 || size_bits < 4)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, rb,
				     "printk ring buffer",
				     "count_bits %u / size_bits %u are "
				     "implausible", count_bits, size_bits);
	uint64_t dsize = 1ull << size_bits, nd = 1ull << count_bits;
	uint8_t probe;
	if ((e = rd(m, data + dsize - 1, &probe, 1)))
		return gc_error_context(e, "the printk data ring of %" PRIu64
					" bytes", dsize);
	uint8_t *dbuf = malloc(dsize);
	if (!dbuf)
		return &gc_error_nomem;
	e = rd(m, data, dbuf, dsize);
	if (e) {
		free(dbuf);
		return gc_error_context(e, "reading the printk data ring");
	}
	uint64_t sdesc = sz(vi, "prb_desc", 24), sinfo = sz(vi, "printk_info",
							    88);
	uint64_t o_sv = off(vi, "prb_desc.state_var", 0);
	uint64_t o_lpos = off(vi, "prb_desc.text_blk_lpos", 8);
	uint64_t o_beg = off(vi, "prb_data_blk_lpos.begin", 0);
	uint64_t o_next = off(vi, "prb_data_blk_lpos.next", 8);
	uint64_t o_ts = off(vi, "printk_info.ts_nsec", 8);
	uint64_t o_tl = off(vi, "printk_info.text_len", 16);
	uint64_t o_seq = off(vi, "printk_info.seq", 0);
	/* facility and flags:5/level:3 follow text_len (no VMCOREINFO keys) */
	uint64_t o_fac = o_tl + 2;
	uint64_t o_cid;
	bool has_cid = gc_vmcoreinfo_offset(vi, "printk_info.caller_id",
					    &o_cid);
	const uint64_t id_mask = ~(3ull << 62);
	uint64_t id = tail & id_mask;
	for (uint64_t steps = 0; steps <= nd; steps++) {
		uint64_t idx = id & (nd - 1);
		uint8_t dsc[64], inf[128];
		if (sdesc > sizeof(dsc) || sinfo > sizeof(inf) ||
		    o_lpos + 16 > sdesc || o_fac + 2 > sinfo ||
		    o_ts + 8 > sinfo || o_seq + 8 > sinfo ||
		    (has_cid && o_cid + 4 > sinfo)) {
			e = gc_error_new(GC_ERR_CORRUPT, "printk structures",
					 "sizes from VMCOREINFO do not fit");
			break;
		}
		if ((e = rd(m, descs + idx * sdesc, dsc, sdesc)) ||
		    (e = rd(m, infos + idx * sinfo, inf, sinfo)))
			break;
		uint64_t sv = gc_get64(dsc + o_sv, false);
		unsigned state = (unsigned)(sv >> 62);
		/* committed (1) or finalized (2), and for this id. */
		if ((sv & id_mask) == id && (state == 1 || state == 2)) {
			uint64_t beg = gc_get64(dsc + o_lpos + o_beg, false);
			uint64_t next = gc_get64(dsc + o_lpos + o_next, false);
			uint64_t ts = gc_get64(inf + o_ts, false);
			uint16_t tl = gc_get16(inf + o_tl, false);
			const char *txt = "";
			size_t len = 0;
			if (!(beg & 1) && !(next & 1) && next != beg) {
				uint64_t bo = beg & (dsize - 1);
				uint64_t no = next & (dsize - 1);
				bool wraps = (beg >> size_bits) !=
					     (next >> size_bits);
				uint64_t start = wraps ? 0 : bo;
				uint64_t end = no;
				if (end > start + 8) {
					txt = (const char *)dbuf + start + 8;
					len = GC_MIN((size_t)tl,
						     (size_t)(end - start - 8));
				}
			}
			struct meta mt = {
				.ts = ts, .seq = gc_get64(inf + o_seq, false),
				.has_seq = true, .facility = inf[o_fac],
				.level = inf[o_fac + 1] >> 5,
				.has_caller = has_cid,
				.caller = has_cid ? gc_get32(inf + o_cid, false)
						  : 0,
			};
			emit(sk, &mt, txt, len);
		}
		if (id == (head & id_mask))
			break;
		id = (id + 1) & id_mask;
	}
	free(dbuf);
	if (!e && (sk->failed || (sk->sb && sk->sb->failed)))
		e = &gc_error_nomem;
	return e;
}

/* Linux 3.5 - 5.9: struct printk_log records in log_buf. */
static struct gc_error *read_records(const struct gc_vmcoreinfo *vi,
				     const struct gc_kmem *m,
				     struct sink *sk)
{
	uint64_t a_buf, a_len, a_first, a_next;
	if (!gc_vmcoreinfo_symbol(vi, "log_buf", &a_buf) ||
	    !gc_vmcoreinfo_symbol(vi, "log_buf_len", &a_len) ||
	    !gc_vmcoreinfo_symbol(vi, "log_first_idx", &a_first) ||
	    !gc_vmcoreinfo_symbol(vi, "log_next_idx", &a_next))
		return gc_error_new(GC_ERR_NOT_PRESENT, "log_buf",
				    "VMCOREINFO lacks log_buf/log_first_idx");
	uint64_t buf;
	uint32_t len, first, next;
	struct gc_error *e = rd64(m, a_buf, &buf);
	if (e || (e = rd32(m, a_len, &len)) || (e = rd32(m, a_first, &first)) ||
	    (e = rd32(m, a_next, &next)))
		return e;
	if (!len || len > LOG_BUF_MAX || first >= len || next >= len)
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, a_buf,
				     "log_buf", "length %u, first %u, next %u "
				     "are inconsistent", len, first, next);
	void *copy;
	if ((e = rd_alloc(m, buf, len, &copy)))
		return e;
	uint8_t *lb = copy;
	uint64_t hs = sz(vi, "printk_log", sz(vi, "log", 16));
	uint64_t o_ts = off(vi, "printk_log.ts_nsec", off(vi, "log.ts_nsec",
							  0));
	uint64_t o_len = off(vi, "printk_log.len", off(vi, "log.len", 8));
	uint64_t o_tl = off(vi, "printk_log.text_len",
			    off(vi, "log.text_len", 10));
	/* u16 dict_len, u8 facility, u8 flags:5/level:3 after text_len;
	 * caller_id only with CONFIG_PRINTK_CALLER (then in VMCOREINFO) */
	uint64_t o_fac = o_tl + 4, o_cid;
	bool has_cid = gc_vmcoreinfo_offset(vi, "printk_log.caller_id",
					    &o_cid);
	uint32_t idx = first;
	for (uint64_t steps = 0; steps < len / 8 + 2 && idx != next;
	     steps++) {
		if ((uint64_t)idx + hs > len || o_tl + 2 > hs ||
		    o_len + 2 > hs || o_ts + 8 > hs) {
			idx = 0;
			continue;
		}
		const uint8_t *r = lb + idx;
		uint16_t rl = gc_get16(r + o_len, false);
		if (rl == 0) { /* wrap marker */
			idx = 0;
			continue;
		}
		uint16_t tl = gc_get16(r + o_tl, false);
		if (rl < hs || (uint64_t)idx + rl > len)
			break;
		size_t t = GC_MIN((size_t)tl, (size_t)(rl - hs));
		struct meta mt = { .ts = gc_get64(r + o_ts, false),
				   .level = -1, .facility = -1 };
		if (o_fac + 2 <= hs) {
			mt.facility = r[o_fac];
			mt.level = r[o_fac + 1] >> 5;
		}
		if (has_cid && o_cid + 4 <= hs) {
			mt.has_caller = true;
			mt.caller = gc_get32(r + o_cid, false);
		}
		emit(sk, &mt, (const char *)r + hs, t);
		idx += rl;
	}
	free(lb);
	return sk->failed || (sk->sb && sk->sb->failed) ? &gc_error_nomem :
							   NULL;
}

/* Before 3.5: a plain character ring, log_end counts bytes written. */
static struct gc_error *read_plain(const struct gc_vmcoreinfo *vi,
				   const struct gc_kmem *m,
				   struct sink *sk)
{
	uint64_t a_buf, a_len, a_end;
	if (!gc_vmcoreinfo_symbol(vi, "log_buf", &a_buf) ||
	    !gc_vmcoreinfo_symbol(vi, "log_buf_len", &a_len) ||
	    !gc_vmcoreinfo_symbol(vi, "log_end", &a_end))
		return gc_error_new(GC_ERR_NOT_PRESENT, "kernel log",
				    "VMCOREINFO names no known printk "
				    "buffer (prb, log_first_idx, log_end)");
	uint64_t buf;
	uint32_t len, end;
	struct gc_error *e = rd64(m, a_buf, &buf);
	if (e || (e = rd32(m, a_len, &len)) || (e = rd32(m, a_end, &end)))
		return e;
	if (!len || len > LOG_BUF_MAX || (len & (len - 1)))
		return gc_error_addr(GC_ERR_CORRUPT, GC_SPACE_KVIRT, a_buf,
				     "log_buf", "length %u is not a power of "
				     "two", len);
	void *copy;
	if ((e = rd_alloc(m, buf, len, &copy)))
		return e;
	char *lb = copy;
	uint32_t n = end < len ? end : len, start = end - n;
	struct gc_strbuf tmp, *sb = sk->sb ? sk->sb : &tmp;
	if (!sk->sb)
		gc_strbuf_init(&tmp);
	for (uint32_t i = 0; i < n; i++) {
		char c = lb[(start + i) & (len - 1)];
		gc_strbuf_append(sb, &c, 1);
	}
	if (n && lb[(end - 1) & (len - 1)] != '\n')
		gc_strbuf_append(sb, "\n", 1);
	free(lb);
	if (sk->sb)
		return sb->failed ? &gc_error_nomem : NULL;
	/* records: one a line, "<N>" is the level (and facility * 8) */
	char *all = gc_strbuf_steal(&tmp);
	if (!all)
		return &gc_error_nomem;
	for (char *line = all, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');  /* every line ends in one */
		if (!nl)
			break;
		struct meta mt = { .level = -1, .facility = -1 };
		char *t = line;
		if (t[0] == '<' && t[1] >= '0' && t[1] <= '9') {
			char *ep;
			unsigned long pri = strtoul(t + 1, &ep, 10);
			if (*ep == '>' && pri < 1024) {
				mt.level = (int)(pri & 7);
				mt.facility = (int)(pri >> 3);
				t = ep + 1;
			}
		}
		emit_record(sk, &mt, t, (size_t)(nl - t));
		if (sk->failed)
			break;
		sk->recs[sk->nr - 1].has_time = false;
		if (!nl[1])
			break;
	}
	free(all);
	return sk->failed ? &gc_error_nomem : NULL;
}

static struct gc_error *read_any(const struct gc_vmcoreinfo *vi,
				 const struct gc_kmem *m, struct sink *sk,
				 const char **source)
{
	uint64_t prb;
	if (gc_vmcoreinfo_symbol(vi, "prb", &prb)) {
		*source = "lockless ring buffer (prb, Linux >= 5.10)";
		return read_prb(vi, m, prb, sk);
	}
	uint64_t tmp;
	if (gc_vmcoreinfo_symbol(vi, "log_first_idx", &tmp)) {
		*source = "printk_log records (Linux 3.5 - 5.9)";
		return read_records(vi, m, sk);
	}
	*source = "plain log_buf (Linux < 3.5)";
	return read_plain(vi, m, sk);
}

struct gc_error *gc_printk_read(const struct gc_vmcoreinfo *vi,
				const struct gc_kmem *m, struct gc_strbuf *sb,
				const char **source)
{
	struct sink sk = { .sb = sb };
	return read_any(vi, m, &sk, source);
}

void gc_log_records_free(struct gc_log_record *recs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(recs[i].text);
	free(recs);
}

struct gc_error *gc_printk_records(const struct gc_vmcoreinfo *vi,
				   const struct gc_kmem *m,
				   struct gc_log_record **recs, size_t *nr,
				   const char **source)
{
	struct sink sk = { 0 };
	struct gc_error *err = read_any(vi, m, &sk, source);
	if (!err && sk.failed)
		err = &gc_error_nomem;
	if (err) {
		gc_log_records_free(sk.recs, sk.nr);
		*recs = NULL;
		*nr = 0;
		return err;
	}
	*recs = sk.recs;
	*nr = sk.nr;
	return NULL;
}
