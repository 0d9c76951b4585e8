/*
 * stdio.c - buffered input on sockets, pipes and ttys.
 *
 * stdio reads inside glibc (its __read is not interposable), so fgets on
 * an fdopen'd socket, or on a tty stdin, would block the carrier until a
 * line arrives, and with it every other green thread; two green threads
 * talking through stdio in one process would deadlock.  So the input
 * functions fill the FILE's buffer themselves before glibc looks at it:
 * with green reads (our read(), which waits on the loop), until it holds
 * what the call needs (a line for fgets and getline, the bytes for fread,
 * one byte for getc), or is full, or the stream hit end of file or an
 * error.  glibc then finds the data waiting and never reads by itself.
 *
 * This writes glibc's FILE fields (struct _IO_FILE, public in layout): the
 * read area [_IO_read_ptr, _IO_read_end) inside the buffer [_IO_buf_base,
 * _IO_buf_end), and the EOF and error flags.  It does what glibc's own
 * underflow does, with glibc's own exported steps where there are some
 * (_IO_doallocbuf, _IO_switch_to_get_mode for a stream that was writing):
 * move the unread bytes to the front, then read after them; on end of
 * file set _IO_EOF_SEEN, which glibc treats as sticky.  A line longer than
 * the buffer grows it (glibc mallocs it), up to 1 MiB.  A stream it cannot
 * fill that way (unbuffered, in ungetc's backup area, a regular file,
 * non-blocking) is left to glibc.
 *
 * Like glibc before a read, a line-buffered or unbuffered input stream
 * first flushes a line-buffered stdout, so a prompt shows before the wait.
 * A signal handler that interrupts the wait makes the call fail with EINTR
 * and the error flag set, as an interrupted read does; under SA_RESTART
 * the wait goes on.  What the needs above do not foresee (a line over
 * 1 MiB, a scanf format spanning lines) still makes glibc read again,
 * which blocks the carrier (docs/limits.md).
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fdio.h"
#include "thread.h"

/* glibc's FILE flags (libio.h). */
#define F_USER_BUF 0x0001
#define F_UNBUFFERED 0x0002
#define F_NO_READS 0x0004
#define F_NO_WRITES 0x0008
#define F_EOF_SEEN 0x0010
#define F_ERR_SEEN 0x0020
#define F_LINKED 0x0080
#define F_IN_BACKUP 0x0100
#define F_LINE_BUF 0x0200
#define F_PUTTING 0x0800

/* glibc's own libio steps, exported since 2.2.5. */
int _IO_switch_to_get_mode(FILE *f);
int _IO_doallocbuf(FILE *f);

/* The most one green read takes at a time (on the green thread's stack). */
#define CHUNK 8192

/* The most a buffer is grown to hold one line or one fread. */
#define GROW_MAX ((size_t)1 << 20)

/*
 * What a call needs in the buffer before glibc may look: a byte (ONE),
 * `bytes` bytes (BYTES), a line (a delimiter, or `bytes` bytes if that
 * comes first), or for scanf (SCAN) a line with something in it besides
 * white space, since a conversion skips white space first.
 */
enum { ONE = -1, BYTES = -2, SCAN = -3 };

static bool enough(const FILE *f, int need, size_t bytes)
{
  const char *p = f->_IO_read_ptr, *end = f->_IO_read_end;
  size_t avail = (size_t)(end - p);
  switch (need) {
  case ONE: return avail > 0;
  case BYTES: return avail >= bytes;
  case SCAN:
    while (p < end && (*p == ' ' || (*p >= '\t' && *p <= '\r')))
      p++;
    return p < end && memchr(p, '\n', (size_t)(end - p)) != NULL;
  default:
    return (bytes != 0 && avail >= bytes) || memchr(p, need, avail) != NULL;
  }
}

/* As glibc before it reads: flush a line-buffered stdout. */
static void flush_prompt(FILE *f)
{
  if ((f->_flags & (F_LINE_BUF | F_UNBUFFERED)) && f != stdout &&
      (stdout->_flags & (F_LINKED | F_NO_WRITES | F_LINE_BUF)) ==
          (F_LINKED | F_LINE_BUF))
    fflush(stdout);
}

/* Make the read area start the buffer, with at least `want` bytes free
 * after it; false if the buffer cannot grow that far. */
static bool make_room(FILE *f, size_t want)
{
  size_t avail = (size_t)(f->_IO_read_end - f->_IO_read_ptr);
  size_t size = (size_t)(f->_IO_buf_end - f->_IO_buf_base);
  char *base = f->_IO_buf_base;
  if (f->_IO_read_ptr != base)
    memmove(base, f->_IO_read_ptr, avail);
  if (size - avail < want) {
    /* Full of one long line: grow the buffer (glibc mallocs it, and frees
     * it with free unless the program gave it). */
    size_t grown = size;
    while (grown - avail < want && grown < GROW_MAX)
      grown *= 2;
    if ((f->_flags & F_USER_BUF) || grown - avail < want)
      return false;
    base = realloc(base, grown);
    if (base == NULL)
      return false;
    size = grown;
  }
  f->_IO_buf_base = base;
  f->_IO_buf_end = base + size;
  f->_IO_read_base = f->_IO_read_ptr = base;
  f->_IO_read_end = base + avail;
  f->_IO_write_base = f->_IO_write_ptr = f->_IO_write_end = base;
  return true;
}

/*
 * Fill f's buffer for a call that needs `need` (with `bytes`).  0: call
 * glibc now; -EINTR: report an interrupted read.
 */
static int fill(FILE *f, int need, size_t bytes)
{
  UB_ENTER(s);
  if (s == NULL || f == NULL ||
      (f->_flags &
       (F_NO_READS | F_EOF_SEEN | F_ERR_SEEN | F_IN_BACKUP | F_UNBUFFERED)))
    return 0;
  int fd = f->_fileno;
  struct ub_fdinfo *fi = ub_fd_info(fd);
  enum ub_fd_kind kind = fi != NULL ? ub_fd_kind(fd, fi) : UB_FD_PLAIN;
  if (kind == UB_FD_PLAIN || kind == UB_FD_FILE || ub_fd_nonblock(fd, fi))
    return 0;
  int saved = errno;
  if (f->_IO_buf_base == NULL) {
    _IO_doallocbuf(f);
    if (f->_IO_buf_base == NULL)
      return 0;
    f->_IO_read_base = f->_IO_read_ptr = f->_IO_read_end = f->_IO_buf_base;
  }
  if ((f->_flags & F_PUTTING) && _IO_switch_to_get_mode(f) == EOF)
    return 0; /* its pending output failed: glibc reports that */
  if (!enough(f, need, bytes))
    flush_prompt(f);
  while (!enough(f, need, bytes)) {
    if (f->_IO_read_end == f->_IO_buf_end && !make_room(f, 1))
      break; /* glibc takes it from here */
    /* Read into a buffer of our own: while this thread is parked in the
     * read, another one may read the same stream and move its buffer.
     * Only once the read returns (no switch after it) is the stream's
     * state looked at again, and the bytes appended where it now ends. */
    char tmp[CHUNK];
    size_t room = (size_t)(f->_IO_buf_end - f->_IO_read_end);
    ssize_t n = read(fd, tmp, room < CHUNK ? room : CHUNK); /* parks */
    if (n > 0) {
      if ((size_t)(f->_IO_buf_end - f->_IO_read_end) < (size_t)n &&
          !make_room(f, (size_t)n)) {
        f->_flags |= F_ERR_SEEN; /* cannot happen with one reader */
        errno = ENOBUFS;
        return 0;
      }
      memcpy(f->_IO_read_end, tmp, (size_t)n);
      f->_IO_read_end += n;
    } else if (n == 0) {
      f->_flags |= F_EOF_SEEN;
      break;
    } else if (errno == EINTR) {
      return -EINTR;
    } else {
      f->_flags |= F_ERR_SEEN;
      return 0; /* with the read's errno, as glibc would leave it */
    }
  }
  errno = saved;
  return 0;
}

/* The stream failed as an interrupted read makes it fail. */
static void interrupted(FILE *f)
{
  f->_flags |= F_ERR_SEEN;
  errno = EINTR;
}

char *fgets(char *str, int n, FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (n > 1 && fill(stream, '\n', (size_t)n - 1) != 0) {
    interrupted(stream);
    return NULL;
  }
  return real.fgets(str, n, stream);
}

ssize_t getdelim(char **line, size_t *n, int delim, FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (fill(stream, (unsigned char)delim, 0) != 0) {
    interrupted(stream);
    return -1;
  }
  return real.getdelim(line, n, delim, stream);
}

ssize_t __getdelim(char **line, size_t *n, int delim, FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  return getdelim(line, n, delim, stream);
}

ssize_t getline(char **line, size_t *n, FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  return getdelim(line, n, '\n', stream);
}

size_t fread(void *ptr, size_t size, size_t n, FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (size != 0 && n != 0 && n <= SIZE_MAX / size &&
      fill(stream, BYTES, size * n) != 0) {
    interrupted(stream);
    return 0;
  }
  return real.fread(ptr, size, n, stream);
}

int fgetc(FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (fill(stream, ONE, 0) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.fgetc(stream);
}

int getc(FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  return fgetc(stream);
}

int getchar(void)
{
  UB_CALL(fileno_unlocked(stdin));
  return fgetc(stdin);
}

int __uflow(FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (fill(stream, ONE, 0) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__uflow(stream);
}

int __underflow(FILE *stream)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (fill(stream, ONE, 0) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__underflow(stream);
}

int __isoc99_vfscanf(FILE *stream, const char *format, va_list ap)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  if (fill(stream, SCAN, 0) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__isoc99_vfscanf(stream, format, ap);
}

int __isoc99_fscanf(FILE *stream, const char *format, ...)
{
  UB_CALL(stream != NULL ? fileno_unlocked(stream) : -1);
  va_list ap;
  va_start(ap, format);
  int r = __isoc99_vfscanf(stream, format, ap);
  va_end(ap);
  return r;
}
