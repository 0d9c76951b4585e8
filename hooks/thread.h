/*
 * thread.h - the hooks' state of one green thread, and the pthread_t
 * handles the program sees.
 *
 * A green thread's pthread_t is its struct ub_coro pointer.  A thread the
 * shim did not create keeps glibc's handle, a struct pthread pointer, whose
 * first word (the TCB's self pointer) points at itself; a ub_coro's first
 * word is a saved stack pointer, never its own address.  That is how every
 * hook that takes a pthread_t tells the two apart.
 */
#ifndef UB_THREAD_H
#define UB_THREAD_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "sched.h"

#define UB_KEY_BLOCK 32
#define UB_KEY_BLOCKS ((PTHREAD_KEYS_MAX + UB_KEY_BLOCK - 1) / UB_KEY_BLOCK)

struct ub_keyval {
  uintptr_t seq; /* the key's sequence when the value was set */
  void *value;
};

struct ub_thread {
  struct ub_coro *coro;
  void *(*fn)(void *);
  void *arg;
  /* pthread keys, in blocks allocated on first use (hooks/key.c). */
  struct ub_keyval *keys[UB_KEY_BLOCKS];
  /* Cancellation (hooks/cancel.c). */
  bool cancel_disabled;
  bool cancel_async;
  bool canceled;
  bool exiting;
  /* A signal delivered while parked: restart the call (SA_RESTART)? */
  bool intr_restart;
  unsigned handled; /* signal handlers run on this thread so far */
  bool sem_waiting; /* parked in sem_wait: a handler's sem_post pokes it */
  bool sigwaiting;  /* parked in sigwait: pthread_kill may hand it one */
  /* pthread_cleanup_push buffers, innermost first (hooks/cancel.c), and
   * the value pthread_exit passes on once they have run. */
  void *cleanup;
  void *exit_value;
};

/* The calling green thread's state, or NULL. */
static inline struct ub_thread *ub_thread_self(void)
{
  struct ub_coro *c = ub_sched_current();
  return c != NULL ? c->ext : NULL;
}

/* The green thread a handle names, or NULL for a native thread. */
static inline struct ub_coro *ub_thread_coro(pthread_t t)
{
  void *p = (void *)t;
  return p != NULL && *(void **)p != p ? p : NULL;
}

/* Make the running context's green thread known to the hooks (the main
 * thread, adopted by shim/init.c).  0 or -errno. */
int ub_thread_adopt(struct ub_coro *c);

/* Keys: import values set before adoption; run destructors at exit. */
void ub_key_adopt(struct ub_thread *t);
void ub_key_exit(struct ub_thread *t);

/* End the calling green thread: its cleanup handlers (hooks/cancel.c),
 * then ub_thread_finish: key destructors and the scheduler's exit. */
_Noreturn void ub_thread_exit(void *ret);
_Noreturn void ub_thread_finish(void *ret);

/*
 * A cancellation point: if a cancel is pending and enabled, the calling
 * green thread exits with PTHREAD_CANCELED.
 */
void ub_cancel_point(void);

#endif
