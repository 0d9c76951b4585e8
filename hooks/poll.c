/*
 * poll.c - poll, ppoll, select, pselect and epoll_wait: a green thread
 * waits on several fds at once.
 *
 * The results always come from the kernel: the real call with a zero
 * timeout is the try.  When it finds nothing ready, the green thread arms
 * one loop wait per fd and direction, plus one "group" wait that carries
 * the timeout, and parks on the group.  The first fd event posts the
 * group; then every fd wait is withdrawn and the zero-timeout call runs
 * again.  Level-triggered results, the kernel's revents, POLLNVAL and
 * EBADF all come out exactly as natively.  A timeout returns 0 (the timer
 * wins a race with an event), and a signal handler returns EINTR: these
 * calls are never restarted, as natively.
 *
 * A program's own epoll fd is itself pollable, so epoll_wait simply waits
 * for it to become readable, while the carrier runs other green threads.
 * The sigmask of ppoll, pselect and epoll_pwait is the thread's mask for
 * the length of the wait, as natively.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "deadline.h"
#include "fdio.h"
#include "signal.h"
#include "thread.h"

struct arm {
  struct ub_wait w;
  struct ub_wait *group;
};

static void arm_fired(struct ub_wait *w)
{
  struct arm *a = w->owner;
  ub_loop_post(a->group, w->result);
}

/* The try: the real call with a zero timeout, as a count or -errno. */
typedef long (*try_fn)(void *ctx);

/*
 * Wait until try() finds something, deadline passes (0), or a handler
 * runs (-EINTR).  fds/dirs: what to wait on.
 */
static long wait_many(struct ub_sched *s, try_fn try, void *ctx, const int *fds,
                      const unsigned *dirs, size_t n, uint64_t deadline)
{
  ub_cancel_point();
  struct arm stack_arms[16];
  struct arm *arms = n <= 16 ? stack_arms : malloc(n * sizeof(*arms));
  if (arms == NULL)
    return -ENOMEM;
  long r;
  for (bool first = true;; first = false) {
    r = try(ctx);
    if (r != 0 && first) {
      /* Ready at once.  A thread that polls in a loop on something only
       * another green thread will clear (a level-triggered fd it does
       * not read) would otherwise never let that thread run: there is no
       * preemption.  Natively the kernel would schedule the other; here
       * the poller yields, and after a run of yields the loop ticks. */
      ub_sched_yield();
    }
    if (r != 0 || ub_clock_now() >= deadline)
      break;
    struct ub_wait group;
    ub_sched_wait_init(&group);
    ub_loop_arm(&s->loop, &group, -1, 0, deadline);
    bool ready = false;
    size_t armed = 0;
    for (; armed < n && !ready; armed++) {
      struct ub_fdinfo *fi = ub_fd_info(fds[armed]);
      arms[armed].group = &group;
      ub_wait_init(&arms[armed].w, arm_fired, &arms[armed]);
      if (fi != NULL)
        ub_io_revalidate(s, fds[armed], fi);
      int a = ub_loop_arm(&s->loop, &arms[armed].w, fds[armed], dirs[armed],
                          UB_NEVER);
      ready = a != 0; /* an edge recorded earlier, or an fd epoll refuses */
    }
    int w = ready ? 0 : ub_sched_park_intr(&group);
    if (ready)
      ub_loop_cancel(&s->loop, &group);
    for (size_t i = 0; i < armed; i++)
      if (!ub_loop_cancel(&s->loop, &arms[i].w) && arms[i].w.result > 0)
        ub_sched_pass(fds[i], dirs[i]); /* we took a wake-up: hand it on */
    if (w == -ECANCELED) {
      ub_cancel_point();
      continue;
    }
    if (w == -EINTR) {
      r = -EINTR;
      break;
    }
    if (w == -ETIMEDOUT) {
      r = 0;
      break;
    }
  }
  if (arms != stack_arms)
    free(arms);
  return r;
}

/* ---- poll and ppoll ------------------------------------------------------ */

struct poll_ctx {
  struct pollfd *fds;
  nfds_t nfds;
};

static long poll_try(void *arg)
{
  struct poll_ctx *p = arg;
  return ub_sys(real.poll(p->fds, p->nfds, 0));
}

static long do_poll(struct ub_sched *s, struct pollfd *fds, nfds_t nfds,
                    uint64_t deadline)
{
  struct poll_ctx p = {fds, nfds};
  size_t n = 0;
  int *wfd = malloc((nfds * 2 + 1) * sizeof(int));
  unsigned *wdir = malloc((nfds * 2 + 1) * sizeof(unsigned));
  if (wfd == NULL || wdir == NULL) {
    free(wfd);
    free(wdir);
    return -ENOMEM;
  }
  for (nfds_t i = 0; i < nfds; i++) {
    if (fds[i].fd < 0)
      continue;
    /* Hang-ups and errors are reported whatever was asked: watch IN. */
    if ((fds[i].events & (POLLIN | POLLPRI | POLLRDHUP)) ||
        !(fds[i].events & POLLOUT)) {
      wfd[n] = fds[i].fd;
      wdir[n++] = UB_IN;
    }
    if (fds[i].events & POLLOUT) {
      wfd[n] = fds[i].fd;
      wdir[n++] = UB_OUT;
    }
  }
  long r = wait_many(s, poll_try, &p, wfd, wdir, n, deadline);
  free(wfd);
  free(wdir);
  return r;
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
  UB_ENTER(s);
  if (s == NULL || timeout == 0)
    return real.poll(fds, nfds, timeout);
  return (int)ub_ret(do_poll(s, fds, nfds, ub_deadline_ms(timeout)));
}

int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
  UB_CALL(-1);
  if (fdslen / sizeof(*fds) < nfds) {
    ub_real_ensure();
    return real.__poll_chk(fds, nfds, timeout, fdslen);
  }
  return poll(fds, nfds, timeout);
}

int ppoll(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
          const sigset_t *mask)
{
  UB_ENTER(s);
  uint64_t deadline;
  if (s == NULL || ub_timespec_zero(timeout) ||
      ub_deadline_rel(timeout, &deadline) != 0)
    return real.ppoll(fds, nfds, timeout, mask); /* incl. its EINVAL */
  uint64_t old;
  long r = ub_sig_swap_mask(mask, &old);
  if (r == 0)
    r = do_poll(s, fds, nfds, deadline);
  ub_sig_restore_mask(mask, old);
  return (int)ub_ret(r);
}

int __ppoll_chk(struct pollfd *fds, nfds_t nfds, const struct timespec *timeout,
                const sigset_t *mask, size_t fdslen)
{
  UB_CALL(-1);
  if (fdslen / sizeof(*fds) < nfds) {
    ub_real_ensure();
    return real.__ppoll_chk(fds, nfds, timeout, mask, fdslen);
  }
  return ppoll(fds, nfds, timeout, mask);
}

/* ---- select and pselect ---------------------------------------------------
 */

struct select_ctx {
  int nfds;
  fd_set *sets[3], orig[3];
};

static long select_try(void *arg)
{
  struct select_ctx *c = arg;
  for (int i = 0; i < 3; i++)
    if (c->sets[i] != NULL)
      *c->sets[i] = c->orig[i];
  struct timeval zero = {0, 0};
  return ub_sys(
      real.select(c->nfds, c->sets[0], c->sets[1], c->sets[2], &zero));
}

static long do_select(struct ub_sched *s, int nfds, fd_set *rd, fd_set *wr,
                      fd_set *ex, uint64_t deadline)
{
  if (nfds < 0 || nfds > FD_SETSIZE)
    return -EINVAL;
  struct select_ctx c = {.nfds = nfds, .sets = {rd, wr, ex}};
  int wfd[FD_SETSIZE * 2];
  unsigned wdir[FD_SETSIZE * 2];
  size_t n = 0;
  for (int i = 0; i < 3; i++)
    if (c.sets[i] != NULL)
      c.orig[i] = *c.sets[i];
  for (int fd = 0; fd < nfds; fd++) {
    bool in =
        (rd != NULL && FD_ISSET(fd, rd)) || (ex != NULL && FD_ISSET(fd, ex));
    if (in) {
      wfd[n] = fd;
      wdir[n++] = UB_IN;
    }
    if (wr != NULL && FD_ISSET(fd, wr)) {
      wfd[n] = fd;
      wdir[n++] = UB_OUT;
    }
  }
  long r = wait_many(s, select_try, &c, wfd, wdir, n, deadline);
  if (r < 0) /* the sets as the caller gave them, as the kernel leaves them */
    for (int i = 0; i < 3; i++)
      if (c.sets[i] != NULL)
        *c.sets[i] = c.orig[i];
  return r;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
           struct timeval *timeout)
{
  UB_ENTER(s);
  uint64_t deadline;
  if (s == NULL ||
      (timeout != NULL && timeout->tv_sec == 0 && timeout->tv_usec == 0) ||
      ub_deadline_tv(timeout, &deadline) != 0)
    return real.select(nfds, rd, wr, ex, timeout); /* incl. its EINVAL */
  long r = do_select(s, nfds, rd, wr, ex, deadline);
  if (timeout != NULL) { /* Linux reports the time not slept */
    uint64_t now = ub_clock_now(), left = deadline > now ? deadline - now : 0;
    timeout->tv_sec = (time_t)(left / UB_NSEC_PER_SEC);
    timeout->tv_usec = (suseconds_t)(left % UB_NSEC_PER_SEC / 1000);
  }
  return (int)ub_ret(r);
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
            const struct timespec *timeout, const sigset_t *mask)
{
  UB_ENTER(s);
  uint64_t deadline;
  if (s == NULL || ub_timespec_zero(timeout) ||
      ub_deadline_rel(timeout, &deadline) != 0)
    return real.pselect(nfds, rd, wr, ex, timeout, mask); /* its EINVAL */
  uint64_t old;
  long r = ub_sig_swap_mask(mask, &old);
  if (r == 0)
    r = do_select(s, nfds, rd, wr, ex, deadline);
  ub_sig_restore_mask(mask, old);
  return (int)ub_ret(r);
}

/* ---- epoll_wait ------------------------------------------------------------
 */

struct epoll_ctx {
  int epfd;
  struct epoll_event *events;
  int max;
};

static long epoll_try(void *arg)
{
  struct epoll_ctx *c = arg;
  return ub_sys(real.epoll_wait(c->epfd, c->events, c->max, 0));
}

static long do_epoll(struct ub_sched *s, int epfd, struct epoll_event *events,
                     int max, uint64_t deadline, const sigset_t *mask)
{
  struct epoll_ctx c = {epfd, events, max};
  unsigned dir = UB_IN;
  uint64_t old;
  long r = ub_sig_swap_mask(mask, &old);
  if (r == 0)
    r = wait_many(s, epoll_try, &c, &epfd, &dir, 1, deadline);
  ub_sig_restore_mask(mask, old);
  return r;
}

int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout)
{
  UB_ENTER(s);
  if (s == NULL || timeout == 0)
    return real.epoll_wait(epfd, events, max, timeout);
  return (int)ub_ret(
      do_epoll(s, epfd, events, max, ub_deadline_ms(timeout), NULL));
}

int epoll_pwait(int epfd, struct epoll_event *events, int max, int timeout,
                const sigset_t *mask)
{
  UB_ENTER(s);
  if (s == NULL || timeout == 0)
    return real.epoll_pwait(epfd, events, max, timeout, mask);
  return (int)ub_ret(
      do_epoll(s, epfd, events, max, ub_deadline_ms(timeout), mask));
}

int epoll_pwait2(int epfd, struct epoll_event *events, int max,
                 const struct timespec *timeout, const sigset_t *mask)
{
  UB_ENTER(s);
  uint64_t deadline;
  if (s == NULL || ub_timespec_zero(timeout))
    return real.epoll_pwait2(epfd, events, max, timeout, mask);
  if (ub_deadline_rel(timeout, &deadline) != 0) {
    errno = EINVAL; /* (valgrind does not know epoll_pwait2 to say so) */
    return -1;
  }
  return (int)ub_ret(do_epoll(s, epfd, events, max, deadline, mask));
}
