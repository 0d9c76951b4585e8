/*
 * Description: accept4(2): with flags 0 it waits for a client thread
 * (connecting 50 ms later) and the socket is blocking, so a read on it waits
 * too; with SOCK_NONBLOCK | SOCK_CLOEXEC the new socket reports both (F_GETFL,
 * F_GETFD) and a read on it gives EAGAIN; on an O_NONBLOCK listener with
 * nobody there EAGAIN; unknown flags EINVAL.
 */
#include "snippet.h"

static struct sockaddr_in addr;
static int cfd = -1;

static void *client(void *arg)
{
  (void)arg;
  sleep_ms(50);
  cfd = connect_local(&addr);
  sleep_ms(50);
  CHECK(write(cfd, "slow", 4) == 4);
  return NULL;
}

int main(void)
{
  start();
  int l = listen_local(&addr);
  double t0 = now_ms();
  pthread_t t = spawn(client, NULL);
  int a =
      FD("accept4, flags 0, waits for the client", accept4(l, NULL, NULL, 0));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  printf("O_NONBLOCK: %s, FD_CLOEXEC: %s\n",
         yesno(fcntl(a, F_GETFL) & O_NONBLOCK),
         yesno(fcntl(a, F_GETFD) & FD_CLOEXEC));
  char buf[16];
  ssize_t n = SYS("read on it waits for the client", read(a, buf, sizeof(buf)));
  printf("data: %.*s\n", (int)(n > 0 ? n : 0), buf);
  join(t);
  CHECK(close(cfd) == 0);

  int fd = connect_local(&addr);
  int b = FD("accept4 SOCK_NONBLOCK|SOCK_CLOEXEC",
             accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
  printf("O_NONBLOCK: %s, FD_CLOEXEC: %s\n",
         yesno(fcntl(b, F_GETFL) & O_NONBLOCK),
         yesno(fcntl(b, F_GETFD) & FD_CLOEXEC));
  SYS("read on it, nothing sent", read(b, buf, sizeof(buf)));
  CHECK(close(fd) == 0);
  SYS("read on it after the client closed", read(b, buf, sizeof(buf)));

  CHECK(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
  SYS("accept4 on an O_NONBLOCK listener, nobody there",
      accept4(l, NULL, NULL, SOCK_CLOEXEC));
  SYS("accept4 with unknown flags", accept4(l, NULL, NULL, 0x40000000));
  return 0;
}
