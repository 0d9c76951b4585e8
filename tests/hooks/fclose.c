/*
 * Description: fclose(3) on streams over fds.  fclose of a buffered stream
 * on a pipe flushes, then closes: a reader thread blocked on the pipe gets
 * the data, then end of file.  The fd number is then free and reused by the
 * next pipe, on which a read waits for its own writer thread (50 ms), even
 * though the old stream's fd was O_NONBLOCK.  fclose of a memory stream is
 * 0; fclose of a stream whose fd was already closed is EOF with EBADF.
 */
#include "snippet.h"

struct got {
  int fd;
  char data[32];
  ssize_t first, then;
};

static void *reader(void *arg)
{
  struct got *g = arg;
  g->first = read(g->fd, g->data, sizeof(g->data));
  g->then = read(g->fd, g->data + 16, 16);
  return NULL;
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  FILE *f = fdopen(p[1], "w");
  CHECK(f != NULL);
  CHECK(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0);
  struct got g = {p[0], {0}, 0, 0};
  pthread_t t = spawn(reader, &g);
  fprintf(f, "buffered");
  sleep_ms(50);
  SYS("fclose of a stream on the write end", fclose(f));
  join(t);
  printf("reader got %ld bytes: %.8s, then %ld\n", (long)g.first, g.data,
         (long)g.then);
  printf("the fd is closed: %s\n", yesno(fcntl(p[1], F_GETFD) == -1));

  int q[2];
  CHECK(pipe(q) == 0);
  printf("its read end reuses the number: %s\n", yesno(q[0] == p[1]));
  printf("F_GETFL of it: %s\n", fl_str(q[0]));
  struct later w = {q[1], "fresh", 50, 0};
  double t0 = now_ms();
  t = spawn(later_fn, &w);
  char buf[8];
  ssize_t n = SYS("read on the new pipe waits", read(q[0], buf, sizeof(buf)));
  printf("data: %.*s, waited at least 40ms: %s\n", (int)(n > 0 ? n : 0), buf,
         yesno(now_ms() - t0 >= 40));
  join(t);

  char mem[16];
  FILE *m = fmemopen(mem, sizeof(mem), "w");
  CHECK(m != NULL);
  fputs("in memory", m);
  SYS("fclose of a memory stream", fclose(m));
  FILE *z = fdopen(dup(q[0]), "r");
  CHECK(z != NULL);
  CHECK(close(fileno(z)) == 0);
  SYS("fclose of a stream whose fd is gone", fclose(z));
  return 0;
}
