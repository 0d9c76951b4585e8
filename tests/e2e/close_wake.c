/*
 * Description: close() of an fd while another thread is blocked reading it.
 *
 *   close_wake pipe    the reader blocks on the read end of a pipe
 *   close_wake socket  the reader blocks on a connected TCP socket
 *
 * The reader thread calls read(); 0.5 s later the main thread closes that
 * fd, and 1 s after that prints whether the reader has returned.  Linux
 * does NOT wake a read blocked on a pipe or socket when another thread
 * closes the fd (the read holds its own reference to the file), so
 * natively the reader is still blocked then; the main thread then writes
 * "later" into the other end, which the still-blocked native read returns.
 * Under unblock, close wakes every green thread waiting on the fd with
 * EBADF (docs/design.md), so the reader returns -1 EBADF at the close and
 * nothing more is written.
 *
 * Prints the reader's result and whether it returned before the write.
 */
#include "e2e.h"
#include <pthread.h>
#include <stdatomic.h>

static int rfd;
static atomic_int returned;
static char said[128]; /* the reader's line, printed by main after the join
                        * (the reader may run on another carrier: printing
                        * there would race with main's lines) */

static void *reader(void *arg)
{
  (void)arg;
  char buf[16];
  ssize_t n = read(rfd, buf, sizeof(buf));
  int err = errno;
  atomic_store(&returned, 1);
  if (n < 0)
    snprintf(said, sizeof(said), "reader: read returned -1 %s", errname(err));
  else
    snprintf(said, sizeof(said), "reader: read returned %zd '%.*s'", n, (int)n,
             buf);
  return NULL;
}

int main(int argc, char **argv)
{
  start();
  signal(SIGPIPE, SIG_IGN);
  int wfd;
  if (argc == 2 && strcmp(argv[1], "pipe") == 0) {
    int p[2];
    CHECK(pipe(p) == 0);
    rfd = p[0];
    wfd = p[1];
  } else if (argc == 2 && strcmp(argv[1], "socket") == 0) {
    rfd = loopback_pair(&wfd);
  } else {
    fprintf(stderr, "usage: close_wake pipe|socket\n");
    return 2;
  }

  pthread_t t;
  CHECK(pthread_create(&t, NULL, reader, NULL) == 0);
  usleep(500 * 1000);
  printf("main: close returned %d\n", close(rfd));
  usleep(1000 * 1000);
  int back = atomic_load(&returned);
  printf("main: reader returned within 1 s of the close: %s\n", yesno(back));
  if (!back)
    printf("main: write of 'later' returned %zd\n", write(wfd, "later", 5));
  CHECK(pthread_join(t, NULL) == 0);
  printf("%s\nmain: reader joined\n", said);
  close(wfd);
  return 0;
}
