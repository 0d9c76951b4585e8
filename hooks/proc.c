/*
 * proc.c - fork, so that the child gets a loop of its own.
 *
 * The child of fork() holds copies of the parent's epoll fd and eventfd,
 * which still name the parent's kernel objects: a registration or a wait
 * there would steal the parent's events.  So the child's surviving green
 * thread rebuilds its carrier's loop at once, and every other green thread
 * is forgotten, as fork forgets every other thread.
 *
 * wait, waitpid, wait4 and waitid that would block: for one child's exit,
 * the green thread waits on the loop for the child's pidfd to turn
 * readable, then reaps it with WNOHANG; any other wait (any child, a
 * group, stops and continues) runs on the helper pool (offload.h).  With
 * WNOHANG they are made at once.  system() and pclose() wait inside glibc,
 * so they run on the pool whole.
 *
 * vfork becomes fork: a vfork child shares the parent's memory, and any
 * hook it ran (close and dup2 are usual there) would change the parent's
 * loop.  POSIX lets vfork be fork, and a correct vfork child (exec or
 * _exit) cannot tell.  exec, posix_spawn and popen need nothing: they
 * create no green thread, and children inherit LD_PRELOAD.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <valgrind/valgrind.h>

#include "carriers.h"
#include "monitor.h"
#include "fdio.h"
#include "hook.h"
#include "signal.h"
#include "control.h"
#include "sys.h"
#include "thread.h"
#include "waitq.h"
#include "offload.h"

pid_t fork(void)
{
  UB_ENTER(s);
  pid_t pid = real.fork();
  if (pid == 0)
    ub_waitq_after_fork();
  if (pid == 0 && s != NULL) {
    int err = ub_sched_after_fork(s);
    ub_carriers_after_fork();
    ub_offload_after_fork();
    ub_monitor_after_fork();
    ub_control_after_fork();
    ub_sig_main_carrier(s->first != NULL ? s : NULL);
    if (err != 0) {
      /* The child cannot wait on anything: say so, and stop it. */
      static const char msg[] = "unblock: the child of fork() could not "
                                "build its event loop\n";
      (void)!write(2, msg, sizeof(msg) - 1);
      _exit(127);
    }
  }
  return pid;
}

pid_t vfork(void)
{
  return fork();
}

/*
 * Wait on the loop until child pid may have exited: its pidfd turns
 * readable then.  The pidfd is moved high, away from the numbers the
 * program's next open or socket gets, and closed again.  0 (look now), or
 * -EINTR, -ECANCELED, or another -errno when no pidfd can stand in (the
 * caller then uses the pool).
 */
static int wait_pidfd(struct ub_sched *s, pid_t pid)
{
  if (RUNNING_ON_VALGRIND)
    return -ENOSYS; /* valgrind 3.19 does not know pidfd_open, and warns */
  int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pfd < 0)
    return -errno;
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 64 &&
      rl.rlim_cur <= INT_MAX) {
    int high = real.fcntl(pfd, F_DUPFD_CLOEXEC, (int)(rl.rlim_cur / 2));
    if (high >= 0) {
      real.close(pfd);
      pfd = high;
    }
  }
  ub_fd_new(pfd, UB_FD_PLAIN);
  int w = ub_io_wait(s, pfd, ub_fd_info(pfd), UB_IN, UB_NEVER);
  ub_loop_forget(&s->loop, pfd);
  real.close(pfd);
  ub_fd_new(pfd, UB_FD_UNKNOWN);
  return w > 0 ? 0 : w == 0 ? -EAGAIN : w;
}

/* After a wait_pidfd result w < 0: go on waiting (true), or return with
 * errno set (false, *err the error). */
static bool pidfd_again(int w, bool *use_pool)
{
  if (w == -ECANCELED) {
    ub_cancel_point();
    return true;
  }
  if (w == -EINTR) {
    ub_cancel_point();
    if (ub_io_restart())
      return true;
    errno = EINTR;
    return false;
  }
  *use_pool = true;
  return false;
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
  UB_ENTER(s);
  if (s == NULL || (options & WNOHANG))
    return real.wait4(pid, status, options, usage);
  if (pid > 0 && !(options & (WUNTRACED | WCONTINUED))) {
    /* One child, and only its exit counts: its pidfd on the loop. */
    ub_cancel_point();
    bool use_pool = false;
    for (;;) {
      pid_t r = real.wait4(pid, status, options | WNOHANG, usage);
      if (r != 0)
        return r;
      int w = wait_pidfd(s, pid);
      if (w == 0 || pidfd_again(w, &use_pool))
        continue;
      if (!use_pool)
        return -1;
      break;
    }
  }
  return (pid_t)ub_offload(UB_OFF_wait4,
                           (void *[]){&pid, &status, &options, &usage});
}

pid_t waitpid(pid_t pid, int *status, int options)
{
  UB_CALL(-1);
  ub_real_ensure();
  return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
  UB_CALL(-1);
  ub_real_ensure();
  return wait4(-1, status, 0, NULL);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
  UB_ENTER(s);
  if (s == NULL || (options & WNOHANG))
    return real.waitid(idtype, id, info, options);
  if (idtype == P_PID && info != NULL && (options & ~WNOWAIT) == WEXITED) {
    ub_cancel_point();
    bool use_pool = false;
    for (;;) {
      info->si_pid = 0;
      int r = real.waitid(idtype, id, info, options | WNOHANG);
      if (r != 0 || info->si_pid != 0)
        return r;
      int w = wait_pidfd(s, (pid_t)id);
      if (w == 0 || pidfd_again(w, &use_pool))
        continue;
      if (!use_pool)
        return -1;
      break;
    }
  }
  return (int)ub_offload(UB_OFF_waitid,
                         (void *[]){&idtype, &id, &info, &options});
}

/* system() forks, execs and waits inside glibc: all of it on a helper. */
int system(const char *command)
{
  UB_CALL(-1);
  return (int)ub_offload(UB_OFF_system, (void *[]){&command});
}

/* pclose closes the pipe and waits for the command inside glibc. */
int pclose(FILE *stream)
{
  UB_CALL(-1);
  ub_real_ensure();
  int fd = stream != NULL ? fileno(stream) : -1;
  struct ub_fdinfo *fi = fd >= 0 ? ub_fd_info(fd) : NULL;
  if (fi != NULL && ub_sig_depth == 0)
    ub_loop_forget_all(fd, atomic_load(&fi->gen));
  if (fd >= 0)
    ub_fd_new(fd, UB_FD_UNKNOWN);
  return (int)ub_offload(UB_OFF_pclose, (void *[]){&stream});
}
