/*
 * Description: close(2).  A pipe whose read end was waited on by a thread
 * (that read got its byte) is closed; the number is then free: the next
 * pipe takes it, and a read on the new pipe waits for its own writer, not
 * the old one's data (no stale readiness from the old registration).
 * Closing a socket gives the peer end of stream; a second close of the
 * same fd, or close(-1), is EBADF.
 *
 * Not here: close while another thread is blocked reading the fd.  Linux
 * leaves that read waiting on the old file; unblock wakes it with EBADF,
 * as its issue asks (docs/limits.md), so the two runs cannot match.
 * tests/edge.bats checks the unblock behaviour.
 */
#include "snippet.h"

static int rfd;

static void *reader(void *arg)
{
  (void)arg;
  char b[8];
  ssize_t n = read(rfd, b, sizeof(b));
  return (void *)(n == 1 && b[0] == 'x' ? 1L : n == -1 ? -(long)errno : 0L);
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  rfd = p[0];
  /* Natively the write below succeeds; if it did not, say so (EPIPE) and go
   * on, rather than die of SIGPIPE. */
  on_signal(SIGPIPE, SIG_IGN, 0);
  pthread_t t = spawn(reader, NULL);
  sleep_ms(50);
  SYS("write to the pipe", write(p[1], "x", 1));
  long r = (long)join(t);
  SYS("close of the fd the thread read", close(p[0]));
  printf("the blocked read %s\n", r == 1  ? "got the byte"
                                  : r < 0 ? errname((int)-r)
                                          : "got something else");

  int q[2];
  CHECK(pipe(q) == 0);
  printf("the new pipe reuses the number: %s\n", yesno(q[0] == p[0]));
  struct later w = {q[1], "new", 50, 0};
  double t0 = now_ms();
  t = spawn(later_fn, &w);
  char buf[8];
  ssize_t n = SYS("read on the new pipe waits", read(q[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  int s[2];
  tcp_pair(s);
  SYS("close a socket", close(s[0]));
  SYS("the peer reads end of stream", recv(s[1], buf, sizeof(buf), 0));
  SYS("close it again", close(s[0]));
  SYS("close(-1)", close(-1));
  return 0;
}
