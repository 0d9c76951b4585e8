/*
 * sync.h - how our locks lay themselves out in glibc's lock types.
 *
 * Every operation on a pthread mutex, condition variable, rwlock or
 * barrier in the process goes through our hooks, from the first call on
 * (symbol interposition does not wait for our constructor), so the bytes
 * are ours to arrange, provided that:
 *   - all-zero bytes are a valid unlocked object, which is what the
 *     static initializers (PTHREAD_MUTEX_INITIALIZER, ...) produce;
 *   - a mutex keeps glibc's `__kind` word where glibc's initializers put
 *     it (PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP sets it to 1).
 * Each struct below must fit its glibc type; the asserts check.
 */
#ifndef UB_SYNC_H
#define UB_SYNC_H

#include <pthread.h>
#include <stddef.h>

#include "waitq.h"

/* glibc's kind bits beyond the type (pthreadP.h). */
#define UB_MUTEX_TYPE_MASK 0x3
#define UB_MUTEX_PSHARED 128

struct ub_mutex {
  atomic_int lock; /* the waitq spinlock */
  unsigned count;  /* recursion depth */
  uintptr_t owner; /* ub_self_token() of the holder; 0: free */
  int kind;        /* glibc's __kind: type and flags */
  int pad;
  struct ub_waitq q; /* waiters; an unlock wakes the head (mutex.c) */
};
_Static_assert(sizeof(struct ub_mutex) <= sizeof(pthread_mutex_t), "mutex");
_Static_assert(offsetof(struct ub_mutex, kind) ==
                   offsetof(pthread_mutex_t, __data.__kind),
               "mutex kind where the static initializers put it");

/* Lock m for the caller until deadline; 0 or -errno.  The caller is in a
 * hook (UB_CALL or UB_ENTER), taken before any spinlock: entering may wait
 * for the carrier to come back (loop/handoff.h). */
int ub_mutex_lock(struct ub_mutex *m, uint64_t deadline);
int ub_mutex_unlock(struct ub_mutex *m);

#endif
