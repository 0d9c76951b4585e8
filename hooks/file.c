/*
 * file.c - regular files and locks: the calls that block with no
 * readiness to wait for, run on the helper pool (offload.h).
 *
 * Reads look in the page cache first: preadv2 with RWF_NOWAIT returns
 * what is cached without touching the disk, and EAGAIN when nothing is.
 * At an explicit offset (pread) it may return less than asked when only
 * part is cached; the rest then comes from the pool, so the caller gets
 * the full count a blocking read gives.  At the file position (read,
 * readv), which threads may share, the look is made at that position
 * without moving it, and then one syscall reads: here if everything was
 * cached, else on the pool.  Writes go to the pool (ext4 refuses
 * RWF_NOWAIT for buffered writes), one syscall each, so O_APPEND writes
 * stay whole.
 *
 * open and openat of a FIFO wait for the other end, and of a regular file
 * may wait on a slow disk or a network file system: both go to the pool
 * (a fstatat first says which it is; anything else, /dev/null or a
 * directory, opens right here), except a regular file whose path the
 * kernel has cached, which opens here (openat2 RESOLVE_CACHED).  fsync,
 * fdatasync and a blocking flock always go.  flock and opening a FIFO are
 * interrupted by handlers, as natively.
 */
#include "file.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <stdarg.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fdio.h"
#include "offload.h"

#define PROBE_WHOLE 16384 /* bytes a look reads whole (cached) */

/*
 * Is [at, at + total) in the page cache (or past the end of the file)?
 * 1 yes, 0 no.  A small range is read without waiting (RWF_NOWAIT) into
 * the caller's buffer, which the real read then overwrites; a large one,
 * where that second copy would cost, only at its first and last byte:
 * readahead caches files in runs, so the ends stand for the middle, and
 * if they do not, the read waits for the disk on the carrier, where the
 * monitor sees it.
 */
static int cached(int fd, const struct iovec *iov, int iovcnt, off_t at,
                  size_t total)
{
  if (total <= PROBE_WHOLE) {
    long r = preadv2(fd, iov, iovcnt, at, RWF_NOWAIT);
    return r >= 0 && ((size_t)r == total || r == 0);
  }
  char b;
  struct iovec one = {&b, 1};
  return preadv2(fd, &one, 1, at, RWF_NOWAIT) >= 0 &&
         preadv2(fd, &one, 1, at + (off_t)total - 1, RWF_NOWAIT) >= 0;
}

long ub_file_readv(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
  size_t total = ub_iov_total(iov, iovcnt);
  if (offset < 0) {
    /* At the file position, which other threads may share: one syscall
     * must do it, so the position moves once, by what it read.  Look in
     * the cache at that position without moving it; if all is there, the
     * read itself is quick. */
    off_t at = lseek(fd, 0, SEEK_CUR);
    long r = at < 0 ? -1 : cached(fd, iov, iovcnt, at, total);
    if (r > 0)
      return ub_sys(real.readv(fd, iov, iovcnt));
    r = (long)ub_offload(UB_OFF_readv, (void *[]){&fd, &iov, &iovcnt});
    return r < 0 ? -errno : r;
  }
  long r = ub_sys(preadv2(fd, iov, iovcnt, offset, RWF_NOWAIT));
  if (r >= 0 && ((size_t)r == total || r == 0))
    return r;
  if (r < 0 && r != -EAGAIN && r != -EOPNOTSUPP)
    return r;
  /* At an explicit offset, the part found cached stands, and the pool
   * reads the rest. */
  size_t done = r > 0 ? (size_t)r : 0;
  for (;;) {
    struct iovec one;
    int n = iovcnt;
    const struct iovec *rest = ub_iov_rest(iov, &n, done, &one);
    off_t at = offset + (off_t)done;
    struct iovec piece = rest[0];
    long more;
    if (n == 1)
      more = (long)ub_offload(UB_OFF_pread64, (void *[]){&fd, &piece.iov_base,
                                                         &piece.iov_len, &at});
    else
      more = preadv(fd, rest, n, at); /* (no pooled preadv: rare, blocks) */
    if (more < 0)
      return done > 0 ? (long)done : -errno;
    done += (size_t)more;
    /* A piece of the first entry read in full: on with the entries after. */
    if (n != 1 || (size_t)more < piece.iov_len || done == total)
      return (long)done;
  }
}

long ub_file_writev(int fd, const struct iovec *iov, int iovcnt, off_t offset)
{
  long r;
  if (offset < 0) {
    r = (long)ub_offload(UB_OFF_writev, (void *[]){&fd, &iov, &iovcnt});
  } else if (iovcnt == 1) {
    struct iovec one = iov[0];
    r = (long)ub_offload(UB_OFF_pwrite64,
                         (void *[]){&fd, &one.iov_base, &one.iov_len, &offset});
  } else {
    r = pwritev(fd, iov, iovcnt, offset); /* rare: blocks */
  }
  return r < 0 ? -errno : r;
}

/* A regular file's fd?  (Its kind, read once and cached.) */
static bool is_file(int fd)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  return fi != NULL && ub_fd_kind(fd, fi) == UB_FD_FILE;
}

ssize_t pread64(int fd, void *buf, size_t n, off64_t offset)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL || offset < 0 || !is_file(fd))
    return real.pread64(fd, buf, n, offset); /* (EINVAL for offset < 0) */
  struct iovec v = {buf, n};
  return ub_ret(ub_file_readv(fd, &v, 1, offset));
}

ssize_t pread(int fd, void *buf, size_t n, off_t offset)
{
  UB_CALL(fd);
  return pread64(fd, buf, n, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t offset)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL || offset < 0 || !is_file(fd))
    return real.pwrite64(fd, buf, n, offset); /* (EINVAL for offset < 0) */
  struct iovec v = {(void *)buf, n};
  return ub_ret(ub_file_writev(fd, &v, 1, offset));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t offset)
{
  UB_CALL(fd);
  return pwrite64(fd, buf, n, offset);
}

/* Would opening path block: 2 for a FIFO without O_NONBLOCK (until the
 * other end opens), 1 for a regular file (or one O_CREAT makes: a slow
 * disk, a network file system), else 0. */
static int open_may_block(int dirfd, const char *path, int flags)
{
  struct stat st;
  int at = flags & O_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;
  if (fstatat(dirfd, path, &st, at) != 0)
    return flags & O_CREAT ? 1 : 0;
  if (S_ISFIFO(st.st_mode))
    return flags & O_NONBLOCK ? 0 : 2;
  return S_ISREG(st.st_mode) && !(flags & O_PATH);
}

/*
 * Open a regular file here if that cannot block: openat2 with
 * RESOLVE_CACHED (Linux 5.12) fails with EAGAIN instead of waiting for the
 * disk, and for O_CREAT or O_TRUNC, which may.  Anything but success (an
 * older kernel, flags openat2 refuses but openat ignores, any error) says
 * nothing, and the caller asks the pool, whose openat gives the kernel's
 * own answer.  -1 then.
 */
static int open_cached(int dirfd, const char *path, int flags, mode_t mode)
{
  static atomic_bool missing; /* ENOSYS once: do not ask again */
  if (atomic_load_explicit(&missing, memory_order_relaxed))
    return -1;
  struct open_how how = {
      .flags = (uint64_t)(flags | O_LARGEFILE),
      .mode = flags & (O_CREAT | __O_TMPFILE) ? mode : 0,
      .resolve = RESOLVE_CACHED,
  };
  int r = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
  if (r < 0 && errno == ENOSYS)
    atomic_store(&missing, true);
  return r;
}

static int do_open(int dirfd, const char *path, int flags, mode_t mode)
{
  UB_ENTER(s);
  int r, wait = 0;
  if (s != NULL && path != NULL &&
      (wait = open_may_block(dirfd, path, flags)) != 0) {
    int saved = errno;
    r = wait == 1 ? open_cached(dirfd, path, flags, mode) : -1;
    errno = saved;
    if (r < 0)
      r = (int)(wait == 2 ? ub_offload : ub_offload_quick)(
          UB_OFF_openat64, (void *[]){&dirfd, &path, &flags, &mode});
  } else
    r = real.openat64(dirfd, path, flags, mode);
  if (r >= 0)
    ub_fd_new(r, UB_FD_UNKNOWN);
  return r;
}

/* The mode argument is there only with O_CREAT or O_TMPFILE. */
#define MODE_ARG(flags, last)                                                  \
  mode_t mode = 0;                                                             \
  if ((flags) & (O_CREAT | __O_TMPFILE)) {                                     \
    va_list ap;                                                                \
    va_start(ap, last);                                                        \
    mode = va_arg(ap, mode_t);                                                 \
    va_end(ap);                                                                \
  }

int open64(const char *path, int flags, ...)
{
  UB_CALL(-1);
  ub_real_ensure();
  MODE_ARG(flags, flags);
  return do_open(AT_FDCWD, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
  UB_CALL(-1);
  ub_real_ensure();
  MODE_ARG(flags, flags);
  return do_open(AT_FDCWD, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
  UB_CALL(-1);
  ub_real_ensure();
  MODE_ARG(flags, flags);
  return do_open(dirfd, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
  UB_CALL(-1);
  ub_real_ensure();
  MODE_ARG(flags, flags);
  return do_open(dirfd, path, flags, mode);
}

int fsync(int fd)
{
  UB_CALL(fd);
  return (int)ub_offload(UB_OFF_fsync, (void *[]){&fd});
}

int fdatasync(int fd)
{
  UB_CALL(fd);
  return (int)ub_offload(UB_OFF_fdatasync, (void *[]){&fd});
}

int flock(int fd, int op)
{
  UB_CALL(fd);
  ub_real_ensure();
  if (op & LOCK_NB)
    return real.flock(fd, op);
  return (int)ub_offload(UB_OFF_flock, (void *[]){&fd, &op});
}
