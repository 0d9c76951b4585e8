/*
 * Description: pthread_setcancelstate(3).  DISABLE returns the old state
 * (ENABLE); a cancel sent while the thread is blocked in a read stays
 * pending, and the read completes with the data written 50 ms later;
 * ENABLE returns DISABLE, and the pending cancel then acts at the next
 * cancellation point (a read on an empty pipe): join gets
 * PTHREAD_CANCELED.  An unknown state is EINVAL.
 */
#include "snippet.h"

static int p[2];
static int old1 = -1, old2 = -1, bad = -1;
static ssize_t got = -2;

static void *worker(void *arg)
{
  (void)arg;
  char b[8];
  CHECK(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old1) == 0);
  bad = pthread_setcancelstate(12345, NULL);
  got = read(p[0], b, sizeof(b));
  CHECK(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old2) == 0);
  read(p[0], b, sizeof(b));
  return NULL;
}

static const char *state(int s)
{
  return s == PTHREAD_CANCEL_ENABLE    ? "ENABLE"
         : s == PTHREAD_CANCEL_DISABLE ? "DISABLE"
                                       : "?";
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(50);
  ERR("cancel, cancellation disabled", pthread_cancel(t));
  struct later w = {p[1], "data", 50, 0};
  pthread_t wt = spawn(later_fn, &w);
  void *r;
  ERR("join", pthread_join(t, &r));
  join(wt);
  printf("DISABLE returned old state %s; unknown state: %s\n", state(old1),
         errname(bad));
  printf("the read while disabled got %ld bytes\n", (long)got);
  printf("ENABLE returned old state %s\n", state(old2));
  printf("cancelled at the next read: %s\n", yesno(r == PTHREAD_CANCELED));
  return 0;
}
