/*
 * Description: reads on TCP sockets around the "drained hint" (loop.h:
 * ub_loop_drained).  Under unblock, a read on TCP that comes back short
 * marks the socket empty, and the next read parks at once, without trying,
 * until the loop sees a new readable edge.  Each case here is a way for
 * data (or EOF, or an error) to be readable after a short read: if no edge
 * follows, the reader hangs under unblock while natively it returns.
 *
 * Usage: tcp_drain CASE (the list is at the bottom).  Every case uses
 * loopback connections on an ephemeral port; the reading side has a 2 s
 * SO_RCVTIMEO, so a hang prints "-1 EAGAIN" instead of the data, and the
 * watchdog (e2e.h) ends anything worse.  Most cases first make the reader
 * wait for one byte "x": the hint only takes an fd the loop already
 * watches, and that first read is itself short.  The peer's steps are
 * spaced 30 ms apart, ample for the reader to be parked, or done, by then.
 */
#include "e2e.h"
#include <netinet/tcp.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

static int lfd, port; /* one listener for every connection */

#define msleep(ms) usleep((useconds_t)(ms)*1000)

static void setint(int fd, int level, int name, int v)
{
  CHECK(setsockopt(fd, level, name, &v, sizeof(v)) == 0);
}

static void rcvtimeo(int fd, int ms)
{
  struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000};
  CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
}

/* A connection: r is the side under test, p its peer (-1 once closed).
 * TCP_NODELAY, so that each send is a segment of its own. */
struct conn {
  int r, p;
};

static struct conn conn_open(void)
{
  struct conn c = {.p = connect_loopback(port)};
  c.r = accept(lfd, NULL, NULL);
  CHECK(c.r >= 0);
  setint(c.p, IPPROTO_TCP, TCP_NODELAY, 1);
  rcvtimeo(c.r, 2000);
  return c;
}

/* Print a read's result: `what: 3 "abc"`, `what: 0`, `what: -1 EAGAIN`. */
static void show(const char *what, ssize_t n, const char *buf)
{
  if (n < 0)
    printf("%s: -1 %s\n", what, errname(errno));
  else if (n == 0)
    printf("%s: 0\n", what);
  else
    printf("%s: %zd \"%.*s\"\n", what, n, (int)n, buf);
}

/* `times` reads of up to 4 KiB, each shown. */
static void rd(int fd, const char *what, int times)
{
  char buf[4096];
  while (times-- > 0)
    show(what, read(fd, buf, sizeof(buf)), buf);
}

static void put(int fd, const char *s, int flags)
{
  CHECK(send(fd, s, strlen(s), flags) == (ssize_t)strlen(s));
}

/*
 * C is the connection of the case at hand.  Its peer's script is played
 * by a thread of its own: steps separated by spaces, each a delay in ms,
 * an operation and its argument:
 *   :DATA send   !DATA send MSG_OOB   > shutdown(SHUT_WR)   # close with RST
 *   =N SO_RCVLOWAT of the reader   < shutdown(SHUT_RD) of the reader
 *   ~N N bytes, one a millisecond, then shutdown(SHUT_WR)
 *   ? wait for a byte (or the end) from the reader
 */
static struct conn C;
static pthread_t peer;

static void *play_run(void *arg)
{
  for (const char *p = arg; *p != '\0';) {
    char *end, a[64];
    msleep((int)strtol(p, &end, 10));
    char op = *end++;
    size_t n = strcspn(end, " ");
    snprintf(a, sizeof(a), "%.*s", (int)n, end);
    p = end + n + (end[n] == ' ');
    switch (op) {
    case ':': put(C.p, a, 0); break;
    case '!': put(C.p, a, MSG_OOB); break;
    case '>': CHECK(shutdown(C.p, SHUT_WR) == 0); break;
    case '#': {
      struct linger lg = {.l_onoff = 1, .l_linger = 0};
      CHECK(setsockopt(C.p, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) == 0);
      close(C.p);
      C.p = -1;
      break;
    }
    case '=': setint(C.r, SOL_SOCKET, SO_RCVLOWAT, atoi(a)); break;
    case '<': CHECK(shutdown(C.r, SHUT_RD) == 0); break;
    case '?': (void)read(C.p, a, 1); break;
    case '~':
      for (int i = 0; i < atoi(a); i++, msleep(1))
        CHECK(send(C.p, &"abcdefghijklmnopqrstuvwxyz"[i % 26], 1, 0) == 1);
      CHECK(shutdown(C.p, SHUT_WR) == 0);
      break;
    }
  }
  return NULL;
}

static void play(const char *steps)
{
  CHECK(pthread_create(&peer, NULL, play_run, (void *)steps) == 0);
}

static void finish(void)
{
  CHECK(pthread_join(peer, NULL) == 0);
}

/* Most cases: a new C, its peer playing steps; end() joins the peer and
 * closes both sides.  Returns the reading side. */
static int begin(const char *steps)
{
  C = conn_open();
  play(steps);
  return C.r;
}

static void end(void)
{
  finish();
  close(C.r);
  if (C.p >= 0)
    close(C.p);
}

/* ---- the cases ------------------------------------------------------- */

/* Data, then FIN: the short read that takes the data also takes the FIN,
 * and the next read must say 0 at once.  On a fresh fd (unknown to the
 * loop), and, once it is known, with both arriving while the reader is
 * away or while it is parked after a short read. */
static void case_fin(void)
{
  int r = begin("");
  put(C.p, "hello", 0);
  CHECK(shutdown(C.p, SHUT_WR) == 0);
  msleep(20);
  rd(r, "fresh fd", 2);
  end();
  for (int away = 1; away >= 0; away--) {
    r = begin("20:x 30:hello 0>");
    rd(r, away ? "away" : "parked", 1);
    if (away)
      msleep(80);
    rd(r, away ? "away" : "parked", 2);
    end();
  }
}

static void oob(int fd)
{
  char b = 0;
  show("recv MSG_OOB", recv(fd, &b, 1, MSG_OOB), &b);
}

/* Urgent data stops a read short at the mark, with data behind it: all of
 * it there before the reads; then arriving while the reader is parked
 * after a short read ("cde" with MSG_OOB makes 'e' the urgent byte).
 * Without SO_OOBINLINE, then with it. */
static void case_urgent(void)
{
  for (int inl = 0; inl < 2; inl++) {
    printf("SO_OOBINLINE %d\n", inl);
    int r = begin("20:x 30:ab 0!c 0:de");
    setint(r, SOL_SOCKET, SO_OOBINLINE, inl);
    rd(r, "read", 1);
    msleep(80);
    rd(r, "read", 1);
    printf("at the mark: %s\n", yesno(sockatmark(r) == 1));
    if (!inl)
      oob(r);
    rd(r, "read", 1);
    end();

    r = begin("20:x 30:ab 30!cde 30:fg 0>");
    setint(r, SOL_SOCKET, SO_OOBINLINE, inl);
    rd(r, "read", 3);
    printf("at the mark: %s\n", yesno(sockatmark(r) == 1));
    if (inl)
      rd(r, "read", 1);
    else
      oob(r);
    rd(r, "read", 2);
    end();
  }
}

/* The urgent byte is taken with MSG_OOB before the loop looks at the
 * socket: the readable edge it then sees carries no EPOLLPRI, yet the next
 * read stops short at the mark, with "de" behind it.  The peer is another
 * process, so that it sends while this one spins (as a computing thread
 * would, never yielding) waiting for the urgent byte. */
static void case_oob_taken(void)
{
  struct conn c = conn_open();
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) { /* it holds the connection until the reader closes */
    watchdog();
    close(c.r);
    C = c;
    play_run("20:x 0? 0:ab 0!c 0:de 0?");
    _exit(0);
  }
  close(c.p);
  rd(c.r, "read", 1); /* the loop now watches c.r */
  put(c.r, "g", 0);
  char b = 0;
  ssize_t n;
  double t0 = now_s();
  while ((n = recv(c.r, &b, 1, MSG_OOB)) != 1 && now_s() - t0 < 2)
    ;
  show("recv MSG_OOB", n, &b);
  msleep(30); /* the loop sees the data now, without urgent data */
  rd(c.r, "read", 2);
  close(c.r);
  int st;
  CHECK(waitpid(pid, &st, 0) == pid);
  printf("peer exit status: %d\n", WEXITSTATUS(st));
}

/* The reader's own side shuts down reading while it is parked. */
static void case_shutrd(void)
{
  int r = begin("20:x 30<");
  rd(r, "read", 1);
  rd(r, "read after shutdown(SHUT_RD)", 2);
  end();
}

/* One byte a millisecond into a 4 KiB buffer: nearly every read is short,
 * and the next byte comes while the reader is parked, or not yet. */
static void case_trickle(void)
{
  int r = begin("20~300");
  char buf[4096];
  ssize_t n;
  int total = 0, ok = 1;
  while ((n = read(r, buf, sizeof(buf))) > 0)
    for (ssize_t i = 0; i < n; i++, total++)
      ok &= buf[i] == 'a' + total % 26;
  printf("trickle: %d bytes, in order: %s, then %s\n", total, yesno(ok),
         n == 0 ? "end of stream" : errname(errno));
  end();
}

/* Two readers on one socket and a writer in bursts: byte i of the stream
 * is i % 251, so each read must be one contiguous run, and the two
 * together must read every byte once. */
struct reader {
  int fd, contiguous, eof;
  long bytes, sum;
};

static void *reader_run(void *arg)
{
  struct reader *r = arg;
  unsigned char buf[64];
  ssize_t n;
  while ((n = read(r->fd, buf, sizeof(buf))) > 0)
    for (ssize_t i = 0; i < n; i++, r->bytes++) {
      r->sum += buf[i];
      r->contiguous &= i == 0 || buf[i] == (buf[i - 1] + 1) % 251;
    }
  r->eof = n == 0;
  return NULL;
}

static void case_two_readers(void)
{
  int fd = begin("");
  struct reader r[2] = {{fd, 1, 0, 0, 0}, {fd, 1, 0, 0, 0}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    CHECK(pthread_create(&t[i], NULL, reader_run, &r[i]) == 0);
  msleep(20);
  long pos = 0, sum = 0;
  unsigned char buf[128];
  for (int b = 0; b < 200; b++, usleep(300)) {
    int len = b * 37 % 97 + 1;
    for (int i = 0; i < len; i++, pos++)
      sum += buf[i] = (unsigned char)(pos % 251);
    CHECK(send(C.p, buf, (size_t)len, 0) == len);
  }
  CHECK(shutdown(C.p, SHUT_WR) == 0);
  for (int i = 0; i < 2; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  printf("two readers: %ld bytes of %ld, byte sum matches: %s, every read "
         "contiguous: %s, both saw end of stream: %s\n",
         r[0].bytes + r[1].bytes, pos, yesno(r[0].sum + r[1].sum == sum),
         yesno(r[0].contiguous && r[1].contiguous),
         yesno(r[0].eof && r[1].eof));
  end();
}

/* A dup: the loop keeps state per number, for one file.  A short read on
 * A, data read through B, then A again; and B after A is closed. */
static void case_dup(void)
{
  int a = begin("20:x 30:two 30:three 30:four 30:five");
  rd(a, "A", 1);
  int b = dup(a);
  CHECK(b >= 0);
  rd(b, "B", 1);
  rd(a, "A", 1);
  rd(b, "B", 1);
  close(a);
  C.r = b;
  rd(b, "B after close(A)", 1);
  end();
}

/* The number of a drained socket gets a new socket whose data is already
 * there: by accept after close, by dup2 onto it, or by accept after a
 * close the hooks do not see (close_range).  Then a read that waits. */
static void case_reuse(void)
{
  static const char *how[] = {"accept", "dup2", "close_range"};
  for (int h = 0; h < 3; h++) {
    int n = begin("20:x");
    rd(n, "read", 1);
    finish();
    int old = C.p;
    C.p = connect_loopback(port);
    put(C.p, "fresh", 0);
    msleep(20);
    if (h == 0)
      close(n);
    if (h == 2)
      CHECK(close_range((unsigned)n, (unsigned)n, 0) == 0);
    int r = accept(lfd, NULL, NULL);
    if (h == 1) /* dup2 drops the old file, and the loop's state for it */
      CHECK(r >= 0 && dup2(r, n) == n && close(r) == 0);
    C.r = h == 1 ? n : r;
    rcvtimeo(C.r, 2000);
    printf("%s: same number: %s\n", how[h], yesno(C.r == n));
    play("30:more");
    rd(C.r, "read", 2);
    end();
    close(old);
  }
}

/* MSG_PEEK is not a read that drains (it parks, then the read takes the
 * same bytes); readv into three buffers, short and then full. */
static void case_peek(void)
{
  int r = begin("20:x 30:hello 30:abcdefghij 30:KLMNOPQRSTUVWX 30:world");
  char a[100];
  rd(r, "read", 1);
  show("peek", recv(r, a, sizeof(a), MSG_PEEK), a);
  rd(r, "read", 1);
  struct iovec iov[3] = {{a, 4}, {a + 4, 4}, {a + 8, 4}};
  show("readv 3x4", readv(r, iov, 3), a);
  show("readv 3x4", readv(r, iov, 3), a);
  rd(r, "read", 1);
  msleep(60); /* "world" comes meanwhile */
  show("peek", recv(r, a, sizeof(a), MSG_PEEK), a);
  rd(r, "read", 1);
  end();
}

/* Two threads take turns: each message is read by another thread than
 * the one whose read of the last came back short (under UNBLOCK_WORKERS=2,
 * maybe on another carrier).  The peer sends each message at once, or 1
 * or 2 ms after the thread's turn began, when it may be parked. */
#define ROUNDS 100
static sem_t turn[2], done;
static int whole;

static void *taker(void *arg)
{
  char buf[4096];
  for (int i = (int)(intptr_t)arg; i < ROUNDS; i += 2) {
    CHECK(sem_wait(&turn[i % 2]) == 0);
    ssize_t n = read(C.r, buf, sizeof(buf));
    int ok = n == 1 + i % 13;
    for (ssize_t k = 0; k < n; k++)
      ok &= buf[k] == 'A' + i % 26;
    whole += ok;
    CHECK(sem_post(&done) == 0);
  }
  return NULL;
}

static void case_threads(void)
{
  begin("");
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    CHECK(sem_init(&turn[i], 0, 0) == 0 &&
          pthread_create(&th[i], NULL, taker, (void *)(intptr_t)i) == 0);
  CHECK(sem_init(&done, 0, 0) == 0);
  for (int i = 0; i < ROUNDS; i++) {
    char m[16];
    memset(m, 'A' + i % 26, sizeof(m));
    CHECK(sem_post(&turn[i % 2]) == 0);
    msleep(i % 3);
    CHECK(send(C.p, m, (size_t)(1 + i % 13), 0) == 1 + i % 13);
    CHECK(sem_wait(&done) == 0);
  }
  for (int i = 0; i < 2; i++)
    CHECK(pthread_join(th[i], NULL) == 0);
  printf("%d messages read by turns, whole: %d\n", ROUNDS, whole);
  end();
}

/* SO_RCVLOWAT raised while the reader is parked: arrivals below it bring
 * no edge (nor, natively, a wake-up) until there are 4 bytes; raised
 * again, then lowered: lowering it makes the edge. */
static void case_rcvlowat(void)
{
  int r = begin("20:x 30=4 10:ab 30:cd 30=4 10:ef 30=1");
  rd(r, "read", 1);
  rd(r, "read (SO_RCVLOWAT 4 from now)", 1);
  setint(r, SOL_SOCKET, SO_RCVLOWAT, 1);
  rd(r, "read (SO_RCVLOWAT 4, then 1)", 1);
  end();
}

/* Not the hint: 2 bytes, below SO_RCVLOWAT 4, are there when a blocking
 * read starts.  Natively it waits for the threshold (the kernel wakes it
 * once 4 more bytes are queued), while a nonblocking try takes the 2. */
static void case_rcvlowat_pending(void)
{
  int r = begin("50:cdef");
  setint(r, SOL_SOCKET, SO_RCVLOWAT, 4);
  put(C.p, "ab", 0);
  msleep(20);
  rd(r, "read (SO_RCVLOWAT 4, 2 bytes there)", 1);
  end();
}

/* RST after a short read: ECONNRESET, then 0; and RST with the data
 * still unread: the data, then ECONNRESET, then 0. */
static void case_reset(void)
{
  for (int i = 0; i < 2; i++) {
    int r = begin(i == 0 ? "20:x 30:hello 30#" : "20:x 30:hello 0#");
    rd(r, "read", 1);
    if (i == 1)
      msleep(80);
    rd(r, "read", 3);
    end();
  }
}

/* readv whose last buffer is read-only: the kernel copies whole skbs
 * until one does not fit the writable part, and returns short with the
 * rest still queued; no edge follows, the rest is already there.  40
 * segments of 100 bytes make several skbs (an skb takes 17 at most). */
static void case_efault(void)
{
  int r = begin("20:x");
  rd(r, "read", 1);
  static char a[4096];
  for (int i = 0; i < 40; i++, msleep(1)) {
    memset(a, 'a' + i % 26, 100);
    CHECK(send(C.p, a, 100, 0) == 100);
  }
  msleep(20);
  char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(ro != MAP_FAILED);
  struct iovec iov[2] = {{a, 3999}, {ro, 4096}};
  ssize_t n = readv(r, iov, 2);
  if (n < 0)
    printf("readv with a read-only tail: -1 %s\n", errname(errno));
  else
    printf("readv with a read-only tail: short: %s\n", yesno(n < 4000));
  ssize_t m = n > 0 ? read(r, a, sizeof(a)) : 0;
  printf("then read: %s, 4000 bytes in all: %s\n",
         m < 0 ? errname(errno) : "ok",
         yesno(n > 0 && m >= 0 && n + m == 4000));
  munmap(ro, 4096);
  end();
}

/* stdio over the socket: fgets fills its buffer with short reads. */
static void case_stdio(void)
{
  FILE *f = fdopen(begin("20:hel 30:lo\nwor 30:ld\n 0>"), "r");
  CHECK(f != NULL);
  char line[64];
  while (fgets(line, sizeof(line), f) != NULL)
    printf("fgets: %s", line);
  printf("then: %s\n", feof(f) ? "end of file" : "error");
  fclose(f);
  C.r = -1; /* closed by fclose */
  end();
}

/* clang-format off */
#define CASE(name) {#name, case_##name}
/* clang-format on */
static const struct {
  const char *name;
  void (*fn)(void);
} cases[] = {
    CASE(fin),     CASE(urgent),      CASE(oob_taken), CASE(shutrd),
    CASE(trickle), CASE(two_readers), CASE(dup),       CASE(reuse),
    CASE(peek),    CASE(threads),     CASE(rcvlowat),  CASE(rcvlowat_pending),
    CASE(reset),   CASE(efault),      CASE(stdio),
};

int main(int argc, char **argv)
{
  start();
  signal(SIGPIPE, SIG_IGN);
  lfd = listen_loopback(&port);
  for (size_t i = 0; argc == 2 && i < sizeof(cases) / sizeof(*cases); i++)
    if (strcmp(argv[1], cases[i].name) == 0) {
      cases[i].fn();
      return 0;
    }
  fprintf(stderr, "usage: tcp_drain CASE\n");
  return 2;
}
