/*
 * switch-x86_64.S - the green-thread context switch (System V x86_64).
 *
 * void ub_ctx_switch(void **save_sp, void *load_sp)
 *   Pushes the callee-saved registers (rbp, rbx, r12-r15) and the two
 *   floating-point control words (MXCSR and the x87 control word, which the
 *   ABI also makes callee-saved) onto the current stack, stores the stack
 *   pointer in *save_sp, loads load_sp, and pops the same frame from there.
 *   Caller-saved registers need no saving: this is an ordinary call.
 *
 *   The stack pointer is a valid stack top at every instruction: we only
 *   push and pop below it, and the switch itself is one mov.  A signal that
 *   lands mid-switch therefore runs on a sane stack (libco used rsp as a
 *   scratch pointer into heap memory, and broke exactly there).
 *
 *   Both stacks hold the same frame shape, so the CFI offsets below stay
 *   true across the mov and debuggers can unwind through a switch.
 *
 * ub_ctx_boot
 *   Where a new green thread first "returns" to (coro.c builds the frame):
 *   r12 holds the entry function and r13 its argument.  The entry never
 *   returns; rip is marked undefined so unwinders stop here.
 */
        .text
        .globl  ub_ctx_switch
        .hidden ub_ctx_switch
        .type   ub_ctx_switch, @function
        .p2align 4
ub_ctx_switch:
        .cfi_startproc
        pushq   %rbp
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbp, 0
        pushq   %rbx
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %rbx, 0
        pushq   %r12
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r12, 0
        pushq   %r13
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r13, 0
        pushq   %r14
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r14, 0
        pushq   %r15
        .cfi_adjust_cfa_offset 8
        .cfi_rel_offset %r15, 0
        subq    $8, %rsp
        .cfi_adjust_cfa_offset 8
        stmxcsr (%rsp)
        fnstcw  4(%rsp)
        movq    %rsp, (%rdi)
        movq    %rsi, %rsp
        ldmxcsr (%rsp)
        fldcw   4(%rsp)
        addq    $8, %rsp
        .cfi_adjust_cfa_offset -8
        popq    %r15
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r15
        popq    %r14
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r14
        popq    %r13
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r13
        popq    %r12
        .cfi_adjust_cfa_offset -8
        .cfi_restore %r12
        popq    %rbx
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rbx
        popq    %rbp
        .cfi_adjust_cfa_offset -8
        .cfi_restore %rbp
        ret
        .cfi_endproc
        .size   ub_ctx_switch, .-ub_ctx_switch

        .globl  ub_ctx_boot
        .hidden ub_ctx_boot
        .type   ub_ctx_boot, @function
        .p2align 4
ub_ctx_boot:
        .cfi_startproc
        .cfi_undefined %rip
        movq    %r13, %rdi
        callq   *%r12
        ud2
        .cfi_endproc
        .size   ub_ctx_boot, .-ub_ctx_boot

        .section .note.GNU-stack, "", @progbits
