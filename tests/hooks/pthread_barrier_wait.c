/*
 * Description: pthread_barrier_wait(3): four threads arrive 0, 30, 60 and
 * 90 ms apart, three rounds in a row.  In every round nobody leaves before
 * the last one has arrived, the early ones having waited, and exactly one
 * thread gets PTHREAD_BARRIER_SERIAL_THREAD (the others 0).
 */
#include "snippet.h"

#define N 4
#define ROUNDS 3

static pthread_barrier_t b;
static int arrived[ROUNDS], early_leave, serial[ROUNDS], zero[ROUNDS];
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
  long i = (long)arg;
  for (int r = 0; r < ROUNDS; r++) {
    sleep_ms(30 * i);
    pthread_mutex_lock(&m);
    arrived[r]++;
    pthread_mutex_unlock(&m);
    int ret = pthread_barrier_wait(&b);
    pthread_mutex_lock(&m);
    if (arrived[r] != N)
      early_leave++;
    if (ret == PTHREAD_BARRIER_SERIAL_THREAD)
      serial[r]++;
    else if (ret == 0)
      zero[r]++;
    pthread_mutex_unlock(&m);
  }
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_barrier_init(&b, NULL, N) == 0);
  pthread_t t[N];
  double t0 = now_ms();
  for (long i = 0; i < N; i++)
    t[i] = spawn(worker, (void *)i);
  for (int i = 0; i < N; i++)
    join(t[i]);
  for (int r = 0; r < ROUNDS; r++)
    printf("round %d: serial %d, zero %d\n", r, serial[r], zero[r]);
  printf("left before the last arrived: %d\n", early_leave);
  printf("three rounds took at least 3 x 90ms: %s\n",
         yesno(now_ms() - t0 >= 265));
  return 0;
}
