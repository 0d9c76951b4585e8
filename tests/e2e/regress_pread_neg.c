/* Regression test, found in review: see tests/regress.bats.
 *
 * pread and pwrite with a negative offset fail with EINVAL and leave the
 * file alone.  unblock passed the offset on to its file read and write
 * routines, where a negative offset means "at the file position" (read,
 * write): the calls succeeded there, moved the position and wrote into
 * the file.  Here a thread calls both with offset -1 on a 10-byte file
 * whose position is 2. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fd;

static void *t(void *a)
{
  (void)a;
  char b[8] = {0};
  ssize_t r = pread(fd, b, 4, -1);
  int e = errno;
  printf("pread at -1: %zd %s, position %ld\n", r,
         r < 0 ? strerrorname_np(e) : b, (long)lseek(fd, 0, SEEK_CUR));
  r = pwrite(fd, "XY", 2, -1);
  e = errno;
  printf("pwrite at -1: %zd %s, position %ld\n", r,
         r < 0 ? strerrorname_np(e) : "-", (long)lseek(fd, 0, SEEK_CUR));
  char all[11] = {0};
  (void)!pread(fd, all, 10, 0);
  printf("file: %s\n", all);
  return NULL;
}

int main(void)
{
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof(path), "%s/ub-regress-XXXXXX", dir ? dir : "/tmp");
  fd = mkstemp(path);
  if (fd < 0)
    return 2;
  unlink(path);
  if (write(fd, "0123456789", 10) != 10 || lseek(fd, 2, SEEK_SET) != 2)
    return 2;
  pthread_t th;
  pthread_create(&th, NULL, t, NULL);
  pthread_join(th, NULL);
  return 0;
}
