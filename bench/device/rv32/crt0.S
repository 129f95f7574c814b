/*
 * Start-up for the RV32 device image run by qemu-user (linux-user mode). qemu-user hands the
 * program a Linux process stack (argc at 0(sp), argv after it), which we keep; everything else is
 * bare metal: global pointer, thread pointer (picolibc keeps errno in TLS), .bss cleared here.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	tp, __tls_base
	lw	s0, 0(sp)		/* argc */
	addi	s1, sp, 4		/* argv */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	andi	sp, sp, -16
	mv	a0, s0
	mv	a1, s1
	call	main
	call	exit
