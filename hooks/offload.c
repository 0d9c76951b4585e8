/*
 * offload.c - the helper pool (offload.h).
 *
 * The pool: at most UNBLOCK_OFFLOAD_THREADS native helper threads, made
 * with the real pthread_create on demand and gone after IDLE_NS without
 * work.  A call becomes a job on the caller's stack.  A job goes straight
 * to an idle helper if there is one, else to a new helper if the bound
 * allows, else to the back of a FIFO that busy helpers drain; callers
 * never fail for want of a helper, they wait their turn.  A helper makes
 * the call with ffi_call, records errno (and h_errno), and posts the
 * caller's wait; that post is its last touch of the job.
 *
 * Helpers block every signal but UB_SIG_KICK, so signals for the program
 * keep going to carriers.  When a handler interrupts a green thread parked
 * on an interruptible call (UB_OFF_INTR), the job is withdrawn if no
 * helper took it yet; otherwise its helper is kicked (a signal whose
 * handler does nothing and has no SA_RESTART, so the call returns EINTR),
 * again every KICK_NS until it has returned, because a kick can land just
 * before the helper enters the call.  The caller then returns what the
 * call returned, and restarts it under SA_RESTART, as the kernel would.
 *
 * Most pooled calls are quick (a write into the page cache): an idle
 * helper looks for the next job for up to SPIN_NS before it sleeps (less
 * each time a look finds nothing, so calls far apart burn no CPU), and a
 * caller watches its job for SPIN_CALL_NS before it parks, so a run of
 * quick calls costs neither a helper's nor a carrier's wake-up (a
 * regular-file write: 49 us with both, 2 us without, against 0.8 us
 * natively, on the 2-CPU test machine).
 *
 * A job's `notify` is the wait its helper posts when done.  It changes
 * only under the pool lock, and the helper reads it under the lock and
 * marks the job POSTING before posting, DONE after: a caller that finds
 * the job POSTING waits for DONE before its stack frame (and the job) can
 * go away.
 */
#include "offload.h"

#include <errno.h>
#include <ffi.h>
#include <linux/futex.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <valgrind/valgrind.h>

#include "fdio.h"
#include "hook.h"
#include "signal.h"
#include "sys.h"
#include "thread.h"
#include "waitq.h"

#define IDLE_NS (5 * UB_NSEC_PER_SEC)
#define KICK_NS (10 * 1000 * 1000)
#define SPIN_NS (50 * 1000)      /* an idle helper looks for work */
#define SPIN_CALL_NS (20 * 1000) /* a caller watches a quick call */
#define SPIN_MIN_NS 1000         /* and never looks less than this */
#define HELPER_STACK ((size_t)512 * 1024)
#define MAX_ARGS 8

struct row {
  const char *name;
  void **fn; /* &real.name: resolved by the time a call is made */
  unsigned flags, fixed, nargs;
  ffi_type *ret;
  ffi_type *args[MAX_ARGS];
};

#define ARGS(...)                                                              \
  {                                                                            \
    __VA_ARGS__                                                                \
  }
#define T(t) &ffi_type_##t
#define UB_OFFLOAD(name, fl, rt, nfixed, ...)                                  \
  {#name,                                                                      \
   (void **)&real.name,                                                        \
   fl,                                                                         \
   nfixed,                                                                     \
   sizeof((ffi_type *[]){UB_OFF_TYPES(__VA_ARGS__)}) / sizeof(ffi_type *),     \
   T(rt),                                                                      \
   {UB_OFF_TYPES(__VA_ARGS__)}},
/* Up to MAX_ARGS type names, each turned into &ffi_type_<name>. */
#define UB_OFF_TYPES(...)                                                      \
  UB_OFF_PICK(__VA_ARGS__, UB_OFF_T8, UB_OFF_T7, UB_OFF_T6, UB_OFF_T5,         \
              UB_OFF_T4, UB_OFF_T3, UB_OFF_T2, UB_OFF_T1)                      \
  (__VA_ARGS__)
#define UB_OFF_PICK(a, b, c, d, e, f, g, h, n, ...) n
#define UB_OFF_T1(a) T(a)
#define UB_OFF_T2(a, ...) T(a), UB_OFF_T1(__VA_ARGS__)
#define UB_OFF_T3(a, ...) T(a), UB_OFF_T2(__VA_ARGS__)
#define UB_OFF_T4(a, ...) T(a), UB_OFF_T3(__VA_ARGS__)
#define UB_OFF_T5(a, ...) T(a), UB_OFF_T4(__VA_ARGS__)
#define UB_OFF_T6(a, ...) T(a), UB_OFF_T5(__VA_ARGS__)
#define UB_OFF_T7(a, ...) T(a), UB_OFF_T6(__VA_ARGS__)
#define UB_OFF_T8(a, ...) T(a), UB_OFF_T7(__VA_ARGS__)
static struct row rows[UB_OFF_COUNT] = {
#include "offload.def"
};
#undef UB_OFFLOAD

static ffi_cif cifs[UB_OFF_COUNT];
static atomic_int prepared[UB_OFF_COUNT]; /* 0 no, 1 being, 2 done */

enum job_state { QUEUED, RUNNING, POSTING, DONE };

struct helper;

struct job {
  struct job *next, *prev; /* in the FIFO while QUEUED */
  enum ub_off_id id;
  void **args;
  uint64_t mask; /* the caller's signal mask (UB_OFF_MASK) */
  ffi_arg ret;
  int err, herr;
  _Atomic enum job_state state;
  atomic_int kicked; /* an EINTR of the call is meant (interrupt) */
  bool spinning;     /* its caller watches state: do not post (under lock) */
  struct helper *helper; /* while RUNNING */
  struct ub_wait *notify;
};

struct helper {
  struct helper *next; /* on the idle stack */
  struct helper *all;  /* every helper, for the child of a fork */
  struct job *job;     /* handed to it while idle */
  atomic_int wake;     /* futex */
  _Atomic pid_t tid;
  uint64_t spin_ns; /* how long it looks for work next time it is idle */
};

static atomic_int lock;
static struct job *head, *tail;
static struct helper *idle, *all;
static unsigned helpers, max_helpers = 64;
static __thread bool is_helper __attribute__((tls_model("initial-exec")));

void ub_offload_setup(unsigned max_threads)
{
  max_helpers = max_threads;
}

bool ub_offload_helper(void)
{
  return is_helper;
}

static ffi_cif *cif_of(enum ub_off_id id)
{
  int p = atomic_load_explicit(&prepared[id], memory_order_acquire);
  while (p != 2) {
    if (p == 0 && atomic_compare_exchange_strong(&prepared[id], &p, 1)) {
      struct row *r = &rows[id];
      ffi_status st =
          r->fixed != 0 ? ffi_prep_cif_var(&cifs[id], FFI_DEFAULT_ABI, r->fixed,
                                           r->nargs, r->ret, r->args)
                        : ffi_prep_cif(&cifs[id], FFI_DEFAULT_ABI, r->nargs,
                                       r->ret, r->args);
      if (st != FFI_OK) {
        static const char msg[] = "unblock: libffi cannot describe a call\n";
        (void)!write(2, msg, sizeof(msg) - 1);
        abort();
      }
      atomic_store_explicit(&prepared[id], 2, memory_order_release);
      break;
    }
    __builtin_ia32_pause();
    p = atomic_load_explicit(&prepared[id], memory_order_acquire);
  }
  return &cifs[id];
}

/* Make the call on this thread. */
static void call(struct job *j)
{
  ub_real_ensure();
  uint64_t old = 0;
  bool mask = is_helper && (rows[j->id].flags & UB_OFF_MASK);
  if (mask)
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &j->mask, &old, UB_SIGSET_BYTES);
  do { /* an EINTR from a kick meant for an earlier job: call again */
    errno = 0;
    ffi_call(cif_of(j->id), FFI_FN(*rows[j->id].fn), &j->ret, j->args);
  } while (is_helper && errno == EINTR && !atomic_load(&j->kicked));
  j->err = errno;
  if (rows[j->id].flags & UB_OFF_HERRNO)
    j->herr = h_errno;
  if (mask)
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, UB_SIGSET_BYTES);
}

/* Take h off the list of all helpers (under the lock). */
static void unlist(struct helper *h)
{
  struct helper **p = &all;
  while (*p != NULL && *p != h)
    p = &(*p)->all;
  if (*p == h)
    *p = h->all;
}

static void fifo_push(struct job *j)
{
  j->next = NULL;
  j->prev = tail;
  if (tail != NULL)
    tail->next = j;
  else
    head = j;
  tail = j;
}

static void fifo_remove(struct job *j)
{
  if (j->prev != NULL)
    j->prev->next = j->next;
  else
    head = j->next;
  if (j->next != NULL)
    j->next->prev = j->prev;
  else
    tail = j->prev;
}

static void futex_wake(atomic_int *w)
{
  syscall(SYS_futex, w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Watch *word for up to ns; whether it became nonzero.  The clock is read
 * every 64 pauses, not at each. */
static bool spin(atomic_int *word, uint64_t ns)
{
  if (atomic_load_explicit(word, memory_order_acquire) != 0)
    return true; /* handed a job already: counts as found */
  if (ns == 0)
    return false;
  uint64_t until = ub_clock_now() + ns;
  for (unsigned i = 1;; i++) {
    if (atomic_load_explicit(word, memory_order_acquire) != 0)
      return true;
    if (i % 64 == 0 && ub_clock_now() >= until)
      return false;
    __builtin_ia32_pause();
  }
}

/* The helper is done with j: tell its caller.  Its last touch of j. */
static void finish(struct job *j)
{
  ub_spin_lock(&lock);
  if (j->spinning) { /* its caller watches `state`: nothing to post */
    atomic_store_explicit(&j->state, DONE, memory_order_release);
    ub_spin_unlock(&lock);
    return;
  }
  struct ub_wait *n = j->notify;
  atomic_store(&j->state, POSTING);
  ub_spin_unlock(&lock);
  ub_loop_post(n, 0);
  atomic_store_explicit(&j->state, DONE, memory_order_release);
}

static void *helper_main(void *arg)
{
  struct helper *h = arg;
  is_helper = true;
  atomic_store(&h->tid, (pid_t)syscall(SYS_gettid));
  struct job *j = h->job;
  for (;;) {
    call(j);
    finish(j);
    ub_spin_lock(&lock);
    j = head;
    if (j != NULL) {
      fifo_remove(j);
      j->helper = h;
      atomic_store(&j->state, RUNNING);
      ub_spin_unlock(&lock);
      continue;
    }
    h->job = NULL;
    atomic_store(&h->wake, 0);
    h->next = idle;
    idle = h;
    ub_spin_unlock(&lock);
    /* Calls often come in runs (a loop of writes): look for the next one
     * for a moment before sleeping, which saves a wake-up per call.  The
     * moment adapts: a look that found nothing halves the next one (down
     * to SPIN_MIN_NS), one that found a job doubles it (up to SPIN_NS), so
     * calls that come far apart (a log line per request) burn little. */
    if (spin(&h->wake, h->spin_ns))
      h->spin_ns =
          h->spin_ns * 2 + 1000 < SPIN_NS ? h->spin_ns * 2 + 1000 : SPIN_NS;
    else
      h->spin_ns = h->spin_ns / 2 > SPIN_MIN_NS ? h->spin_ns / 2 : SPIN_MIN_NS;
    struct timespec ts = {IDLE_NS / UB_NSEC_PER_SEC, 0};
    while (atomic_load(&h->wake) == 0 &&
           syscall(SYS_futex, &h->wake, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0) !=
               0 &&
           errno != ETIMEDOUT)
      ;
    ub_spin_lock(&lock);
    j = h->job;
    if (j == NULL) {
      /* Idle for IDLE_NS: leave, unless a job is being handed over. */
      struct helper **p = &idle;
      while (*p != NULL && *p != h)
        p = &(*p)->next;
      if (*p == h)
        *p = h->next;
      unlist(h);
      helpers--;
      ub_spin_unlock(&lock);
      free(h);
      return NULL;
    }
    ub_spin_unlock(&lock);
  }
}

/* Start a helper for j; false if no thread can be made. */
static bool spawn(struct helper *h)
{
  pthread_attr_t attr;
  sigset_t mask;
  sigfillset(&mask);
  sigdelset(&mask, UB_SIG_KICK);
  /* A write over RLIMIT_FSIZE raises SIGXFSZ on the thread that made it:
   * the helper lets it in, so the program sees it as natively. */
  sigdelset(&mask, SIGXFSZ);
  if (pthread_attr_init(&attr) != 0)
    return false;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, HELPER_STACK);
  pthread_attr_setsigmask_np(&attr, &mask);
  pthread_t t;
  int err = real.pthread_create(&t, &attr, helper_main, h);
  pthread_attr_destroy(&attr);
  return err == 0;
}

/* Hand j to a helper, or queue it.  False: no helper exists or can be
 * made, so the caller makes the call itself. */
static bool submit(struct job *j)
{
  struct helper *fresh = NULL;
  ub_spin_lock(&lock);
  struct helper *h = idle;
  if (h != NULL) {
    idle = h->next;
    h->job = j;
    j->helper = h;
    atomic_store(&j->state, RUNNING);
    atomic_store(&h->wake, 1);
    ub_spin_unlock(&lock);
    futex_wake(&h->wake);
    return true;
  }
  if (helpers < max_helpers) {
    helpers++;
    ub_spin_unlock(&lock);
    fresh = calloc(1, sizeof(*fresh));
    if (fresh != NULL) {
      fresh->spin_ns = SPIN_NS;
      ub_spin_lock(&lock);
      fresh->all = all;
      all = fresh;
      ub_spin_unlock(&lock);
      fresh->job = j;
      j->helper = fresh;
      atomic_store(&j->state, RUNNING);
      ub_sig_kick_reserve();
      if (spawn(fresh))
        return true;
    }
    ub_spin_lock(&lock);
    if (fresh != NULL)
      unlist(fresh); /* its thread never started: freed below */
    helpers--;
  }
  bool any = helpers > 0;
  if (any) {
    atomic_store(&j->state, QUEUED);
    j->helper = NULL;
    fifo_push(j);
  }
  ub_spin_unlock(&lock);
  free(fresh);
  return any;
}

/*
 * A handler or a cancel interrupted the caller.  With kick: withdraw the
 * job if no helper took it yet (returns true), else kick its helper, every
 * KICK_NS, until the call has returned (returns false: the job holds the
 * result).  Without (a cancel of a call that is no cancellation point):
 * just wait for the call to end.  The kick is sent under the pool lock,
 * while the job is still its helper's; `kicked` tells the helper an EINTR
 * is meant for this job (call() retries one that is not).
 */
static bool interrupt(struct job *j, struct ub_sched *s, bool kick)
{
  struct ub_wait w;
  ub_spin_lock(&lock);
  if (kick && atomic_load(&j->state) == QUEUED) {
    fifo_remove(j);
    ub_spin_unlock(&lock);
    return true;
  }
  for (;;) {
    /* Under the lock, so the helper reads notify either before (and
     * posts the old, claimed wait: a no-op) or after. */
    enum job_state st = atomic_load(&j->state);
    if (st != RUNNING && st != QUEUED) {
      ub_spin_unlock(&lock);
      break;
    }
    ub_sched_wait_init(&w);
    ub_loop_arm(&s->loop, &w, -1, 0,
                kick ? ub_clock_after(ub_clock_now(), KICK_NS) : UB_NEVER);
    j->notify = &w;
    if (kick && st == RUNNING && atomic_load(&j->helper->tid) != 0) {
      atomic_store(&j->kicked, 1);
      ub_sig_kick(atomic_load(&j->helper->tid));
    }
    ub_spin_unlock(&lock);
    if (ub_sched_park(&w) != -ETIMEDOUT)
      break; /* posted: the call has returned */
    ub_spin_lock(&lock);
  }
  while (atomic_load_explicit(&j->state, memory_order_acquire) != DONE)
    __builtin_ia32_pause(); /* the helper is inside its post */
  return false;
}

/*
 * A quick call (a write into the page cache) ends before parking and the
 * wake-up that follows would pay off: watch the job for up to SPIN_CALL_NS
 * first.  While `spinning` is set the helper only marks the job DONE; if
 * it is not done by then, `spinning` is cleared under the lock and the
 * helper posts as usual.  Whether the call is done.
 */
static bool wait_briefly(struct job *j)
{
  ub_spin_lock(&lock);
  bool spin = atomic_load(&j->state) == RUNNING;
  j->spinning = spin;
  ub_spin_unlock(&lock);
  if (!spin)
    return false;
  uint64_t until = ub_clock_now() + SPIN_CALL_NS;
  while (atomic_load_explicit(&j->state, memory_order_acquire) != DONE &&
         ub_clock_now() < until)
    __builtin_ia32_pause();
  ub_spin_lock(&lock);
  bool done = atomic_load(&j->state) == DONE;
  j->spinning = false;
  ub_spin_unlock(&lock);
  return done;
}

/* Make the call on the pool, parked; whether the call ran (false: it was
 * withdrawn before it started, interrupted: *why says by what). */
static bool run_parked(struct ub_sched *s, struct job *j, bool quick, int *why)
{
  unsigned flags = rows[j->id].flags;
  struct ub_wait w;
  ub_sched_wait_init(&w);
  ub_loop_arm(&s->loop, &w, -1, 0, UB_NEVER);
  j->notify = &w;
  if (!submit(j)) {
    ub_loop_cancel(&s->loop, &w);
    call(j); /* no helper at all: block here rather than fail */
    return true;
  }
  /* (Not an interruptible call, unless the caller knows this one is
   * quick: a handler that ran meanwhile would have to interrupt it, and
   * it is not parked where a handler can.) */
  if ((quick || !(flags & UB_OFF_INTR)) && wait_briefly(j)) {
    ub_loop_cancel(&s->loop, &w); /* nobody posts it: withdraw it */
    *why = 0;
    return true;
  }
  *why = flags & UB_OFF_INTR ? ub_sched_park_intr(&w) : ub_sched_park(&w);
  if (*why == 0) {
    while (atomic_load_explicit(&j->state, memory_order_acquire) != DONE)
      __builtin_ia32_pause();
    return true;
  }
  /* A handler interrupts it; a cancel, only a cancellation point.  Under
   * valgrind, which mishandles a signal sent to a thread in a system call,
   * nothing does: the call is waited for. */
  bool kick =
      !RUNNING_ON_VALGRIND && (*why == -EINTR || (flags & UB_OFF_CANCEL));
  if (!kick)
    *why = 0;
  return !interrupt(j, s, kick);
}

static uint64_t offload(enum ub_off_id id, void **args, bool quick)
{
  UB_ENTER(s);
  bool intr = rows[id].flags & UB_OFF_INTR;
  struct job j;
  for (;;) {
    j = (struct job){.id = id, .args = args};
    if (s == NULL || is_helper) {
      call(&j);
      break;
    }
    int why = 0;
    bool ran = run_parked(s, &j, quick, &why);
    if (why == -ECANCELED && (!ran || j.err == EINTR))
      ub_cancel_point(); /* cut short: the cancel is acted on */
    /* EINTR from the call itself is our kick: a handler ran. */
    if (ran && !(intr && j.err == EINTR && why != 0))
      break;
    if (why == -EINTR && ub_io_restart())
      continue; /* SA_RESTART: as the kernel restarts it */
    if (!ran) {
      errno = EINTR;
      return (uint64_t)-1;
    }
    break;
  }
  errno = j.err;
  if (rows[id].flags & UB_OFF_HERRNO)
    h_errno = j.herr;
  return j.ret;
}

uint64_t ub_offload(enum ub_off_id id, void **args)
{
  return offload(id, args, false);
}

uint64_t ub_offload_quick(enum ub_off_id id, void **args)
{
  return offload(id, args, true);
}

void ub_offload_after_fork(void)
{
  for (int i = 0; i < UB_OFF_COUNT; i++) {
    int being = 1; /* prepared by a thread the fork left behind: again */
    atomic_compare_exchange_strong(&prepared[i], &being, 0);
  }
  atomic_store(&lock, 0);
  head = tail = NULL;
  idle = NULL;
  while (all != NULL) { /* their threads did not survive the fork */
    struct helper *h = all;
    all = h->all;
    free(h);
  }
  helpers = 0;
}
