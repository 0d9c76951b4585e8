/*
 * Description: pthread_mutex_init(3) and what each kind then does.  NULL
 * attributes; PTHREAD_MUTEX_RECURSIVE (the owner locks twice, unlocks twice,
 * a third unlock is EPERM); PTHREAD_MUTEX_ERRORCHECK (relocking is EDEADLK,
 * unlocking from another thread EPERM); PTHREAD_MUTEX_NORMAL (trylock by the
 * owner is EBUSY); and PTHREAD_PROCESS_SHARED in shared memory: a child
 * process holds it 150 ms, and the parent's lock waits for it while the
 * parent's other threads keep running.
 */
#include "snippet.h"
#include <sys/mman.h>
#include <sys/wait.h>

static pthread_mutex_t m;

static void *unlock_other(void *arg)
{
  (void)arg;
  return (void *)(long)pthread_mutex_unlock(&m);
}

static void init_kind(int kind)
{
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_settype(&a, kind) == 0);
  ERR("  init", pthread_mutex_init(&m, &a));
  CHECK(pthread_mutexattr_destroy(&a) == 0);
}

int main(void)
{
  start();
  ERR("init with NULL attributes", pthread_mutex_init(&m, NULL));
  ERR("  lock", pthread_mutex_lock(&m));
  ERR("  unlock", pthread_mutex_unlock(&m));
  CHECK(pthread_mutex_destroy(&m) == 0);

  printf("PTHREAD_MUTEX_RECURSIVE:\n");
  init_kind(PTHREAD_MUTEX_RECURSIVE);
  ERR("  lock", pthread_mutex_lock(&m));
  ERR("  lock again", pthread_mutex_lock(&m));
  ERR("  unlock", pthread_mutex_unlock(&m));
  ERR("  unlock", pthread_mutex_unlock(&m));
  ERR("  unlock a third time", pthread_mutex_unlock(&m));
  CHECK(pthread_mutex_destroy(&m) == 0);

  printf("PTHREAD_MUTEX_ERRORCHECK:\n");
  init_kind(PTHREAD_MUTEX_ERRORCHECK);
  ERR("  lock", pthread_mutex_lock(&m));
  ERR("  lock again", pthread_mutex_lock(&m));
  printf("  unlock from another thread: %s\n",
         errname((int)(long)join(spawn(unlock_other, NULL))));
  ERR("  unlock", pthread_mutex_unlock(&m));
  CHECK(pthread_mutex_destroy(&m) == 0);

  printf("PTHREAD_MUTEX_NORMAL:\n");
  init_kind(PTHREAD_MUTEX_NORMAL);
  ERR("  lock", pthread_mutex_lock(&m));
  ERR("  trylock by the owner", pthread_mutex_trylock(&m));
  ERR("  unlock", pthread_mutex_unlock(&m));
  CHECK(pthread_mutex_destroy(&m) == 0);

  printf("PTHREAD_PROCESS_SHARED:\n");
  pthread_mutex_t *sm = mmap(NULL, sizeof(*sm), PROT_READ | PROT_WRITE,
                             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(sm != MAP_FAILED);
  pthread_mutexattr_t a;
  CHECK(pthread_mutexattr_init(&a) == 0);
  CHECK(pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED) == 0);
  ERR("  init", pthread_mutex_init(sm, &a));
  int ready[2];
  CHECK(pipe(ready) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    start();
    CHECK(pthread_mutex_lock(sm) == 0);
    CHECK(write(ready[1], "L", 1) == 1);
    sleep_ms(150);
    CHECK(pthread_mutex_unlock(sm) == 0);
    _exit(0);
  }
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  ERR("  lock, held by a child process", pthread_mutex_lock(sm));
  printf("  waited at least 100ms: %s\n", yesno(now_ms() - t0 >= 100));
  printf("  another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  ERR("  unlock", pthread_mutex_unlock(sm));
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && status == 0);
  return 0;
}
