/*
 * control.c - answering for a running program (control.h).
 *
 * One native thread with every signal blocked, started with the program's
 * second thread (as the stall monitor is: a program that never makes one
 * costs nothing), or at once when UNBLOCK_DUMP_SIGNAL asks for it, waits
 * in poll() on two fds:
 *   - an eventfd that the UNBLOCK_DUMP_SIGNAL handler writes to: the
 *     dump then goes to stderr, as Go's SIGQUIT dump does;
 *   - the control socket, a UNIX stream socket at
 *     $XDG_RUNTIME_DIR/unblock/PID.sock (else /tmp/unblock-UID/PID.sock).
 *     The directory must be ours and 0700, the socket is 0600, and a
 *     client whose uid (SO_PEERCRED) is neither ours nor root is turned
 *     away.  A client sends one line, "ps" or "profile", and reads the
 *     answer until the socket closes.
 * Its fds are moved to the top of the fd range (ub_hidefd), as the
 * runtime's other fds are; an fd it accepts holds the lowest free number
 * for the instant before it is moved (docs/limits.md).
 *
 * The dump asks each carrier in turn for its part (ub_sched_call, which
 * the carrier answers between two ticks of its loop: dump.c), as pcs;
 * this thread names them (dladdr), outside the carriers, since dladdr
 * takes the dynamic linker's lock.  A carrier that does not answer
 * within CARRIER_WAIT is running the program's code without returning to
 * unblock; the dump says so and goes on.
 *
 * The socket file is removed at exit.  A process that ends otherwise
 * (_exit, a signal, an exec) leaves it behind: the next process here
 * removes those of pids that are gone and that nobody answers on, a new
 * process with the same pid replaces it, and `unblock ps` removes one
 * nobody answers on.
 */
#define _GNU_SOURCE
#include "control.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <execinfo.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dump.h"
#include "hidefd.h"
#include "profile.h"
#include "real.h"
#include "sched.h"
#include "signal.h"
#include "sys.h"

#define CARRIER_WAIT_NS (1000 * 1000 * 1000ull)
#define THREAD_STACK ((size_t)256 * 1024)

static struct ub_config cfg;
static int wake_fd = -1; /* the dump signal rings it */
static dev_t wake_dev;   /* and checks first that it still is ours */
static ino_t wake_ino;
static atomic_int started;
static int listen_fd = -1; /* the control socket */
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static pid_t sock_pid; /* the process that made sock_path */
static uid_t owner;

/* ---- the dump ------------------------------------------------------ */

/* The frame lines of in ("    #N 0xPC"), with dladdr's name for each pc
 * added (only exported symbols have one: `unblock ps` does better from
 * the debug info), appended to out. */
static void name_frames(const struct ub_text *in, struct ub_text *out)
{
  for (size_t at = 0; at < in->len;) {
    const char *l = in->buf + at;
    const char *nl = memchr(l, '\n', in->len - at);
    size_t len = nl != NULL ? (size_t)(nl - l) : in->len - at;
    unsigned long pc;
    int n, end = 0;
    Dl_info i;
    if (sscanf(l, "    #%d 0x%lx%n", &n, &pc, &end) == 2 &&
        (size_t)end == len && dladdr((void *)(pc - 1), &i) != 0 &&
        i.dli_fname != NULL) {
      if (i.dli_sname != NULL)
        ub_text_printf(out, "%.*s %s+0x%lx (%s)\n", (int)len, l, i.dli_sname,
                       pc - (unsigned long)i.dli_saddr, i.dli_fname);
      else
        ub_text_printf(out, "%.*s (%s+0x%lx)\n", (int)len, l, i.dli_fname,
                       pc - (unsigned long)i.dli_fbase);
    } else {
      ub_text_printf(out, "%.*s\n", (int)len, l);
    }
    at += len + 1;
  }
}

/* Carrier s's part of the dump, appended to t. */
static void ask(struct ub_sched *s, struct ub_text *t)
{
  struct ub_text part = {0};
  struct ub_sched_call r = {.fn = ub_dump_carrier, .arg = &part};
  if (!ub_sched_call(s, &r))
    return; /* only this thread calls: cannot happen */
  uint64_t until = ub_clock_now() + CARRIER_WAIT_NS;
  while (atomic_load_explicit(&r.done, memory_order_acquire) == 0) {
    if (ub_clock_now() >= until && ub_sched_uncall(s, &r)) {
      ub_text_printf(t,
                     "carrier %d (tid %d): did not answer within 1 s: a "
                     "green thread is running the program's code and has "
                     "not called unblock meanwhile (a busy loop, or a call "
                     "it does not hook); its threads cannot be listed\n",
                     s->index, (int)atomic_load(&s->tid));
      return;
    }
    ub_sys_nap(200 * 1000);
  }
  t->short_of_memory |= part.short_of_memory;
  name_frames(&part, t);
  ub_text_free(&part);
}

static void dump(struct ub_text *t)
{
  /* backtrace() sets up libgcc's unwinder on first use, with malloc:
   * here, once, not in a carrier's dump, nor before anyone asks for one.
   * (libgcc_s itself is loaded with us, so no fd is opened: see the
   * Makefile.) */
  static bool warm;
  if (!warm) {
    void *pc[2];
    backtrace(pc, 2);
    warm = true;
  }
  char exe[256] = "?";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  exe[n > 0 ? n : 1] = '\0';
  ub_text_printf(t, "unblock: green threads of process %d (%s), %d carrier%s\n",
                 (int)getpid(), exe, ub_sched_group_size(),
                 ub_sched_group_size() == 1 ? "" : "s");
  for (int i = 0; i < 64; i++) {
    struct ub_sched *s = ub_sched_group_at(i);
    if (s != NULL)
      ask(s, t);
  }
}

/* All of p to fd (a socket: without SIGPIPE), or as much as it takes. */
static void write_all(int fd, const char *p, size_t n, bool sock)
{
  while (n > 0) {
    ssize_t w = sock ? syscall(SYS_sendto, fd, p, n, MSG_NOSIGNAL, NULL, 0)
                     : syscall(SYS_write, fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return;
    p += w;
    n -= (size_t)w;
  }
}

static void send_text(int fd, const struct ub_text *t, bool sock)
{
  static const char cut[] = "unblock: out of memory: the dump is cut short\n";
  if (t->buf != NULL)
    write_all(fd, t->buf, t->len, sock);
  if (t->short_of_memory)
    write_all(fd, cut, sizeof(cut) - 1, sock);
}

/* ---- the socket ---------------------------------------------------- */

/* One client: its command, and the answer. */
static void serve(int fd)
{
  struct ucred cred;
  socklen_t clen = sizeof(cred);
  struct ub_text t = {0};
  if (syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
      (cred.uid != owner && cred.uid != 0)) {
    write_all(fd, "unblock: not yours to ask\n", 26, true);
    return;
  }
  struct timeval tv = {2, 0}; /* a client that stalls is dropped */
  syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  tv.tv_sec = 10;
  syscall(SYS_setsockopt, fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  char cmd[32], path[4096];
  size_t got = 0;
  while (got < sizeof(cmd) - 1 && memchr(cmd, '\n', got) == NULL) {
    ssize_t r = syscall(SYS_read, fd, cmd + got, sizeof(cmd) - 1 - got);
    if (r <= 0)
      break;
    got += (size_t)r;
  }
  cmd[got] = '\0';
  cmd[strcspn(cmd, "\r\n")] = '\0';
  if (strcmp(cmd, "ps") == 0) {
    dump(&t);
  } else if (strcmp(cmd, "profile") == 0) {
    if (!ub_prof_on)
      ub_text_printf(&t,
                     "unblock: process %d records no profile: start it "
                     "with UNBLOCK_PROFILE=FILE (or unblock --profile)\n",
                     (int)getpid());
    else if (ub_prof_write() == 0)
      ub_text_printf(&t, "ok %s\n",
                     ub_prof_path(path, sizeof(path)) == 0 ? path
                                                           : cfg.profile);
    else
      ub_text_printf(&t, "unblock: process %d could not write its profile\n",
                     (int)getpid());
  } else {
    ub_text_printf(&t,
                   "unblock: unknown command '%s'; expected ps or "
                   "profile\n",
                   cmd);
  }
  send_text(fd, &t, true);
  ub_text_free(&t);
}

/* Our directory, made if need be: a directory we own that nobody else
 * may enter.  NULL, or what is wrong with it. */
static const char *own_dir(const char *dir, char *why, size_t len)
{
  struct stat st;
  if (mkdir(dir, 0700) != 0 && errno != EEXIST)
    snprintf(why, len, "cannot be made: %s", strerror(errno));
  else if (lstat(dir, &st) != 0)
    snprintf(why, len, "%s", strerror(errno));
  else if (!S_ISDIR(st.st_mode))
    snprintf(why, len, "is not a directory");
  else if (st.st_uid != owner)
    snprintf(why, len, "belongs to uid %u, not %u", (unsigned)st.st_uid,
             (unsigned)owner);
  else if ((st.st_mode & 077) != 0)
    snprintf(why, len, "has mode %03o, not 700", (unsigned)st.st_mode & 0777);
  else
    return NULL;
  return why;
}

/* Connect to the socket at path, and hang up: 0 if somebody listens,
 * -ECONNREFUSED if nobody does, or another -errno. */
static int probe(const char *path)
{
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
  int fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  int r = syscall(SYS_connect, fd, (struct sockaddr *)&a, sizeof(a)) == 0
              ? 0
              : -errno;
  syscall(SYS_close, fd);
  return r;
}

/* Remove the sockets of processes that are gone: those that ended with
 * _exit(), a signal or an exec, without removing theirs.  A pid that
 * looks gone may be one of another pid namespace sharing the directory:
 * only a socket nobody answers on is removed. */
static void sweep(const char *dir)
{
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  char path[sizeof(sock_path)];
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    int pid, end = 0;
    if (sscanf(e->d_name, "%d.sock%n", &pid, &end) == 1 &&
        e->d_name[end] == '\0' && end > 0 && pid > 0 &&
        syscall(SYS_kill, pid, 0) != 0 && errno == ESRCH &&
        (size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) <
            sizeof(path) &&
        probe(path) == -ECONNREFUSED)
      unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
}

static int open_socket(void)
{
  char dir[128], why[96];
  const char *rt = getenv("XDG_RUNTIME_DIR");
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (ub_config_control_dir(dir, sizeof(dir), rt, owner) != 0 ||
      ub_config_control_path(a.sun_path, sizeof(a.sun_path), rt, owner,
                             getpid()) != 0)
    return -ENAMETOOLONG;
  /* The program's stderr is its own: unblock ps explains a missing
   * socket, and UNBLOCK_VERBOSE=1 says why here. */
  if (own_dir(dir, why, sizeof(why)) != NULL) {
    if (cfg.verbose)
      fprintf(stderr,
              "unblock: %s %s: no control socket, so unblock ps cannot "
              "reach this process\n",
              dir, why);
    return -EPERM;
  }
  sweep(dir);
  if (probe(a.sun_path) == 0)
    return -EADDRINUSE; /* our pid, in another pid namespace: not ours */
  int fd = (int)syscall(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  unlink(a.sun_path); /* a stale one, of a process that had this pid */
  if (syscall(SYS_bind, fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      chmod(a.sun_path, 0600) != 0 || syscall(SYS_listen, fd, 8) != 0) {
    int err = -errno;
    syscall(SYS_close, fd);
    return err;
  }
  memcpy(sock_path, a.sun_path, sizeof(sock_path));
  sock_pid = getpid();
  listen_fd = ub_hidefd(fd);
  return 0;
}

static void remove_socket(void)
{
  if (sock_path[0] != '\0' && sock_pid == getpid())
    unlink(sock_path);
}

/* ---- the thread ---------------------------------------------------- */

static void forget(int *fd)
{
  if (*fd >= 0) {
    ub_unhidefd(*fd);
    syscall(SYS_close, *fd);
    *fd = -1;
  }
}

static void *control_main(void *arg)
{
  (void)arg;
  struct pollfd p[2] = {{wake_fd, POLLIN, 0}, {listen_fd, POLLIN, 0}};
  while (p[0].fd >= 0 || p[1].fd >= 0) {
    if (syscall(SYS_poll, p, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      return NULL;
    }
    for (int i = 0; i < 2; i++)
      if (p[i].revents & (POLLNVAL | POLLERR))
        p[i].fd = -1; /* the program closed it: never spin on it */
    if (p[0].revents & POLLIN) {
      uint64_t n;
      (void)!syscall(SYS_read, p[0].fd, &n, sizeof(n));
      struct ub_text t = {0};
      dump(&t);
      send_text(2, &t, false);
      ub_text_free(&t);
    }
    if (p[1].revents & POLLIN) {
      int fd = (int)syscall(SYS_accept4, p[1].fd, NULL, NULL, SOCK_CLOEXEC);
      if (fd >= 0) {
        /* Out of the program's way at once: it may be opening fds. */
        fd = ub_hidefd(fd);
        serve(fd);
        /* The end of the answer, even for a copy a fork made meanwhile. */
        syscall(SYS_shutdown, fd, SHUT_RDWR);
        forget(&fd);
      }
    }
  }
  return NULL;
}

/* Async-signal-safe.  The program may have closed every fd it does not
 * know, and reused the number: write only to our eventfd. */
static void on_dump_signal(int sig)
{
  (void)sig;
  int saved = errno;
  uint64_t one = 1;
  struct stat st;
  if (syscall(SYS_fstat, wake_fd, &st) == 0 && st.st_dev == wake_dev &&
      st.st_ino == wake_ino)
    (void)!syscall(SYS_write, wake_fd, &one, sizeof(one));
  errno = saved;
}

static int open_wake(void)
{
  int fd = (int)syscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct stat st;
  if (fd < 0 || syscall(SYS_fstat, fd, &st) != 0) {
    fprintf(stderr, "unblock: UNBLOCK_DUMP_SIGNAL: no eventfd (%s)\n",
            strerror(errno));
    if (fd >= 0)
      syscall(SYS_close, fd);
    return -1;
  }
  int old = wake_fd;
  wake_fd = ub_hidefd(fd);
  wake_dev = st.st_dev;
  wake_ino = st.st_ino;
  forget(&old); /* after a fork: the parent's, now that ours is in place */
  return 0;
}

static void start(void)
{
  if (atomic_exchange(&started, 1) != 0)
    return;
  if (cfg.control && open_socket() != 0)
    listen_fd = -1;
  if (wake_fd < 0 && listen_fd < 0)
    return;
  pthread_attr_t attr;
  sigset_t all;
  sigfillset(&all);
  pthread_t t;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, THREAD_STACK);
  pthread_attr_setsigmask_np(&attr, &all);
  if (real.pthread_create(&t, &attr, control_main, NULL) != 0)
    fprintf(stderr, "unblock: the control thread could not start: neither "
                    "unblock ps nor the dump signal will answer\n");
  pthread_attr_destroy(&attr);
}

__attribute__((destructor)) static void at_exit(void)
{
  remove_socket();
}

void ub_control_setup(const struct ub_config *c)
{
  cfg = *c;
  owner = geteuid();
  ub_dump_setup();
  if (c->dump_signal != 0 && open_wake() == 0) {
    ub_sig_reserve(c->dump_signal, on_dump_signal);
    start(); /* asked for: a single-threaded program gets dumps too */
  }
}

void ub_control_start(void)
{
  if (atomic_load_explicit(&started, memory_order_relaxed) == 0)
    start();
}

void ub_control_after_fork(void)
{
  /* The parent's fds are the parent's: its dump signal rings its own
   * eventfd, and its socket answers for it.  The child starts its own as
   * the parent did. */
  forget(&listen_fd);
  sock_path[0] = '\0';
  atomic_store(&started, 0);
  if (wake_fd >= 0 && open_wake() == 0)
    start();
}
