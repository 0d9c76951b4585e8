// cflags: -D_FILE_OFFSET_BITS=64
/*
 * Description: pwrite64, which pwrite() becomes under
 * -D_FILE_OFFSET_BITS=64, on a regular file: at 5 GiB, which makes a
 * sparse file of 5 GiB and a bit and leaves the file position where it
 * was; the bytes read back at their 64-bit offset, and the hole before
 * them as zeros; past RLIMIT_FSIZE lowered to 6 GiB, SIGXFSZ kills a
 * child process, and with SIGXFSZ ignored the call is EFBIG; EINVAL for a
 * negative offset, ESPIPE on a pipe, EBADF on a closed fd.  Four threads write
 * their own 4 KiB blocks past 5 GiB at once, over and over until a ticker
 * thread has ticked 5 times; every block ends up whole and right.
 */
#include "snippet.h"
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define BASE (5LL << 30)
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

/* Blocks i, i+4, i+8... past 5 GiB filled with the byte 'A' + i, over and
 * over (at least 5 rounds, and on until the ticker is done): how many
 * writes were short or failed. */
static void *writer(void *arg)
{
  long i = (long)arg, bad = 0;
  char block[4096];
  memset(block, 'A' + (int)i, sizeof(block));
  for (int round = 0;
       round < 5 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5; round++)
    for (long b = i; b < BLOCKS; b += 4)
      bad += pwrite(fd, block, sizeof(block), BASE + b * 4096) != 4096;
  return (void *)bad;
}

static long long size_of(int f)
{
  struct stat st;
  CHECK(fstat(f, &st) == 0);
  return (long long)st.st_size;
}

int main(void)
{
  start();
  char path[] = "/tmp/ub-pwrite64-XXXXXX";
  fd = mkstemp(path);
  CHECK(fd >= 0 && unlink(path) == 0);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);

  SYS("pwrite 8 bytes at 5 GiB + 10", pwrite(fd, "fivegigs", 8, BASE + 10));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  printf("  size is 5 GiB + 18: %s\n", yesno(size_of(fd) == BASE + 18));
  char buf[16];
  CHECK(pread(fd, buf, 8, BASE + 10) == 8);
  printf("  read back: %.8s\n", buf);
  memset(buf, 0xff, sizeof(buf));
  CHECK(pread(fd, buf, 10, BASE) == 10);
  printf("  the 10 bytes before it are zeros: %s\n",
         yesno(memcmp(buf, "\0\0\0\0\0\0\0\0\0\0", 10) == 0));

  struct rlimit rl = {6LL << 30, 6LL << 30};
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    start();
    CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
    pwrite(fd, "x", 1, 7LL << 30);
    _exit(0);
  }
  int st;
  CHECK(waitpid(pid, &st, 0) == pid);
  printf("a child's pwrite over RLIMIT_FSIZE, SIGXFSZ not ignored: %s\n",
         WIFSIGNALED(st) ? strsignal(WTERMSIG(st))
         : WIFEXITED(st) ? "the child exited"
                         : "?");
  on_signal(SIGXFSZ, SIG_IGN, 0);
  CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
  SYS("pwrite at 7 GiB, over RLIMIT_FSIZE", pwrite(fd, "x", 1, 7LL << 30));
  SYS("pwrite at offset -1", pwrite(fd, "neg", 3, -1));
  SYS("file position", lseek(fd, 0, SEEK_CUR));
  int p[2];
  CHECK(pipe(p) == 0);
  SYS("pwrite to a pipe", pwrite(p[1], "data", 4, 0));
  CHECK(close(p[0]) == 0 && close(p[1]) == 0);
  SYS("pwrite to a closed fd", pwrite(p[1], "data", 4, 0));

  CHECK(ftruncate(fd, 0) == 0);
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
  printf("size is 5 GiB + 256 KiB: %s\n",
         yesno(size_of(fd) == BASE + BLOCKS * 4096));
  int wrong = 0;
  for (long b = 0; b < BLOCKS; b++) {
    char block[4096];
    CHECK(pread(fd, block, sizeof(block), BASE + b * 4096) == sizeof(block));
    for (int j = 0; j < 4096; j++)
      wrong += block[j] != 'A' + b % 4;
  }
  printf("wrong bytes: %d\n", wrong);
  return 0;
}
