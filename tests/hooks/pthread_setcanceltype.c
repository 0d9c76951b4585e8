/*
 * Description: pthread_setcanceltype(3).  ASYNCHRONOUS returns the old type
 * (DEFERRED); a thread in asynchronous mode blocked in a read is cancelled
 * at once (cleanup handler runs, PTHREAD_CANCELED); back to DEFERRED returns
 * ASYNCHRONOUS; an unknown type is EINVAL.
 */
#include "snippet.h"

static int p[2];
static int old1 = -1, old2 = -1, old3 = -1, bad = -1, cleaned;

static void cleanup(void *arg)
{
  (void)arg;
  cleaned = 1;
}

static void *worker(void *arg)
{
  (void)arg;
  char b[8];
  CHECK(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old1) == 0);
  CHECK(pthread_setcanceltype(PTHREAD_CANCEL_DEFERRED, &old2) == 0);
  bad = pthread_setcanceltype(12345, NULL);
  CHECK(pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old3) == 0);
  pthread_cleanup_push(cleanup, NULL);
  read(p[0], b, sizeof(b));
  pthread_cleanup_pop(0);
  return NULL;
}

static const char *type(int t)
{
  return t == PTHREAD_CANCEL_DEFERRED       ? "DEFERRED"
         : t == PTHREAD_CANCEL_ASYNCHRONOUS ? "ASYNCHRONOUS"
                                            : "?";
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(50);
  ERR("cancel the asynchronous thread blocked in read", pthread_cancel(t));
  void *r;
  ERR("join", pthread_join(t, &r));
  printf("PTHREAD_CANCELED: %s, cleanup ran: %s\n",
         yesno(r == PTHREAD_CANCELED), yesno(cleaned));
  printf("old types: %s, %s, %s; unknown type: %s\n", type(old1), type(old2),
         type(old3), errname(bad));
  return 0;
}
