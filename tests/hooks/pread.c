/*
 * Description: pread(2) on a regular file, which reads what the page cache
 * holds at once and the rest on the helper pool.  At an offset, leaving
 * the file position where it was; short at the end of the file, 0 at and
 * past it; a 256 KiB read of which the second half was dropped from the
 * page cache (fdatasync, then POSIX_FADV_DONTNEED) returns all of it, the
 * right bytes; EINVAL for a negative offset, ESPIPE on a pipe, EBADF on a
 * closed fd and on a write-only one, EISDIR on a directory.  Four threads
 * read their own parts of the file at once, dropping them from the page
 * cache each round, until a ticker thread has ticked 5 times; every byte
 * is right and the file position never moves.
 */
#include "snippet.h"

#define SIZE (256 * 1024)
#define PART (SIZE / 4)

static int fd;
static int ticks;

static unsigned char pattern(long i)
{
  return (unsigned char)(i % 251);
}

static int right(const unsigned char *buf, long off, long n)
{
  for (long i = 0; i < n; i++)
    if (buf[i] != pattern(off + i))
      return 0;
  return 1;
}

static void *ticker(void *arg)
{
  (void)arg;
  for (int i = 0; i < 5; i++) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

/* Rounds of 4 KiB reads over part i (at least 5 rounds, and on until the
 * ticker is done): how many reads were wrong. */
static void *reader(void *arg)
{
  long part = (long)arg, bad = 0;
  unsigned char buf[4096];
  for (int round = 0;
       round < 5 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5; round++) {
    CHECK(posix_fadvise(fd, part * PART, PART, POSIX_FADV_DONTNEED) == 0);
    for (long off = part * PART; off < (part + 1) * PART; off += 4096)
      bad += pread(fd, buf, 4096, off) != 4096 || !right(buf, off, 4096);
  }
  return (void *)bad;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-pread-XXXXXX";
  fd = mkstemp(path);
  CHECK(fd >= 0 && unlink(path) == 0);
  static unsigned char data[SIZE], buf[SIZE];
  for (long i = 0; i < SIZE; i++)
    data[i] = pattern(i);
  CHECK(write(fd, data, SIZE) == SIZE);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);

  SYS("pread 4 bytes at 10", pread(fd, buf, 4, 10));
  printf("right bytes: %s\n", yesno(right(buf, 10, 4)));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  SYS("pread 100 bytes at 20 bytes before the end",
      pread(fd, buf, 100, SIZE - 20));
  printf("right bytes: %s\n", yesno(right(buf, SIZE - 20, 20)));
  SYS("pread at the end", pread(fd, buf, 100, SIZE));
  SYS("pread past the end", pread(fd, buf, 100, SIZE + 5000));
  SYS("pread of 0 bytes", pread(fd, buf, 0, 0));

  CHECK(fdatasync(fd) == 0);
  CHECK(posix_fadvise(fd, 0, SIZE, POSIX_FADV_DONTNEED) == 0);
  CHECK(pread(fd, buf, SIZE / 2, 0) == SIZE / 2); /* the first half back */
  memset(buf, 0, SIZE);
  SYS("pread 256 KiB, half of it not cached", pread(fd, buf, SIZE, 0));
  printf("right bytes: %s\n", yesno(right(buf, 0, SIZE)));
  SYS("file position", lseek(fd, 0, SEEK_CUR));

  SYS("pread at offset -1", pread(fd, buf, 4, -1));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(write(p[1], "data", 4) == 4);
  SYS("pread of a pipe", pread(p[0], buf, 4, 0));
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  SYS("pread of a closed fd", pread(p[0], buf, 4, 0));
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  int wr = open(proc, O_WRONLY);
  CHECK(wr >= 0);
  SYS("pread of a write-only fd", pread(wr, buf, 4, 0));
  CHECK(close(wr) == 0);
  int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
  CHECK(dir >= 0);
  SYS("pread of a directory", pread(dir, buf, 4, 0));
  CHECK(close(dir) == 0);

  CHECK(lseek(fd, 12345, SEEK_SET) == 12345);
  pthread_t k = spawn(ticker, NULL);
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    t[i] = spawn(reader, (void *)i);
  for (int i = 0; i < 4; i++)
    printf("thread %d: wrong reads: %ld\n", i, (long)join(t[i]));
  join(k);
  printf("the ticker ticked 5 times meanwhile: %s\n",
         yesno(__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) == 5));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  return 0;
}
