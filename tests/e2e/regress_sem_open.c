/* Regression test, found in review: see tests/regress.bats.
 *
 * A named semaphore (sem_open) shared by a parent and its child: glibc
 * marks it shared in its `private` word (128), which unblock once read the
 * other way round, taking it for a process-private one with a waiter queue
 * in shared memory.  The child waits on it; the parent posts it twice. */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
  char name[64];
  snprintf(name, sizeof(name), "/ub-regress-%d", (int)getpid());
  sem_t *s = sem_open(name, O_CREAT | O_EXCL, 0600, 0);
  if (s == SEM_FAILED)
    return 2;
  sem_unlink(name);
  pid_t pid = fork();
  if (pid == 0) {
    int a = sem_wait(s), b = sem_wait(s);
    _exit(a == 0 && b == 0 ? 7 : 1);
  }
  usleep(50000);
  int p1 = sem_post(s);
  usleep(20000);
  int p2 = sem_post(s);
  int st = 0;
  waitpid(pid, &st, 0);
  int v = -1;
  sem_getvalue(s, &v);
  printf("posts %d %d, child exit %d, value %d\n", p1, p2, WEXITSTATUS(st), v);
  return 0;
}
