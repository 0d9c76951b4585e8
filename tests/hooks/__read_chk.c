// cflags: -O2 -D_FORTIFY_SOURCE=2
/*
 * Description: __read_chk, what read() becomes under -D_FORTIFY_SOURCE=2
 * when the buffer's size is known and the count is not a constant.  A read
 * on a pipe that waits for a writer thread, end of file, EAGAIN, and the
 * fortify check itself: a count larger than the buffer aborts (in a child,
 * with its stderr silenced).
 */
#include "snippet.h"
#include <sys/wait.h>

int main(void)
{
  start();
  char buf[16];
  volatile size_t want = sizeof(buf); /* not a constant: __read_chk */
  int p[2];
  CHECK(pipe(p) == 0);

  struct later w = {p[1], "fortified", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  ssize_t n = SYS("read waits for the writer", read(p[0], buf, want));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  CHECK(fcntl(p[0], F_SETFL, O_NONBLOCK) == 0);
  SYS("read of an empty O_NONBLOCK pipe", read(p[0], buf, want));
  CHECK(fcntl(p[0], F_SETFL, 0) == 0);

  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    want = sizeof(buf) + 1;
    _exit(read(p[0], buf, want) < 0 ? 1 : 0);
  }
  int status;
  CHECK(waitpid(pid, &status, 0) == pid);
  printf("a count past the buffer aborts: %s\n",
         yesno(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT));

  CHECK(close(p[1]) == 0);
  SYS("read at end of file", read(p[0], buf, want));
  return 0;
}
