/*
 * Description: readiness is passed on.  Three green threads wait to read
 * one byte each from the same non-blocking pipe, and a single write brings
 * three bytes: one edge.  The edge wakes exactly one reader; each reader
 * whose read succeeds passes readiness on (ub_sched_pass), so all three get
 * their byte without a second edge, on both backends.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static int fds[2];
static int got, woken, passed;

/* The hook pattern: try, wait on EAGAIN, retry; pass on after success. */
static void *reader(void *arg)
{
  (void)arg;
  bool waited = false;
  char c;
  for (;;) {
    ssize_t r = read(fds[0], &c, 1);
    if (r == 1)
      break;
    CHECK(r < 0 && errno == EAGAIN);
    CHECK(ub_sched_wait_fd(fds[0], UB_IN, UB_NEVER) > 0);
    waited = true;
    woken++;
  }
  got++;
  if (waited)
    passed += ub_sched_pass(fds[0], UB_IN);
  return NULL;
}

static void *writer(void *arg)
{
  (void)arg;
  /* Let all three readers park first. */
  for (int i = 0; i < 3; i++)
    ub_sched_yield();
  CHECK(got == 0 && woken == 0);
  CHECK(write(fds[1], "abc", 3) == 3);
  return NULL;
}

int main(void)
{
  CHECK(pipe2(fds, O_NONBLOCK) == 0);
  struct ub_sched_config cfg = ub_test_sched_config();
  struct ub_sched s;
  CHECK(ub_sched_init(&s, &cfg) == 0);
  for (int i = 0; i < 3; i++)
    CHECK(ub_sched_spawn(&s, NULL, reader, NULL, 0, NULL, true) == 0);
  CHECK(ub_sched_spawn(&s, NULL, writer, NULL, 0, NULL, true) == 0);
  CHECK(ub_sched_run(&s) == 0);
  CHECK(got == 3);
  /* One wake from the edge, two from passes; the last pass found nobody. */
  CHECK(woken == 3);
  CHECK(passed == 2);
  ub_sched_fini(&s);
  close(fds[0]);
  close(fds[1]);
  return 0;
}
