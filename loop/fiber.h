/*
 * fiber.h - telling AddressSanitizer about stack switches.
 *
 * ASan keeps shadow state per stack, and its "fake stacks" for
 * use-after-return.  Without these calls it would take a switch for a
 * wild stack-pointer jump.  The protocol: start_switch_fiber just before
 * the switch names the stack we go to (and, with a NULL save slot, tells
 * ASan the current fiber is gone for good); finish_switch_fiber right
 * after landing.  Valgrind needs no per-switch call; stack.c registers
 * every stack once.  This is the one #if for sanitizers in the tree.
 */
#ifndef UB_FIBER_H
#define UB_FIBER_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>

static inline void ub_fiber_start(void **save, const void *lo, size_t size)
{
  __sanitizer_start_switch_fiber(save, lo, size);
}

static inline void ub_fiber_finish(void *save)
{
  __sanitizer_finish_switch_fiber(save, NULL, NULL);
}

static inline void ub_fiber_fresh(void *lo, size_t size)
{
  ASAN_UNPOISON_MEMORY_REGION(lo, size);
}
#else
static inline void ub_fiber_start(void **save, const void *lo, size_t size)
{
  (void)save, (void)lo, (void)size;
}

static inline void ub_fiber_finish(void *save)
{
  (void)save;
}

static inline void ub_fiber_fresh(void *lo, size_t size)
{
  (void)lo, (void)size;
}
#endif

#endif
