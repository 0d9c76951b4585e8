/*
 * Description: sched_yield(2) in a spin-wait: a thread spins on sched_yield
 * until a second thread, itself blocked reading a pipe that the main thread
 * writes 50 ms later, sets a flag.  Every yield returns 0, the flag is seen;
 * and with nothing else to run, sched_yield returns 0 at once.
 */
#include "snippet.h"

static int flag;
static int p[2];

static void *setter(void *arg)
{
  (void)arg;
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  __atomic_store_n(&flag, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void *spinner(void *arg)
{
  (void)arg;
  long bad = 0;
  double t0 = now_ms();
  while (!__atomic_load_n(&flag, __ATOMIC_SEQ_CST) && now_ms() - t0 < 3000)
    bad += sched_yield() != 0;
  return (void *)(bad == 0 && __atomic_load_n(&flag, __ATOMIC_SEQ_CST) ? 1L
                                                                       : 0L);
}

int main(void)
{
  start();
  SYS("sched_yield with nothing else to run", sched_yield());
  CHECK(pipe(p) == 0);
  pthread_t s = spawn(setter, NULL), t = spawn(spinner, NULL);
  sleep_ms(50);
  CHECK(write(p[1], "go", 1) == 1);
  printf("the spinner saw the flag, every yield 0: %s\n",
         yesno(join(t) != NULL));
  join(s);
  return 0;
}
