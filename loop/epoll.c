/*
 * epoll.c - the default backend: one edge-triggered registration per fd.
 *
 * An fd is added once, for EPOLLIN|EPOLLOUT|EPOLLRDHUP|EPOLLPRI|EPOLLET, the
 * first time anything waits on it, and deleted when it is forgotten.  There
 * is no EPOLL_CTL_MOD per wait: the loop remembers edges that arrive with
 * nobody waiting (arena.h), so a permanent registration loses nothing.
 * EPOLLPRI is there so that the loop learns of TCP urgent data, which stops
 * a read short of the data behind it (loop.h: ub_loop_drained).
 *
 * epoll pathologies this file accounts for:
 *   - Registrations belong to the open file description, not the fd.  A
 *     dup'd description stays registered after close(fd), and keeps
 *     reporting with the old token; the loop drops those by generation.
 *     That is also why forgetting deletes at once, before the close.
 *   - Adding an fd that is already ready reports it at once, so an edge that
 *     fired before the (queued) add is not lost.
 *   - Regular files and directories cannot be watched (EPERM).  The refusal
 *     is reported as an event with `err`, so waiters fail instead of hang.
 *   - The calls are raw syscalls (sys.h): the epoll functions are hooked.
 *   - epoll_pwait2 (Linux 5.11) takes a nanosecond timeout; older kernels
 *     get epoll_wait with the timeout rounded up to whole milliseconds, so
 *     a timer never fires early.
 */
#include "backend.h"
#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include "hidefd.h"
#include "sys.h"

#include <valgrind/valgrind.h>

#define BATCH 256

struct pending {
  int fd;
  unsigned events;
  uint64_t token;
};

struct ub_backend {
  int epfd;
  bool no_pwait2;
  struct pending *pend;
  size_t npend, cap;
  struct epoll_event evs[BATCH];
};

static int epoll_init(struct ub_backend **out)
{
  struct ub_backend *b = calloc(1, sizeof(*b));
  if (b == NULL)
    return -ENOMEM;
  b->epfd = (int)syscall(SYS_epoll_create1, EPOLL_CLOEXEC);
  if (b->epfd < 0) {
    int err = errno;
    free(b);
    return -err;
  }
  b->epfd = ub_hidefd(b->epfd);
  /* valgrind 3.19 does not know epoll_pwait2, and warns on each try. */
  b->no_pwait2 = RUNNING_ON_VALGRIND;
  *out = b;
  return 0;
}

static void epoll_fini(struct ub_backend *b)
{
  ub_unhidefd(b->epfd);
  ub_sys_close(b->epfd);
  free(b->pend);
  free(b);
}

static int epoll_modify(struct ub_backend *b, int fd, uint64_t token,
                        unsigned events)
{
  if (events != 0) {
    if (b->npend == b->cap) {
      size_t cap = b->cap ? b->cap * 2 : 16;
      struct pending *p = realloc(b->pend, cap * sizeof(*p));
      if (p == NULL)
        return -ENOMEM;
      b->pend = p;
      b->cap = cap;
    }
    b->pend[b->npend++] = (struct pending){fd, events, token};
    return 0;
  }
  /* Forget: drop a queued add, or delete the live registration now. */
  for (size_t i = 0; i < b->npend; i++) {
    if (b->pend[i].fd == fd) {
      b->pend[i] = b->pend[--b->npend];
      return 0;
    }
  }
  if (syscall(SYS_epoll_ctl, b->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 &&
      errno != EBADF && errno != ENOENT)
    return -errno;
  return 0;
}

/* Apply queued adds; report refusals into out.  Returns refusals stored. */
static int flush(struct ub_backend *b, struct ub_event *out, int max)
{
  int n = 0;
  size_t i = 0;
  while (i < b->npend && n < max) {
    struct pending p = b->pend[i++];
    /* The loop asks for both directions on every fd it waits on; only its
     * own eventfd asks for UB_IN alone (it is always writable). */
    struct epoll_event ev = {
        .events = EPOLLET |
                  ((p.events & UB_IN) ? EPOLLIN | EPOLLRDHUP | EPOLLPRI : 0) |
                  ((p.events & UB_OUT) ? EPOLLOUT : 0),
        .data.u64 = p.token,
    };
    int r = syscall(SYS_epoll_ctl, b->epfd, EPOLL_CTL_ADD, p.fd, &ev);
    if (r < 0 && errno == EEXIST)
      r = syscall(SYS_epoll_ctl, b->epfd, EPOLL_CTL_MOD, p.fd, &ev);
    if (r < 0)
      out[n++] = (struct ub_event){p.token, UB_ERR, errno};
  }
  /* Whatever did not fit stays queued for the next poll. */
  b->npend -= i;
  for (size_t j = 0; j < b->npend; j++)
    b->pend[j] = b->pend[i + j];
  return n;
}

static unsigned from_epoll(uint32_t e)
{
  return ((e & EPOLLIN) ? UB_IN : 0) | ((e & EPOLLOUT) ? UB_OUT : 0) |
         ((e & EPOLLRDHUP) ? UB_RDHUP : 0) | ((e & EPOLLHUP) ? UB_HUP : 0) |
         ((e & EPOLLERR) ? UB_ERR : 0) | ((e & EPOLLPRI) ? UB_PRI : 0);
}

static int wait_events(struct ub_backend *b, uint64_t timeout_ns,
                       const uint64_t *mask, int max)
{
  if (!b->no_pwait2) {
    struct timespec ts = {(time_t)(timeout_ns / UB_NSEC_PER_SEC),
                          (long)(timeout_ns % UB_NSEC_PER_SEC)};
    int r = (int)syscall(SYS_epoll_pwait2, b->epfd, b->evs, max,
                         timeout_ns == UB_NEVER ? NULL : &ts, mask,
                         UB_SIGSET_BYTES);
    if (r >= 0 || errno != ENOSYS)
      return r;
    b->no_pwait2 = true;
  }
  int ms = -1;
  if (timeout_ns != UB_NEVER) {
    uint64_t up = (timeout_ns + 999999) / 1000000;
    ms = up > INT_MAX ? INT_MAX : (int)up;
  }
  return (int)syscall(SYS_epoll_pwait, b->epfd, b->evs, max, ms, mask,
                      UB_SIGSET_BYTES);
}

static int epoll_poll(struct ub_backend *b, uint64_t timeout_ns,
                      const uint64_t *mask, struct ub_event *out, int max)
{
  int n = flush(b, out, max);
  if (n > 0 || b->npend > 0)
    timeout_ns = 0; /* refusals to deliver, or adds still queued */
  if (n == max)
    return n;
  int room = max - n < BATCH ? max - n : BATCH;
  int r = wait_events(b, timeout_ns, mask, room);
  if (r < 0)
    return errno == EINTR ? n : -errno;
  for (int i = 0; i < r; i++)
    out[n++] =
        (struct ub_event){b->evs[i].data.u64, from_epoll(b->evs[i].events), 0};
  return n;
}

const struct ub_backend_ops ub_backend_epoll = {
    .name = "epoll",
    .edge = true,
    .init = epoll_init,
    .fini = epoll_fini,
    .modify = epoll_modify,
    .poll = epoll_poll,
};
