/*
 * Description: flock(2), whose blocking forms run on the helper pool.  Two
 * open file descriptions A and B of one file: with A holding LOCK_EX,
 * LOCK_EX|LOCK_NB and LOCK_SH|LOCK_NB on B are EWOULDBLOCK, a dup of A
 * shares A's lock; a thread's blocking LOCK_EX on B waits until main
 * unlocks A 200 ms later, while a ticker thread ticks every 10 ms; two
 * shared locks coexist and an upgrade with LOCK_NB is refused; EINVAL for
 * a bad operation, EBADF for a closed fd.  A SIGALRM handler without
 * SA_RESTART interrupts a blocked LOCK_EX with EINTR (the lock is not
 * taken); with SA_RESTART the call goes on and takes the lock once A is
 * unlocked.
 */
#include "snippet.h"
#include <sys/file.h>

static int a, b;
static int ticks, stop;
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

static void *ticker(void *arg)
{
  (void)arg;
  while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

struct locker {
  long r;
  int err, ticks;
  double waited;
};

static void *lock_b(void *p)
{
  struct locker *l = p;
  double t0 = now_ms();
  l->r = flock(b, LOCK_EX);
  l->err = errno;
  l->waited = now_ms() - t0;
  l->ticks = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
  return NULL;
}

/* After ms, unlock A. */
static void *unlock_a(void *arg)
{
  sleep_ms((long)arg);
  CHECK(flock(a, LOCK_UN) == 0);
  return NULL;
}

int main(void)
{
  start();
  skip_under_valgrind();
  char path[] = "/tmp/ub-flock-XXXXXX";
  a = mkstemp(path);
  CHECK(a >= 0);
  b = open(path, O_RDWR);
  CHECK(b >= 0);
  CHECK(unlink(path) == 0);

  SYS("A: LOCK_EX", flock(a, LOCK_EX));
  SYS("B: LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
  SYS("B: LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
  int d = dup(a);
  CHECK(d >= 0);
  SYS("a dup of A: LOCK_EX|LOCK_NB", flock(d, LOCK_EX | LOCK_NB));
  CHECK(close(d) == 0);

  pthread_t k = spawn(ticker, NULL);
  struct locker l;
  pthread_t t = spawn(lock_b, &l);
  sleep_ms(200);
  SYS("A: LOCK_UN", flock(a, LOCK_UN));
  join(t);
  printf("B: LOCK_EX in a thread: %s, waited at least 150ms: %s\n",
         l.r == 0 ? "0" : errname(l.err), yesno(l.waited >= 150));
  printf("ticker ticked while flock waited: %s\n", yesno(l.ticks >= 5));
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  join(k);
  SYS("A: LOCK_SH|LOCK_NB, B holding LOCK_EX", flock(a, LOCK_SH | LOCK_NB));
  SYS("B: LOCK_UN", flock(b, LOCK_UN));

  SYS("A: LOCK_SH", flock(a, LOCK_SH));
  SYS("B: LOCK_SH", flock(b, LOCK_SH));
  SYS("B: LOCK_EX|LOCK_NB, both shared", flock(b, LOCK_EX | LOCK_NB));
  SYS("B: LOCK_UN", flock(b, LOCK_UN));
  SYS("A: LOCK_EX, upgrade", flock(a, LOCK_EX));
  SYS("A: LOCK_UN", flock(a, LOCK_UN));
  SYS("a bad operation", flock(a, 0));
  SYS("a closed fd", flock(999, LOCK_EX));

  CHECK(flock(a, LOCK_EX) == 0);
  on_signal(SIGALRM, on_alarm, 0);
  double t0 = now_ms();
  alarm_ms(100);
  SYS("B: LOCK_EX interrupted, no SA_RESTART", flock(b, LOCK_EX));
  printf("  handler calls: %d, waited at least 80ms: %s\n", (int)alarms,
         yesno(now_ms() - t0 >= 80));
  SYS("  B: LOCK_EX|LOCK_NB, still held by A", flock(b, LOCK_EX | LOCK_NB));

  on_signal(SIGALRM, on_alarm, SA_RESTART);
  t = spawn(unlock_a, (void *)300L);
  t0 = now_ms();
  alarm_ms(100);
  SYS("B: LOCK_EX interrupted, SA_RESTART", flock(b, LOCK_EX));
  printf("  handler calls: %d, waited at least 250ms: %s\n", (int)alarms,
         yesno(now_ms() - t0 >= 250));
  join(t);
  SYS("  A: LOCK_EX|LOCK_NB, B holding it", flock(a, LOCK_EX | LOCK_NB));
  CHECK(close(a) == 0 && close(b) == 0);
  return 0;
}
