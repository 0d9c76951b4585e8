/*
 * time.c - sleep, usleep, nanosleep and clock_nanosleep park on the
 * loop's timer heap.
 *
 * A relative sleep becomes a deadline on the monotonic clock.  An absolute
 * sleep (TIMER_ABSTIME) on CLOCK_REALTIME is turned into one when the call
 * starts; a later jump of the wall clock does not move it (docs/limits.md).
 * A signal handler ends every sleep early with EINTR, whatever SA_RESTART
 * says, and the remaining time is reported as the kernel does.  Sleeps on
 * CPU-time clocks pass through.
 */
#include <errno.h>
#include <time.h>

#include "deadline.h"
#include "hook.h"
#include "thread.h"

/* Sleep until deadline; 0, or -EINTR with *left the time not slept. */
static int sleep_until(uint64_t deadline, uint64_t *left)
{
  ub_cancel_point();
  for (;;) {
    int r = ub_sched_sleep(deadline);
    if (r == -ECANCELED) {
      ub_cancel_point();
      continue; /* cancellation disabled: sleep on */
    }
    if (r != 0 && left != NULL) {
      uint64_t now = ub_clock_now();
      *left = deadline > now ? deadline - now : 0;
    }
    return r;
  }
}

static struct timespec ts_of(uint64_t ns)
{
  return (struct timespec){(time_t)(ns / UB_NSEC_PER_SEC),
                           (long)(ns % UB_NSEC_PER_SEC)};
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req,
                    struct timespec *rem)
{
  UB_ENTER(s);
  if (s == NULL || (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
                    clock != CLOCK_BOOTTIME && clock != CLOCK_TAI))
    return real.clock_nanosleep(clock, flags, req, rem);
  uint64_t deadline;
  if ((flags & TIMER_ABSTIME ? ub_deadline_abs(clock, req, &deadline)
                             : ub_deadline_rel(req, &deadline)) != 0)
    return EINVAL;
  uint64_t left = 0;
  int r = sleep_until(deadline, &left);
  if (r == 0)
    return 0;
  if (rem != NULL && !(flags & TIMER_ABSTIME))
    *rem = ts_of(left);
  return -r;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.nanosleep(req, rem);
  int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
  if (err == 0)
    return 0;
  errno = err;
  return -1;
}

int usleep(useconds_t usec)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.usleep(usec);
  struct timespec ts = {(time_t)(usec / 1000000),
                        (long)(usec % 1000000) * 1000};
  return nanosleep(&ts, NULL);
}

unsigned int sleep(unsigned int seconds)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.sleep(seconds);
  struct timespec ts = {(time_t)seconds, 0}, rem;
  if (nanosleep(&ts, &rem) == 0)
    return 0;
  return (unsigned)rem.tv_sec; /* whole seconds not slept, as glibc */
}
