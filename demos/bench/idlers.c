/*
 * idlers.c - `make bench`'s idle-connection client: opens as many
 * keep-alive connections to a server as it is told, holds them idle, and
 * measures what one more request costs meanwhile.
 *
 * A connection counts as open once the server has accepted it and
 * answered one GET on it: a connect() alone completes in the kernel's
 * accept queue, before the server has done anything.  So every connection
 * sends its GET as soon as it is established, and the run has three phases:
 *   1. open: non-blocking connects, at most -w at a time not yet answered
 *      (the listen backlog is 4,096: a full queue drops SYNs, and a dropped
 *      SYN costs a second), until all -c have been answered once.  The time
 *      from the first connect to the last answer is "open_s".
 *   2. hold: print "holding N" and keep them idle for -k ms, so that a
 *      script can sample the server (RSS, threads, maps) meanwhile; then,
 *      still holding, time -n fresh connections one after another, each
 *      from connect() to its answer ("probe_ms" p50 and max).
 *   3. close everything and print the figures as "key value" lines.
 * Every answer is checked (status line and body); any failure or a phase
 * that takes more than -t seconds is an error, and the exit status is 1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PER_SOURCE 5000 /* connections per source address */

static const char request[] = "GET / HTTP/1.1\r\nHost: bench\r\n\r\n";
static const char answer_tail[] = "\r\n\r\nhello\n";

enum state { CONNECTING, WAITING, OPEN };

struct conn {
  int fd;
  enum state state;
  size_t got; /* answer bytes read so far */
  char buf[160];
};

static struct sockaddr_in server;
static double deadline_s = 30;

static _Noreturn void usage(const char *why, const char *what)
{
  fprintf(stderr, "idlers: %s %s\n", why, what);
  fprintf(stderr,
          "usage: idlers -p PORT [-c CONNS] [-w WINDOW] [-k HOLD_MS] "
          "[-n PROBES] [-t SECONDS]\n"
          "  -p PORT    the server's port on 127.0.0.1\n"
          "  -c CONNS   connections to open and hold (default 1000)\n"
          "  -w WINDOW  at most this many opening at once (default 1000)\n"
          "  -k HOLD_MS hold them idle this long before probing (default "
          "1000)\n"
          "  -n PROBES  fresh requests timed while they are held "
          "(default 20)\n"
          "  -t SECONDS give up on a phase after this long (default 30)\n");
  exit(2);
}

static _Noreturn void fail(const char *what)
{
  fprintf(stderr, "idlers: %s: %s\n", what, strerror(errno));
  exit(1);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long number(const char *s, const char *flag, long lo, long hi)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    usage("bad value for", flag);
  return v;
}

/* Reads what the server sent; 1 once the whole answer is in, 0 for more,
 * -1 on a wrong answer or a closed connection. */
static int take_answer(struct conn *c)
{
  ssize_t n = read(c->fd, c->buf + c->got, sizeof(c->buf) - 1 - c->got);
  if (n < 0 && errno == EAGAIN)
    return 0;
  if (n <= 0)
    return -1;
  c->got += (size_t)n;
  c->buf[c->got] = '\0';
  if (strncmp(c->buf, "HTTP/1.1 200 OK\r\n", c->got < 17 ? c->got : 17) != 0)
    return -1;
  size_t tl = sizeof(answer_tail) - 1;
  if (c->got < tl || strcmp(c->buf + c->got - tl, answer_tail) != 0)
    return c->got < sizeof(c->buf) - 1 ? 0 : -1;
  return 1;
}

/*
 * A new connection from 127.0.0.(2 + i / PER_SOURCE).  Linux gives connect()
 * ports from half of the ephemeral range (about 14,000 here), and scans the
 * whole half for every connect once its ports are taken, which made 19,000
 * connections from one address take seconds.  Loopback has all of 127/8,
 * and with IP_BIND_ADDRESS_NO_PORT the port is still chosen at connect().
 */
static int start_connect(long i)
{
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
  struct sockaddr_in src = {.sin_family = AF_INET,
                            .sin_addr.s_addr =
                                htonl(INADDR_LOOPBACK + 1 + i / PER_SOURCE)};
  if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0)
    fail("bind");
  if (connect(fd, (struct sockaddr *)&server, sizeof(server)) != 0 &&
      errno != EINPROGRESS)
    fail("connect");
  return fd;
}

/* Phase 1: open n connections; returns them. */
static struct conn *open_all(int n, int window, double *took)
{
  struct conn *cs = calloc((size_t)n, sizeof(*cs));
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (cs == NULL || ep < 0)
    fail("setup");
  int started = 0, open = 0, busy = 0;
  double t0 = now_s();
  struct epoll_event evs[256];
  while (open < n) {
    for (; started < n && busy < window; started++, busy++) {
      struct conn *c = &cs[started];
      c->fd = start_connect(started);
      c->state = CONNECTING;
      /* Edge-triggered, both ways, once: the connect completes (OUT),
       * then the answer arrives (IN); no epoll_ctl per phase. */
      struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET,
                               .data.ptr = c};
      if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0)
        fail("epoll_ctl");
    }
    int k = epoll_wait(ep, evs, 256, 1000);
    if (k < 0 && errno != EINTR)
      fail("epoll_wait");
    if (now_s() - t0 > deadline_s) {
      fprintf(stderr, "idlers: only %d of %d open after %.0f s\n", open, n,
              deadline_s);
      exit(1);
    }
    for (int i = 0; i < k; i++) {
      struct conn *c = evs[i].data.ptr;
      if (c->state == OPEN)
        continue; /* a late edge */
      if (c->state == CONNECTING) {
        if (!(evs[i].events & EPOLLOUT))
          continue;
        /* A failed connect fails this write, with its reason. */
        if (write(c->fd, request, sizeof(request) - 1) !=
            (ssize_t)sizeof(request) - 1)
          fail("connect, or the request's write");
        c->state = WAITING;
        if (!(evs[i].events & EPOLLIN))
          continue;
      }
      int st = take_answer(c);
      if (st < 0) {
        fprintf(stderr, "idlers: connection %ld: no answer, or a wrong one\n",
                (long)(c - cs));
        exit(1);
      }
      if (st == 1) {
        c->state = OPEN;
        open++, busy--;
      }
    }
  }
  *took = now_s() - t0;
  close(ep); /* the held connections go quiet */
  return cs;
}

/* One fresh connection, from connect() to its answer: ms. */
static double probe(long i)
{
  double t0 = now_s();
  struct conn c = {.fd = start_connect(i), .state = CONNECTING};
  struct pollfd p = {.fd = c.fd, .events = POLLOUT};
  for (;;) {
    if (poll(&p, 1, (int)(deadline_s * 1000)) != 1) {
      fprintf(stderr, "idlers: a probe got no answer in %.0f s\n", deadline_s);
      exit(1);
    }
    if (c.state == CONNECTING) {
      if (write(c.fd, request, sizeof(request) - 1) < 0)
        fail("probe: write");
      c.state = WAITING;
      p.events = POLLIN;
      continue;
    }
    int st = take_answer(&c);
    if (st < 0) {
      fprintf(stderr, "idlers: a probe got no answer, or a wrong one\n");
      exit(1);
    }
    if (st == 1)
      break;
  }
  double ms = (now_s() - t0) * 1000;
  close(c.fd);
  return ms;
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  long port = -1, conns = 1000, window = 1000, hold_ms = 1000, probes = 20;
  int opt;
  opterr = 0;
  while ((opt = getopt(argc, argv, ":p:c:w:k:n:t:")) != -1) {
    char flag[3] = {'-', (char)optopt, '\0'};
    switch (opt) {
    case 'p': port = number(optarg, "-p", 1, 65535); break;
    case 'c': conns = number(optarg, "-c", 1, 1000000); break;
    case 'w': window = number(optarg, "-w", 1, 1000000); break;
    case 'k': hold_ms = number(optarg, "-k", 0, 3600000); break;
    case 'n': probes = number(optarg, "-n", 1, 100000); break;
    case 't': deadline_s = (double)number(optarg, "-t", 1, 3600); break;
    case ':': usage("missing value for option", flag);
    default: usage("unknown option", flag);
    }
  }
  if (port < 0)
    usage("missing", "-p PORT");
  if (optind < argc)
    usage("unexpected argument", argv[optind]);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if ((rlim_t)conns + 16 > rl.rlim_cur) {
    fprintf(stderr,
            "idlers: -c %ld needs more descriptors than ulimit -n "
            "(%lu) allows\n",
            conns, (unsigned long)rl.rlim_cur);
    return 2;
  }
  server.sin_family = AF_INET;
  server.sin_port = htons((uint16_t)port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  double open_s;
  struct conn *cs = open_all((int)conns, (int)window, &open_s);
  printf("holding %ld\n", conns);
  fflush(stdout);
  usleep((useconds_t)hold_ms * 1000);
  double *ms = calloc((size_t)probes, sizeof(*ms));
  if (ms == NULL)
    fail("calloc");
  for (long i = 0; i < probes; i++)
    ms[i] = probe(conns + i);
  qsort(ms, (size_t)probes, sizeof(*ms), by_value);
  /* Reset, not FIN: no TIME_WAIT left behind for the next server's run. */
  struct linger now = {.l_onoff = 1, .l_linger = 0};
  for (long i = 0; i < conns; i++) {
    setsockopt(cs[i].fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
    close(cs[i].fd);
  }
  printf("connections %ld\nopen_s %.3f\nprobe_ms_p50 %.3f\nprobe_ms_max %.3f\n",
         conns, open_s, ms[(probes - 1) / 2], ms[probes - 1]);
  return 0;
}
