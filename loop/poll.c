/*
 * poll.c - the fallback backend (UNBLOCK_BACKEND=poll): level-triggered
 * ppoll over exactly the fds somebody waits on.
 *
 * Because poll is level-triggered, an fd must leave the set as soon as
 * nobody waits on it, or a readable socket that no green thread reads
 * would make every poll return at once.  So the loop tells this backend
 * each time an fd's set of waited-for directions changes, and modify()
 * keeps the pollfd array exactly in step.  modify() never makes a syscall.
 *
 * Layout: a dense pollfd array (what ppoll takes), a parallel token array,
 * and slot_of[fd] = index + 1 (0: absent) for O(1) update and swap-remove.
 * Cost is O(watched fds) per poll, which is why epoll is the default.
 */
#define _GNU_SOURCE
#include "backend.h"
#include "clock.h"
#include "sys.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct ub_backend {
  struct pollfd *fds;
  uint64_t *tokens;
  size_t n, cap;
  size_t *slot_of;
  size_t nslots;
};

static int poll_init(struct ub_backend **out)
{
  struct ub_backend *b = calloc(1, sizeof(*b));
  if (b == NULL)
    return -ENOMEM;
  *out = b;
  return 0;
}

static void poll_fini(struct ub_backend *b)
{
  free(b->fds);
  free(b->tokens);
  free(b->slot_of);
  free(b);
}

static int reserve(struct ub_backend *b, int fd)
{
  if ((size_t)fd >= b->nslots) {
    size_t n = b->nslots ? b->nslots : 64;
    while (n <= (size_t)fd)
      n *= 2;
    size_t *s = realloc(b->slot_of, n * sizeof(*s));
    if (s == NULL)
      return -ENOMEM;
    memset(s + b->nslots, 0, (n - b->nslots) * sizeof(*s));
    b->slot_of = s;
    b->nslots = n;
  }
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 16;
    struct pollfd *f = realloc(b->fds, cap * sizeof(*f));
    if (f == NULL)
      return -ENOMEM;
    b->fds = f;
    uint64_t *t = realloc(b->tokens, cap * sizeof(*t));
    if (t == NULL)
      return -ENOMEM;
    b->tokens = t;
    b->cap = cap;
  }
  return 0;
}

static int poll_modify(struct ub_backend *b, int fd, uint64_t token,
                       unsigned events)
{
  size_t slot = (size_t)fd < b->nslots ? b->slot_of[fd] : 0;
  if (events == 0) {
    if (slot == 0)
      return 0;
    size_t i = slot - 1, last = --b->n;
    b->fds[i] = b->fds[last];
    b->tokens[i] = b->tokens[last];
    b->slot_of[b->fds[i].fd] = i + 1;
    b->slot_of[fd] = 0;
    return 0;
  }
  if (slot == 0) {
    int err = reserve(b, fd);
    if (err != 0)
      return err;
    slot = ++b->n;
    b->slot_of[fd] = slot;
  }
  short want = ((events & UB_IN) ? POLLIN | POLLRDHUP : 0) |
               ((events & UB_OUT) ? POLLOUT : 0);
  b->fds[slot - 1] = (struct pollfd){.fd = fd, .events = want};
  b->tokens[slot - 1] = token;
  return 0;
}

static unsigned from_poll(short r)
{
  return ((r & POLLIN) ? UB_IN : 0) | ((r & POLLOUT) ? UB_OUT : 0) |
         ((r & POLLRDHUP) ? UB_RDHUP : 0) | ((r & POLLHUP) ? UB_HUP : 0) |
         ((r & POLLERR) ? UB_ERR : 0);
}

static int poll_poll(struct ub_backend *b, uint64_t timeout_ns,
                     const uint64_t *mask, struct ub_event *out, int max)
{
  struct timespec ts = {(time_t)(timeout_ns / UB_NSEC_PER_SEC),
                        (long)(timeout_ns % UB_NSEC_PER_SEC)};
  int r =
      (int)syscall(SYS_ppoll, b->fds, b->n, timeout_ns == UB_NEVER ? NULL : &ts,
                   mask, UB_SIGSET_BYTES);
  if (r < 0)
    return errno == EINTR ? 0 : -errno;
  int n = 0;
  for (size_t i = 0; i < b->n && n < max && r > 0; i++) {
    short re = b->fds[i].revents;
    if (re == 0)
      continue;
    r--;
    if (re & POLLNVAL)
      out[n++] = (struct ub_event){b->tokens[i], UB_ERR, EBADF};
    else
      out[n++] = (struct ub_event){b->tokens[i], from_poll(re), 0};
  }
  return n;
}

const struct ub_backend_ops ub_backend_poll = {
    .name = "poll",
    .edge = false,
    .init = poll_init,
    .fini = poll_fini,
    .modify = poll_modify,
    .poll = poll_poll,
};
