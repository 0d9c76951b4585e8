/*
 * Description: pthread_once(3).  The init routine runs exactly once even
 * with three callers; it sleeps 100 ms, so callers arriving meanwhile wait
 * until it has finished (they see its work done when pthread_once returns);
 * later calls return at once; a second once_control runs its own routine.
 */
#include "snippet.h"

static pthread_once_t once = PTHREAD_ONCE_INIT, other = PTHREAD_ONCE_INIT;
static int runs, done, other_runs;

static void init(void)
{
  runs++;
  sleep_ms(100);
  __atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
}

static void init_other(void)
{
  other_runs++;
}

static void *caller(void *arg)
{
  (void)arg;
  int r = pthread_once(&once, init);
  return (void *)(long)(r == 0 && __atomic_load_n(&done, __ATOMIC_SEQ_CST));
}

int main(void)
{
  start();
  pthread_t first = spawn(caller, NULL);
  sleep_ms(30);
  pthread_t second = spawn(caller, NULL);
  double t0 = now_ms();
  ERR("pthread_once while another thread's init runs",
      pthread_once(&once, init));
  printf("init done when it returned: %s, waited: %s\n",
         yesno(__atomic_load_n(&done, __ATOMIC_SEQ_CST)),
         yesno(now_ms() - t0 >= 30));
  printf("first caller saw it done: %s\n", yesno(join(first) != NULL));
  printf("second caller saw it done: %s\n", yesno(join(second) != NULL));
  t0 = now_ms();
  ERR("pthread_once again", pthread_once(&once, init));
  printf("at once: %s, init ran %d time(s)\n", yesno(now_ms() - t0 < 30), runs);
  ERR("another once_control", pthread_once(&other, init_other));
  ERR("and again", pthread_once(&other, init_other));
  printf("its init ran %d time(s)\n", other_runs);
  return 0;
}
