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

#include "hook.h"
#include "thread.h"

static bool valid(const struct timespec *ts)
{
  return ts->tv_nsec >= 0 && ts->tv_nsec < (long)UB_NSEC_PER_SEC &&
         ts->tv_sec >= 0;
}

static uint64_t ns_of(const struct timespec *ts)
{
  if ((uint64_t)ts->tv_sec >= UB_NEVER / UB_NSEC_PER_SEC)
    return UB_NEVER;
  return (uint64_t)ts->tv_sec * UB_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

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
  if (ub_hook_enter() == NULL ||
      (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
       clock != CLOCK_BOOTTIME && clock != CLOCK_TAI))
    return real.clock_nanosleep(clock, flags, req, rem);
  if (req->tv_nsec < 0 || req->tv_nsec >= (long)UB_NSEC_PER_SEC)
    return EINVAL;
  uint64_t now = ub_clock_now(), deadline;
  if (flags & TIMER_ABSTIME) {
    struct timespec c;
    clock_gettime(clock, &c);
    int64_t d = (int64_t)(req->tv_sec - c.tv_sec) * (int64_t)UB_NSEC_PER_SEC +
                (req->tv_nsec - c.tv_nsec);
    deadline = d <= 0 ? now : ub_clock_after(now, (uint64_t)d);
  } else {
    if (req->tv_sec < 0)
      return EINVAL;
    deadline = ub_clock_after(now, ns_of(req));
  }
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
  if (ub_hook_enter() == NULL)
    return real.nanosleep(req, rem);
  if (!valid(req)) {
    errno = EINVAL;
    return -1;
  }
  int err = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);
  if (err == 0)
    return 0;
  errno = err;
  return -1;
}

int usleep(useconds_t usec)
{
  if (ub_hook_enter() == NULL)
    return real.usleep(usec);
  struct timespec ts = {(time_t)(usec / 1000000),
                        (long)(usec % 1000000) * 1000};
  return nanosleep(&ts, NULL);
}

unsigned int sleep(unsigned int seconds)
{
  if (ub_hook_enter() == NULL)
    return real.sleep(seconds);
  struct timespec ts = {(time_t)seconds, 0}, rem;
  if (nanosleep(&ts, &rem) == 0)
    return 0;
  return (unsigned)rem.tv_sec; /* whole seconds not slept, as glibc */
}
