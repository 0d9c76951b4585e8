/*
 * guard.h - turning a green-thread stack overflow into a clear message.
 */
#ifndef UB_GUARD_H
#define UB_GUARD_H

/* Give the calling carrier an alternate signal stack (and install the
 * process's SIGSEGV handler once).  0 or -errno. */
int ub_guard_thread_init(void **altstack);
void ub_guard_thread_fini(void *altstack);

#endif
