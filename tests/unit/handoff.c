/*
 * Description: a carrier taken from a thread stuck in the program's code,
 * driven by a spare, and given back (loop/handoff.h).  A green thread
 * leaves the runtime (as a hook's return does) and blocks in a raw read;
 * the test, standing in for the monitor, steals its carrier for a spare
 * thread.  Meanwhile a peer green thread of the same carrier keeps
 * sleeping in 2 ms steps, now on the spare's OS thread, and keeps its
 * errno across the move.  When the read returns, the stuck thread enters
 * the runtime again, waits for its carrier, gets it back from the spare,
 * and finishes; the spare goes idle and retires.  A steal with a stale
 * lease changes nothing.
 */
#include "harness.h"

#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "handoff.h"

static int pipefd[2];
static atomic_int in_read;    /* the stuck thread is about to read */
static atomic_int peer_ticks; /* the peer's sleeps so far */
static atomic_int ticks_on_spare;
static atomic_int stop_peer;
static _Atomic pid_t carrier_tid, spare_tid;

static pid_t tid(void)
{
  return (pid_t)syscall(SYS_gettid);
}

static void *stuck(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  /* Leave the runtime as a hook's return does: the lease says "in the
   * program's code", where the monitor may take the carrier. */
  s->current->depth = 1;
  ub_sched_leave(s, NULL);
  atomic_store(&in_read, 1);
  char c;
  CHECK(syscall(SYS_read, pipefd[0], &c, 1) == 1); /* no hook sees it */
  /* Back into the runtime: wait for the carrier, then own it again. */
  CHECK(ub_sched_enter(s));
  CHECK(ub_sched_self() == s);
  CHECK(atomic_load(&s->lease) == ub_sched_token());
  CHECK(tid() == atomic_load(&carrier_tid));
  atomic_store(&stop_peer, 1);
  return NULL;
}

static void *peer(void *arg)
{
  (void)arg;
  while (!atomic_load(&stop_peer)) {
    errno = 1234;
    CHECK(ub_sched_sleep(ub_clock_now() + 2000000) == 0);
    CHECK(errno == 1234); /* found afresh, wherever it resumed */
    atomic_fetch_add(&peer_ticks, 1);
    if (tid() == atomic_load(&spare_tid))
      atomic_fetch_add(&ticks_on_spare, 1);
  }
  return NULL;
}

static struct ub_sched sched;

static void *carrier(void *arg)
{
  (void)arg;
  struct ub_sched_config cfg = ub_test_sched_config();
  CHECK(ub_sched_init(&sched, &cfg) == 0);
  atomic_store(&carrier_tid, tid());
  CHECK(ub_sched_spawn(&sched, NULL, peer, NULL, 0, NULL, true) == 0);
  CHECK(ub_sched_spawn(&sched, NULL, stuck, NULL, 0, NULL, true) == 0);
  CHECK(ub_sched_run(&sched) == 0);
  ub_sched_fini(&sched);
  return NULL;
}

static void *spare(void *arg)
{
  struct ub_spare *me = arg;
  atomic_store(&spare_tid, tid());
  ub_handoff_serve(me, 300 * 1000000ull); /* retires 300 ms after */
  return NULL;
}

static void nap_ms(int ms)
{
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

int main(void)
{
  CHECK(pipe(pipefd) == 0);
  pthread_t c, sp;
  static struct ub_spare me;
  CHECK(pthread_create(&sp, NULL, spare, &me) == 0);
  CHECK(pthread_create(&c, NULL, carrier, NULL) == 0);
  while (!atomic_load(&in_read))
    nap_ms(1);
  nap_ms(20); /* well inside the read by now */
  uintptr_t lease = atomic_load(&sched.lease);
  CHECK(lease & UB_LEASE_USER);
  struct ub_spare *got;
  while ((got = ub_handoff_spare()) == NULL)
    nap_ms(1);
  CHECK(got == &me);
  /* A lease seen earlier than it is now: nothing happens. */
  CHECK(!ub_handoff_steal(&sched, lease ^ 2, got));
  CHECK(atomic_load(&sched.lease) == lease);
  CHECK(ub_handoff_steal(&sched, lease, got));
  int before = atomic_load(&peer_ticks);
  nap_ms(ub_test_slow() ? 400 : 100);
  int during = atomic_load(&peer_ticks) - before;
  fprintf(stderr, "peer slept %d times on the spare while the read blocked\n",
          atomic_load(&ticks_on_spare));
  CHECK(during >= 5);
  CHECK(atomic_load(&ticks_on_spare) >= 5);
  CHECK(write(pipefd[1], "x", 1) == 1);
  CHECK(pthread_join(c, NULL) == 0);
  CHECK(pthread_join(sp, NULL) == 0); /* idle, it retired */
  CHECK(ub_handoff_spares() == 0);
  close(pipefd[0]);
  close(pipefd[1]);
  return 0;
}
