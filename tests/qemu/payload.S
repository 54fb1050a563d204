/* SPDX-License-Identifier: MIT */
/*
 * Tiny multiboot (v1) guest for the QEMU process-core tests.
 * Loaded with `qemu-system-x86_64 -kernel payload.elf`; runs in 32-bit
 * protected mode, paging off.  It stamps every 4 KiB page of RAM below
 * 4 GiB (except the VGA/ROM hole 0xa0000-0xfffff and its own image; only the
 * first page of every MiB when RAM reaches above 4 GiB, to keep big guests
 * sparse in the host) with:
 *   +0    guest-physical address, low 32 bits
 *   +4    guest-physical address, high 32 bits
 *   +8    "GCPG"
 *   +4092 bitwise NOT of the low 32 bits
 * then, when the multiboot memory map lists RAM at or above 4 GiB, turns on
 * PAE paging with 2 MiB pages mapping virtual 1-2 GiB to physical 4-5 GiB
 * and stamps the first page of every 16 MiB there (and the page at
 * 4 GiB + 4 KiB).  It prints "READY" on COM1 and halts.
 */
	.set MB_MAGIC, 0x1BADB002
	.set MB_FLAGS, 0x00000003
	.set COM1, 0x3f8

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	mov	$stack_top, %esp
	mov	%ebx, %ebp		/* multiboot info */
	/* high RAM: scan the memory map before low memory is overwritten */
	movl	$0, hi_len
	testl	$0x40, (%ebp)
	jz	1f
	mov	48(%ebp), %esi		/* mmap_addr */
	mov	44(%ebp), %edi		/* mmap_length */
	add	%esi, %edi
2:	cmp	%edi, %esi
	jae	1f
	cmpl	$1, 20(%esi)		/* type: RAM */
	jne	3f
	cmpl	$1, 8(%esi)		/* base high dword == 1: at 4 GiB */
	jne	3f
	cmpl	$0, 4(%esi)
	jne	3f
	mov	12(%esi), %eax		/* length low */
	cmpl	$0, 16(%esi)
	je	4f
	mov	$0xffffffff, %eax	/* >= 4 GiB long: clip */
4:	mov	%eax, hi_len
3:	mov	(%esi), %eax
	lea	4(%esi,%eax), %esi
	jmp	2b
1:
	mov	$0x1000, %edi		/* stride: every page ... */
	cmpl	$0, hi_len
	je	15f
	mov	$0x100000, %edi		/* ... or every MiB for big guests */
15:
	/* end of RAM below 4 GiB: 1 MiB + mem_upper KiB */
	mov	8(%ebp), %ecx
	shl	$10, %ecx
	add	$0x100000, %ecx
	xor	%eax, %eax
5:	cmp	%ecx, %eax
	jae	6f
	cmp	$0xa0000, %eax
	jb	7f
	cmp	$0x100000, %eax
	jb	8f
	cmp	$image_start, %eax
	jb	7f
	cmp	$image_end, %eax
	jb	8f
7:	mov	%eax, (%eax)
	movl	$0, 4(%eax)
	movl	$0x47504347, 8(%eax)	/* "GCPG" */
	mov	%eax, %edx
	not	%edx
	mov	%edx, 4092(%eax)
8:	add	%edi, %eax
	jmp	5b
6:
	mov	hi_len, %ecx
	test	%ecx, %ecx
	jz	done
	cmp	$0x40000000, %ecx	/* only the first GiB above 4 GiB */
	jbe	9f
	mov	$0x40000000, %ecx
9:	/* PAE: pdpt[0] -> pd0 (identity 0-1 GiB), pdpt[1] -> pd1 (4-5 GiB) */
	mov	$pd0, %eax
	or	$1, %eax
	mov	%eax, pdpt
	movl	$0, pdpt+4
	mov	$pd1, %eax
	or	$1, %eax
	mov	%eax, pdpt+8
	movl	$0, pdpt+12
	xor	%ebx, %ebx
10:	mov	%ebx, %eax
	shl	$21, %eax
	or	$0x83, %eax
	mov	%eax, pd0(,%ebx,8)
	movl	$0, pd0+4(,%ebx,8)
	mov	%eax, pd1(,%ebx,8)
	movl	$1, pd1+4(,%ebx,8)
	inc	%ebx
	cmp	$512, %ebx
	jb	10b
	mov	%cr4, %eax
	or	$0x20, %eax
	mov	%eax, %cr4
	mov	$pdpt, %eax
	mov	%eax, %cr3
	mov	%cr0, %eax
	or	$0x80000000, %eax
	mov	%eax, %cr0
	jmp	11f
11:	mov	$0x1000, %eax		/* 4 GiB + 4 KiB */
	call	stamp_hi
	xor	%eax, %eax
12:	cmp	%ecx, %eax
	jae	done
	call	stamp_hi
	add	$0x1000000, %eax
	jmp	12b

/* stamp the page at physical 4 GiB + %eax (virtual 1 GiB + %eax) */
stamp_hi:
	lea	0x40000000(%eax), %edi
	mov	%eax, (%edi)
	movl	$1, 4(%edi)
	movl	$0x47504347, 8(%edi)
	mov	%eax, %edx
	not	%edx
	mov	%edx, 4092(%edi)
	ret

done:
	mov	$msg, %esi
13:	movb	(%esi), %al
	test	%al, %al
	jz	14f
	mov	$COM1, %dx
	outb	%al, %dx
	inc	%esi
	jmp	13b
14:	cli
	hlt
	jmp	14b

	.section .rodata
msg:	.asciz	"READY\n"

	.bss
	.align 4096
pd0:	.skip 4096
pd1:	.skip 4096
pdpt:	.skip 32
hi_len:	.skip 4
	.align 16
	.skip 4096
stack_top:
