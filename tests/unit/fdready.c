/*
 * Description: fd readiness on the loop.  A reader and a writer parked on
 * the same socket are woken separately, each with its own direction and
 * exactly once, whether the two directions turn ready in different ticks
 * or in the same one.  An edge that arrives with nobody waiting is kept:
 * the next ub_loop_arm returns UB_IN at once (epoll; the poll backend
 * watches nothing then, so the level is simply seen at the next tick), and
 * on both backends when the only waiter leaves during the very tick that
 * collected the edge.  HUP (pipe or socket peer closed) wakes all three
 * green threads reading an fd, and RDHUP (peer shut down writing) all
 * three readers, whereas plain readiness wakes exactly one reader per edge,
 * in FIFO order.  Forgetting an fd wakes all its readers and writers with
 * -EBADF.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

static uint64_t watchdog_ns(void)
{
  return (ub_test_slow() ? 20 : 2) * UB_NSEC_PER_SEC;
}

/*
 * Tick the loop, blocking, until ub_probe_resumes reaches want.  A watchdog
 * timer turns a hang into a failure.  Returns the resumes the ticks reported.
 */
static int run_until(struct ub_loop *l, int want)
{
  struct ub_probe dog;
  ub_probe_init(&dog);
  int base = ub_probe_resumes;
  CHECK(ub_loop_arm(l, &dog.w, -1, 0,
                    ub_clock_after(ub_clock_now(), watchdog_ns())) == 0);
  int total = 0;
  while (ub_probe_resumes < want) {
    int n = ub_loop_tick(l, true);
    CHECK(n >= 0);
    total += n;
    CHECK(dog.calls == 0);
  }
  CHECK(ub_loop_post(&dog.w, -ECANCELED));
  /* The watchdog's own resume does not count. */
  ub_probe_resumes = base + total;
  return total;
}

static void socket_pair(int sv[2])
{
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                   sv) == 0);
  int small = 4096;
  CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
}

/* Write to fd until the kernel says EAGAIN; returns the bytes written. */
static size_t fill(int fd)
{
  static char buf[4096];
  size_t total = 0;
  for (;;) {
    ssize_t r = write(fd, buf, sizeof(buf));
    if (r < 0) {
      CHECK(errno == EAGAIN);
      return total;
    }
    total += (size_t)r;
  }
}

static size_t drain(int fd)
{
  static char buf[4096];
  size_t total = 0;
  for (;;) {
    ssize_t r = read(fd, buf, sizeof(buf));
    if (r <= 0) {
      CHECK(r < 0 && errno == EAGAIN);
      return total;
    }
    total += (size_t)r;
  }
}

static bool plain(int result, unsigned dir)
{
  return result > 0 && (result & (int)dir) &&
         !(result & (UB_HUP | UB_ERR | UB_RDHUP));
}

static void reader_and_writer(enum ub_backend_kind kind)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  int s[2];
  socket_pair(s);
  size_t filled = fill(s[0]);
  CHECK(filled > 0);
  struct ub_probe r, w;
  ub_probe_init(&r);
  ub_probe_init(&w);
  ub_probe_resumes = 0;
  CHECK(ub_loop_arm(&l, &r.w, s[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_arm(&l, &w.w, s[0], UB_OUT, UB_NEVER) == 0);
  CHECK(ub_loop_tick(&l, false) == 0); /* neither direction is ready */

  /* Readable only: the reader wakes, the writer stays. */
  CHECK(write(s[1], "r", 1) == 1);
  CHECK(run_until(&l, 1) == 1);
  CHECK(r.calls == 1 && plain(r.result, UB_IN));
  CHECK(w.calls == 0);
  for (int i = 0; i < 3; i++)
    CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(r.calls == 1 && w.calls == 0);
  CHECK(drain(s[0]) == 1);

  /* Writable: the peer reads everything; now the writer wakes. */
  CHECK(drain(s[1]) == filled);
  CHECK(run_until(&l, 2) == 1);
  CHECK(w.calls == 1 && w.result > 0 && (w.result & UB_OUT));
  CHECK(!(w.result & (UB_HUP | UB_ERR)));
  CHECK(r.calls == 1);

  /* Both directions turn ready before one tick: one resume each. */
  filled = fill(s[0]);
  struct ub_probe r2, w2;
  ub_probe_init(&r2);
  ub_probe_init(&w2);
  CHECK(ub_loop_arm(&l, &r2.w, s[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_arm(&l, &w2.w, s[0], UB_OUT, UB_NEVER) == 0);
  CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(write(s[1], "r", 1) == 1);
  CHECK(drain(s[1]) == filled);
  CHECK(run_until(&l, 4) == 2);
  CHECK(r2.calls == 1 && r2.result > 0 && (r2.result & UB_IN));
  CHECK(w2.calls == 1 && w2.result > 0 && (w2.result & UB_OUT));
  for (int i = 0; i < 3; i++)
    CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(r.calls == 1 && w.calls == 1 && r2.calls == 1 && w2.calls == 1);
  struct ub_io *io = ub_arena_find(&l.arena, s[0]);
  CHECK(io->readers.head == NULL && io->writers.head == NULL);

  ub_loop_forget(&l, s[0]);
  CHECK(close(s[0]) == 0 && close(s[1]) == 0);
  ub_loop_fini(&l);
}

/* The timer that makes the only reader leave in the tick of the edge. */
static void cancel_other(struct ub_wait *w)
{
  struct ub_probe *victim = w->owner;
  CHECK(ub_loop_post(&victim->w, -ECANCELED));
}

static void edge_without_waiter(enum ub_backend_kind kind)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  struct ub_probe a, b;
  ub_probe_init(&a);
  ub_probe_init(&b);

  /* A wait registers the fd (epoll), then leaves. */
  CHECK(ub_loop_arm(&l, &a.w, p[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(ub_loop_post(&a.w, -ECANCELED));
  CHECK(a.calls == 1 && a.result == -ECANCELED);
  struct ub_io *io = ub_arena_find(&l.arena, p[0]);
  CHECK(io != NULL && io->readers.head == NULL && io->ready == 0);

  /* Data arrives and the loop ticks while nobody waits. */
  CHECK(write(p[1], "x", 1) == 1);
  CHECK(ub_loop_tick(&l, false) == 0);
  int r = ub_loop_arm(&l, &b.w, p[0], UB_IN, UB_NEVER);
  if (kind == UB_BACKEND_EPOLL) {
    /* The edge was consumed by that tick and kept for us. */
    CHECK(r == UB_IN);
    CHECK(io->ready == 0 && io->readers.head == NULL); /* nothing armed */
    CHECK(ub_loop_tick(&l, false) == 0);
    CHECK(b.calls == 0);
  } else {
    /* poll watched nothing, so nothing was consumed: the level is seen
     * as soon as somebody waits. */
    CHECK(r == 0);
    CHECK(ub_loop_tick(&l, false) == 1);
    CHECK(b.calls == 1 && plain(b.result, UB_IN));
  }
  char c;
  CHECK(read(p[0], &c, 1) == 1 && c == 'x');

  /* Both backends: the edge is collected while c waits, but a timer
   * (phase 2) cancels c before events are dispatched (phase 3). */
  struct ub_probe cw, d;
  ub_probe_init(&cw);
  ub_probe_init(&d);
  struct ub_wait t;
  ub_wait_init(&t, cancel_other, &cw);
  CHECK(ub_loop_arm(&l, &cw.w, p[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_arm(&l, &t, -1, 0, 0) == 0);
  CHECK(write(p[1], "y", 1) == 1);
  CHECK(ub_loop_tick(&l, false) == 1); /* the timer itself */
  CHECK(cw.calls == 1 && cw.result == -ECANCELED);
  CHECK(io->ready == UB_IN);
  CHECK(ub_loop_arm(&l, &d.w, p[0], UB_IN, UB_NEVER) == UB_IN);
  CHECK(io->ready == 0 && io->readers.head == NULL);
  CHECK(read(p[0], &c, 1) == 1 && c == 'y');
  CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(d.calls == 0);

  ub_loop_forget(&l, p[0]);
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  ub_loop_fini(&l);
}

/* Three readers on one pipe; each edge wakes exactly the oldest one. */
static void one_per_edge(enum ub_backend_kind kind)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  struct ub_probe r[3];
  ub_probe_resumes = 0;
  for (int i = 0; i < 3; i++) {
    ub_probe_init(&r[i]);
    CHECK(ub_loop_arm(&l, &r[i].w, p[0], UB_IN, UB_NEVER) == 0);
  }
  CHECK(ub_loop_tick(&l, false) == 0);
  for (int k = 0; k < 3; k++) {
    CHECK(write(p[1], "e", 1) == 1);
    CHECK(run_until(&l, k + 1) == 1);
    for (int i = 0; i < 3; i++)
      CHECK(r[i].calls == (i <= k));
    CHECK(r[k].seq == k + 1 && plain(r[k].result, UB_IN));
    /* The woken reader consumes the byte; no one else wakes for it. */
    char c;
    CHECK(read(p[0], &c, 1) == 1);
    for (int i = 0; i < 3; i++)
      CHECK(ub_loop_tick(&l, false) == 0);
  }
  ub_loop_forget(&l, p[0]);
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  ub_loop_fini(&l);
}

/* Green threads parked on one fd, and one more that acts on the fd. */
enum act { CLOSE_PEER, SHUT_PEER, FORGET };

struct crowd {
  int fd, peer;
  enum act act;
  int parked, woke;
  int results[4];
  uint64_t tick_at[4]; /* ub_loop_now when each woke: which tick it was */
  unsigned dirs[4];
  int n;
};

struct member {
  struct crowd *c;
  int i;
};

static void *member_wait(void *arg)
{
  struct member *m = arg;
  struct crowd *c = m->c;
  c->parked++;
  uint64_t deadline = ub_clock_after(ub_clock_now(), watchdog_ns());
  c->results[m->i] = ub_sched_wait_fd(c->fd, c->dirs[m->i], deadline);
  c->tick_at[m->i] = ub_loop_now(&ub_sched_self()->loop);
  c->woke++;
  return NULL;
}

static void *actor(void *arg)
{
  struct crowd *c = arg;
  /* Spawned last: every member has run and parked by now. */
  CHECK(c->parked == c->n && c->woke == 0);
  struct ub_loop *l = &ub_sched_self()->loop;
  struct ub_io *io = ub_arena_find(&l->arena, c->fd);
  CHECK(io != NULL && io->readers.head != NULL);
  switch (c->act) {
  case CLOSE_PEER: CHECK(close(c->peer) == 0); break;
  case SHUT_PEER: CHECK(shutdown(c->peer, SHUT_WR) == 0); break;
  case FORGET: {
    uint32_t gen = io->gen;
    ub_loop_forget(l, c->fd);
    CHECK(io->gen == gen + 1);
    CHECK(io->readers.head == NULL && io->writers.head == NULL);
    break;
  }
  }
  return NULL;
}

static void crowd_run(struct crowd *c)
{
  struct ub_sched_config cfg = ub_test_sched_config();
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  struct member m[4];
  for (int i = 0; i < c->n; i++) {
    m[i] = (struct member){c, i};
    CHECK(ub_sched_spawn(&s, NULL, member_wait, &m[i], 0, NULL, true) == 0);
  }
  CHECK(ub_sched_spawn(&s, NULL, actor, c, 0, NULL, true) == 0);
  CHECK(ub_sched_run(&s) == 0);
  CHECK(c->woke == c->n);
  /* All were woken by one and the same tick, not one per tick (which a
   * level-triggered backend would otherwise hide). */
  for (int i = 1; i < c->n; i++)
    CHECK(c->tick_at[i] == c->tick_at[0]);
  ub_loop_forget(&s.loop, c->fd);
  ub_sched_fini(&s);
}

static void hup_wakes_all(void)
{
  /* A pipe whose only writer closes: HUP for all three readers. */
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  struct crowd c = {.fd = p[0], .peer = p[1], .act = CLOSE_PEER, .n = 3};
  for (int i = 0; i < 3; i++)
    c.dirs[i] = UB_IN;
  crowd_run(&c);
  for (int i = 0; i < 3; i++)
    CHECK(c.results[i] > 0 && (c.results[i] & UB_HUP));
  CHECK(close(p[0]) == 0);

  /* A socket whose peer closes: HUP again. */
  int s[2];
  socket_pair(s);
  c = (struct crowd){.fd = s[0], .peer = s[1], .act = CLOSE_PEER, .n = 3};
  for (int i = 0; i < 3; i++)
    c.dirs[i] = UB_IN;
  crowd_run(&c);
  for (int i = 0; i < 3; i++)
    CHECK(c.results[i] > 0 && (c.results[i] & UB_HUP));
  CHECK(close(s[0]) == 0);

  /* A socket whose peer shuts down writing: RDHUP, and no HUP, since
   * this side may still write; every reader will read EOF. */
  socket_pair(s);
  c = (struct crowd){.fd = s[0], .peer = s[1], .act = SHUT_PEER, .n = 3};
  for (int i = 0; i < 3; i++)
    c.dirs[i] = UB_IN;
  crowd_run(&c);
  for (int i = 0; i < 3; i++)
    CHECK(c.results[i] > 0 && (c.results[i] & UB_RDHUP) &&
          !(c.results[i] & UB_HUP));
  CHECK(close(s[0]) == 0 && close(s[1]) == 0);
}

static void forget_wakes_all(void)
{
  /* Two readers and two writers (the send buffer is full). */
  int s[2];
  socket_pair(s);
  CHECK(fill(s[0]) > 0);
  struct crowd c = {.fd = s[0], .peer = s[1], .act = FORGET, .n = 4};
  c.dirs[0] = c.dirs[2] = UB_IN;
  c.dirs[1] = c.dirs[3] = UB_OUT;
  crowd_run(&c);
  for (int i = 0; i < 4; i++)
    CHECK(c.results[i] == -EBADF);
  CHECK(close(s[0]) == 0 && close(s[1]) == 0);
}

int main(void)
{
  enum ub_backend_kind kind = ub_test_config().backend;
  reader_and_writer(kind);
  edge_without_waiter(kind);
  one_per_edge(kind);
  hup_wakes_all();
  forget_wakes_all();
  return 0;
}
