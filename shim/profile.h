/*
 * profile.h - the profile of waits (UNBLOCK_PROFILE): every call that
 * waited, counted by where the program made it, and the file it goes to.
 *
 * The hooks (hooks/prof.c) decide what a wait was: which hooked function,
 * on what kind of fd, for how long.  This module keeps the counts and
 * writes them.  Its tables are fixed-size and lock-free, so that recording
 * costs a few atomic adds, and so that writing the file, which reads them
 * without a lock, is safe from a signal handler.  docs/profiling.md gives
 * the file format.
 */
#ifndef UB_PROFILE_H
#define UB_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define UB_PROF_FRAMES 16  /* pcs kept per stack, the call site first */
#define UB_PROF_BUCKETS 24 /* latency histogram: 1 us to 2^23 us and up */

/* Is the profile on?  Set once, before the program runs. */
extern bool ub_prof_on;
/* Are we in observe mode (UNBLOCK_MODE=observe)?  Set once, likewise. */
extern bool ub_observing;

/*
 * Open the profile named in c (its %p expanded) and make the tables.
 * The file is opened now, so that a later privilege drop cannot lose it;
 * a symbolic link, a file that is not regular, or one owned by another
 * user is refused.  0, or -errno with a message in err naming
 * UNBLOCK_PROFILE.
 */
int ub_prof_setup(const struct ub_config *c, char *err, size_t errlen);

/* The index of the hook whose __func__ is fn (from hooks.def), or -1. */
int ub_prof_hook(const char *fn);
/* What kind of wait hook h makes ("read", "lock"...), or NULL if none. */
const char *ub_prof_hook_kind(int h);

/*
 * The id of the stack of a call into hook made at site, from a frame
 * `depth` bytes below the top of its thread's stack: captured (backtrace)
 * the first time this site is seen at this depth, looked up after that.
 * The same site at the same depth is the same path in all but contrived
 * programs (docs/profiling.md).  0: none could be kept.
 */
uint32_t ub_prof_stack(const void *site, uintptr_t depth);
/* The id of an fd's description ("TCP 127.0.0.1:80 <- 127.0.0.1");
 * 0 is "-", for no fd or no room. */
uint32_t ub_prof_fd(const char *text);
/* One call into hook h waited ns nanoseconds. */
void ub_prof_record(int h, uint32_t fd, uint32_t stack, uint64_t ns);

/*
 * Write the profile now, atomically: a temporary file in the same
 * directory renamed over the old one, or, if the directory is no longer
 * ours to write (privilege dropped), the file opened at start rewritten in
 * place.  Async-signal-safe.  0 or -errno.
 */
int ub_prof_write(void);
/* The profile's absolute path (its directory as opened at start), into
 * buf.  0 or -errno. */
int ub_prof_path(char *buf, size_t len);

#endif
