// cflags: -D_FILE_OFFSET_BITS=64
/*
 * Description: sendfile64, which sendfile() becomes under
 * -D_FILE_OFFSET_BITS=64: data at an offset past 4 GiB in a sparse file is
 * sent to a stream socket with a small send buffer, whose reader thread
 * starts 50 ms later, so the call blocks and then returns the full count;
 * *offset advances, past 4 GiB.  A full O_NONBLOCK pipe gives EAGAIN, an
 * offset at the end of the file returns 0.
 */
#include "snippet.h"
#include <sys/sendfile.h>

#define BASE (5LL << 30)
#define SIZE 300000

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
    for (ssize_t i = 0; i < n; i++)
      if (b[i] != (unsigned char)((d->total + i) % 241))
        d->intact = 0;
    d->total += n;
  }
  return NULL;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-sendfile64-XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0 && unlink(path) == 0);
  static unsigned char data[SIZE];
  for (int i = 0; i < SIZE; i++)
    data[i] = (unsigned char)(i % 241);
  CHECK(pwrite(f, data, SIZE, BASE) == SIZE);

  int s[2], p[2], small = 16384;
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)) == 0);
  struct drain d = {s[1], 0, 0};
  off_t off = BASE;
  double t0 = now_ms();
  pthread_t t = spawn(drain, &d);
  SYS("sendfile64 of 300000 bytes past 5 GiB", sendfile(s[0], f, &off, SIZE));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("offset now 5 GiB + %lld\n", (long long)(off - BASE));
  CHECK(close(s[0]) == 0);
  join(t);
  printf("reader got %ld bytes, intact: %s\n", d.total, yesno(d.intact));

  CHECK(pipe2(p, O_NONBLOCK) == 0);
  CHECK(fcntl(p[1], F_SETPIPE_SZ, 4096) == 4096);
  CHECK(write(p[1], data, 4096) == 4096);
  off = BASE;
  SYS("sendfile64 to a full O_NONBLOCK pipe", sendfile(p[1], f, &off, 100));
  CHECK(read(p[0], data, 4096) == 4096);
  off = BASE + SIZE;
  SYS("sendfile64 from the end of the file", sendfile(p[1], f, &off, 100));
  return 0;
}
