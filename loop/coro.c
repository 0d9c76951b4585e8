/*
 * coro.c - building a new green thread's first frame, and the switch with
 * its sanitizer annotations around it.
 *
 * The first frame mirrors what ub_ctx_switch pops (lowest address first):
 *   control words | r15 r14 r13 r12 rbx rbp | return address = ub_ctx_boot
 * with r12 = entry and r13 = arg.  The stack top is 16-byte aligned, so
 * after the final `ret` ub_ctx_boot's `call` enters `entry` with the
 * alignment the ABI requires (rsp + 8 a multiple of 16).
 *
 * The control words are copied from the creating thread, because POSIX has
 * a new thread inherit its creator's floating-point environment.
 *
 * errno lives in the carrier's thread-local storage, which every green
 * thread on the carrier shares, so each switch saves the leaving thread's
 * errno and restores it when that thread runs again.  Doing it here, at
 * the one place every switch passes, means no hook can forget it.
 */
#include "coro.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "fiber.h"

void ub_coro_prepare(struct ub_coro *c, void (*entry)(void *), void *arg)
{
  uintptr_t top = (uintptr_t)ub_stack_hi(&c->stack) & ~(uintptr_t)15;
  uint64_t *f = (uint64_t *)top - 8;
  uint32_t mxcsr;
  uint16_t fpucw;
  __asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
  __asm__ volatile("fnstcw %0" : "=m"(fpucw));
  ub_fiber_fresh(c->stack.lo, c->stack.size);
  memset(f, 0, 8 * sizeof(*f));
  f[0] = (uint64_t)mxcsr | (uint64_t)fpucw << 32;
  f[4] = (uint64_t)(uintptr_t)entry; /* r12 */
  f[3] = (uint64_t)(uintptr_t)arg;   /* r13 */
  f[7] = (uint64_t)(uintptr_t)ub_ctx_boot;
  c->sp = f;
}

_Noreturn void ub_coro_leave(void **scratch_sp, struct ub_coro *to)
{
  ub_fiber_start(NULL, to->stack.lo, to->stack.size);
  ub_ctx_switch(scratch_sp, to->sp);
  __builtin_unreachable();
}

void ub_coro_landed(void)
{
  ub_fiber_finish(NULL);
  errno = 0; /* a new thread starts with its own errno, as a pthread does */
  *ub_h_errno_location() = 0;
}
