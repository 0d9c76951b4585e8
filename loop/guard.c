/*
 * guard.c - the SIGSEGV handler that names an overflowing green thread.
 *
 * An overflow runs into the PROT_NONE guard below the stack (stack.h).  The
 * fault cannot be handled on the overflowed stack itself, so each carrier
 * has an alternate signal stack, and the handler is installed SA_ONSTACK.
 *
 * When the faulting address lies in the guard of the current green thread,
 * or of the one being switched out (it pushes its registers after
 * `current` names the next thread), the handler writes one message naming
 * the thread and UNBLOCK_STACK_SIZE, restores the default action and
 * returns: the faulting instruction runs again and the process dies of
 * SIGSEGV, as a native overflow would (exit status, core dump and all).
 * A SIGSEGV sent by kill or raise does not come back by itself, so it is
 * re-sent.  Anything else goes to the handler installed before ours.  Only
 * async-signal-safe calls are made here; the message is formatted by hand.
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

/* glibc's own name for sigaction, which the preloaded library's hook of
 * sigaction (hooks/signal.c) does not interpose. */
int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);

/* Written once, under pthread_once, before any carrier runs. */
static struct sigaction previous;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

struct msg {
  char buf[256];
  size_t len;
};

static void put(struct msg *m, const char *s, size_t max)
{
  for (size_t i = 0; i < max && s[i] != '\0' && m->len < sizeof(m->buf); i++)
    m->buf[m->len++] = s[i];
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

/* Restore the default action; a signal that was sent rather than caused
 * by a fault will not come back by itself, so send it again.  It stays
 * blocked until the handler returns, then kills the process. */
static void die_default(int sig, const siginfo_t *si)
{
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  __sigaction(sig, &dfl, NULL);
  if (si->si_code <= 0)
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

/* Does a fault at a lie in c's guard? */
static bool in_guard(const struct ub_coro *c, const char *a)
{
  return c != NULL && c->stack.guard != 0 &&
         a >= c->stack.lo - c->stack.guard && a < c->stack.lo;
}

static void report(const struct ub_coro *c, const char *a)
{
  struct msg m = {.len = 0};
  put(&m, "unblock: green thread ", SIZE_MAX);
  put_num(&m, c->id, 10);
  if (c->name[0] != '\0') {
    put(&m, " (", SIZE_MAX);
    put(&m, c->name, sizeof(c->name));
    put(&m, ")", SIZE_MAX);
  }
  put(&m, " overflowed its stack of ", SIZE_MAX);
  put_num(&m, c->stack.size / 1024, 10);
  put(&m, " KiB (fault at 0x", SIZE_MAX);
  put_num(&m, (uintptr_t)a, 16);
  put(&m,
      "); raise UNBLOCK_STACK_SIZE (for example "
      "UNBLOCK_STACK_SIZE=8M) or the thread's stack size attribute\n",
      SIZE_MAX);
  (void)ub_sys_write(2, m.buf, m.len);
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
  int saved = errno;
  struct ub_sched *s = ub_sched_self();
  const char *a = si->si_addr;
  /* A green thread can overflow while it switches out, pushing its
   * registers after `current` already names the thread it switches to. */
  const struct ub_coro *c = NULL;
  if (s != NULL && si->si_code > 0)
    c = in_guard(s->current, a)   ? s->current
        : in_guard(s->leaving, a) ? s->leaving
                                  : NULL;
  if (c != NULL) {
    report(c, a);
    die_default(sig, si);
  } else if (previous.sa_handler == SIG_DFL) {
    die_default(sig, si);
  } else if (previous.sa_handler == SIG_IGN) {
    if (si->si_code > 0)
      die_default(sig, si); /* a real fault cannot be ignored */
  } else if (previous.sa_flags & SA_SIGINFO) {
    previous.sa_sigaction(sig, si, uc);
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
  __sigaction(SIGSEGV, &sa, &previous);
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
