/* Regression test, found in review: see tests/regress.bats.
 *
 * A write past RLIMIT_FSIZE raises SIGXFSZ on the thread that makes it,
 * whose default action ends the process.  Under unblock the write runs on
 * an offload pool thread, which blocked every signal: the write failed with
 * EFBIG instead, and the process lived on.  Here a thread writes 8192
 * bytes twice with the limit at 4096: the first write is cut to 4096, the
 * second raises SIGXFSZ and ends the process (exit status 128 + 25 in the
 * shell).  No core file. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static int fd;

static void *writer(void *a)
{
  (void)a;
  static char b[8192];
  ssize_t r = write(fd, b, sizeof(b));
  printf("first write: %zd\n", r);
  fflush(stdout);
  r = write(fd, b, sizeof(b));
  printf("second write: %zd (%s): the process survived SIGXFSZ\n", r,
         r < 0 ? strerrorname_np(errno) : "-");
  fflush(stdout);
  return NULL;
}

int main(void)
{
  struct rlimit core = {0, 0}, fsize = {4096, 4096};
  setrlimit(RLIMIT_CORE, &core);
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof(path), "%s/ub-regress-XXXXXX", dir ? dir : "/tmp");
  fd = mkstemp(path);
  if (fd < 0)
    return 2;
  unlink(path);
  setrlimit(RLIMIT_FSIZE, &fsize);
  pthread_t t;
  pthread_create(&t, NULL, writer, NULL);
  pthread_join(t, NULL);
  return 0;
}
