/*
 * Description: pwrite(2) on a regular file, which runs on the helper pool.
 * At an offset, leaving the file position where it was; past the end,
 * which grows the file and leaves a hole of zeros; 1 MiB at once; on an
 * O_APPEND file, where Linux appends whatever the offset; EINVAL for a
 * negative offset, ESPIPE on a pipe, EBADF on a closed fd and on a
 * read-only one, and 0 bytes is 0.  Four threads write their own 4 KiB
 * blocks at once, over and over until a ticker thread has ticked 5 times;
 * every block ends up whole and right, and the file position never moves.
 */
#include "snippet.h"
#include <sys/stat.h>

#define BLOCKS 64

static int fd;
static int ticks;

static void *ticker(void *arg)
{
  (void)arg;
  for (int i = 0; i < 5; i++) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

/* Blocks i, i+4, i+8... filled with the byte 'A' + i, over and over (at
 * least 5 rounds, and on until the ticker is done): how many writes were
 * short or failed. */
static void *writer(void *arg)
{
  long i = (long)arg, bad = 0;
  char block[4096];
  memset(block, 'A' + (int)i, sizeof(block));
  for (int round = 0;
       round < 5 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5; round++)
    for (long b = i; b < BLOCKS; b += 4)
      bad += pwrite(fd, block, sizeof(block), b * 4096) != 4096;
  return (void *)bad;
}

/* The file's contents from off, n bytes, as text ('.' for a zero byte). */
static void show(int f, off_t off, int n)
{
  char buf[64];
  CHECK(n < (int)sizeof(buf));
  CHECK(lseek(f, off, SEEK_SET) == off);
  ssize_t got = read(f, buf, n);
  CHECK(got >= 0);
  for (ssize_t i = 0; i < got; i++)
    if (buf[i] == '\0')
      buf[i] = '.';
  printf("  contents at %ld: %.*s\n", (long)off, (int)got, buf);
}

static long size_of(int f)
{
  struct stat st;
  CHECK(fstat(f, &st) == 0);
  return (long)st.st_size;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-pwrite-XXXXXX";
  fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(write(fd, "0123456789abcdef", 16) == 16);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);

  SYS("pwrite 3 bytes at 10", pwrite(fd, "XYZ", 3, 10));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  show(fd, 0, 16);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);
  SYS("pwrite 4 bytes at 20, past the end", pwrite(fd, "tail", 4, 20));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  printf("  size: %ld\n", size_of(fd));
  show(fd, 14, 10);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);
  SYS("pwrite of 0 bytes", pwrite(fd, "", 0, 0));

  static char big[1 << 20];
  memset(big, 'm', sizeof(big));
  SYS("pwrite 1 MiB at 4096", pwrite(fd, big, sizeof(big), 4096));
  printf("  size: %ld\n", size_of(fd));
  static char back[1 << 20];
  CHECK(pread(fd, back, sizeof(back), 4096) == sizeof(back));
  printf("  read back right: %s\n", yesno(memcmp(big, back, sizeof(big)) == 0));
  SYS("file position", lseek(fd, 0, SEEK_CUR));

  SYS("pwrite at offset -1", pwrite(fd, "neg", 3, -1));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  show(fd, 0, 8);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);

  int p[2];
  CHECK(pipe(p) == 0);
  SYS("pwrite to a pipe", pwrite(p[1], "data", 4, 0));
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  SYS("pwrite to a closed fd", pwrite(p[1], "data", 4, 0));
  int rd = open(path, O_RDONLY);
  CHECK(rd >= 0);
  SYS("pwrite to a read-only fd", pwrite(rd, "data", 4, 0));
  CHECK(close(rd) == 0);

  int ap = open(path, O_WRONLY | O_APPEND | O_TRUNC);
  CHECK(ap >= 0);
  CHECK(write(ap, "start", 5) == 5);
  SYS("pwrite at 0 on an O_APPEND fd", pwrite(ap, "-end", 4, 0));
  printf("  size: %ld\n", size_of(ap));
  show(fd, 0, 9);
  CHECK(close(ap) == 0);
  CHECK(unlink(path) == 0);

  CHECK(ftruncate(fd, 0) == 0);
  CHECK(lseek(fd, 123, SEEK_SET) == 123);
  pthread_t k = spawn(ticker, NULL);
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    t[i] = spawn(writer, (void *)i);
  for (int i = 0; i < 4; i++)
    printf("thread %d: failed writes: %ld\n", i, (long)join(t[i]));
  join(k);
  printf("the ticker ticked 5 times meanwhile: %s\n",
         yesno(__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) == 5));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  printf("size: %ld\n", size_of(fd));
  int wrong = 0;
  for (long b = 0; b < BLOCKS; b++) {
    char block[4096];
    CHECK(pread(fd, block, sizeof(block), b * 4096) == sizeof(block));
    for (int j = 0; j < 4096; j++)
      wrong += block[j] != 'A' + b % 4;
  }
  printf("wrong bytes: %d\n", wrong);
  return 0;
}
