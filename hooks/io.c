/*
 * io.c - read, readv, write and writev on sockets, pipes, FIFOs and ttys;
 * sendfile and splice.
 *
 * Each hook packs its arguments into an op and hands it to ub_io_run
 * (fdio.h).  The attempts avoid blocking the carrier per call: a socket
 * is read with recv(MSG_DONTWAIT), which is exactly read() on a socket; a
 * pipe with preadv2(RWF_NOWAIT) at the current offset (-1).  Writes to a
 * blocking fd continue until everything is written, as the kernel's do.
 *
 * sendfile and splice have no per-call non-blocking flag for the socket
 * side, so an attempt flips O_NONBLOCK on that file for the one call and
 * restores it: the flag is visible to another thread only for the
 * duration of the syscall (docs/limits.md).
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "fdio.h"
#include "file.h"

/* ---- read and readv -------------------------------------------------- */

struct rw_op {
  struct ub_io_op op;
  const struct iovec *iov;
  int iovcnt;
  struct iovec one;
};

static long read_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct rw_op *o = (struct rw_op *)op;
  switch (kind) {
  case UB_FD_SOCKET: {
    struct msghdr m = {.msg_iov = (struct iovec *)o->iov,
                       .msg_iovlen = (size_t)o->iovcnt};
    return ub_sys(real.recvmsg(op->fd, &m, MSG_DONTWAIT));
  }
  case UB_FD_PIPE:
    return ub_sys(preadv2(op->fd, o->iov, o->iovcnt, -1, RWF_NOWAIT));
  case UB_FD_FILE: return ub_file_readv(op->fd, o->iov, o->iovcnt, -1);
  case UB_FD_POLL:
    if (!ub_io_ready(op->fd, POLLIN))
      return -EAGAIN;
    /* fall through */
  default: return ub_sys(real.readv(op->fd, o->iov, o->iovcnt));
  }
}

static long do_read(struct ub_sched *s, int fd, const struct iovec *iov,
                    int iovcnt)
{
  struct rw_op o = {.op = {.fd = fd,
                           .dir = UB_IN,
                           .attempt = read_attempt,
                           .want = ub_iov_total(iov, iovcnt)},
                    .iov = iov,
                    .iovcnt = iovcnt};
  return ub_io_run(s, &o.op);
}

ssize_t read(int fd, void *buf, size_t n)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL)
    return real.read(fd, buf, n);
  struct iovec v = {buf, n};
  return ub_ret(do_read(s, fd, &v, 1));
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
  UB_CALL(fd);
  if (n > buflen) {
    ub_real_ensure();
    return real.__read_chk(fd, buf, n, buflen); /* reports the overflow */
  }
  return read(fd, buf, n);
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL || iovcnt <= 0 || iovcnt > IOV_MAX)
    return real.readv(fd, iov, iovcnt);
  return ub_ret(do_read(s, fd, iov, iovcnt));
}

/* ---- write and writev ------------------------------------------------ */

static long write_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct rw_op *o = (struct rw_op *)op;
  if (kind == UB_FD_FILE)
    return ub_file_writev(op->fd, o->iov, o->iovcnt, -1);
  size_t total = ub_iov_total(o->iov, o->iovcnt);
  for (;;) {
    struct iovec one;
    int n = o->iovcnt;
    const struct iovec *left = ub_iov_rest(o->iov, &n, (size_t)op->done, &one);
    long r;
    switch (kind) {
    case UB_FD_SOCKET: {
      struct msghdr m = {.msg_iov = (struct iovec *)left,
                         .msg_iovlen = (size_t)n};
      r = ub_sys(real.sendmsg(op->fd, &m, MSG_DONTWAIT));
      break;
    }
    case UB_FD_PIPE:
      r = ub_sys(pwritev2(op->fd, left, n, -1, RWF_NOWAIT));
      break;
    case UB_FD_POLL:
      if (!ub_io_ready(op->fd, POLLOUT)) {
        r = -EAGAIN;
        break;
      }
      /* fall through */
    default:
      if (op->done == 0)
        return ub_sys(real.writev(op->fd, o->iov, o->iovcnt));
      r = ub_sys(real.writev(op->fd, left, n)); /* the rest, blocking */
      break;
    }
    if (r < 0)
      return r == -EAGAIN || op->done == 0 ? r : op->done;
    op->done += r;
    if (n == 0 || (size_t)op->done >= total)
      return op->done;
    if ((size_t)r < ub_iov_total(left, n))
      return -EAGAIN; /* more to write once there is room */
  }
}

static long do_write(struct ub_sched *s, int fd, const struct iovec *iov,
                     int iovcnt)
{
  struct rw_op o = {.op = {.fd = fd, .dir = UB_OUT, .attempt = write_attempt},
                    .iov = iov,
                    .iovcnt = iovcnt};
  return ub_io_run(s, &o.op);
}

ssize_t write(int fd, const void *buf, size_t n)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL)
    return real.write(fd, buf, n);
  struct iovec v = {(void *)buf, n};
  return ub_ret(do_write(s, fd, &v, 1));
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL || iovcnt <= 0 || iovcnt > IOV_MAX)
    return real.writev(fd, iov, iovcnt);
  return ub_ret(do_write(s, fd, iov, iovcnt));
}

/* ---- sendfile and splice --------------------------------------------- */

/* Run call() once with O_NONBLOCK set on fd's file, then restore it. */
static long once_nonblocking(int fd, long (*call)(void *), void *arg)
{
  int fl = real.fcntl(fd, F_GETFL);
  if (fl < 0 || (fl & O_NONBLOCK))
    return call(arg);
  real.fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  long r = call(arg);
  int err = errno;
  real.fcntl(fd, F_SETFL, fl);
  errno = err;
  return r;
}

struct sendfile_op {
  struct ub_io_op op;
  int in_fd;
  off_t *offset;
  size_t count;
};

static long sendfile_call(void *arg)
{
  struct sendfile_op *o = arg;
  return real.sendfile(o->op.fd, o->in_fd, o->offset,
                       o->count - (size_t)o->op.done);
}

static long sendfile_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct sendfile_op *o = (struct sendfile_op *)op;
  if (kind == UB_FD_PLAIN)
    return ub_sys(sendfile_call(o));
  long r = ub_sys(once_nonblocking(op->fd, sendfile_call, o));
  if (r < 0)
    return r == -EAGAIN || op->done == 0 ? r : op->done;
  op->done += r;
  if (r == 0 || (size_t)op->done >= o->count)
    return op->done; /* r == 0: the input ended */
  return -EAGAIN;
}

ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
  UB_ENTER_FD(s, out_fd);
  if (s == NULL)
    return real.sendfile(out_fd, in_fd, offset, count);
  struct sendfile_op o = {
      .op = {.fd = out_fd, .dir = UB_OUT, .attempt = sendfile_attempt},
      .in_fd = in_fd,
      .offset = offset,
      .count = count};
  return ub_ret(ub_io_run(s, &o.op));
}

ssize_t sendfile64(int out_fd, int in_fd, off64_t *offset, size_t count)
{
  UB_CALL(out_fd);
  return sendfile(out_fd, in_fd, (off_t *)offset, count);
}

struct splice_op {
  struct ub_io_op op;
  int fd_in, fd_out;
  off64_t *off_in, *off_out;
  size_t len;
  unsigned flags;
};

static long splice_call(void *arg)
{
  struct splice_op *o = arg;
  return real.splice(o->fd_in, o->off_in, o->fd_out, o->off_out, o->len,
                     o->flags | SPLICE_F_NONBLOCK);
}

static long splice_out(void *arg)
{
  struct splice_op *o = arg;
  return once_nonblocking(o->fd_out, splice_call, o);
}

/* Splice moves what it can and returns: no continuing, as natively.  On
 * EAGAIN it waits for the input if that is empty, else for the output. */
static long splice_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct splice_op *o = (struct splice_op *)op;
  if (kind == UB_FD_PLAIN)
    return ub_sys(real.splice(o->fd_in, o->off_in, o->fd_out, o->off_out,
                              o->len, o->flags));
  long r = ub_sys(once_nonblocking(o->fd_in, splice_out, o));
  if (r == -EAGAIN) {
    bool input = !ub_io_ready(o->fd_in, POLLIN);
    op->fd = input ? o->fd_in : o->fd_out;
    op->dir = input ? UB_IN : UB_OUT;
  }
  return r;
}

ssize_t splice(int fd_in, off64_t *off_in, int fd_out, off64_t *off_out,
               size_t len, unsigned int flags)
{
  UB_ENTER(s);
  if (s == NULL || (flags & SPLICE_F_NONBLOCK))
    return real.splice(fd_in, off_in, fd_out, off_out, len, flags);
  struct splice_op o = {
      .op = {.fd = fd_out, .dir = UB_OUT, .attempt = splice_attempt},
      .fd_in = fd_in,
      .fd_out = fd_out,
      .off_in = off_in,
      .off_out = off_out,
      .len = len,
      .flags = flags};
  /* The side that decides the blocking mode is the non-file one. */
  struct ub_fdinfo *fi = ub_fd_info(fd_out);
  if (fi != NULL && ub_fd_kind(fd_out, fi) == UB_FD_PLAIN) {
    o.op.fd = fd_in;
    o.op.dir = UB_IN;
  }
  return ub_ret(ub_io_run(s, &o.op));
}
