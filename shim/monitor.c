/*
 * monitor.c - the stall monitor (monitor.h).
 *
 * Every quarter of UNBLOCK_STALL_MS (at least 1 ms) it samples each
 * carrier: how many steps its scheduler has made (sched.h: steps) and its
 * lease.  A carrier whose lease has said "this thread runs the program's
 * code" (UB_LEASE_USER, and the same thread) for the whole stall time,
 * without a step, is stuck in a call no hook sees or in computation, and
 * whatever else it carries waits.  If it carries another green thread:
 *   - stuck in the kernel (its thread used under half the CPU time
 *     meanwhile): it is handed to a spare thread, started if none is idle,
 *     at most MAX_SPARES of them (loop/handoff.h);
 *   - busy on the CPU: handed on only when some other carrier sits idle,
 *     so the program never runs on more CPUs than UNBLOCK_WORKERS asks.
 * With UNBLOCK_VERBOSE=1 each stall is reported once per call site: the
 * first return address into the program found above the stuck thread's
 * stack pointer (from /proc/self/task/TID/syscall), else where it last
 * left unblock's code.
 *
 * The monitor is a native thread with every signal blocked.  It sleeps in
 * raw clock_nanosleep, and touches carriers only through their atomics
 * and ub_handoff_steal.
 */
#define _GNU_SOURCE
#include "monitor.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include "clock.h"
#include "handoff.h"
#include "real.h"
#include "sched.h"
#include "sys.h"

#define MAX_SPARES 64
#define SLOTS 64
#define SITES 256
#define THREAD_STACK ((size_t)512 * 1024)

struct watch {
  uint64_t steps;
  uintptr_t lease;
  uint64_t since; /* when this (steps, lease) was first seen */
  uint64_t cpu;   /* the thread's CPU time then */
};

static uint64_t stall_ns;
static bool verbose;
static atomic_int started;
static struct watch watch[SLOTS];
static const void *reported[SITES];

void ub_monitor_setup(const struct ub_config *cfg)
{
  stall_ns = (uint64_t)cfg->stall_ms * 1000000;
  verbose = cfg->verbose;
}

/* CPU time used so far by the thread a lease names (its pthread_t). */
static uint64_t cpu_of(uintptr_t lease)
{
  clockid_t id;
  struct timespec ts;
  if (pthread_getcpuclockid((pthread_t)(lease & ~UB_LEASE_USER), &id) != 0 ||
      clock_gettime(id, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * UB_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Another carrier than s waits in its loop with nothing to run. */
static bool another_idle(const struct ub_sched *s)
{
  for (int i = 0; i < SLOTS; i++) {
    struct ub_sched *o = ub_sched_group_at(i);
    if (o != NULL && o != s && atomic_load(&o->idle))
      return true;
  }
  return false;
}

static void *spare_main(void *arg)
{
  (void)arg;
  struct ub_spare me = {0};
  ub_handoff_serve(&me, UB_SPARE_IDLE_NS);
  return NULL;
}

static pthread_t start_thread(void *(*fn)(void *))
{
  pthread_attr_t attr;
  sigset_t all;
  sigfillset(&all);
  pthread_t t = 0;
  if (pthread_attr_init(&attr) != 0)
    return 0;
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, THREAD_STACK);
  pthread_attr_setsigmask_np(&attr, &all);
  if (real.pthread_create(&t, &attr, fn, NULL) != 0)
    t = 0;
  pthread_attr_destroy(&attr);
  return t;
}

/* An idle spare, or a new one (within MAX_SPARES), or NULL. */
static struct ub_spare *get_spare(void)
{
  struct ub_spare *sp = ub_handoff_spare();
  if (sp != NULL || ub_handoff_spares() >= MAX_SPARES ||
      start_thread(spare_main) == 0)
    return sp;
  for (int i = 0; i < 1000 && sp == NULL; i++) {
    ub_sys_nap(100000); /* until it has started and listed itself */
    sp = ub_handoff_spare();
  }
  return sp;
}

/* Is addr in an executable segment of an object other than libc and us? */
static int exec_of(struct dl_phdr_info *info, size_t size, void *arg)
{
  (void)size;
  uintptr_t *addr = arg;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) || *addr < lo ||
        *addr >= lo + ph->p_memsz)
      continue;
    const char *n = info->dlpi_name;
    return strstr(n, "libc.so") == NULL && strstr(n, "libunblock") == NULL &&
                   strstr(n, "ld-linux") == NULL
               ? 1
               : 2;
  }
  return 0;
}

/* The stuck thread tid's call site: a return address into the program
 * above its stack pointer, as /proc reads it; NULL if none is found (or it
 * is not in a system call).  *nr: the system call. */
static const void *blocked_site(pid_t tid, long *nr)
{
  char path[64], line[512];
  snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  long n = syscall(SYS_read, fd, line, sizeof(line) - 1);
  ub_sys_close(fd);
  if (n <= 0)
    return NULL;
  line[n] = '\0';
  unsigned long v[9];
  if (sscanf(line, "%ld %lx %lx %lx %lx %lx %lx %lx %lx", nr, &v[0], &v[1],
             &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 9)
    return NULL;
  /* The thread may be anywhere by now, and its stack may end within
   * these words: copy them with a call that stops at an unmapped page. */
  uintptr_t words[64];
  struct iovec to = {words, sizeof(words)},
               from = {(void *)v[6], sizeof(words)};
  long got = syscall(SYS_process_vm_readv, getpid(), &to, 1, &from, 1, 0);
  for (long i = 0; got > 0 && i < got / (long)sizeof(words[0]); i++) {
    uintptr_t a = words[i];
    if (dl_iterate_phdr(exec_of, &a) == 1)
      return (const void *)a;
  }
  return NULL;
}

/* "object(function+0xoff)" for addr. */
static void describe(const void *addr, char *out, size_t len)
{
  Dl_info di;
  if (addr == NULL || dladdr(addr, &di) == 0 || di.dli_fname == NULL) {
    snprintf(out, len, "%p", addr);
    return;
  }
  if (di.dli_sname != NULL)
    snprintf(out, len, "%s(%s+0x%lx)", di.dli_fname, di.dli_sname,
             (unsigned long)((uintptr_t)addr - (uintptr_t)di.dli_saddr));
  else
    snprintf(out, len, "%s(+0x%lx)", di.dli_fname,
             (unsigned long)((uintptr_t)addr - (uintptr_t)di.dli_fbase));
}

/* A name for the system calls a program most often blocks in. */
static const char *syscall_name(long nr)
{
  static const struct {
    long nr;
    const char *name;
  } names[] = {
      {SYS_read, "read"},
      {SYS_write, "write"},
      {SYS_pread64, "pread64"},
      {SYS_pwrite64, "pwrite64"},
      {SYS_readv, "readv"},
      {SYS_writev, "writev"},
      {SYS_poll, "poll"},
      {SYS_select, "select"},
      {SYS_ppoll, "ppoll"},
      {SYS_pselect6, "pselect6"},
      {SYS_epoll_wait, "epoll_wait"},
      {SYS_epoll_pwait, "epoll_pwait"},
      {SYS_nanosleep, "nanosleep"},
      {SYS_clock_nanosleep, "clock_nanosleep"},
      {SYS_accept, "accept"},
      {SYS_accept4, "accept4"},
      {SYS_connect, "connect"},
      {SYS_recvfrom, "recvfrom"},
      {SYS_sendto, "sendto"},
      {SYS_recvmsg, "recvmsg"},
      {SYS_sendmsg, "sendmsg"},
      {SYS_wait4, "wait4"},
      {SYS_waitid, "waitid"},
      {SYS_futex, "futex"},
      {SYS_flock, "flock"},
      {SYS_fcntl, "fcntl"},
      {SYS_fsync, "fsync"},
      {SYS_openat, "openat"},
  };
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (names[i].nr == nr)
      return names[i].name;
  return NULL;
}

/* Once per call site: say what stalled where (the stuck thread tid, and
 * where it last left unblock's code), and what was done. */
static void report(int slot, pid_t tid, const void *left_at, bool busy,
                   uint64_t for_ns, bool moved)
{
  long nr = -1;
  const void *site = busy ? NULL : blocked_site(tid, &nr);
  if (site == NULL)
    site = left_at;
  for (int i = 0; i < SITES; i++) {
    if (reported[i] == site)
      return;
    if (reported[i] == NULL) {
      reported[i] = site;
      break;
    }
  }
  char where[512];
  describe(site, where, sizeof(where));
  char what[64];
  const char *name = syscall_name(nr);
  if (busy)
    snprintf(what, sizeof(what), "busy on the CPU");
  else if (name != NULL)
    snprintf(what, sizeof(what), "blocked in %s", name);
  else
    snprintf(what, sizeof(what), "blocked in system call %ld", nr);
  fprintf(stderr,
          "unblock: stall: carrier %d %s for %llu ms, no hook in sight, at "
          "%s; %s\n",
          slot, what, (unsigned long long)(for_ns / 1000000), where,
          moved ? "its other green threads go on on another thread"
                : "its other green threads wait (no idle CPU to give them)");
}

static void check(int slot, struct ub_sched *s, uint64_t now)
{
  struct watch *w = &watch[slot];
  uint64_t steps = atomic_load(&s->steps);
  uintptr_t lease = atomic_load(&s->lease);
  if (!(lease & UB_LEASE_USER) || steps != w->steps || lease != w->lease) {
    *w = (struct watch){steps, lease, now, cpu_of(lease)};
    return;
  }
  if (now - w->since < stall_ns || atomic_load(&s->load) < 2)
    return; /* not stuck yet, or nothing else waits on it */
  uint64_t cpu = cpu_of(lease);
  bool busy = cpu - w->cpu > (now - w->since) / 2;
  bool moved = false;
  pid_t tid = atomic_load(&s->tid); /* before a steal makes it the spare's */
  const void *left_at = s->user_site;
  if (!busy || another_idle(s)) {
    struct ub_spare *sp = get_spare();
    if (sp != NULL) {
      moved = ub_handoff_steal(s, lease, sp);
      if (!moved)
        ub_handoff_unused(sp);
    }
  }
  if (verbose && (moved || busy))
    report(slot, tid, left_at, busy, now - w->since, moved);
  *w = (struct watch){steps, moved ? 0 : lease, now, cpu};
}

static void *monitor_main(void *arg)
{
  (void)arg;
  uint64_t period = stall_ns / 4 > 1000000 ? stall_ns / 4 : 1000000;
  for (;;) {
    ub_sys_nap(period);
    uint64_t now = ub_clock_now();
    for (int i = 0; i < SLOTS; i++) {
      struct ub_sched *s = ub_sched_group_at(i);
      if (s != NULL)
        check(i, s, now);
    }
  }
  return NULL;
}

void ub_monitor_start(void)
{
  if (stall_ns == 0 || atomic_exchange(&started, 1) != 0)
    return;
  if (start_thread(monitor_main) == 0 && verbose)
    fprintf(stderr, "unblock: the stall monitor could not start; stuck "
                    "carriers will not be handed off\n");
}

void ub_monitor_after_fork(void)
{
  atomic_store(&started, 0);
  memset(watch, 0, sizeof(watch));
}
