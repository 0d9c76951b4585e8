/*
 * httpd.c - a thread-per-connection HTTP/1.1 server, written the old way.
 *
 * What it is.  The "legacy blocking program" of `make demo`: it includes no
 * unblock header and knows nothing of unblock.  The main thread blocks in
 * accept() and starts one detached pthread per connection, and each
 * connection thread blocks in read() and write().  Natively that costs one
 * OS thread per client (1,000 clients, 1,001 threads); run through the
 * unblock launcher, the same binary's pthreads become green threads on the
 * hidden event loop.
 *
 * The protocol, minimal on purpose.  A request is a request line and
 * headers up to the blank line (CRLF CRLF); GET only, and no request body.
 * Every GET gets the same answer, "200 OK" with the body "hello\n" and its
 * Content-Length, which the load generator (httpload.c) checks byte for
 * byte.  HTTP/1.1 keeps the connection open unless the request says
 * "Connection: close"; HTTP/1.0 closes it unless it says "keep-alive".
 * Pipelined requests are answered in order.  Anything else is answered with
 * 400, 405 or 431, and the connection is closed.
 *
 * Stopping.  SIGTERM or SIGINT, or -n N once N connections have been
 * closed, set a flag and shutdown() the listening socket.  On Linux that
 * makes a blocked accept() return at once (EINVAL), whichever thread took
 * the signal and whether or not the call would restart, and the wake-up
 * cannot be lost when it lands before accept() is entered: the socket stays
 * shut.  shutdown() is async-signal-safe.  main then drains: it shuts the
 * read side of every live connection, so each thread answers what it has
 * already read, sees EOF and closes, and main waits (at most 2 s) until
 * they are all gone before it returns 0.
 *
 * Memory.  A connection thread keeps all its state on its own stack, whose
 * size is set by attribute (128 KiB instead of the default 8 MiB), so 1,000
 * threads are cheap and nothing is allocated per connection: nothing can
 * leak, even if the process exits under a thread the drain gave up on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http.h"

#define STACK_SIZE (128 * 1024)

/*
 * The live connections, for the drain.  Each node lives on its connection
 * thread's stack; the list and the count are under live_lock.
 */
struct live {
  int fd;
  struct live *prev, *next;
};
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t live_gone = PTHREAD_COND_INITIALIZER;
static struct live live_list = {-1, &live_list, &live_list};
static long live_count;

/* Shared by main, the connection threads and the signal handler. */
static atomic_int stopping;
static int listen_fd = -1;
static long close_limit; /* -n: stop after this many closed; 0 = never */
static atomic_long n_closed;
static atomic_long n_requests;

static _Noreturn void usage(const char *why, const char *flag)
{
  fprintf(stderr, "httpd: %s %s\n", why, flag);
  fprintf(stderr, "usage: httpd [-p PORT] [-b ADDR] [-n CONNECTIONS]\n"
                  "  -p PORT  port to listen on; 0 picks a free one "
                  "(default 8080)\n"
                  "  -b ADDR  IPv4 or IPv6 address to bind (default "
                  "127.0.0.1)\n"
                  "  -n N     exit after N connections have been closed\n");
  exit(2);
}

/* Parses a whole decimal number in [lo, hi]; -1 if it is not one. */
static long number(const char *s, long lo, long hi)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
    return -1;
  return v;
}

/* Async-signal-safe: an atomic store and a system call. */
static void request_stop(void)
{
  atomic_store(&stopping, 1);
  shutdown(listen_fd, SHUT_RDWR);
}

static void on_signal(int sig)
{
  (void)sig;
  int saved = errno;
  request_stop();
  errno = saved;
}

/* write() until all of it is out; 0, or -1 when the peer is gone. */
static int write_all(int fd, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/*
 * The server closes first: send FIN, then read and drop what the client
 * still sends (up to 64 KiB, for at most 2 s) until its EOF.  Closing with
 * unread data in the receive queue would make the kernel send RST, which
 * can destroy the answer before the client has read it.
 */
static void linger_close(int fd)
{
  char junk[4096];
  struct timeval tv = {2, 0};
  shutdown(fd, SHUT_WR);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  for (int i = 0; i < 16; i++) {
    ssize_t n = read(fd, junk, sizeof(junk));
    if (n == 0 || (n < 0 && errno != EINTR))
      break;
  }
}

static void connection_closed(void)
{
  long closed = atomic_fetch_add(&n_closed, 1) + 1;
  if (close_limit > 0 && closed == close_limit)
    request_stop();
}

/*
 * main counts a connection as live before it starts the thread (or fails
 * to: delta -1), so that drain() also waits for threads not yet running.
 */
static void live_add(int delta)
{
  pthread_mutex_lock(&live_lock);
  live_count += delta;
  if (delta < 0)
    connection_closed();
  pthread_mutex_unlock(&live_lock);
}

/*
 * Joins the live list.  A thread that starts after main's drain went by
 * sees `stopping` under the same lock, and shuts its own read side.
 */
static void live_join(struct live *me)
{
  pthread_mutex_lock(&live_lock);
  me->next = live_list.next;
  me->prev = &live_list;
  me->next->prev = me;
  live_list.next = me;
  if (atomic_load(&stopping))
    shutdown(me->fd, SHUT_RD);
  pthread_mutex_unlock(&live_lock);
}

/* Leaves the live list, counted as closed: drain's summary sees it. */
static void live_leave(struct live *me)
{
  pthread_mutex_lock(&live_lock);
  me->prev->next = me->next;
  me->next->prev = me->prev;
  connection_closed();
  if (--live_count == 0)
    pthread_cond_signal(&live_gone);
  pthread_mutex_unlock(&live_lock);
}

/* Wakes every connection with EOF, then waits for them all to close. */
static void drain(void)
{
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 2;
  pthread_mutex_lock(&live_lock);
  for (struct live *l = live_list.next; l != &live_list; l = l->next)
    shutdown(l->fd, SHUT_RD);
  while (live_count > 0)
    if (pthread_cond_timedwait(&live_gone, &live_lock, &until) == ETIMEDOUT)
      break;
  if (live_count > 0)
    fprintf(stderr, "httpd: %ld connections still busy after 2 s\n",
            live_count);
  pthread_mutex_unlock(&live_lock);
}

/* One connection, start to finish: read, answer, repeat while kept alive. */
static void *serve(void *arg)
{
  int fd = (int)(intptr_t)arg;
  struct live me = {.fd = fd};
  char buf[REQ_MAX];
  size_t have = 0;
  live_join(&me);
  for (;;) {
    char *end = memmem(buf, have, "\r\n\r\n", 4);
    if (end == NULL) {
      if (have == sizeof(buf)) {
        if (write_all(fd, too_large, sizeof(too_large) - 1) == 0)
          linger_close(fd);
        break;
      }
      ssize_t n = read(fd, buf + have, sizeof(buf) - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break; /* EOF or reset: the client is gone */
      have += (size_t)n;
      continue;
    }
    size_t used = (size_t)(end + 4 - buf);
    int keep;
    const char *resp = answer(buf, used, &keep);
    if (write_all(fd, resp, strlen(resp)) != 0)
      break;
    atomic_fetch_add(&n_requests, 1);
    if (!keep) {
      linger_close(fd);
      break;
    }
    memmove(buf, buf + used, have - used); /* a pipelined next request */
    have -= used;
  }
  live_leave(&me);
  close(fd); /* after leaving: drain() must never shut a reused number */
  return NULL;
}

/* Out of descriptors: say so once, back off 10 ms, let closes catch up. */
static void back_off(int err)
{
  static int said;
  if (!said++)
    fprintf(stderr, "httpd: accept: %s (retrying)\n", strerror(err));
  struct timespec ts = {0, 10 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
  const char *addr = "127.0.0.1";
  int port = 8080;
  int opt;
  opterr = 0; /* our own messages, naming the flag */
  while ((opt = getopt(argc, argv, ":p:b:n:")) != -1) {
    char flag[3] = {'-', (char)optopt, '\0'};
    switch (opt) {
    case 'p':
      if ((port = (int)number(optarg, 0, 65535)) < 0)
        usage("-p: not a port number (0-65535):", optarg);
      break;
    case 'b': addr = optarg; break;
    case 'n':
      if ((close_limit = number(optarg, 1, LONG_MAX)) < 0)
        usage("-n: not a positive count:", optarg);
      break;
    case ':': usage("missing value for option", flag);
    default: usage("unknown option", flag);
    }
  }
  if (optind < argc)
    usage("unexpected argument", argv[optind]);

  signal(SIGPIPE, SIG_IGN); /* a vanished client is a write() error */

  listen_fd = http_listen("httpd", addr, port, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, STACK_SIZE);

  while (!atomic_load(&stopping)) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) {
      int err = errno;
      if (atomic_load(&stopping))
        break;
      if (err == EINTR || err == ECONNABORTED)
        continue;
      if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
        back_off(err);
        continue;
      }
      fprintf(stderr, "httpd: accept: %s\n", strerror(err));
      return 1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    pthread_t t;
    live_add(1);
    int err = pthread_create(&t, &attr, serve, (void *)(intptr_t)fd);
    if (err != 0) {
      fprintf(stderr, "httpd: pthread_create: %s\n", strerror(err));
      close(fd);
      live_add(-1);
    }
  }
  pthread_attr_destroy(&attr);
  drain();
  /* listen_fd stays open: a late request_stop() must not hit a reused fd. */
  printf("served %ld requests on %ld connections\n", atomic_load(&n_requests),
         atomic_load(&n_closed));
  fflush(stdout);
  return 0;
}
