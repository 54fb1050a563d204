# guestcore — GNU make build.
#   make                 library (static + shared), CLI, tools
#   make check           the whole test suite (includes an ASan+UBSan run)
#   make demo            generate a sample Xen dump and run the main commands
#   make install PREFIX=/usr/local
#   make asan            sanitizer build in build-asan/
#   make fuzz            libFuzzer targets (clang) in build-fuzz/
#   make fuzz-long [FUZZ_GOAL=N] [FUZZ_JOBS=N]  fuzz every target to N CPU s (3600), resumable

VERSION    := $(shell sed -n 's/^#define GUESTCORE_VERSION "\(.*\)"/\1/p' include/guestcore/guestcore.h)
PREFIX     ?= /usr/local
BUILD      ?= build
CC         ?= cc
OPT        ?= -O2
SAN        ?=
PKGS       := zlib lzo2 libzstd libdeflate libdw libelf liblzma
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lz -llzo2 -lzstd -ldeflate -ldw -lelf -llzma) -lsnappy -lbz2
WARN       := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS     ?=
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 $(OPT) -g $(WARN) -fPIC \
              -fvisibility=hidden -Iinclude -Isrc/lib $(PKG_CFLAGS) $(SAN) $(CFLAGS)
LDLIBS     := $(PKG_LIBS) -lm -pthread
LDFLAGS    ?=
ALL_LDFLAGS := $(SAN) $(LDFLAGS)

# The Python package (python/guestcore, built by `make python`): against
# /usr/bin/python3's python3-dev, not whatever python3 is first on PATH.
PYTHON     ?= /usr/bin/python3
PY_CFLAGS  := $(shell $(PYTHON)-config --includes 2>/dev/null)
PY_EXT     := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))' 2>/dev/null)
PY_VER     := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
# Debian's python3 searches /usr/lib/python3/dist-packages and
# $(PREFIX)/lib/python3.X/dist-packages for the /usr/local prefix.
PY_SITE    ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/python3/dist-packages,$(PREFIX)/lib/python$(PY_VER)/dist-packages)
PY_PKG     := $(wildcard python/guestcore/*.py python/guestcore/*.pyi) python/guestcore/py.typed
PY_MOD     := $(BUILD)/python/guestcore/_guestcore$(PY_EXT)

LIB_SRC  := $(sort $(shell find src/lib -name '*.c'))
CLI_SRC  := $(sort $(wildcard src/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TOOL_SRC := $(sort $(wildcard tests/fixtures/*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS    := $(TOOL_SRC:tests/fixtures/%.c=$(BUILD)/%)

STATIC   := $(BUILD)/libguestcore.a
SHARED   := $(BUILD)/libguestcore.so.0
BIN      := $(BUILD)/guestcore

all: $(STATIC) $(SHARED) $(BIN) $(TOOLS) $(TESTS) $(BUILD)/guestcore.pc

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

# Compile flags live here: objects are rebuilt when it changes.
$(LIB_OBJ) $(CLI_OBJ): Makefile

$(STATIC): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(SHARED): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libguestcore.so.0 $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)
	ln -sf libguestcore.so.0 $(BUILD)/libguestcore.so

$(BIN): $(CLI_OBJ) $(STATIC)
	$(CC) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(STATIC) $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/harness.o $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/tests/harness.o $(STATIC) $(LDLIBS)

$(BUILD)/tests/harness.o: tests/harness.c tests/harness.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -c $< -o $@

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -c $< -o $@

$(BUILD)/%: $(BUILD)/tests/fixtures/%.o $(STATIC)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

$(BUILD)/guestcore.pc: guestcore.pc.in Makefile
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@PRIVATE_LIBS@|$(PKG_LIBS) -lm -pthread|' $< > $@

# The whole suite: normal build, then the same tests under ASan+UBSan,
# then a few seconds of each fuzz target.  Ends "N passed, N failed".
# The Python tests use $(BUILD)/python (they SKIP without python3-dev).
check: all $(if $(PY_CFLAGS),python)
	@tests/check-all.sh

asan:
	$(MAKE) BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"

check-asan: asan
	BUILD=build-asan ASAN_OPTIONS=detect_leaks=1 tests/run.sh

# The CLI under valgrind's memcheck: no error, no leak (small inputs).
check-valgrind: all
	BUILD=$(BUILD) tests/valgrind_check.sh

# crash and drgn on converted real dumps (downloads a debug vmlinux once).
check-referees: $(BIN)
	BUILD=$(BUILD) tests/referees.sh

# BTF read from the real dumps against the debug vmlinux's DWARF (pahole;
# downloads Debian's debug package once, shared with check-referees).
check-btf: $(BIN)
	BUILD=$(BUILD) tests/btf_dwarf.sh

# bt against drgn's DWARF unwinding of the converted real dumps (drgn and
# the debug vmlinux of check-referees; skipped without them).
check-bt-drgn: $(BIN)
	BUILD=$(BUILD) tests/bt_drgn.sh

# Kernels other than the shared dumps' 6.1 (by default the newest Debian
# 6.12 with a -dbg package, Debian 11's newest 5.10 and unstable's newest
# kernel; GC_KABIS="ABI ..." for others): QEMU dumps made
# by ../shared/tools/make-qemu-dumps.sh (minutes and a ~1 GB debug package
# the first time, kept in ~/.cache/guestcore/kernels/ABI) read by guestcore
# without debuginfo and by drgn with the debug vmlinux (tests/kernel_versions.sh).
check-kernels: all python
	BUILD=$(BUILD) tests/kernel_versions.sh

fuzz:
	$(MAKE) -f tests/fuzz/fuzz.mk

# Fuzz every target until it has FUZZ_GOAL CPU seconds (default the hour
# of issue #13) in tests/fuzz/ledger.tsv, in 10-minute rounds on a corpus
# kept in ~/.cache/guestcore/fuzz-corpus; resumable (docs/fuzzing.md).
# FUZZ_UNTIL=EPOCH stops it at that time; `make fuzz-report` prints the totals.
FUZZ_GOAL ?= 3600
FUZZ_UNTIL ?= 0
FUZZ_JOBS ?= 1
fuzz-long: all
	bash tests/fuzz/campaign.sh --goal $(FUZZ_GOAL) --until $(FUZZ_UNTIL) --jobs $(FUZZ_JOBS) $(FUZZ_TARGETS)
	bash tests/fuzz/campaign.sh --goal $(FUZZ_GOAL) --report

fuzz-report:
	bash tests/fuzz/campaign.sh --goal $(FUZZ_GOAL) --report

demo: all
	tests/demo.sh $(BUILD)

bench: all
	$(MAKE) -C bench BUILD=../$(BUILD)

install: all
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/include/guestcore $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(STATIC) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libguestcore.so.0 $(DESTDIR)$(PREFIX)/lib/libguestcore.so
	install -m 644 include/guestcore/*.h $(DESTDIR)$(PREFIX)/include/guestcore/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@PRIVATE_LIBS@|$(PKG_LIBS) -lm -pthread|' guestcore.pc.in \
	    > $(DESTDIR)$(PREFIX)/lib/pkgconfig/guestcore.pc
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/
	install -m 644 man/guestcore.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	@if [ -n "$(PY_CFLAGS)" ]; then $(MAKE) install-python; \
	 else echo "python3-dev not found: the guestcore Python package is not installed"; fi

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all check asan check-asan check-referees check-valgrind check-btf check-bt-drgn check-kernels fuzz fuzz-long fuzz-report demo bench install clean python install-python
.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# QEMU process cores with RAM above 4 GiB (-m 4200M; slow, ~13 GB of scratch files).
check-qemu-big: all
	@t=$$(mktemp -d /tmp/gcbig.XXXXXX); GC=$(CURDIR)/$(BUILD)/guestcore T=$$t GC_QEMU_BIG=1 \
	    bash tests/cli/test_qemu_core.sh > $$t.log 2>&1; cat $$t.log; rm -rf $$t; \
	    p=$$(grep -c '^PASS' $$t.log); f=$$(grep -c '^FAIL' $$t.log); rm -f $$t.log; \
	    echo "$$p passed, $$f failed"; [ $$f -eq 0 ]

.PHONY: check-qemu-big

# Real KVM hosts made by ../shared/tools/make-kvm-host-dump.sh, both L2
# modes (the script's VMM against its truth.json, a Linux guest under QEMU
# -accel kvm against its own l2.elf) on 4- and 5-level (LA57) hosts, under
# GC_KVM_HOSTS (default ~/.cache/guestcore: kvm-host-{vmm,linux,la57-vmm,
# la57-linux} and any other kvm-host-*/); a missing one is made first
# (many minutes each under TCG; GC_KVM_HOST_MAKE=0 skips it instead).
# The 6 GiB kvm-host-vmm-6g runs when present and is made only with
# GC_KVM_HOST_BIG=1.  See tests/kvm_host_check.sh and docs/kvm.md.
check-kvm-host: all python
	BUILD=$(BUILD) tests/kvm_host_check.sh

.PHONY: check-kvm-host

# Real `virsh save` / `virsh dump` files (libvirt 9.0 + QEMU TCG; made by
# ../shared/tools/make-virsh-dumps.sh into GC_VIRSH_DIR when absent: root,
# libvirtd, minutes per format) against their ELF reference and truth.json,
# and their conversions in crash and drgn.  See docs/qemu-migration.md.
check-virsh: all
	BUILD=$(BUILD) tests/virsh_check.sh

.PHONY: check-virsh

# The Python package (docs/python.md): guestcore/ with the _guestcore
# extension, linked with the static library so it needs no
# LD_LIBRARY_PATH.  Tests use $(BUILD)/python on PYTHONPATH.

python: $(PY_MOD) $(PY_PKG:python/%=$(BUILD)/python/%)

$(BUILD)/python/guestcore/%: python/guestcore/%
	@mkdir -p $(dir $@)
	cp $< $@

$(PY_MOD): python/guestcore/_guestcore.c $(STATIC) $(wildcard include/guestcore/*.h) Makefile
	@mkdir -p $(dir $@)
	@[ -n "$(PY_CFLAGS)" ] || { echo "python3-dev for $(PYTHON) is missing (apt-get install python3-dev)"; exit 1; }
	$(CC) $(ALL_CFLAGS) -Wno-missing-field-initializers \
	    -Wno-cast-function-type $(PY_CFLAGS) -shared -Wl,--exclude-libs,ALL $(ALL_LDFLAGS) -o $@ $< $(STATIC) $(LDLIBS)

install-python: python
	install -d $(DESTDIR)$(PY_SITE)/guestcore
	install -m 644 $(BUILD)/python/guestcore/*.py $(BUILD)/python/guestcore/*.pyi \
	    $(BUILD)/python/guestcore/py.typed $(DESTDIR)$(PY_SITE)/guestcore/
	install -m 755 $(PY_MOD) $(DESTDIR)$(PY_SITE)/guestcore/
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 python/guestcore-drgn $(DESTDIR)$(PREFIX)/bin/
