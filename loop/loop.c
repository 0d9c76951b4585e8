/*
 * loop.c - one tick of the lifetime loop, and the waits that park on it.
 *
 * A tick has four phases, always in this order:
 *   1. poll:    the backend applies queued registrations, then waits until
 *               the earliest timer, a wake-up, or an fd event (or does not
 *               wait at all when the scheduler still has work).
 *   2. timers:  the clock is read once, and every timer due by then fires.
 *   3. events:  fd events are dispatched to waiters, or recorded as ready.
 *   4. inbox:   waits posted by other threads are resumed.
 * Timers fire before events, so when an fd event and a deadline land in the
 * same tick the timer wins: the waiter sees -ETIMEDOUT, is unlinked from the
 * fd, and the event then finds nobody and is recorded for the next waiter.
 *
 * Readiness: HUP or ERR wakes every waiter in both directions, RDHUP every
 * reader (each of them will read EOF), and plain readiness exactly one
 * waiter in that direction.  An edge that finds no waiter sets the
 * direction's ready bit, which the next ub_loop_arm consumes instead of
 * parking; the caller then retries its call, and waits again on EAGAIN.
 * Waking one is only safe because a woken caller whose retry succeeds
 * passes readiness on to the next waiter (ub_loop_pass): with edges, the
 * kernel reports nothing new for data the first caller left behind.
 *
 * The clock: phase 2 reads it once per tick.  A blocking tick with a timer
 * pending also reads it before phase 1 to size the wait, since the cached
 * value is stale by however long the green threads ran.
 */
#include "loop.h"

#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/eventfd.h>

#include "hidefd.h"
#include "share.h"
#include "sys.h"

#define WAKE_TOKEN UINT64_MAX

/* Its address identifies the calling thread; see ub_loop_post. */
static __thread char thread_mark __attribute__((tls_model("initial-exec")));

#define wait_of(node)                                                          \
  ((struct ub_wait *)((char *)(node)-offsetof(struct ub_wait, timer)))

static bool claim(struct ub_wait *w)
{
  return atomic_exchange_explicit(&w->claimed, 1, memory_order_acq_rel) == 0;
}

static struct ub_wlist *list_of(struct ub_io *io, unsigned dir)
{
  return dir == UB_IN ? &io->readers : &io->writers;
}

/* Keep a level-triggered backend asking for exactly what is waited on. */
static int update_interest(struct ub_loop *l, int fd, struct ub_io *io)
{
  if (l->ops->edge)
    return 0;
  unsigned want =
      (io->readers.head ? UB_IN : 0) | (io->writers.head ? UB_OUT : 0);
  if (want == io->interest)
    return 0;
  int err = l->ops->modify(l->bk, fd, ub_arena_token(fd, io->gen), want);
  if (err != 0)
    return err;
  l->nfds += (want != 0) - (io->interest != 0);
  io->interest = (uint8_t)want;
  return 0;
}

/* Take w off its fd list and out of the heap, whichever it is on. */
static void unlink_wait(struct ub_loop *l, struct ub_wait *w)
{
  struct ub_io *io = w->io;
  if (io != NULL) {
    struct ub_wlist *q = list_of(io, w->dir);
    if (w->prev != NULL)
      w->prev->next = w->next;
    else
      q->head = w->next;
    if (w->next != NULL)
      w->next->prev = w->prev;
    else
      q->tail = w->prev;
    w->next = w->prev = NULL;
    w->io = NULL;
    /* Dropping interest only shrinks the poll set; it cannot fail. */
    (void)update_interest(l, w->fd, io);
  }
  if (ub_heap_contains(&l->timers, &w->timer))
    ub_heap_remove(&l->timers, &w->timer);
}

/* Resume w with result if we win the claim; either way, unlink it. */
static int fire(struct ub_loop *l, struct ub_wait *w, int result)
{
  bool won = claim(w);
  unlink_wait(l, w);
  if (!won)
    return 0; /* another thread claimed it; its post will resume it */
  w->result = result;
  w->resume(w);
  return 1;
}

/* Resume the oldest waiter in dir that nobody else claimed; 0 or 1. */
static int wake_next(struct ub_loop *l, struct ub_io *io, unsigned dir,
                     unsigned events)
{
  struct ub_wlist *q = list_of(io, dir);
  while (q->head != NULL)
    if (fire(l, q->head, (int)events))
      return 1;
  return 0;
}

/* Readiness: wake one waiter, or record the edge for the next one. */
static int wake_one(struct ub_loop *l, struct ub_io *io, unsigned dir,
                    unsigned events)
{
  if (wake_next(l, io, dir, events))
    return 1;
  io->ready |= (uint8_t)dir;
  return 0;
}

static int wake_all(struct ub_loop *l, struct ub_io *io, unsigned dir,
                    int result)
{
  struct ub_wlist *q = list_of(io, dir);
  int n = 0;
  while (q->head != NULL)
    n += fire(l, q->head, result);
  if (n == 0 && result > 0)
    io->ready |= (uint8_t)dir;
  return n;
}

void ub_wait_init(struct ub_wait *w, void (*resume)(struct ub_wait *),
                  void *owner)
{
  *w = (struct ub_wait){.resume = resume, .owner = owner, .fd = -1};
  w->timer.deadline = UB_NEVER;
}

int ub_loop_init(struct ub_loop *l, enum ub_backend_kind kind)
{
  *l = (struct ub_loop){
      .ops = kind == UB_BACKEND_POLL ? &ub_backend_poll : &ub_backend_epoll,
      .thread = &thread_mark,
      .now = ub_clock_now(),
  };
  ub_arena_init(&l->arena);
  ub_heap_init(&l->timers);
  l->slot = ub_share_slot_get(l);
  l->wake_fd = (int)syscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (l->wake_fd < 0) {
    ub_share_slot_put(l->slot);
    return -errno;
  }
  l->wake_fd = ub_hidefd(l->wake_fd);
  int err = l->ops->init(&l->bk);
  if (err == 0)
    err = l->ops->modify(l->bk, l->wake_fd, WAKE_TOKEN, UB_IN);
  if (err != 0) {
    if (l->bk != NULL)
      l->ops->fini(l->bk);
    ub_unhidefd(l->wake_fd);
    ub_sys_close(l->wake_fd);
    ub_share_slot_put(l->slot);
    return err;
  }
  return 0;
}

void ub_loop_fini(struct ub_loop *l)
{
  assert(ub_heap_min(&l->timers) == NULL);
  l->ops->fini(l->bk);
  ub_unhidefd(l->wake_fd);
  ub_sys_close(l->wake_fd);
  ub_arena_fini(&l->arena);
  ub_share_slot_put(l->slot);
}

int ub_loop_arm(struct ub_loop *l, struct ub_wait *w, int fd, unsigned dir,
                uint64_t deadline)
{
  w->loop = l;
  w->io = NULL;
  w->next = w->prev = NULL;
  w->fd = fd;
  w->dir = dir;
  w->result = 0;
  w->timer.child = w->timer.next = w->timer.prev = NULL;
  w->timer.deadline = deadline; /* read by the dump, armed or not */
  atomic_store_explicit(&w->claimed, 0, memory_order_relaxed);
  if (fd >= 0) {
    assert(dir == UB_IN || dir == UB_OUT);
    struct ub_io *io = ub_arena_get(&l->arena, fd);
    if (io == NULL)
      return -ENOMEM;
    if (io->ready & dir) {
      io->ready &= (uint8_t)~dir;
      return (int)dir;
    }
    if (l->ops->edge && !io->registered) {
      int err = l->ops->modify(l->bk, fd, ub_arena_token(fd, io->gen),
                               UB_IN | UB_OUT);
      if (err != 0)
        return err;
      io->registered = 1;
      l->nfds++;
    }
    struct ub_wlist *q = list_of(io, dir);
    w->prev = q->tail;
    if (q->tail != NULL)
      q->tail->next = w;
    else
      q->head = w;
    q->tail = w;
    w->io = io;
    int err = update_interest(l, fd, io);
    if (err != 0) {
      unlink_wait(l, w);
      return err;
    }
  }
  if (deadline != UB_NEVER)
    ub_heap_insert(&l->timers, &w->timer, deadline);
  return 0;
}

void ub_loop_own(struct ub_loop *l)
{
  l->thread = &thread_mark;
}

bool ub_loop_sleepy(struct ub_loop *l)
{
  atomic_store(&l->notified, 0); /* seq_cst: before the loads that follow */
  bool kicked = atomic_exchange(&l->kicked, 0) != 0;
  return !kicked && atomic_load(&l->inbox) == NULL;
}

void ub_loop_wake(struct ub_loop *l)
{
  /* Seen by the owner's next ub_loop_sleepy if it is awake now. */
  atomic_store(&l->kicked, 1);
  if (atomic_exchange(&l->notified, 1) == 0) {
    uint64_t one = 1;
    (void)ub_sys_write(l->wake_fd, &one, sizeof(one));
  }
}

bool ub_loop_post_defer(struct ub_wait *w, int result, uint64_t *ring)
{
  if (!claim(w))
    return false;
  w->result = result;
  struct ub_loop *l = w->loop;
  if (l->thread == &thread_mark) {
    unlink_wait(l, w);
    w->resume(w);
    return true;
  }
  struct ub_wait *head = atomic_load_explicit(&l->inbox, memory_order_relaxed);
  do
    w->post_next = head;
  while (!atomic_compare_exchange_weak_explicit(
      &l->inbox, &head, w, memory_order_seq_cst, memory_order_relaxed));
  /* From here on w may be resumed and gone: only l is touched. */
  if (ring != NULL && l->slot >= 0)
    *ring |= 1ull << l->slot;
  else
    ub_loop_wake(l);
  return true;
}

bool ub_loop_post(struct ub_wait *w, int result)
{
  return ub_loop_post_defer(w, result, NULL);
}

void ub_loop_ring(uint64_t ring)
{
  for (; ring != 0; ring &= ring - 1) {
    struct ub_loop *l = ub_share_loop(__builtin_ctzll(ring));
    if (l != NULL)
      ub_loop_wake(l);
  }
}

bool ub_loop_drained(struct ub_loop *l, int fd, uint32_t tag)
{
  struct ub_io *io = ub_arena_find(&l->arena, fd);
  if (io == NULL || !io->registered || io->final || io->tag != tag ||
      !l->ops->edge)
    return false;
  io->drained = 1;
  /* An edge recorded with no waiter was for data this read took. */
  io->ready &= (uint8_t)~UB_IN;
  return true;
}

bool ub_loop_empty(const struct ub_loop *l, int fd, uint32_t tag)
{
  const struct ub_io *io = ub_arena_find(&l->arena, fd);
  return io != NULL && io->drained && io->tag == tag;
}

int ub_loop_pass(struct ub_loop *l, int fd, unsigned dir)
{
  struct ub_io *io = ub_arena_find(&l->arena, fd);
  return io != NULL ? wake_next(l, io, dir, dir) : 0;
}

bool ub_loop_cancel(struct ub_loop *l, struct ub_wait *w)
{
  if (!claim(w))
    return false;
  unlink_wait(l, w);
  return true;
}

int ub_loop_after_fork(struct ub_loop *l)
{
  enum ub_backend_kind kind =
      l->ops == &ub_backend_poll ? UB_BACKEND_POLL : UB_BACKEND_EPOLL;
  /* Nothing of the old state may be resumed: its owners are gone.  The
   * backend's memory is freed, which closes the child's epoll fd only. */
  ub_heap_init(&l->timers);
  l->ops->fini(l->bk);
  ub_unhidefd(l->wake_fd);
  ub_sys_close(l->wake_fd);
  ub_arena_fini(&l->arena);
  ub_share_after_fork(l->slot);
  ub_share_slot_put(l->slot); /* ub_loop_init takes it again */
  return ub_loop_init(l, kind);
}

/* Drop l's state for fd and wake its waiters with -EBADF.  l leaves the
 * fd's set first, so a waiter woken here never sees l still in it. */
static void forget_io(struct ub_loop *l, int fd, struct ub_io *io)
{
  if (io->member) {
    ub_share_del(fd, l->slot);
    io->member = 0;
  }
  wake_all(l, io, UB_IN, -EBADF);
  wake_all(l, io, UB_OUT, -EBADF);
  if (io->registered) {
    /* A failure here leaves a stale registration, which generations mute. */
    (void)l->ops->modify(l->bk, fd, ub_arena_token(fd, io->gen), 0);
    io->registered = 0;
    l->nfds--;
  }
  io->ready = 0;
  io->drained = io->final = 0;
  io->gen++;
}

void ub_loop_forget(struct ub_loop *l, int fd)
{
  struct ub_io *io = ub_arena_find(&l->arena, fd);
  if (io != NULL)
    forget_io(l, fd, io);
}

/* Is a's file older than, or the same as, b's?  (Tags wrap.) */
static bool tag_le(uint32_t a, uint32_t b)
{
  return (int32_t)(a - b) <= 0;
}

/* A request one loop sends another about an fd (ub_loop_bind and
 * ub_loop_forget_all); it runs on the receiver's thread, from its inbox. */
struct fd_msg {
  struct ub_wait w;
  int fd;
  uint32_t tag;
  bool only_idle; /* drop the fd only if nobody waits on it here */
};

static void fd_msg_run(struct ub_wait *w)
{
  struct fd_msg *m = (struct fd_msg *)w;
  struct ub_loop *l = w->loop;
  struct ub_io *io = ub_arena_find(&l->arena, m->fd);
  if (io != NULL && io->member && tag_le(io->tag, m->tag) &&
      (!m->only_idle || (io->readers.head == NULL && io->writers.head == NULL)))
    forget_io(l, m->fd, io);
  free(m);
}

/* Send the loops in mask a request about fd.  Without memory a loop keeps
 * a stale registration, which costs it spurious wake-ups only; its
 * waiters on a closed fd then wait on, as Linux's own would. */
static void fd_msg_send(uint64_t mask, int fd, uint32_t tag, bool only_idle)
{
  for (; mask != 0; mask &= mask - 1) {
    struct ub_loop *to = ub_share_loop(__builtin_ctzll(mask));
    struct fd_msg *m = to != NULL ? malloc(sizeof(*m)) : NULL;
    if (m == NULL)
      continue;
    *m = (struct fd_msg){.fd = fd, .tag = tag, .only_idle = only_idle};
    ub_wait_init(&m->w, fd_msg_run, NULL);
    m->w.loop = to;
    ub_loop_post(&m->w, 0);
  }
}

int ub_loop_bind(struct ub_loop *l, int fd, uint32_t tag)
{
  struct ub_io *io = ub_arena_get(&l->arena, fd);
  if (io == NULL)
    return -ENOMEM;
  if (io->tag != tag) {
    forget_io(l, fd, io);
    io->tag = tag;
  }
  if (!io->member && l->slot >= 0) {
    io->member = 1;
    uint64_t others = ub_share_add(fd, l->slot) & ~(1ull << l->slot);
    if (others != 0)
      fd_msg_send(others, fd, tag, true); /* the fd moves here */
  }
  return 0;
}

void ub_loop_forget_all(int fd, uint32_t tag)
{
  uint64_t mask = ub_share_mask(fd);
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    struct ub_loop *l = ub_share_loop(__builtin_ctzll(m));
    if (l != NULL && l->thread == &thread_mark) {
      ub_loop_forget(l, fd);
      mask &= ~(1ull << l->slot);
    }
  }
  fd_msg_send(mask, fd, tag, false);
}

static int fire_timers(struct ub_loop *l)
{
  int n = 0;
  struct ub_heap_node *t;
  while ((t = ub_heap_min(&l->timers)) != NULL && t->deadline <= l->now) {
    ub_heap_pop(&l->timers);
    n += fire(l, wait_of(t), -ETIMEDOUT);
  }
  return n;
}

static int dispatch(struct ub_loop *l, const struct ub_event *ev)
{
  if (ev->token == WAKE_TOKEN) {
    uint64_t v;
    (void)ub_sys_read(l->wake_fd, &v, sizeof(v));
    return 0; /* the inbox is drained in phase 4 */
  }
  struct ub_io *io = ub_arena_lookup(&l->arena, ev->token);
  if (io == NULL)
    return 0; /* stale generation: the fd was closed, its number reused */
  if (ev->err != 0) {
    io->drained = 0;
    int n =
        wake_all(l, io, UB_IN, -ev->err) + wake_all(l, io, UB_OUT, -ev->err);
    if (io->registered) {
      io->registered = 0;
      l->nfds--;
    }
    return n;
  }
  unsigned e = ev->events;
  if (e & ~UB_OUT) /* anything but room to write: data may be there */
    io->drained = 0;
  if (e & (UB_RDHUP | UB_HUP | UB_ERR | UB_PRI))
    io->final = 1;
  if (e & (UB_HUP | UB_ERR))
    return wake_all(l, io, UB_IN, (int)e) + wake_all(l, io, UB_OUT, (int)e);
  int n = 0;
  if (e & UB_RDHUP)
    n += wake_all(l, io, UB_IN, (int)e);
  else if (e & UB_IN)
    n += wake_one(l, io, UB_IN, e);
  if (e & UB_OUT)
    n += wake_one(l, io, UB_OUT, e);
  return n;
}

static int drain_inbox(struct ub_loop *l)
{
  /* seq_cst, like the push and both sides of `notified`: a poster pushes
   * then tests the doorbell, the loop clears the doorbell then drains, and
   * only a single total order guarantees one of them sees the other. */
  struct ub_wait *w = atomic_exchange(&l->inbox, NULL);
  /* The inbox is a stack; reverse it so posts resume in order. */
  struct ub_wait *fifo = NULL;
  while (w != NULL) {
    struct ub_wait *next = w->post_next;
    w->post_next = fifo;
    fifo = w;
    w = next;
  }
  int n = 0;
  while (fifo != NULL) {
    struct ub_wait *next = fifo->post_next;
    unlink_wait(l, fifo);
    fifo->resume(fifo);
    fifo = next;
    n++;
  }
  return n;
}

int ub_loop_tick(struct ub_loop *l, bool block)
{
  uint64_t timeout = 0;
  if (block && ub_loop_sleepy(l)) {
    struct ub_heap_node *t = ub_heap_min(&l->timers);
    timeout = UB_NEVER;
    if (t != NULL) {
      uint64_t now = ub_clock_now();
      timeout = t->deadline > now ? t->deadline - now : 0;
    }
  }
  int nev = 0;
  if (timeout != 0 || l->nfds > 0) {
    nev = l->ops->poll(l->bk, timeout, timeout != 0 ? l->wait_mask : NULL,
                       l->events, 256);
  }
  /* Awake: posts from now on are seen in phase 4 or by the next
   * ub_loop_sleepy, so they need not ring; and this tick's return answers
   * every ub_loop_wake so far. */
  atomic_store(&l->kicked, 0);
  atomic_store(&l->notified, 1);
  if (nev < 0)
    return nev;
  l->now = ub_clock_now();
  int n = fire_timers(l);
  for (int i = 0; i < nev; i++)
    n += dispatch(l, &l->events[i]);
  return n + drain_inbox(l);
}
