// SPDX-License-Identifier: MIT
/* The bounded buffer ring between a decoder thread and the stream walk
 * (src/lib/util/ring.h): order, lengths, headroom, end and cancel. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "util/cache.h"
#include "util/ring.h"

TEST(ring_order_and_end)
{
	struct gc_ring *r = gc_ring_new(3, 16, 4);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ_U64(gc_ring_bufsize(r), 16);
	CHECK_EQ_U64(gc_ring_headroom(r), 4);
	uint8_t *b[3];
	for (int i = 0; i < 3; i++) {
		b[i] = gc_ring_take_empty(r);
		CHECK(b[i] != NULL);
		memset(b[i], 'a' + i, 16);
	}
	gc_ring_put(r, b[1], 7);
	gc_ring_put(r, b[0], 16);
	gc_ring_put(r, b[2], 0);     /* unused: back to the empty ones */
	gc_ring_close(r);
	uint8_t *p;
	size_t n;
	CHECK(gc_ring_next(r, &p, &n));
	CHECK(p == b[1]);
	CHECK_EQ_U64(n, 7);
	memcpy(p - 4, "head", 4);    /* the headroom is the consumer's */
	CHECK(!memcmp(p - 4, "headbbbbbbb", 11));
	gc_ring_give_back(r, p);
	CHECK(gc_ring_next(r, &p, &n));
	CHECK(p == b[0]);
	CHECK_EQ_U64(n, 16);
	CHECK(p[15] == 'a');
	gc_ring_give_back(r, p);
	CHECK(!gc_ring_next(r, &p, &n));   /* closed and drained */
	gc_ring_free(r);
	CHECK(gc_ring_new(0, 16, 0) == NULL);
}

struct prod {
	struct gc_ring *r;
	uint64_t total;    /* bytes to write: byte i is (uint8_t)(i * 7) */
	uint64_t written;
	bool stopped;      /* take_empty returned NULL */
};

static void *producer(void *arg)
{
	struct prod *p = arg;
	size_t cap = gc_ring_bufsize(p->r);
	while (p->written < p->total) {
		uint8_t *b = gc_ring_take_empty(p->r);
		if (!b) {
			p->stopped = true;
			break;
		}
		size_t n = 0;
		/* uneven lengths: a short buffer now and then */
		size_t want = (p->written / cap) % 5 == 3 ? cap / 3 : cap;
		while (n < want && p->written < p->total)
			b[n++] = (uint8_t)(p->written++ * 7);
		gc_ring_put(p->r, b, n);
	}
	gc_ring_close(p->r);
	return NULL;
}

TEST(ring_threads_every_byte_in_order)
{
	struct gc_ring *r = gc_ring_new(4, 1000, 16);
	CHECK(r != NULL);
	if (!r)
		return;
	struct prod p = { .r = r, .total = 1234567 };
	pthread_t t;
	CHECK(pthread_create(&t, NULL, producer, &p) == 0);
	uint64_t seen = 0, bad = 0, bufs = 0;
	uint8_t *b;
	size_t n;
	while (gc_ring_next(r, &b, &n)) {
		for (size_t i = 0; i < n; i++, seen++)
			if (b[i] != (uint8_t)(seen * 7))
				bad++;
		bufs++;
		gc_ring_give_back(r, b);
	}
	pthread_join(t, NULL);
	CHECK_EQ_U64(seen, 1234567);
	CHECK_EQ_U64(bad, 0);
	CHECK(bufs > 1234);          /* short buffers were put too */
	CHECK(!p.stopped);
	gc_ring_free(r);
}

TEST(ring_cancel_stops_a_blocked_producer)
{
	struct gc_ring *r = gc_ring_new(2, 64, 0);
	CHECK(r != NULL);
	if (!r)
		return;
	struct prod p = { .r = r, .total = 1u << 30 };
	pthread_t t;
	CHECK(pthread_create(&t, NULL, producer, &p) == 0);
	uint8_t *b;
	size_t n;
	CHECK(gc_ring_next(r, &b, &n));    /* one taken, never given back */
	gc_ring_cancel(r);
	pthread_join(t, NULL);               /* returns: the take saw NULL */
	CHECK(p.stopped);
	CHECK(p.written < p.total);
	CHECK(!gc_ring_next(r, &b, &n));    /* cancelled: nothing more */
	gc_ring_free(r);
}

TEST_MAIN()

/* A buffer given back is dropped from the consumer's caches where the CPU
 * can (x86-64 CLFLUSHOPT, as /proc/cpuinfo lists it): its bytes are the
 * same afterwards, and GUESTCORE_NO_CACHE_DROP=1 turns it off. */
TEST(ring_drops_caches_keeps_bytes)
{
	bool listed = false;
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " clflushopt"))
			listed = true;
	if (f)
		fclose(f);
#if !defined(__x86_64__)
	listed = false;
#endif
	CHECK(gc_cache_can_drop() == listed);
	uint8_t buf[300];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7);
	gc_cache_drop(buf + 3, 250);
	bool same = true;
	for (size_t i = 0; i < sizeof(buf); i++)
		same &= buf[i] == (uint8_t)(i * 7);
	CHECK(same);

	struct gc_ring *r = gc_ring_new(2, 4096, 64);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK(gc_ring_drops_caches(r) == listed);
	uint8_t *b = gc_ring_take_empty(r);
	memset(b - 64, 0x5a, 64 + 4096);
	gc_ring_put(r, b, 4096);
	uint8_t *p;
	size_t n;
	CHECK(gc_ring_next(r, &p, &n) && p == b && n == 4096);
	gc_ring_give_back(r, p);
	uint8_t *again = gc_ring_take_empty(r);
	CHECK(again == b);   /* the empties are a stack */
	size_t odd = 0;
	for (size_t i = 0; i < 64 + 4096; i++)
		odd += b[(ptrdiff_t)i - 64] != 0x5a;
	CHECK_EQ_U64(odd, 0);
	gc_ring_free(r);

	setenv("GUESTCORE_NO_CACHE_DROP", "1", 1);
	r = gc_ring_new(2, 4096, 64);
	CHECK(r && !gc_ring_drops_caches(r));
	gc_ring_free(r);
	unsetenv("GUESTCORE_NO_CACHE_DROP");
}
