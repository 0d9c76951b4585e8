/*
 * Description: threads parked in known places, for the green-thread dump
 * (tests/dump.bats).  Each thread is named for what it does:
 *   sleeper  sleep(60)                         at the line marked SLEEP
 *   reader   read() on a pipe nobody writes    READ
 *   locker   pthread_mutex_lock on a held lock LOCK
 *   waiter   pthread_cond_wait, never signalled COND
 *   joiner   pthread_join of the sleeper       JOIN
 *   yielder  sched_yield() in a loop           (runnable)
 *   client   recv() on a TCP connection to a listener that never answers
 *   blocker  a raw read system call on a pipe nobody writes, which no hook
 *            sees: the stall monitor hands its carrier on, and it is left
 *            running on an OS thread of its own
 *   spinner  (with the argument "spin") a loop on the CPU that makes no
 *            call at all, started after "ready": with one carrier, that
 *            carrier never comes back to unblock
 * The main thread holds the lock, prints "ready" once every thread has
 * started (but the spinner, started last), and then sleeps LIFE_S seconds
 * before it exits with the threads still parked.
 */
#include "e2e.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int pipe_fds[2], raw_fds[2];
static int tcp_fd;
static pthread_t sleeper_t;
static atomic_int started;
static atomic_int stop;

#define LIFE_S 30

static void name(const char *n)
{
  pthread_setname_np(pthread_self(), n);
  atomic_fetch_add(&started, 1);
}

static void *sleeper(void *arg)
{
  (void)arg;
  name("sleeper");
  sleep(60); /* SLEEP */
  return NULL;
}

static void *reader(void *arg)
{
  (void)arg;
  name("reader");
  char c;
  return (void *)read(pipe_fds[0], &c, 1); /* READ */
}

static void *locker(void *arg)
{
  (void)arg;
  name("locker");
  pthread_mutex_lock(&lock); /* LOCK */
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void *waiter(void *arg)
{
  (void)arg;
  name("waiter");
  pthread_mutex_lock(&cond_lock);
  while (!atomic_load(&stop))
    pthread_cond_wait(&cond, &cond_lock); /* COND */
  pthread_mutex_unlock(&cond_lock);
  return NULL;
}

static void *joiner(void *arg)
{
  (void)arg;
  name("joiner");
  pthread_join(sleeper_t, NULL); /* JOIN */
  return NULL;
}

static void *yielder(void *arg)
{
  (void)arg;
  name("yielder");
  while (!atomic_load(&stop))
    sched_yield();
  return NULL;
}

static void *blocker(void *arg)
{
  (void)arg;
  name("blocker");
  char c;
  return (void *)syscall(SYS_read, raw_fds[0], &c, 1); /* RAW */
}

static void *spinner(void *arg)
{
  (void)arg;
  name("spinner");
  volatile unsigned long n = 0;
  while (!atomic_load_explicit(&stop, memory_order_relaxed))
    n++; /* SPIN */
  return NULL;
}

static void *client(void *arg)
{
  (void)arg;
  name("client");
  char c;
  return (void *)recv(tcp_fd, &c, 1, 0); /* RECV */
}

static int fail(const char *what)
{
  perror(what);
  return 1;
}

int main(int argc, char **argv)
{
  int spin = argc > 1 && strcmp(argv[1], "spin") == 0;
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (pipe(pipe_fds) != 0 || pipe(raw_fds) != 0)
    return fail("pipe");
  int port;
  listen_loopback(&port); /* never accepts: the client's recv waits */
  tcp_fd = connect_loopback(port);
  pthread_mutex_lock(&lock);
  void *(*fns[])(void *) = {reader, locker, waiter, yielder, client, blocker};
  pthread_t t[8];
  if (pthread_create(&sleeper_t, NULL, sleeper, NULL) != 0)
    return fail("pthread_create");
  for (int i = 0; i < 6; i++)
    if (pthread_create(&t[i], NULL, fns[i], NULL) != 0)
      return fail("pthread_create");
  while (atomic_load(&started) < 7)
    usleep(1000);
  if (pthread_create(&t[6], NULL, joiner, NULL) != 0)
    return fail("pthread_create");
  while (atomic_load(&started) < 8)
    usleep(1000);
  usleep(50 * 1000); /* into their waits */
  printf("ready\n");
  if (spin && pthread_create(&t[7], NULL, spinner, NULL) != 0)
    return fail("pthread_create");
  sleep(LIFE_S); /* MAIN */
  return 0;      /* exits with the threads still parked */
}
