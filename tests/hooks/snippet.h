/*
 * snippet.h - what the hook snippets share.
 *
 * Every snippet under tests/hooks/ is a plain program, run once natively and
 * once with libunblock.so preloaded; tests/hooks/run.sh compares exit
 * status, stdout and stderr.  So a snippet prints only what must be the same
 * both ways: return values, errno names, data, and coarse yes/no answers
 * about timing.  Never pointers, pids, thread ids or raw durations.
 *
 * start() makes stdout line-buffered (so a fork never duplicates a pending
 * buffer and lines from different threads never mix) and arms a watchdog: a
 * POSIX timer that sends SIGKILL after UB_WATCHDOG seconds (default 5).  It
 * uses SIGKILL rather than alarm() so that snippets are free to use SIGALRM
 * and setitimer() themselves; timers are not inherited across fork, so a
 * forked child calls start() again.
 *
 * The helpers are static inline so that a snippet that does not use one does
 * not trip -Wunused-function.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <valgrind/valgrind.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* The name of an errno value: "EAGAIN", or "0". */
static inline const char *errname(int e)
{
  static char buf[32];
  const char *s = e == 0 ? "0" : strerrorname_np(e);
  if (s != NULL)
    return s;
  snprintf(buf, sizeof(buf), "E#%d", e);
  return buf;
}

static inline const char *yesno(int b)
{
  return b ? "yes" : "no";
}

/* poll/epoll event bits by name: "POLLIN|POLLHUP", or "0".  (EPOLLIN and
 * friends have the same values as their POLL* counterparts.) */
static inline const char *events_str(unsigned ev)
{
  static char bufs[4][128]; /* several may appear in one printf */
  static int next;
  char *buf = bufs[next++ % 4];
  static const struct {
    unsigned bit;
    const char *name;
  } names[] = {{POLLIN, "IN"},      {POLLPRI, "PRI"}, {POLLOUT, "OUT"},
               {POLLERR, "ERR"},    {POLLHUP, "HUP"}, {POLLNVAL, "NVAL"},
               {POLLRDHUP, "RDHUP"}};
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
    if (ev & names[i].bit) {
      strcat(buf, buf[0] ? "|" : "");
      strcat(buf, names[i].name);
      ev &= ~names[i].bit;
    }
  if (ev != 0)
    snprintf(buf + strlen(buf), sizeof(bufs[0]) - strlen(buf), "%s0x%x",
             buf[0] ? "|" : "", ev);
  return buf[0] ? buf : "0";
}

/* A setup step that is not what the snippet tests: stop loudly if it fails.
 */
#define CHECK(x)                                                               \
  do {                                                                         \
    if (!(x)) {                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s (errno %s)\n", __FILE__,        \
              __LINE__, #x, errname(errno));                                   \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

/* Print "label: r" for a call that returns -1 and sets errno on failure;
 * on failure print "label: -1 ENAME".  errno is left as the call set it. */
static inline long sys_(const char *label, long r)
{
  int e = errno;
  if (r == -1)
    printf("%s: -1 %s\n", label, errname(e));
  else
    printf("%s: %ld\n", label, r);
  errno = e;
  return r;
}
#define SYS(label, expr) sys_(label, (long)(expr))

/* Print "label: an fd" for a call that returns a new fd (whose number is
 * not the point), or "label: -1 ENAME". */
static inline int fd_(const char *label, int r)
{
  int e = errno;
  if (r < 0)
    printf("%s: -1 %s\n", label, errname(e));
  else
    printf("%s: an fd\n", label);
  errno = e;
  return r;
}
#define FD(label, expr) fd_(label, (expr))

/* Print "label: 0" or "label: ENAME" for a call that returns an error number
 * (pthread_*, clock_nanosleep, posix_*). */
static inline int err_(const char *label, int r)
{
  printf("%s: %s\n", label, errname(r));
  return r;
}
#define ERR(label, expr) err_(label, (expr))

/* Milliseconds on CLOCK_MONOTONIC, for coarse timing answers. */
static inline double now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* An absolute time ms milliseconds from now (or ago) on the given clock. */
static inline struct timespec abs_in(clockid_t clock, long ms)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  } else if (ts.tv_nsec < 0) {
    ts.tv_sec--;
    ts.tv_nsec += 1000000000L;
  }
  return ts;
}

static inline void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/*
 * For a snippet whose signal interrupts a call on unblock's helper pool:
 * valgrind 3.19 cannot interrupt a system call of another thread with a
 * signal sent to it (the kick, hooks/offload.c), so under valgrind the
 * snippet skips itself (exit 77; run natively it never does).
 */
static inline void skip_under_valgrind(void)
{
  if (RUNNING_ON_VALGRIND) {
    printf("valgrind cannot interrupt a helper's system call\n");
    exit(77);
  }
}

static inline void start(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *env = getenv("UB_WATCHDOG");
  long secs = env != NULL ? atol(env) : 5;
  struct sigevent sev;
  memset(&sev, 0, sizeof(sev));
  sev.sigev_notify = SIGEV_SIGNAL;
  sev.sigev_signo = SIGKILL;
  timer_t t;
  struct itimerspec its = {{0, 0}, {secs > 0 ? secs : 5, 0}};
  CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
  CHECK(timer_settime(t, 0, &its, NULL) == 0);
}

/* The lowest fd number not in use: what the next new fd must get. */
static inline int lowest_free_fd(void)
{
  int fd = 0;
  while (fcntl(fd, F_GETFD) != -1)
    fd++;
  return fd;
}

/* F_GETFL as names: the access mode, then O_NONBLOCK and O_APPEND if set. */
static inline const char *fl_str(int fd)
{
  static char bufs[4][64];
  static int next;
  char *buf = bufs[next++ % 4];
  int fl = fcntl(fd, F_GETFL);
  if (fl == -1)
    return errname(errno);
  int acc = fl & O_ACCMODE;
  snprintf(buf, sizeof(bufs[0]), "%s%s%s",
           acc == O_RDONLY   ? "O_RDONLY"
           : acc == O_WRONLY ? "O_WRONLY"
                             : "O_RDWR",
           fl & O_NONBLOCK ? "|O_NONBLOCK" : "",
           fl & O_APPEND ? "|O_APPEND" : "");
  return buf;
}

/* pthread_create and pthread_join that must succeed (errno untouched). */
static inline pthread_t spawn(void *(*fn)(void *), void *arg)
{
  pthread_t t;
  int saved = errno, r = pthread_create(&t, NULL, fn, arg);
  errno = r;
  CHECK(r == 0);
  errno = saved;
  return t;
}

static inline void *join(pthread_t t)
{
  void *ret;
  int saved = errno, r = pthread_join(t, &ret);
  errno = r;
  CHECK(r == 0);
  errno = saved;
  return ret;
}

/* A thread that sleeps ms, then writes data to fd (if data is not NULL),
 * then closes fd (if close_after).  The usual other side of a blocking
 * read: started just before the read, so the read really waits. */
struct later {
  int fd;
  const char *data;
  long ms;
  int close_after;
};

static inline void *later_fn(void *p)
{
  struct later *l = p;
  sleep_ms(l->ms);
  if (l->data != NULL)
    CHECK(write(l->fd, l->data, strlen(l->data)) == (ssize_t)strlen(l->data));
  if (l->close_after)
    CHECK(close(l->fd) == 0);
  return NULL;
}

/* A thread that sets a flag after ms.  Started just before a call that
 * waits longer than that (a timeout, a sleep), it tells whether other
 * threads ran during the wait: natively they always do; under the shim
 * only if the call waited on the loop instead of blocking the OS thread
 * every green thread shares. */
struct ticker {
  long ms;
  int done;
  pthread_t t;
};

static inline void *ticker_fn(void *p)
{
  struct ticker *k = p;
  sleep_ms(k->ms);
  __atomic_store_n(&k->done, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static inline void ticker_start(struct ticker *k, long ms)
{
  k->ms = ms;
  k->done = 0;
  k->t = spawn(ticker_fn, k);
}

/* Read the flag, then join the thread. */
static inline int ticker_ran(struct ticker *k)
{
  int done = __atomic_load_n(&k->done, __ATOMIC_SEQ_CST);
  join(k->t);
  return done;
}

/* A thread that holds a lock until told to let go.  hold() starts it and
 * returns once it has the lock; release_after() has it let go ms later
 * (from a helper thread, so the caller can block on the lock meanwhile);
 * release() lets go now if release_after() was not called, then waits for
 * the holder to finish.  take and drop lock and unlock the lock: a mutex, a
 * read or write lock, a spinlock, a semaphore... */
struct holder {
  int (*take)(void *);
  int (*drop)(void *);
  void *lock;
  int go[2], ready[2];
  pthread_t t, helper;
  int has_helper;
  struct later l;
};

static inline void *holder_fn(void *p)
{
  struct holder *h = p;
  char c;
  CHECK(h->take(h->lock) == 0);
  CHECK(write(h->ready[1], "t", 1) == 1);
  CHECK(read(h->go[0], &c, 1) == 1);
  CHECK(h->drop(h->lock) == 0);
  return NULL;
}

static inline void hold(struct holder *h, int (*take)(void *),
                        int (*drop)(void *), void *lock)
{
  char c;
  memset(h, 0, sizeof(*h));
  h->take = take;
  h->drop = drop;
  h->lock = lock;
  CHECK(pipe(h->go) == 0 && pipe(h->ready) == 0);
  h->t = spawn(holder_fn, h);
  CHECK(read(h->ready[0], &c, 1) == 1);
}

static inline void release_after(struct holder *h, long ms)
{
  h->l = (struct later){h->go[1], "g", ms, 0};
  h->helper = spawn(later_fn, &h->l);
  h->has_helper = 1;
}

static inline void release(struct holder *h)
{
  if (h->has_helper)
    join(h->helper);
  else
    CHECK(write(h->go[1], "g", 1) == 1);
  join(h->t);
  CHECK(close(h->go[0]) == 0 && close(h->go[1]) == 0);
  CHECK(close(h->ready[0]) == 0 && close(h->ready[1]) == 0);
}

/* A pipe whose write end is fed by a thread: each piece written after its
 * own delay (ms from the previous piece), then the write end closed.  The
 * read end is returned as a FILE, read with stdio as programs do. */
struct feeder {
  int fd;
  const char *pieces[4];
  long delays[4];
  pthread_t t;
};

static inline void *feeder_fn(void *p)
{
  struct feeder *f = p;
  for (int i = 0; i < 4 && f->pieces[i] != NULL; i++) {
    sleep_ms(f->delays[i]);
    size_t len = strlen(f->pieces[i]);
    CHECK(write(f->fd, f->pieces[i], len) == (ssize_t)len);
  }
  CHECK(close(f->fd) == 0);
  return NULL;
}

static inline FILE *feed(struct feeder *f)
{
  int p[2];
  CHECK(pipe(p) == 0);
  f->fd = p[1];
  FILE *in = fdopen(p[0], "r");
  CHECK(in != NULL);
  f->t = spawn(feeder_fn, f);
  return in;
}

/* A listening TCP socket on 127.0.0.1 and an ephemeral port; *addr gets the
 * address to connect to. */
static inline int listen_local(struct sockaddr_in *addr)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(*addr);
  CHECK(bind(fd, (struct sockaddr *)addr, len) == 0);
  CHECK(listen(fd, 16) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)addr, &len) == 0);
  return fd;
}

static inline int connect_local(const struct sockaddr_in *addr)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  CHECK(connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0);
  return fd;
}

/* A connected pair of TCP sockets over loopback: sv[0] the client side,
 * sv[1] the accepted side.  Both are blocking. */
static inline void tcp_pair(int sv[2])
{
  struct sockaddr_in addr;
  int l = listen_local(&addr);
  sv[0] = connect_local(&addr);
  sv[1] = accept(l, NULL, NULL);
  CHECK(sv[1] >= 0);
  CHECK(close(l) == 0);
}

/* A UDP socket bound to 127.0.0.1 and an ephemeral port. */
static inline int udp_local(struct sockaddr_in *addr)
{
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(*addr);
  CHECK(bind(fd, (struct sockaddr *)addr, len) == 0);
  CHECK(getsockname(fd, (struct sockaddr *)addr, &len) == 0);
  return fd;
}

/* Install handler for sig with the given sa_flags (0: calls it interrupts
 * fail with EINTR; SA_RESTART: they are restarted). */
static inline void on_signal(int sig, void (*handler)(int), int flags)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  CHECK(sigaction(sig, &sa, NULL) == 0);
}

/* SIGALRM once, ms from now (setitimer, so it goes to the main thread as
 * alarm() does). */
static inline void alarm_ms(long ms)
{
  struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
  CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}
