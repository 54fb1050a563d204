# libFuzzer targets: every tests/fuzz/fuzz_*.c becomes $(FUZZ_BUILD)/fuzz_*,
# linked with every library source (src/lib/**/*.c) built for fuzzing.
# Add a target by dropping a fuzz_NAME.c (with LLVMFuzzerTestOneInput) in
# tests/fuzz/ -- nothing here needs to change.  See docs/fuzzing.md.
#   make -f tests/fuzz/fuzz.mk [-j2] [FUZZ_BUILD=build-fuzz] [FUZZ_CC=clang]
FUZZ_BUILD ?= build-fuzz
FUZZ_CC    ?= clang
FUZZ_SAN   ?= -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
FUZZ_PKGS  := zlib lzo2 libzstd libdeflate libdw libelf liblzma
FUZZ_PKG_CFLAGS := $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_LIBS  := $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null || \
                echo -lz -llzo2 -lzstd -ldeflate -ldw -lelf -llzma) -lsnappy -lbz2 -lm
# Warnings are not errors here: clang's set differs from gcc's, and one
# noisy file must not stop every developer's target from building.
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -O1 -g \
               -Wall -Wextra -Wno-unused-parameter \
               -Iinclude -Isrc/lib -Itests $(FUZZ_PKG_CFLAGS) $(FUZZ_SAN)

FUZZ_LIB_SRC := $(sort $(shell find src/lib -name '*.c'))
FUZZ_LIB_OBJ := $(FUZZ_LIB_SRC:%.c=$(FUZZ_BUILD)/obj/%.o)
FUZZ_SRC     := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TARGETS := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIB     := $(FUZZ_BUILD)/libguestcore-fuzz.a

all: $(FUZZ_TARGETS)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB) \
	    $(FUZZ_LIBS) -o $@

clean:
	rm -rf $(FUZZ_BUILD)

.PHONY: all clean
-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)
