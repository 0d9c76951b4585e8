/*
 * epolld.c - the hand-written event-loop server that `make bench` holds
 * unblock against: one OS thread, one epoll set, the same minimal HTTP as
 * demos/httpd.c (demos/http.h), the same answer byte for byte.
 *
 * It is written the way a careful C programmer writes such a server, so
 * that it is a fair target, not a straw man:
 *   - level-triggered epoll, one epoll_wait for up to 256 events;
 *   - on readable, one read() into the connection's buffer (no second read
 *     to see EAGAIN: level triggering reports what is left next time);
 *   - every complete request in the buffer is answered with one write();
 *     only if the socket is full does the connection wait for EPOLLOUT,
 *     and it reads nothing more until the answer is out;
 *   - the listener is non-blocking, and one readiness accepts until EAGAIN
 *     (accept4 with SOCK_NONBLOCK, so no fcntl per connection), with
 *     TCP_NODELAY as in httpd;
 *   - a connection's state, REQ_MAX bytes of buffer included, is one malloc
 *     and one free.
 * A connection answered with "Connection: close" (or a refusal) is shut for
 * writing, then read and dropped until the client's EOF, as httpd does.
 *
 * Out of descriptors (EMFILE and friends), the listener leaves the epoll set
 * for 10 ms, so a full table does not spin the loop.  SIGTERM or SIGINT ends
 * the loop; it prints "served N requests on M connections", like httpd, and
 * exits 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../http.h"

#define MAX_EVENTS 256
#define PAUSE_MS 10 /* how long the listener rests when fds run out */

struct conn {
  int fd;
  int closing;     /* answered with close: drop input until EOF */
  size_t have;     /* request bytes in buf */
  const char *out; /* unsent tail of the current answer, or NULL */
  size_t out_len;
  char buf[REQ_MAX];
};

static volatile sig_atomic_t stopping;
static int ep = -1;
static long n_requests, n_closed;

static void on_signal(int sig)
{
  (void)sig;
  stopping = 1;
}

static _Noreturn void usage(const char *why, const char *flag)
{
  fprintf(stderr, "epolld: %s %s\n", why, flag);
  fprintf(stderr, "usage: epolld [-p PORT] [-b ADDR]\n"
                  "  -p PORT  port to listen on; 0 picks a free one "
                  "(default 8080)\n"
                  "  -b ADDR  IPv4 or IPv6 address to bind (default "
                  "127.0.0.1)\n");
  exit(2);
}

static long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void watch(int op, int fd, unsigned events, void *ptr)
{
  struct epoll_event ev = {.events = events, .data.ptr = ptr};
  if (epoll_ctl(ep, op, fd, &ev) != 0 && op != EPOLL_CTL_DEL) {
    fprintf(stderr, "epolld: epoll_ctl: %s\n", strerror(errno));
    exit(1);
  }
}

static void drop(struct conn *c)
{
  close(c->fd); /* closing also takes it out of the epoll set */
  free(c);
  n_closed++;
}

/* Sends what is left of the answer; 0: all out, 1: wait, -1: peer gone. */
static int flush(struct conn *c)
{
  while (c->out_len > 0) {
    ssize_t w = write(c->fd, c->out, c->out_len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return errno == EAGAIN ? 1 : -1;
    c->out += w;
    c->out_len -= (size_t)w;
  }
  c->out = NULL;
  return 0;
}

/*
 * Answers every complete request in the buffer.  Returns 0 to keep reading,
 * 1 when an answer waits for room (EPOLLOUT), -1 when the connection is done.
 */
static int serve(struct conn *c)
{
  for (;;) {
    char *end = memmem(c->buf, c->have, "\r\n\r\n", 4);
    if (end == NULL) {
      if (c->have < sizeof(c->buf))
        return 0;
      c->out = too_large, c->out_len = sizeof(too_large) - 1;
      c->closing = 1;
    } else {
      size_t used = (size_t)(end + 4 - c->buf);
      int keep;
      c->out = answer(c->buf, used, &keep);
      c->out_len = strlen(c->out);
      c->closing = !keep;
      memmove(c->buf, c->buf + used, c->have - used);
      c->have -= used;
      n_requests++;
    }
    int st = flush(c);
    if (st != 0)
      return st;
    if (c->closing) {
      shutdown(c->fd, SHUT_WR);
      return 0;
    }
  }
}

static void on_conn(struct conn *c, unsigned events)
{
  if (c->out != NULL) { /* waiting for room: only EPOLLOUT matters */
    int st = flush(c);
    if (st < 0)
      drop(c);
    else if (st == 0 && c->closing)
      shutdown(c->fd, SHUT_WR), watch(EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
    else if (st == 0 && serve(c) >= 0)
      watch(EPOLL_CTL_MOD, c->fd, c->out ? EPOLLOUT : EPOLLIN, c);
    return;
  }
  (void)events;
  char junk[4096];
  char *to = c->closing ? junk : c->buf + c->have;
  size_t room = c->closing ? sizeof(junk) : sizeof(c->buf) - c->have;
  ssize_t n = read(c->fd, to, room);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0) { /* EOF or reset */
    drop(c);
    return;
  }
  if (c->closing)
    return;
  c->have += (size_t)n;
  int st = serve(c);
  if (st < 0)
    drop(c);
  else if (st == 1)
    watch(EPOLL_CTL_MOD, c->fd, EPOLLOUT, c);
}

/* Accepts until EAGAIN; 1 if the descriptors ran out (pause the listener). */
static int on_listener(int lfd)
{
  for (;;) {
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
          errno == ENOMEM) {
        static int said;
        if (!said++)
          fprintf(stderr, "epolld: accept: %s (pausing)\n", strerror(errno));
        return 1;
      }
      return 0; /* EAGAIN, or a connection that went away meanwhile */
    }
    struct conn *c = malloc(sizeof(*c));
    if (c == NULL) {
      close(fd);
      continue;
    }
    c->fd = fd, c->closing = 0, c->have = 0, c->out = NULL, c->out_len = 0;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    watch(EPOLL_CTL_ADD, fd, EPOLLIN, c);
  }
}

int main(int argc, char **argv)
{
  const char *addr = "127.0.0.1";
  long port = 8080;
  int opt;
  opterr = 0;
  while ((opt = getopt(argc, argv, ":p:b:")) != -1) {
    char flag[3] = {'-', (char)optopt, '\0'};
    char *end;
    switch (opt) {
    case 'p':
      port = strtol(optarg, &end, 10);
      if (*optarg == '\0' || *end != '\0' || port < 0 || port > 65535)
        usage("-p: not a port number (0-65535):", optarg);
      break;
    case 'b': addr = optarg; break;
    case ':': usage("missing value for option", flag);
    default: usage("unknown option", flag);
    }
  }
  if (optind < argc)
    usage("unexpected argument", argv[optind]);

  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal; /* no SA_RESTART: epoll_wait returns EINTR */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  int lfd = http_listen("epolld", addr, (int)port, SOCK_NONBLOCK);
  ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) {
    fprintf(stderr, "epolld: epoll_create1: %s\n", strerror(errno));
    return 1;
  }
  watch(EPOLL_CTL_ADD, lfd, EPOLLIN, NULL); /* NULL marks the listener */
  long paused_until = 0; /* ms on CLOCK_MONOTONIC; 0: not paused */
  struct epoll_event evs[MAX_EVENTS];
  while (!stopping) {
    int n = epoll_wait(ep, evs, MAX_EVENTS, paused_until ? PAUSE_MS : -1);
    if (n < 0 && errno != EINTR) {
      fprintf(stderr, "epolld: epoll_wait: %s\n", strerror(errno));
      return 1;
    }
    if (paused_until && now_ms() >= paused_until) {
      paused_until = 0;
      watch(EPOLL_CTL_ADD, lfd, EPOLLIN, NULL);
    }
    for (int i = 0; i < n; i++) {
      if (evs[i].data.ptr != NULL) {
        on_conn(evs[i].data.ptr, evs[i].events);
      } else if (on_listener(lfd)) {
        paused_until = now_ms() + PAUSE_MS;
        watch(EPOLL_CTL_DEL, lfd, 0, NULL);
      }
    }
  }
  printf("served %ld requests on %ld connections\n", n_requests, n_closed);
  fflush(stdout);
  return 0;
}
