// SPDX-License-Identifier: MIT
/*
 * Published VMCS layouts of real Intel CPUs.  Facts only: for each
 * revision id, the dword index (byte offset / 4) of each field in the
 * VMCS region, as the research data gives it.  Sources (see docs/vmx.md,
 * "Published layouts"):
 *
 * - Actaeon (M. Graziano, A. Lanzi, D. Balzarotti, "Hypervisor Memory
 *   Forensics", RAID 2013), github.com/eurecom-s3/actaeon,
 *   plugin/hypervisors/vmcs_layouts/: penryn.py, westmere.py, sandy.py
 *   (measured by the Actaeon authors; revision ids 0x0d, 0x0f, 0x10 from
 *   its db.py), nehalem.py and haswell.py (converted by Actaeon's
 *   utils/rekall2actaeon.py from Google Rekall's VMCS profile, which
 *   divided Rekall's byte offsets by 4, so a field's position inside its
 *   dword is lost; revision ids 0x0e and 0x12 are not stated in that data).
 *
 * Each source stores a field little-endian at 4 * index, a 64-bit field in
 * two consecutive dwords (the _HIGH entries of the sources say so).  We
 * keep a field only when the source is self-consistent about it:
 * - a 64-bit field whose _HIGH entry is not at index + 1 is left out;
 * - fields that share a dword with another field in the source are left
 *   out (all of them: we cannot tell which one is right);
 * - from the two Rekall-converted layouts, 16-bit fields are left out
 *   (their position inside the dword was lost in the conversion).
 * The table below was generated from the sources by those rules (the
 * dropped fields are listed in docs/vmx.md).  Penryn's GUEST_DS_BASE is
 * written "00000054" in penryn.py (no 0x; Python 2 would read it as
 * octal): we read it as hex 0x54, the free dword between the DS selector
 * and DS limit cells, like every other segment of that layout.
 *
 * No published layout exists for Skylake (0x04) or later in these
 * sources; for those give a VMCSINFO file with --layout or infer one
 * (gc_vmcs_infer).
 */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "vmx_internal.h"

struct pub_field {
	uint16_t enc;
	uint16_t dword;
};

static const struct pub_field penryn_fields[] = {
	{ 0x2800, 0x08 }, /* VMCS_LINK_POINTER */
	{ 0x2802, 0x0a }, /* GUEST_IA32_DEBUGCTL */
	{ 0x4000, 0x10 }, /* PIN_BASED_VM_EXEC_CONTROL */
	{ 0x4002, 0x12 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x4004, 0x14 }, /* EXCEPTION_BITMAP */
	{ 0x4006, 0x16 }, /* PAGE_FAULT_ERROR_CODE_MASK */
	{ 0x4008, 0x18 }, /* PAGE_FAULT_ERROR_CODE_MATCH */
	{ 0x400a, 0x1a }, /* CR3_TARGET_COUNT */
	{ 0x400c, 0x1c }, /* VM_EXIT_CONTROLS */
	{ 0x400e, 0x1e }, /* VM_EXIT_MSR_STORE_COUNT */
	{ 0x4010, 0x20 }, /* VM_EXIT_MSR_LOAD_COUNT */
	{ 0x4012, 0x22 }, /* VM_ENTRY_CONTROLS */
	{ 0x4014, 0x24 }, /* VM_ENTRY_MSR_LOAD_COUNT */
	{ 0x4016, 0x26 }, /* VM_ENTRY_INTR_INFO_FIELD */
	{ 0x4018, 0x28 }, /* VM_ENTRY_EXCEPTION_ERROR_CODE */
	{ 0x401a, 0x2a }, /* VM_ENTRY_INSTRUCTION_LEN */
	{ 0x401c, 0x2c }, /* TPR_THRESHOLD */
	{ 0x2012, 0x2e }, /* VIRTUAL_APIC_PAGE_ADDR */
	{ 0x2000, 0x30 }, /* IO_BITMAP_A */
	{ 0x2002, 0x32 }, /* IO_BITMAP_B */
	{ 0x2004, 0x34 }, /* MSR_BITMAP */
	{ 0x2006, 0x36 }, /* VM_EXIT_MSR_STORE_ADDR */
	{ 0x2008, 0x38 }, /* VM_EXIT_MSR_LOAD_ADDR */
	{ 0x200a, 0x3a }, /* VM_ENTRY_MSR_LOAD_ADDR */
	{ 0x200c, 0x3c }, /* EXECUTIVE_VMCS_POINTER */
	{ 0x2010, 0x3e }, /* TSC_OFFSET */
	{ 0x0800, 0x40 }, /* GUEST_ES_SELECTOR */
	{ 0x6806, 0x42 }, /* GUEST_ES_BASE */
	{ 0x4800, 0x44 }, /* GUEST_ES_LIMIT */
	{ 0x0802, 0x46 }, /* GUEST_CS_SELECTOR */
	{ 0x6808, 0x48 }, /* GUEST_CS_BASE */
	{ 0x4802, 0x4a }, /* GUEST_CS_LIMIT */
	{ 0x0804, 0x4c }, /* GUEST_SS_SELECTOR */
	{ 0x680a, 0x4e }, /* GUEST_SS_BASE */
	{ 0x4804, 0x50 }, /* GUEST_SS_LIMIT */
	{ 0x680c, 0x54 }, /* GUEST_DS_BASE */
	{ 0x4806, 0x56 }, /* GUEST_DS_LIMIT */
	{ 0x0808, 0x58 }, /* GUEST_FS_SELECTOR */
	{ 0x680e, 0x5a }, /* GUEST_FS_BASE */
	{ 0x4808, 0x5c }, /* GUEST_FS_LIMIT */
	{ 0x080a, 0x5e }, /* GUEST_GS_SELECTOR */
	{ 0x6810, 0x60 }, /* GUEST_GS_BASE */
	{ 0x480a, 0x62 }, /* GUEST_GS_LIMIT */
	{ 0x080c, 0x64 }, /* GUEST_LDTR_SELECTOR */
	{ 0x6812, 0x66 }, /* GUEST_LDTR_BASE */
	{ 0x480c, 0x68 }, /* GUEST_LDTR_LIMIT */
	{ 0x080e, 0x6a }, /* GUEST_TR_SELECTOR */
	{ 0x6814, 0x6c }, /* GUEST_TR_BASE */
	{ 0x480e, 0x6e }, /* GUEST_TR_LIMIT */
	{ 0x0c00, 0x70 }, /* HOST_ES_SELECTOR */
	{ 0x0c02, 0x72 }, /* HOST_CS_SELECTOR */
	{ 0x0c04, 0x74 }, /* HOST_SS_SELECTOR */
	{ 0x0c06, 0x76 }, /* HOST_DS_SELECTOR */
	{ 0x0c08, 0x78 }, /* HOST_FS_SELECTOR */
	{ 0x0c0a, 0x7a }, /* HOST_GS_SELECTOR */
	{ 0x0c0c, 0x7c }, /* HOST_TR_SELECTOR */
	{ 0x4402, 0x82 }, /* VM_EXIT_REASON */
	{ 0x4404, 0x84 }, /* VM_EXIT_INTR_INFO */
	{ 0x4406, 0x86 }, /* VM_EXIT_INTR_ERROR_CODE */
	{ 0x4408, 0x88 }, /* IDT_VECTORING_INFO_FIELD */
	{ 0x440a, 0x8a }, /* IDT_VECTORING_ERROR_CODE */
	{ 0x440c, 0x8c }, /* VM_EXIT_INSTRUCTION_LEN */
	{ 0x440e, 0x8e }, /* VMX_INSTRUCTION_INFO */
	{ 0x4810, 0x90 }, /* GUEST_GDTR_LIMIT */
	{ 0x4812, 0x92 }, /* GUEST_IDTR_LIMIT */
	{ 0x4824, 0x94 }, /* GUEST_INTERRUPTIBILITY_INFO */
	{ 0x4826, 0x96 }, /* GUEST_ACTIVITY_STATE */
	{ 0x4828, 0x98 }, /* GUEST_SMBASE */
	{ 0x482a, 0x9a }, /* GUEST_SYSENTER_CS */
	{ 0x6000, 0x9e }, /* CR0_GUEST_HOST_MASK */
	{ 0x6002, 0xa0 }, /* CR4_GUEST_HOST_MASK */
	{ 0x6004, 0xa2 }, /* CR0_READ_SHADOW */
	{ 0x6006, 0xa4 }, /* CR4_READ_SHADOW */
	{ 0x6008, 0xa6 }, /* CR3_TARGET_VALUE0 */
	{ 0x600a, 0xa8 }, /* CR3_TARGET_VALUE1 */
	{ 0x600c, 0xaa }, /* CR3_TARGET_VALUE2 */
	{ 0x600e, 0xac }, /* CR3_TARGET_VALUE3 */
	{ 0x6400, 0xb0 }, /* EXIT_QUALIFICATION */
	{ 0x6402, 0xb2 }, /* EXIT_IO_RCX */
	{ 0x6404, 0xb4 }, /* EXIT_IO_RSI */
	{ 0x6406, 0xb6 }, /* EXIT_IO_RDI */
	{ 0x6408, 0xb8 }, /* EXIT_IO_RIP */
	{ 0x640a, 0xba }, /* GUEST_LINEAR_ADDRESS */
	{ 0x6800, 0xc0 }, /* GUEST_CR0 */
	{ 0x6802, 0xc2 }, /* GUEST_CR3 */
	{ 0x6804, 0xc4 }, /* GUEST_CR4 */
	{ 0x6816, 0xc6 }, /* GUEST_GDTR_BASE */
	{ 0x6818, 0xc8 }, /* GUEST_IDTR_BASE */
	{ 0x681a, 0xca }, /* GUEST_DR7 */
	{ 0x681c, 0xcc }, /* GUEST_RSP */
	{ 0x681e, 0xce }, /* GUEST_RIP */
	{ 0x6820, 0xd0 }, /* GUEST_RFLAGS */
	{ 0x6824, 0xd4 }, /* GUEST_SYSENTER_ESP */
	{ 0x6826, 0xd6 }, /* GUEST_SYSENTER_EIP */
	{ 0x6c00, 0xe0 }, /* HOST_CR0 */
	{ 0x6c02, 0xe2 }, /* HOST_CR3 */
	{ 0x6c04, 0xe4 }, /* HOST_CR4 */
	{ 0x6c06, 0xe6 }, /* HOST_FS_BASE */
	{ 0x6c08, 0xe8 }, /* HOST_GS_BASE */
	{ 0x6c0a, 0xea }, /* HOST_TR_BASE */
	{ 0x6c0c, 0xec }, /* HOST_GDTR_BASE */
	{ 0x6c0e, 0xee }, /* HOST_IDTR_BASE */
	{ 0x6c10, 0xf0 }, /* HOST_IA32_SYSENTER_ESP */
	{ 0x6c12, 0xf2 }, /* HOST_IA32_SYSENTER_EIP */
	{ 0x6c14, 0xf4 }, /* HOST_RSP */
	{ 0x6c16, 0xf6 }, /* HOST_RIP */
	{ 0x4c00, 0xf8 }, /* HOST_IA32_SYSENTER_CS */
	{ 0x2014, 0xfa }, /* APIC_ACCESS_ADDR */
	{ 0x401e, 0xfc }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x2c04, 0xfe }, /* HOST_IA32_PERF_GLOBAL_CTRL */
};
static const struct pub_field nehalem_fields[] = {
	{ 0x4400, 0x03 }, /* VM_INSTRUCTION_ERROR */
	{ 0x2014, 0x1e }, /* APIC_ACCESS_ADDR */
	{ 0x2000, 0x28 }, /* IO_BITMAP_A */
	{ 0x2002, 0x2a }, /* IO_BITMAP_B */
	{ 0x2004, 0x2c }, /* MSR_BITMAP */
	{ 0x2006, 0x2e }, /* VM_EXIT_MSR_STORE_ADDR */
	{ 0x2008, 0x30 }, /* VM_EXIT_MSR_LOAD_ADDR */
	{ 0x200a, 0x32 }, /* VM_ENTRY_MSR_LOAD_ADDR */
	{ 0x200c, 0x34 }, /* EXECUTIVE_VMCS_POINTER */
	{ 0x2010, 0x36 }, /* TSC_OFFSET */
	{ 0x2012, 0x38 }, /* VIRTUAL_APIC_PAGE_ADDR */
	{ 0x201a, 0x3a }, /* EPT_POINTER */
	{ 0x2400, 0x3c }, /* GUEST_PHYSICAL_ADDRESS */
	{ 0x2800, 0x3e }, /* VMCS_LINK_POINTER */
	{ 0x2802, 0x40 }, /* GUEST_IA32_DEBUGCTL */
	{ 0x2804, 0x42 }, /* GUEST_IA32_PAT */
	{ 0x2806, 0x44 }, /* GUEST_IA32_EFER */
	{ 0x2808, 0x46 }, /* GUEST_IA32_PERF_GLOBAL_CTRL */
	{ 0x4002, 0x48 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x401e, 0x49 }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x4000, 0x4a }, /* PIN_BASED_VM_EXEC_CONTROL */
	{ 0x4004, 0x4b }, /* EXCEPTION_BITMAP */
	{ 0x4006, 0x4c }, /* PAGE_FAULT_ERROR_CODE_MASK */
	{ 0x4008, 0x4d }, /* PAGE_FAULT_ERROR_CODE_MATCH */
	{ 0x400a, 0x4e }, /* CR3_TARGET_COUNT */
	{ 0x400c, 0x4f }, /* VM_EXIT_CONTROLS */
	{ 0x400e, 0x50 }, /* VM_EXIT_MSR_STORE_COUNT */
	{ 0x4010, 0x51 }, /* VM_EXIT_MSR_LOAD_COUNT */
	{ 0x4012, 0x52 }, /* VM_ENTRY_CONTROLS */
	{ 0x4014, 0x53 }, /* VM_ENTRY_MSR_LOAD_COUNT */
	{ 0x4016, 0x54 }, /* VM_ENTRY_INTR_INFO_FIELD */
	{ 0x4018, 0x55 }, /* VM_ENTRY_EXCEPTION_ERROR_CODE */
	{ 0x401a, 0x56 }, /* VM_ENTRY_INSTRUCTION_LEN */
	{ 0x401c, 0x57 }, /* TPR_THRESHOLD */
	{ 0x482e, 0x58 }, /* GUEST_PREEMPTION_TIMER */
	{ 0x4402, 0x5b }, /* VM_EXIT_REASON */
	{ 0x4404, 0x5c }, /* VM_EXIT_INTR_INFO */
	{ 0x4406, 0x5d }, /* VM_EXIT_INTR_ERROR_CODE */
	{ 0x4408, 0x5e }, /* IDT_VECTORING_INFO_FIELD */
	{ 0x440a, 0x5f }, /* IDT_VECTORING_ERROR_CODE */
	{ 0x440c, 0x60 }, /* VM_EXIT_INSTRUCTION_LEN */
	{ 0x440e, 0x61 }, /* VMX_INSTRUCTION_INFO */
	{ 0x4824, 0x62 }, /* GUEST_INTERRUPTIBILITY_INFO */
	{ 0x4826, 0x63 }, /* GUEST_ACTIVITY_STATE */
	{ 0x4828, 0x64 }, /* GUEST_SMBASE */
	{ 0x482a, 0x65 }, /* GUEST_SYSENTER_CS */
	{ 0x6400, 0x66 }, /* EXIT_QUALIFICATION */
	{ 0x6402, 0x68 }, /* EXIT_IO_RCX */
	{ 0x6404, 0x6a }, /* EXIT_IO_RSI */
	{ 0x6406, 0x6c }, /* EXIT_IO_RDI */
	{ 0x6408, 0x6e }, /* EXIT_IO_RIP */
	{ 0x640a, 0x70 }, /* GUEST_LINEAR_ADDRESS */
	{ 0x681a, 0x72 }, /* GUEST_DR7 */
	{ 0x681c, 0x74 }, /* GUEST_RSP */
	{ 0x681e, 0x76 }, /* GUEST_RIP */
	{ 0x6820, 0x78 }, /* GUEST_RFLAGS */
	{ 0x6822, 0x7a }, /* GUEST_PENDING_DBG_EXCEPTIONS */
	{ 0x6824, 0x7c }, /* GUEST_SYSENTER_ESP */
	{ 0x6826, 0x7e }, /* GUEST_SYSENTER_EIP */
	{ 0x6806, 0x82 }, /* GUEST_ES_BASE */
	{ 0x4800, 0x84 }, /* GUEST_ES_LIMIT */
	{ 0x4814, 0x85 }, /* GUEST_ES_AR_BYTES */
	{ 0x6808, 0x88 }, /* GUEST_CS_BASE */
	{ 0x4802, 0x8a }, /* GUEST_CS_LIMIT */
	{ 0x4816, 0x8b }, /* GUEST_CS_AR_BYTES */
	{ 0x680a, 0x8e }, /* GUEST_SS_BASE */
	{ 0x4804, 0x90 }, /* GUEST_SS_LIMIT */
	{ 0x4818, 0x91 }, /* GUEST_SS_AR_BYTES */
	{ 0x680c, 0x94 }, /* GUEST_DS_BASE */
	{ 0x4806, 0x96 }, /* GUEST_DS_LIMIT */
	{ 0x481a, 0x97 }, /* GUEST_DS_AR_BYTES */
	{ 0x680e, 0x9a }, /* GUEST_FS_BASE */
	{ 0x4808, 0x9c }, /* GUEST_FS_LIMIT */
	{ 0x481c, 0x9d }, /* GUEST_FS_AR_BYTES */
	{ 0x6810, 0xa0 }, /* GUEST_GS_BASE */
	{ 0x480a, 0xa2 }, /* GUEST_GS_LIMIT */
	{ 0x481e, 0xa3 }, /* GUEST_GS_AR_BYTES */
	{ 0x6812, 0xa6 }, /* GUEST_LDTR_BASE */
	{ 0x480c, 0xa8 }, /* GUEST_LDTR_LIMIT */
	{ 0x4820, 0xa9 }, /* GUEST_LDTR_AR_BYTES */
	{ 0x6814, 0xac }, /* GUEST_TR_BASE */
	{ 0x480e, 0xae }, /* GUEST_TR_LIMIT */
	{ 0x4822, 0xaf }, /* GUEST_TR_AR_BYTES */
	{ 0x6816, 0xb0 }, /* GUEST_GDTR_BASE */
	{ 0x6818, 0xb2 }, /* GUEST_IDTR_BASE */
	{ 0x4810, 0xb4 }, /* GUEST_GDTR_LIMIT */
	{ 0x4812, 0xb5 }, /* GUEST_IDTR_LIMIT */
	{ 0x6800, 0xb6 }, /* GUEST_CR0 */
	{ 0x6802, 0xb8 }, /* GUEST_CR3 */
	{ 0x6804, 0xba }, /* GUEST_CR4 */
	{ 0x2c00, 0xc8 }, /* HOST_IA32_PAT */
	{ 0x2c02, 0xca }, /* HOST_IA32_EFER */
	{ 0x2c04, 0xcc }, /* HOST_IA32_PERF_GLOBAL_CTRL */
	{ 0x6c00, 0xce }, /* HOST_CR0 */
	{ 0x6c02, 0xd0 }, /* HOST_CR3 */
	{ 0x6c04, 0xd2 }, /* HOST_CR4 */
	{ 0x6c06, 0xd4 }, /* HOST_FS_BASE */
	{ 0x6c08, 0xd6 }, /* HOST_GS_BASE */
	{ 0x6c0a, 0xd8 }, /* HOST_TR_BASE */
	{ 0x6c0c, 0xda }, /* HOST_GDTR_BASE */
	{ 0x6c0e, 0xdc }, /* HOST_IDTR_BASE */
	{ 0x6c10, 0xde }, /* HOST_IA32_SYSENTER_ESP */
	{ 0x6c12, 0xe0 }, /* HOST_IA32_SYSENTER_EIP */
	{ 0x6c14, 0xe2 }, /* HOST_RSP */
	{ 0x6c16, 0xe4 }, /* HOST_RIP */
	{ 0x4c00, 0xe6 }, /* HOST_IA32_SYSENTER_CS */
	{ 0x280a, 0xe8 }, /* GUEST_PDPTR0 */
	{ 0x280c, 0xea }, /* GUEST_PDPTR1 */
	{ 0x280e, 0xec }, /* GUEST_PDPTR2 */
	{ 0x2810, 0xee }, /* GUEST_PDPTR3 */
	{ 0x6000, 0xf0 }, /* CR0_GUEST_HOST_MASK */
	{ 0x6002, 0xf2 }, /* CR4_GUEST_HOST_MASK */
	{ 0x6004, 0xf4 }, /* CR0_READ_SHADOW */
	{ 0x6006, 0xf6 }, /* CR4_READ_SHADOW */
	{ 0x6008, 0xf8 }, /* CR3_TARGET_VALUE0 */
	{ 0x600a, 0xfa }, /* CR3_TARGET_VALUE1 */
	{ 0x600c, 0xfc }, /* CR3_TARGET_VALUE2 */
	{ 0x600e, 0xfe }, /* CR3_TARGET_VALUE3 */
};
static const struct pub_field westmere_fields[] = {
	{ 0x2000, 0x2a }, /* IO_BITMAP_A */
	{ 0x2002, 0x2c }, /* IO_BITMAP_B */
	{ 0x2006, 0x2e }, /* VM_EXIT_MSR_STORE_ADDR */
	{ 0x2008, 0x30 }, /* VM_EXIT_MSR_LOAD_ADDR */
	{ 0x200a, 0x32 }, /* VM_ENTRY_MSR_LOAD_ADDR */
	{ 0x200c, 0x34 }, /* EXECUTIVE_VMCS_POINTER */
	{ 0x2012, 0x38 }, /* VIRTUAL_APIC_PAGE_ADDR */
	{ 0x2800, 0x3e }, /* VMCS_LINK_POINTER */
	{ 0x2802, 0x40 }, /* GUEST_IA32_DEBUGCTL */
	{ 0x2806, 0x44 }, /* GUEST_IA32_EFER */
	{ 0x4002, 0x48 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x401e, 0x49 }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x4000, 0x4a }, /* PIN_BASED_VM_EXEC_CONTROL */
	{ 0x4006, 0x4c }, /* PAGE_FAULT_ERROR_CODE_MASK */
	{ 0x4008, 0x4d }, /* PAGE_FAULT_ERROR_CODE_MATCH */
	{ 0x201a, 0x50 }, /* EPT_POINTER */
	{ 0x4016, 0x54 }, /* VM_ENTRY_INTR_INFO_FIELD */
	{ 0x4018, 0x55 }, /* VM_ENTRY_EXCEPTION_ERROR_CODE */
	{ 0x401a, 0x56 }, /* VM_ENTRY_INSTRUCTION_LEN */
	{ 0x400c, 0x57 }, /* VM_EXIT_CONTROLS */
	{ 0x400e, 0x59 }, /* VM_EXIT_MSR_STORE_COUNT */
	{ 0x4010, 0x5a }, /* VM_EXIT_MSR_LOAD_COUNT */
	{ 0x4402, 0x5b }, /* VM_EXIT_REASON */
	{ 0x4404, 0x5c }, /* VM_EXIT_INTR_INFO */
	{ 0x4406, 0x5d }, /* VM_EXIT_INTR_ERROR_CODE */
	{ 0x4408, 0x5e }, /* IDT_VECTORING_INFO_FIELD */
	{ 0x440a, 0x5f }, /* IDT_VECTORING_ERROR_CODE */
	{ 0x440c, 0x60 }, /* VM_EXIT_INSTRUCTION_LEN */
	{ 0x440e, 0x61 }, /* VMX_INSTRUCTION_INFO */
	{ 0x2010, 0x64 }, /* TSC_OFFSET */
	{ 0x6400, 0x66 }, /* EXIT_QUALIFICATION */
	{ 0x6402, 0x68 }, /* EXIT_IO_RCX */
	{ 0x6404, 0x6a }, /* EXIT_IO_RSI */
	{ 0x6406, 0x6c }, /* EXIT_IO_RDI */
	{ 0x6408, 0x6e }, /* EXIT_IO_RIP */
	{ 0x640a, 0x70 }, /* GUEST_LINEAR_ADDRESS */
	{ 0x681a, 0x72 }, /* GUEST_DR7 */
	{ 0x681c, 0x74 }, /* GUEST_RSP */
	{ 0x681e, 0x76 }, /* GUEST_RIP */
	{ 0x6820, 0x78 }, /* GUEST_RFLAGS */
	{ 0x6824, 0x7c }, /* GUEST_SYSENTER_ESP */
	{ 0x6826, 0x7e }, /* GUEST_SYSENTER_EIP */
	{ 0x0800, 0x80 }, /* GUEST_ES_SELECTOR */
	{ 0x4824, 0x81 }, /* GUEST_INTERRUPTIBILITY_INFO */
	{ 0x6806, 0x82 }, /* GUEST_ES_BASE */
	{ 0x4800, 0x84 }, /* GUEST_ES_LIMIT */
	{ 0x0802, 0x86 }, /* GUEST_CS_SELECTOR */
	{ 0x4826, 0x87 }, /* GUEST_ACTIVITY_STATE */
	{ 0x6808, 0x88 }, /* GUEST_CS_BASE */
	{ 0x4802, 0x8a }, /* GUEST_CS_LIMIT */
	{ 0x0804, 0x8c }, /* GUEST_SS_SELECTOR */
	{ 0x4828, 0x8d }, /* GUEST_SMBASE */
	{ 0x680a, 0x8e }, /* GUEST_SS_BASE */
	{ 0x4804, 0x90 }, /* GUEST_SS_LIMIT */
	{ 0x482a, 0x93 }, /* GUEST_SYSENTER_CS */
	{ 0x680c, 0x94 }, /* GUEST_DS_BASE */
	{ 0x4806, 0x96 }, /* GUEST_DS_LIMIT */
	{ 0x0808, 0x98 }, /* GUEST_FS_SELECTOR */
	{ 0x4004, 0x99 }, /* EXCEPTION_BITMAP */
	{ 0x680e, 0x9a }, /* GUEST_FS_BASE */
	{ 0x4808, 0x9c }, /* GUEST_FS_LIMIT */
	{ 0x080a, 0x9e }, /* GUEST_GS_SELECTOR */
	{ 0x400a, 0x9f }, /* CR3_TARGET_COUNT */
	{ 0x6810, 0xa0 }, /* GUEST_GS_BASE */
	{ 0x480a, 0xa2 }, /* GUEST_GS_LIMIT */
	{ 0x080c, 0xa4 }, /* GUEST_LDTR_SELECTOR */
	{ 0x4012, 0xa5 }, /* VM_ENTRY_CONTROLS */
	{ 0x6812, 0xa6 }, /* GUEST_LDTR_BASE */
	{ 0x480c, 0xa8 }, /* GUEST_LDTR_LIMIT */
	{ 0x080e, 0xaa }, /* GUEST_TR_SELECTOR */
	{ 0x4014, 0xab }, /* VM_ENTRY_MSR_LOAD_COUNT */
	{ 0x6814, 0xac }, /* GUEST_TR_BASE */
	{ 0x480e, 0xae }, /* GUEST_TR_LIMIT */
	{ 0x6816, 0xb0 }, /* GUEST_GDTR_BASE */
	{ 0x6818, 0xb2 }, /* GUEST_IDTR_BASE */
	{ 0x4810, 0xb4 }, /* GUEST_GDTR_LIMIT */
	{ 0x4812, 0xb5 }, /* GUEST_IDTR_LIMIT */
	{ 0x6800, 0xb6 }, /* GUEST_CR0 */
	{ 0x6802, 0xb8 }, /* GUEST_CR3 */
	{ 0x6804, 0xba }, /* GUEST_CR4 */
	{ 0x2014, 0xbc }, /* APIC_ACCESS_ADDR */
	{ 0x2004, 0xbe }, /* MSR_BITMAP */
	{ 0x0c00, 0xc0 }, /* HOST_ES_SELECTOR */
	{ 0x0c02, 0xc1 }, /* HOST_CS_SELECTOR */
	{ 0x0c04, 0xc2 }, /* HOST_SS_SELECTOR */
	{ 0x0c06, 0xc3 }, /* HOST_DS_SELECTOR */
	{ 0x0c08, 0xc4 }, /* HOST_FS_SELECTOR */
	{ 0x0c0a, 0xc5 }, /* HOST_GS_SELECTOR */
	{ 0x0c0c, 0xc6 }, /* HOST_TR_SELECTOR */
	{ 0x401c, 0xc7 }, /* TPR_THRESHOLD */
	{ 0x2c02, 0xca }, /* HOST_IA32_EFER */
	{ 0x2c04, 0xcc }, /* HOST_IA32_PERF_GLOBAL_CTRL */
	{ 0x6c00, 0xce }, /* HOST_CR0 */
	{ 0x6c02, 0xd0 }, /* HOST_CR3 */
	{ 0x6c04, 0xd2 }, /* HOST_CR4 */
	{ 0x6c06, 0xd4 }, /* HOST_FS_BASE */
	{ 0x6c08, 0xd6 }, /* HOST_GS_BASE */
	{ 0x6c0a, 0xd8 }, /* HOST_TR_BASE */
	{ 0x6c0c, 0xda }, /* HOST_GDTR_BASE */
	{ 0x6c0e, 0xdc }, /* HOST_IDTR_BASE */
	{ 0x6c10, 0xde }, /* HOST_IA32_SYSENTER_ESP */
	{ 0x6c12, 0xe0 }, /* HOST_IA32_SYSENTER_EIP */
	{ 0x6c14, 0xe2 }, /* HOST_RSP */
	{ 0x6c16, 0xe4 }, /* HOST_RIP */
	{ 0x4c00, 0xe6 }, /* HOST_IA32_SYSENTER_CS */
	{ 0x6000, 0xf0 }, /* CR0_GUEST_HOST_MASK */
	{ 0x6002, 0xf2 }, /* CR4_GUEST_HOST_MASK */
	{ 0x6004, 0xf4 }, /* CR0_READ_SHADOW */
	{ 0x6006, 0xf6 }, /* CR4_READ_SHADOW */
	{ 0x6008, 0xf8 }, /* CR3_TARGET_VALUE0 */
	{ 0x600a, 0xfa }, /* CR3_TARGET_VALUE1 */
	{ 0x600c, 0xfc }, /* CR3_TARGET_VALUE2 */
	{ 0x600e, 0xfe }, /* CR3_TARGET_VALUE3 */
};
static const struct pub_field sandy_fields[] = {
	{ 0x2014, 0x1e }, /* APIC_ACCESS_ADDR */
	{ 0x2000, 0x28 }, /* IO_BITMAP_A */
	{ 0x2002, 0x2a }, /* IO_BITMAP_B */
	{ 0x2004, 0x2c }, /* MSR_BITMAP */
	{ 0x2006, 0x2e }, /* VM_EXIT_MSR_STORE_ADDR */
	{ 0x2008, 0x30 }, /* VM_EXIT_MSR_LOAD_ADDR */
	{ 0x200a, 0x32 }, /* VM_ENTRY_MSR_LOAD_ADDR */
	{ 0x200c, 0x34 }, /* EXECUTIVE_VMCS_POINTER */
	{ 0x2010, 0x36 }, /* TSC_OFFSET */
	{ 0x2012, 0x38 }, /* VIRTUAL_APIC_PAGE_ADDR */
	{ 0x201a, 0x3a }, /* EPT_POINTER */
	{ 0x2800, 0x3e }, /* VMCS_LINK_POINTER */
	{ 0x2802, 0x40 }, /* GUEST_IA32_DEBUGCTL */
	{ 0x2806, 0x44 }, /* GUEST_IA32_EFER */
	{ 0x4002, 0x48 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x401e, 0x49 }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x4000, 0x4a }, /* PIN_BASED_VM_EXEC_CONTROL */
	{ 0x4004, 0x4b }, /* EXCEPTION_BITMAP */
	{ 0x4006, 0x4c }, /* PAGE_FAULT_ERROR_CODE_MASK */
	{ 0x4008, 0x4d }, /* PAGE_FAULT_ERROR_CODE_MATCH */
	{ 0x400a, 0x4e }, /* CR3_TARGET_COUNT */
	{ 0x400c, 0x4f }, /* VM_EXIT_CONTROLS */
	{ 0x400e, 0x50 }, /* VM_EXIT_MSR_STORE_COUNT */
	{ 0x4010, 0x51 }, /* VM_EXIT_MSR_LOAD_COUNT */
	{ 0x4012, 0x52 }, /* VM_ENTRY_CONTROLS */
	{ 0x4014, 0x53 }, /* VM_ENTRY_MSR_LOAD_COUNT */
	{ 0x4016, 0x54 }, /* VM_ENTRY_INTR_INFO_FIELD */
	{ 0x4018, 0x55 }, /* VM_ENTRY_EXCEPTION_ERROR_CODE */
	{ 0x401a, 0x56 }, /* VM_ENTRY_INSTRUCTION_LEN */
	{ 0x401c, 0x57 }, /* TPR_THRESHOLD */
	{ 0x4402, 0x5b }, /* VM_EXIT_REASON */
	{ 0x4404, 0x5c }, /* VM_EXIT_INTR_INFO */
	{ 0x4406, 0x5d }, /* VM_EXIT_INTR_ERROR_CODE */
	{ 0x4408, 0x5e }, /* IDT_VECTORING_INFO_FIELD */
	{ 0x440a, 0x5f }, /* IDT_VECTORING_ERROR_CODE */
	{ 0x440c, 0x60 }, /* VM_EXIT_INSTRUCTION_LEN */
	{ 0x440e, 0x61 }, /* VMX_INSTRUCTION_INFO */
	{ 0x4824, 0x62 }, /* GUEST_INTERRUPTIBILITY_INFO */
	{ 0x4826, 0x63 }, /* GUEST_ACTIVITY_STATE */
	{ 0x4828, 0x64 }, /* GUEST_SMBASE */
	{ 0x482a, 0x65 }, /* GUEST_SYSENTER_CS */
	{ 0x6400, 0x66 }, /* EXIT_QUALIFICATION */
	{ 0x6402, 0x68 }, /* EXIT_IO_RCX */
	{ 0x6404, 0x6a }, /* EXIT_IO_RSI */
	{ 0x6406, 0x6c }, /* EXIT_IO_RDI */
	{ 0x6408, 0x6e }, /* EXIT_IO_RIP */
	{ 0x640a, 0x70 }, /* GUEST_LINEAR_ADDRESS */
	{ 0x681a, 0x72 }, /* GUEST_DR7 */
	{ 0x681c, 0x74 }, /* GUEST_RSP */
	{ 0x681e, 0x76 }, /* GUEST_RIP */
	{ 0x6820, 0x78 }, /* GUEST_RFLAGS */
	{ 0x6824, 0x7c }, /* GUEST_SYSENTER_ESP */
	{ 0x6826, 0x7e }, /* GUEST_SYSENTER_EIP */
	{ 0x0800, 0x80 }, /* GUEST_ES_SELECTOR */
	{ 0x6806, 0x82 }, /* GUEST_ES_BASE */
	{ 0x4800, 0x84 }, /* GUEST_ES_LIMIT */
	{ 0x0802, 0x86 }, /* GUEST_CS_SELECTOR */
	{ 0x6808, 0x88 }, /* GUEST_CS_BASE */
	{ 0x4802, 0x8a }, /* GUEST_CS_LIMIT */
	{ 0x0804, 0x8c }, /* GUEST_SS_SELECTOR */
	{ 0x680a, 0x8e }, /* GUEST_SS_BASE */
	{ 0x4804, 0x90 }, /* GUEST_SS_LIMIT */
	{ 0x680c, 0x94 }, /* GUEST_DS_BASE */
	{ 0x4806, 0x96 }, /* GUEST_DS_LIMIT */
	{ 0x0808, 0x98 }, /* GUEST_FS_SELECTOR */
	{ 0x680e, 0x9a }, /* GUEST_FS_BASE */
	{ 0x4808, 0x9c }, /* GUEST_FS_LIMIT */
	{ 0x080a, 0x9e }, /* GUEST_GS_SELECTOR */
	{ 0x6810, 0xa0 }, /* GUEST_GS_BASE */
	{ 0x480a, 0xa2 }, /* GUEST_GS_LIMIT */
	{ 0x080c, 0xa4 }, /* GUEST_LDTR_SELECTOR */
	{ 0x6812, 0xa6 }, /* GUEST_LDTR_BASE */
	{ 0x480c, 0xa8 }, /* GUEST_LDTR_LIMIT */
	{ 0x080e, 0xaa }, /* GUEST_TR_SELECTOR */
	{ 0x6814, 0xac }, /* GUEST_TR_BASE */
	{ 0x480e, 0xae }, /* GUEST_TR_LIMIT */
	{ 0x6816, 0xb0 }, /* GUEST_GDTR_BASE */
	{ 0x6818, 0xb2 }, /* GUEST_IDTR_BASE */
	{ 0x4810, 0xb4 }, /* GUEST_GDTR_LIMIT */
	{ 0x4812, 0xb5 }, /* GUEST_IDTR_LIMIT */
	{ 0x6800, 0xb6 }, /* GUEST_CR0 */
	{ 0x6802, 0xb8 }, /* GUEST_CR3 */
	{ 0x6804, 0xba }, /* GUEST_CR4 */
	{ 0x0000, 0xbc }, /* VIRTUAL_PROCESSOR_ID */
	{ 0x0c00, 0xc0 }, /* HOST_ES_SELECTOR */
	{ 0x0c02, 0xc1 }, /* HOST_CS_SELECTOR */
	{ 0x0c04, 0xc2 }, /* HOST_SS_SELECTOR */
	{ 0x0c06, 0xc3 }, /* HOST_DS_SELECTOR */
	{ 0x0c08, 0xc4 }, /* HOST_FS_SELECTOR */
	{ 0x0c0a, 0xc5 }, /* HOST_GS_SELECTOR */
	{ 0x0c0c, 0xc6 }, /* HOST_TR_SELECTOR */
	{ 0x2c02, 0xca }, /* HOST_IA32_EFER */
	{ 0x2c04, 0xcc }, /* HOST_IA32_PERF_GLOBAL_CTRL */
	{ 0x6c00, 0xce }, /* HOST_CR0 */
	{ 0x6c02, 0xd0 }, /* HOST_CR3 */
	{ 0x6c04, 0xd2 }, /* HOST_CR4 */
	{ 0x6c06, 0xd4 }, /* HOST_FS_BASE */
	{ 0x6c08, 0xd6 }, /* HOST_GS_BASE */
	{ 0x6c0a, 0xd8 }, /* HOST_TR_BASE */
	{ 0x6c0c, 0xda }, /* HOST_GDTR_BASE */
	{ 0x6c0e, 0xdc }, /* HOST_IDTR_BASE */
	{ 0x6c10, 0xde }, /* HOST_IA32_SYSENTER_ESP */
	{ 0x6c12, 0xe0 }, /* HOST_IA32_SYSENTER_EIP */
	{ 0x6c14, 0xe2 }, /* HOST_RSP */
	{ 0x6c16, 0xe4 }, /* HOST_RIP */
	{ 0x4c00, 0xe6 }, /* HOST_IA32_SYSENTER_CS */
	{ 0x280a, 0xe8 }, /* GUEST_PDPTR0 */
	{ 0x280c, 0xea }, /* GUEST_PDPTR1 */
	{ 0x280e, 0xec }, /* GUEST_PDPTR2 */
	{ 0x2810, 0xee }, /* GUEST_PDPTR3 */
	{ 0x6000, 0xf0 }, /* CR0_GUEST_HOST_MASK */
	{ 0x6002, 0xf2 }, /* CR4_GUEST_HOST_MASK */
	{ 0x6004, 0xf4 }, /* CR0_READ_SHADOW */
	{ 0x6006, 0xf6 }, /* CR4_READ_SHADOW */
	{ 0x6008, 0xf8 }, /* CR3_TARGET_VALUE0 */
	{ 0x600a, 0xfa }, /* CR3_TARGET_VALUE1 */
	{ 0x600c, 0xfc }, /* CR3_TARGET_VALUE2 */
	{ 0x600e, 0xfe }, /* CR3_TARGET_VALUE3 */
};
static const struct pub_field haswell_fields[] = {
	{ 0x4400, 0x03 }, /* VM_INSTRUCTION_ERROR */
	{ 0x4800, 0x09 }, /* GUEST_ES_LIMIT */
	{ 0x6806, 0x0a }, /* GUEST_ES_BASE */
	{ 0x4802, 0x0d }, /* GUEST_CS_LIMIT */
	{ 0x6808, 0x0e }, /* GUEST_CS_BASE */
	{ 0x4804, 0x11 }, /* GUEST_SS_LIMIT */
	{ 0x680a, 0x12 }, /* GUEST_SS_BASE */
	{ 0x4806, 0x15 }, /* GUEST_DS_LIMIT */
	{ 0x680c, 0x16 }, /* GUEST_DS_BASE */
	{ 0x480c, 0x19 }, /* GUEST_LDTR_LIMIT */
	{ 0x6812, 0x1a }, /* GUEST_LDTR_BASE */
	{ 0x480e, 0x1d }, /* GUEST_TR_LIMIT */
	{ 0x6814, 0x1e }, /* GUEST_TR_BASE */
	{ 0x4808, 0x21 }, /* GUEST_FS_LIMIT */
	{ 0x680e, 0x22 }, /* GUEST_FS_BASE */
	{ 0x480a, 0x25 }, /* GUEST_GS_LIMIT */
	{ 0x6810, 0x26 }, /* GUEST_GS_BASE */
	{ 0x4810, 0x29 }, /* GUEST_GDTR_LIMIT */
	{ 0x6816, 0x2a }, /* GUEST_GDTR_BASE */
	{ 0x4812, 0x2d }, /* GUEST_IDTR_LIMIT */
	{ 0x6818, 0x2e }, /* GUEST_IDTR_BASE */
	{ 0x200c, 0x34 }, /* EXECUTIVE_VMCS_POINTER */
	{ 0x4020, 0x3c }, /* PLE_GAP */
	{ 0x4022, 0x3d }, /* PLE_WINDOW */
	{ 0x2800, 0x3e }, /* VMCS_LINK_POINTER */
	{ 0x2802, 0x40 }, /* GUEST_IA32_DEBUGCTL */
	{ 0x2804, 0x42 }, /* GUEST_IA32_PAT */
	{ 0x2806, 0x44 }, /* GUEST_IA32_EFER */
	{ 0x2808, 0x46 }, /* GUEST_IA32_PERF_GLOBAL_CTRL */
	{ 0x4002, 0x48 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x401e, 0x49 }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x4000, 0x4a }, /* PIN_BASED_VM_EXEC_CONTROL */
	{ 0x401c, 0x4b }, /* TPR_THRESHOLD */
	{ 0x4006, 0x4c }, /* PAGE_FAULT_ERROR_CODE_MASK */
	{ 0x4008, 0x4d }, /* PAGE_FAULT_ERROR_CODE_MATCH */
	{ 0x4824, 0x4e }, /* GUEST_INTERRUPTIBILITY_INFO */
	{ 0x4826, 0x4f }, /* GUEST_ACTIVITY_STATE */
	{ 0x201a, 0x50 }, /* EPT_POINTER */
	{ 0x2400, 0x52 }, /* GUEST_PHYSICAL_ADDRESS */
	{ 0x4016, 0x54 }, /* VM_ENTRY_INTR_INFO_FIELD */
	{ 0x4018, 0x55 }, /* VM_ENTRY_EXCEPTION_ERROR_CODE */
	{ 0x401a, 0x56 }, /* VM_ENTRY_INSTRUCTION_LEN */
	{ 0x400c, 0x57 }, /* VM_EXIT_CONTROLS */
	{ 0x482e, 0x58 }, /* GUEST_PREEMPTION_TIMER */
	{ 0x400e, 0x59 }, /* VM_EXIT_MSR_STORE_COUNT */
	{ 0x4010, 0x5a }, /* VM_EXIT_MSR_LOAD_COUNT */
	{ 0x4402, 0x5b }, /* VM_EXIT_REASON */
	{ 0x4404, 0x5c }, /* VM_EXIT_INTR_INFO */
	{ 0x4406, 0x5d }, /* VM_EXIT_INTR_ERROR_CODE */
	{ 0x4408, 0x5e }, /* IDT_VECTORING_INFO_FIELD */
	{ 0x440a, 0x5f }, /* IDT_VECTORING_ERROR_CODE */
	{ 0x440c, 0x60 }, /* VM_EXIT_INSTRUCTION_LEN */
	{ 0x440e, 0x61 }, /* VMX_INSTRUCTION_INFO */
	{ 0x2010, 0x64 }, /* TSC_OFFSET */
	{ 0x6400, 0x66 }, /* EXIT_QUALIFICATION */
	{ 0x6402, 0x68 }, /* EXIT_IO_RCX */
	{ 0x6404, 0x6a }, /* EXIT_IO_RSI */
	{ 0x6406, 0x6c }, /* EXIT_IO_RDI */
	{ 0x6408, 0x6e }, /* EXIT_IO_RIP */
	{ 0x640a, 0x70 }, /* GUEST_LINEAR_ADDRESS */
	{ 0x681a, 0x72 }, /* GUEST_DR7 */
	{ 0x681c, 0x74 }, /* GUEST_RSP */
	{ 0x681e, 0x76 }, /* GUEST_RIP */
	{ 0x6820, 0x78 }, /* GUEST_RFLAGS */
	{ 0x6822, 0x7a }, /* GUEST_PENDING_DBG_EXCEPTIONS */
	{ 0x6824, 0x7c }, /* GUEST_SYSENTER_ESP */
	{ 0x6826, 0x7e }, /* GUEST_SYSENTER_EIP */
	{ 0x482a, 0x80 }, /* GUEST_SYSENTER_CS */
	{ 0x6800, 0x82 }, /* GUEST_CR0 */
	{ 0x6802, 0x84 }, /* GUEST_CR3 */
	{ 0x6804, 0x86 }, /* GUEST_CR4 */
	{ 0x280a, 0x88 }, /* GUEST_PDPTR0 */
	{ 0x280c, 0x8a }, /* GUEST_PDPTR1 */
	{ 0x280e, 0x8c }, /* GUEST_PDPTR2 */
	{ 0x2810, 0x8e }, /* GUEST_PDPTR3 */
	{ 0x6000, 0x90 }, /* CR0_GUEST_HOST_MASK */
	{ 0x6002, 0x92 }, /* CR4_GUEST_HOST_MASK */
	{ 0x6004, 0x94 }, /* CR0_READ_SHADOW */
	{ 0x6006, 0x96 }, /* CR4_READ_SHADOW */
	{ 0x6008, 0x98 }, /* CR3_TARGET_VALUE0 */
	{ 0x600a, 0x9a }, /* CR3_TARGET_VALUE1 */
	{ 0x600c, 0x9c }, /* CR3_TARGET_VALUE2 */
	{ 0x600e, 0x9e }, /* CR3_TARGET_VALUE3 */
	{ 0x4828, 0xaa }, /* GUEST_SMBASE */
	{ 0x4012, 0xae }, /* VM_ENTRY_CONTROLS */
	{ 0x4014, 0xaf }, /* VM_ENTRY_MSR_LOAD_COUNT */
	{ 0x2000, 0xb2 }, /* IO_BITMAP_A */
	{ 0x2006, 0xb6 }, /* VM_EXIT_MSR_STORE_ADDR */
	{ 0x200a, 0xba }, /* VM_ENTRY_MSR_LOAD_ADDR */
	{ 0x2004, 0xbe }, /* MSR_BITMAP */
	{ 0x6c16, 0xc2 }, /* HOST_RIP */
	{ 0x2c00, 0xc4 }, /* HOST_IA32_PAT */
	{ 0x2c02, 0xc6 }, /* HOST_IA32_EFER */
	{ 0x2c04, 0xc8 }, /* HOST_IA32_PERF_GLOBAL_CTRL */
	{ 0x6c00, 0xca }, /* HOST_CR0 */
	{ 0x6c02, 0xcc }, /* HOST_CR3 */
	{ 0x6c04, 0xce }, /* HOST_CR4 */
	{ 0x6c0e, 0xd0 }, /* HOST_IDTR_BASE */
	{ 0x6c0c, 0xd2 }, /* HOST_GDTR_BASE */
	{ 0x6c06, 0xd4 }, /* HOST_FS_BASE */
	{ 0x6c08, 0xd6 }, /* HOST_GS_BASE */
	{ 0x6c0a, 0xd8 }, /* HOST_TR_BASE */
	{ 0x6c10, 0xda }, /* HOST_IA32_SYSENTER_ESP */
	{ 0x4c00, 0xde }, /* HOST_IA32_SYSENTER_CS */
	{ 0x2024, 0xe2 }, /* EPTP_LIST_ADDR */
	{ 0x2026, 0xe4 }, /* VMREAD_BITMAP */
	{ 0x2028, 0xe6 }, /* VMWRITE_BITMAP */
};

static const struct {
	uint32_t revision;
	const char *name;
	const char *source;
	const struct pub_field *f;
	size_t n;
} pubs[] = {
#define PUB(rev, nm, arr, src) { rev, nm, src, arr, GC_ARRAY_SIZE(arr) }
	PUB(0x0d, "Penryn", penryn_fields,
	    "published rev 0xd (Penryn): Actaeon penryn.py, measured by the "
	    "Actaeon authors (RAID 2013)"),
	PUB(0x0e, "Nehalem", nehalem_fields,
	    "published rev 0xe (Nehalem): Rekall VMCS profile via Actaeon "
	    "nehalem.py (rekall2actaeon, dword granularity)"),
	PUB(0x0f, "Westmere", westmere_fields,
	    "published rev 0xf (Westmere): Actaeon westmere.py, measured by "
	    "the Actaeon authors (RAID 2013)"),
	PUB(0x10, "Sandy Bridge", sandy_fields,
	    "published rev 0x10 (Sandy Bridge): Actaeon sandy.py, measured "
	    "by the Actaeon authors (RAID 2013)"),
	PUB(0x12, "Haswell", haswell_fields,
	    "published rev 0x12 (Haswell): Rekall VMCS profile via Actaeon "
	    "haswell.py (rekall2actaeon, dword granularity)"),
#undef PUB
};

size_t gc_vmcs_nr_published(void)
{
	return GC_ARRAY_SIZE(pubs);
}

uint32_t gc_vmcs_published_revision(size_t i, const char **cpu)
{
	if (i >= GC_ARRAY_SIZE(pubs))
		return 0;
	if (cpu)
		*cpu = pubs[i].name;
	return pubs[i].revision;
}

struct gc_vmcs_layout *gc_vmcs_published_layout(uint32_t revision)
{
	size_t p = 0;
	while (p < GC_ARRAY_SIZE(pubs) && pubs[p].revision != revision)
		p++;
	if (p == GC_ARRAY_SIZE(pubs))
		return NULL;
	struct gc_vmcs_layout *l = calloc(1, sizeof(*l));
	if (!l || !(l->locs = calloc(pubs[p].n, sizeof(*l->locs))) ||
	    !(l->source = strdup(pubs[p].source))) {
		gc_vmcs_layout_free(l);
		return NULL;
	}
	l->revision = revision;
	l->region_size = 4096;
	l->high_first = true;
	l->synthetic = false;
	for (size_t i = 0; i < pubs[p].n; i++) {
		uint32_t enc = pubs[p].f[i].enc;
		unsigned int n = gc_vmcs_enc_bits(enc) / 16;
		unsigned int base = 4u * pubs[p].f[i].dword;
		struct gc_vmcs_loc *c = &l->locs[l->nr_locs++];
		c->encoding = enc;
		c->nr_chunks = (uint8_t)n;
		c->seq = (uint32_t)i;
		/* little-endian at BASE; the text lists the high chunk first */
		for (unsigned int k = 0; k < n; k++)
			c->off[n - 1 - k] = (uint16_t)(base + 2 * k);
	}
	gc_vmx_layout_sort(l);
	return l;
}
