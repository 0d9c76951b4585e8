/*
 * native_thread.c - green threads and a thread the shim did not create,
 * side by side.  libnative.so's constructor started that thread before
 * libunblock's constructor ran (tests/e2e/native/libnative.c).  Here a
 * green thread writes the pipe it blocks reading, the main thread signals
 * the condition it waits on, and waits on the semaphore it posts; then
 * main joins it.  Under unblock with one carrier the OS thread count is 3
 * (the carrier, the stall monitor and the native thread) while 10 green
 * threads sleep; natively 12.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "native/native.h"

static void *writer(void *arg)
{
  (void)arg;
  usleep(30000);
  if (write(native_pipe[1], "hello", 5) != 5)
    return (void *)1L;
  return NULL;
}

static void *sleeper(void *arg)
{
  (void)arg;
  usleep(200000);
  return NULL;
}

static int threads(void)
{
  FILE *f = fopen("/proc/self/status", "r");
  char line[128];
  int n = -1;
  while (f != NULL && fgets(line, sizeof(line), f) != NULL)
    if (sscanf(line, "Threads: %d", &n) == 1)
      break;
  if (f != NULL)
    fclose(f);
  return n;
}

int main(void)
{
  pthread_t w, s[10];
  pthread_create(&w, NULL, writer, NULL);
  for (int i = 0; i < 10; i++)
    pthread_create(&s[i], NULL, sleeper, NULL);
  usleep(100000);
  printf("OS threads while 10 green threads sleep: %d\n", threads());
  pthread_mutex_lock(&native_mutex);
  native_ready = 1;
  pthread_cond_signal(&native_cond);
  pthread_mutex_unlock(&native_mutex);
  int r = sem_wait(&native_sem);
  void *ret;
  pthread_join(native_thread, &ret);
  pthread_join(w, NULL);
  for (int i = 0; i < 10; i++)
    pthread_join(s[i], NULL);
  fputs(native_log, stdout);
  printf("main: sem_wait %d, the native thread returned %ld\n", r, (long)ret);
  return 0;
}
