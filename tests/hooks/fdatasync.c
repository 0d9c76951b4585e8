/*
 * Description: fdatasync(2), which runs on the helper pool.  0 for a temp
 * file after a write (and for a read-only fd of it, a directory, and a
 * file with nothing to flush); EINVAL for a pipe, a socket and /dev/null;
 * EBADF for a closed fd and for -1.  Four threads each write 256 KiB to
 * their own file and fdatasync it, over and over until a ticker thread has
 * ticked 5 times; every fdatasync returns 0 and the data reads back whole.
 */
#include "snippet.h"

#define CHUNK (256 * 1024)

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

static int temp_file(void)
{
  char path[] = "/tmp/ub-fdatasync-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0 && unlink(path) == 0);
  return fd;
}

/* Write and fdatasync, over and over (at least 3 rounds, and on until the
 * ticker is done): how many fdatasyncs failed, or -1 if the data was wrong. */
static void *syncer(void *arg)
{
  long i = (long)arg, bad = 0;
  int fd = temp_file();
  static char data[4][CHUNK];
  memset(data[i], 'a' + (int)i, CHUNK);
  int rounds = 0;
  for (; rounds < 3 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5;
       rounds++) {
    CHECK(write(fd, data[i], CHUNK) == CHUNK);
    bad += fdatasync(fd) != 0;
  }
  char buf[CHUNK];
  for (int r = 0; r < rounds; r++)
    if (pread(fd, buf, CHUNK, (off_t)r * CHUNK) != CHUNK ||
        memcmp(buf, data[i], CHUNK) != 0)
      bad = -1;
  CHECK(close(fd) == 0);
  return (void *)bad;
}

int main(void)
{
  start();
  int fd = temp_file();
  CHECK(write(fd, "data", 4) == 4);
  SYS("fdatasync of a temp file after a write", fdatasync(fd));
  SYS("fdatasync again, nothing to flush", fdatasync(fd));
  char proc[64];
  snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
  int rd = open(proc, O_RDONLY);
  CHECK(rd >= 0);
  SYS("fdatasync of a read-only fd of it", fdatasync(rd));
  CHECK(close(rd) == 0);
  int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
  CHECK(dir >= 0);
  SYS("fdatasync of a directory", fdatasync(dir));
  CHECK(close(dir) == 0);

  int p[2];
  CHECK(pipe(p) == 0);
  SYS("fdatasync of a pipe", fdatasync(p[1]));
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  SYS("fdatasync of a socket", fdatasync(sv[0]));
  CHECK(close(sv[0]) == 0 && close(sv[1]) == 0);
  int null = open("/dev/null", O_WRONLY);
  CHECK(null >= 0);
  SYS("fdatasync of /dev/null", fdatasync(null));
  CHECK(close(null) == 0);
  SYS("fdatasync of a closed fd", fdatasync(p[0]));
  SYS("fdatasync of -1", fdatasync(-1));
  CHECK(close(fd) == 0);

  pthread_t k = spawn(ticker, NULL);
  pthread_t t[4];
  for (long i = 0; i < 4; i++)
    t[i] = spawn(syncer, (void *)i);
  for (int i = 0; i < 4; i++)
    printf("thread %d: failed fdatasyncs: %ld\n", i, (long)join(t[i]));
  join(k);
  printf("the ticker ticked 5 times meanwhile: %s\n",
         yesno(__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) == 5));
  return 0;
}
