/*
 * Description: libearly.so, a library whose constructor makes hooked calls
 * before libunblock's constructor has run (tests/hooks/ctor/ctor_order.c
 * says how that order is ensured).  It creates a pipe, writes to it and
 * reads it back, locks and unlocks a mutex, creates a key with a destructor
 * and sets it, and starts and joins a thread that writes to the pipe.  It
 * records each result in early_log instead of printing, since stdout must
 * not be used before the program sets its buffering; the program then
 * keeps using all of it after libunblock is up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "early.h"

char early_log[1024];
int early_pipe[2] = {-1, -1};
pthread_mutex_t early_mutex = PTHREAD_MUTEX_INITIALIZER;
pthread_key_t early_key;
const char early_value[] = "set in the constructor";
int early_dtor_calls;

static void note(const char *call, long r)
{
  size_t len = strlen(early_log);
  snprintf(early_log + len, sizeof(early_log) - len, "ctor: %s: %ld\n", call,
           r);
}

static void dtor(void *v)
{
  (void)v;
  __atomic_add_fetch(&early_dtor_calls, 1, __ATOMIC_SEQ_CST);
}

static void *writer(void *arg)
{
  (void)arg;
  return (void *)write(early_pipe[1], "thread", 6);
}

__attribute__((constructor)) static void early_init(void)
{
  char buf[16];
  void *ret = NULL;
  pthread_t t;
  note("pipe", pipe(early_pipe));
  note("write 5 bytes", write(early_pipe[1], "early", 5));
  note("read them back", read(early_pipe[0], buf, sizeof(buf)));
  note("pthread_mutex_lock", pthread_mutex_lock(&early_mutex));
  note("pthread_mutex_unlock", pthread_mutex_unlock(&early_mutex));
  note("pthread_key_create", pthread_key_create(&early_key, dtor));
  note("pthread_setspecific", pthread_setspecific(early_key, early_value));
  note("pthread_getspecific gives it back",
       pthread_getspecific(early_key) == early_value);
  note("pthread_create", pthread_create(&t, NULL, writer, NULL));
  note("pthread_join", pthread_join(t, &ret));
  note("  the thread's write", (long)ret);
  note("read what it wrote", read(early_pipe[0], buf, sizeof(buf)));
}
