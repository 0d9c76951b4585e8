/*
 * prof.c - what a hooked call that waited tells the profile: which hook,
 * called from where, on what fd, for how long (shim/profile.h keeps the
 * counts).
 *
 * Green mode: the scheduler adds up the time a green thread spends parked
 * (ub_sched_clock_parks); the outermost hook of a call records it as it
 * returns (hook.h: ub_hook_leave).  A call that never parked costs one
 * load.
 *
 * Observe mode (UNBLOCK_MODE=observe): no carrier, no green thread; every
 * hook passes straight through to libc, and one that can wait ("how it
 * waits" in hooks.def is not "-") is timed around the real call.  It
 * counts as having blocked if the thread gave up the CPU during it: the
 * kernel's count of voluntary context switches (getrusage RUSAGE_THREAD)
 * moved.  That is an off-CPU profile of the blocking calls, without root
 * or BPF, at the price of two getrusage calls per call that can wait.
 *
 * The fd: what it is, for the report ("TCP 127.0.0.1:8080 <- 127.0.0.1").
 * A connection is described from the server's side (its local address,
 * and only the peer's host) when its local port is one this process
 * accepted on, else from the client's (the peer's address): so each
 * aggregates over its many short-lived peers.  In green mode a
 * description is kept per fd (fdtab's generation says when the number
 * names a new file); in observe mode, where no hook keeps track of fds,
 * it is made afresh for each call that blocked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "fdtab.h"
#include "hook.h"
#include "sys.h"

/* ---- local ports this process accepts on ----------------------------- */

static _Atomic uint32_t listen_ports[64]; /* port + 1; 0: free */

static uint16_t port_of(const struct sockaddr_storage *a)
{
  if (a->ss_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)a)->sin_port);
  if (a->ss_family == AF_INET6)
    return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
  return 0;
}

static bool accepts_on(uint16_t port)
{
  for (size_t i = 0; i < 64; i++) {
    uint32_t p = atomic_load_explicit(&listen_ports[i], memory_order_relaxed);
    if (p == 0)
      return false;
    if (p == (uint32_t)port + 1)
      return true;
  }
  return false;
}

static void note_port(const struct sockaddr_storage *a)
{
  uint32_t want = (uint32_t)port_of(a) + 1;
  for (size_t i = 0; want > 1 && i < 64; i++) {
    uint32_t p = 0;
    if (atomic_compare_exchange_strong(&listen_ports[i], &p, want) || p == want)
      return;
  }
}

static uint32_t fd_id_cached(int fd);

/* Green mode describes the listening fd once (describe_inet notes its
 * port); observe mode keeps no per-fd state, and asks each time. */
void ub_prof_listener(int fd)
{
  if (!ub_observing) {
    fd_id_cached(fd);
    return;
  }
  struct sockaddr_storage a;
  socklen_t len = sizeof(a);
  if (syscall(SYS_getsockname, fd, &a, &len) == 0)
    note_port(&a);
}

/* ---- describing an fd ------------------------------------------------- */

/* "127.0.0.1:8080", "[::1]:8080", or with port false just the host. */
static void put_addr(char *buf, size_t len, const struct sockaddr_storage *a,
                     bool port)
{
  char host[INET6_ADDRSTRLEN] = "?";
  const void *raw =
      a->ss_family == AF_INET
          ? (const void *)&((const struct sockaddr_in *)a)->sin_addr
          : (const void *)&((const struct sockaddr_in6 *)a)->sin6_addr;
  inet_ntop(a->ss_family, raw, host, sizeof(host));
  bool six = a->ss_family == AF_INET6;
  if (port)
    snprintf(buf, len, "%s%s%s:%u", six ? "[" : "", host, six ? "]" : "",
             port_of(a));
  else
    snprintf(buf, len, "%s", host);
}

static void describe_unix(int fd, char *buf, size_t len)
{
  struct sockaddr_un a;
  for (int peer = 0; peer < 2; peer++) {
    socklen_t alen = sizeof(a);
    memset(&a, 0, sizeof(a));
    long r = syscall(peer ? SYS_getpeername : SYS_getsockname, fd, &a, &alen);
    size_t plen = alen > offsetof(struct sockaddr_un, sun_path)
                      ? alen - offsetof(struct sockaddr_un, sun_path)
                      : 0;
    if (r != 0 || plen == 0)
      continue;
    if (a.sun_path[0] == '\0') /* abstract: "@name" */
      snprintf(buf, len, "UNIX @%.*s", (int)plen - 1, a.sun_path + 1);
    else
      snprintf(buf, len, "UNIX %.*s", (int)strnlen(a.sun_path, plen),
               a.sun_path);
    return;
  }
  snprintf(buf, len, "UNIX");
}

static void describe_inet(int fd, int type, char *buf, size_t len)
{
  const char *proto = type == SOCK_STREAM  ? "TCP"
                      : type == SOCK_DGRAM ? "UDP"
                                           : "IP";
  struct sockaddr_storage local = {0}, peer;
  socklen_t llen = sizeof(local), plen = sizeof(peer);
  char l[64] = "?", p[64];
  if (syscall(SYS_getsockname, fd, &local, &llen) == 0)
    put_addr(l, sizeof(l), &local, true);
  if (syscall(SYS_getpeername, fd, &peer, &plen) != 0) {
    int listening = 0;
    socklen_t ilen = sizeof(listening);
    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen);
    if (listening)
      note_port(&local);
    snprintf(buf, len, "%s %s%s", proto, listening ? "listen " : "", l);
  } else if (accepts_on(port_of(&local))) {
    put_addr(p, sizeof(p), &peer, false);
    snprintf(buf, len, "%s %s <- %s", proto, l, p);
  } else {
    put_addr(p, sizeof(p), &peer, true);
    snprintf(buf, len, "%s -> %s", proto, p);
  }
}

void ub_prof_describe(int fd, char *buf, size_t len)
{
  struct stat st;
  if (fd < 0 || syscall(SYS_fstat, fd, &st) != 0) {
    snprintf(buf, len, "-");
    return;
  }
  const char *what = "other";
  switch (st.st_mode & S_IFMT) {
  case S_IFSOCK: {
    int domain = -1, type = -1;
    socklen_t ilen = sizeof(int);
    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_DOMAIN, &domain, &ilen);
    ilen = sizeof(int);
    syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &type, &ilen);
    if (domain == AF_UNIX)
      describe_unix(fd, buf, len);
    else if (domain == AF_INET || domain == AF_INET6)
      describe_inet(fd, type, buf, len);
    else
      snprintf(buf, len, "socket");
    return;
  }
  case S_IFIFO: {
    char path[32], link[16] = "";
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    syscall(SYS_readlink, path, link, sizeof(link) - 1);
    what = strncmp(link, "pipe:", 5) == 0 ? "pipe" : "FIFO";
    break;
  }
  case S_IFREG: what = "file"; break;
  case S_IFBLK: what = "device"; break;
  case S_IFCHR: {
    struct termios t;
    what = syscall(SYS_ioctl, fd, TCGETS, &t) == 0 ? "tty" : "device";
    break;
  }
  }
  snprintf(buf, len, "%s", what);
}

static uint32_t fd_id(int fd)
{
  char text[160];
  ub_prof_describe(fd, text, sizeof(text));
  return ub_prof_fd(text);
}

/* Green mode: the description, kept per fd until the number names a new
 * file. */
static uint32_t fd_id_cached(int fd)
{
  struct ub_fdinfo *fi = fd >= 0 ? ub_fd_info(fd) : NULL;
  if (fi == NULL)
    return fd_id(fd);
  uint32_t gen = atomic_load_explicit(&fi->gen, memory_order_relaxed) + 1;
  if (fi->prof_gen != gen) {
    fi->prof_fd = fd_id(fd);
    fi->prof_gen = gen;
  }
  return fi->prof_fd;
}

/* ---- recording -------------------------------------------------------- */

__attribute__((noinline)) void ub_prof_green(struct ub_hook_call *call,
                                             const void *site)
{
  struct ub_coro *c = call->sched->current;
  if (c->depth != 1 || !ub_prof_on)
    return; /* a nested hook: the outermost records the call */
  uint64_t ns = c->parked_ns;
  c->parked_ns = 0;
  int saved = errno;
  uintptr_t top = (uintptr_t)c->stack.lo + c->stack.size;
  uintptr_t here = (uintptr_t)__builtin_frame_address(0);
  int h = ub_prof_hook(call->fn);
  ub_prof_record(h, fd_id_cached(call->fd), ub_prof_stack(site, top - here),
                 ns);
  errno = saved;
}

/* Observe mode: how deep this thread is in hooks (the outermost times the
 * call), and the top of its stack. */
static __thread unsigned obs_depth __attribute__((tls_model("initial-exec")));
static __thread uintptr_t obs_top __attribute__((tls_model("initial-exec")));

extern void *__libc_stack_end;

static uintptr_t stack_top(void)
{
  if (obs_top != 0)
    return obs_top;
  pthread_attr_t a;
  void *lo;
  size_t size;
  if (syscall(SYS_gettid) == syscall(SYS_getpid)) {
    obs_top = (uintptr_t)__libc_stack_end;
  } else if (real.pthread_getattr_np(pthread_self(), &a) == 0) {
    if (pthread_attr_getstack(&a, &lo, &size) == 0)
      obs_top = (uintptr_t)lo + size;
    pthread_attr_destroy(&a);
  }
  return obs_top;
}

static long voluntary_switches(void)
{
  struct rusage ru;
  if (syscall(SYS_getrusage, RUSAGE_THREAD, &ru) != 0)
    return -1;
  return ru.ru_nvcsw;
}

void ub_observe_begin(struct ub_hook_call *call)
{
  if (obs_depth++ != 0 || !ub_prof_on)
    return;
  int h = ub_prof_hook(call->fn);
  const char *kind = ub_prof_hook_kind(h);
  if (kind == NULL)
    return;
  int saved = errno;
  call->csw = voluntary_switches();
  call->t0 = ub_clock_now();
  errno = saved;
}

__attribute__((noinline)) void ub_observe_end(struct ub_hook_call *call,
                                              const void *site)
{
  obs_depth--;
  if (call->t0 == 0)
    return;
  int saved = errno;
  uint64_t ns = ub_clock_now() - call->t0;
  if (voluntary_switches() != call->csw) {
    uintptr_t top = stack_top();
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    ub_prof_record(ub_prof_hook(call->fn), fd_id(call->fd),
                   ub_prof_stack(site, top != 0 ? top - here : 0), ns);
  }
  errno = saved;
}
