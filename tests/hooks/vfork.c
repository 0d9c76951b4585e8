/*
 * Description: vfork(2) as programs use it: the child only execs or _exits.
 * The parent is suspended until then; a child running sh exits 5 and the
 * parent reaps 5.  The exec-failure pattern: a close-on-exec pipe carries
 * errno from a child whose exec failed (ENOENT, then _exit(127)); after a
 * successful exec the parent reads end of file instead.  Meanwhile another
 * thread stays blocked on a pipe, and wakes normally afterwards.
 */
#include "snippet.h"
#include <sys/wait.h>

static void *reader(void *arg)
{
  char b[8];
  return (void *)read(*(int *)arg, b, sizeof(b));
}

/* vfork, exec path (or fail), and report errno through a CLOEXEC pipe. */
static int spawn_report(const char *path, int *status)
{
  int e[2], err = 0;
  CHECK(pipe2(e, O_CLOEXEC) == 0);
  pid_t pid = vfork();
  CHECK(pid >= 0);
  if (pid == 0) {
    close(e[0]);
    execl(path, path, "-c", "echo from sh; exit 5", (char *)NULL);
    int code = errno;
    if (write(e[1], &code, sizeof(code)) != sizeof(code))
      _exit(126);
    _exit(127);
  }
  CHECK(close(e[1]) == 0);
  ssize_t n = read(e[0], &err, sizeof(err));
  CHECK(close(e[0]) == 0);
  CHECK(waitpid(pid, status, 0) == pid);
  return n == 0 ? 0 : n == sizeof(err) ? err : -1;
}

int main(void)
{
  start();
  int p[2], status;
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(reader, &p[0]);
  sleep_ms(20);

  int err = spawn_report("/bin/sh", &status);
  printf("exec of /bin/sh: child reported %s, exited %d\n", errname(err),
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  err = spawn_report("/nonexistent/sh", &status);
  printf("exec of /nonexistent/sh: child reported %s, exited %d\n",
         errname(err), WIFEXITED(status) ? WEXITSTATUS(status) : -1);

  pid_t pid = vfork();
  CHECK(pid >= 0);
  if (pid == 0)
    _exit(3);
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("vfork then _exit(3): exited %d\n",
         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  CHECK(write(p[1], "wake", 4) == 4);
  printf("the blocked thread read %ld\n", (long)join(t));
  return 0;
}
