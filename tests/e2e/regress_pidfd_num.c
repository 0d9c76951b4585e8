/* Regression test, found in review: see tests/regress.bats.
 *
 * open returns the lowest free descriptor number.  Under unblock, waitpid
 * in a thread waits on a pidfd of the child; unblock moves it to a high
 * number so as not to take the program's lowest free one, but only when
 * RLIMIT_NOFILE was above 2048: with the common 1024, a descriptor opened
 * while another thread waited in waitpid got the next number up.  Run with
 * `ulimit -n 1024`.  A first thread is started and joined before the
 * lowest free number is found, so the runtime has started its carriers. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int waiting;

static void *nothing(void *a)
{
  return a;
}

static void *waiter(void *a)
{
  (void)a;
  pid_t c = fork();
  if (c == 0) {
    usleep(300000);
    _exit(0);
  }
  waiting = 1;
  waitpid(c, NULL, 0);
  return NULL;
}

int main(void)
{
  pthread_t t;
  pthread_create(&t, NULL, nothing, NULL);
  pthread_join(t, NULL);
  int lowest = open("/dev/null", O_RDONLY);
  close(lowest);
  pthread_create(&t, NULL, waiter, NULL);
  while (!waiting)
    usleep(1000);
  usleep(50000); /* it waits in waitpid */
  int fd = open("/dev/null", O_RDONLY);
  printf("open while a thread waits in waitpid got the lowest free number: "
         "%s\n",
         fd == lowest ? "yes" : "no");
  pthread_join(t, NULL);
  return 0;
}
