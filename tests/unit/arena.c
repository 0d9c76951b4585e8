/*
 * Description: the generation-tagged per-fd arena.  ub_arena_get grows it
 * on demand for fds 0, 255, 256, 19000 and 100000, allocating only the
 * blocks asked for; entries obtained early keep their address and contents
 * however far it grows; ub_arena_find answers NULL beyond what is covered;
 * ub_arena_lookup accepts a token of the current generation only.  Through
 * the loop: forgetting an fd fails its waiter with -EBADF and bumps the
 * generation, and once the fd number is reused by a new pipe, neither an
 * event collected for the old generation earlier in the same tick nor
 * later activity on the old pipe (kept alive by a dup) reaches the waiter
 * on the new pipe.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* A mark that identifies the entry of fd, written into fields that the
 * arena itself never touches. */
static void stamp(struct ub_io *io, int fd)
{
  io->gen = 0x5a000000u ^ (uint32_t)fd;
  io->ready = (uint8_t)(fd * 7);
  io->interest = (uint8_t)(fd * 13);
}

static bool stamped(const struct ub_io *io, int fd)
{
  return io->gen == (0x5a000000u ^ (uint32_t)fd) &&
         io->ready == (uint8_t)(fd * 7) && io->interest == (uint8_t)(fd * 13) &&
         io->registered == 0 && io->readers.head == NULL &&
         io->writers.head == NULL;
}

static bool zeroed(const struct ub_io *io)
{
  static const struct ub_io zero;
  return memcmp(io, &zero, sizeof(zero)) == 0;
}

static size_t blocks_in_use(const struct ub_arena *a)
{
  size_t n = 0;
  for (size_t i = 0; i < a->nblocks; i++)
    n += a->blocks[i] != NULL;
  return n;
}

static void growth(void)
{
  static const int fds[] = {0, 255, 256, 19000, 100000};
  enum { NFDS = sizeof(fds) / sizeof(fds[0]) };
  struct ub_arena a;
  ub_arena_init(&a);
  CHECK(ub_arena_find(&a, 0) == NULL); /* an empty arena covers nothing */
  CHECK(ub_arena_get(&a, -1) == NULL && ub_arena_find(&a, -1) == NULL);

  struct ub_io *seen[NFDS];
  for (int i = 0; i < NFDS; i++) {
    int fd = fds[i];
    /* 255 shares block 0 with fd 0; every other fd needs a new block. */
    if (fd == 255)
      CHECK(ub_arena_find(&a, fd) == seen[0] + 255);
    else
      CHECK(ub_arena_find(&a, fd) == NULL);
    struct ub_io *io = ub_arena_get(&a, fd);
    CHECK(io != NULL && zeroed(io));
    CHECK(ub_arena_get(&a, fd) == io && ub_arena_find(&a, fd) == io);
    stamp(io, fd);
    seen[i] = io;
    /* Everything obtained before this growth is where it was, intact. */
    for (int j = 0; j <= i; j++) {
      CHECK(ub_arena_find(&a, fds[j]) == seen[j]);
      CHECK(ub_arena_get(&a, fds[j]) == seen[j]);
      CHECK(stamped(seen[j], fds[j]));
    }
  }
  /* Blocks 0, 1, 74 and 390: nothing was sized up front. */
  CHECK(blocks_in_use(&a) == 4);
  CHECK(a.nblocks > 100000 / UB_ARENA_BLOCK);
  /* Neighbours in an allocated block exist; other blocks do not. */
  CHECK(ub_arena_find(&a, 19001) == seen[3] + 1);
  CHECK(ub_arena_find(&a, 18000) == NULL);
  CHECK(ub_arena_find(&a, 1000) == NULL);
  CHECK(ub_arena_find(&a, (int)(a.nblocks * UB_ARENA_BLOCK)) == NULL);
  CHECK(ub_arena_find(&a, 1 << 30) == NULL);

  /* Many more growths of the directory, interleaved with checks that the
   * entries handed out along the way keep their place and contents. */
  struct ub_io *many[64];
  for (int i = 0; i < 64; i++) {
    int fd = 300 + i * 3001; /* up to ~189k: several doublings */
    many[i] = ub_arena_get(&a, fd);
    CHECK(many[i] != NULL);
    stamp(many[i], fd);
  }
  for (int i = 0; i < 64; i++) {
    int fd = 300 + i * 3001;
    CHECK(ub_arena_find(&a, fd) == many[i] && stamped(many[i], fd));
  }
  for (int j = 0; j < NFDS; j++)
    CHECK(ub_arena_find(&a, fds[j]) == seen[j] && stamped(seen[j], fds[j]));
  ub_arena_fini(&a);
  CHECK(a.blocks == NULL && a.nblocks == 0);
}

static void lookup(void)
{
  struct ub_arena a;
  ub_arena_init(&a);
  struct ub_io *io0 = ub_arena_get(&a, 0);
  struct ub_io *io = ub_arena_get(&a, 19000);
  struct ub_io *io256 = ub_arena_get(&a, 256);
  CHECK(io0 != NULL && io != NULL && io256 != NULL);
  CHECK(ub_arena_lookup(&a, ub_arena_token(19000, 0)) == io);
  CHECK(ub_arena_lookup(&a, ub_arena_token(256, 0)) == io256);
  CHECK(ub_arena_lookup(&a, ub_arena_token(0, 0)) == io0);
  /* A generation from the future is as wrong as one from the past. */
  CHECK(ub_arena_lookup(&a, ub_arena_token(19000, 1)) == NULL);

  /* Each forget bumps gen; only the newest token names the entry. */
  for (uint32_t g = 0; g < 5; g++) {
    CHECK(ub_arena_lookup(&a, ub_arena_token(19000, g)) == io);
    io->gen++;
    CHECK(ub_arena_lookup(&a, ub_arena_token(19000, g)) == NULL);
    CHECK(ub_arena_lookup(&a, ub_arena_token(19000, g + 1)) == io);
  }
  /* The generation wraps without confusing the fd half of the token. */
  io->gen = UINT32_MAX;
  CHECK(ub_arena_lookup(&a, ub_arena_token(19000, UINT32_MAX)) == io);
  io->gen++;
  CHECK(io->gen == 0);
  CHECK(ub_arena_lookup(&a, ub_arena_token(19000, UINT32_MAX)) == NULL);
  CHECK(ub_arena_lookup(&a, ub_arena_token(19000, 0)) == io);
  /* Tokens for fds the arena does not cover, or for no fd at all. */
  CHECK(ub_arena_lookup(&a, ub_arena_token(18000, 0)) == NULL);
  CHECK(ub_arena_lookup(&a, ub_arena_token(200000, 0)) == NULL);
  CHECK(ub_arena_lookup(&a, UINT64_MAX) == NULL);
  ub_arena_fini(&a);
}

/* Phase 2 of a tick (timers), while phase 1 already holds an event for
 * the old pipe's read end: retire that fd and put a new pipe's read end at
 * the same number, with a fresh waiter on it. */
struct reuse {
  struct ub_probe t; /* the timer that does the swap */
  struct ub_loop *l;
  int fd;                 /* the number both read ends get */
  uint64_t old_token;     /* the token the old generation's events carry */
  int keep;               /* a dup of the old read end: the old pipe lives */
  int new_wr;             /* the new pipe's write end */
  struct ub_probe *w_new; /* armed on the new pipe */
  bool saw_old_event;     /* phase 1 really collected an old-gen event */
};

static void swap_pipes(struct ub_wait *w)
{
  struct reuse *r = w->owner;
  r->t.calls++;
  r->t.result = w->result;
  /* The batch of events dispatched after us (phase 3) must contain one
   * for the old generation, or this test would prove nothing. */
  for (size_t i = 0; i < sizeof(r->l->events) / sizeof(r->l->events[0]); i++)
    if (r->l->events[i].token == r->old_token &&
        (r->l->events[i].events & UB_IN))
      r->saw_old_event = true;
  r->keep = dup(r->fd);
  CHECK(r->keep >= 0);
  ub_loop_forget(r->l, r->fd);
  CHECK(close(r->fd) == 0);
  int np[2];
  CHECK(pipe2(np, O_NONBLOCK | O_CLOEXEC) == 0);
  if (np[0] != r->fd) {
    CHECK(dup3(np[0], r->fd, O_CLOEXEC) == r->fd);
    CHECK(close(np[0]) == 0);
  }
  r->new_wr = np[1];
  CHECK(ub_loop_arm(r->l, &r->w_new->w, r->fd, UB_IN, UB_NEVER) == 0);
}

static void through_loop(enum ub_backend_kind kind)
{
  struct ub_loop l;
  CHECK(ub_loop_init(&l, kind) == 0);

  /* Forgetting an fd fails its waiter and starts a new generation. */
  int p[2];
  CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
  struct ub_probe a;
  ub_probe_init(&a);
  CHECK(ub_loop_arm(&l, &a.w, p[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_tick(&l, false) == 0); /* registration now in the kernel */
  struct ub_io *io = ub_arena_find(&l.arena, p[0]);
  CHECK(io != NULL && io->readers.head == &a.w);
  uint32_t gen = io->gen;
  ub_loop_forget(&l, p[0]);
  CHECK(a.calls == 1 && a.result == -EBADF);
  CHECK(io->gen == gen + 1);
  CHECK(ub_arena_find(&l.arena, p[0]) == io); /* same entry, new gen */
  CHECK(io->readers.head == NULL && io->ready == 0 && l.nfds == 0);
  /* Data after the forget resumes nobody, the old waiter least of all. */
  CHECK(write(p[1], "x", 1) == 1);
  CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(a.calls == 1);
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);

  /* The old pipe: a waiter, and data it has not been told about yet. */
  int old[2];
  CHECK(pipe2(old, O_NONBLOCK | O_CLOEXEC) == 0);
  struct ub_probe w_old, w_new;
  ub_probe_init(&w_old);
  ub_probe_init(&w_new);
  CHECK(ub_loop_arm(&l, &w_old.w, old[0], UB_IN, UB_NEVER) == 0);
  CHECK(ub_loop_tick(&l, false) == 0);
  io = ub_arena_find(&l.arena, old[0]);
  CHECK(io != NULL);
  gen = io->gen;
  struct reuse r = {.l = &l,
                    .fd = old[0],
                    .old_token = ub_arena_token(old[0], gen),
                    .keep = -1,
                    .new_wr = -1,
                    .w_new = &w_new};
  ub_wait_init(&r.t.w, swap_pipes, &r);
  CHECK(ub_loop_arm(&l, &r.t.w, -1, 0, 0) == 0); /* due at once */
  CHECK(write(old[1], "a", 1) == 1);
  /* Clear the event buffer so swap_pipes sees only this tick's batch. */
  memset(l.events, 0, sizeof(l.events));
  /* Phase 1 collects the old-gen event, phase 2 swaps the pipes, and
   * phase 3 must drop the event: only the timer counts as resumed. */
  CHECK(ub_loop_tick(&l, false) == 1);
  CHECK(r.t.calls == 1 && r.t.result == -ETIMEDOUT);
  CHECK(r.saw_old_event);
  CHECK(w_old.calls == 1 && w_old.result == -EBADF);
  CHECK(io->gen == gen + 1);
  CHECK(w_new.calls == 0);
  CHECK(io->readers.head == &w_new.w);

  /* The old pipe, alive through the dup, turns readable again, and again
   * with the writer gone (HUP); the new waiter hears none of it. */
  CHECK(write(old[1], "b", 1) == 1);
  for (int i = 0; i < 3; i++)
    CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(close(old[1]) == 0);
  for (int i = 0; i < 3; i++)
    CHECK(ub_loop_tick(&l, false) == 0);
  CHECK(w_new.calls == 0);

  /* The new pipe's own data does wake it, exactly once. */
  CHECK(write(r.new_wr, "c", 1) == 1);
  CHECK(ub_loop_tick(&l, false) == 1);
  CHECK(w_new.calls == 1 && w_new.result > 0 && (w_new.result & UB_IN));
  char buf[4];
  CHECK(read(r.fd, buf, sizeof(buf)) == 1 && buf[0] == 'c');
  CHECK(read(r.keep, buf, sizeof(buf)) == 2 && buf[0] == 'a' && buf[1] == 'b');

  ub_loop_forget(&l, r.fd);
  CHECK(io->gen == gen + 2);
  CHECK(close(r.fd) == 0 && close(r.keep) == 0 && close(r.new_wr) == 0);
  CHECK(l.nfds == 0);
  ub_loop_fini(&l);
}

int main(void)
{
  growth();
  lookup();
  through_loop(ub_test_config().backend);
  return 0;
}
