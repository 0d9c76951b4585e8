/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
static int go;
static pthread_t t2;
static void *sleeper(void *a)
{
  pthread_mutex_lock(&m);
  while (!go)
    pthread_cond_wait(&c, &m);
  pthread_mutex_unlock(&m);
  return 0;
}
static void *joiner(void *a)
{
  pthread_join(t2, 0);
  return (void *)1;
}
int main(void)
{
  pthread_create(&t2, 0, sleeper, 0);
  pthread_t t1;
  pthread_create(&t1, 0, joiner, 0);
  usleep(100000);
  pthread_cancel(t1);
  void *r;
  pthread_join(t1, &r);
  printf("joiner: %s\n",
         r == PTHREAD_CANCELED ? "canceled in pthread_join" : "not canceled");
  pthread_mutex_lock(&m);
  go = 1;
  pthread_cond_signal(&c);
  pthread_mutex_unlock(&m);
  pthread_join(t2, 0);
  return 0;
}
