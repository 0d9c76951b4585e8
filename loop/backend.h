/*
 * backend.h - the contract between the loop and a readiness backend.
 *
 * It is as small as libdill's pollset: init, fini, modify and poll.
 *
 *   modify(fd, token, events) records what the loop wants for fd and makes
 *     no syscall.  An edge-triggered backend (epoll) is told once per fd
 *     lifetime with UB_IN|UB_OUT, and once more with 0 when the fd is
 *     forgotten.  A level-triggered backend (poll) is told every time the
 *     set of directions somebody waits for changes.  The single exception
 *     to "no syscall": forgetting an fd the kernel already knows is applied
 *     at once, because it precedes close(), after which the fd could no
 *     longer be named to the kernel.
 *   poll(timeout, mask, out, max) applies the recorded changes, waits for
 *     at most timeout nanoseconds (UB_NEVER: forever, 0: do not block), with
 *     the signal mask *mask for the length of the wait (NULL: the thread's
 *     own), and stores up to max events in out.  It returns their number or
 * -errno; EINTR returns 0 events.  A registration the kernel refused comes back
 * as an event with `err` set, so the loop can fail that fd's waiters instead of
 * letting them sleep forever.
 *
 * Only loop/epoll.c includes <sys/epoll.h>.
 */
#ifndef UB_BACKEND_H
#define UB_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

/* Directions and conditions, shared by waits and backend events. */
enum {
  UB_IN = 1u << 0,
  UB_OUT = 1u << 1,
  UB_RDHUP = 1u << 2, /* the peer shut down its writing side */
  UB_HUP = 1u << 3,
  UB_ERR = 1u << 4,
  UB_PRI = 1u << 5, /* urgent (TCP out-of-band) data, or a device's news */
};

enum ub_backend_kind { UB_BACKEND_EPOLL, UB_BACKEND_POLL };

struct ub_event {
  uint64_t token;
  uint32_t events;
  int32_t err; /* nonzero: the kernel refused to watch this fd (errno) */
};

struct ub_backend;

struct ub_backend_ops {
  const char *name;
  bool edge; /* edge-triggered: told once per fd lifetime */
  int (*init)(struct ub_backend **out);
  void (*fini)(struct ub_backend *b);
  int (*modify)(struct ub_backend *b, int fd, uint64_t token, unsigned events);
  int (*poll)(struct ub_backend *b, uint64_t timeout_ns, const uint64_t *mask,
              struct ub_event *out, int max);
};

extern const struct ub_backend_ops ub_backend_epoll;
extern const struct ub_backend_ops ub_backend_poll;

#endif
