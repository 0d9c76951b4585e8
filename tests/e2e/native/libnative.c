/*
 * libnative.c - a library whose constructor starts a thread before
 * libunblock's constructor runs, so the shim never made it a green thread:
 * the "thread the shim did not create" of tests/edge.bats.
 *
 * The thread lives on after the program starts and meets the program's
 * green threads through hooked calls: it blocks in read() on a pipe they
 * write, waits on a condition variable they signal (its mutex shared with
 * them), sleeps, and posts a semaphore a green thread waits on.  Every one
 * of those calls must pass through to the real one on this thread (it
 * cannot park: it has no carrier) and still interoperate with the green
 * side.
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "native.h"

int native_pipe[2];
pthread_mutex_t native_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t native_cond = PTHREAD_COND_INITIALIZER;
int native_ready;
sem_t native_sem;
char native_log[512];
pthread_t native_thread;

static void *run(void *arg)
{
  (void)arg;
  char buf[16] = {0};
  ssize_t n = read(native_pipe[0], buf, sizeof(buf) - 1);
  size_t len = strlen(native_log);
  snprintf(native_log + len, sizeof(native_log) - len,
           "native: read %zd bytes: %s\n", n, buf);
  pthread_mutex_lock(&native_mutex);
  while (!native_ready)
    pthread_cond_wait(&native_cond, &native_mutex);
  pthread_mutex_unlock(&native_mutex);
  len = strlen(native_log);
  snprintf(native_log + len, sizeof(native_log) - len,
           "native: woken by the condition\n");
  usleep(20000);
  sem_post(&native_sem);
  return (void *)42L;
}

__attribute__((constructor)) static void start_native(void)
{
  if (pipe(native_pipe) != 0 || sem_init(&native_sem, 0, 0) != 0 ||
      pthread_create(&native_thread, NULL, run, NULL) != 0)
    _exit(90);
}
