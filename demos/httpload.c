/*
 * httpload.c - a load generator for demos/httpd.c: many keep-alive
 * connections, and every response checked.
 *
 * It is the measuring side of `make demo`, so it must neither be the
 * bottleneck nor share the server's fate: one OS thread, non-blocking
 * sockets, its own level-triggered epoll loop, and it is never run under
 * unblock.
 *
 * A run has four phases:
 *   1. connect: open all -c connections at once (non-blocking connect())
 *      and wait until each one is established or has failed.
 *   2. load: every connection sends "GET /", reads the whole response,
 *      checks it, and sends the next request (one in flight per connection,
 *      keep-alive), until -d seconds have passed or it has made -r requests.
 *   3. hold (-k MS): the connections stay open and idle for MS ms.  The line
 *      "holding N connections for MS ms" on stdout says when this begins, so
 *      a script can sample the server meanwhile.
 *   4. close everything and print the summary.
 *
 * Checking.  The status line must be exactly "HTTP/1.1 200 OK"; the headers
 * must hold exactly one Content-Length, equal to the body's length, and no
 * "Connection: close"; the body must be "hello\n" byte for byte; and nothing
 * may follow it.  A connection that fails to connect, is closed or reset by
 * the server (in any phase), gets no answer within -t seconds, or gets a
 * wrong answer is an error and is dropped.  The exit status is 0 only if
 * there were no errors at all, 1 otherwise, and 2 for bad usage.
 *
 * Latency runs from the write() of a request to the read() that completes
 * its response, for every request; p50 and p99 are nearest-rank over all.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY "hello\n"
#define STATUS_LINE "HTTP/1.1 200 OK\r\n"
#define RESP_MAX 1024   /* a longer response is wrong anyway */
#define ERRORS_SHOWN 10 /* the first errors are printed, then counted */
#define TICK_MS 50      /* the longest epoll wait: timeouts are checked */
#define NS_PER_S 1000000000ull

enum state { CONNECTING, IDLE, SENDING, WAITING, DEAD };

struct conn {
  int fd;
  enum state state;
  int want_out;   /* EPOLLOUT is in the interest set */
  size_t sent;    /* bytes of the request written */
  size_t have;    /* bytes of the response read */
  uint64_t since; /* when the connect or the request began (ns) */
  long done;      /* requests answered correctly */
  char buf[RESP_MAX];
};

struct run {
  /* Settings. */
  struct sockaddr_storage addr;
  socklen_t addr_len;
  int nconns;
  double secs;    /* -d; 0 with -r */
  long reqs;      /* -r; 0 with -d */
  long hold_ms;   /* -k */
  double timeout; /* -t */
  /* State. */
  int epfd;
  struct conn *c;
  char req[160];
  size_t req_len;
  int connecting; /* conns in CONNECTING */
  int busy;       /* conns in SENDING or WAITING */
  uint64_t t_start, t_end, deadline;
  /* Results. */
  uint64_t *lat;
  size_t nlat, cap;
  long ok, bad, failed;
};

static uint64_t now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static _Noreturn void usage(const char *why, const char *what)
{
  fprintf(stderr, "httpload: %s %s\n", why, what);
  fprintf(stderr,
          "usage: httpload -p PORT [-a ADDR] [-c CONNECTIONS] "
          "[-d SECONDS | -r REQUESTS] [-k MS] [-t SECONDS]\n"
          "  -p PORT  the server's port\n"
          "  -a ADDR  the server's address (default 127.0.0.1)\n"
          "  -c N     keep-alive connections, all open at once (default 100)\n"
          "  -d S     send requests for S seconds (default 3)\n"
          "  -r N     or send N requests on each connection\n"
          "  -k MS    then hold the connections open and idle for MS ms\n"
          "  -t S     an answer or connect taking over S seconds is an "
          "error (default 10)\n");
  exit(2);
}

/* A number in [lo, hi], whole if `whole`; anything else stops with usage. */
static double number(const char *flag, const char *s, double lo, double hi,
                     int whole)
{
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi) ||
      (whole && v != (double)(long long)v))
    usage(flag, s);
  return v;
}

/* Prints the first few errors, counts them all, and drops the connection. */
static void fail(struct run *r, struct conn *c, int bad, const char *fmt, ...)
{
  if (r->bad + r->failed < ERRORS_SHOWN) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "httpload: connection %d: ", (int)(c - r->c));
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
  } else if (r->bad + r->failed == ERRORS_SHOWN) {
    fprintf(stderr, "httpload: further errors are counted, not shown\n");
  }
  if (bad)
    r->bad++;
  else
    r->failed++;
  if (c->state == CONNECTING)
    r->connecting--;
  if (c->state == SENDING || c->state == WAITING)
    r->busy--;
  close(c->fd); /* also leaves the epoll set */
  c->state = DEAD;
}

static void set_events(struct run *r, struct conn *c, int out)
{
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0),
                           .data.u32 = (uint32_t)(c - r->c)};
  c->want_out = out;
  if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
    fail(r, c, 0, "epoll_ctl: %s", strerror(errno));
}

/* Writes what is left of the request; waits for EPOLLOUT if it must. */
static void send_more(struct run *r, struct conn *c)
{
  ssize_t n = write(c->fd, r->req + c->sent, r->req_len - c->sent);
  if (n < 0 && errno != EAGAIN && errno != EINTR) {
    fail(r, c, 0, "write: %s", strerror(errno));
    return;
  }
  if (n > 0)
    c->sent += (size_t)n;
  if (c->sent == r->req_len) {
    c->state = WAITING;
    if (c->want_out)
      set_events(r, c, 0);
  } else if (!c->want_out) {
    set_events(r, c, 1);
  }
}

static void send_request(struct run *r, struct conn *c)
{
  if (c->state != SENDING && c->state != WAITING)
    r->busy++;
  c->state = SENDING;
  c->sent = 0;
  c->have = 0;
  c->since = now_ns();
  send_more(r, c);
}

/* Finds header `name` in the block [h, end); its value is trimmed. */
static const char *header(const char *h, const char *end, const char *name,
                          size_t *vlen, int *count)
{
  const char *found = NULL;
  size_t nlen = strlen(name);
  *count = 0;
  while (h < end) {
    const char *eol = memmem(h, (size_t)(end - h), "\r\n", 2);
    if (eol == NULL)
      eol = end;
    if ((size_t)(eol - h) > nlen && h[nlen] == ':' &&
        strncasecmp(h, name, nlen) == 0) {
      const char *v = h + nlen + 1;
      const char *ve = eol;
      while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
      found = v;
      *vlen = (size_t)(ve - v);
      ++*count;
    }
    h = eol + 2;
  }
  return found;
}

/* Copies p[0..n) into out for a message, with \n, \r and others escaped. */
static const char *escaped(const char *p, size_t n, char *out, size_t outlen)
{
  size_t o = 0;
  for (size_t i = 0; i < n && o + 5 < outlen; i++) {
    unsigned char ch = (unsigned char)p[i];
    if (ch == '\n' || ch == '\r')
      o +=
          (size_t)snprintf(out + o, outlen - o, "\\%c", ch == '\n' ? 'n' : 'r');
    else if (ch < 0x20 || ch >= 0x7f || ch == '\\')
      o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", ch);
    else
      out[o++] = (char)ch;
  }
  out[o] = '\0';
  return out;
}

/*
 * Checks the response read so far: 0 if it is not complete yet, 1 if it is
 * complete and right, -1 if it is wrong (the reason then goes to `why`).
 */
static int check(const char *b, size_t n, char *why, size_t whylen)
{
  size_t slen = strlen(STATUS_LINE);
  if (memcmp(b, STATUS_LINE, n < slen ? n : slen) != 0) {
    const char *eol = memmem(b, n, "\r\n", 2);
    size_t shown = eol ? (size_t)(eol - b) : n;
    char esc[64];
    snprintf(why, whylen, "status line '%s', expected '%.15s'",
             escaped(b, shown, esc, sizeof(esc)), STATUS_LINE);
    return -1;
  }
  const char *hend = memmem(b, n, "\r\n\r\n", 4);
  if (hend == NULL) {
    if (n == RESP_MAX)
      snprintf(why, whylen, "header longer than %d bytes", RESP_MAX);
    return n == RESP_MAX ? -1 : 0;
  }
  size_t hlen = (size_t)(hend + 4 - b), vlen = 0;
  int count;
  const char *v = header(b + slen, hend + 2, "Content-Length", &vlen, &count);
  if (count != 1) {
    snprintf(why, whylen, "%d Content-Length headers, expected 1", count);
    return -1;
  }
  size_t blen = strlen(BODY);
  char expect[24];
  snprintf(expect, sizeof(expect), "%zu", blen);
  if (vlen != strlen(expect) || memcmp(v, expect, vlen) != 0) {
    snprintf(why, whylen, "Content-Length '%.*s', expected %s", (int)vlen, v,
             expect);
    return -1;
  }
  v = header(b + slen, hend + 2, "Connection", &vlen, &count);
  if (v != NULL && memmem(v, vlen, "close", 5) != NULL) {
    snprintf(why, whylen, "the server closes the connection");
    return -1;
  }
  if (n < hlen + blen)
    return 0;
  if (n > hlen + blen) {
    snprintf(why, whylen, "%zu bytes after the body", n - hlen - blen);
    return -1;
  }
  if (memcmp(b + hlen, BODY, blen) != 0) {
    char esc[64];
    snprintf(why, whylen, "body '%s', expected 'hello\\n'",
             escaped(b + hlen, blen, esc, sizeof(esc)));
    return -1;
  }
  return 1;
}

static void record(struct run *r, uint64_t ns)
{
  if (r->nlat == r->cap) {
    r->cap = r->cap ? 2 * r->cap : 65536;
    r->lat = realloc(r->lat, r->cap * sizeof(*r->lat));
    if (r->lat == NULL) {
      fprintf(stderr, "httpload: out of memory for latencies\n");
      exit(1);
    }
  }
  r->lat[r->nlat++] = ns;
}

/* The connection is readable: a response, or EOF, or an error. */
static void receive(struct run *r, struct conn *c)
{
  ssize_t n = read(c->fd, c->buf + c->have, sizeof(c->buf) - c->have);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n < 0) {
    fail(r, c, 0, "read: %s", strerror(errno));
    return;
  }
  if (n == 0) {
    fail(r, c, 0, "the server closed the connection (%s)",
         c->state == IDLE ? "while idle" : "with a request pending");
    return;
  }
  if (c->state != WAITING) {
    fail(r, c, 1, "%zd bytes that no request asked for", n);
    return;
  }
  c->have += (size_t)n;
  char why[160];
  int verdict = check(c->buf, c->have, why, sizeof(why));
  if (verdict < 0) {
    fail(r, c, 1, "%s", why);
    return;
  }
  if (verdict == 0)
    return;
  uint64_t t = now_ns();
  record(r, t - c->since);
  r->t_end = t;
  r->ok++;
  c->done++;
  if (r->reqs > 0 ? c->done >= r->reqs : t >= r->deadline) {
    c->state = IDLE;
    r->busy--;
  } else {
    send_request(r, c);
  }
}

static void on_event(struct run *r, struct conn *c, uint32_t events)
{
  if (c->state == CONNECTING) {
    int err = 0;
    socklen_t len = sizeof(err);
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail(r, c, 0, "connect: %s", strerror(err));
      return;
    }
    c->state = IDLE;
    r->connecting--;
    set_events(r, c, 0);
    return;
  }
  if ((events & EPOLLOUT) && c->state == SENDING)
    send_more(r, c);
  if (c->state != DEAD && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
    receive(r, c);
}

/* One turn of the loop: wait up to `ms`, dispatch, then enforce -t. */
static void turn(struct run *r, int ms)
{
  struct epoll_event ev[512];
  int n = epoll_wait(r->epfd, ev, 512, ms);
  if (n < 0 && errno != EINTR) {
    perror("httpload: epoll_wait");
    exit(1);
  }
  for (int i = 0; i < n; i++) {
    struct conn *c = &r->c[ev[i].data.u32];
    if (c->state != DEAD)
      on_event(r, c, ev[i].events);
  }
  uint64_t now = now_ns(), limit = (uint64_t)(r->timeout * NS_PER_S);
  for (int i = 0; i < r->nconns; i++) {
    struct conn *c = &r->c[i];
    if ((c->state == CONNECTING || c->state == SENDING ||
         c->state == WAITING) &&
        now - c->since > limit)
      fail(r, c, 0, "no %s within %g s",
           c->state == CONNECTING ? "connection" : "answer", r->timeout);
  }
}

/* Phase 1: every connect() at once, then wait for the outcomes. */
static void connect_all(struct run *r)
{
  for (int i = 0; i < r->nconns; i++) {
    struct conn *c = &r->c[i];
    c->since = now_ns();
    c->state = CONNECTING;
    r->connecting++;
    c->fd = socket(r->addr.ss_family,
                   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
      fprintf(stderr, "httpload: socket: %s\n", strerror(errno));
      exit(1);
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)i};
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
      fprintf(stderr, "httpload: epoll_ctl: %s\n", strerror(errno));
      exit(1);
    }
    if (connect(c->fd, (struct sockaddr *)&r->addr, r->addr_len) != 0 &&
        errno != EINPROGRESS)
      fail(r, c, 0, "connect: %s", strerror(errno));
  }
  while (r->connecting > 0)
    turn(r, TICK_MS);
}

static int by_value(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least pct% at or below it. */
static double percentile_ms(const struct run *r, size_t pct)
{
  if (r->nlat == 0)
    return 0;
  size_t rank = (pct * r->nlat + 99) / 100;
  return (double)r->lat[rank - 1] / 1e6;
}

static void parse_args(struct run *r, int argc, char **argv)
{
  const char *addr = "127.0.0.1";
  long port = -1;
  int opt;
  r->nconns = 100;
  r->timeout = 10;
  opterr = 0;
  while ((opt = getopt(argc, argv, ":p:a:c:d:r:k:t:")) != -1) {
    char flag[3] = {'-', (char)optopt, '\0'};
    switch (opt) {
    case 'p':
      port = (long)number("-p: not a port:", optarg, 1, 65535, 1);
      break;
    case 'a': addr = optarg; break;
    case 'c':
      r->nconns = (int)number("-c: not a count:", optarg, 1, 1e6, 1);
      break;
    case 'd': r->secs = number("-d: not seconds:", optarg, 1e-3, 1e6, 0); break;
    case 'r':
      r->reqs = (long)number("-r: not a count:", optarg, 1, 1e12, 1);
      break;
    case 'k':
      r->hold_ms = (long)number("-k: not ms:", optarg, 0, 1e9, 1);
      break;
    case 't':
      r->timeout = number("-t: not seconds:", optarg, 1e-3, 1e6, 0);
      break;
    case ':': usage("missing value for option", flag);
    default: usage("unknown option", flag);
    }
  }
  if (optind < argc)
    usage("unexpected argument", argv[optind]);
  if (port < 0)
    usage("missing option", "-p PORT");
  if (r->secs > 0 && r->reqs > 0)
    usage("-d and -r exclude each other:", "pick one");
  if (r->secs == 0 && r->reqs == 0)
    r->secs = 3;

  struct sockaddr_in *v4 = (struct sockaddr_in *)&r->addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&r->addr;
  if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    r->addr_len = sizeof(*v4);
  } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    r->addr_len = sizeof(*v6);
  } else {
    usage("-a: not an IPv4 or IPv6 address:", addr);
  }
  int v6addr = r->addr.ss_family == AF_INET6;
  r->req_len = (size_t)snprintf(
      r->req, sizeof(r->req), "GET / HTTP/1.1\r\nHost: %s%s%s:%ld\r\n\r\n",
      v6addr ? "[" : "", addr, v6addr ? "]" : "", port);
  if (r->req_len >= sizeof(r->req))
    usage("-a: address too long:", addr);
}

int main(int argc, char **argv)
{
  static struct run run; /* zeroed */
  struct run *r = &run;
  parse_args(r, argc, argv);

  /* One descriptor per connection: raise the soft limit to the hard one. */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
      rl.rlim_cur < (rlim_t)r->nconns + 16) {
    fprintf(stderr, "httpload: -c %d needs %d descriptors; the limit is %ju\n",
            r->nconns, r->nconns + 16, (uintmax_t)rl.rlim_cur);
    return 1;
  }
  r->c = calloc((size_t)r->nconns, sizeof(*r->c));
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  if (r->c == NULL || r->epfd < 0) {
    fprintf(stderr, "httpload: setup: %s\n", strerror(errno));
    return 1;
  }

  connect_all(r);

  /* Phase 2: the load. */
  r->t_start = r->t_end = now_ns();
  r->deadline = r->t_start + (uint64_t)(r->secs * NS_PER_S);
  for (int i = 0; i < r->nconns; i++)
    if (r->c[i].state == IDLE)
      send_request(r, &r->c[i]);
  while (r->busy > 0)
    turn(r, TICK_MS);

  /* Phase 3: hold them open, idle, while someone looks at the server. */
  int held = 0;
  for (int i = 0; i < r->nconns; i++)
    held += r->c[i].state != DEAD;
  if (r->hold_ms > 0) {
    printf("holding %d connections for %ld ms\n", held, r->hold_ms);
    fflush(stdout);
    uint64_t until = now_ns() + (uint64_t)r->hold_ms * 1000000;
    for (uint64_t t = now_ns(); t < until; t = now_ns())
      turn(r, (int)((until - t) / 1000000 < TICK_MS ? (until - t) / 1000000
                                                    : TICK_MS));
  }

  /* Phase 4: close and report. */
  for (int i = 0; i < r->nconns; i++)
    if (r->c[i].state != DEAD)
      close(r->c[i].fd);
  close(r->epfd);
  if (r->nlat > 0)
    qsort(r->lat, r->nlat, sizeof(*r->lat), by_value);
  double elapsed = (double)(r->t_end - r->t_start) / 1e9;
  long errors = r->bad + r->failed;
  printf("connections   %d opened, %ld failed\n", r->nconns, r->failed);
  printf("requests      %ld ok, %ld bad\n", r->ok, r->bad);
  printf("errors        %ld\n", errors);
  printf("elapsed       %.3f s\n", elapsed);
  printf("requests/s    %.0f\n", elapsed > 0 ? (double)r->ok / elapsed : 0.0);
  printf("latency p50   %.3f ms\n", percentile_ms(r, 50));
  printf("latency p99   %.3f ms\n", percentile_ms(r, 99));
  printf("result        %s\n", errors == 0 ? "ok" : "FAILED");
  free(r->lat);
  free(r->c);
  return errors == 0 ? 0 : 1;
}
