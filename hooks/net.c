/*
 * net.c - the socket calls that can block: recv*, send*, accept and
 * connect.
 *
 * Receives and sends add MSG_DONTWAIT to the program's flags; a program
 * that passed MSG_DONTWAIT itself asked for this call not to wait, and
 * gets EAGAIN.  A blocking send continues until everything is sent (a
 * datagram is all or nothing anyway), and MSG_WAITALL on a stream socket
 * receives until the buffer is full, the peer closes, or an error.
 *
 * accept has no per-call flag: it polls the listener with a zero timeout
 * first, then accepts.  Another process accepting on the same socket in
 * between could make that accept block the carrier (docs/limits.md).
 *
 * A blocking connect sets O_NONBLOCK on the new socket for the one call,
 * waits for it to become writable, and reads SO_ERROR: the same outcome
 * the kernel's blocking connect gives, including SO_SNDTIMEO expiry
 * (EINPROGRESS).  A program that set O_NONBLOCK still gets EINPROGRESS.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "deadline.h"
#include "fdio.h"
#include "thread.h"

/* ---- receive ----------------------------------------------------------- */

struct recv_op {
  struct ub_io_op op;
  char *buf;
  size_t n;
  int flags;
  struct sockaddr *addr;
  socklen_t *addrlen;
  bool all;      /* MSG_WAITALL on a stream socket */
  bool peek_all; /* the same with MSG_PEEK */
};

/*
 * MSG_PEEK|MSG_WAITALL on a stream: Linux waits until n bytes are queued
 * (or the peer is done) and peeks them all, once.  So the queue is
 * measured (FIONREAD) before the peek, which waits while fewer are there:
 * a peek that came up short and was retried would install any passed fds
 * again, and one continued into the rest of the buffer would copy the
 * same bytes twice.  Whether to wait.
 */
static bool peek_short(int fd, size_t n)
{
  int queued;
  return real.ioctl(fd, FIONREAD, &queued) == 0 && queued >= 0 &&
         (size_t)queued < n && !ub_io_ready(fd, POLLRDHUP);
}

static long recv_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct recv_op *o = (struct recv_op *)op;
  int flags = o->flags | (kind == UB_FD_PLAIN ? 0 : MSG_DONTWAIT);
  if (o->peek_all && kind != UB_FD_PLAIN && peek_short(op->fd, o->n))
    return -EAGAIN;
  long r =
      ub_sys(real.recvfrom(op->fd, o->buf + op->done, o->n - (size_t)op->done,
                           flags, o->addr, o->addrlen));
  if (!o->all || kind == UB_FD_PLAIN)
    return r;
  if (r < 0)
    return r == -EAGAIN || op->done == 0 ? r : op->done;
  op->done += r;
  return r == 0 || (size_t)op->done == o->n ? op->done : -EAGAIN;
}

static bool stream(int fd)
{
  int type = 0;
  socklen_t len = sizeof(type);
  return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
         type == SOCK_STREAM;
}

ssize_t recvfrom(int fd, void *buf, size_t n, int flags, __SOCKADDR_ARG addr,
                 socklen_t *addrlen)
{
  if (flags & MSG_OOB)
    ub_fd_oob();
  UB_ENTER_FD(s, fd);
  if (s == NULL)
    return real.recvfrom(fd, buf, n, flags, addr, addrlen);
  struct recv_op o = {
      .op = {.fd = fd,
             .dir = UB_IN,
             .attempt = recv_attempt,
             .nowait = flags & MSG_DONTWAIT},
      .buf = buf,
      .n = n,
      .flags = flags,
      .addr = addr.__sockaddr__,
      .addrlen = addrlen,
  };
  o.all = (flags & MSG_WAITALL) && n > 0 && stream(fd);
  o.peek_all = o.all && (flags & MSG_PEEK);
  o.all = o.all && !o.peek_all;
  if (flags == 0)
    o.op.want = n; /* not MSG_PEEK, MSG_OOB...: a short count drains */
  return ub_ret(ub_io_run(s, &o.op));
}

ssize_t recv(int fd, void *buf, size_t n, int flags)
{
  UB_CALL(fd);
  return recvfrom(fd, buf, n, flags, (struct sockaddr *)NULL, NULL);
}

ssize_t __recv_chk(int fd, void *buf, size_t n, size_t buflen, int flags)
{
  UB_CALL(fd);
  if (n > buflen) {
    ub_real_ensure();
    return real.__recv_chk(fd, buf, n, buflen, flags);
  }
  return recv(fd, buf, n, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t n, size_t buflen, int flags,
                       __SOCKADDR_ARG addr, socklen_t *addrlen)
{
  UB_CALL(fd);
  if (n > buflen) {
    ub_real_ensure();
    return real.__recvfrom_chk(fd, buf, n, buflen, flags, addr, addrlen);
  }
  return recvfrom(fd, buf, n, flags, addr, addrlen);
}

struct msg_op {
  struct ub_io_op op;
  struct msghdr *msg;
  int flags;
};

/*
 * fds passed with SCM_RIGHTS share their open file with the sender's: the
 * receiver's are new numbers, and neither side's cached blocking mode may
 * be trusted alone any more (fdtab.h).
 */
static void passed_fds(const struct msghdr *m, bool received)
{
  if (m->msg_control == NULL || m->msg_controllen < sizeof(struct cmsghdr))
    return;
  for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)m); c != NULL;
       c = CMSG_NXTHDR((struct msghdr *)m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
      continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < n; i++) {
      int fd;
      memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
      if (received)
        ub_fd_new(fd, UB_FD_UNKNOWN);
      ub_fd_alias(fd, fd);
    }
  }
}

struct recvmsg_op {
  struct msg_op m;
  bool all;      /* MSG_WAITALL on a stream socket */
  bool peek_all; /* the same with MSG_PEEK (peek_short) */
};

static long recvmsg_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct recvmsg_op *o = (struct recvmsg_op *)op;
  struct msghdr *msg = o->m.msg;
  int flags = o->m.flags | (kind == UB_FD_PLAIN ? 0 : MSG_DONTWAIT);
  if (o->peek_all && kind != UB_FD_PLAIN &&
      peek_short(op->fd, ub_iov_total(msg->msg_iov, (int)msg->msg_iovlen)))
    return -EAGAIN;
  if (!o->all || kind == UB_FD_PLAIN || op->done == 0) {
    long r = ub_sys(real.recvmsg(op->fd, msg, flags));
    if (r > 0)
      passed_fds(msg, true);
    if (!o->all || kind == UB_FD_PLAIN || r <= 0)
      return r;
    op->done = r;
  } else {
    /* MSG_WAITALL: the rest, into what is left of the iovec, piece by
     * piece while each piece fills. */
    for (;;) {
      struct iovec one;
      int n = (int)msg->msg_iovlen;
      const struct iovec *left =
          ub_iov_rest(msg->msg_iov, &n, (size_t)op->done, &one);
      struct msghdr rest = {.msg_iov = (struct iovec *)left,
                            .msg_iovlen = (size_t)n};
      long r = n == 0 ? 0 : ub_sys(real.recvmsg(op->fd, &rest, flags));
      if (r < 0)
        return r == -EAGAIN ? r : op->done;
      if (r == 0)
        return op->done; /* the peer closed (or full): that is the result */
      op->done += r;
      if ((size_t)r < ub_iov_total(left, n))
        break;
    }
  }
  size_t want = ub_iov_total(msg->msg_iov, (int)msg->msg_iovlen);
  return (size_t)op->done >= want ? op->done : -EAGAIN;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
  if (flags & MSG_OOB)
    ub_fd_oob();
  UB_ENTER_FD(s, fd);
  if (s == NULL || msg->msg_iovlen > IOV_MAX) {
    ssize_t r = real.recvmsg(fd, msg, flags);
    if (r > 0)
      passed_fds(msg, true);
    return r;
  }
  struct recvmsg_op o = {.m = {.op = {.fd = fd,
                                      .dir = UB_IN,
                                      .attempt = recvmsg_attempt,
                                      .nowait = flags & MSG_DONTWAIT},
                               .msg = msg,
                               .flags = flags}};
  o.all = (flags & MSG_WAITALL) && stream(fd);
  o.peek_all = o.all && (flags & MSG_PEEK);
  o.all = o.all && !o.peek_all;
  return ub_ret(ub_io_run(s, &o.m.op));
}

struct mmsg_op {
  struct ub_io_op op;
  struct mmsghdr *vec;
  unsigned vlen;
  int flags;
  uint64_t deadline; /* recvmmsg's own timeout, checked per datagram */
  bool receive;
};

/* Blocking recvmmsg and sendmmsg go on until vlen messages (recvmmsg:
 * unless MSG_WAITFORONE, or its timeout passed after a datagram). */
static long mmsg_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct mmsg_op *o = (struct mmsg_op *)op;
  struct mmsghdr *v = o->vec + op->done;
  unsigned n = o->vlen - (unsigned)op->done;
  int flags = o->flags | (kind == UB_FD_PLAIN ? 0 : MSG_DONTWAIT);
  long r = o->receive ? ub_sys(real.recvmmsg(op->fd, v, n, flags, NULL))
                      : ub_sys(real.sendmmsg(op->fd, v, n, flags));
  if (kind == UB_FD_PLAIN)
    return r;
  if (r < 0)
    return r == -EAGAIN || op->done == 0 ? r : op->done;
  op->done += r;
  if ((unsigned)op->done == o->vlen || (o->flags & MSG_WAITFORONE) ||
      (o->receive && ub_clock_now() >= o->deadline))
    return op->done;
  return -EAGAIN;
}

int recvmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags,
             struct timespec *timeout)
{
  if (flags & MSG_OOB)
    ub_fd_oob();
  UB_ENTER_FD(s, fd);
  if (s == NULL || vlen == 0)
    return real.recvmmsg(fd, vec, vlen, flags, timeout);
  /* The kernel checks the timeout only after each datagram, so with none
   * arriving it waits for ever: the same here. */
  uint64_t deadline;
  if (ub_deadline_rel(timeout, &deadline) != 0)
    return real.recvmmsg(fd, vec, vlen, flags, timeout); /* its EINVAL */
  struct mmsg_op o = {.op = {.fd = fd,
                             .dir = UB_IN,
                             .attempt = mmsg_attempt,
                             .nowait = flags & MSG_DONTWAIT},
                      .vec = vec,
                      .vlen = vlen > UIO_MAXIOV ? UIO_MAXIOV : vlen,
                      .flags = flags,
                      .deadline = deadline,
                      .receive = true};
  return (int)ub_ret(ub_io_run(s, &o.op));
}

int sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL || vlen == 0)
    return real.sendmmsg(fd, vec, vlen, flags);
  struct mmsg_op o = {.op = {.fd = fd,
                             .dir = UB_OUT,
                             .attempt = mmsg_attempt,
                             .nowait = flags & MSG_DONTWAIT},
                      .vec = vec,
                      .vlen = vlen > UIO_MAXIOV ? UIO_MAXIOV : vlen,
                      .flags = flags};
  return (int)ub_ret(ub_io_run(s, &o.op));
}

/* ---- send --------------------------------------------------------------- */

static long sendmsg_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct msg_op *o = (struct msg_op *)op;
  if (kind == UB_FD_PLAIN)
    return ub_sys(real.sendmsg(op->fd, o->msg, o->flags));
  size_t all = ub_iov_total(o->msg->msg_iov, (int)o->msg->msg_iovlen);
  for (;;) {
    struct iovec one;
    struct msghdr m = *o->msg;
    if (op->done > 0) { /* the rest of a stream send: no ancillary again */
      int n = (int)m.msg_iovlen;
      m.msg_iov =
          (struct iovec *)ub_iov_rest(m.msg_iov, &n, (size_t)op->done, &one);
      m.msg_iovlen = (size_t)n;
      m.msg_control = NULL;
      m.msg_controllen = 0;
    }
    long r = ub_sys(real.sendmsg(op->fd, &m, o->flags | MSG_DONTWAIT));
    if (r < 0)
      return r == -EAGAIN || op->done == 0 ? r : op->done;
    op->done += r;
    if ((size_t)op->done >= all)
      return op->done;
    if ((size_t)r < ub_iov_total(m.msg_iov, (int)m.msg_iovlen))
      return -EAGAIN; /* more to send once there is room */
  }
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
  ub_real_ensure();
  passed_fds(msg, false);
  UB_ENTER_FD(s, fd);
  if (s == NULL || msg->msg_iovlen > IOV_MAX)
    return real.sendmsg(fd, msg, flags);
  struct msg_op o = {.op = {.fd = fd,
                            .dir = UB_OUT,
                            .attempt = sendmsg_attempt,
                            .nowait = flags & MSG_DONTWAIT},
                     .msg = (struct msghdr *)msg,
                     .flags = flags};
  return ub_ret(ub_io_run(s, &o.op));
}

ssize_t sendto(int fd, const void *buf, size_t n, int flags,
               __CONST_SOCKADDR_ARG addr, socklen_t addrlen)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL)
    return real.sendto(fd, buf, n, flags, addr, addrlen);
  struct iovec v = {(void *)buf, n};
  struct msghdr m = {.msg_name = (void *)addr.__sockaddr__,
                     .msg_namelen = addrlen,
                     .msg_iov = &v,
                     .msg_iovlen = 1};
  return sendmsg(fd, &m, flags);
}

ssize_t send(int fd, const void *buf, size_t n, int flags)
{
  UB_CALL(fd);
  return sendto(fd, buf, n, flags, (const struct sockaddr *)NULL, 0);
}

/* ---- accept and connect -------------------------------------------------- */

struct accept_op {
  struct ub_io_op op;
  struct sockaddr *addr;
  socklen_t *addrlen;
  int flags;
  bool four; /* accept4, not accept */
};

/* fd (if >= 0) was accepted on lfd with accept4's flags: a new socket,
 * TCP if lfd is. */
static void accepted(int lfd, int fd, int flags)
{
  if (fd < 0)
    return;
  ub_fd_new(fd, UB_FD_SOCKET);
  ub_fd_made(fd, flags & SOCK_NONBLOCK, lfd);
  struct ub_fdinfo *l = ub_fd_info(lfd);
  if (l != NULL && l->tcp == UB_TCP_YES)
    ub_fd_tcp_set(fd);
}

static long accept_attempt(struct ub_io_op *op, enum ub_fd_kind kind)
{
  struct accept_op *o = (struct accept_op *)op;
  if (kind == UB_FD_SOCKET && !ub_io_ready(op->fd, POLLIN))
    return -EAGAIN; /* (not a socket: the real call says ENOTSOCK) */
  long r = o->four ? real.accept4(op->fd, o->addr, o->addrlen, o->flags)
                   : real.accept(op->fd, o->addr, o->addrlen);
  accepted(op->fd, (int)r, o->four ? o->flags : 0);
  return ub_sys(r);
}

static int do_accept(int fd, struct sockaddr *addr, socklen_t *addrlen,
                     int flags, bool four)
{
  UB_ENTER(s);
  if (ub_prof_on)
    ub_prof_listener(fd); /* so its connections are described as served */
  if (s == NULL) {
    int r = four ? real.accept4(fd, addr, addrlen, flags)
                 : real.accept(fd, addr, addrlen);
    accepted(fd, r, four ? flags : 0);
    return r;
  }
  struct accept_op o = {
      .op = {.fd = fd, .dir = UB_IN, .attempt = accept_attempt},
      .addr = addr,
      .addrlen = addrlen,
      .flags = flags,
      .four = four};
  return (int)ub_ret(ub_io_run(s, &o.op));
}

int accept(int fd, __SOCKADDR_ARG addr, socklen_t *addrlen)
{
  UB_CALL(fd);
  return do_accept(fd, addr.__sockaddr__, addrlen, 0, false);
}

int accept4(int fd, __SOCKADDR_ARG addr, socklen_t *addrlen, int flags)
{
  UB_CALL(fd);
  return do_accept(fd, addr.__sockaddr__, addrlen, flags, true);
}

static long connect_now(int fd, const struct sockaddr *addr, socklen_t len,
                        int fl)
{
  real.fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  long r = ub_sys(real.connect(fd, addr, len));
  real.fcntl(fd, F_SETFL, fl);
  return r;
}

static long do_connect(struct ub_sched *s, int fd, const struct sockaddr *addr,
                       socklen_t len)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  int fl = real.fcntl(fd, F_GETFL);
  if (fi == NULL || fl < 0 || (fl & O_NONBLOCK) ||
      ub_fd_kind(fd, fi) != UB_FD_SOCKET)
    return ub_sys(real.connect(fd, addr, len));
  ub_cancel_point();
  long r = connect_now(fd, addr, len, fl);
  long first = r;
  uint64_t t = ub_fd_timeout(fd, fi, UB_OUT);
  uint64_t deadline =
      t == UB_NEVER ? UB_NEVER : ub_clock_after(ub_clock_now(), t);
  for (;;) {
    if (r != -EINPROGRESS && r != -EAGAIN && r != -EALREADY)
      return r;
    int w = ub_io_wait(s, fd, fi, UB_OUT, deadline);
    if (w == -ETIMEDOUT) /* a connect already under way says EALREADY */
      return first == -EALREADY ? -EALREADY : -EINPROGRESS;
    if (w == -EINTR || w == -ECANCELED) {
      ub_cancel_point();
      if (w == -EINTR && (deadline != UB_NEVER || !ub_io_restart()))
        return -EINTR;
      continue;
    }
    if (w < 0)
      return w;
    if (r == -EAGAIN) { /* a full UNIX listener: try again */
      r = connect_now(fd, addr, len, fl);
      continue;
    }
    int err = 0;
    socklen_t elen = sizeof(err);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
      return -errno;
    if (err != 0)
      return -err;
    if (!ub_io_ready(fd, POLLOUT))
      continue; /* a stale wake-up: still connecting */
    /* Connected.  One more connect moves the socket to the connected
     * state, as the kernel's own blocking connect does before it returns,
     * so that a later connect says EISCONN. */
    r = connect_now(fd, addr, len, fl);
    return r == -EISCONN ? 0 : r;
  }
}

int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t len)
{
  UB_ENTER_FD(s, fd);
  if (s == NULL)
    return real.connect(fd, addr, len);
  return (int)ub_ret(do_connect(s, fd, addr.__sockaddr__, len));
}
