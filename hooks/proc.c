/*
 * proc.c - fork, so that the child gets a loop of its own.
 *
 * The child of fork() holds copies of the parent's epoll fd and eventfd,
 * which still name the parent's kernel objects: a registration or a wait
 * there would steal the parent's events.  So the child's surviving green
 * thread rebuilds its carrier's loop at once, and every other green thread
 * is forgotten, as fork forgets every other thread.
 *
 * vfork becomes fork: a vfork child shares the parent's memory, and any
 * hook it ran (close and dup2 are usual there) would change the parent's
 * loop.  POSIX lets vfork be fork, and a correct vfork child (exec or
 * _exit) cannot tell.  exec, posix_spawn, system and popen need nothing:
 * they create no green thread, and children inherit LD_PRELOAD.
 */
#include <errno.h>
#include <stdio.h>

#include "hook.h"

pid_t fork(void)
{
  struct ub_sched *s = ub_hook_enter();
  pid_t pid = real.fork();
  if (pid == 0 && s != NULL) {
    int err = ub_sched_after_fork(s);
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
