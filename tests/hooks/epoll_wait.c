/*
 * Description: epoll_wait(2) on the program's own epoll set.  The pipe has
 * first been waited on by a blocking read, so the shim knows it too; the
 * program's level-triggered registration must still behave as the kernel's:
 * a timeout (0, other threads running meanwhile), a wait (-1) woken by a
 * writer thread 50 ms later with the program's data word, unread data
 * reported again; EPOLLET reports it once; EPOLLONESHOT once until re-armed;
 * a closed writer EPOLLHUP; maxevents 0 EINVAL; a non-epoll fd EINVAL; a
 * signal EINTR even with SA_RESTART.
 */
#include "snippet.h"
#include <sys/epoll.h>

static void on_alarm(int sig)
{
  (void)sig;
}

static void add(int ep, int fd, unsigned events, unsigned long data)
{
  struct epoll_event ev = {.events = events, .data.u64 = data};
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0);
}

int main(void)
{
  start();
  int p[2];
  CHECK(pipe(p) == 0);
  char buf[8];
  struct later w = {p[1], "r", 50, 0};
  pthread_t t = spawn(later_fn, &w);
  SYS("blocking read first", read(p[0], buf, sizeof(buf)));
  join(t);

  int ep = epoll_create1(EPOLL_CLOEXEC);
  CHECK(ep >= 0);
  add(ep, p[0], EPOLLIN, 42);
  struct epoll_event ev[4];
  struct ticker k;
  ticker_start(&k, 30);
  double t0 = now_ms();
  SYS("epoll_wait on an empty pipe, 100ms", epoll_wait(ep, ev, 4, 100));
  double dt = now_ms() - t0;
  printf("waited 90ms to 2s: %s\n", yesno(dt >= 90 && dt < 2000));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));

  w = (struct later){p[1], "x", 50, 0};
  t0 = now_ms();
  t = spawn(later_fn, &w);
  SYS("epoll_wait(-1) until the writer writes", epoll_wait(ep, ev, 4, -1));
  printf("waited at least 40ms: %s, events %s, data %lu\n",
         yesno(now_ms() - t0 >= 40), events_str(ev[0].events),
         (unsigned long)ev[0].data.u64);
  join(t);
  SYS("epoll_wait again, data unread", epoll_wait(ep, ev, 4, 0));

  int q[2];
  CHECK(pipe(q) == 0);
  add(ep, q[0], EPOLLIN | EPOLLET, 7);
  CHECK(write(q[1], "e", 1) == 1);
  SYS("EPOLLET: first wait (both pipes ready)", epoll_wait(ep, ev, 4, 0));
  SYS("EPOLLET: second wait (only the level one)", epoll_wait(ep, ev, 4, 0));
  printf("data %lu\n", (unsigned long)ev[0].data.u64);

  int r[2];
  CHECK(pipe(r) == 0);
  int ep2 = epoll_create1(0);
  add(ep2, r[0], EPOLLIN | EPOLLONESHOT, 9);
  CHECK(write(r[1], "o", 1) == 1);
  SYS("EPOLLONESHOT: first wait", epoll_wait(ep2, ev, 4, 0));
  SYS("EPOLLONESHOT: second wait", epoll_wait(ep2, ev, 4, 0));
  struct epoll_event re = {.events = EPOLLIN | EPOLLONESHOT, .data.u64 = 9};
  CHECK(epoll_ctl(ep2, EPOLL_CTL_MOD, r[0], &re) == 0);
  SYS("EPOLLONESHOT: after re-arming", epoll_wait(ep2, ev, 4, 0));
  CHECK(close(r[1]) == 0);
  CHECK(read(r[0], buf, 1) == 1);
  CHECK(epoll_ctl(ep2, EPOLL_CTL_MOD, r[0], &re) == 0);
  SYS("writer closed", epoll_wait(ep2, ev, 4, 0));
  printf("events %s\n", events_str(ev[0].events));

  SYS("maxevents 0", epoll_wait(ep, ev, 0, 0));
  SYS("on a pipe", epoll_wait(p[0], ev, 4, 0));
  int e3 = epoll_create1(0);
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  alarm_ms(50);
  SYS("epoll_wait(-1) interrupted by a SA_RESTART handler",
      epoll_wait(e3, ev, 4, -1));
  return 0;
}
