/*
 * Description: the constructor-order case.  libearly.so's constructor makes
 * hooked calls (pipe, read, write, pthread_mutex_lock/unlock,
 * pthread_key_create/setspecific, pthread_create/join) before libunblock's
 * constructor has run, so the shim must either pass them through or set
 * itself up lazily.  This program prints what the constructor saw, then
 * keeps using what it built, with libunblock up: the main thread still
 * reads the key's value; a thread's value for that key gets the
 * constructor's destructor; the mutex works under contention (a thread holds
 * it 50 ms); a read on the constructor's pipe waits for a writer thread.
 *
 * How libearly's constructor comes first: libearly.so is a DT_NEEDED
 * dependency of this program, while libunblock.so comes in by LD_PRELOAD.
 * ld.so loads the preloaded library before the DT_NEEDED ones and runs
 * initialisers in reverse load order among libraries that do not depend on
 * each other (libc, which both need, first of all), so libearly's runs
 * before libunblock's.  `make check-hooks` checks that order with
 * LD_DEBUG=libs (whose "calling init:" lines list the constructors in the
 * order they run; glibc has no LD_DEBUG=init) before running this
 * (hooks-ctor-order-check in tests/hooks/hooks.mk).  By hand:
 *   LD_DEBUG=libs LD_PRELOAD=build/libunblock.so \
 *     build/tests/hooks/ctor/ctor_order 2>&1 >/dev/null | grep 'calling init'
 */
#include "snippet.h" /* first: it defines _GNU_SOURCE */

#include "early.h"

static int take(void *p)
{
  return pthread_mutex_lock(p);
}

static int drop(void *p)
{
  return pthread_mutex_unlock(p);
}

static void *set_key(void *arg)
{
  return (void *)(long)pthread_setspecific(early_key, arg);
}

int main(void)
{
  start();
  fputs(early_log, stdout);
  printf("main: the key still holds the constructor's value: %s\n",
         yesno(pthread_getspecific(early_key) == early_value));
  long r = (long)join(spawn(set_key, "thread's"));
  printf("main: a thread's setspecific: %s, destructor calls: %d\n",
         errname((int)r), early_dtor_calls);

  struct holder h;
  hold(&h, take, drop, &early_mutex);
  release_after(&h, 50);
  double t0 = now_ms();
  ERR("main: lock the constructor's mutex, held 50ms",
      pthread_mutex_lock(&early_mutex));
  printf("main: waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  CHECK(pthread_mutex_unlock(&early_mutex) == 0);
  release(&h);

  struct later w = {early_pipe[1], "later", 50, 0};
  t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  char buf[16];
  ssize_t n =
      SYS("main: read on the constructor's pipe", read(early_pipe[0], buf, 16));
  printf("main: data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0),
         buf, yesno(now_ms() - t0 >= 40));
  join(t);
  return 0;
}
