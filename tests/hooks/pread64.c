// cflags: -D_FILE_OFFSET_BITS=64
/*
 * Description: pread64, which pread() becomes under -D_FILE_OFFSET_BITS=64,
 * on a sparse regular file with data past 4 GiB: reads at 64-bit offsets
 * leave the file position where it was; the hole before the data reads as
 * zeros; short at the end of the file, 0 at and past it; data dropped from
 * the page cache (fdatasync, then POSIX_FADV_DONTNEED) comes back whole;
 * EINVAL for a negative offset, ESPIPE on a pipe, EBADF on a closed fd.
 * Four threads read their own parts past 4 GiB at once, dropping them from
 * the page cache each round, until a ticker thread has ticked 5 times;
 * every byte is right.
 */
#include "snippet.h"

#define BASE (5LL << 30)
#define SIZE (256 * 1024)
#define PART (SIZE / 4)

static int fd;
static int ticks;

static unsigned char pattern(long long i)
{
  return (unsigned char)(i % 251);
}

static int right(const unsigned char *buf, long long off, long n)
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
    off_t from = BASE + part * PART;
    CHECK(posix_fadvise(fd, from, PART, POSIX_FADV_DONTNEED) == 0);
    for (off_t off = from; off < from + PART; off += 4096)
      bad += pread(fd, buf, 4096, off) != 4096 || !right(buf, off, 4096);
  }
  return (void *)bad;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-pread64-XXXXXX";
  fd = mkstemp(path);
  CHECK(fd >= 0 && unlink(path) == 0);
  static unsigned char data[SIZE], buf[SIZE];
  for (long i = 0; i < SIZE; i++)
    data[i] = pattern(BASE + i);
  CHECK(lseek(fd, BASE, SEEK_SET) == BASE);
  CHECK(write(fd, data, SIZE) == SIZE);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);

  SYS("pread 4 bytes at 5 GiB + 10", pread(fd, buf, 4, BASE + 10));
  printf("right bytes: %s\n", yesno(right(buf, BASE + 10, 4)));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  memset(buf, 0xff, 16);
  SYS("pread 16 bytes at 4 GiB, in the hole", pread(fd, buf, 16, 4LL << 30));
  printf("zeros: %s\n",
         yesno(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0));
  SYS("pread 100 bytes at 20 bytes before the end",
      pread(fd, buf, 100, BASE + SIZE - 20));
  printf("right bytes: %s\n", yesno(right(buf, BASE + SIZE - 20, 20)));
  SYS("pread at the end", pread(fd, buf, 100, BASE + SIZE));
  SYS("pread past the end", pread(fd, buf, 100, 6LL << 30));

  CHECK(fdatasync(fd) == 0);
  CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0);
  memset(buf, 0, SIZE);
  SYS("pread 256 KiB at 5 GiB, not cached", pread(fd, buf, SIZE, BASE));
  printf("right bytes: %s\n", yesno(right(buf, BASE, SIZE)));
  SYS("file position", lseek(fd, 0, SEEK_CUR));

  SYS("pread at offset -1", pread(fd, buf, 4, -1));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  int p[2];
  CHECK(pipe(p) == 0);
  CHECK(write(p[1], "data", 4) == 4);
  SYS("pread of a pipe", pread(p[0], buf, 4, 0));
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  SYS("pread of a closed fd", pread(p[0], buf, 4, 0));

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
