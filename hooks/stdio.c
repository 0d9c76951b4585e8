/*
 * stdio.c - buffered input on sockets, pipes and ttys.
 *
 * stdio reads inside glibc (its __read is not interposable), so fgets on
 * an fdopen'd socket, or on a tty stdin, would block the carrier until a
 * line arrives, and with it every other green thread; two green threads
 * talking through stdio in one process would deadlock.  So the input
 * functions that refill a buffer wait on the loop first: when the FILE's
 * buffer is empty and its fd is a socket, pipe or tty that the program
 * left blocking, the green thread parks until the fd is readable, then
 * makes the real call, which finds data waiting.
 *
 * That covers a refill that one arrival of data satisfies.  A call that
 * needs a second refill (a line split across two TCP segments) may still
 * block the carrier in the second read (docs/limits.md).  A signal handler
 * that interrupts the wait makes the call fail with EINTR and the stream's
 * error flag set, as a read interrupted natively does; SA_RESTART restarts
 * the wait.
 */
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>

#include "fdio.h"
#include "thread.h"

/* 0: go ahead with the real call; -EINTR: report an interrupted read. */
static int wait_input(FILE *f)
{
  struct ub_sched *s = ub_hook_enter();
  if (s == NULL || f == NULL || f->_IO_read_ptr < f->_IO_read_end)
    return 0;
  int fd = f->_fileno;
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi == NULL || ub_fd_kind(fd, fi) == UB_FD_PLAIN || ub_fd_nonblock(fd, fi))
    return 0;
  uint64_t t = ub_fd_timeout(fd, fi, UB_IN);
  uint64_t deadline =
      t == UB_NEVER ? UB_NEVER : ub_clock_after(ub_clock_now(), t);
  ub_cancel_point();
  while (!ub_io_ready(fd, POLLIN)) {
    int w = ub_io_wait(s, fd, fi, UB_IN, deadline);
    if (w == -ECANCELED)
      ub_cancel_point();
    else if (w == -EINTR && !(deadline == UB_NEVER && ub_io_restart()))
      return -EINTR;
    else if (w < 0 && w != -EINTR)
      return 0; /* timeout, EBADF, a file after all: the real call says */
  }
  return 0;
}

/* The stream failed as an interrupted read would make it fail. */
static void interrupted(FILE *f)
{
  f->_flags |= 0x20; /* _IO_ERR_SEEN: ferror() is now true */
  errno = EINTR;
}

char *fgets(char *str, int n, FILE *stream)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return NULL;
  }
  return real.fgets(str, n, stream);
}

ssize_t getdelim(char **line, size_t *n, int delim, FILE *stream)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return -1;
  }
  return real.getdelim(line, n, delim, stream);
}

ssize_t __getdelim(char **line, size_t *n, int delim, FILE *stream)
{
  return getdelim(line, n, delim, stream);
}

ssize_t getline(char **line, size_t *n, FILE *stream)
{
  return getdelim(line, n, '\n', stream);
}

size_t fread(void *ptr, size_t size, size_t n, FILE *stream)
{
  if (size != 0 && n != 0 && wait_input(stream) != 0) {
    interrupted(stream);
    return 0;
  }
  return real.fread(ptr, size, n, stream);
}

int fgetc(FILE *stream)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.fgetc(stream);
}

int getc(FILE *stream)
{
  return fgetc(stream);
}

int getchar(void)
{
  return fgetc(stdin);
}

int __uflow(FILE *stream)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__uflow(stream);
}

int __underflow(FILE *stream)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__underflow(stream);
}

int __isoc99_vfscanf(FILE *stream, const char *format, va_list ap)
{
  if (wait_input(stream) != 0) {
    interrupted(stream);
    return EOF;
  }
  return real.__isoc99_vfscanf(stream, format, ap);
}

int __isoc99_fscanf(FILE *stream, const char *format, ...)
{
  va_list ap;
  va_start(ap, format);
  int r = __isoc99_vfscanf(stream, format, ap);
  va_end(ap);
  return r;
}
