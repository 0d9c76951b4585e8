/*
 * waits.c - a plain threaded program that waits in three known places:
 * the demo for `unblock --profile` and `unblock report` (docs/profiling.md)
 * and their tests.
 *
 * Four workers each look something up (a slow sleep: the hot spot), ask a
 * "backend" thread over a pipe and wait for its answer, then update a
 * shared total under a mutex that the backend holds now and then.
 * The marked lines are where it waits; tests/profile.bats finds them by
 * their markers, so the line numbers may change freely.
 *
 * usage: waits [ROUNDS]   (default 20); prints one deterministic line.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define WORKERS 4

static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;
static long total;
static int ask[2], answer[WORKERS][2];
static int rounds = 20;

/* The slow call site: a 5 ms "lookup" per request. */
static void lookup(void)
{
  usleep(5000); /* WAIT:lookup */
}

static long ask_backend(int id)
{
  char c = (char)id;
  if (write(ask[1], &c, 1) != 1)
    exit(1);
  long v;
  if (read(answer[id][0], &v, sizeof(v)) != sizeof(v)) /* WAIT:reply */
    exit(1);
  return v;
}

static void add(long v)
{
  pthread_mutex_lock(&total_lock); /* WAIT:lock */
  total += v;
  pthread_mutex_unlock(&total_lock);
}

static void *worker(void *arg)
{
  int id = (int)(long)arg;
  for (int i = 0; i < rounds; i++) {
    lookup();
    add(ask_backend(id));
  }
  return NULL;
}

/* Answers each question after 1 ms, and holds the lock now and then. */
static void *backend(void *arg)
{
  (void)arg;
  for (int i = 0; i < WORKERS * rounds; i++) {
    char c;
    if (read(ask[0], &c, 1) != 1)
      exit(1);
    usleep(1000);
    long v = c + 1;
    /* Every fourth answer goes out with the lock held for 3 ms: the
     * worker it wakes waits for it in add(). */
    bool hold = i % 4 == 0;
    if (hold)
      pthread_mutex_lock(&total_lock);
    if (write(answer[(int)c][1], &v, sizeof(v)) != sizeof(v))
      exit(1);
    if (hold) {
      usleep(3000);
      pthread_mutex_unlock(&total_lock);
    }
  }
  return NULL;
}

int main(int argc, char **argv)
{
  if (argc > 1 && (rounds = atoi(argv[1])) <= 0) {
    fprintf(stderr, "usage: waits [ROUNDS]\n");
    return 2;
  }
  if (pipe(ask) != 0)
    return 1;
  for (int i = 0; i < WORKERS; i++)
    if (pipe(answer[i]) != 0)
      return 1;
  pthread_t b, w[WORKERS];
  pthread_create(&b, NULL, backend, NULL);
  for (long i = 0; i < WORKERS; i++)
    pthread_create(&w[i], NULL, worker, (void *)i);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(w[i], NULL);
  pthread_join(b, NULL);
  printf("%d workers, %d rounds, total %ld\n", WORKERS, rounds, total);
  return 0;
}
