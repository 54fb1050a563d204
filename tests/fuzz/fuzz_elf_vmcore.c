// SPDX-License-Identifier: MIT
/* libFuzzer target: the ELF vmcore reader (program headers, PN_XNUM,
 * PT_LOAD overlap resolution, PT_NOTE parsing: NT_PRSTATUS, QEMU CPU
 * state, VMCOREINFO) and reads, registers and checks through it.
 * Seeds: tests/fuzz/seeds_kdump.sh. */
#include <string.h>

#define FUZZ_NAME "fuzz_elf_vmcore"

#include "fuzz_dump_common.h"
