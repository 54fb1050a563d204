// SPDX-License-Identifier: MIT
/*
 * _guestcore: the CPython extension over libguestcore (docs/python.md).
 *
 * Objects: Dump (gc_dump), Kernel (gc_kernel), Guest (gc_guest).  Every
 * gc_error becomes an exception of the guestcore.Error hierarchy carrying
 * the error's code, file, offset, address, space, what, why and context.
 *
 * Threads: the library allows one object (and what was opened from it)
 * to be used by one thread at a time.  A dump, its kernels, its guests
 * and their dumps share one lock (struct gcpy_lock); every library call
 * runs with the GIL released and that lock held, so Python threads may
 * share objects and other threads run during long reads and writes.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "guestcore/guestcore.h"

/* Largest single read: a hostile length must not size an allocation. */
#define GCPY_READ_MAX ((size_t)1 << 30)

/* ---- the lock shared by everything opened from one dump ----------------- */

struct gcpy_lock {
	PyThread_type_lock lock;
	Py_ssize_t refs;  /* changed with the GIL held */
	/* The thread running a progress callback while the lock is held
	 * (0: none): a call from it on the same objects would wait for
	 * itself, so it raises instead. */
	unsigned long callback_thread;
};

static struct gcpy_lock *lock_new(void)
{
	struct gcpy_lock *l = PyMem_Calloc(1, sizeof(*l));
	if (!l)
		return (struct gcpy_lock *)PyErr_NoMemory();
	l->lock = PyThread_allocate_lock();
	if (!l->lock) {
		PyMem_Free(l);
		PyErr_SetString(PyExc_MemoryError, "cannot allocate a lock");
		return NULL;
	}
	l->refs = 1;
	return l;
}

static struct gcpy_lock *lock_get(struct gcpy_lock *l)
{
	l->refs++;
	return l;
}

static void lock_put(struct gcpy_lock *l)
{
	if (l && --l->refs == 0) {
		PyThread_free_lock(l->lock);
		PyMem_Free(l);
	}
}

/* Run STMT without the GIL, holding LK. */
#define NOGIL(lk, stmt)                                              \
	do {                                                         \
		Py_BEGIN_ALLOW_THREADS                               \
		PyThread_acquire_lock((lk)->lock, WAIT_LOCK);        \
		stmt;                                                \
		PyThread_release_lock((lk)->lock);                   \
		Py_END_ALLOW_THREADS                                 \
	} while (0)

/* ---- exceptions --------------------------------------------------------- */

static PyObject *Error, *FileError, *FormatError, *TruncatedError,
	*CorruptError, *NotPresentError, *ExcludedError, *InvalidArgumentError,
	*UnsupportedError, *TranslationError, *CancelledError;

static const char *code_name(enum gc_error_code c)
{
	switch (c) {
	case GC_ERR_NOMEM: return "nomem";
	case GC_ERR_IO: return "io";
	case GC_ERR_FORMAT: return "format";
	case GC_ERR_TRUNCATED: return "truncated";
	case GC_ERR_NOT_PRESENT: return "not_present";
	case GC_ERR_EXCLUDED: return "excluded";
	case GC_ERR_INVALID_ARG: return "invalid_arg";
	case GC_ERR_UNSUPPORTED: return "unsupported";
	case GC_ERR_TRANSLATION: return "translation";
	case GC_ERR_CORRUPT: return "corrupt";
	case GC_ERR_CANCELLED: return "cancelled";
	}
	return "unknown";
}

static PyObject *code_class(enum gc_error_code c)
{
	switch (c) {
	case GC_ERR_IO: return FileError;
	case GC_ERR_FORMAT: return FormatError;
	case GC_ERR_TRUNCATED: return TruncatedError;
	case GC_ERR_CORRUPT: return CorruptError;
	case GC_ERR_NOT_PRESENT: return NotPresentError;
	case GC_ERR_EXCLUDED: return ExcludedError;
	case GC_ERR_INVALID_ARG: return InvalidArgumentError;
	case GC_ERR_UNSUPPORTED: return UnsupportedError;
	case GC_ERR_TRANSLATION: return TranslationError;
	case GC_ERR_CANCELLED: return CancelledError;
	default: return Error;
	}
}

static PyObject *str_or_none(const char *s)
{
	if (!s)
		Py_RETURN_NONE;
	return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static int set_attr(PyObject *o, const char *name, PyObject *v)
{
	if (!v)
		return -1;
	int r = PyObject_SetAttrString(o, name, v);
	Py_DECREF(v);
	return r;
}

/* Raise ERR as a guestcore exception (FILE attached when it has none);
 * frees ERR; returns NULL. */
static PyObject *raise_gc(struct gc_error *err, const char *file)
{
	if (err == &gc_error_nomem)
		return PyErr_NoMemory();
	if (file)
		err = gc_error_set_file(err, file);
	enum gc_error_code code = gc_error_code(err);
	PyObject *cls = code_class(code);
	PyObject *inst = PyObject_CallFunction(cls, "N",
					       str_or_none(gc_error_string(err)));
	if (!inst)
		goto out;
	uint64_t off, addr;
	enum gc_space sp;
	bool has_off = gc_error_offset(err, &off);
	bool has_addr = gc_error_address(err, &addr, &sp);
	if (set_attr(inst, "code", PyLong_FromLong(code)) ||
	    set_attr(inst, "code_name", PyUnicode_FromString(code_name(code))) ||
	    set_attr(inst, "file", str_or_none(gc_error_file(err))) ||
	    set_attr(inst, "offset", has_off ? PyLong_FromUnsignedLongLong(off)
					     : Py_NewRef(Py_None)) ||
	    set_attr(inst, "address", has_addr ?
			    PyLong_FromUnsignedLongLong(addr) :
			    Py_NewRef(Py_None)) ||
	    set_attr(inst, "space", has_addr ? str_or_none(gc_space_name(sp)) :
					       Py_NewRef(Py_None)) ||
	    set_attr(inst, "what", str_or_none(gc_error_what(err))) ||
	    set_attr(inst, "why", str_or_none(gc_error_why(err))) ||
	    set_attr(inst, "context",
		     str_or_none(gc_error_context_string(err)))) {
		Py_DECREF(inst);
		goto out;
	}
	PyErr_SetObject(cls, inst);
	Py_DECREF(inst);
out:
	gc_error_free(err);
	return NULL;
}

/* ---- argument helpers ----------------------------------------------------- */

/* "phys", "mach", "kvirt" (or the enum's number). */
static int parse_space(PyObject *o, enum gc_space *out)
{
	if (PyLong_Check(o)) {
		long v = PyLong_AsLong(o);
		if (v >= GC_SPACE_PHYS && v <= GC_SPACE_KVIRT) {
			*out = (enum gc_space)v;
			return 1;
		}
	} else if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		if (!s)
			return 0;
		if (!strcmp(s, "phys") || !strcmp(s, "physical")) {
			*out = GC_SPACE_PHYS;
			return 1;
		}
		if (!strcmp(s, "mach") || !strcmp(s, "machine")) {
			*out = GC_SPACE_MACH;
			return 1;
		}
		if (!strcmp(s, "kvirt") || !strcmp(s, "virtual") ||
		    !strcmp(s, "kernel virtual")) {
			*out = GC_SPACE_KVIRT;
			return 1;
		}
	}
	PyErr_Format(PyExc_ValueError,
		     "space must be 'phys', 'mach' or 'kvirt' (or the names errors use: 'physical', 'machine', 'kernel virtual'), not %R", o);
	return 0;
}

static int parse_u64(PyObject *o, uint64_t *out)
{
	if (!PyLong_Check(o)) {
		PyErr_Format(PyExc_TypeError, "an address must be an int, not %s",
			     Py_TYPE(o)->tp_name);
		return 0;
	}
	unsigned long long v = PyLong_AsUnsignedLongLong(o);
	if (v == (unsigned long long)-1 && PyErr_Occurred()) {
		PyErr_Clear();
		PyErr_Format(PyExc_OverflowError,
			     "%R is not a 64-bit unsigned address", o);
		return 0;
	}
	*out = v;
	return 1;
}

static int parse_size(Py_ssize_t n, size_t *out)
{
	if (n < 0 || (size_t)n > GCPY_READ_MAX) {
		PyErr_Format(PyExc_ValueError,
			     "size %zd is outside 0..%zu", n, GCPY_READ_MAX);
		return 0;
	}
	*out = (size_t)n;
	return 1;
}

static PyObject *u64(uint64_t v)
{
	return PyLong_FromUnsignedLongLong(v);
}

/* dict[KEY] = V (V's reference is taken); -1 on error. */
static int dset(PyObject *d, const char *key, PyObject *v)
{
	if (!v)
		return -1;
	int r = PyDict_SetItemString(d, key, v);
	Py_DECREF(v);
	return r;
}

static PyObject *vcpu_dict(const struct gc_vcpu *v)
{
	PyObject *d = PyDict_New(), *regs = PyDict_New();
	if (!d || !regs)
		goto fail;
	unsigned int n = gc_arch_nr_regs(v->arch);
	for (unsigned int i = 0; i < n && i < GC_VCPU_MAX_REGS; i++) {
		uint64_t val;
		const char *name = gc_arch_reg_name(v->arch, i);
		if (name && gc_vcpu_get_reg(v, i, &val) &&
		    dset(regs, name, u64(val)))
			goto fail;
	}
	if (dset(d, "id", PyLong_FromUnsignedLong(v->id)) ||
	    dset(d, "arch", PyUnicode_FromString(gc_arch_name(v->arch))) ||
	    dset(d, "width", PyLong_FromLong(v->is_32bit ? 32 : 64)) ||
	    dset(d, "source", str_or_none(v->source)) ||
	    dset(d, "pid", v->has_pid ? PyLong_FromUnsignedLong(v->pid) :
					Py_NewRef(Py_None)) ||
	    dset(d, "xen_flags", v->has_xen_flags ? u64(v->xen_flags) :
						    Py_NewRef(Py_None)) ||
	    dset(d, "pgd", v->pgd_space != GC_SPACE_NONE ? u64(v->pgd_addr) :
							   Py_NewRef(Py_None)) ||
	    dset(d, "pgd_space", v->pgd_space != GC_SPACE_NONE ?
			str_or_none(gc_space_name(v->pgd_space)) :
			Py_NewRef(Py_None)) ||
	    dset(d, "regs", Py_NewRef(regs)))
		goto fail;
	Py_DECREF(regs);
	return d;
fail:
	Py_XDECREF(d);
	Py_XDECREF(regs);
	return NULL;
}

static PyObject *report_list(const struct gc_report *rep)
{
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && rep && i < gc_report_count(rep); i++) {
		const struct gc_finding *f = gc_report_finding(rep, i);
		PyObject *d = PyDict_New();
		if (!d || dset(d, "severity",
			       PyUnicode_FromString(gc_severity_name(f->severity))) ||
		    dset(d, "code", str_or_none(f->code)) ||
		    dset(d, "message", str_or_none(f->message)) ||
		    dset(d, "offset", f->has_offset ? u64(f->offset) :
						      Py_NewRef(Py_None)) ||
		    PyList_Append(l, d)) {
			Py_XDECREF(d);
			Py_CLEAR(l);
			break;
		}
		Py_DECREF(d);
	}
	return l;
}

/* ---- progress callbacks: Ctrl-C and exceptions stop the work ------------- */

struct progress_ctx {
	PyObject *callback;             /* may be NULL */
	struct gcpy_lock *lk;           /* held during the work */
	volatile sig_atomic_t cancel;
	/* the exception that stopped it (PyErr_Fetch: Python 3.11) */
	PyObject *exc, *exc_value, *exc_tb;
	double last;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Called by the writers without the GIL. */
static void progress_cb(void *arg, uint64_t done, uint64_t total)
{
	struct progress_ctx *c = arg;
	if (c->cancel)
		return;
	double t = now();
	if (done != total && t - c->last < 0.05)
		return;
	c->last = t;
	PyGILState_STATE st = PyGILState_Ensure();
	if (PyErr_CheckSignals() < 0) {
		PyErr_Fetch(&c->exc, &c->exc_value, &c->exc_tb);
		c->cancel = 1;
	} else if (c->callback) {
		c->lk->callback_thread = PyThread_get_thread_ident();
		PyObject *r = PyObject_CallFunction(c->callback, "KK",
						    (unsigned long long)done,
						    (unsigned long long)total);
		c->lk->callback_thread = 0;
		if (!r) {
			PyErr_Fetch(&c->exc, &c->exc_value, &c->exc_tb);
			c->cancel = 1;
		}
		Py_XDECREF(r);
	}
	PyGILState_Release(st);
}

/* After the work: the callback's exception wins over the library's
 * CANCELLED error.  Returns NULL with an exception set, or Py_None. */
static PyObject *progress_finish(struct progress_ctx *c, struct gc_error *err,
				 const char *file)
{
	if (c->exc) {
		gc_error_free(err);
		PyErr_Restore(c->exc, c->exc_value, c->exc_tb);
		c->exc = c->exc_value = c->exc_tb = NULL;
		return NULL;
	}
	if (err)
		return raise_gc(err, file);
	Py_RETURN_NONE;
}

static int parse_out_format(const char *s, enum gc_out_format *out)
{
	if (!s || !strcmp(s, "elf")) {
		*out = GC_OUT_ELF;
		return 1;
	}
	if (!strcmp(s, "kdump")) {
		*out = GC_OUT_KDUMP;
		return 1;
	}
	PyErr_Format(PyExc_ValueError, "format is 'elf' or 'kdump', not '%s'",
		     s);
	return 0;
}

static int parse_codec(const char *s, enum gc_out_codec *out)
{
	if (!s) {
		*out = GC_OUT_CODEC_ZSTD;
		return 1;
	}
	if (gc_out_codec_parse(s, out))
		return 1;
	PyErr_Format(PyExc_ValueError,
		     "codec is zstd, zlib, lzo, snappy or none, not '%s'", s);
	return 0;
}

static PyObject *convert_stats_dict(const struct gc_convert_stats *s)
{
	PyObject *d = PyDict_New();
	if (!d || dset(d, "pages_total", u64(s->pages_total)) ||
	    dset(d, "pages_written", u64(s->pages_written)) ||
	    dset(d, "pages_excluded", u64(s->pages_excluded)) ||
	    dset(d, "pages_missing", u64(s->pages_missing)) ||
	    dset(d, "pages_missing_zeroed", u64(s->pages_missing_zeroed)) ||
	    dset(d, "segments", u64(s->segments)) ||
	    dset(d, "output_bytes", u64(s->out_bytes)) ||
	    dset(d, "nr_vcpus", PyLong_FromUnsignedLong(s->nr_vcpus)) ||
	    dset(d, "xen_pv", PyBool_FromLong(s->xen_pv)) ||
	    dset(d, "pt_pages", u64(s->pt_pages)) ||
	    dset(d, "pt_entries", u64(s->pt_entries)) ||
	    dset(d, "vmcoreinfo", PyBool_FromLong(s->has_vmcoreinfo)) ||
	    dset(d, "one_pass", PyBool_FromLong(s->one_pass)) ||
	    dset(d, "piped", PyBool_FromLong(s->piped))) {
		Py_XDECREF(d);
		return NULL;
	}
	return d;
}

static int verify_into(PyObject *d, const struct gc_verify_stats *vs)
{
	PyObject *v = PyDict_New();
	if (!v || dset(v, "pages_compared", u64(vs->compared)) ||
	    dset(v, "pages_differ", u64(vs->mismatches)) ||
	    dset(v, "missing", u64(vs->missing)) ||
	    dset(v, "extra", u64(vs->extra)) ||
	    dset(v, "ok", PyBool_FromLong(!vs->mismatches && !vs->extra))) {
		Py_XDECREF(v);
		return -1;
	}
	return dset(d, "verify", v);
}

/* ---- types ---------------------------------------------------------------- */

static PyTypeObject DumpType, KernelType, GuestType, QemuCoreType;

/* A QEMU process core (guestcore.open_qemu_core): the source of one
 * "qemu" Guest per RAM map asked for. */
typedef struct {
	PyObject_HEAD
	struct gc_qemu_core *core;
	char *path;            /* for errors */
	struct gcpy_lock *lk;
	bool closed;           /* close() was called */
	Py_ssize_t users;      /* Guests opened from it */
} QemuCoreObject;

typedef struct {
	PyObject_HEAD
	struct gc_dump *d;
	bool owned;            /* closed with the object */
	PyObject *owner;       /* a Guest whose dump this is, or NULL */
	struct gcpy_lock *lk;
	PyObject *kernel;      /* the default Kernel, opened on first use */
	char *path;            /* for errors */
	bool closed;           /* close() was called */
	Py_ssize_t users;      /* Kernels (and Guests) opened from it */
} DumpObject;

typedef struct {
	PyObject_HEAD
	struct gc_kernel *k;
	DumpObject *dump;
	struct gcpy_lock *lk;
	bool facts_collected;
} KernelObject;

typedef struct {
	PyObject_HEAD
	struct gc_guest *g;
	DumpObject *host;      /* keeps the host dump open */
	PyObject *db;          /* capsule: the VMCS layouts (vmx) */
	PyObject *kernel;      /* kvm: the host's Kernel the guest reads through */
	uint64_t *vmcs;
	size_t nr_vmcs;
	uint64_t eptp;
	struct gcpy_lock *lk;
	PyObject *dump;        /* its Dump object, on first use */
	bool closed;
	/* qemu: the process core (instead of HOST, which is then NULL) and
	 * the RAM map the guest was opened with (owned) */
	QemuCoreObject *qcore;
	struct gc_qemu_ram_map *map;
} GuestObject;

static int dump_usable(DumpObject *self)
{
	if (self->closed || !self->d) {
		PyErr_SetString(PyExc_ValueError, "the dump is closed");
		return 0;
	}
	if (self->lk->callback_thread &&
	    self->lk->callback_thread == PyThread_get_thread_ident()) {
		PyErr_SetString(PyExc_RuntimeError,
				"a progress callback cannot use the dump being "
				"converted or extracted (or anything opened "
				"from it)");
		return 0;
	}
	if (self->owner && ((GuestObject *)self->owner)->closed) {
		PyErr_SetString(PyExc_ValueError, "the guest is closed");
		return 0;
	}
	if (self->owner && ((GuestObject *)self->owner)->qcore &&
	    ((GuestObject *)self->owner)->qcore->closed) {
		PyErr_SetString(PyExc_ValueError, "the QEMU process core is closed");
		return 0;
	}
	return 1;
}

static DumpObject *dump_wrap(struct gc_dump *d, bool owned, PyObject *owner,
			     struct gcpy_lock *lk)
{
	DumpObject *o = PyObject_GC_New(DumpObject, &DumpType);
	if (!o) {
		if (owned)
			gc_dump_close(d);
		return NULL;
	}
	o->d = d;
	o->owned = owned;
	o->owner = Py_XNewRef(owner);
	o->lk = lk ? lock_get(lk) : NULL;
	o->kernel = NULL;
	o->closed = false;
	o->users = 0;
	const char *p = gc_dump_path(d);
	o->path = p ? PyMem_Malloc(strlen(p) + 1) : NULL;
	if (o->path)
		strcpy(o->path, p);
	PyObject_GC_Track(o);
	return o;
}

/* guestcore.open(path, split_files=None, page_size=0, readahead=True) */
static PyObject *mod_open(PyObject *mod, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "split_files", "page_size",
				  "readahead", NULL };
	PyObject *path_o, *split = Py_None;
	unsigned int page_size = 0;
	int readahead = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|OIp", kwlist,
					 PyUnicode_FSConverter, &path_o, &split,
					 &page_size, &readahead))
		return NULL;
	const char **parts = NULL;
	PyObject *seq = NULL, *conv = NULL;
	if (split != Py_None) {
		seq = PySequence_Fast(split, "split_files must be a sequence");
		if (!seq)
			goto fail;
		Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
		parts = PyMem_Calloc((size_t)n + 1, sizeof(*parts));
		conv = PyList_New(0);
		if (!parts || !conv)
			goto fail;
		for (Py_ssize_t i = 0; i < n; i++) {
			PyObject *b;
			if (!PyUnicode_FSConverter(
				    PySequence_Fast_GET_ITEM(seq, i), &b))
				goto fail;
			PyList_Append(conv, b);
			Py_DECREF(b);
			parts[i] = PyBytes_AS_STRING(b);
		}
	}
	struct gc_open_opts opts = { .page_size = page_size,
				     .split_files = parts,
				     .no_readahead = !readahead };
	const char *path = PyBytes_AS_STRING(path_o);
	struct gc_dump *d = NULL;
	struct gc_error *err;
	Py_BEGIN_ALLOW_THREADS
	err = gc_dump_open(path, &opts, &d);
	/* Legacy PV xc_core has no pfn column: read by pfn through the
	 * physical view rebuilt from the guest's p2m (as the CLI does). */
	if (!err && gc_dump_needs_p2m(d)) {
		struct gc_dump *view;
		struct gc_error *verr = gc_kernel_phys_view(d, NULL, &view);
		if (!verr)
			d = view;
		gc_error_free(verr);
	}
	Py_END_ALLOW_THREADS
	PyMem_Free(parts);
	Py_XDECREF(seq);
	Py_XDECREF(conv);
	if (err) {
		PyObject *r = raise_gc(err, path);
		Py_DECREF(path_o);
		return r;
	}
	Py_DECREF(path_o);
	struct gcpy_lock *lk = lock_new();
	if (!lk) {
		gc_dump_close(d);
		return NULL;
	}
	DumpObject *o = dump_wrap(d, true, NULL, lk);
	lock_put(lk);
	return (PyObject *)o;
fail:
	PyMem_Free(parts);
	Py_XDECREF(seq);
	Py_XDECREF(conv);
	Py_DECREF(path_o);
	return NULL;
}

/*
 * Lifetimes.  A Kernel or Guest holds a reference to the Dump it was
 * opened from and counts as one of its USERS; the library objects are
 * freed child first.  close() marks the dump closed (every later call
 * raises ValueError) and frees the library dump at once when nothing
 * opened from it is alive, else when the last of those goes.  The default
 * kernel cached in the dump and the dump form a cycle the garbage
 * collector breaks through Dump's tp_clear (which drops the kernel, never
 * the dump a kernel needs).
 */
static void dump_free_now(DumpObject *self)
{
	if (self->d && self->owned)
		gc_dump_close(self->d);
	self->d = NULL;
}

static void dump_use(DumpObject *self)
{
	self->users++;
}

static void dump_unuse(DumpObject *self)
{
	if (--self->users == 0 && self->closed)
		dump_free_now(self);
}

static int Dump_traverse(DumpObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->kernel);
	Py_VISIT(self->owner);
	return 0;
}

static int Dump_clear(DumpObject *self)
{
	Py_CLEAR(self->kernel);
	return 0;
}

static void Dump_dealloc(DumpObject *self)
{
	PyObject_GC_UnTrack(self);
	Py_CLEAR(self->kernel);
	dump_free_now(self);
	Py_CLEAR(self->owner);
	lock_put(self->lk);
	PyMem_Free(self->path);
	PyObject_GC_Del(self);
}

static PyObject *Dump_close(DumpObject *self, PyObject *unused)
{
	self->closed = true;
	Py_CLEAR(self->kernel);
	if (self->users == 0)
		dump_free_now(self);
	Py_RETURN_NONE;
}

static PyObject *Dump_enter(DumpObject *self, PyObject *unused)
{
	return Py_NewRef(self);
}

static PyObject *Dump_exit(DumpObject *self, PyObject *args)
{
	return Dump_close(self, NULL);
}

#define DUMP_CHECK(self)                 \
	do {                             \
		if (!dump_usable(self))  \
			return NULL;     \
	} while (0)

static PyObject *Dump_get_path(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return str_or_none(gc_dump_path(self->d));
}

static PyObject *Dump_get_format(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return str_or_none(gc_format_name(gc_dump_format(self->d)));
}

static PyObject *Dump_get_container(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return str_or_none(gc_dump_container(self->d));
}

static PyObject *Dump_get_page_size(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return PyLong_FromUnsignedLong(gc_dump_page_size(self->d));
}

static PyObject *Dump_get_file_size(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return u64(gc_dump_file_size(self->d));
}

static PyObject *Dump_get_nr_vcpus(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return PyLong_FromUnsignedLong(gc_dump_nr_vcpus(self->d));
}

static PyObject *Dump_get_nr_frames(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return u64(gc_dump_nr_frames(self->d));
}

static PyObject *Dump_get_has_mach(DumpObject *self, void *c)
{
	DUMP_CHECK(self);
	return PyBool_FromLong(gc_dump_has_space(self->d, GC_SPACE_MACH));
}

static PyObject *Dump_get_closed(DumpObject *self, void *c)
{
	return PyBool_FromLong(self->closed || self->d == NULL);
}

static PyObject *Dump_fields(DumpObject *self, PyObject *unused)
{
	DUMP_CHECK(self);
	PyObject *l = PyList_New(0);
	size_t n = gc_dump_nr_fields(self->d);
	for (size_t i = 0; l && i < n; i++) {
		const struct gc_field *f = gc_dump_field(self->d, i);
		PyObject *t = Py_BuildValue(
			"(NNN)", str_or_none(f->name), str_or_none(f->value),
			f->has_number ? u64(f->number) : Py_NewRef(Py_None));
		if (!t || PyList_Append(l, t))
			Py_CLEAR(l);
		Py_XDECREF(t);
	}
	return l;
}

static PyObject *Dump_frame_runs(DumpObject *self, PyObject *args,
				 PyObject *kw)
{
	static char *kwlist[] = { "space", NULL };
	PyObject *sp_o = NULL;
	enum gc_space sp = GC_SPACE_PHYS;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|O", kwlist, &sp_o))
		return NULL;
	DUMP_CHECK(self);
	if (sp_o && !parse_space(sp_o, &sp))
		return NULL;
	struct gc_frame_run *runs = NULL;
	size_t nr = 0;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_dump_frame_runs(self->d, sp, &runs, &nr));
	if (err)
		return raise_gc(err, self->path);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < nr; i++) {
		PyObject *t = Py_BuildValue("(KK)",
					    (unsigned long long)runs[i].start,
					    (unsigned long long)runs[i].count);
		if (!t || PyList_Append(l, t))
			Py_CLEAR(l);
		Py_XDECREF(t);
	}
	free(runs);
	return l;
}

static PyObject *dump_kernel(DumpObject *self);
static PyObject *kernel_read_bytes(KernelObject *k, uint64_t addr,
				   size_t len);

static PyObject *Dump_read(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "address", "size", "space", "fill", NULL };
	PyObject *addr_o, *sp_o = NULL;
	Py_ssize_t n;
	int fill = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "On|Op", kwlist, &addr_o,
					 &n, &sp_o, &fill))
		return NULL;
	DUMP_CHECK(self);
	uint64_t addr;
	size_t len;
	enum gc_space sp = GC_SPACE_PHYS;
	if (!parse_u64(addr_o, &addr) || !parse_size(n, &len) ||
	    (sp_o && !parse_space(sp_o, &sp)))
		return NULL;
	if (sp == GC_SPACE_KVIRT) {
		if (fill) {
			PyErr_SetString(PyExc_ValueError,
					"fill is for phys and mach reads");
			return NULL;
		}
		PyObject *k = dump_kernel(self);
		if (!k)
			return NULL;
		PyObject *r = kernel_read_bytes((KernelObject *)k, addr, len);
		Py_DECREF(k);
		return r;
	}
	PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
	if (!b)
		return NULL;
	struct gc_error *err;
	uint64_t missing = 0;
	char *buf = PyBytes_AS_STRING(b);
	if (fill)
		NOGIL(self->lk, err = gc_dump_read_fill(self->d, sp, addr, buf,
							len, &missing));
	else
		NOGIL(self->lk, err = gc_dump_read(self->d, sp, addr, buf, len));
	if (err) {
		Py_DECREF(b);
		return raise_gc(err, self->path);
	}
	if (fill)
		return Py_BuildValue("(NK)", b, (unsigned long long)missing);
	return b;
}

static PyObject *Dump_page_state(DumpObject *self, PyObject *args,
				 PyObject *kw)
{
	static char *kwlist[] = { "frame", "space", NULL };
	PyObject *f_o, *sp_o = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", kwlist, &f_o, &sp_o))
		return NULL;
	DUMP_CHECK(self);
	uint64_t frame;
	enum gc_space sp = GC_SPACE_PHYS;
	if (!parse_u64(f_o, &frame) || (sp_o && !parse_space(sp_o, &sp)))
		return NULL;
	enum gc_page_state st;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_dump_page_state(self->d, sp, frame, &st));
	if (err)
		return raise_gc(err, self->path);
	return PyUnicode_FromString(gc_page_state_name(st));
}

static PyObject *dump_p2m(DumpObject *self, PyObject *arg, bool to_mfn)
{
	DUMP_CHECK(self);
	uint64_t in, out;
	if (!parse_u64(arg, &in))
		return NULL;
	struct gc_error *err;
	NOGIL(self->lk, err = to_mfn ? gc_dump_pfn_to_mfn(self->d, in, &out)
				     : gc_dump_mfn_to_pfn(self->d, in, &out));
	if (err)
		return raise_gc(err, self->path);
	return u64(out);
}

static PyObject *Dump_pfn_to_mfn(DumpObject *self, PyObject *arg)
{
	return dump_p2m(self, arg, true);
}

static PyObject *Dump_mfn_to_pfn(DumpObject *self, PyObject *arg)
{
	return dump_p2m(self, arg, false);
}

static PyObject *Dump_vcpus(DumpObject *self, PyObject *unused)
{
	DUMP_CHECK(self);
	unsigned int n = gc_dump_nr_vcpus(self->d);
	PyObject *l = PyList_New(0);
	for (unsigned int i = 0; l && i < n; i++) {
		struct gc_vcpu v;
		struct gc_error *err;
		NOGIL(self->lk, err = gc_dump_vcpu(self->d, i, &v));
		if (err) {
			Py_DECREF(l);
			return raise_gc(gc_error_context(err, "vCPU %u", i),
					self->path);
		}
		PyObject *d = vcpu_dict(&v);
		if (!d || PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
	}
	return l;
}

static PyObject *Dump_check(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "deep", "kernel", NULL };
	int deep = 0, kernel = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|pp", kwlist, &deep,
					 &kernel))
		return NULL;
	DUMP_CHECK(self);
	struct gc_report *rep = gc_report_new();
	if (!rep)
		return PyErr_NoMemory();
	struct gc_error *err;
	/* The dump's checks, then the kernel's (Xen PV: the guest's p2m
	 * against the dump's index), as `guestcore check` runs them. */
	NOGIL(self->lk, {
		err = gc_dump_check(self->d, deep ? GC_CHECK_DEEP : 0, rep);
		struct gc_kernel *k = NULL;
		struct gc_error *kerr = err || !kernel ? NULL :
				gc_kernel_open(self->d, NULL, &k);
		if (kerr) {
			err = gc_report_add(rep, GC_SEV_NOTE,
					    "kernel-unavailable", false, 0,
					    "kernel-level checks skipped: %s",
					    gc_error_string(kerr));
			gc_error_free(kerr);
		} else if (k) {
			err = gc_kernel_check(k, rep);
			gc_kernel_close(k);
		}
	});
	if (err) {
		gc_report_free(rep);
		return raise_gc(err, self->path);
	}
	PyObject *l = report_list(rep);
	gc_report_free(rep);
	return l;
}

static PyObject *Dump_vmcoreinfo(DumpObject *self, PyObject *unused)
{
	DUMP_CHECK(self);
	const char *text;
	size_t len;
	uint64_t off;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_dump_vmcoreinfo(self->d, &text, &len, &off));
	if (err) {
		if (gc_error_code(err) == GC_ERR_NOT_PRESENT) {
			gc_error_free(err);
			Py_RETURN_NONE;
		}
		return raise_gc(err, self->path);
	}
	return PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "replace");
}

static PyObject *Dump_notes(DumpObject *self, PyObject *unused)
{
	DUMP_CHECK(self);
	PyObject *l = PyList_New(0);
	size_t n = gc_dump_nr_notes(self->d);
	for (size_t i = 0; l && i < n; i++) {
		const struct gc_note *nt = gc_dump_note(self->d, i);
		PyObject *t = Py_BuildValue(
			"(NkNK)", str_or_none(nt->name), (unsigned long)nt->type,
			PyBytes_FromStringAndSize((const char *)nt->desc,
						  (Py_ssize_t)nt->size),
			(unsigned long long)nt->offset);
		if (!t || PyList_Append(l, t))
			Py_CLEAR(l);
		Py_XDECREF(t);
	}
	return l;
}

/* ---- Kernel ----------------------------------------------------------------- */

static PyObject *kernel_open(DumpObject *dump, const char *vmcoreinfo,
			     const char *system_map, const char *vmlinux,
			     int kallsyms)
{
	if (!dump_usable(dump))
		return NULL;
	struct gc_kernel_opts o = { .vmcoreinfo_file = vmcoreinfo,
				    .system_map = system_map,
				    .vmlinux = vmlinux,
				    .kallsyms = (enum gc_kallsyms_mode)kallsyms };
	struct gc_kernel *k = NULL;
	struct gc_error *err;
	NOGIL(dump->lk, err = gc_kernel_open(dump->d, &o, &k));
	if (err)
		return raise_gc(err, dump->path);
	KernelObject *ko = PyObject_GC_New(KernelObject, &KernelType);
	if (!ko) {
		gc_kernel_close(k);
		return NULL;
	}
	ko->k = k;
	ko->dump = (DumpObject *)Py_NewRef(dump);
	dump_use(dump);
	ko->lk = lock_get(dump->lk);
	ko->facts_collected = false;
	PyObject_GC_Track(ko);
	return (PyObject *)ko;
}

/* The default kernel view (a new reference). */
static PyObject *dump_kernel(DumpObject *self)
{
	if (!self->kernel) {
		self->kernel = kernel_open(self, NULL, NULL, NULL, 0);
		if (!self->kernel)
			return NULL;
	}
	return Py_NewRef(self->kernel);
}

static PyObject *Dump_kernel(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "vmcoreinfo", "system_map", "vmlinux",
				  "kallsyms", NULL };
	const char *vi = NULL, *sm = NULL, *vl = NULL, *ks = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|zzzz", kwlist, &vi, &sm,
					 &vl, &ks))
		return NULL;
	int mode = GC_KALLSYMS_AUTO;
	if (ks && !strcmp(ks, "vmcoreinfo"))
		mode = GC_KALLSYMS_VMCOREINFO;
	else if (ks && !strcmp(ks, "search"))
		mode = GC_KALLSYMS_SEARCH;
	else if (ks && strcmp(ks, "auto")) {
		PyErr_Format(PyExc_ValueError,
			     "kallsyms is auto, vmcoreinfo or search, not '%s'",
			     ks);
		return NULL;
	}
	if (!vi && !sm && !vl && mode == GC_KALLSYMS_AUTO)
		return dump_kernel(self);
	return kernel_open(self, vi, sm, vl, mode);
}

static int Kernel_traverse(KernelObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->dump);
	return 0;
}

/* Never drops the dump: the kernel view must be closed before it. */
static int Kernel_clear(KernelObject *self)
{
	return 0;
}

static void Kernel_dealloc(KernelObject *self)
{
	PyObject_GC_UnTrack(self);
	if (self->k)
		gc_kernel_close(self->k);
	self->k = NULL;
	if (self->dump) {
		dump_unuse(self->dump);
		Py_CLEAR(self->dump);
	}
	lock_put(self->lk);
	PyObject_GC_Del(self);
}

static PyObject *kernel_read_bytes(KernelObject *self, uint64_t addr,
				   size_t len)
{
	if (!dump_usable(self->dump))
		return NULL;
	PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
	if (!b)
		return NULL;
	struct gc_error *err;
	char *buf = PyBytes_AS_STRING(b);
	NOGIL(self->lk, err = gc_kernel_read(self->k, addr, buf, len));
	if (err) {
		Py_DECREF(b);
		return raise_gc(err, self->dump->path);
	}
	return b;
}

#define KERNEL_CHECK(self)                          \
	do {                                        \
		if (!dump_usable((self)->dump))     \
			return NULL;                \
	} while (0)

static PyObject *Kernel_read(KernelObject *self, PyObject *args)
{
	PyObject *addr_o;
	Py_ssize_t n;
	uint64_t addr;
	size_t len;
	if (!PyArg_ParseTuple(args, "On", &addr_o, &n) ||
	    !parse_u64(addr_o, &addr) || !parse_size(n, &len))
		return NULL;
	return kernel_read_bytes(self, addr, len);
}

static PyObject *Kernel_read_u64(KernelObject *self, PyObject *arg)
{
	uint64_t addr, v;
	if (!parse_u64(arg, &addr))
		return NULL;
	KERNEL_CHECK(self);
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_read_u64(self->k, addr, &v));
	if (err)
		return raise_gc(err, self->dump->path);
	return u64(v);
}

static PyObject *Kernel_vtop(KernelObject *self, PyObject *arg)
{
	uint64_t addr, pa;
	if (!parse_u64(arg, &addr))
		return NULL;
	KERNEL_CHECK(self);
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_vtop(self->k, addr, &pa));
	if (err)
		return raise_gc(err, self->dump->path);
	return u64(pa);
}

static PyObject *Kernel_walk(KernelObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "address", "root", NULL };
	PyObject *addr_o, *root_o = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O|O", kwlist, &addr_o,
					 &root_o))
		return NULL;
	uint64_t addr, root = 0;
	if (!parse_u64(addr_o, &addr) ||
	    (root_o != Py_None && !parse_u64(root_o, &root)))
		return NULL;
	KERNEL_CHECK(self);
	struct gc_walk w;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_walk(self->k, addr, root_o != Py_None,
					     root, &w));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *lv = PyList_New(0), *d = PyDict_New();
	if (!lv || !d)
		goto fail;
	for (unsigned int i = 0; i < w.nr && i < GC_WALK_MAX_LEVELS; i++) {
		const struct gc_walk_level *l = &w.lvl[i];
		PyObject *e = PyDict_New();
		if (!e || dset(e, "level", str_or_none(l->name)) ||
		    dset(e, "table", u64(l->table)) ||
		    dset(e, "table_phys", l->has_table_phys ?
				u64(l->table_phys) : Py_NewRef(Py_None)) ||
		    dset(e, "index", PyLong_FromUnsignedLong(l->index)) ||
		    dset(e, "entry", l->read ? u64(l->entry) :
					       Py_NewRef(Py_None)) ||
		    dset(e, "entry_pseudo", l->has_entry_pseudo ?
				u64(l->entry_pseudo) : Py_NewRef(Py_None)) ||
		    PyList_Append(lv, e)) {
			Py_XDECREF(e);
			goto fail;
		}
		Py_DECREF(e);
	}
	if (dset(d, "virtual", u64(w.vaddr)) ||
	    dset(d, "levels", PyLong_FromUnsignedLong(w.levels)) ||
	    dset(d, "xen_pv", PyBool_FromLong(w.xen_pv)) ||
	    dset(d, "walk", Py_NewRef(lv)) ||
	    dset(d, "mapped", PyBool_FromLong(w.ok)) ||
	    dset(d, "physical", w.ok ? u64(w.phys) : Py_NewRef(Py_None)) ||
	    dset(d, "machine", w.ok && w.xen_pv ? u64(w.mach) :
						  Py_NewRef(Py_None)) ||
	    dset(d, "page_size", w.ok ? u64(w.page_size) : Py_NewRef(Py_None)) ||
	    dset(d, "why", w.ok ? Py_NewRef(Py_None) : str_or_none(w.why)))
		goto fail;
	Py_DECREF(lv);
	return d;
fail:
	Py_XDECREF(lv);
	Py_XDECREF(d);
	return NULL;
}

static PyObject *symbol_tuple(const struct gc_symbol *s, PyObject *offset)
{
	char t[2] = { s->type, 0 };
	return Py_BuildValue("(NKNNN)", str_or_none(s->name),
			     (unsigned long long)s->addr, str_or_none(t),
			     str_or_none(s->source), offset);
}

static PyObject *Kernel_symbol(KernelObject *self, PyObject *arg)
{
	const char *name = PyUnicode_AsUTF8(arg);
	if (!name)
		return NULL;
	KERNEL_CHECK(self);
	struct gc_symbol s;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_symbol(self->k, name, &s));
	if (err)
		return raise_gc(err, self->dump->path);
	return symbol_tuple(&s, Py_NewRef(Py_None));
}

static PyObject *Kernel_symbol_at(KernelObject *self, PyObject *arg)
{
	uint64_t addr;
	if (!parse_u64(arg, &addr))
		return NULL;
	KERNEL_CHECK(self);
	struct gc_symbol s;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_symbol_at(self->k, addr, &s));
	if (err)
		return raise_gc(err, self->dump->path);
	return symbol_tuple(&s, u64(addr - s.addr));
}

static PyObject *Kernel_log(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	char *text = NULL;
	const char *src = NULL;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_log(self->k, &text, &src));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *r = Py_BuildValue(
		"(NN)", PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text),
					     "replace"),
		str_or_none(src));
	free(text);
	return r;
}

static void kernel_collect(KernelObject *self)
{
	if (!self->facts_collected) {
		NOGIL(self->lk, gc_kernel_collect_facts(self->k));
		self->facts_collected = true;
	}
}

static PyObject *fact_dict(const struct gc_kernel_fact *f)
{
	PyObject *v;
	switch (f->type) {
	case GC_FACT_U64:
	case GC_FACT_ADDR:
		v = u64(f->u64);
		break;
	case GC_FACT_S64:
		v = PyLong_FromLongLong(f->s64);
		break;
	default:
		v = str_or_none(f->value);
	}
	PyObject *d = PyDict_New();
	if (!d || dset(d, "value", v) || dset(d, "text", str_or_none(f->value)) ||
	    dset(d, "type", str_or_none(gc_fact_type_name(f->type))) ||
	    dset(d, "origin", str_or_none(gc_fact_origin_name(f->origin))) ||
	    dset(d, "source", str_or_none(f->source)) ||
	    dset(d, "space", f->type == GC_FACT_ADDR ?
			str_or_none(gc_space_name(f->space)) :
			Py_NewRef(Py_None))) {
		Py_XDECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *Kernel_facts(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	kernel_collect(self);
	PyObject *d = PyDict_New();
	size_t n = gc_kernel_nr_facts(self->k);
	for (size_t i = 0; d && i < n; i++) {
		const struct gc_kernel_fact *f = gc_kernel_fact(self->k, i);
		/* the newest of a name wins, as gc_kernel_fact_by_name */
		if (dset(d, f->name, fact_dict(f)))
			Py_CLEAR(d);
	}
	return d;
}

static PyObject *Kernel_fact(KernelObject *self, PyObject *arg)
{
	const char *name = PyUnicode_AsUTF8(arg);
	if (!name)
		return NULL;
	KERNEL_CHECK(self);
	kernel_collect(self);
	const struct gc_kernel_fact *f = gc_kernel_fact_by_name(self->k, name);
	if (!f)
		Py_RETURN_NONE;
	return fact_dict(f);
}

static PyObject *Kernel_vmcoreinfo(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	const struct gc_vmcoreinfo *vi = gc_kernel_vmcoreinfo(self->k);
	if (!vi)
		Py_RETURN_NONE;
	size_t len;
	const char *t = gc_vmcoreinfo_text(vi, &len);
	return PyUnicode_DecodeUTF8(t, (Py_ssize_t)len, "replace");
}

static PyObject *Kernel_get_vmcoreinfo_source(KernelObject *self, void *c)
{
	KERNEL_CHECK(self);
	return str_or_none(gc_kernel_vmcoreinfo_source(self->k));
}

static PyObject *Kernel_get_is_xen_pv(KernelObject *self, void *c)
{
	KERNEL_CHECK(self);
	return PyBool_FromLong(gc_kernel_is_xen_pv(self->k));
}

static PyObject *Kernel_get_pgd(KernelObject *self, void *c)
{
	KERNEL_CHECK(self);
	return u64(gc_kernel_pgd_vaddr(self->k));
}

static PyObject *Kernel_get_dump(KernelObject *self, void *c)
{
	return Py_NewRef(self->dump);
}

static PyObject *Kernel_notes(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	PyObject *l = PyList_New(0);
	size_t n = gc_kernel_nr_notes(self->k);
	for (size_t i = 0; l && i < n; i++) {
		PyObject *s = str_or_none(gc_kernel_note(self->k, i));
		if (!s || PyList_Append(l, s))
			Py_CLEAR(l);
		Py_XDECREF(s);
	}
	return l;
}

static PyObject *Kernel_cpu_task(KernelObject *self, PyObject *arg)
{
	unsigned long cpu = PyLong_AsUnsignedLong(arg);
	if (cpu == (unsigned long)-1 && PyErr_Occurred())
		return NULL;
	if (cpu > UINT32_MAX) {
		PyErr_SetString(PyExc_ValueError, "cpu out of range");
		return NULL;
	}
	KERNEL_CHECK(self);
	uint64_t task;
	uint32_t pid;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_cpu_task(self->k, (unsigned int)cpu,
						 &task, &pid));
	if (err)
		return raise_gc(err, self->dump->path);
	return Py_BuildValue("(Kk)", (unsigned long long)task,
			     (unsigned long)pid);
}

static PyObject *Kernel_check(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	struct gc_report *rep = gc_report_new();
	if (!rep)
		return PyErr_NoMemory();
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_check(self->k, rep));
	if (err) {
		gc_report_free(rep);
		return raise_gc(err, self->dump->path);
	}
	PyObject *l = report_list(rep);
	gc_report_free(rep);
	return l;
}

/* ---- convert ------------------------------------------------------------------ */

/* ---- tasks, sys, stacks, modules, log records, types (issue #17) ---------- */

static PyTypeObject *TaskType;

static PyStructSequence_Field task_fields[] = {
	{ "addr", "task_struct address (kernel virtual)" },
	{ "pid", NULL }, { "tgid", NULL }, { "ppid", NULL },
	{ "cpu", "the task's cpu field (-1 unknown)" },
	{ "state", "__state (or state) raw value" },
	{ "state_name", "crash's letters: 'RU', 'IN', 'UN', ..." },
	{ "exit_state", NULL },
	{ "comm", NULL },
	{ "active", "the current task of some CPU" },
	{ "active_cpu", "that CPU, -1 when not active" },
	{ "mm", "0 for kernel threads" },
	{ "stack", "task->stack" },
	{ "rss_pages", "resident pages, None when unknown" },
	{ NULL }
};

static PyStructSequence_Desc task_desc = {
	"guestcore.Task",
	"One task (thread) of the kernel, read with the layouts of the "
	"kernel's types (`guestcore ps`).",
	task_fields, 14,
};

static PyObject *task_obj(const struct gc_task *t)
{
	PyObject *o = PyStructSequence_New(TaskType);
	if (!o)
		return NULL;
	PyObject *v[14] = {
		u64(t->addr), PyLong_FromLong(t->pid), PyLong_FromLong(t->tgid),
		PyLong_FromLong(t->ppid), PyLong_FromLong(t->cpu), u64(t->state),
		PyUnicode_FromString(gc_task_state_name(t)), u64(t->exit_state),
		PyUnicode_DecodeUTF8(t->comm, (Py_ssize_t)strlen(t->comm),
				     "replace"),
		PyBool_FromLong(t->active), PyLong_FromLong(t->active_cpu),
		u64(t->mm), u64(t->stack),
		t->rss_pages == UINT64_MAX ? Py_NewRef(Py_None) :
					     u64(t->rss_pages),
	};
	bool bad = false;
	for (int i = 0; i < 14; i++) {
		if (!v[i])
			bad = true;
		PyStructSequence_SET_ITEM(o, i, v[i] ? v[i] : Py_NewRef(Py_None));
	}
	if (bad) {
		Py_DECREF(o);
		return NULL;
	}
	return o;
}

static PyObject *Kernel_tasks(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	struct gc_task *t = NULL;
	size_t n = 0;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_tasks(self->k, &t, &n));
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++) {
		PyObject *o = task_obj(&t[i]);
		if (!o || PyList_Append(l, o))
			Py_CLEAR(l);
		Py_XDECREF(o);
	}
	free(t);
	if (err) {
		/* a damaged list: the error, with the tasks read before the
		 * damage (NOT the whole list) as its `tasks` attribute */
		raise_gc(err, self->dump->path);
		if (l) {
			PyObject *et, *ev, *tb;
			PyErr_Fetch(&et, &ev, &tb);
			PyErr_NormalizeException(&et, &ev, &tb);
			if (ev && PyObject_SetAttrString(ev, "tasks", l))
				PyErr_Clear();
			PyErr_Restore(et, ev, tb);
		}
		Py_XDECREF(l);
		return NULL;
	}
	return l;
}

static PyObject *Kernel_task(KernelObject *self, PyObject *arg)
{
	long pid = PyLong_AsLong(arg);
	if (pid == -1 && PyErr_Occurred())
		return NULL;
	if (pid < INT32_MIN || pid > INT32_MAX) {
		PyErr_SetString(PyExc_ValueError, "pid out of range");
		return NULL;
	}
	KERNEL_CHECK(self);
	struct gc_task t;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_task_by_pid(self->k, (int32_t)pid, &t));
	if (err)
		return raise_gc(err, self->dump->path);
	return task_obj(&t);
}

static PyObject *Kernel_sys(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	struct gc_kernel_sys s;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_sys(self->k, &s));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *d = PyDict_New();
	if (!d)
		return NULL;
	PyObject *none = Py_None;
	if (dset(d, "time", s.has_time ? PyLong_FromLongLong(s.time_sec) :
					 Py_NewRef(none)) ||
	    dset(d, "time_source", str_or_none(s.has_time ? s.time_source :
							    NULL)) ||
	    dset(d, "uptime_ns", s.has_uptime ? u64(s.uptime_ns) :
						Py_NewRef(none)) ||
	    dset(d, "uptime_seconds", s.has_uptime ?
			PyFloat_FromDouble((double)s.uptime_ns / 1e9) :
			Py_NewRef(none)) ||
	    dset(d, "uptime_source", str_or_none(s.has_uptime ?
						 s.uptime_source : NULL)) ||
	    dset(d, "hz", s.hz ? PyLong_FromUnsignedLong(s.hz) :
				 Py_NewRef(none)) ||
	    dset(d, "avenrun", s.has_load ?
			Py_BuildValue("[KKK]", (unsigned long long)s.avenrun[0],
				      (unsigned long long)s.avenrun[1],
				      (unsigned long long)s.avenrun[2]) :
			Py_NewRef(none)) ||
	    dset(d, "load_average", s.has_load ?
			Py_BuildValue("[ddd]", s.avenrun[0] / 2048.0,
				      s.avenrun[1] / 2048.0,
				      s.avenrun[2] / 2048.0) :
			Py_NewRef(none)) ||
	    dset(d, "memory_pages", s.has_memory ? u64(s.memory_pages) :
						   Py_NewRef(none)) ||
	    dset(d, "totalram_pages", s.totalram_pages ?
			u64(s.totalram_pages) : Py_NewRef(none)) ||
	    dset(d, "cpus", s.cpus ? PyLong_FromUnsignedLong(s.cpus) :
				     Py_NewRef(none)) ||
	    dset(d, "cpus_online", s.cpus_online ?
			PyLong_FromUnsignedLong(s.cpus_online) :
			Py_NewRef(none)) ||
	    dset(d, "cpu_khz", s.cpu_khz ? PyLong_FromUnsignedLong(s.cpu_khz) :
					   Py_NewRef(none)) ||
	    dset(d, "panic_cpu", s.has_panic_cpu ?
			PyLong_FromLong(s.panic_cpu) : Py_NewRef(none)) ||
	    dset(d, "panic_task", s.has_panic_cpu && s.panic_task ?
			u64(s.panic_task) : Py_NewRef(none)) ||
	    dset(d, "panic_pid", s.has_panic_cpu && s.panic_task ?
			PyLong_FromLong(s.panic_pid) : Py_NewRef(none)) ||
	    dset(d, "missing", str_or_none(s.missing))) {
		Py_DECREF(d);
		return NULL;
	}
	return d;
}

static PyObject *regs_dict(const struct gc_pt_regs *r)
{
	const uint64_t v[] = { r->r15, r->r14, r->r13, r->r12, r->bp, r->bx,
			       r->r11, r->r10, r->r9, r->r8, r->ax, r->cx,
			       r->dx, r->si, r->di, r->orig_ax, r->ip, r->cs,
			       r->flags, r->sp, r->ss };
	static const char *const names[] = {
		"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
		"r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip",
		"cs", "rflags", "rsp", "ss" };
	PyObject *d = PyDict_New();
	for (size_t i = 0; d && i < sizeof(v) / sizeof(v[0]); i++)
		if (dset(d, names[i], u64(v[i])))
			Py_CLEAR(d);
	return d;
}

/* One frame as `bt --json` has it; HAVE/S: its function (for a return
 * address the one of the call before it, pc - 1, as bt names it). */
static PyObject *frame_dict(const struct gc_stack_frame *f, bool have,
			    const struct gc_symbol *sym)
{
	struct gc_symbol s = *sym;
	PyObject *d = PyDict_New();
	if (!d)
		return NULL;
	if (dset(d, "kind", PyUnicode_FromString(
			!f->exception ? "call" :
			f->user ? "user registers" : "exception")) ||
	    dset(d, "pc", u64(f->pc)) || dset(d, "sp", u64(f->sp)) ||
	    dset(d, "symbol", have ? str_or_none(s.name) :
				     Py_NewRef(Py_None)) ||
	    dset(d, "offset", have ? u64(f->pc - s.addr) : Py_NewRef(Py_None)) ||
	    dset(d, "module", f->module[0] ? str_or_none(f->module) :
					     Py_NewRef(Py_None)) ||
	    dset(d, "stack", PyUnicode_FromString(f->stack_name)) ||
	    dset(d, "how", str_or_none(f->how)))
		goto fail;
	if (f->exception &&
	    (dset(d, "regs", regs_dict(&f->regs)) ||
	     dset(d, "regs_addr", f->regs_addr ? u64(f->regs_addr) :
						 Py_NewRef(Py_None)) ||
	     dset(d, "partial", PyBool_FromLong(f->partial)) ||
	     dset(d, "user", PyBool_FromLong(f->user))))
		goto fail;
	return d;
fail:
	Py_DECREF(d);
	return NULL;
}

static PyObject *Kernel_stack(KernelObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "cpu", "task", NULL };
	PyObject *cpu_o = Py_None, *task_o = Py_None;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OO", kwlist, &cpu_o,
					 &task_o))
		return NULL;
	if ((cpu_o == Py_None) == (task_o == Py_None)) {
		PyErr_SetString(PyExc_ValueError,
				"stack() takes one of cpu= or task=");
		return NULL;
	}
	uint64_t cpu = 0, task = 0;
	if (cpu_o != Py_None && !parse_u64(cpu_o, &cpu))
		return NULL;
	if (task_o != Py_None && !parse_u64(task_o, &task))
		return NULL;
	if (cpu > UINT32_MAX) {
		PyErr_SetString(PyExc_ValueError, "cpu out of range");
		return NULL;
	}
	KERNEL_CHECK(self);
	struct gc_stack_trace *tr = NULL;
	struct gc_error *err;
	NOGIL(self->lk, {
		unsigned int c = (unsigned int)cpu;
		/* a running task's stack starts from its vCPU's registers */
		if (task_o != Py_None &&
		    !gc_kernel_task_active_cpu(self->k, task, &c))
			err = gc_kernel_stack_task(self->k, task, &tr);
		else
			err = gc_kernel_stack_vcpu(self->k, c, &tr);
	});
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *frames = NULL, *d = NULL;
	struct gc_symbol *syms = PyMem_Calloc(tr->nr ? tr->nr : 1, sizeof(*syms));
	bool *have = PyMem_Calloc(tr->nr ? tr->nr : 1, sizeof(*have));
	if (!syms || !have) {
		PyErr_NoMemory();
		goto out;
	}
	NOGIL(self->lk, {
		for (size_t i = 0; i < tr->nr; i++) {
			const struct gc_stack_frame *f = &tr->frames[i];
			struct gc_error *e = gc_kernel_symbol_at(
				self->k, f->exception ? f->pc : f->pc - 1,
				&syms[i]);
			have[i] = !e;
			gc_error_free(e);
		}
	});
	frames = PyList_New(0);
	for (size_t i = 0; frames && i < tr->nr; i++) {
		PyObject *f = frame_dict(&tr->frames[i], have[i], &syms[i]);
		if (!f || PyList_Append(frames, f))
			Py_CLEAR(frames);
		Py_XDECREF(f);
	}
	if (!frames)
		goto out;
	d = PyDict_New();
	if (!d || dset(d, "task", tr->task ? u64(tr->task) : Py_NewRef(Py_None)) ||
	    dset(d, "cpu", tr->cpu >= 0 ? PyLong_FromLong(tr->cpu) :
					  Py_NewRef(Py_None)) ||
	    dset(d, "frames", Py_NewRef(frames)) ||
	    dset(d, "stop", PyUnicode_FromString(gc_stack_stop_name(tr->stop))) ||
	    dset(d, "stop_reason", str_or_none(tr->stop_why)) ||
	    dset(d, "orc_layout", str_or_none(tr->orc_layout)))
		Py_CLEAR(d);
out:
	PyMem_Free(syms);
	PyMem_Free(have);
	Py_XDECREF(frames);
	gc_stack_trace_free(tr);
	return d;
}

static PyObject *Kernel_modules(KernelObject *self, PyObject *args,
				PyObject *kw)
{
	static char *kwlist[] = { "symbols", NULL };
	int with_syms = 1;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|p", kwlist, &with_syms))
		return NULL;
	KERNEL_CHECK(self);
	size_t n = 0;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_modules(self->k, &n));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++) {
		const struct gc_module *m = gc_kernel_module(self->k, i);
		PyObject *d = PyDict_New(), *syms = with_syms ? PyList_New(0) :
				Py_NewRef(Py_None);
		for (size_t j = 0; syms && with_syms && j < m->nr_syms; j++) {
			struct gc_symbol s;
			if (!gc_kernel_module_sym(self->k, i, j, &s))
				break;
			char t[2] = { s.type, 0 };
			PyObject *st = Py_BuildValue("(NKN)",
						     str_or_none(s.name),
						     (unsigned long long)s.addr,
						     str_or_none(t));
			if (!st || PyList_Append(syms, st))
				Py_CLEAR(syms);
			Py_XDECREF(st);
		}
		if (!d || !syms ||
		    dset(d, "name", PyUnicode_DecodeUTF8(m->name,
				(Py_ssize_t)strlen(m->name), "replace")) ||
		    dset(d, "addr", u64(m->addr)) ||
		    dset(d, "base", u64(m->base)) ||
		    dset(d, "size", u64(m->size)) ||
		    dset(d, "init_base", u64(m->init_base)) ||
		    dset(d, "init_size", u64(m->init_size)) ||
		    dset(d, "state", PyLong_FromUnsignedLong(m->state)) ||
		    dset(d, "state_name", str_or_none(m->state_name)) ||
		    dset(d, "taints", m->has_taints ? u64(m->taints) :
						      Py_NewRef(Py_None)) ||
		    dset(d, "nr_symbols", PyLong_FromSize_t(m->nr_syms)) ||
		    dset(d, "symbols", Py_NewRef(syms)) ||
		    PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
		Py_XDECREF(syms);
	}
	return l;
}

static PyObject *Kernel_module_problems(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	size_t n = 0;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_modules(self->k, &n));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *l = PyList_New(0);
	size_t np = gc_kernel_nr_module_problems(self->k);
	for (size_t i = 0; l && i < np; i++) {
		PyObject *s = str_or_none(gc_kernel_module_problem(self->k, i));
		if (!s || PyList_Append(l, s))
			Py_CLEAR(l);
		Py_XDECREF(s);
	}
	return l;
}

static PyObject *Kernel_log_records(KernelObject *self, PyObject *unused)
{
	KERNEL_CHECK(self);
	struct gc_log_record *r = NULL;
	size_t n = 0;
	const char *src = NULL;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_log_records(self->k, &r, &n, &src));
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++) {
		PyObject *d = PyDict_New();
		PyObject *caller = Py_NewRef(Py_None);
		if (r[i].has_caller) {
			Py_DECREF(caller);
			caller = PyUnicode_FromFormat(
				"%c%u", (r[i].caller_id & 0x80000000u) ? 'C' : 'T',
				(unsigned)(r[i].caller_id & 0x7fffffffu));
		}
		if (!d || !caller ||
		    dset(d, "ts_nsec", r[i].has_time ? u64(r[i].ts_nsec) :
						       Py_NewRef(Py_None)) ||
		    dset(d, "seq", r[i].has_seq ? u64(r[i].seq) :
						  Py_NewRef(Py_None)) ||
		    dset(d, "level", r[i].level >= 0 ?
				PyLong_FromLong(r[i].level) : Py_NewRef(Py_None)) ||
		    dset(d, "facility", r[i].facility >= 0 ?
				PyLong_FromLong(r[i].facility) :
				Py_NewRef(Py_None)) ||
		    dset(d, "caller", Py_NewRef(caller)) ||
		    dset(d, "text", PyUnicode_DecodeUTF8(r[i].text,
				(Py_ssize_t)strlen(r[i].text), "replace")) ||
		    PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
		Py_XDECREF(caller);
	}
	gc_log_records_free(r, n);
	return l;
}

static PyObject *kernel_types(KernelObject *self,
			      const struct gc_types **types)
{
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kernel_types(self->k, types));
	if (err)
		return raise_gc(err, self->dump->path);
	return Py_None;  /* borrowed: only tested for NULL */
}

static PyObject *Kernel_sizeof(KernelObject *self, PyObject *arg)
{
	const char *name = PyUnicode_AsUTF8(arg);
	if (!name)
		return NULL;
	KERNEL_CHECK(self);
	const struct gc_types *t;
	if (!kernel_types(self, &t))
		return NULL;
	uint64_t size;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_types_sizeof(t, name, &size, NULL));
	if (err)
		return raise_gc(err, self->dump->path);
	return u64(size);
}

static PyObject *Kernel_offsetof(KernelObject *self, PyObject *args)
{
	const char *name, *path;
	if (!PyArg_ParseTuple(args, "ss", &name, &path))
		return NULL;
	KERNEL_CHECK(self);
	const struct gc_types *t;
	if (!kernel_types(self, &t))
		return NULL;
	uint64_t off;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_types_offsetof(t, name, path, &off, NULL));
	if (err)
		return raise_gc(err, self->dump->path);
	return u64(off);
}

static PyObject *Kernel_member(KernelObject *self, PyObject *args)
{
	const char *name, *path;
	if (!PyArg_ParseTuple(args, "ss", &name, &path))
		return NULL;
	KERNEL_CHECK(self);
	const struct gc_types *t;
	if (!kernel_types(self, &t))
		return NULL;
	struct gc_member m;
	const char *src = NULL;
	char *tname = NULL;
	uint64_t size = 0;
	bool has_size = false;
	struct gc_error *err;
	NOGIL(self->lk, {
		err = gc_types_member(t, name, path, &m, &src);
		if (!err && m.type.provider) {
			struct gc_error *e = gc_type_format(m.type, NULL, &tname);
			gc_error_free(e);
			e = gc_type_sizeof(m.type, &size);
			has_size = !e;
			gc_error_free(e);
		}
	});
	if (err)
		return raise_gc(err, self->dump->path);
	PyObject *d = PyDict_New();
	if (!d || dset(d, "name", str_or_none(m.name ? m.name : path)) ||
	    dset(d, "type", str_or_none(tname)) ||
	    dset(d, "offset", u64(m.bit_offset / 8)) ||
	    dset(d, "bit_offset", u64(m.bit_offset)) ||
	    dset(d, "bitfield_size", PyLong_FromUnsignedLong(m.bitfield_size)) ||
	    dset(d, "size", has_size ? u64(size) : Py_NewRef(Py_None)) ||
	    dset(d, "source", str_or_none(src)))
		Py_CLEAR(d);
	free(tname);
	return d;
}

static PyObject *Dump_convert(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "output", "format", "codec", "exclude_zero",
				  "force", "progress", "kernel", "verify",
				  "threads", NULL };
	PyObject *out_o, *progress = Py_None;
	const char *fmt = NULL, *codec = NULL;
	int exclude_zero = 0, force = 0, use_kernel = 1, verify = 0;
	unsigned int threads = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|zzppOppI", kwlist,
					 PyUnicode_FSConverter, &out_o, &fmt,
					 &codec, &exclude_zero, &force,
					 &progress, &use_kernel, &verify,
					 &threads))
		return NULL;
	PyObject *ret = NULL, *kern = NULL;
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	if (!dump_usable(self) || !parse_out_format(fmt, &o.format) ||
	    !parse_codec(codec, &o.codec))
		goto out;
	if (codec && o.format != GC_OUT_KDUMP) {
		PyErr_SetString(PyExc_ValueError, "codec needs format='kdump'");
		goto out;
	}
	if (progress != Py_None && !PyCallable_Check(progress)) {
		PyErr_SetString(PyExc_TypeError, "progress must be callable");
		goto out;
	}
	o.exclude_zero = exclude_zero;
	o.force = force;
	o.threads = threads;
	/* The writer hints from the kernel layer's one bridge, as `guestcore
	 * convert` does: the same dump gives the same bytes. */
	if (use_kernel) {
		kern = dump_kernel(self);
		if (kern) {
			struct gc_error *kerr;
			const char *used;
			NOGIL(self->lk, kerr = gc_kernel_writer_hints(
					 ((KernelObject *)kern)->k, &o.kernel,
					 &used));
			if (kerr) {
				gc_error_free(kerr);
				memset(&o.kernel, 0, sizeof(o.kernel));
			}
		} else {
			PyErr_Clear();  /* converted without kernel hints */
		}
	}
	struct progress_ctx pc = { .callback = progress == Py_None ? NULL
								   : progress,
				   .lk = self->lk };
	o.progress = progress_cb;
	o.progress_arg = &pc;
	o.cancel = &pc.cancel;
	const char *out = PyBytes_AS_STRING(out_o);
	struct gc_convert_stats st;
	memset(&st, 0, sizeof(st));
	struct gc_error *err;
	/* A raw QEMU migration stream to ELF takes the one-pass route, as
	 * `guestcore convert` does (the same bytes): the input is opened
	 * again with the pages written while it is indexed; the kernel
	 * hints above are of the same file. */
	struct gc_dump *d2 = NULL;
	struct gc_convert_stream *cs = NULL;
	NOGIL(self->lk, err = gc_convert_stream_open(self->path, out, &o, &d2,
						      &cs));
	if (!err && cs)
		NOGIL(self->lk, err = gc_convert_stream_finish(cs, d2, &o, &st));
	else if (!err)
		NOGIL(self->lk, err = gc_convert(self->d, out, &o, &st));
	if (d2)
		gc_dump_close(d2);
	if (!progress_finish(&pc, err, self->path))
		goto out;
	ret = convert_stats_dict(&st);
	if (ret && verify) {
		struct gc_verify_stats vs;
		memset(&vs, 0, sizeof(vs));
		NOGIL(self->lk, err = gc_convert_verify(self->d, out, &o, &vs));
		if (err) {
			Py_CLEAR(ret);
			raise_gc(err, self->path);
		} else if (verify_into(ret, &vs)) {
			Py_CLEAR(ret);
		}
	}
out:
	Py_XDECREF(kern);
	Py_DECREF(out_o);
	return ret;
}

/* ---- guests ------------------------------------------------------------------- */

static void db_capsule_free(PyObject *cap)
{
	gc_vmcs_db_free(PyCapsule_GetPointer(cap, "guestcore.vmcs_db"));
}

static PyObject *guest_open(DumpObject *host, PyObject *db_cap,
			    const struct gc_vmx_guest_group *grp,
			    const struct gc_vmcs_scan_opts *scan)
{
	GuestObject *go = PyObject_GC_New(GuestObject, &GuestType);
	if (!go)
		return NULL;
	go->g = NULL;
	go->closed = false;
	go->host = (DumpObject *)Py_NewRef(host);
	dump_use(host);
	go->db = Py_NewRef(db_cap);
	go->kernel = NULL;
	go->lk = lock_get(host->lk);
	go->dump = NULL;
	go->eptp = grp->eptp;
	go->qcore = NULL;
	go->map = NULL;
	go->nr_vmcs = grp->nr_vmcs;
	go->vmcs = PyMem_Calloc(grp->nr_vmcs ? grp->nr_vmcs : 1,
				sizeof(uint64_t));
	if (!go->vmcs) {
		PyObject_GC_Track(go);
		Py_DECREF(go);
		return PyErr_NoMemory();
	}
	memcpy(go->vmcs, grp->vmcs, grp->nr_vmcs * sizeof(uint64_t));
	struct gc_guest_args ga = {
		.host = host->d, .addrs = go->vmcs, .nr_addrs = go->nr_vmcs,
		.vmcs_db = PyCapsule_GetPointer(db_cap, "guestcore.vmcs_db"),
		.text_start = scan->text_start, .text_end = scan->text_end,
	};
	struct gc_error *err;
	NOGIL(host->lk, err = gc_guest_open("vmx", &ga, &go->g));
	PyObject_GC_Track(go);
	if (err) {
		Py_DECREF(go);
		return raise_gc(err, host->path);
	}
	return (PyObject *)go;
}

/* Dump.guests(): every KVM (VMX) guest found in a host dump.  The vmx
 * source is the one that finds guests by scanning; a QEMU process core
 * has one guest, opened with its RAM map (see docs/python.md). */
static int kvm_guests(DumpObject *self, PyObject *l, bool strict);

static PyObject *Dump_guests(DumpObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "source", NULL };
	const char *source = NULL;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|z", kwlist, &source))
		return NULL;
	if (source && strcmp(source, "vmx") && strcmp(source, "kvm")) {
		PyErr_Format(PyExc_ValueError,
			     "source is 'vmx', 'kvm' or None, not '%s'", source);
		return NULL;
	}
	DUMP_CHECK(self);
	/* as `extract --all`: the host kernel's KVM VMs, else the VMCS scan
	 * (never both: on an Intel host they are the same VMs) */
	if (!source || !strcmp(source, "kvm")) {
		PyObject *kl = PyList_New(0);
		if (kl && kvm_guests(self, kl, source != NULL))
			Py_CLEAR(kl);
		if (!kl || source || PyList_GET_SIZE(kl))
			return kl;
		Py_DECREF(kl);
	}
	struct gc_vmcs_db *db = NULL;
	struct gc_error *err = gc_vmcs_db_new(true, &db);
	if (!err)
		err = gc_vmcs_db_add_published(db);  /* real CPUs' layouts */
	if (err) {
		gc_vmcs_db_free(db);
		return raise_gc(err, self->path);
	}
	PyObject *cap = PyCapsule_New(db, "guestcore.vmcs_db", db_capsule_free);
	if (!cap) {
		gc_vmcs_db_free(db);
		return NULL;
	}
	struct gc_vmcs_scan_opts scan;
	memset(&scan, 0, sizeof(scan));
	struct gc_vmx_guest_group *groups = NULL;
	size_t ng = 0;
	NOGIL(self->lk, {
		struct gc_report *w = gc_report_new();
		struct gc_vmcs_layout *note;
		struct gc_error *e = w ? gc_vmcsinfo_from_dump(self->d, w, &note)
				       : &gc_error_nomem;
		if (!e)
			e = gc_vmcs_db_add(db, note);
		gc_error_free(e);  /* no note: the built-in layouts */
		gc_report_free(w);
		const char *vi;
		size_t vlen;
		uint64_t voff;
		e = gc_dump_vmcoreinfo(self->d, &vi, &vlen, &voff);
		if (!e)
			gc_vmcs_text_range(vi, vlen, &scan.text_start,
					   &scan.text_end);
		gc_error_free(e);
		err = gc_vmx_find_guests(self->d, db, &scan, &groups, &ng);
	});
	if (err) {
		Py_DECREF(cap);
		return raise_gc(err, self->path);
	}
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < ng; i++) {
		PyObject *g = guest_open(self, cap, &groups[i], &scan);
		if (!g || PyList_Append(l, g))
			Py_CLEAR(l);
		Py_XDECREF(g);
	}
	gc_vmx_guest_groups_free(groups, ng);
	Py_DECREF(cap);
	return l;
}

static void qcore_unuse(QemuCoreObject *self);
static int qcore_usable(QemuCoreObject *self);

/* The dump or process core the guest came from is still usable. */
static int guest_source_usable(GuestObject *self)
{
	return self->host ? dump_usable(self->host) : qcore_usable(self->qcore);
}

/* The file errors of the guest name: its host dump or process core. */
static const char *guest_file(GuestObject *self)
{
	return self->host ? self->host->path : self->qcore->path;
}

static int Guest_traverse(GuestObject *self, visitproc visit, void *arg)
{
	Py_VISIT(self->dump);
	Py_VISIT(self->host);
	Py_VISIT(self->db);
	Py_VISIT(self->kernel);
	Py_VISIT(self->qcore);
	return 0;
}

/* Drops the guest's Dump (which holds the guest), never the host. */
static int Guest_clear(GuestObject *self)
{
	Py_CLEAR(self->dump);
	return 0;
}

static void Guest_dealloc(GuestObject *self)
{
	PyObject_GC_UnTrack(self);
	Py_CLEAR(self->dump);
	if (self->g)
		gc_guest_close(self->g);
	self->g = NULL;
	Py_CLEAR(self->db);
	Py_CLEAR(self->kernel);
	if (self->host) {
		dump_unuse(self->host);
		Py_CLEAR(self->host);
	}
	if (self->map) {
		gc_qemu_ram_map_free(self->map);
		PyMem_Free(self->map);
		self->map = NULL;
	}
	if (self->qcore) {
		qcore_unuse(self->qcore);
		Py_CLEAR(self->qcore);
	}
	PyMem_Free(self->vmcs);
	lock_put(self->lk);
	PyObject_GC_Del(self);
}

#define GUEST_CHECK(self)                                                \
	do {                                                             \
		if ((self)->closed || !(self)->g ||                      \
		    !guest_source_usable(self)) {                        \
			if (!PyErr_Occurred())                           \
				PyErr_SetString(PyExc_ValueError,        \
						"the guest is closed");  \
			return NULL;                                     \
		}                                                        \
	} while (0)

static PyObject *Guest_get_source(GuestObject *self, void *c)
{
	GUEST_CHECK(self);
	return str_or_none(gc_guest_source(self->g));
}

/* A guest of the "kvm" source: VM I on the host kernel KERN's vm_list.
 * The Guest keeps KERN (and through it the host) open. */
static PyObject *kvm_guest_open(DumpObject *host, KernelObject *kern,
				unsigned int i)
{
	GuestObject *go = PyObject_GC_New(GuestObject, &GuestType);
	if (!go)
		return NULL;
	go->g = NULL;
	go->closed = false;
	go->host = (DumpObject *)Py_NewRef(host);
	dump_use(host);
	go->db = NULL;
	go->kernel = Py_NewRef((PyObject *)kern);
	go->lk = lock_get(host->lk);
	go->dump = NULL;
	go->eptp = 0;
	go->nr_vmcs = 0;
	go->qcore = NULL;
	go->map = NULL;
	go->vmcs = PyMem_Calloc(1, sizeof(uint64_t));
	PyObject_GC_Track(go);
	if (!go->vmcs) {
		Py_DECREF(go);
		return PyErr_NoMemory();
	}
	struct gc_guest_args ga = { .host = host->d, .kernel = kern->k,
				    .vm = i };
	struct gc_error *err;
	NOGIL(host->lk, err = gc_guest_open("kvm", &ga, &go->g));
	if (err) {
		Py_DECREF(go);
		return raise_gc(err, host->path);
	}
	return (PyObject *)go;
}

/* The VMs on the host kernel's vm_list, appended to L; no kernel view or
 * no kvm loaded is no VM (the CLI's `guests` says the same, exit 1).  No
 * kernel view or an unreadable vm_list raises when STRICT, else is no VM
 * (the VMCS scan is then asked). */
static int kvm_guests(DumpObject *self, PyObject *l, bool strict)
{
	PyObject *kern = dump_kernel(self);
	if (!kern) {
		if (strict)
			return -1;
		PyErr_Clear();
		return 0;
	}
	struct gc_kvm_vm *vms = NULL;
	size_t nr = 0;
	struct gc_error *err;
	NOGIL(self->lk, err = gc_kvm_list(((KernelObject *)kern)->k, &vms, &nr));
	if (err) {
		bool absent = gc_error_code(err) == GC_ERR_NOT_PRESENT;
		if (absent || !strict) {
			gc_error_free(err);
			Py_DECREF(kern);
			return 0;
		}
		raise_gc(err, self->path);
		Py_DECREF(kern);
		return -1;
	}
	int r = 0;
	for (size_t i = 0; !r && i < nr; i++) {
		PyObject *g = kvm_guest_open(self, (KernelObject *)kern,
					     (unsigned int)i);
		if (!g || PyList_Append(l, g))
			r = -1;
		Py_XDECREF(g);
	}
	gc_kvm_vms_free(vms, nr);
	Py_DECREF(kern);
	return r;
}

static PyObject *Guest_get_kvm(GuestObject *self, void *c)
{
	GUEST_CHECK(self);
	const struct gc_kvm_vm *vm = gc_kvm_guest_vm(self->g);
	if (!vm)
		Py_RETURN_NONE;
	static const char *const vendors[] = { "unknown", "svm", "vmx" };
	PyObject *d = PyDict_New(), *slots = PyList_New(0);
	for (size_t i = 0; slots && i < vm->nr_slots; i++) {
		const struct gc_kvm_slot *s = &vm->slots[i];
		PyObject *sd = Py_BuildValue(
			"{s:K,s:I,s:i,s:K,s:K,s:K,s:K,s:I}", "addr",
			(unsigned long long)s->addr, "as_id", s->as_id, "id",
			s->id, "base_gfn", (unsigned long long)s->base_gfn,
			"gpa", (unsigned long long)(s->base_gfn << 12),
			"npages", (unsigned long long)s->npages,
			"userspace_addr", (unsigned long long)s->userspace_addr,
			"flags", (unsigned)s->flags);
		if (!sd || PyList_Append(slots, sd))
			Py_CLEAR(slots);
		Py_XDECREF(sd);
	}
	if (!d || !slots ||
	    dset(d, "kvm", u64(vm->kvm)) ||
	    dset(d, "vendor", PyUnicode_FromString(
			vendors[vm->vendor <= GC_KVM_VMX ? vm->vendor : 0])) ||
	    dset(d, "vmm_pid", PyLong_FromUnsignedLong(vm->pid)) ||
	    dset(d, "userspace_pid", PyLong_FromUnsignedLong(vm->userspace_pid)) ||
	    dset(d, "comm", PyUnicode_DecodeUTF8(vm->comm,
			(Py_ssize_t)strlen(vm->comm), "replace")) ||
	    dset(d, "name", PyUnicode_DecodeUTF8(vm->name,
			(Py_ssize_t)strlen(vm->name), "replace")) ||
	    dset(d, "cmdline", vm->cmdline ? PyUnicode_DecodeUTF8(vm->cmdline,
			(Py_ssize_t)strlen(vm->cmdline), "replace") :
			Py_NewRef(Py_None)) ||
	    dset(d, "mm", u64(vm->mm)) ||
	    dset(d, "pgd", u64(vm->pgd_phys)) ||
	    dset(d, "pgd_virt", u64(vm->pgd)) ||
	    dset(d, "nr_vcpus", PyLong_FromUnsignedLong(vm->nr_vcpus)) ||
	    dset(d, "memory_bytes", u64(vm->mem_bytes)) ||
	    dset(d, "slots", Py_NewRef(slots)) ||
	    dset(d, "problems", str_or_none(vm->problems ?
						  vm->problems : ""))) {
		Py_XDECREF(d);
		d = NULL;
	}
	Py_XDECREF(slots);
	return d;
}

static PyObject *Guest_get_eptp(GuestObject *self, void *c)
{
	return u64(self->eptp);
}

static PyObject *Guest_get_vmcs(GuestObject *self, void *c)
{
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < self->nr_vmcs; i++) {
		PyObject *v = u64(self->vmcs[i]);
		if (!v || PyList_Append(l, v))
			Py_CLEAR(l);
		Py_XDECREF(v);
	}
	return l;
}

static PyObject *Guest_get_provenance(GuestObject *self, void *c)
{
	GUEST_CHECK(self);
	return str_or_none(gc_guest_provenance(self->g));
}

static PyObject *Guest_get_host(GuestObject *self, void *c)
{
	if (!self->host)
		Py_RETURN_NONE;
	return Py_NewRef(self->host);
}

static PyObject *ram_map_dict(const struct gc_qemu_ram_map *map);

static PyObject *Guest_get_core(GuestObject *self, void *c)
{
	if (!self->qcore)
		Py_RETURN_NONE;
	return Py_NewRef(self->qcore);
}

static PyObject *Guest_get_ram_map(GuestObject *self, void *c)
{
	if (!self->map)
		Py_RETURN_NONE;
	return ram_map_dict(self->map);
}

static PyObject *Guest_dump(GuestObject *self, PyObject *unused)
{
	GUEST_CHECK(self);
	if (!self->dump) {
		self->dump = (PyObject *)dump_wrap(gc_guest_dump(self->g), false,
						   (PyObject *)self, self->lk);
		if (!self->dump)
			return NULL;
	}
	return Py_NewRef(self->dump);
}

static PyObject *Guest_vcpus(GuestObject *self, PyObject *unused)
{
	GUEST_CHECK(self);
	unsigned int n = gc_guest_nr_vcpus(self->g);
	PyObject *l = PyList_New(0);
	for (unsigned int i = 0; l && i < n; i++) {
		struct gc_vcpu v;
		struct gc_error *err;
		NOGIL(self->lk, err = gc_guest_vcpu(self->g, i, &v));
		if (err) {
			Py_DECREF(l);
			return raise_gc(err, guest_file(self));
		}
		PyObject *d = vcpu_dict(&v);
		if (!d || PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
	}
	return l;
}

static PyObject *Guest_counts(GuestObject *self, PyObject *unused)
{
	GUEST_CHECK(self);
	const struct gc_guest_counts *c = gc_guest_counts(self->g);
	return Py_BuildValue("{sKsKsKsK}", "frames_mapped",
			     (unsigned long long)c->frames_mapped,
			     "frames_present",
			     (unsigned long long)c->frames_present,
			     "frames_missing",
			     (unsigned long long)c->frames_missing,
			     "frames_not_ram",
			     (unsigned long long)c->frames_not_ram);
}

static PyObject *Guest_gaps(GuestObject *self, PyObject *unused)
{
	GUEST_CHECK(self);
	size_t n;
	const struct gc_guest_gap *g = gc_guest_gaps(self->g, &n);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < n; i++) {
		PyObject *d = Py_BuildValue(
			"{sKsKsKssss}", "gfn", (unsigned long long)g[i].gfn,
			"count", (unsigned long long)g[i].count, "target",
			(unsigned long long)g[i].target, "state",
			gc_page_state_name(g[i].state), "reason",
			g[i].reason ? g[i].reason : "");
		if (!d || PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
	}
	return l;
}

static PyObject *Guest_findings(GuestObject *self, PyObject *unused)
{
	GUEST_CHECK(self);
	return report_list(gc_guest_findings(self->g));
}

static PyObject *Guest_translate(GuestObject *self, PyObject *arg)
{
	uint64_t gpa, target, len;
	if (!parse_u64(arg, &gpa))
		return NULL;
	GUEST_CHECK(self);
	struct gc_error *err;
	NOGIL(self->lk, err = gc_guest_translate(self->g, gpa, &target, &len));
	if (err)
		return raise_gc(err, guest_file(self));
	return Py_BuildValue("(KK)", (unsigned long long)target,
			     (unsigned long long)len);
}

static PyObject *Guest_extract(GuestObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "output", "format", "codec", "force",
				  "progress", "verify", NULL };
	PyObject *out_o, *progress = Py_None;
	const char *fmt = NULL, *codec = NULL;
	int force = 0, verify = 0;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&|zzpOp", kwlist,
					 PyUnicode_FSConverter, &out_o, &fmt,
					 &codec, &force, &progress, &verify))
		return NULL;
	PyObject *ret = NULL;
	struct gc_convert_opts o;
	memset(&o, 0, sizeof(o));
	if (self->closed || !self->g || !guest_source_usable(self)) {
		if (!PyErr_Occurred())
			PyErr_SetString(PyExc_ValueError, "the guest is closed");
		goto out;
	}
	if (!parse_out_format(fmt, &o.format) || !parse_codec(codec, &o.codec))
		goto out;
	if (progress != Py_None && !PyCallable_Check(progress)) {
		PyErr_SetString(PyExc_TypeError, "progress must be callable");
		goto out;
	}
	o.force = force;
	struct progress_ctx pc = { .callback = progress == Py_None ? NULL
								   : progress,
				   .lk = self->lk };
	o.progress = progress_cb;
	o.progress_arg = &pc;
	o.cancel = &pc.cancel;
	const char *out = PyBytes_AS_STRING(out_o);
	struct gc_guest_extract_result r;
	memset(&r, 0, sizeof(r));
	struct gc_error *err;
	NOGIL(self->lk, err = gc_guest_extract(self->g, out, &o, &r));
	if (!progress_finish(&pc, err, guest_file(self))) {
		gc_guest_extract_result_free(&r);
		goto out;
	}
	ret = convert_stats_dict(&r.stats);
	if (ret && dset(ret, "vmcoreinfo_source",
			str_or_none(r.vmcoreinfo_status)))
		Py_CLEAR(ret);
	gc_guest_extract_result_free(&r);
	if (ret && verify) {
		struct gc_verify_stats vs;
		memset(&vs, 0, sizeof(vs));
		NOGIL(self->lk, err = gc_guest_verify(self->g, out, &o, &vs));
		if (err) {
			Py_CLEAR(ret);
			raise_gc(err, guest_file(self));
		} else if (verify_into(ret, &vs)) {
			Py_CLEAR(ret);
		}
	}
out:
	Py_DECREF(out_o);
	return ret;
}

/* Marks the guest (and its Dump) closed; the library guest is freed when
 * the last object using it goes. */
static PyObject *Guest_close(GuestObject *self, PyObject *unused)
{
	self->closed = true;
	if (self->dump)
		((DumpObject *)self->dump)->closed = true;
	Py_CLEAR(self->dump);
	Py_RETURN_NONE;
}

/* ---- QEMU process cores (the "qemu" guest source) ------------------------- */

static int qcore_usable(QemuCoreObject *self)
{
	if (self->closed || !self->core) {
		PyErr_SetString(PyExc_ValueError, "the QEMU process core is closed");
		return 0;
	}
	if (self->lk->callback_thread &&
	    self->lk->callback_thread == PyThread_get_thread_ident()) {
		PyErr_SetString(PyExc_RuntimeError,
				"a progress callback cannot use the core being "
				"extracted (or anything opened from it)");
		return 0;
	}
	return 1;
}

#define QCORE_CHECK(self)                 \
	do {                              \
		if (!qcore_usable(self))  \
			return NULL;      \
	} while (0)

static void qcore_free_now(QemuCoreObject *self)
{
	if (self->core)
		gc_qemu_core_close(self->core);
	self->core = NULL;
}

static void qcore_unuse(QemuCoreObject *self)
{
	if (--self->users == 0 && self->closed)
		qcore_free_now(self);
}

/* guestcore.open_qemu_core(path) */
static PyObject *mod_open_qemu_core(PyObject *mod, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", NULL };
	PyObject *path_o;
	if (!PyArg_ParseTupleAndKeywords(args, kw, "O&", kwlist,
					 PyUnicode_FSConverter, &path_o))
		return NULL;
	const char *path = PyBytes_AS_STRING(path_o);
	struct gc_qemu_core *core = NULL;
	struct gc_error *err;
	Py_BEGIN_ALLOW_THREADS
	err = gc_qemu_core_open(path, &core);
	Py_END_ALLOW_THREADS
	if (err) {
		PyObject *r = raise_gc(err, path);
		Py_DECREF(path_o);
		return r;
	}
	QemuCoreObject *o = PyObject_New(QemuCoreObject, &QemuCoreType);
	if (!o) {
		gc_qemu_core_close(core);
		Py_DECREF(path_o);
		return NULL;
	}
	o->core = core;
	o->closed = false;
	o->users = 0;
	o->path = PyMem_Malloc(strlen(path) + 1);
	if (o->path)
		strcpy(o->path, path);
	Py_DECREF(path_o);
	o->lk = lock_new();
	if (!o->lk || !o->path) {
		bool no_path = !o->path;
		Py_DECREF(o);
		return no_path ? PyErr_NoMemory() : NULL;
	}
	return (PyObject *)o;
}

static void QemuCore_dealloc(QemuCoreObject *self)
{
	qcore_free_now(self);
	lock_put(self->lk);
	PyMem_Free(self->path);
	PyObject_Del(self);
}

static PyObject *QemuCore_close(QemuCoreObject *self, PyObject *unused)
{
	self->closed = true;
	if (self->users == 0)
		qcore_free_now(self);
	Py_RETURN_NONE;
}

static PyObject *QemuCore_enter(QemuCoreObject *self, PyObject *unused)
{
	return Py_NewRef(self);
}

static PyObject *QemuCore_exit(QemuCoreObject *self, PyObject *args)
{
	return QemuCore_close(self, NULL);
}

static PyObject *QemuCore_get_path(QemuCoreObject *self, void *c)
{
	return str_or_none(self->path);
}

static PyObject *QemuCore_get_closed(QemuCoreObject *self, void *c)
{
	return PyBool_FromLong(self->closed);
}

static PyObject *QemuCore_get_file_size(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	return u64(gc_qemu_core_file_size(self->core));
}

static PyObject *QemuCore_get_executable(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	return str_or_none(gc_qemu_core_exe(self->core));
}

static PyObject *QemuCore_get_command_line(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	const char *const *argv;
	const char *src;
	size_t argc = gc_qemu_core_argv(self->core, &argv, &src);
	if (!argc)
		Py_RETURN_NONE;
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < argc; i++) {
		PyObject *a = str_or_none(argv[i]);
		if (!a || PyList_Append(l, a))
			Py_CLEAR(l);
		Py_XDECREF(a);
	}
	return l;
}

static PyObject *QemuCore_get_command_line_source(QemuCoreObject *self,
						  void *c)
{
	QCORE_CHECK(self);
	const char *const *argv;
	const char *src;
	if (!gc_qemu_core_argv(self->core, &argv, &src))
		Py_RETURN_NONE;
	return str_or_none(src);
}

static PyObject *QemuCore_get_problems(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < gc_qemu_core_nr_problems(self->core); i++) {
		PyObject *a = str_or_none(gc_qemu_core_problem(self->core, i));
		if (!a || PyList_Append(l, a))
			Py_CLEAR(l);
		Py_XDECREF(a);
	}
	return l;
}

static PyObject *QemuCore_get_nr_segments(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	return u64(gc_qemu_core_nr_segments(self->core));
}

static PyObject *QemuCore_get_nr_mapped_files(QemuCoreObject *self, void *c)
{
	QCORE_CHECK(self);
	return u64(gc_qemu_core_nr_files(self->core));
}

/* NT_PRSTATUS order (enum gc_qemu_thread_reg) */
static const char *const qemu_reg_names[GC_QREG_COUNT] = {
	"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8",
	"rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "rflags",
	"rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs",
};

static PyObject *QemuCore_threads(QemuCoreObject *self, PyObject *unused)
{
	QCORE_CHECK(self);
	PyObject *l = PyList_New(0);
	for (size_t i = 0; l && i < gc_qemu_core_nr_threads(self->core); i++) {
		const struct gc_qemu_thread *t = gc_qemu_core_thread(self->core, i);
		PyObject *regs = PyDict_New(), *d = NULL;
		for (int r = 0; regs && r < GC_QREG_COUNT; r++)
			if (dset(regs, qemu_reg_names[r], u64(t->regs[r])))
				Py_CLEAR(regs);
		if (regs)
			d = Py_BuildValue("{sIsIsKsO}", "pid", t->pid, "signo",
					  t->signo, "note_offset",
					  (unsigned long long)t->note_offset,
					  "regs", regs);
		Py_XDECREF(regs);
		if (!d || PyList_Append(l, d))
			Py_CLEAR(l);
		Py_XDECREF(d);
	}
	return l;
}

static PyObject *ram_map_dict(const struct gc_qemu_ram_map *map)
{
	PyObject *ranges = PyList_New(0), *notes = PyList_New(0);
	for (size_t i = 0; ranges && i < map->nr_ranges; i++) {
		const struct gc_qemu_ram_range *r = &map->ranges[i];
		PyObject *d = Py_BuildValue("{sKsKsKsN}", "gpa",
					    (unsigned long long)r->gpa, "size",
					    (unsigned long long)r->size, "hva",
					    (unsigned long long)r->hva, "block",
					    str_or_none(r->name));
		if (!d || PyList_Append(ranges, d))
			Py_CLEAR(ranges);
		Py_XDECREF(d);
	}
	for (size_t i = 0; notes && i < map->nr_notes; i++) {
		PyObject *n = str_or_none(map->notes[i]);
		if (!n || PyList_Append(notes, n))
			Py_CLEAR(notes);
		Py_XDECREF(n);
	}
	PyObject *d = PyDict_New();
	if (!d || !ranges || !notes ||
	    dset(d, "method", PyUnicode_FromString(
			    gc_qemu_ram_method_name(map->method))) ||
	    dset(d, "why", str_or_none(map->why)) ||
	    dset(d, "machine", str_or_none(map->machine)) ||
	    dset(d, "ram_size", u64(map->ram_size)) ||
	    dset(d, "ranges", Py_NewRef(ranges)) ||
	    dset(d, "notes", Py_NewRef(notes)))
		Py_CLEAR(d);
	Py_XDECREF(ranges);
	Py_XDECREF(notes);
	return d;
}

/* The RAM map options, as `extract-qemu` takes them. */
struct qemu_ram_args {
	struct gc_qemu_ram_range *ram;
	size_t nr_ram;
	char *mtree;           /* PyMem */
	size_t mtree_len;
	PyObject *machine_o;   /* bytes */
	uint64_t ram_size;
};

static void qemu_ram_args_free(struct qemu_ram_args *a)
{
	PyMem_Free(a->ram);
	PyMem_Free(a->mtree);
	Py_XDECREF(a->machine_o);
}

/* One --ram value: "GPA:SIZE@HVA" or (gpa, size, hva). */
static int parse_ram_item(PyObject *o, struct gc_qemu_ram_range *r)
{
	memset(r, 0, sizeof(*r));
	if (PyUnicode_Check(o)) {
		const char *s = PyUnicode_AsUTF8(o);
		if (!s)
			return 0;
		struct gc_error *err = gc_qemu_parse_ram_arg(s, r);
		if (err) {
			raise_gc(err, NULL);
			return 0;
		}
		return 1;
	}
	if (PyTuple_Check(o) && PyTuple_GET_SIZE(o) == 3 &&
	    parse_u64(PyTuple_GET_ITEM(o, 0), &r->gpa) &&
	    parse_u64(PyTuple_GET_ITEM(o, 1), &r->size) &&
	    parse_u64(PyTuple_GET_ITEM(o, 2), &r->hva))
		return 1;
	if (!PyErr_Occurred())
		PyErr_Format(PyExc_TypeError, "a RAM range is 'GPA:SIZE@HVA' or "
			     "(gpa, size, hva), not %R", o);
	return 0;
}

/* Monitor text of at most 64 MiB from PATH (as extract-qemu --mtree). */
static int read_mtree(PyObject *path_b, struct qemu_ram_args *a)
{
	const char *path = PyBytes_AS_STRING(path_b);
	FILE *f = fopen(path, "rb");
	if (!f) {
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
		return 0;
	}
	size_t cap = 1u << 16, n = 0;
	char *buf = PyMem_Malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		if (cap >= (64u << 20)) {
			fclose(f);
			PyMem_Free(buf);
			PyErr_Format(PyExc_ValueError, "%s: monitor text over 64 MiB",
				     path);
			return 0;
		}
		cap *= 2;
		char *nb = PyMem_Realloc(buf, cap + 1);
		if (!nb)
			PyMem_Free(buf);
		buf = nb;
	}
	bool bad = buf && ferror(f);
	fclose(f);
	if (!buf) {
		PyErr_NoMemory();
		return 0;
	}
	if (bad) {
		PyMem_Free(buf);
		PyErr_SetFromErrnoWithFilename(PyExc_OSError, path);
		return 0;
	}
	buf[n] = '\0';
	a->mtree = buf;
	a->mtree_len = n;
	return 1;
}

static int parse_qemu_ram_args(PyObject *args, PyObject *kw,
			       struct qemu_ram_args *a)
{
	static char *kwlist[] = { "ram", "mtree", "mtree_text", "machine",
				  "ram_size", NULL };
	PyObject *ram = Py_None, *mtree = Py_None, *text = Py_None,
		 *machine = Py_None, *size = Py_None;
	memset(a, 0, sizeof(*a));
	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOOOO", kwlist, &ram,
					 &mtree, &text, &machine, &size))
		return 0;
	if (ram != Py_None) {
		if (PyUnicode_Check(ram) || PyTuple_Check(ram)) {
			a->ram = PyMem_Calloc(1, sizeof(*a->ram));
			if (!a->ram) {
				PyErr_NoMemory();
				return 0;
			}
			if (!parse_ram_item(ram, &a->ram[0]))
				return 0;
			a->nr_ram = 1;
		} else {
			PyObject *seq = PySequence_Fast(ram, "ram must be a "
							"sequence of ranges");
			if (!seq)
				return 0;
			Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
			a->ram = PyMem_Calloc(n ? (size_t)n : 1, sizeof(*a->ram));
			if (!a->ram) {
				Py_DECREF(seq);
				PyErr_NoMemory();
				return 0;
			}
			for (Py_ssize_t i = 0; i < n; i++) {
				if (!parse_ram_item(PySequence_Fast_GET_ITEM(seq, i),
						    &a->ram[i])) {
					Py_DECREF(seq);
					return 0;
				}
				a->nr_ram++;
			}
			Py_DECREF(seq);
		}
	}
	if (mtree != Py_None && text != Py_None) {
		PyErr_SetString(PyExc_ValueError,
				"give mtree (a file) or mtree_text, not both");
		return 0;
	}
	if (mtree != Py_None) {
		PyObject *b;
		if (!PyUnicode_FSConverter(mtree, &b))
			return 0;
		int ok = read_mtree(b, a);
		Py_DECREF(b);
		if (!ok)
			return 0;
	} else if (text != Py_None) {
		const char *t;
		Py_ssize_t n;
		if (PyUnicode_Check(text)) {
			if (!(t = PyUnicode_AsUTF8AndSize(text, &n)))
				return 0;
		} else if (PyBytes_Check(text)) {
			t = PyBytes_AS_STRING(text);
			n = PyBytes_GET_SIZE(text);
		} else {
			PyErr_SetString(PyExc_TypeError,
					"mtree_text must be str or bytes");
			return 0;
		}
		if (!(a->mtree = PyMem_Malloc((size_t)n + 1))) {
			PyErr_NoMemory();
			return 0;
		}
		memcpy(a->mtree, t, (size_t)n);
		a->mtree[n] = '\0';
		a->mtree_len = (size_t)n;
	}
	if (machine != Py_None &&
	    !(a->machine_o = PyUnicode_AsUTF8String(machine)))
		return 0;
	if (size != Py_None) {
		if (PyLong_Check(size)) {
			if (!parse_u64(size, &a->ram_size))
				return 0;
		} else if (PyUnicode_Check(size)) {
			/* SIZE with K/M/G as --ram-size takes it */
			const char *s = PyUnicode_AsUTF8(size);
			char buf[96];
			struct gc_qemu_ram_range tmp;
			if (!s)
				return 0;
			snprintf(buf, sizeof(buf), "0:%s@0", s);
			struct gc_error *err = gc_qemu_parse_ram_arg(buf, &tmp);
			if (err) {
				gc_error_free(err);
				PyErr_Format(PyExc_ValueError, "bad ram_size '%s'", s);
				return 0;
			}
			a->ram_size = tmp.size;
		} else {
			PyErr_SetString(PyExc_TypeError,
					"ram_size must be an int or a size string");
			return 0;
		}
	}
	return 1;
}

/* Build the RAM map from ARGS/KW into a new PyMem map, or NULL. */
static struct gc_qemu_ram_map *qcore_map(QemuCoreObject *self, PyObject *args,
					 PyObject *kw)
{
	struct qemu_ram_args a;
	if (!parse_qemu_ram_args(args, kw, &a)) {
		qemu_ram_args_free(&a);
		return NULL;
	}
	struct gc_qemu_ram_map *map = PyMem_Calloc(1, sizeof(*map));
	if (!map) {
		qemu_ram_args_free(&a);
		return (struct gc_qemu_ram_map *)PyErr_NoMemory();
	}
	struct gc_qemu_ram_opts o = {
		.explicit_ranges = a.ram, .nr_explicit = a.nr_ram,
		.mtree_text = a.mtree, .mtree_len = a.mtree_len,
		.machine = a.machine_o ? PyBytes_AS_STRING(a.machine_o) : NULL,
		.ram_size = a.ram_size,
	};
	struct gc_error *err;
	NOGIL(self->lk, err = gc_qemu_ram_map_build(self->core, &o, map));
	qemu_ram_args_free(&a);
	if (err) {
		gc_qemu_ram_map_free(map);
		PyMem_Free(map);
		raise_gc(err, self->path);
		return NULL;
	}
	return map;
}

static PyObject *QemuCore_ram_map(QemuCoreObject *self, PyObject *args,
				  PyObject *kw)
{
	QCORE_CHECK(self);
	struct gc_qemu_ram_map *map = qcore_map(self, args, kw);
	if (!map)
		return NULL;
	PyObject *d = ram_map_dict(map);
	gc_qemu_ram_map_free(map);
	PyMem_Free(map);
	return d;
}

static PyObject *QemuCore_guest(QemuCoreObject *self, PyObject *args,
				PyObject *kw)
{
	QCORE_CHECK(self);
	struct gc_qemu_ram_map *map = qcore_map(self, args, kw);
	if (!map)
		return NULL;
	GuestObject *go = PyObject_GC_New(GuestObject, &GuestType);
	if (!go) {
		gc_qemu_ram_map_free(map);
		PyMem_Free(map);
		return NULL;
	}
	go->g = NULL;
	go->closed = false;
	go->host = NULL;
	go->db = NULL;
	go->kernel = NULL;
	go->lk = lock_get(self->lk);
	go->dump = NULL;
	go->eptp = 0;
	go->nr_vmcs = 0;
	go->qcore = (QemuCoreObject *)Py_NewRef(self);
	self->users++;
	go->map = map;
	go->vmcs = PyMem_Calloc(1, sizeof(uint64_t));
	PyObject_GC_Track(go);
	if (!go->vmcs) {
		Py_DECREF(go);
		return PyErr_NoMemory();
	}
	struct gc_guest_args ga = { .core = self->core, .ram_map = map };
	struct gc_error *err;
	NOGIL(self->lk, err = gc_guest_open("qemu", &ga, &go->g));
	if (err) {
		Py_DECREF(go);
		return raise_gc(err, self->path);
	}
	return (PyObject *)go;
}

#define QEMU_RAM_KW "ram=None, mtree=None, mtree_text=None, machine=None, " \
		    "ram_size=None"

static PyMethodDef QemuCore_methods[] = {
	{ "guest", (PyCFunction)(void (*)(void))QemuCore_guest,
	  METH_VARARGS | METH_KEYWORDS,
	  "guest(" QEMU_RAM_KW ") -> Guest\n\nThe guest whose RAM the process "
	  "held (source 'qemu'), placed by the RAM map `extract-qemu` builds "
	  "from the same options: RAM, 'GPA:SIZE@HVA' strings or (gpa, size, "
	  "hva) tuples (--ram); MTREE, a file of saved `info mtree -f` / `info "
	  "ramblock` monitor text (--mtree), or MTREE_TEXT, that text itself; "
	  "MACHINE ('pc', 'q35', ...) and RAM_SIZE (int, or '128M') when the "
	  "core's command line does not say (--machine, --ram-size).  With "
	  "none of them, the mapping is recognised from the command line and "
	  "the machine's layout.  The guest has no vCPU registers (a process "
	  "core holds the host threads')." },
	{ "ram_map", (PyCFunction)(void (*)(void))QemuCore_ram_map,
	  METH_VARARGS | METH_KEYWORDS,
	  "ram_map(" QEMU_RAM_KW ") -> dict\n\nThe guest RAM map those options"
	  " give (`extract-qemu --dry-run --json`'s keys: method, why, machine,"
	  " ram_size, ranges, notes)." },
	{ "threads", (PyCFunction)QemuCore_threads, METH_NOARGS,
	  "threads() -> list[dict]\n\nThe host threads (NT_PRSTATUS): pid, "
	  "signo, note_offset, regs (user_regs_struct names).  Not the "
	  "guest's vCPUs." },
	{ "close", (PyCFunction)QemuCore_close, METH_NOARGS,
	  "close()\n\nLater calls raise ValueError; the file is closed when "
	  "no Guest opened from it is alive." },
	{ "__enter__", (PyCFunction)QemuCore_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)QemuCore_exit, METH_VARARGS, NULL },
	{ NULL }
};

static PyGetSetDef QemuCore_getset[] = {
	{ "path", (getter)QemuCore_get_path, NULL, NULL, NULL },
	{ "closed", (getter)QemuCore_get_closed, NULL, NULL, NULL },
	{ "file_size", (getter)QemuCore_get_file_size, NULL, NULL, NULL },
	{ "executable", (getter)QemuCore_get_executable, NULL,
	  "the executable's path (NT_FILE / AT_EXECFN / NT_PRPSINFO), or ''",
	  NULL },
	{ "command_line", (getter)QemuCore_get_command_line, NULL,
	  "QEMU's argv (list), or None when not recovered", NULL },
	{ "command_line_source", (getter)QemuCore_get_command_line_source, NULL,
	  "where command_line came from, or None", NULL },
	{ "problems", (getter)QemuCore_get_problems, NULL,
	  "damage noticed while opening (list of lines)", NULL },
	{ "nr_segments", (getter)QemuCore_get_nr_segments, NULL, NULL, NULL },
	{ "nr_mapped_files", (getter)QemuCore_get_nr_mapped_files, NULL, NULL,
	  NULL },
	{ NULL }
};

/* ---- tables ------------------------------------------------------------------- */

static PyMethodDef Dump_methods[] = {
	{ "close", (PyCFunction)Dump_close, METH_NOARGS,
	  "close()\n\nClose the dump (also done when the object goes away)." },
	{ "__enter__", (PyCFunction)Dump_enter, METH_NOARGS, NULL },
	{ "__exit__", (PyCFunction)Dump_exit, METH_VARARGS, NULL },
	{ "fields", (PyCFunction)Dump_fields, METH_NOARGS,
	  "fields() -> list[(name, text, number | None)]\n\n"
	  "The format's header fields, in the order `guestcore info` shows "
	  "them." },
	{ "frame_runs", (PyCFunction)(void (*)(void))Dump_frame_runs,
	  METH_VARARGS | METH_KEYWORDS,
	  "frame_runs(space='phys') -> list[(first_frame, count)]\n\n"
	  "Runs of frames with data in SPACE ('phys' or 'mach')." },
	{ "read", (PyCFunction)(void (*)(void))Dump_read,
	  METH_VARARGS | METH_KEYWORDS,
	  "read(address, size, space='phys', fill=False) -> bytes\n\n"
	  "SIZE bytes at ADDRESS of SPACE: 'phys' (pseudo-physical), 'mach' "
	  "(Xen machine) or 'kvirt' (kernel virtual, through the default "
	  "kernel view).  A page the dump does not hold raises "
	  "NotPresentError naming the address; with fill=True (phys, mach) "
	  "it reads as zeroes and the result is (bytes, pages_filled)." },
	{ "page_state", (PyCFunction)(void (*)(void))Dump_page_state,
	  METH_VARARGS | METH_KEYWORDS,
	  "page_state(frame, space='phys') -> str\n\n"
	  "'present', 'zero', 'excluded', 'absent' or 'truncated'." },
	{ "pfn_to_mfn", (PyCFunction)Dump_pfn_to_mfn, METH_O,
	  "pfn_to_mfn(pfn) -> int\n\nWith the dump's own index (identity "
	  "without a machine space)." },
	{ "mfn_to_pfn", (PyCFunction)Dump_mfn_to_pfn, METH_O,
	  "mfn_to_pfn(mfn) -> int" },
	{ "vcpus", (PyCFunction)Dump_vcpus, METH_NOARGS,
	  "vcpus() -> list[dict]\n\nEach vCPU: id, arch, width, source, pid, "
	  "xen_flags, pgd, pgd_space and regs (name -> value, the registers "
	  "the dump has)." },
	{ "check", (PyCFunction)(void (*)(void))Dump_check,
	  METH_VARARGS | METH_KEYWORDS,
	  "check(deep=False, kernel=True) -> list[dict]\n\nEvery finding of "
	  "`guestcore check` (severity, code, message, offset): the dump's, "
	  "then with KERNEL the kernel layer's (or a note why it could not "
	  "run)." },
	{ "vmcoreinfo", (PyCFunction)Dump_vmcoreinfo, METH_NOARGS,
	  "vmcoreinfo() -> str | None\n\nThe VMCOREINFO the dump's own "
	  "metadata carries (Kernel.vmcoreinfo() also finds it in memory)." },
	{ "notes", (PyCFunction)Dump_notes, METH_NOARGS,
	  "notes() -> list[(name, type, desc, offset)]" },
	{ "kernel", (PyCFunction)(void (*)(void))Dump_kernel,
	  METH_VARARGS | METH_KEYWORDS,
	  "kernel(vmcoreinfo=None, system_map=None, vmlinux=None, "
	  "kallsyms='auto') -> Kernel\n\nThe kernel view: translation, "
	  "symbols, log.  Without arguments the dump's default view (opened "
	  "once)." },
	{ "convert", (PyCFunction)(void (*)(void))Dump_convert,
	  METH_VARARGS | METH_KEYWORDS,
	  "convert(output, format='elf', codec=None, exclude_zero=False, "
	  "force=False, progress=None, kernel=True, verify=False, threads=0)"
	  " -> dict\n\nWrite the dump as an ELF vmcore or a kdump-compressed "
	  "file, as `guestcore convert` does (same bytes).  PROGRESS(done, "
	  "total) is called now and then; an exception it raises, or Ctrl-C, "
	  "stops the work, removes the partial output and propagates." },
	{ "guests", (PyCFunction)(void (*)(void))Dump_guests,
	  METH_VARARGS | METH_KEYWORDS,
	  "guests(source=None) -> list[Guest]\n\nThe KVM guests in a host "
	  "dump, as `guestcore extract --all` finds them: the VMs on the "
	  "host kernel's vm_list (source 'kvm', `guestcore guests` order; "
	  "Guest.kvm describes the VM), else those the VMCS scan finds "
	  "(source 'vmx', one per EPTP).  SOURCE 'kvm' or 'vmx' asks only "
	  "that one." },
	{ NULL }
};

static PyGetSetDef Dump_getset[] = {
	{ "path", (getter)Dump_get_path, NULL, "the dump's file", NULL },
	{ "format", (getter)Dump_get_format, NULL,
	  "format name as `guestcore info` prints it", NULL },
	{ "container", (getter)Dump_get_container, NULL,
	  "'plain', 'flattened', 'window', 'concatenated'", NULL },
	{ "page_size", (getter)Dump_get_page_size, NULL, NULL, NULL },
	{ "file_size", (getter)Dump_get_file_size, NULL, NULL, NULL },
	{ "nr_vcpus", (getter)Dump_get_nr_vcpus, NULL, NULL, NULL },
	{ "nr_frames", (getter)Dump_get_nr_frames, NULL,
	  "frames with data (or a zero marker)", NULL },
	{ "has_mach", (getter)Dump_get_has_mach, NULL,
	  "True for a dump with a Xen machine (mfn) space", NULL },
	{ "closed", (getter)Dump_get_closed, NULL, NULL, NULL },
	{ NULL }
};

static PyMethodDef Kernel_methods[] = {
	{ "read", (PyCFunction)Kernel_read, METH_VARARGS,
	  "read(address, size) -> bytes\n\nKernel virtual memory." },
	{ "read_u64", (PyCFunction)Kernel_read_u64, METH_O,
	  "read_u64(address) -> int" },
	{ "vtop", (PyCFunction)Kernel_vtop, METH_O,
	  "vtop(address) -> int\n\nKernel virtual -> guest physical." },
	{ "walk", (PyCFunction)(void (*)(void))Kernel_walk,
	  METH_VARARGS | METH_KEYWORDS,
	  "walk(address, root=None) -> dict\n\nThe page-table walk level by "
	  "level (as `guestcore vtop --json`); ROOT is a cr3 value." },
	{ "symbol", (PyCFunction)Kernel_symbol, METH_O,
	  "symbol(name) -> (name, address, type, source, None)" },
	{ "symbol_at", (PyCFunction)Kernel_symbol_at, METH_O,
	  "symbol_at(address) -> (name, address, type, source, offset)\n\n"
	  "The symbol at or below ADDRESS." },
	{ "log", (PyCFunction)Kernel_log, METH_NOARGS,
	  "log() -> (text, source)\n\nThe kernel log as dmesg prints it and "
	  "the buffer layout it was read with." },
	{ "facts", (PyCFunction)Kernel_facts, METH_NOARGS,
	  "facts() -> dict[name, dict]\n\nEvery kernel fact (osrelease, "
	  "kaslr_offset, page_offset, ...) with its value, text, type, origin,"
	  " source and space." },
	{ "fact", (PyCFunction)Kernel_fact, METH_O,
	  "fact(name) -> dict | None" },
	{ "vmcoreinfo", (PyCFunction)Kernel_vmcoreinfo, METH_NOARGS,
	  "vmcoreinfo() -> str | None\n\nThe VMCOREINFO in use (the dump's, a"
	  " file's, or found in guest memory)." },
	{ "notes", (PyCFunction)Kernel_notes, METH_NOARGS,
	  "notes() -> list[str]\n\nFallbacks taken while opening." },
	{ "cpu_task", (PyCFunction)Kernel_cpu_task, METH_O,
	  "cpu_task(cpu) -> (task_address, pid)\n\nThe task CPU was running."},
	{ "tasks", (PyCFunction)Kernel_tasks, METH_NOARGS,
	  "tasks() -> list[Task]\n\nEvery task as `guestcore ps` lists "
	  "them: each CPU's idle task first, then each process and its "
	  "threads.  A damaged list raises (the error names the address); "
	  "the exception's `tasks` holds the tasks read before the damage, "
	  "which are not the whole list." },
	{ "task", (PyCFunction)Kernel_task, METH_O,
	  "task(pid) -> Task\n\nThe task with PID (0: CPU 0's idle task); "
	  "NotPresentError when none has it." },
	{ "sys", (PyCFunction)Kernel_sys, METH_NOARGS,
	  "sys() -> dict\n\n`guestcore sys` beyond the facts: time, "
	  "uptime, load, memory, CPUs, the panic CPU and task; None where "
	  "unknown, 'missing' says why." },
	{ "stack", (PyCFunction)(void (*)(void))Kernel_stack,
	  METH_VARARGS | METH_KEYWORDS,
	  "stack(cpu=None, task=None) -> dict\n\nThe stack trace (`guestcore "
	  "bt`) of the task running on vCPU CPU, or of the task at address "
	  "TASK (from its vCPU's registers when it is running): task, cpu, "
	  "frames (kind 'call', 'exception' or 'user registers' as bt "
	  "--json has it, pc, sp, symbol, offset, module, stack, how; "
	  "exception frames also regs, regs_addr, partial, user), stop, "
	  "stop_reason, orc_layout." },
	{ "modules", (PyCFunction)(void (*)(void))Kernel_modules,
	  METH_VARARGS | METH_KEYWORDS,
	  "modules(symbols=True) -> list[dict]\n\nThe loaded modules "
	  "(`guestcore mod`), each with its own kallsyms as (name, address, "
	  "type) tuples in 'symbols'." },
	{ "module_problems", (PyCFunction)Kernel_module_problems, METH_NOARGS,
	  "module_problems() -> list[str]\n\nDamage the module list walk "
	  "found, one line each." },
	{ "log_records", (PyCFunction)Kernel_log_records, METH_NOARGS,
	  "log_records() -> list[dict]\n\nThe printk records (`guestcore "
	  "log --json`): ts_nsec, seq, level, facility, caller ('T<pid>' or "
	  "'C<cpu>'), text; None where the layout has none." },
	{ "sizeof", (PyCFunction)Kernel_sizeof, METH_O,
	  "sizeof(name) -> int\n\nA type's size from the kernel's types "
	  "(BTF, --vmlinux, VMCOREINFO)." },
	{ "offsetof", (PyCFunction)Kernel_offsetof, METH_VARARGS,
	  "offsetof(name, path) -> int\n\nByte offset of member PATH "
	  "('thread.sp') in type NAME." },
	{ "member", (PyCFunction)Kernel_member, METH_VARARGS,
	  "member(name, path) -> dict\n\nMember PATH of type NAME: name, "
	  "type, offset, bit_offset, bitfield_size, size, source." },
	{ "check", (PyCFunction)Kernel_check, METH_NOARGS,
	  "check() -> list[dict]\n\nXen PV: the guest's p2m against the "
	  "dump's index." },
	{ NULL }
};

static PyGetSetDef Kernel_getset[] = {
	{ "vmcoreinfo_source", (getter)Kernel_get_vmcoreinfo_source, NULL,
	  NULL, NULL },
	{ "is_xen_pv", (getter)Kernel_get_is_xen_pv, NULL, NULL, NULL },
	{ "pgd", (getter)Kernel_get_pgd, NULL,
	  "virtual address of the kernel's top-level page table", NULL },
	{ "dump", (getter)Kernel_get_dump, NULL, NULL, NULL },
	{ NULL }
};

static PyMethodDef Guest_methods[] = {
	{ "dump", (PyCFunction)Guest_dump, METH_NOARGS,
	  "dump() -> Dump\n\nThe guest's memory as a read-only Dump (format "
	  "'guest'): read, vcpus, kernel() work on it." },
	{ "vcpus", (PyCFunction)Guest_vcpus, METH_NOARGS,
	  "vcpus() -> list[dict]" },
	{ "counts", (PyCFunction)Guest_counts, METH_NOARGS,
	  "counts() -> dict\n\nframes_mapped, frames_present, frames_missing,"
	  " frames_not_ram." },
	{ "gaps", (PyCFunction)Guest_gaps, METH_NOARGS,
	  "gaps() -> list[dict]\n\nGuest frames mapped without data." },
	{ "findings", (PyCFunction)Guest_findings, METH_NOARGS,
	  "findings() -> list[dict]" },
	{ "translate", (PyCFunction)Guest_translate, METH_O,
	  "translate(gpa) -> (host_address, run_length)" },
	{ "extract", (PyCFunction)(void (*)(void))Guest_extract,
	  METH_VARARGS | METH_KEYWORDS,
	  "extract(output, format='elf', codec=None, force=False, "
	  "progress=None, verify=False) -> dict\n\nWrite the guest as a "
	  "vmcore (`guestcore extract`); progress as for Dump.convert." },
	{ "close", (PyCFunction)Guest_close, METH_NOARGS, "close()" },
	{ NULL }
};

static PyGetSetDef Guest_getset[] = {
	{ "source", (getter)Guest_get_source, NULL, "'vmx', 'qemu', 'kvm'",
	  NULL },
	{ "eptp", (getter)Guest_get_eptp, NULL, NULL, NULL },
	{ "vmcs", (getter)Guest_get_vmcs, NULL,
	  "host-physical addresses of its VMCS regions", NULL },
	{ "provenance", (getter)Guest_get_provenance, NULL, NULL, NULL },
	{ "kvm", (getter)Guest_get_kvm, NULL,
	  "the VM (kvm source) with `guestcore guests --json`'s keys: kvm, "
	  "vendor, vmm_pid, userspace_pid, comm, name, cmdline, mm, pgd "
	  "(physical), pgd_virt, nr_vcpus, memory_bytes, slots, problems; "
	  "None for other sources",
	  NULL },
	{ "host", (getter)Guest_get_host, NULL,
	  "the host Dump (None for a guest of a QEMU process core)", NULL },
	{ "core", (getter)Guest_get_core, NULL,
	  "the QemuCore (qemu source), else None", NULL },
	{ "ram_map", (getter)Guest_get_ram_map, NULL,
	  "the guest RAM map (qemu source) with `extract-qemu --json`'s keys:"
	  " method, why, machine, ram_size, ranges (gpa, size, hva, block), "
	  "notes; None for other sources", NULL },
	{ NULL }
};

static PyTypeObject DumpType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "guestcore.Dump",
	.tp_basicsize = sizeof(DumpObject),
	.tp_dealloc = (destructor)Dump_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)Dump_traverse,
	.tp_clear = (inquiry)Dump_clear,
	.tp_doc = "A dump opened with guestcore.open().",
	.tp_methods = Dump_methods,
	.tp_getset = Dump_getset,
};

static PyTypeObject KernelType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "guestcore.Kernel",
	.tp_basicsize = sizeof(KernelObject),
	.tp_dealloc = (destructor)Kernel_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)Kernel_traverse,
	.tp_clear = (inquiry)Kernel_clear,
	.tp_doc = "The kernel view of a dump (Dump.kernel()).",
	.tp_methods = Kernel_methods,
	.tp_getset = Kernel_getset,
};

static PyTypeObject GuestType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "guestcore.Guest",
	.tp_basicsize = sizeof(GuestObject),
	.tp_dealloc = (destructor)Guest_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_traverse = (traverseproc)Guest_traverse,
	.tp_clear = (inquiry)Guest_clear,
	.tp_doc = "A guest found inside a host dump (Dump.guests()) or a QEMU "
		  "process core (QemuCore.guest()).",
	.tp_methods = Guest_methods,
	.tp_getset = Guest_getset,
};

static PyTypeObject QemuCoreType = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "guestcore.QemuCore",
	.tp_basicsize = sizeof(QemuCoreObject),
	.tp_dealloc = (destructor)QemuCore_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A core file of a QEMU process "
		  "(guestcore.open_qemu_core()): its guest with guest().",
	.tp_methods = QemuCore_methods,
	.tp_getset = QemuCore_getset,
};

static PyObject *mod_version(PyObject *m, PyObject *unused)
{
	return PyUnicode_FromString(gc_version());
}

static PyMethodDef mod_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))mod_open,
	  METH_VARARGS | METH_KEYWORDS,
	  "open(path, split_files=None, page_size=0, readahead=True) -> Dump"
	  "\n\nOpen any dump guestcore reads (its format is detected).  "
	  "Raises a guestcore.Error naming the file offset when it cannot." },
	{ "open_qemu_core", (PyCFunction)(void (*)(void))mod_open_qemu_core,
	  METH_VARARGS | METH_KEYWORDS,
	  "open_qemu_core(path) -> QemuCore\n\nOpen a core file of a QEMU "
	  "process (gdb gcore or the kernel's), as `extract-qemu` does; its "
	  "guest is QemuCore.guest(...)." },
	{ "version", mod_version, METH_NOARGS,
	  "version() -> str\n\nlibguestcore's version." },
	{ NULL }
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT,
	.m_name = "guestcore._guestcore",
	.m_doc = "libguestcore bindings (use the guestcore package).",
	.m_size = -1,
	.m_methods = mod_methods,
};

static PyObject *new_exc(PyObject *m, const char *name, PyObject *base,
			 PyObject *base2, const char *doc)
{
	char full[64];
	snprintf(full, sizeof(full), "guestcore.%s", name);
	PyObject *bases = base2 ? PyTuple_Pack(2, base, base2) : Py_NewRef(base);
	if (!bases)
		return NULL;
	PyObject *e = PyErr_NewExceptionWithDoc(full, doc, bases, NULL);
	Py_DECREF(bases);
	if (!e || PyModule_AddObjectRef(m, name, e)) {
		Py_XDECREF(e);
		return NULL;
	}
	return e;
}

PyMODINIT_FUNC PyInit__guestcore(void)
{
	if (PyType_Ready(&DumpType) || PyType_Ready(&KernelType) ||
	    PyType_Ready(&GuestType) || PyType_Ready(&QemuCoreType))
		return NULL;
	if (!TaskType && !(TaskType = PyStructSequence_NewType(&task_desc)))
		return NULL;
	PyObject *m = PyModule_Create(&module);
	if (!m)
		return NULL;
	if (!(Error = new_exc(m, "Error", PyExc_Exception, NULL,
			      "A libguestcore error: code, code_name, file, "
			      "offset, address, space, what, why, context.")) ||
	    !(FileError = new_exc(m, "FileError", Error, PyExc_OSError,
				  "The operating system refused a read or "
				  "open.")) ||
	    !(FormatError = new_exc(m, "FormatError", Error, NULL,
				    "The file is not what it claims.")) ||
	    !(TruncatedError = new_exc(m, "TruncatedError", FormatError, NULL,
				       "A structure runs past the end of the "
				       "file.")) ||
	    !(CorruptError = new_exc(m, "CorruptError", FormatError, NULL,
				     "Data failed to decode.")) ||
	    !(NotPresentError = new_exc(m, "NotPresentError", Error, NULL,
					"The page or frame is not in the "
					"dump.")) ||
	    !(ExcludedError = new_exc(m, "ExcludedError", NotPresentError,
				      NULL, "The page was filtered out.")) ||
	    !(InvalidArgumentError = new_exc(m, "InvalidArgumentError", Error,
					     PyExc_ValueError,
					     "A meaningless request.")) ||
	    !(UnsupportedError = new_exc(m, "UnsupportedError", Error, NULL,
					 "Recognised but not handled.")) ||
	    !(TranslationError = new_exc(m, "TranslationError", Error, NULL,
					 "An address translation stopped.")) ||
	    !(CancelledError = new_exc(m, "CancelledError", Error, NULL,
				       "The work was asked to stop."))) {
		Py_DECREF(m);
		return NULL;
	}
	if (PyModule_AddObjectRef(m, "Dump", (PyObject *)&DumpType) ||
	    PyModule_AddObjectRef(m, "Kernel", (PyObject *)&KernelType) ||
	    PyModule_AddObjectRef(m, "Guest", (PyObject *)&GuestType) ||
	    PyModule_AddObjectRef(m, "QemuCore", (PyObject *)&QemuCoreType) ||
	    PyModule_AddObjectRef(m, "Task", (PyObject *)TaskType) ||
	    PyModule_AddStringConstant(m, "__version__", gc_version())) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
