// SPDX-License-Identifier: MIT
/*
 * crash's `sys` numbers that are not facts yet: the dump's date
 * (VMCOREINFO CRASHTIME, else the timekeeper's xtime_sec), the uptime
 * (the timekeeper's monotonic clock plus offs_boot), avenrun, the memory
 * size (the nodes' node_present_pages), the possible and online CPUs,
 * cpu_khz and the panicking CPU (panic_cpu) with its current task.
 * Layouts come from the kernel's types; a number that cannot be had is
 * left out with its reason in MISSING.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_internal.h"

static void missing(struct gc_kernel_sys *s, const char *what,
		    struct gc_error *err)
{
	size_t n = strlen(s->missing);
	if (n + 8 < sizeof(s->missing))
		snprintf(s->missing + n, sizeof(s->missing) - n, "%s%s: %s",
			 n ? "; " : "", what, err ? gc_error_string(err) :
			 "unknown");
	gc_error_free(err);
}

static struct gc_error *rd(struct gc_kernel *k, uint64_t va, unsigned int size,
			   uint64_t *out)
{
	uint8_t b[8] = { 0 };
	struct gc_error *err = gc_kernel_read(k, va, b, size);
	if (err)
		return err;
	uint64_t v = 0;
	for (unsigned int i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*out = v;
	return NULL;
}

static struct gc_error *sym(struct gc_kernel *k, const char *name,
			    uint64_t *addr)
{
	struct gc_symbol s;
	struct gc_error *err = gc_kernel_symbol(k, name, &s);
	if (!err)
		*addr = s.addr;
	return err;
}

static struct gc_error *off(const struct gc_types *t, const char *type,
			    const char *path, uint64_t *out)
{
	const char *src;
	return gc_types_offsetof(t, type, path, out, &src);
}

static uint32_t popcount_mask(struct gc_kernel *k, const char *name,
			      uint32_t limit, struct gc_error **err)
{
	uint64_t a, w[16];
	*err = sym(k, name, &a);
	if (!*err)
		*err = gc_kernel_read(k, a, w, sizeof(w));
	if (*err)
		return 0;
	uint32_t n = 0;
	for (uint32_t c = 0; c < 1024 && c < limit; c++)
		n += (uint32_t)(w[c / 64] >> (c % 64) & 1);
	return n;
}

/*
 * tk_core is `static struct { seqcount_raw_spinlock_t seq; struct
 * timekeeper timekeeper; } tk_core` (an anonymous struct, so no type to
 * ask): the timekeeper follows seq at timekeeper's alignment, 8 (it
 * holds u64s).  shadow_timekeeper lags it at most one tick.
 */
static struct gc_error *timekeeper(struct gc_kernel *k,
				   const struct gc_types *t, uint64_t *tk,
				   const char **src)
{
	uint64_t a, seq;
	const char *s;
	struct gc_error *err = sym(k, "tk_core", &a);
	if (err) {
		/* Linux 7.x: tk_core is timekeeper_data[TIMEKEEPER_CORE = 0],
		 * a struct tk_data the types describe */
		uint64_t o;
		struct gc_error *e2 = sym(k, "timekeeper_data", &a);
		if (!e2)
			e2 = off(t, "tk_data", "timekeeper", &o);
		if (!e2) {
			gc_error_free(err);
			*tk = a + o;
			*src = "timekeeper_data[0].timekeeper";
			return NULL;
		}
		gc_error_free(e2);
	}
	if (!err)
		err = gc_types_sizeof(t, "seqcount_raw_spinlock_t", &seq, &s);
	if (err) {
		struct gc_error *e2 = sym(k, "shadow_timekeeper", tk);
		if (e2) {
			gc_error_free(e2);
			return err;
		}
		gc_error_free(err);
		*src = "shadow_timekeeper";
		return NULL;
	}
	*tk = a + ((seq + 7) & ~7ull);
	*src = "tk_core.timekeeper";
	return NULL;
}

/*
 * Uptime as crash computes it: (jiffies_64 - INITIAL_JIFFIES) / HZ, with
 * HZ from tick_nsec (NSEC_PER_SEC / HZ, NTP-adjusted by a few ppm) and
 * INITIAL_JIFFIES = (u32)(-300 * HZ) (include/linux/jiffies.h).  The
 * monotonic clock can run ahead of jiffies by the seconds between
 * timekeeping_init and the first tick (6 s on the Xen dumps), so this
 * replaces it when it can be had.
 */
static void jiffies_uptime(struct gc_kernel *k, const struct gc_types *t,
			   struct gc_kernel_sys *s)
{
	uint64_t a, tick, j, o;
	const char *src = "jiffies_64 (HZ from tick_nsec)";
	struct gc_error *err = sym(k, "tick_nsec", &a);
	if (!err) {
		err = rd(k, a, 8, &tick);
	} else if ((gc_error_free(err), !(err = sym(k, "tk_ntp_data", &a))) &&
		   !(err = off(t, "ntp_data", "tick_length", &o)) &&
		   !(err = rd(k, a + o, 8, &tick))) {
		/* Linux 7.x: no tick_nsec; the core timekeeper's NTP tick
		 * length is nanoseconds a tick in 32.32 fixed point */
		tick >>= 32;
		src = "jiffies_64 (HZ from tk_ntp_data[0].tick_length)";
	}
	if (err || (err = sym(k, "jiffies_64", &a)) || (err = rd(k, a, 8, &j))) {
		gc_error_free(err);
		return;
	}
	if (tick < 100000 || tick > 100000000)   /* HZ 10 .. 10000 */
		return;
	uint64_t hz = (1000000000ull + tick / 2) / tick;
	uint64_t initial = (uint32_t)(-(int64_t)(300 * hz));
	if (j < initial)
		return;
	s->hz = (uint32_t)hz;
	s->has_uptime = true;
	s->uptime_ns = (j - initial) / hz * 1000000000ull +
		       (j - initial) % hz * (1000000000ull / hz);
	s->uptime_source = src;
}

struct gc_error *gc_kernel_sys(struct gc_kernel *k, struct gc_kernel_sys *s)
{
	memset(s, 0, sizeof(*s));
	s->panic_cpu = -1;
	const struct gc_types *t;
	struct gc_error *err = gc_kernel_types(k, &t);
	if (err)
		return gc_error_context(err, "sys: no kernel types");
	uint64_t a, v;

	/* CPUs */
	uint64_t nr_ids = 1024;
	if (!(err = sym(k, "nr_cpu_ids", &a)) && !(err = rd(k, a, 4, &v)))
		nr_ids = v;
	gc_error_free(err);
	s->cpus = popcount_mask(k, "__cpu_possible_mask", (uint32_t)nr_ids,
				&err);
	if (err)
		missing(s, "possible CPUs", err);
	s->cpus_online = popcount_mask(k, "__cpu_online_mask",
				       (uint32_t)nr_ids, &err);
	if (err)
		missing(s, "online CPUs", err);
	if (!(err = sym(k, "cpu_khz", &a)) && !(err = rd(k, a, 4, &v)))
		s->cpu_khz = (uint32_t)v;
	else
		missing(s, "cpu_khz", err);

	/* date and uptime */
	const struct gc_vmcoreinfo *vi = gc_kernel_vmcoreinfo(k);
	const char *ct = vi ? gc_vmcoreinfo_value(vi, "CRASHTIME") : NULL;
	if (ct) {
		char *end;
		long long x = strtoll(ct, &end, 10);
		if (end != ct && !*end) {
			s->has_time = true;
			s->time_sec = x;
			s->time_source = "VMCOREINFO CRASHTIME";
		}
	}
	uint64_t tk, o_sec, o_wsec, o_wnsec, o_nsec, o_shift, o_boot;
	const char *tksrc;
	err = timekeeper(k, t, &tk, &tksrc);
	if (!err && !(err = off(t, "timekeeper", "xtime_sec", &o_sec)) &&
	    !s->has_time && !(err = rd(k, tk + o_sec, 8, &v))) {
		s->has_time = true;
		s->time_sec = (int64_t)v;
		s->time_source = !strcmp(tksrc, "shadow_timekeeper") ?
			"shadow_timekeeper.xtime_sec" :
			!strcmp(tksrc, "tk_core.timekeeper") ?
			"tk_core.timekeeper.xtime_sec" :
			"timekeeper_data[0].timekeeper.xtime_sec";
	}
	if (err) {
		missing(s, "timekeeper (date, uptime)", err);  /* frees err */
		err = NULL;
	} else if (!(err = off(t, "timekeeper", "wall_to_monotonic.tv_sec",
			       &o_wsec)) &&
		   !(err = off(t, "timekeeper", "wall_to_monotonic.tv_nsec",
			       &o_wnsec)) &&
		   !(err = off(t, "timekeeper", "tkr_mono.xtime_nsec",
			       &o_nsec)) &&
		   !(err = off(t, "timekeeper", "tkr_mono.shift", &o_shift)) &&
		   !(err = off(t, "timekeeper", "offs_boot", &o_boot))) {
		uint64_t sec, wsec, wnsec, nsec, shift, boot;
		if (!(err = rd(k, tk + o_sec, 8, &sec)) &&
		    !(err = rd(k, tk + o_wsec, 8, &wsec)) &&
		    !(err = rd(k, tk + o_wnsec, 8, &wnsec)) &&
		    !(err = rd(k, tk + o_nsec, 8, &nsec)) &&
		    !(err = rd(k, tk + o_shift, 4, &shift)) &&
		    !(err = rd(k, tk + o_boot, 8, &boot))) {
			int64_t mono_s = (int64_t)sec + (int64_t)wsec;
			int64_t ns = (int64_t)(shift < 64 ? nsec >> shift : 0) +
				     (int64_t)wnsec + (int64_t)boot;
			int64_t total = mono_s * 1000000000ll + ns;
			if (mono_s < 0 || mono_s > (int64_t)1 << 40 || total < 0) {
				err = gc_error_addr(GC_ERR_CORRUPT,
						    GC_SPACE_KVIRT, tk,
						    "timekeeper", "monotonic "
						    "time %" PRId64 " s is not "
						    "plausible", mono_s);
			} else {
				s->has_uptime = true;
				s->uptime_ns = (uint64_t)total;
				s->uptime_source = !strcmp(tksrc,
					"shadow_timekeeper") ?
					"shadow_timekeeper (monotonic + offs_boot)" :
					!strcmp(tksrc, "tk_core.timekeeper") ?
					"tk_core.timekeeper (monotonic + offs_boot)" :
					"timekeeper_data[0].timekeeper (monotonic + offs_boot)";
			}
		}
	}
	if (err)
		missing(s, "uptime", err);
	jiffies_uptime(k, t, s);

	/* load average: unsigned long avenrun[3] */
	if (!(err = sym(k, "avenrun", &a)) && !(err = rd(k, a, 8, &s->avenrun[0])) &&
	    !(err = rd(k, a + 8, 8, &s->avenrun[1])) &&
	    !(err = rd(k, a + 16, 8, &s->avenrun[2])))
		s->has_load = true;
	else
		missing(s, "load average", err);

	/* memory: the present pages of every node (node_data[] on NUMA
	 * kernels, contig_page_data otherwise) */
	uint64_t o_present;
	if ((err = off(t, "pglist_data", "node_present_pages", &o_present))) {
		missing(s, "memory", err);
	} else if (!(err = sym(k, "node_data", &a))) {
		uint64_t nodes = 1024, total = 0;
		uint64_t nn;
		struct gc_error *e = sym(k, "nr_node_ids", &nn);
		if (!e && !(e = rd(k, nn, 4, &v)) && v > 0 && v <= 1024)
			nodes = v;
		gc_error_free(e);
		for (uint64_t i = 0; i < nodes && !err; i++) {
			uint64_t pg, p;
			if ((err = rd(k, a + 8 * i, 8, &pg)) || !pg)
				continue;
			if (!(err = rd(k, pg + o_present, 8, &p)))
				total += p;
		}
		if (!err) {
			s->has_memory = true;
			s->memory_pages = total;
		} else {
			missing(s, "memory", err);
		}
	} else {
		gc_error_free(err);
		if (!(err = sym(k, "contig_page_data", &a)) &&
		    !(err = rd(k, a + o_present, 8, &s->memory_pages)))
			s->has_memory = true;
		else
			missing(s, "memory", err);
	}
	if (!(err = sym(k, "_totalram_pages", &a)) ||
	    (gc_error_free(err), !(err = sym(k, "totalram_pages", &a)))) {
		if (!(err = rd(k, a, 8, &v)))
			s->totalram_pages = v;
	}
	if (err)
		missing(s, "totalram_pages", err);

	/* panic_cpu: atomic_t, PANIC_CPU_INVALID (-1) until a panic */
	if (!(err = sym(k, "panic_cpu", &a)) && !(err = rd(k, a, 4, &v))) {
		int32_t c = (int32_t)(uint32_t)v;
		if (c >= 0 && (uint64_t)c < nr_ids) {
			s->has_panic_cpu = true;
			s->panic_cpu = c;
			uint32_t pid;
			struct gc_error *e = gc_kernel_cpu_task(
				k, (unsigned int)c, &s->panic_task, &pid);
			if (e) {
				s->panic_task = 0;
				missing(s, "panicking task", e);
			} else {
				s->panic_pid = (int32_t)pid;
			}
		}
	} else {
		missing(s, "panic_cpu", err);
	}
	return NULL;
}
