/*
 * Description: pthread_testcancel(3).  With no cancellation pending it
 * returns.  A thread disables cancellation and blocks in a read; the main
 * thread cancels it, then writes: the read completes (cancellation is
 * disabled); the thread re-enables it, and its next pthread_testcancel acts:
 * the cleanup handler runs, nothing after it does, join gets
 * PTHREAD_CANCELED.
 */
#include "snippet.h"

static int p[2];
static int before, after, cleaned;
static ssize_t got;

static void cleanup(void *arg)
{
  (void)arg;
  cleaned = 1;
}

static void *worker(void *arg)
{
  (void)arg;
  char b[8];
  pthread_testcancel();
  before = 1;
  CHECK(pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL) == 0);
  pthread_cleanup_push(cleanup, NULL);
  got = read(p[0], b, sizeof(b));
  CHECK(pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL) == 0);
  pthread_testcancel();
  after = 1;
  pthread_cleanup_pop(0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(50);
  ERR("cancel while it is blocked, cancellation disabled", pthread_cancel(t));
  sleep_ms(20);
  CHECK(write(p[1], "data", 4) == 4);
  void *r;
  ERR("join", pthread_join(t, &r));
  printf("first testcancel returned: %s, the read got %ld bytes\n",
         yesno(before), (long)got);
  printf("second testcancel acted: %s, cleanup ran: %s, PTHREAD_CANCELED: %s\n",
         yesno(!after), yesno(cleaned), yesno(r == PTHREAD_CANCELED));
  return 0;
}
