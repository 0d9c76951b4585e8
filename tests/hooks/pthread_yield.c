/*
 * Description: pthread_yield, the deprecated alias of sched_yield.  Since
 * glibc 2.34 the header redirects pthread_yield() to sched_yield and the
 * symbol is only a compat one (pthread_yield@GLIBC_2.2.5), so this snippet
 * binds to that version with .symver, as binaries built against older glibc
 * do.  A thread spins on pthread_yield until the main thread, sleeping
 * 50 ms, sets a flag: every yield returns 0 and the flag is seen.
 */
#include "snippet.h"

int ub_pthread_yield(void);
__asm__(".symver ub_pthread_yield, pthread_yield@GLIBC_2.2.5");

static int flag;

static void *spinner(void *arg)
{
  (void)arg;
  long bad = 0;
  double t0 = now_ms();
  while (!__atomic_load_n(&flag, __ATOMIC_SEQ_CST) && now_ms() - t0 < 3000)
    bad += ub_pthread_yield() != 0;
  return (void *)(bad == 0 && __atomic_load_n(&flag, __ATOMIC_SEQ_CST) ? 1L
                                                                       : 0L);
}

int main(void)
{
  start();
  ERR("pthread_yield with nothing else to run", ub_pthread_yield());
  pthread_t t = spawn(spinner, NULL);
  sleep_ms(50);
  __atomic_store_n(&flag, 1, __ATOMIC_SEQ_CST);
  printf("the spinner saw the flag, every yield 0: %s\n",
         yesno(join(t) != NULL));
  return 0;
}
