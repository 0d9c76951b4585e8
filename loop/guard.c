/*
 * guard.c - the SIGSEGV handler that names an overflowing green thread.
 *
 * An overflow runs into the PROT_NONE guard below the stack (stack.h).  The
 * fault cannot be handled on the overflowed stack itself, so each carrier
 * has an alternate signal stack, and the handler is installed SA_ONSTACK.
 *
 * When the faulting address lies in the current green thread's guard, the
 * handler writes one message naming the thread and UNBLOCK_STACK_SIZE,
 * restores the default action and returns: the faulting instruction runs
 * again and the process dies of SIGSEGV, as a native overflow would (exit
 * status, core dump and all).  Any other fault goes to whatever handler
 * was installed before ours.  Only async-signal-safe calls are made here;
 * the message is formatted by hand.
 */
#define _GNU_SOURCE
#include "guard.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sched.h"
#include "sys.h"

#define ALTSTACK_SIZE ((size_t)64 * 1024)

/* Written once, under pthread_once, before any carrier runs. */
static struct sigaction previous;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

struct msg {
  char buf[256];
  size_t len;
};

static void put(struct msg *m, const char *s)
{
  while (*s && m->len < sizeof(m->buf))
    m->buf[m->len++] = *s++;
}

static void put_num(struct msg *m, uint64_t v, unsigned base)
{
  char tmp[24];
  int i = 0;
  do
    tmp[i++] = "0123456789abcdef"[v % base];
  while ((v /= base) != 0);
  while (i > 0 && m->len < sizeof(m->buf))
    m->buf[m->len++] = tmp[--i];
}

static void die_default(int sig)
{
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  sigaction(sig, &dfl, NULL);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  int saved = errno;
  struct ub_sched *s = ub_sched_self();
  struct ub_coro *c = s != NULL ? s->current : NULL;
  char *a = si->si_addr;
  if (c != NULL && c->stack.guard != 0 && a >= c->stack.lo - c->stack.guard &&
      a < c->stack.lo) {
    struct msg m = {.len = 0};
    put(&m, "unblock: green thread ");
    put_num(&m, c->id, 10);
    if (c->name[0] != '\0') {
      put(&m, " (");
      put(&m, c->name);
      put(&m, ")");
    }
    put(&m, " overflowed its stack of ");
    put_num(&m, c->stack.size / 1024, 10);
    put(&m, " KiB (fault at 0x");
    put_num(&m, (uintptr_t)a, 16);
    put(&m, "); raise UNBLOCK_STACK_SIZE (for example "
            "UNBLOCK_STACK_SIZE=8M) or the thread's stack size attribute\n");
    (void)ub_sys_write(2, m.buf, m.len);
    die_default(sig);
  } else if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, si, uc);
  } else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN) {
    die_default(sig); /* a fault cannot be ignored: refault and die */
  } else {
    previous.sa_handler(sig);
  }
  errno = saved;
}

static void install(void)
{
  struct sigaction sa = {.sa_sigaction = on_segv,
                         .sa_flags = SA_SIGINFO | SA_ONSTACK};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &previous);
}

int ub_guard_thread_init(void **altstack)
{
  pthread_once(&install_once, install);
  *altstack = NULL;
  stack_t cur;
  if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE))
    return 0; /* the thread already has one; it serves us as well */
  void *mem = malloc(ALTSTACK_SIZE);
  if (mem == NULL)
    return -ENOMEM;
  stack_t ss = {.ss_sp = mem, .ss_size = ALTSTACK_SIZE};
  if (sigaltstack(&ss, NULL) < 0) {
    int err = errno;
    free(mem);
    return -err;
  }
  *altstack = mem;
  return 0;
}

void ub_guard_thread_fini(void *altstack)
{
  if (altstack == NULL)
    return;
  stack_t ss = {.ss_flags = SS_DISABLE};
  sigaltstack(&ss, NULL);
  free(altstack);
}
