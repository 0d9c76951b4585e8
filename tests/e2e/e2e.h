/*
 * e2e.h - what the end-to-end helper programs share.
 *
 * The programs under tests/e2e/ are plain blocking programs (no unblock
 * header, not linked with libub.a) that the bats tests run natively and
 * under the launcher, comparing their stdout.  So they print only what must
 * be the same both ways: return values, errno names, data and coarse yes/no
 * answers about timing; never pids, ports, thread ids or raw durations.
 *
 * start() makes stdout line-buffered (a fork never duplicates a pending
 * buffer; lines from different threads never mix) and arms a watchdog: a
 * POSIX timer sending SIGKILL after E2E_WATCHDOG seconds (default 20), so a
 * hang ends the program even if the test's own timeout did not.  SIGKILL,
 * not alarm(), leaves SIGALRM to the programs that test it.  Timers are not
 * inherited across fork: a forked child calls watchdog() for its own.
 */
#ifndef E2E_H
#define E2E_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* CHECK(cond): a setup step that must not fail; stop with its line. */
#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #c,        \
              strerror(errno));                                                \
      exit(99);                                                                \
    }                                                                          \
  } while (0)

/* The name of an errno value: "EAGAIN", or "0". */
static inline const char *errname(int e)
{
  const char *s = e == 0 ? "0" : strerrorname_np(e);
  return s != NULL ? s : "E?";
}

static inline const char *yesno(int b)
{
  return b ? "yes" : "no";
}

/* Monotonic time in seconds. */
static inline double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Arm the watchdog.  POSIX timers are not inherited across fork, so a
 * forked child that may outlive its parent's watchdog calls this again. */
static inline void watchdog(void)
{
  const char *w = getenv("E2E_WATCHDOG");
  int secs = w != NULL ? atoi(w) : 20;
  struct sigevent sev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGKILL};
  timer_t t;
  CHECK(timer_create(CLOCK_MONOTONIC, &sev, &t) == 0);
  struct itimerspec its = {.it_value = {.tv_sec = secs > 0 ? secs : 20}};
  CHECK(timer_settime(t, 0, &its, NULL) == 0);
}

static inline void start(void)
{
  setvbuf(stdout, NULL, _IOLBF, 0);
  watchdog();
}

/* A TCP socket listening on 127.0.0.1, on a port the kernel picks; *port
 * gets it (host order). */
static inline int listen_loopback(int *port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(s, (struct sockaddr *)&a, sizeof(a)) == 0);
  CHECK(listen(s, 128) == 0);
  socklen_t len = sizeof(a);
  CHECK(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  *port = ntohs(a.sin_port);
  return s;
}

/* A TCP socket connected to 127.0.0.1:port. */
static inline int connect_loopback(int port)
{
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(connect(s, (struct sockaddr *)&a, sizeof(a)) == 0);
  return s;
}

/* Both ends of a TCP connection over 127.0.0.1: the accepted end is
 * returned, the connecting end goes to *client.  The listener is closed. */
static inline int loopback_pair(int *client)
{
  int port;
  int l = listen_loopback(&port);
  *client = connect_loopback(port);
  int s = accept(l, NULL, NULL);
  CHECK(s >= 0);
  close(l);
  return s;
}

#endif
