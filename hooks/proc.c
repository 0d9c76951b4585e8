/*
 * proc.c - fork, so that the child gets a loop of its own.
 *
 * The child of fork() holds copies of the parent's epoll fd and eventfd,
 * which still name the parent's kernel objects: a registration or a wait
 * there would steal the parent's events.  So the child's surviving green
 * thread rebuilds its carrier's loop at once, and every other green thread
 * is forgotten, as fork forgets every other thread.
 *
 * wait, waitpid, wait4 and waitid that would block wait on a helper
 * thread (hooks/offload.c), so the parent's other green threads run
 * meanwhile; with WNOHANG they are made at once.
 *
 * vfork becomes fork: a vfork child shares the parent's memory, and any
 * hook it ran (close and dup2 are usual there) would change the parent's
 * loop.  POSIX lets vfork be fork, and a correct vfork child (exec or
 * _exit) cannot tell.  exec, posix_spawn, system and popen need nothing:
 * they create no green thread, and children inherit LD_PRELOAD.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "carriers.h"
#include "hook.h"
#include "signal.h"
#include "waitq.h"
#include "offload.h"

pid_t fork(void)
{
  struct ub_sched *s = ub_hook_enter();
  pid_t pid = real.fork();
  if (pid == 0)
    ub_waitq_after_fork();
  if (pid == 0 && s != NULL) {
    int err = ub_sched_after_fork(s);
    ub_carriers_after_fork();
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

struct wait_call {
  idtype_t idtype;
  pid_t pid;
  id_t id;
  int *status;
  int options;
  struct rusage *usage;
  siginfo_t *info;
};

static long do_wait4(void *p)
{
  struct wait_call *c = p;
  return real.wait4(c->pid, c->status, c->options, c->usage);
}

static long do_waitid(void *p)
{
  struct wait_call *c = p;
  return real.waitid(c->idtype, c->id, c->info, c->options);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *usage)
{
  if (ub_hook_enter() == NULL || (options & WNOHANG))
    return real.wait4(pid, status, options, usage);
  struct wait_call c = {
      .pid = pid, .status = status, .options = options, .usage = usage};
  return (pid_t)ub_offload(do_wait4, &c);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
  ub_real_ensure();
  return wait4(pid, status, options, NULL);
}

pid_t wait(int *status)
{
  ub_real_ensure();
  return wait4(-1, status, 0, NULL);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
  if (ub_hook_enter() == NULL || (options & WNOHANG))
    return real.waitid(idtype, id, info, options);
  struct wait_call c = {
      .idtype = idtype, .id = id, .info = info, .options = options};
  return (int)ub_offload(do_waitid, &c);
}
