/*
 * signal.c - signal handlers run on green threads, and interrupt waits as
 * the kernel would interrupt the blocking call.
 *
 * sigaction and signal record the program's disposition and install our
 * trampoline in its place (same flags and mask); asking for the current
 * disposition reports the program's.  When a signal arrives:
 *   - on a green thread (it was running): the trampoline calls the
 *     program's handler right there, as natively;
 *   - on the carrier's own context (idle in epoll, or scheduling): the
 *     handler cannot run there, since no green thread was interrupted.
 *     The trampoline only records the signal and its siginfo; between
 *     ticks the scheduler calls on_signals, which picks the green thread
 *     the kernel would have picked (target(): the main thread unless it
 *     blocks the signal, else one parked in an interruptible wait).  If
 *     that thread is parked interruptibly, its wait ends with EINTR and
 *     the signal becomes pending on it; if it is runnable, just pending.
 *     When it next runs, the handler runs on it (run_deferred: the
 *     handler's mask applied as the kernel would), and its hook returns
 *     EINTR or restarts, by SA_RESTART and the call's own rules.  If it
 *     waits on a lock or a join, which handlers do not end, the handler
 *     runs at once in the carrier's context (docs/limits.md).
 *
 * Masks: each green thread has its own (sched.c switches the carrier's
 * real mask with it, with one syscall only when two threads differ).
 * sigprocmask and pthread_sigmask change the calling green thread's.
 *
 * Inside a handler ub_sig_depth is nonzero and every hook passes through:
 * a handler must not park.  SIGSEGV passes through untouched: loop/guard.c
 * reports green-thread stack overflows unless the program installs a
 * SIGSEGV handler of its own, which then takes over, as natively.
 */
#include "signal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "deadline.h"
#include "fdio.h"
#include "hook.h"
#include "offload.h"
#include "sys.h"
#include "thread.h"

__thread int ub_sig_depth __attribute__((tls_model("initial-exec")));

/* The program's dispositions as it set them; `wrapped`: ours is in. */
static struct sigaction user[_NSIG];
static _Atomic bool wrapped[_NSIG];

/* Per carrier: the siginfo of each deferred or pending signal.  Standard
 * signals do not queue, so one slot each is what the kernel keeps too. */
struct sigstate {
  siginfo_t info[_NSIG];
};

/* A carrier's sigstate lives right after its struct ub_sched (init.c
 * allocates ub_sig_carrier_extra() bytes there). */
static struct sigstate *state_of(struct ub_sched *s)
{
  return (struct sigstate *)(s + 1);
}

static uint64_t bit(int sig)
{
  return 1ull << (sig - 1);
}

/* Run the program's handler for sig; t (if not NULL) is the green thread
 * it runs on, which counts it. */
static void call_user(int sig, siginfo_t *info, void *uc, struct ub_thread *t)
{
  struct sigaction a = user[sig];
  if (a.sa_flags & SA_RESETHAND) {
    user[sig].sa_handler = SIG_DFL;
    user[sig].sa_flags &= ~SA_SIGINFO;
  }
  if (t != NULL)
    t->handled++;
  ub_sig_depth++;
  if (a.sa_flags & SA_SIGINFO)
    a.sa_sigaction(sig, info, uc);
  else if (a.sa_handler != SIG_DFL && a.sa_handler != SIG_IGN)
    a.sa_handler(sig);
  ub_sig_depth--;
}

/*
 * Run the program's handler for a signal that was taken earlier (by the
 * carrier's context, or sent by pthread_kill), outside any kernel signal
 * frame, as the kernel would run it: with the handler's sa_mask (and the
 * signal itself, without SA_NODEFER) blocked for its duration, errno kept,
 * and SA_RESETHAND applied.  The ucontext it gets is zeroed.
 */
static int set_default(int sig, struct sigaction *prev);

static void run_deferred(int sig, siginfo_t *info)
{
  struct sigaction a = user[sig];
  uint64_t block = 0, old = 0;
  memcpy(&block, &a.sa_mask, sizeof(block));
  if (!(a.sa_flags & SA_NODEFER))
    block |= bit(sig);
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, &old, UB_SIGSET_BYTES);
  ucontext_t uc;
  memset(&uc, 0, sizeof(uc));
  int saved = errno;
  call_user(sig, info, &uc, ub_thread_self());
  errno = saved;
  if (a.sa_flags & SA_RESETHAND) {
    set_default(sig, NULL);
    atomic_store(&wrapped[sig], false);
  }
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, UB_SIGSET_BYTES);
}

static void trampoline(int sig, siginfo_t *info, void *uc)
{
  int saved = errno;
  struct ub_sched *s = ub_sched_tls;
  if (s != NULL &&
      (atomic_load(&s->lease) & ~UB_LEASE_USER) != ub_sched_token()) {
    /* The carrier was handed on while this thread ran the program's code
     * (loop/handoff.h): the handler runs right here, as natively. */
    call_user(sig, info, uc, NULL);
    errno = saved;
    return;
  }
  if (s != NULL && s->current == &s->main && ub_sig_depth == 0 &&
      s->on_signals != NULL) {
    struct sigstate *st = state_of(s);
    st->info[sig] = *info;
    atomic_fetch_or(&s->deferred, bit(sig));
    /* It may have landed after the scheduler looked at `deferred` and
     * before it went to sleep in the loop: ring, so the sleep ends. */
    ub_loop_wake(&s->loop);
  } else {
    call_user(sig, info, uc, ub_thread_self());
  }
  errno = saved;
}

/* ---- the offload helpers' kick (signal.h) ---------------------------- */

/* Hand sig on to the program's handler, if it has one, with its mask:
 * ours was installed with an empty one, and the kernel would have applied
 * the program's. */
static void pass_on(int sig, siginfo_t *info, void *uc)
{
  struct sigaction a = user[sig];
  if (!(a.sa_flags & SA_SIGINFO) &&
      (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN))
    return;
  uint64_t block = 0, old = 0;
  memcpy(&block, &a.sa_mask, sizeof(block));
  if (!(a.sa_flags & SA_NODEFER))
    block |= bit(sig);
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, &block, &old, UB_SIGSET_BYTES);
  trampoline(sig, info, uc);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, UB_SIGSET_BYTES);
}

static atomic_bool kick_reserved;

static void kick_handler(int sig, siginfo_t *info, void *uc)
{
  if (ub_offload_helper())
    return; /* its blocking call returns EINTR: that was the point */
  struct sigaction a = user[sig];
  if (!(a.sa_flags & SA_SIGINFO) && a.sa_handler == SIG_DFL) {
    /* The default action of a real-time signal: the process ends. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    real.sigaction(sig, &dfl, NULL);
    uint64_t m = bit(sig);
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, NULL, UB_SIGSET_BYTES);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
  } else {
    pass_on(sig, info, uc);
  }
}

void ub_sig_kick_reserve(void)
{
  if (atomic_load(&kick_reserved) || atomic_exchange(&kick_reserved, true))
    return;
  ub_real_ensure();
  struct sigaction prev;
  real.sigaction(UB_SIG_KICK, NULL, &prev);
  if (!atomic_load(&wrapped[UB_SIG_KICK]))
    user[UB_SIG_KICK] = prev;
  struct sigaction mine = {.sa_sigaction = kick_handler,
                           .sa_flags = SA_SIGINFO}; /* no SA_RESTART */
  sigemptyset(&mine.sa_mask);
  real.sigaction(UB_SIG_KICK, &mine, NULL);
  atomic_store(&wrapped[UB_SIG_KICK], true);
}

void ub_sig_kick(pid_t tid)
{
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  info.si_signo = UB_SIG_KICK;
  info.si_code = SI_QUEUE;
  info.si_pid = getpid();
  info.si_uid = getuid();
  syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, UB_SIG_KICK, &info);
}

/* ---- signals unblock takes, and the profile at a deadly signal -------- */

static void (*reserved_fn[_NSIG])(int);
static void (*on_death)(void);
static _Atomic bool dying[_NSIG]; /* ours stands in for the program's SIG_DFL */

/* Signals whose default action ends the process (without a core dump, or
 * with one: SIGQUIT), and that a program commonly receives. */
static bool deadly(int sig)
{
  return sig == SIGHUP || sig == SIGINT || sig == SIGQUIT || sig == SIGPIPE ||
         sig == SIGALRM || sig == SIGTERM || sig == SIGUSR1 || sig == SIGUSR2;
}

static void reserved_handler(int sig, siginfo_t *info, void *uc)
{
  int saved = errno;
  reserved_fn[sig](sig);
  errno = saved;
  pass_on(sig, info, uc);
}

/* The program left sig at SIG_DFL: do what on_death asks (write the
 * profile), then die of sig as it would have. */
static void dying_handler(int sig, siginfo_t *info, void *uc)
{
  (void)info, (void)uc;
  on_death();
  struct sigaction dfl = {.sa_handler = SIG_DFL};
  real.sigaction(sig, &dfl, NULL);
  uint64_t m = bit(sig);
  syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &m, NULL, UB_SIGSET_BYTES);
  syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
}

/* Put the real disposition for the program's SIG_DFL in place: ours, for a
 * deadly signal while on_death is set. */
static int set_default(int sig, struct sigaction *prev)
{
  struct sigaction a = {.sa_handler = SIG_DFL};
  bool mine = on_death != NULL && deadly(sig);
  if (mine) {
    a.sa_sigaction = dying_handler;
    a.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&a.sa_mask);
  }
  int r = real.sigaction(sig, &a, prev);
  if (r == 0)
    atomic_store(&dying[sig], mine);
  return r;
}

void ub_sig_reserve(int sig, void (*fn)(int))
{
  ub_real_ensure();
  struct sigaction prev;
  real.sigaction(sig, NULL, &prev);
  if (!atomic_load(&wrapped[sig]) && !atomic_load(&dying[sig]))
    user[sig] = prev;
  reserved_fn[sig] = fn;
  struct sigaction mine = {.sa_sigaction = reserved_handler,
                           .sa_flags = SA_SIGINFO | SA_RESTART};
  sigemptyset(&mine.sa_mask);
  real.sigaction(sig, &mine, NULL);
  atomic_store(&wrapped[sig], true);
}

void ub_sig_on_death(void (*fn)(void))
{
  ub_real_ensure();
  on_death = fn;
  for (int sig = 1; sig < _NSIG; sig++) {
    struct sigaction now;
    if (!deadly(sig) || reserved_fn[sig] != NULL ||
        real.sigaction(sig, NULL, &now) != 0 || atomic_load(&wrapped[sig]) ||
        (now.sa_flags & SA_SIGINFO) || now.sa_handler != SIG_DFL)
      continue; /* (an inherited SIG_IGN stays) */
    user[sig] = now;
    set_default(sig, NULL);
  }
}

/*
 * The green thread the kernel would have picked: the main thread if it
 * does not block the signal, else one parked in an interruptible wait,
 * else any that does not block it.  NULL if every one blocks it (it was
 * let in while a thread that does not block it existed; it has exited).
 */
static struct ub_coro *target(struct ub_sched *s, int sig)
{
  struct ub_coro *waiting = NULL, *any = NULL, *main = NULL;
  for (struct ub_coro *c = s->all; c != NULL; c = c->all_next) {
    if (c->sigmask & bit(sig))
      continue;
    if (c->id == 1)
      main = c;
    if (c->intr_wait != NULL)
      waiting = c;
    any = c;
  }
  return main != NULL ? main : waiting != NULL ? waiting : any;
}

/* The carrier of the main thread, where a signal for the process goes
 * when the main thread takes it, as the kernel would pick it first. */
static _Atomic(struct ub_sched *) main_carrier;

/* Poked: something another thread changed may end a wait here.  Each
 * parked green thread looks at what concerns it. */
static void on_poked(struct ub_sched *s)
{
  for (struct ub_coro *c = s->all; c != NULL; c = c->all_next) {
    struct ub_thread *t = c->ext;
    uint64_t pending = atomic_load(&c->sigpending);
    if (c->intr_wait == NULL || t == NULL)
      continue;
    if (t->sem_waiting) /* a handler posted a semaphore */
      ub_loop_post(c->intr_wait, -EAGAIN);
    else if (t->canceled && !t->cancel_disabled) /* pthread_cancel */
      ub_loop_post(c->intr_wait, -ECANCELED);
    else if (pending & ~c->sigmask) /* pthread_kill: its handler runs */
      ub_loop_post(c->intr_wait, -EINTR);
    else if (t->sigwaiting && (pending & c->sigmask)) /* sigwait takes it */
      ub_loop_post(c->intr_wait, -EAGAIN);
  }
}

/* Hand sig to the main thread's carrier, if the main thread lives on
 * another one and does not block sig.  Whether it was handed on. */
static bool to_main(struct ub_sched *s, int sig, const siginfo_t *info)
{
  struct ub_sched *m = atomic_load(&main_carrier);
  if (m == NULL || m == s || m->first == NULL || (m->first->sigmask & bit(sig)))
    return false;
  state_of(m)->info[sig] = *info;
  atomic_fetch_or(&m->deferred, bit(sig));
  ub_loop_wake(&m->loop);
  return true;
}

static void on_signals(struct ub_sched *s)
{
  struct sigstate *st = state_of(s);
  if (atomic_exchange(&s->poked, 0) != 0)
    on_poked(s);
  uint64_t sigs = atomic_exchange(&s->deferred, 0);
  for (int sig = 1; sigs != 0; sig++, sigs >>= 1) {
    if (!(sigs & 1) || to_main(s, sig, &st->info[sig]))
      continue;
    struct ub_coro *c = target(s, sig);
    if (c != NULL && c->intr_wait != NULL) {
      /* Its blocking call is interrupted; the handler runs on it. */
      atomic_fetch_or(&c->sigpending, bit(sig));
      ub_loop_post(c->intr_wait, -EINTR);
    } else if (c != NULL && c->state == UB_CORO_RUNNABLE) {
      atomic_fetch_or(&c->sigpending, bit(sig)); /* runs when it runs */
    } else {
      /* The thread waits on a lock or a join, which a handler does not
       * end: the handler runs now, in the carrier's context. */
      run_deferred(sig, &st->info[sig]);
    }
  }
}

/* Switching onto c: deliver its pending signals to it, now. */
static void on_pending(struct ub_coro *c)
{
  struct ub_sched *s = c->home;
  struct sigstate *st = state_of(s);
  struct ub_thread *t = c->ext;
  /* Signals the thread blocks stay pending on it, for sigwait or for when
   * it unblocks them, as the kernel keeps them. */
  uint64_t sigs = atomic_fetch_and(&c->sigpending, c->sigmask) & ~c->sigmask;
  if (t != NULL)
    t->intr_restart = true;
  for (int sig = 1; sigs != 0; sig++, sigs >>= 1) {
    if (!(sigs & 1))
      continue;
    if (t != NULL && !(user[sig].sa_flags & SA_RESTART))
      t->intr_restart = false;
    siginfo_t info = st->info[sig];
    run_deferred(sig, &info);
  }
}

void ub_sig_carrier_init(struct ub_sched *s)
{
  s->on_signals = on_signals;
  s->on_pending = on_pending;
}

void ub_sig_main_carrier(struct ub_sched *s)
{
  atomic_store(&main_carrier, s);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
  ub_real_ensure();
  if (sig <= 0 || sig >= _NSIG || sig == SIGSEGV || sig == SIGKILL ||
      sig == SIGSTOP)
    return real.sigaction(sig, act, old);
  struct sigaction prev;
  bool ours = atomic_load(&wrapped[sig]) || atomic_load(&dying[sig]);
  if (act == NULL) {
    int r = real.sigaction(sig, NULL, &prev);
    if (r == 0 && old != NULL)
      *old = ours ? user[sig] : prev;
    return r;
  }
  bool handler = (act->sa_flags & SA_SIGINFO) ||
                 (act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN);
  if ((sig == UB_SIG_KICK && atomic_load(&kick_reserved)) ||
      reserved_fn[sig] != NULL) {
    /* Our handler stays in, and hands the signal on (kick_handler,
     * reserved_handler). */
    static atomic_bool told[_NSIG];
    if (handler && reserved_fn[sig] != NULL && !atomic_exchange(&told[sig], 1))
      fprintf(stderr,
              "unblock: the program handles SIG%s, which unblock also takes "
              "(UNBLOCK_PROFILE_SIGNAL or UNBLOCK_DUMP_SIGNAL): both run\n",
              sigabbrev_np(sig));
    if (old != NULL)
      *old = user[sig];
    user[sig] = *act;
    return 0;
  }
  struct sigaction was_user = user[sig];
  user[sig] = *act;
  int r;
  if (!handler && act->sa_handler == SIG_DFL) {
    r = set_default(sig, &prev);
  } else {
    struct sigaction mine = *act;
    if (handler && !ub_observing) {
      mine.sa_sigaction = trampoline;
      mine.sa_flags |= SA_SIGINFO;
    }
    r = real.sigaction(sig, &mine, &prev);
    if (r == 0)
      atomic_store(&dying[sig], false);
  }
  if (r != 0) {
    user[sig] = was_user;
    return r;
  }
  atomic_store(&wrapped[sig], handler && !ub_observing);
  if (old != NULL)
    *old = ours ? was_user : prev;
  return 0;
}

sighandler_t signal(int sig, sighandler_t handler)
{
  /* glibc's signal() is BSD's: SA_RESTART, and the signal blocked in its
   * own handler. */
  struct sigaction act = {.sa_handler = handler, .sa_flags = SA_RESTART}, old;
  sigemptyset(&act.sa_mask);
  if (sig > 0 && sig < _NSIG)
    sigaddset(&act.sa_mask, sig);
  if (sigaction(sig, &act, &old) != 0)
    return SIG_ERR;
  return old.sa_handler;
}

/* The calling green thread's mask after the real call changed it; a
 * signal pending on it that it no longer blocks is delivered now. */
static void note_mask(void)
{
  uint64_t m = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &m, UB_SIGSET_BYTES);
  struct ub_coro *c = ub_sched_tls->current;
  ub_sched_set_sigmask(c, m);
  if (atomic_load(&c->sigpending) & ~m)
    on_pending(c);
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
  UB_ENTER(s);
  int r = real.pthread_sigmask(how, set, old);
  if (s != NULL && r == 0 && set != NULL)
    note_mask();
  return r;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
  UB_ENTER(s);
  int r = real.sigprocmask(how, set, old);
  if (s != NULL && r == 0 && set != NULL)
    note_mask();
  return r;
}

int ub_sig_swap_mask(const sigset_t *mask, uint64_t *old)
{
  if (mask == NULL)
    return 0;
  struct ub_thread *t = ub_thread_self();
  unsigned handled = t != NULL ? t->handled : 0;
  *old = ub_sched_tls->current->sigmask;
  real.pthread_sigmask(SIG_SETMASK, mask, NULL);
  note_mask();
  /* A pending signal the new mask lets in ran its handler just now: the
   * call is interrupted before it waits, as natively. */
  return t != NULL && t->handled != handled ? -EINTR : 0;
}

void ub_sig_restore_mask(const sigset_t *mask, uint64_t old)
{
  if (mask == NULL)
    return;
  sigset_t set;
  memcpy(&set, &old, sizeof(old));
  memset((char *)&set + sizeof(old), 0, sizeof(set) - sizeof(old));
  real.pthread_sigmask(SIG_SETMASK, &set, NULL);
  note_mask();
}

int pthread_kill(pthread_t thread, int sig)
{
  ub_real_ensure();
  struct ub_coro *c = ub_thread_coro(thread);
  struct ub_coro *self = ub_sched_current();
  if (c == NULL || c == self)
    return real.pthread_kill(c == NULL ? thread : real.pthread_self(), sig);
  if (sig < 0 || sig >= _NSIG)
    return EINVAL;
  if (sig == 0)
    return 0;
  /* A signal without a handler acts on the whole process: send it now. */
  if (!atomic_load(&wrapped[sig]))
    return real.pthread_kill(real.pthread_self(), sig);
  struct ub_sched *s = c->home;
  struct sigstate *st = state_of(s);
  memset(&st->info[sig], 0, sizeof(siginfo_t));
  st->info[sig].si_signo = sig;
  st->info[sig].si_code = SI_TKILL;
  st->info[sig].si_pid = getpid();
  st->info[sig].si_uid = getuid();
  atomic_fetch_or(&c->sigpending, bit(sig));
  struct ub_thread *t = c->ext;
  if (c->home != ub_sched_tls || self == NULL) {
    ub_sched_poke(c->home); /* its carrier ends its wait (on_poked) */
  } else if (c->intr_wait != NULL) {
    if (!(c->sigmask & bit(sig)))
      ub_loop_post(c->intr_wait, -EINTR); /* its handler runs on it */
    else if (t != NULL && t->sigwaiting)
      ub_loop_post(c->intr_wait, -EAGAIN); /* its sigwait takes it */
  }
  return 0;
}

size_t ub_sig_carrier_extra(void)
{
  return sizeof(struct sigstate);
}

/*
 * sigwait, sigwaitinfo, sigtimedwait: a green thread waits for one of a
 * set of blocked signals to become pending.  The try is sigtimedwait with
 * a zero timeout; between tries the thread waits on the loop for a
 * signalfd of the set to become readable (it is, while one of the set is
 * pending for the carrier or the process), and the signal is then taken
 * with the try, never by reading the signalfd.  Like the native calls,
 * they fail with EINTR when a handler for another signal runs.
 */
static long wait_signal(struct ub_sched *s, const sigset_t *set,
                        siginfo_t *info, uint64_t deadline)
{
  static const struct timespec zero = {0, 0};
  int sfd = -1;
  long r;
  for (;;) {
    /* A signal sent to this very green thread (pthread_kill) first. */
    struct ub_coro *c = s->current;
    uint64_t mine = 0;
    memcpy(&mine, set, sizeof(mine));
    mine &= atomic_load(&c->sigpending);
    if (mine != 0) {
      int sig = __builtin_ctzll(mine) + 1;
      atomic_fetch_and(&c->sigpending, ~bit(sig));
      if (info != NULL)
        *info = state_of(s)->info[sig];
      r = sig;
      break;
    }
    r = real.sigtimedwait(set, info, &zero);
    if (r >= 0 || errno != EAGAIN) {
      r = r >= 0 ? r : -errno;
      break;
    }
    if (ub_clock_now() >= deadline) {
      r = -EAGAIN;
      break;
    }
    if (sfd < 0) {
      sfd = (int)syscall(SYS_signalfd4, -1, set, UB_SIGSET_BYTES,
                         SFD_NONBLOCK | SFD_CLOEXEC);
      if (sfd < 0) {
        r = -errno;
        break;
      }
      ub_fd_new(sfd, UB_FD_PLAIN);
    }
    struct ub_thread *t = ub_thread_self();
    t->sigwaiting = true;
    int w = ub_io_wait(s, sfd, ub_fd_info(sfd), UB_IN, deadline);
    t->sigwaiting = false;
    if (w == -EINTR || w == -ECANCELED) {
      ub_cancel_point();
      r = -EINTR;
      break;
    }
  }
  if (sfd >= 0) {
    ub_loop_forget(&s->loop, sfd);
    real.close(sfd);
    ub_fd_new(sfd, UB_FD_UNKNOWN);
  }
  return r;
}

int sigtimedwait(const sigset_t *set, siginfo_t *info,
                 const struct timespec *timeout)
{
  UB_ENTER(s);
  uint64_t deadline;
  if (s == NULL || ub_timespec_zero(timeout) ||
      ub_deadline_rel(timeout, &deadline) != 0)
    return real.sigtimedwait(set, info, timeout); /* incl. its EINVAL */
  return (int)ub_ret(wait_signal(s, set, info, deadline));
}

int sigwaitinfo(const sigset_t *set, siginfo_t *info)
{
  UB_CALL(-1);
  return sigtimedwait(set, info, NULL);
}

int sigwait(const sigset_t *set, int *sig)
{
  UB_ENTER(s);
  if (s == NULL)
    return real.sigwait(set, sig);
  siginfo_t info;
  long r;
  do /* sigwait is not interrupted by handlers: it waits on */
    r = wait_signal(s, set, &info, UB_NEVER);
  while (r == -EINTR);
  if (r < 0)
    return (int)-r;
  *sig = (int)r;
  return 0;
}
