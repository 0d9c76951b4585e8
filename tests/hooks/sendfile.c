/*
 * Description: sendfile(2) from a regular file to a stream socket with a
 * small send buffer: the call blocks until a reader thread (starting 50 ms
 * later) drains the socket and returns the full count; with an offset
 * pointer the file position stays put and *offset advances; without one
 * the position advances.  A full O_NONBLOCK socket gives EAGAIN, a socket
 * as the input EINVAL, a closed input EBADF.
 */
#include "snippet.h"
#include <sys/sendfile.h>

#define SIZE 200000

struct drain {
  int fd;
  long total;
  int intact;
};

static void *drain(void *arg)
{
  struct drain *d = arg;
  static unsigned char b[8192];
  ssize_t n;
  sleep_ms(50);
  d->intact = 1;
  while ((n = read(d->fd, b, sizeof(b))) > 0) {
    for (ssize_t i = 0; i < n; i++) {
      long k = d->total + i; /* the second send repeats the last 1000 */
      if (b[i] != (unsigned char)((k < SIZE ? k : k - 1000) % 253))
        d->intact = 0;
    }
    d->total += n;
  }
  return NULL;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-sendfile-XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0 && unlink(path) == 0);
  static unsigned char data[SIZE];
  for (int i = 0; i < SIZE; i++)
    data[i] = (unsigned char)(i % 253);
  CHECK(write(f, data, SIZE) == SIZE);
  CHECK(lseek(f, 0, SEEK_SET) == 0);

  int s[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  int small = 16384;
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  struct drain d = {s[1], 0, 0};
  off_t off = 0;
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("sendfile of 200000 bytes at offset 0", sendfile(s[0], f, &off, SIZE));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("offset now %ld, file position %ld\n", (long)off,
         (long)lseek(f, 0, SEEK_CUR));
  CHECK(lseek(f, SIZE - 1000, SEEK_SET) == SIZE - 1000);
  SYS("sendfile from the file position", sendfile(s[0], f, NULL, 5000));
  printf("file position %ld\n", (long)lseek(f, 0, SEEK_CUR));
  CHECK(shutdown(s[0], SHUT_WR) == 0);
  join(t);
  printf("reader got %ld bytes, intact: %s\n", d.total, yesno(d.intact));

  int u[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, u) == 0);
  CHECK(setsockopt(u[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  while (send(u[0], data, sizeof(data), 0) > 0)
    ;
  CHECK(errno == EAGAIN);
  off = 0;
  SYS("sendfile to a full O_NONBLOCK socket", sendfile(u[0], f, &off, 100));
  SYS("sendfile from a socket", sendfile(s[0], u[1], NULL, 100));
  CHECK(close(f) == 0);
  SYS("sendfile from a closed fd", sendfile(u[0], f, NULL, 100));
  return 0;
}
