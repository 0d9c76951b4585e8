/*
 * Description: sem_init(3): an initial value of 2 lets two sem_trywait
 * through and fails the third with EAGAIN; a value above SEM_VALUE_MAX is
 * EINVAL; pshared=1 in shared memory works across fork: the parent's
 * sem_wait waits for the child's sem_post 150 ms later, while the parent's
 * other threads keep running.
 */
#include "snippet.h"
#include <limits.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
  start();
  sem_t s;
  int v = -1;
  SYS("sem_init value 2", sem_init(&s, 0, 2));
  CHECK(sem_getvalue(&s, &v) == 0);
  printf("  value: %d\n", v);
  SYS("  trywait", sem_trywait(&s));
  SYS("  trywait", sem_trywait(&s));
  SYS("  trywait", sem_trywait(&s));
  CHECK(sem_destroy(&s) == 0);
  SYS("sem_init above SEM_VALUE_MAX",
      sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1));

  sem_t *ps = mmap(NULL, sizeof(*ps), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(ps != MAP_FAILED);
  SYS("sem_init pshared=1 in shared memory", sem_init(ps, 1, 0));
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    start();
    sleep_ms(150);
    CHECK(sem_post(ps) == 0);
    _exit(0);
  }
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("  sem_wait for the child's post", sem_wait(ps));
  printf("  waited at least 100ms: %s\n", yesno(now_ms() - t0 >= 100));
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && status == 0);
  return 0;
}
