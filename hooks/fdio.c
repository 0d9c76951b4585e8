/*
 * fdio.c - the retry loop (fdio.h).
 */
#include "fdio.h"

#include <poll.h>
#include <sys/stat.h>

#include "thread.h"

bool ub_io_ready(int fd, short events)
{
  struct pollfd p = {.fd = fd, .events = events};
  return real.poll(&p, 1, 0) != 0;
}

void ub_io_revalidate(struct ub_sched *s, int fd, struct ub_fdinfo *fi)
{
  if (!fi->ours) {
    /* It may have been closed inside glibc (pclose, fclose of a popen'd
     * stream, close_range) and the number reused for another file: then
     * the kernel dropped the registration, and every loop must make a
     * new one.  The file's identity says; a new generation tells them. */
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_dev != fi->dev || st.st_ino != fi->ino)) {
      fi->dev = st.st_dev;
      fi->ino = st.st_ino;
      atomic_fetch_add(&fi->gen, 1);
    }
  }
  /* Out of memory here fails the arm that follows, with -ENOMEM. */
  (void)ub_loop_bind(&s->loop, fd, atomic_load(&fi->gen));
}

int ub_io_wait(struct ub_sched *s, int fd, struct ub_fdinfo *fi, unsigned dir,
               uint64_t deadline)
{
  ub_io_revalidate(s, fd, fi);
  return ub_sched_wait_fd(fd, dir, deadline);
}

const struct iovec *ub_iov_rest(const struct iovec *iov, int *iovcnt,
                                size_t done, struct iovec *one)
{
  int i = 0;
  while (i < *iovcnt && done >= iov[i].iov_len)
    done -= iov[i++].iov_len;
  if (i < *iovcnt && done > 0) {
    one->iov_base = (char *)iov[i].iov_base + done;
    one->iov_len = iov[i].iov_len - done;
    *iovcnt = 1;
    return one;
  }
  *iovcnt -= i;
  return iov + i;
}

size_t ub_iov_total(const struct iovec *iov, int iovcnt)
{
  size_t t = 0;
  for (int i = 0; i < iovcnt; i++)
    t += iov[i].iov_len;
  return t;
}

bool ub_io_restart(void)
{
  struct ub_thread *t = ub_thread_self();
  return t != NULL && t->intr_restart;
}

long ub_io_run(struct ub_sched *s, struct ub_io_op *op)
{
  int fd = op->fd;
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi == NULL)
    return op->attempt(op, UB_FD_PLAIN);
  enum ub_fd_kind kind = ub_fd_kind(op->fd, fi);
  if (kind == UB_FD_FILE)
    return op->attempt(op, kind); /* never waits on the loop */
  if (kind == UB_FD_PLAIN || op->nowait || ub_fd_nonblock(op->fd, fi))
    return op->attempt(op, UB_FD_PLAIN);
  ub_cancel_point();
  uint64_t deadline = 0; /* 0: not computed yet */
  bool woken = false;
  /* The drained hint (loop.h): a read on TCP that knows the socket empty
   * parks at once; one that comes back short says so. */
  bool hint = op->want > 0 && kind == UB_FD_SOCKET && ub_fd_tcp(fd, fi);
  uint32_t tag = atomic_load_explicit(&fi->gen, memory_order_relaxed);
  for (;;) {
    long r;
    if (hint && !woken && ub_loop_empty(&s->loop, fd, tag))
      r = -EAGAIN;
    else
      r = op->attempt(op, kind);
    if (hint && r > 0 && (size_t)r < op->want &&
        ub_loop_drained(&s->loop, fd, tag))
      return r; /* and nothing to pass on: the next reader would wait */
    if (r == -ENOTSOCK || r == -EOPNOTSUPP || r == -EINVAL) {
      /* The cached kind was wrong (a named FIFO refuses RWF_NOWAIT, or
       * the number was reused behind our back): ask the fd itself. */
      enum ub_fd_kind was = kind;
      atomic_store(&fi->kind, UB_FD_UNKNOWN);
      kind = ub_fd_kind(op->fd, fi);
      if (r == -EOPNOTSUPP && was == UB_FD_PIPE && kind == UB_FD_PIPE) {
        kind = UB_FD_POLL;
        atomic_store(&fi->kind, kind);
      }
      if (kind != was)
        continue;
    }
    if (r != -EAGAIN) {
      if (woken && r >= 0)
        ub_sched_pass(op->fd, op->dir);
      return r;
    }
    if (op->fd != fd) { /* the attempt chose another fd to wait on */
      fd = op->fd;
      fi = ub_fd_info(fd);
      if (fi == NULL)
        return op->attempt(op, UB_FD_PLAIN);
    }
    if (deadline == 0) {
      uint64_t t = ub_fd_timeout(op->fd, fi, op->dir);
      deadline = t == UB_NEVER ? UB_NEVER : ub_clock_after(ub_clock_now(), t);
    }
    int w = ub_io_wait(s, op->fd, fi, op->dir, deadline);
    if (w > 0) {
      woken = true;
      continue;
    }
    if (w == -ECANCELED) {
      ub_cancel_point();
      continue;
    }
    if (w == -EINTR) {
      ub_cancel_point();
      if (op->done > 0)
        return op->done;
      if (!op->no_restart && deadline == UB_NEVER && ub_io_restart())
        continue;
      return -EINTR;
    }
    if (w == -EPERM) /* the kernel cannot watch it: a plain file after all */
      return op->attempt(op, UB_FD_PLAIN);
    if (op->done > 0)
      return op->done;
    return w == -ETIMEDOUT ? -EAGAIN : w;
  }
}
