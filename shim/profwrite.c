/*
 * profwrite.c - the profile's file: opened at start, written at exit, on
 * UNBLOCK_PROFILE_SIGNAL, and on a signal that ends the process by
 * default (hooks/signal.c), in the format docs/profiling.md describes.
 *
 * Opened at start: the directory and the file itself, both kept open (at
 * hidden fd numbers, loop/hidefd.h), so a program that changes directory
 * or drops privileges later still gets its profile.  The name is opened
 * with O_NOFOLLOW and must be a regular file of our own with one link: a
 * symbolic link or hard link planted in a shared directory is refused,
 * never written through.
 *
 * Written atomically: into a new file beside it (O_EXCL, mode 0600), then
 * renamed over the name.  A reader sees the old profile or the new one,
 * whole; rename replaces a symbolic link planted since start instead of
 * following it.  If the directory no longer lets us create a file (a
 * privilege drop), the file opened at start is rewritten in place: the
 * profile's `end` record comes last, so `unblock report` refuses a file
 * caught half-written rather than misreading it.
 *
 * Everything here that runs after setup is async-signal-safe: system
 * calls through syscall() (our own hooks must not see them), a static
 * buffer guarded by a flag, and number formatting by hand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "hidefd.h"
#include "profile_tab.h"
#include "sys.h"

static int dir_fd = -1, file_fd = -1;
static char base[NAME_MAX + 1];
static char pattern[PATH_MAX]; /* UNBLOCK_PROFILE as given, for a fork */
static uint64_t start_ns;      /* monotonic */
static struct timespec start_wall;
static atomic_flag writing = ATOMIC_FLAG_INIT;

/* ---- a buffered writer that needs no libc ----------------------------- */

struct out {
  int fd;
  bool in_place; /* pwrite from `off`: the file opened at start */
  int err;
  off_t off;
  size_t n;
  char buf[16384];
};

static struct out out;

static void flush(struct out *o)
{
  size_t done = 0;
  while (done < o->n && o->err == 0) {
    long r = o->in_place ? syscall(SYS_pwrite64, o->fd, o->buf + done,
                                   o->n - done, o->off)
                         : ub_sys_write(o->fd, o->buf + done, o->n - done);
    if (r > 0) {
      done += (size_t)r;
      o->off += r;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      o->err = r < 0 ? errno : EIO;
    }
  }
  o->n = 0;
}

static void put(struct out *o, const char *s, size_t len)
{
  while (len > 0) {
    if (o->n == sizeof(o->buf))
      flush(o);
    size_t k = sizeof(o->buf) - o->n < len ? sizeof(o->buf) - o->n : len;
    memcpy(o->buf + o->n, s, k);
    o->n += k;
    s += k;
    len -= k;
  }
}

static void put_s(struct out *o, const char *s)
{
  put(o, s, strlen(s));
}

/* s with TABs and newlines turned into spaces: one field. */
static void put_field(struct out *o, const char *s, size_t len)
{
  for (size_t i = 0; i < len; i++) {
    char c = s[i] == '\t' || s[i] == '\n' || s[i] == '\0' ? ' ' : s[i];
    put(o, &c, 1);
  }
}

static void put_u(struct out *o, uint64_t v)
{
  char d[24];
  int i = sizeof(d);
  do
    d[--i] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  put(o, d + i, sizeof(d) - (size_t)i);
}

static void put_x(struct out *o, uint64_t v)
{
  char d[20];
  int i = sizeof(d);
  do
    d[--i] = "0123456789abcdef"[v & 15];
  while ((v >>= 4) != 0);
  d[--i] = 'x';
  d[--i] = '0';
  put(o, d + i, sizeof(d) - (size_t)i);
}

/* Seconds with six decimals. */
static void put_time(struct out *o, const struct timespec *t)
{
  put_u(o, (uint64_t)t->tv_sec);
  put(o, ".", 1);
  char d[6];
  long us = t->tv_nsec / 1000;
  for (int i = 5; i >= 0; i--, us /= 10)
    d[i] = (char)('0' + us % 10);
  put(o, d, 6);
}

/* ---- the records ------------------------------------------------------ */

/* The whole of a small /proc file into buf; its length, or 0. */
static size_t slurp(const char *path, char *buf, size_t len)
{
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  size_t n = 0;
  long r;
  while (n < len && (r = ub_sys_read(fd, buf + n, len - n)) > 0)
    n += (size_t)r;
  ub_sys_close(fd);
  return n;
}

static void put_header(struct out *o)
{
  char buf[4096];
  put_s(o, "unblock-profile\t1\npid\t");
  put_u(o, (uint64_t)syscall(SYS_getpid));
  put_s(o, ub_observing ? "\nmode\tobserve\nexe\t" : "\nmode\tgreen\nexe\t");
  long n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof(buf));
  put_field(o, buf, n > 0 ? (size_t)n : 0);
  put_s(o, "\ncmdline\t");
  size_t len = slurp("/proc/self/cmdline", buf, sizeof(buf));
  put_field(o, buf, len > 0 && buf[len - 1] == '\0' ? len - 1 : len);
  struct timespec now;
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &now);
  put_s(o, "\nstarted\t");
  put_time(o, &start_wall);
  put_s(o, "\nwritten\t");
  put_time(o, &now);
  put_s(o, "\nelapsed_ns\t");
  put_u(o, ub_clock_now() - start_ns);
  put_s(o, "\nhistogram\tlog2us\t");
  put_u(o, UB_PROF_BUCKETS);
  put_s(o, "\n");
}

/* One line of /proc/self/maps: a `map` record if it is executable code
 * from a file. */
static void put_map(struct out *o, char *line)
{
  char *f[6];
  int nf = 0;
  for (char *p = line; nf < 6 && *p != '\0';) {
    while (*p == ' ')
      p++;
    f[nf++] = p;
    if (nf == 6)
      break;
    while (*p != ' ' && *p != '\0')
      p++;
    if (*p == ' ')
      *p++ = '\0';
  }
  if (nf < 6 || strlen(f[1]) < 3 || f[1][2] != 'x' || f[5][0] != '/')
    return;
  char *dash = strchr(f[0], '-');
  if (dash == NULL)
    return;
  *dash = '\0';
  put_s(o, "map\t0x");
  put_s(o, f[0]);
  put_s(o, "\t0x");
  put_s(o, dash + 1);
  put_s(o, "\t0x");
  put_s(o, f[2]);
  put_s(o, "\t");
  put_field(o, f[5], strlen(f[5]));
  put_s(o, "\n");
}

static void put_maps(struct out *o)
{
  int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/maps",
                        O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  char buf[8192];
  size_t have = 0;
  for (;;) {
    long r = ub_sys_read(fd, buf + have, sizeof(buf) - 1 - have);
    if (r <= 0)
      break;
    have += (size_t)r;
    char *start = buf, *nl;
    while ((nl = memchr(start, '\n', have - (size_t)(start - buf))) != NULL) {
      *nl = '\0';
      put_map(o, start);
      start = nl + 1;
    }
    have -= (size_t)(start - buf);
    memmove(buf, start, have);
    if (have == sizeof(buf) - 1)
      have = 0; /* a line longer than the buffer: drop it */
  }
  ub_sys_close(fd);
}

/* The stacks and waits; returns their counts through the pointers. */
static void put_tables(struct out *o, uint64_t *nstacks, uint64_t *nwaits)
{
  struct ub_prof_tables *t = ub_prof_tab;
  /* The stacks written: a wait names only those (one filled in between
   * the two passes would have no record). */
  static uint64_t written[UB_PROF_NSTACKS / 64];
  memset(written, 0, sizeof(written));
  for (size_t i = 0; i < UB_PROF_NSTACKS; i++) {
    struct ub_prof_stack *st = &t->stacks[i];
    uintptr_t site = atomic_load_explicit(&st->site, memory_order_acquire);
    if (site == 0 || site == UB_PROF_FILLING)
      continue;
    written[i / 64] |= 1ull << (i % 64);
    put_s(o, "stack\t");
    put_u(o, i + 1);
    for (uint32_t k = 0; k < st->n && k < UB_PROF_FRAMES; k++) {
      put_s(o, k == 0 ? "\t" : ",");
      put_x(o, st->pc[k]);
    }
    put_s(o, "\n");
    (*nstacks)++;
  }
  for (size_t i = 0; i < UB_PROF_NWAITS; i++) {
    struct ub_prof_wait *w = &t->waits[i];
    uint64_t key = atomic_load_explicit(&w->key, memory_order_relaxed);
    uint64_t count = atomic_load_explicit(&w->count, memory_order_relaxed);
    int h = UB_PROF_KEY_HOOK(key);
    const char *kind = ub_prof_hook_kind(h);
    if (key == 0 || count == 0)
      continue;
    uint32_t fd = UB_PROF_KEY_FD(key), stack = UB_PROF_KEY_STACK(key);
    struct ub_prof_fd *f = fd != 0 ? &t->fds[fd - 1] : NULL;
    bool fd_ok =
        f != NULL && atomic_load_explicit(&f->state, memory_order_acquire) == 2;
    if (stack != 0 && !(written[(stack - 1) / 64] >> ((stack - 1) % 64) & 1))
      stack = 0; /* filled after the stack records went out */
    put_s(o, "wait\t");
    put_s(o, kind != NULL ? kind : "other");
    put_s(o, "\t");
    put_s(o, ub_prof_hook_name(h));
    put_s(o, "\t");
    if (fd_ok)
      put_field(o, f->text, strnlen(f->text, sizeof(f->text)));
    else
      put_s(o, "-");
    put_s(o, "\t");
    put_u(o, stack);
    put_s(o, "\t");
    put_u(o, count);
    put_s(o, "\t");
    put_u(o, atomic_load_explicit(&w->total, memory_order_relaxed));
    put_s(o, "\t");
    put_u(o, atomic_load_explicit(&w->max, memory_order_relaxed));
    for (int b = 0; b < UB_PROF_BUCKETS; b++) {
      put_s(o, b == 0 ? "\t" : ",");
      put_u(o, atomic_load_explicit(&w->hist[b], memory_order_relaxed));
    }
    put_s(o, "\n");
    (*nwaits)++;
  }
}

static void put_profile(struct out *o)
{
  uint64_t nstacks = 0, nwaits = 0;
  put_header(o);
  put_maps(o);
  put_tables(o, &nstacks, &nwaits);
  put_s(o, "dropped\t");
  put_u(o, atomic_load(&ub_prof_tab->dropped));
  put_s(o, "\nend\t");
  put_u(o, nstacks);
  put_s(o, "\t");
  put_u(o, nwaits);
  put_s(o, "\n");
  flush(o);
}

/* ---- writing the file --------------------------------------------------- */

/* ".NAME.PID.tmp", cut to fit a file name. */
static void tmp_name(char *tmp)
{
  char pid[16];
  int n = sizeof(pid);
  unsigned long v = (unsigned long)syscall(SYS_getpid);
  do
    pid[--n] = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  size_t plen = sizeof(pid) - (size_t)n;
  size_t blen = strlen(base);
  if (blen > NAME_MAX - plen - 7)
    blen = NAME_MAX - plen - 7;
  tmp[0] = '.';
  memcpy(tmp + 1, base, blen);
  tmp[1 + blen] = '.';
  memcpy(tmp + 2 + blen, pid + n, plen);
  memcpy(tmp + 2 + blen + plen, ".tmp", 5);
}

/*
 * Has another process written a profile of its own under our name since
 * we last did?  A program run through a wrapper (timeout, a shell) shares
 * UNBLOCK_PROFILE with it, and the one that writes last would win: the
 * wrapper, usually, with nothing in it.  So a process leaves alone a
 * regular file that is not the one it opened or wrote; %p gives each its
 * own.  A symbolic link or anything else planted there is replaced.
 */
static bool taken_over(void)
{
  struct stat now, mine;
  return syscall(SYS_newfstatat, dir_fd, base, &now, AT_SYMLINK_NOFOLLOW) ==
             0 &&
         S_ISREG(now.st_mode) && syscall(SYS_fstat, file_fd, &mine) == 0 &&
         (now.st_ino != mine.st_ino || now.st_dev != mine.st_dev);
}

static int write_renamed(void)
{
  char tmp[NAME_MAX + 1];
  if (taken_over())
    return 0;
  tmp_name(tmp);
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = (int)syscall(SYS_openat, dir_fd, tmp, flags, 0600);
  if (fd < 0 && errno == EEXIST) { /* left by a writer that died */
    syscall(SYS_unlinkat, dir_fd, tmp, 0);
    fd = (int)syscall(SYS_openat, dir_fd, tmp, flags, 0600);
  }
  if (fd < 0)
    return -errno;
  out = (struct out){.fd = fd};
  put_profile(&out);
  int err = out.err;
  if (err == 0 && syscall(SYS_fsync, fd) != 0)
    err = errno;
  if (err == 0 && syscall(SYS_renameat, dir_fd, tmp, dir_fd, base) != 0)
    err = errno;
  if (err != 0) {
    syscall(SYS_unlinkat, dir_fd, tmp, 0);
    ub_sys_close(fd);
    return -err;
  }
  /* The name is now this file: it is the one to fall back on. */
  int hidden = ub_hidefd(fd);
  if (file_fd >= 0) {
    ub_unhidefd(file_fd);
    ub_sys_close(file_fd);
  }
  file_fd = hidden;
  return 0;
}

static int write_in_place(void)
{
  if (syscall(SYS_ftruncate, file_fd, 0) != 0)
    return -errno;
  out = (struct out){.fd = file_fd, .in_place = true};
  put_profile(&out);
  return -out.err;
}

int ub_prof_write(void)
{
  if (!ub_prof_on || file_fd < 0)
    return 0;
  int saved = errno;
  /* One writer at a time: the buffer is static.  A signal that lands
   * while this thread writes finds the flag set and skips; another thread
   * waits its turn. */
  unsigned spins = 0;
  while (atomic_flag_test_and_set_explicit(&writing, memory_order_acquire)) {
    if (++spins > 2000) {
      errno = saved;
      return -EBUSY;
    }
    struct timespec ms = {0, 1000000};
    syscall(SYS_nanosleep, &ms, NULL);
  }
  int r = write_renamed();
  if (r == -EACCES || r == -EPERM || r == -EROFS)
    r = write_in_place();
  atomic_flag_clear_explicit(&writing, memory_order_release);
  errno = saved;
  return r;
}

/* ---- opening it at start --------------------------------------------------
 */

/* pattern with %p expanded into path; false if it does not fit. */
static bool expand(const char *pat, char *path, size_t len)
{
  size_t n = 0;
  for (const char *p = pat; *p != '\0'; p++) {
    char pid[16];
    const char *add = p;
    size_t k = 1;
    if (p[0] == '%' && p[1] == 'p') {
      k = (size_t)snprintf(pid, sizeof(pid), "%ld", (long)syscall(SYS_getpid));
      add = pid;
      p++;
    } else if (p[0] == '%' && p[1] == '%') {
      p++;
    }
    if (n + k >= len)
      return false;
    memcpy(path + n, add, k);
    n += k;
  }
  path[n] = '\0';
  return true;
}

#define FAIL(...)                                                              \
  do {                                                                         \
    snprintf(err, errlen, __VA_ARGS__);                                        \
    goto fail;                                                                 \
  } while (0)

static int open_file(const char *pat, char *err, size_t errlen)
{
  char path[PATH_MAX];
  int e = EINVAL;
  if (!expand(pat, path, sizeof(path)))
    FAIL("UNBLOCK_PROFILE='%s' is too long", pat);
  char *slash = strrchr(path, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
      strlen(name) > NAME_MAX)
    FAIL("UNBLOCK_PROFILE='%s' does not end in a file name", pat);
  snprintf(base, sizeof(base), "%s", name);
  const char *dir = slash == NULL ? "." : slash == path ? "/" : path;
  if (slash != NULL && slash != path)
    *slash = '\0';
  int d =
      (int)syscall(SYS_openat, AT_FDCWD, dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (d < 0) {
    e = errno;
    FAIL("UNBLOCK_PROFILE='%s': directory %s: %s", pat, dir, strerror(e));
  }
  int f = (int)syscall(SYS_openat, d, base,
                       O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                       0600);
  if (f < 0) {
    e = errno;
    ub_sys_close(d);
    if (e == ELOOP)
      FAIL("UNBLOCK_PROFILE='%s' is a symbolic link; unblock does not "
           "write through one",
           pat);
    FAIL("UNBLOCK_PROFILE='%s': %s", pat, strerror(e));
  }
  struct stat st;
  const char *why = NULL;
  if (syscall(SYS_fstat, f, &st) != 0)
    why = "cannot be examined";
  else if (!S_ISREG(st.st_mode))
    why = "is not a regular file";
  else if (st.st_uid != (uid_t)syscall(SYS_geteuid))
    why = "belongs to another user";
  else if (st.st_nlink != 1)
    why = "has other hard links";
  if (why != NULL) {
    ub_sys_close(f);
    ub_sys_close(d);
    FAIL("UNBLOCK_PROFILE='%s' %s; unblock does not write to it", pat, why);
  }
  dir_fd = ub_hidefd(d);
  file_fd = ub_hidefd(f);
  return 0;
fail:
  return -e;
}

static void stop(void)
{
  ub_prof_on = false;
  if (file_fd >= 0) {
    ub_unhidefd(file_fd);
    ub_sys_close(file_fd);
  }
  if (dir_fd >= 0) {
    ub_unhidefd(dir_fd);
    ub_sys_close(dir_fd);
  }
  file_fd = dir_fd = -1;
}

/*
 * In a fork child: the profile so far is the parent's, who writes it.  A
 * name with %p names a file of the child's own, which starts empty;
 * without %p the child records nothing (docs/profiling.md).
 */
static void after_fork(void)
{
  atomic_flag_clear(&writing);
  bool per_pid = strstr(pattern, "%p") != NULL;
  stop();
  if (!per_pid)
    return;
  char err[256];
  ub_prof_tables_clear();
  if (open_file(pattern, err, sizeof(err)) == 0) {
    ub_prof_on = true;
    start_ns = ub_clock_now();
    syscall(SYS_clock_gettime, CLOCK_REALTIME, &start_wall);
  }
}

int ub_prof_setup(const struct ub_config *c, char *err, size_t errlen)
{
  ub_observing = c->observe;
  if (c->profile == NULL)
    return 0;
  if (strlen(c->profile) >= sizeof(pattern)) {
    snprintf(err, errlen, "UNBLOCK_PROFILE is too long");
    return -EINVAL;
  }
  snprintf(pattern, sizeof(pattern), "%s", c->profile);
  int r = ub_prof_tables_init();
  if (r != 0) {
    snprintf(err, errlen, "UNBLOCK_PROFILE: no memory for the tables");
    return r;
  }
  r = open_file(pattern, err, errlen);
  if (r != 0)
    return r;
  start_ns = ub_clock_now();
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &start_wall);
  pthread_atfork(NULL, NULL, after_fork);
  ub_prof_on = true;
  return 0;
}

__attribute__((destructor)) static void at_exit(void)
{
  ub_prof_write();
}

int ub_prof_path(char *buf, size_t len)
{
  char link[32];
  snprintf(link, sizeof(link), "/proc/self/fd/%d", dir_fd);
  ssize_t n =
      dir_fd < 0 || len < 2 ? -1 : syscall(SYS_readlink, link, buf, len - 1);
  if (n <= 0)
    return -ENOENT;
  int m = snprintf(buf + n, len - (size_t)n, "%s%s",
                   buf[n - 1] == '/' ? "" : "/", base);
  return m < 0 || (size_t)m >= len - (size_t)n ? -ENAMETOOLONG : 0;
}
