/*
 * fdio.h - the one retry loop behind every hook that can block on an fd.
 *
 * A hook describes its call as a struct ub_io_op: the fd, the direction it
 * may wait for, and `attempt`, which makes the call once without blocking
 * the carrier, the way the fd's kind allows (fdtab.h).  ub_io_run then:
 *   1. passes straight through if the program made the fd non-blocking
 *      (it gets EAGAIN, never a wait) or the fd cannot be waited on;
 *   2. tries the call; on anything but EAGAIN, returns the kernel's result;
 *   3. on EAGAIN, parks on the loop until the fd is ready, the socket's
 *      SO_RCVTIMEO/SO_SNDTIMEO expires (EAGAIN, as the kernel), a signal
 *      handler runs (EINTR, or a restart under SA_RESTART), or the fd is
 *      closed (EBADF), and goes back to 2;
 *   4. after a try that succeeded following a wake-up, passes readiness on
 *      to the next waiter (loop.h explains why).
 * Writes to a blocking fd keep going until everything is written, as the
 * kernel's blocking write does: `attempt` adds to `done` and returns
 * -EAGAIN while there is more; an error or interruption after some
 * progress returns the progress.
 */
#ifndef UB_FDIO_H
#define UB_FDIO_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "fdtab.h"
#include "hook.h"

struct ub_io_op {
  int fd;
  unsigned dir; /* UB_IN or UB_OUT */
  /* One try: a count, or -errno.  `kind` is how to avoid blocking, or
   * UB_FD_PLAIN for the plain real call (which may block). */
  long (*attempt)(struct ub_io_op *op, enum ub_fd_kind kind);
  long done;       /* progress kept across tries (writes) */
  size_t want;     /* a plain read's size: on TCP, a shorter count means the
                    * socket is drained (loop.h: ub_loop_drained); 0: not */
  bool nowait;     /* the caller asked for this call alone (MSG_DONTWAIT) */
  bool no_restart; /* never restarted after a handler (SA_RESTART) */
};

/* Run op to completion for the calling green thread on s: a count or
 * -errno. */
long ub_io_run(struct ub_sched *s, struct ub_io_op *op);

/* A real call's result as a count or -errno. */
static inline long ub_sys(long r)
{
  return r < 0 ? -errno : r;
}

/* Is fd ready for events now?  (poll with a zero timeout) */
bool ub_io_ready(int fd, short events);

/*
 * Make sure the loop's registration for fd, if any, is for the file fd
 * names now: forget it if a hooked call gave the number a new file
 * (fdtab.h: gen), or, for an fd not made by a hooked call, if the file's
 * identity changed since the registration.
 */
void ub_io_revalidate(struct ub_sched *s, int fd, struct ub_fdinfo *fi);

/*
 * Park the calling green thread on fd for dir until deadline: > 0, or
 * -errno; first ub_io_revalidate.
 */
int ub_io_wait(struct ub_sched *s, int fd, struct ub_fdinfo *fi, unsigned dir,
               uint64_t deadline);

/*
 * The next piece of iov after `done` bytes, without a copy of the array
 * (an IOV_MAX array is 16 KiB of stack, and would keep a page of every
 * green thread's stack resident): the tail of iov itself, or, when `done`
 * ends inside an entry, the rest of that entry alone, in *one.  *iovcnt
 * goes in as iov's count and comes out as the piece's.  A caller that
 * moved the whole piece goes on with the next one.  And the bytes iov
 * covers.
 */
const struct iovec *ub_iov_rest(const struct iovec *iov, int *iovcnt,
                                size_t done, struct iovec *one);
size_t ub_iov_total(const struct iovec *iov, int iovcnt);

/* After a wait ended by a signal: restart the call (SA_RESTART)? */
bool ub_io_restart(void);

#endif
