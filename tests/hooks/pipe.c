/*
 * Description: pipe(2): both ends are blocking; a read waits for a writer
 * thread (50 ms); a write larger than the pipe waits for a reader thread and
 * completes; the read end is O_RDONLY and the write end O_WRONLY; end of
 * file once the writer closes; EPIPE (SIGPIPE ignored) once the reader
 * closes.
 */
#include "snippet.h"

static void *drain(void *arg)
{
  int fd = *(int *)arg;
  static char b[4096];
  long total = 0;
  ssize_t n;
  sleep_ms(50);
  while ((n = read(fd, b, sizeof(b))) > 0)
    total += n;
  return (void *)total;
}

int main(void)
{
  start();
  int p[2];
  SYS("pipe", pipe(p));
  printf("read end O_RDONLY: %s, write end O_WRONLY: %s, O_NONBLOCK: %s\n",
         yesno((fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY),
         yesno((fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY),
         yesno((fcntl(p[0], F_GETFL) | fcntl(p[1], F_GETFL)) & O_NONBLOCK));
  struct later w = {p[1], "piped", 50, 0};
  double t0 = now_ms();
  pthread_t t = spawn(later_fn, &w);
  char buf[16];
  ssize_t n = SYS("read waits for the writer", read(p[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  static char big[200000];
  t0 = now_ms();
  t = spawn(drain, &p[0]);
  SYS("write of 200000 bytes", write(p[1], big, sizeof(big)));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  CHECK(close(p[1]) == 0);
  printf("reader got %ld bytes, then end of file\n", (long)join(t));
  CHECK(close(p[0]) == 0);

  CHECK(pipe(p) == 0);
  on_signal(SIGPIPE, SIG_IGN, 0);
  CHECK(close(p[0]) == 0);
  SYS("write, reader closed", write(p[1], "x", 1));
  return 0;
}
