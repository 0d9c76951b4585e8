/*
 * Description: pthread_sigmask(3), masks per thread.  The main thread
 * blocks SIGUSR1, then creates a thread, which inherits the mask; that
 * thread unblocks SIGUSR1 and blocks in a read.  A process-directed SIGUSR1
 * (kill) can only go to it: the handler runs in that thread, whose read
 * fails with EINTR, while the main thread's mask is untouched.  Errors come
 * back as numbers: a bad `how` is EINVAL.
 */
#include "snippet.h"

static pthread_t worker;
static volatile sig_atomic_t calls, in_worker;
static int ready[2], data[2];

static void handler(int sig)
{
  (void)sig;
  calls++;
  in_worker = pthread_equal(pthread_self(), worker);
}

static void *work(void *arg)
{
  (void)arg;
  sigset_t cur, usr1;
  CHECK(pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0);
  int inherited = sigismember(&cur, SIGUSR1);
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  int r = pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
  CHECK(write(ready[1], "r", 1) == 1);
  char b[8];
  ssize_t n = read(data[0], b, sizeof(b));
  int e = errno;
  printf("thread: inherited SIGUSR1 blocked: %s, SIG_UNBLOCK: %s\n",
         yesno(inherited), errname(r));
  printf("thread: read: %ld %s\n", (long)n, n < 0 ? errname(e) : "");
  return NULL;
}

int main(void)
{
  start();
  on_signal(SIGUSR1, handler, 0);
  CHECK(pipe(ready) == 0 && pipe(data) == 0);
  sigset_t usr1, cur;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ERR("SIG_BLOCK SIGUSR1 in main", pthread_sigmask(SIG_BLOCK, &usr1, NULL));
  worker = spawn(work, NULL);
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  sleep_ms(50);
  CHECK(kill(getpid(), SIGUSR1) == 0);
  join(worker);
  printf("handler calls: %d, ran in the thread: %s\n", (int)calls,
         yesno(in_worker));
  CHECK(pthread_sigmask(SIG_BLOCK, NULL, &cur) == 0);
  printf("main still blocks SIGUSR1: %s\n", yesno(sigismember(&cur, SIGUSR1)));
  CHECK(sigpending(&cur) == 0);
  printf("SIGUSR1 pending in main: %s\n", yesno(sigismember(&cur, SIGUSR1)));
  ERR("how 99", pthread_sigmask(99, &usr1, NULL));
  return 0;
}
