/*
 * Description: SO_RCVTIMEO on a connected TCP socket over loopback, set to
 * 500 ms.  recv() and read() with nothing to read fail with EAGAIN after
 * about the timeout; a recv() whose data comes 100 ms later returns it
 * before the timeout; and getsockopt reads the timeout back.
 *
 * Prints results and coarse timings (generous bounds: 0.4 s to 2 s).
 */
#include "e2e.h"
#include <pthread.h>
#include <sys/time.h>

static int peer;

static void *send_later(void *arg)
{
  (void)arg;
  usleep(100 * 1000);
  CHECK(send(peer, "ping", 4, 0) == 4);
  return NULL;
}

static void report(const char *what, ssize_t n, int err, const char *buf)
{
  if (n < 0)
    printf("%s: -1 %s\n", what, errname(err));
  else
    printf("%s: %zd '%.*s'\n", what, n, (int)n, buf);
}

int main(void)
{
  start();
  int s = loopback_pair(&peer);

  struct timeval tv = {.tv_sec = 0, .tv_usec = 500 * 1000};
  CHECK(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
  struct timeval back;
  socklen_t len = sizeof(back);
  CHECK(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &back, &len) == 0);
  printf("SO_RCVTIMEO reads back as %ld.%06ld s\n", (long)back.tv_sec,
         (long)back.tv_usec);

  char buf[16];
  double t0 = now_s();
  ssize_t n = recv(s, buf, sizeof(buf), 0);
  int err = errno;
  double dt = now_s() - t0;
  report("recv with nothing to read", n, err, buf);
  printf("  after 0.4 s to 2 s: %s\n", yesno(dt >= 0.4 && dt < 2.0));

  t0 = now_s();
  n = read(s, buf, sizeof(buf));
  err = errno;
  dt = now_s() - t0;
  report("read with nothing to read", n, err, buf);
  printf("  after 0.4 s to 2 s: %s\n", yesno(dt >= 0.4 && dt < 2.0));

  pthread_t t;
  CHECK(pthread_create(&t, NULL, send_later, NULL) == 0);
  t0 = now_s();
  n = recv(s, buf, sizeof(buf), 0);
  err = errno;
  dt = now_s() - t0;
  report("recv of data sent 100 ms later", n, err, buf);
  printf("  before the timeout (under 0.4 s): %s\n", yesno(dt < 0.4));
  CHECK(pthread_join(t, NULL) == 0);

  close(s);
  close(peer);
  return 0;
}
