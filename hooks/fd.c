/*
 * fd.c - the lifecycle hooks that keep the loop's view of fds true.
 *
 * Every call that gives an fd number a new file marks the number as new
 * (fdtab.h), so its kind is read again and each carrier's loop forgets
 * any registration the old file left under that number before it next
 * waits on it.  close, and dup2/dup3 onto an fd, first wake every green
 * thread waiting on that fd with EBADF, on every carrier, and drop its
 * registrations (while the fd still names the file, so epoll can be
 * told), then do the real call.
 *
 * fcntl(F_SETLKW) waits for a record lock on the helper pool
 * (hooks/offload.c), so the other green threads run meanwhile.
 *
 * fcntl(F_SETFL) and ioctl(FIONBIO) change the blocking mode the hooks
 * honour (fdtab.h says which cached modes that touches); F_GETFL needs nothing,
 * since unblock never sets O_NONBLOCK on the program's files.  setsockopt of
 * SO_RCVTIMEO or SO_SNDTIMEO changes a socket's timeouts.  fclose is hooked
 * because stdio closes its fd inside glibc, where no hook would see it.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "fdio.h"
#include "hidefd.h"
#include "offload.h"

/* fd is about to be closed or replaced: waiters get EBADF, on whichever
 * carrier they wait. */
static void forget(int fd)
{
  ub_real_ensure();
  struct ub_fdinfo *fi = ub_fd_info(fd);
  /* Not from a handler, which may have interrupted the loop itself: then
   * the number's new generation alone makes every loop forget it later. */
  if (fi != NULL && ub_sig_depth == 0)
    ub_loop_forget_all(fd, atomic_load(&fi->gen));
  ub_fd_new(fd, UB_FD_UNKNOWN);
}

static int made(int fd, enum ub_fd_kind kind)
{
  if (fd >= 0)
    ub_fd_new(fd, kind);
  return fd;
}

int socket(int domain, int type, int protocol)
{
  ub_real_ensure();
  int fd = made(real.socket(domain, type, protocol), UB_FD_SOCKET);
  if (fd >= 0)
    ub_fd_made(fd, type & SOCK_NONBLOCK, -1);
  if (fd >= 0 && (domain == AF_INET || domain == AF_INET6) &&
      (type & 0xf) == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP))
    ub_fd_tcp_set(fd);
  return fd;
}

int socketpair(int domain, int type, int protocol, int sv[2])
{
  ub_real_ensure();
  int r = real.socketpair(domain, type, protocol, sv);
  if (r == 0) {
    made(sv[0], UB_FD_SOCKET);
    made(sv[1], UB_FD_SOCKET);
  }
  return r;
}

int pipe2(int fds[2], int flags)
{
  ub_real_ensure();
  int r = real.pipe2(fds, flags);
  if (r == 0) {
    made(fds[0], UB_FD_PIPE);
    made(fds[1], UB_FD_PIPE);
  }
  return r;
}

int pipe(int fds[2])
{
  return pipe2(fds, 0);
}

/* A dup's result: a new number for fd's file. */
static int copied(int fd, int r)
{
  if (r >= 0 && r != fd) {
    ub_fd_new(r, UB_FD_UNKNOWN);
    ub_fd_alias(fd, r);
  }
  return r;
}

int dup(int fd)
{
  ub_real_ensure();
  return copied(fd, real.dup(fd));
}

int dup3(int fd, int fd2, int flags)
{
  ub_real_ensure();
  if (fd != fd2 && real.fcntl(fd, F_GETFD) >= 0)
    forget(fd2);
  return copied(fd, real.dup3(fd, fd2, flags));
}

int dup2(int fd, int fd2)
{
  ub_real_ensure();
  if (fd != fd2 && real.fcntl(fd, F_GETFD) >= 0)
    forget(fd2);
  return copied(fd, real.dup2(fd, fd2));
}

static int do_fcntl(int (*call)(int, int, ...), int fd, int cmd, void *arg)
{
  if (cmd == F_SETLKW || cmd == F_OFD_SETLKW) /* no readiness: the pool */
    return (int)ub_offload(UB_OFF_fcntl64, (void *[]){&fd, &cmd, &arg});
  int r = call(fd, cmd, arg);
  if (r < 0)
    return r;
  switch (cmd) {
  case F_SETFL: ub_fd_nonblock_set(fd, (long)arg & O_NONBLOCK); break;
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: copied(fd, r); break;
  }
  return r;
}

int fcntl(int fd, int cmd, ...)
{
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *); /* as glibc: int or pointer alike */
  va_end(ap);
  ub_real_ensure();
  return do_fcntl(real.fcntl, fd, cmd, arg);
}

int fcntl64(int fd, int cmd, ...)
{
  va_list ap;
  va_start(ap, cmd);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  ub_real_ensure();
  return do_fcntl(real.fcntl64, fd, cmd, arg);
}

int ioctl(int fd, unsigned long request, ...)
{
  va_list ap;
  va_start(ap, request);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  ub_real_ensure();
  int r = real.ioctl(fd, request, arg);
  if (r == 0 && request == FIONBIO)
    ub_fd_nonblock_set(fd, *(const int *)arg != 0);
  return r;
}

int setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
  ub_real_ensure();
  int r = real.setsockopt(fd, level, name, value, len);
  if (r == 0 && level == SOL_SOCKET &&
      (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD ||
       name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW))
    ub_fd_timeout_changed();
  if (r == 0 && level == IPPROTO_TCP && name == TCP_ULP)
    ub_fd_ulp_seen();
  return r;
}

int shutdown(int fd, int how)
{
  /* Waiters see the shutdown as the kernel reports it (RDHUP, HUP). */
  ub_real_ensure();
  return real.shutdown(fd, how);
}

int close(int fd)
{
  ub_real_ensure();
  if (ub_hiddenfd(fd)) { /* the loop's own: the program never had it */
    errno = EBADF;
    return -1;
  }
  forget(fd);
  return real.close(fd);
}

int fclose(FILE *stream)
{
  ub_real_ensure();
  int fd = stream != NULL ? fileno(stream) : -1;
  if (fd >= 0)
    forget(fd);
  return real.fclose(stream);
}
