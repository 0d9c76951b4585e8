/*
 * Description: fork(2) from a threaded program.  While another thread is
 * blocked reading a pipe, the main thread forks.  pthread_atfork handlers
 * run: prepare in the parent before, parent after, child in the child.  The
 * child has only the forking thread, and keeps working: a blocking read
 * woken by a thread it creates (50 ms), two new threads sharing a mutex, a
 * sleep; it exits 7.  The parent reaps it, then wakes its own thread, which
 * was blocked all along.  (Only the child prints until it is reaped.)
 */
#include "snippet.h"
#include <sys/wait.h>

static char calls[64];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void prepare(void)
{
  strcat(calls, "prepare ");
}

static void parent(void)
{
  strcat(calls, "parent ");
}

static void child(void)
{
  strcat(calls, "child ");
}

static void *reader(void *arg)
{
  char b[8];
  return (void *)read(*(int *)arg, b, sizeof(b));
}

static void *adder(void *arg)
{
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    pthread_mutex_lock(&m);
    long v = counter;
    if (i % 100 == 0)
      sched_yield();
    counter = v + 1;
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

static int child_main(pid_t parent_pid)
{
  start();
  printf("child: atfork calls: %s\n", calls);
  printf("child: its parent is the forking process: %s\n",
         yesno(getppid() == parent_pid));
  int p[2];
  CHECK(pipe(p) == 0);
  struct later w = {p[1], "child data", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  char buf[16];
  ssize_t n = read(p[0], buf, sizeof(buf));
  printf("child: read %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0),
         buf, yesno(now_ms() - t0 >= 40));
  join(t);
  pthread_t a = spawn(adder, NULL), b = spawn(adder, NULL);
  join(a);
  join(b);
  printf("child: two threads added %ld under a mutex\n", counter);
  printf("child: usleep returned %d\n", usleep(20000));
  return 7;
}

int main(void)
{
  start();
  CHECK(pthread_atfork(prepare, parent, child) == 0);
  int p[2];
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(reader, &p[0]);
  sleep_ms(20);
  pid_t me = getpid();
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0)
    exit(child_main(me));
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("parent: atfork calls: %s\n", calls);
  printf("parent: child exited with %d\n",
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  CHECK(write(p[1], "wake", 4) == 4);
  printf("parent: its blocked thread read %ld\n", (long)join(t));
  return 0;
}
