/*
 * Description: __pthread_register_cancel, what pthread_cleanup_push calls.
 * Two threads at once each push two handlers and park in a read while
 * pushed: each thread's chain is its own.  One pops with execute 1 (its
 * handlers run, in reverse order), the other is cancelled in its read (its
 * handlers run on the way out, and join sees PTHREAD_CANCELED).
 */
#include "snippet.h"

static int p1[2], p2[2];

static void say(void *arg)
{
  printf("  cleanup %s\n", (const char *)arg);
  fflush(stdout);
}

static void *popper(void *arg)
{
  (void)arg;
  char c;
  pthread_cleanup_push(say, "popper outer");
  pthread_cleanup_push(say, "popper inner");
  CHECK(read(p1[0], &c, 1) == 1);
  pthread_cleanup_pop(1);
  pthread_cleanup_pop(1);
  return (void *)1L;
}

static void *victim(void *arg)
{
  (void)arg;
  char c;
  ssize_t n = 0;
  pthread_cleanup_push(say, "victim outer");
  pthread_cleanup_push(say, "victim inner");
  n = read(p2[0], &c, 1); /* cancelled here */
  pthread_cleanup_pop(0);
  pthread_cleanup_pop(0);
  return (void *)n;
}

int main(void)
{
  start();
  CHECK(pipe(p1) == 0 && pipe(p2) == 0);
  pthread_t a = spawn(popper, NULL), b = spawn(victim, NULL);
  sleep_ms(50);
  int e = pthread_cancel(b);
  void *r = join(b);
  printf("cancel the victim: %s\n", errname(e));
  printf("victim ended with PTHREAD_CANCELED: %s\n",
         yesno(r == PTHREAD_CANCELED));
  fflush(stdout);
  CHECK(write(p1[1], "x", 1) == 1);
  r = join(a);
  printf("popper returned 1: %s\n", yesno(r == (void *)1L));
  return 0;
}
