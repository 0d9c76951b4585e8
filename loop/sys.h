/*
 * sys.h - the raw system calls the loop makes.
 *
 * The loop lives inside the preloaded library, where read, write, close,
 * ppoll and the epoll calls are themselves interposed by hooks/.  Going
 * through syscall() keeps the loop's own plumbing out of the hooks, out of
 * pthread cancellation points, and free of any re-entrancy check.
 */
#ifndef UB_SYS_H
#define UB_SYS_H

#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define UB_SIGSET_BYTES (_NSIG / 8)

static inline long ub_sys_read(int fd, void *buf, size_t n)
{
  return syscall(SYS_read, fd, buf, n);
}

static inline long ub_sys_write(int fd, const void *buf, size_t n)
{
  return syscall(SYS_write, fd, buf, n);
}

static inline int ub_sys_close(int fd)
{
  return (int)syscall(SYS_close, fd);
}
/* Sleep ns nanoseconds on CLOCK_MONOTONIC (the runtime's own threads). */
static inline void ub_sys_nap(uint64_t ns)
{
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
}

#endif
