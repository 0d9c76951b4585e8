/*
 * Description: a program with its own epoll loop.  The main thread runs an
 * echo server on nonblocking sockets: the listening socket level-triggered,
 * each connection edge-triggered and drained until EAGAIN, epoll_wait with
 * a 100 ms timeout.  Client threads wait 300 ms (so the loop times out at
 * least once first), then each sends its messages one at a time, reading
 * every echo back with blocking reads, and closes.  The loop ends when
 * every client has closed.
 *
 * Prints whether epoll_wait timed out before the clients came, the
 * connection and byte counts, and what each client got back.
 */
#include "e2e.h"
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>

#define CLIENTS 8
#define MSGS 20

static int port;
static int result[CLIENTS]; /* echoes that came back intact */

static void *client(void *arg)
{
  int id = (int)(long)arg;
  usleep(300 * 1000);
  int s = connect_loopback(port);
  for (int m = 0; m < MSGS; m++) {
    char msg[64], got[64];
    int len = snprintf(msg, sizeof(msg), "client %d message %d\n", id, m);
    CHECK(write(s, msg, len) == len);
    int have = 0;
    while (have < len) {
      ssize_t n = read(s, got + have, len - have);
      if (n <= 0)
        break;
      have += (int)n;
    }
    if (have == len && memcmp(msg, got, len) == 0)
      result[id]++;
  }
  close(s);
  return NULL;
}

int main(void)
{
  start();
  int l = listen_loopback(&port);
  CHECK(fcntl(l, F_SETFL, O_NONBLOCK) == 0);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  CHECK(ep >= 0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = l};
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev) == 0);

  pthread_t t[CLIENTS];
  for (long i = 0; i < CLIENTS; i++)
    CHECK(pthread_create(&t[i], NULL, client, (void *)i) == 0);

  int timeouts_first = 0, accepted = 0, closed = 0;
  long bytes = 0;
  while (closed < CLIENTS) {
    struct epoll_event evs[16];
    int n = epoll_wait(ep, evs, 16, 100);
    CHECK(n >= 0 || errno == EINTR);
    if (n == 0 && accepted == 0)
      timeouts_first++;
    for (int i = 0; i < n; i++) {
      int fd = evs[i].data.fd;
      if (fd == l) {
        int c;
        while ((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct epoll_event cev = {.events = EPOLLIN | EPOLLET, .data.fd = c};
          CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) == 0);
          accepted++;
        }
        CHECK(errno == EAGAIN);
        continue;
      }
      /* Edge-triggered: drain until EAGAIN or the end of the stream. */
      for (;;) {
        char buf[512];
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r > 0) {
          CHECK(write(fd, buf, r) == r);
          bytes += r;
          continue;
        }
        if (r < 0 && errno == EAGAIN)
          break;
        CHECK(r == 0);
        CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL) == 0);
        close(fd);
        closed++;
        break;
      }
    }
  }
  for (int i = 0; i < CLIENTS; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  printf("epoll_wait timed out before the clients came: %s\n",
         yesno(timeouts_first > 0));
  printf("connections accepted: %d, closed: %d\n", accepted, closed);
  printf("bytes echoed: %ld\n", bytes);
  for (int i = 0; i < CLIENTS; i++)
    printf("client %d: %d of %d echoes intact\n", i, result[i], MSGS);
  close(ep);
  close(l);
  return 0;
}
