/*
 * http.h - the minimal HTTP/1.1 of the demo servers: one parser and one
 * answer, shared by demos/httpd.c (threads) and demos/bench/epolld.c (one
 * epoll loop), so that `make bench` compares servers that do the same work.
 * (demos/bench/goserver.go speaks the same protocol, in Go.)
 *
 * A request is a request line and headers up to the blank line (CRLF
 * CRLF); GET only, and no request body.  Every GET gets the same answer,
 * "200 OK" with the body "hello\n".  HTTP/1.1 keeps the connection open
 * unless the request says "Connection: close"; HTTP/1.0 closes it unless it
 * says "keep-alive".  Anything else is answered with 400, 405 or 431, and
 * the connection is closed.  Everything here is static: each server is one
 * translation unit.
 */
#ifndef DEMO_HTTP_H
#define DEMO_HTTP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define REQ_MAX 8192 /* the longest request line plus headers */

/* The one answer.  Content-Length is spelled out; the assert keeps it true. */
#define BODY "hello\n"
#define BODY_LEN "6"
_Static_assert(sizeof(BODY) - 1 == 6, "BODY_LEN must match BODY");

#define HEAD "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
#define TAIL "Content-Length: " BODY_LEN "\r\n\r\n" BODY

static const char ok_keep[] = HEAD TAIL;
static const char ok_keep10[] = HEAD "Connection: keep-alive\r\n" TAIL;
static const char ok_close[] = HEAD "Connection: close\r\n" TAIL;

/* Refusals all close the connection; their bodies say why. */
#define REFUSE(status, extra, len, body)                                       \
  "HTTP/1.1 " status "\r\nContent-Type: text/plain\r\n"                        \
  "Connection: close\r\n" extra "Content-Length: " len "\r\n\r\n" body

static const char bad_request[] =
    REFUSE("400 Bad Request", "", "12", "bad request\n");
static const char bad_method[] =
    REFUSE("405 Method Not Allowed", "Allow: GET\r\n", "9", "only GET\n");
static const char too_large[] = REFUSE("431 Request Header Fields Too Large",
                                       "", "16", "header too long\n");

/* The case-insensitive comparison of a counted string with a literal. */
static int same(const char *s, size_t n, const char *lit)
{
  return n == strlen(lit) && strncasecmp(s, lit, n) == 0;
}

/* Does a comma-separated header value hold `token`, in any case? */
static int has_token(const char *v, size_t n, const char *token)
{
  size_t i = 0;
  while (i < n) {
    while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
      i++;
    size_t start = i;
    while (i < n && v[i] != ',')
      i++;
    size_t end = i;
    while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
      end--;
    if (same(v + start, end - start, token))
      return 1;
  }
  return 0;
}

/*
 * Reads one request (`len` bytes, ending in CRLF CRLF) and picks the answer.
 * *keep says whether the request asked to keep the connection open; see
 * answer() for the last word.
 */
static const char *choose(const char *req, size_t len, int *keep)
{
  const char *eol = memmem(req, len, "\r\n", 2);
  const char *sp1 = memchr(req, ' ', eol - req);
  const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', eol - sp1 - 1) : NULL;
  *keep = 0;
  if (sp1 == NULL || sp2 == NULL || sp1 == req || sp2 == sp1 + 1)
    return bad_request;
  const char *version = sp2 + 1;
  size_t vlen = eol - version;
  int is_get = sp1 - req == 3 && memcmp(req, "GET", 3) == 0;
  if (vlen == 8 && memcmp(version, "HTTP/1.1", 8) == 0)
    *keep = 1;
  else if (vlen != 8 || memcmp(version, "HTTP/1.0", 8) != 0)
    return bad_request;
  int http10 = !*keep;

  /* Header lines: "name: value" up to the empty line that ends the block. */
  const char *end = req + len - 2;
  for (const char *line = eol + 2; line < end;) {
    const char *next = memmem(line, end - line + 2, "\r\n", 2);
    const char *colon = memchr(line, ':', next - line);
    if (colon == NULL || colon == line)
      return bad_request;
    const char *v = colon + 1;
    size_t vn = next - v;
    if (same(line, colon - line, "Connection")) {
      if (has_token(v, vn, "close"))
        *keep = 0;
      else if (has_token(v, vn, "keep-alive"))
        *keep = 1;
    } else if (same(line, colon - line, "Transfer-Encoding")) {
      return bad_request; /* no request bodies here */
    } else if (same(line, colon - line, "Content-Length")) {
      while (vn > 0 && (*v == ' ' || *v == '\t'))
        v++, vn--;
      while (vn > 0 && (v[vn - 1] == ' ' || v[vn - 1] == '\t'))
        vn--;
      if (!same(v, vn, "0"))
        return bad_request;
    }
    line = next + 2;
  }
  if (!is_get) {
    *keep = 0;
    return bad_method;
  }
  if (!*keep)
    return ok_close;
  return http10 ? ok_keep10 : ok_keep;
}

/* The answer to one request; *keep: does the connection stay open? */
static const char *answer(const char *req, size_t len, int *keep)
{
  const char *resp = choose(req, len, keep);
  if (resp != ok_keep && resp != ok_keep10)
    *keep = 0; /* every other answer says "Connection: close" */
  return resp;
}

/*
 * Binds and listens on addr:port with socket type flags `type_flags` (0 or
 * SOCK_NONBLOCK), and prints "listening on PORT", the port actually bound,
 * for the scripts.  Exits 2 on a bad address, 1 if it cannot listen.
 * First it takes all the descriptors the kernel allows (the hard limit):
 * a server of one descriptor per connection needs them.
 */
static int http_listen(const char *prog, const char *addr, int port,
                       int type_flags)
{
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  struct sockaddr_storage ss;
  socklen_t sl;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    sl = sizeof(*v4);
  } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    sl = sizeof(*v6);
  } else {
    fprintf(stderr, "%s: -b: not an IPv4 or IPv6 address: %s\n", prog, addr);
    exit(2);
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | type_flags, 0);
  int one = 1;
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
    fprintf(stderr, "%s: cannot listen on %s port %d: %s\n", prog, addr, port,
            strerror(errno));
    exit(1);
  }
  port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  printf("listening on %d\n", port);
  fflush(stdout);
  return fd;
}

#endif
