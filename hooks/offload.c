/*
 * offload.c - a minimal offload: one short-lived helper thread per call.
 *
 * For the few calls of this version that block with no readiness to wait
 * for (fcntl F_SETLKW and F_OFD_SETLKW; wait, waitpid, wait4, waitid).  The
 * helper is a native thread with every signal blocked, so signals keep going to
 * the carrier; it makes the call, records the result and errno, and posts the
 * green thread's wait through the loop's inbox.  The wait lives on the green
 * thread's stack, which stays put until that post resumes it, so the post is
 * the helper's last touch.  The next version replaces this with a bounded pool
 * that describes every call with libffi.
 */
#include "offload.h"

#include <errno.h>
#include <signal.h>

#include "hook.h"

struct job {
  long (*fn)(void *);
  void *arg;
  long result;
  int err;
  struct ub_wait w;
};

static void *run(void *p)
{
  struct job *j = p;
  errno = 0;
  j->result = j->fn(j->arg);
  j->err = errno;
  ub_loop_post(&j->w, 0);
  return NULL;
}

long ub_offload(long (*fn)(void *), void *arg)
{
  struct ub_sched *s = ub_hook_enter();
  if (s == NULL)
    return fn(arg);
  struct job j = {.fn = fn, .arg = arg};
  ub_sched_wait_init(&j.w);
  ub_loop_arm(&s->loop, &j.w, -1, 0, UB_NEVER);
  pthread_attr_t a;
  sigset_t all;
  sigfillset(&all);
  pthread_t t;
  int err = pthread_attr_init(&a);
  if (err == 0) {
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 * 1024);
    pthread_attr_setsigmask_np(&a, &all);
    err = real.pthread_create(&t, &a, run, &j);
    pthread_attr_destroy(&a);
  }
  if (err != 0) {
    ub_loop_cancel(&s->loop, &j.w);
    return fn(arg); /* no helper: block here rather than fail */
  }
  ub_sched_park(&j.w);
  errno = j.err;
  return j.result;
}
