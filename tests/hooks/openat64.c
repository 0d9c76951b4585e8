// cflags: -D_FILE_OFFSET_BITS=64
/*
 * Description: openat64, which openat() becomes under
 * -D_FILE_OFFSET_BITS=64, and which runs on the helper pool for a regular
 * file or a FIFO.  Each new fd is the lowest free number, the same
 * natively and shimmed (printed).  Relative to a directory fd: O_CREAT
 * with mode 0666 under umask 022 makes a 0644 file; a sparse file of
 * 5 GiB opened again reports its size and seeks to its end; ENOENT,
 * ENOTDIR for O_DIRECTORY on a file, EBADF for a bad directory fd.  A
 * FIFO in the directory: opened for reading by a thread, the open waits
 * until main opens it for writing 200 ms later, while a ticker thread
 * ticks every 10 ms.  A SIGALRM handler without SA_RESTART interrupts a
 * FIFO open with EINTR; with SA_RESTART the open goes on and returns once
 * a writer comes.
 */
#include "snippet.h"
#include <sys/stat.h>

#define BIG (5LL << 30)

static char dir[32];
static int dfd;
static int ticks, stop;
static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
  (void)sig;
  alarms++;
}

static void *ticker(void *arg)
{
  (void)arg;
  while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST)) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

struct reader {
  int fd, ticks;
  double waited;
};

static void *fifo_reader(void *p)
{
  struct reader *r = p;
  double t0 = now_ms();
  r->fd = openat(dfd, "fifo", O_RDONLY);
  r->waited = now_ms() - t0;
  r->ticks = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
  return NULL;
}

/* After ms, open the FIFO for writing and close it again. */
static void *fifo_writer(void *arg)
{
  sleep_ms((long)arg);
  int fd = openat(dfd, "fifo", O_WRONLY);
  CHECK(fd >= 0);
  CHECK(close(fd) == 0);
  return NULL;
}

int main(void)
{
  start();
  skip_under_valgrind();
  umask(022);
  strcpy(dir, "/tmp/ub-openat64-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  dfd = open(dir, O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  printf("the directory fd: %d\n", dfd);

  int fd = SYS("big, O_CREAT|O_WRONLY, 0666",
               openat(dfd, "big", O_CREAT | O_WRONLY, 0666));
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  printf("  mode %03o\n", (unsigned)(st.st_mode & 0777));
  CHECK(lseek(fd, BIG - 4, SEEK_SET) == BIG - 4);
  CHECK(write(fd, "last", 4) == 4);
  CHECK(close(fd) == 0);
  fd = SYS("big, O_RDONLY", openat(dfd, "big", O_RDONLY));
  CHECK(fstat(fd, &st) == 0);
  printf("  size is 5 GiB: %s\n", yesno(st.st_size == BIG));
  printf("  SEEK_END at 5 GiB: %s\n", yesno(lseek(fd, 0, SEEK_END) == BIG));
  CHECK(close(fd) == 0);
  SYS("missing", openat(dfd, "missing", O_RDONLY));
  SYS("big, O_DIRECTORY", openat(dfd, "big", O_RDONLY | O_DIRECTORY));
  SYS("big, directory fd -1", openat(-1, "big", O_RDONLY));

  CHECK(mkfifoat(dfd, "fifo", 0600) == 0);
  pthread_t k = spawn(ticker, NULL);
  struct reader r;
  pthread_t t = spawn(fifo_reader, &r);
  sleep_ms(200);
  fd = SYS("the FIFO, O_WRONLY, a reader waiting",
           openat(dfd, "fifo", O_WRONLY));
  CHECK(write(fd, "hello", 5) == 5);
  join(t);
  printf("the reader's openat: %d, waited at least 150ms: %s\n", r.fd,
         yesno(r.waited >= 150));
  printf("ticker ticked while open waited: %s\n", yesno(r.ticks >= 5));
  char buf[8];
  SYS("  read", read(r.fd, buf, sizeof(buf)));
  CHECK(close(fd) == 0 && close(r.fd) == 0);
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  join(k);

  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(100);
  SYS("the FIFO, interrupted, no SA_RESTART", openat(dfd, "fifo", O_RDONLY));
  printf("  handler calls: %d\n", (int)alarms);
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  t = spawn(fifo_writer, (void *)300L);
  alarm_ms(100);
  fd = SYS("the FIFO, interrupted, SA_RESTART", openat(dfd, "fifo", O_RDONLY));
  printf("  handler calls: %d\n", (int)alarms);
  join(t);
  CHECK(close(fd) == 0);

  printf("lowest free fd now: %d\n", lowest_free_fd());
  CHECK(unlinkat(dfd, "fifo", 0) == 0 && unlinkat(dfd, "big", 0) == 0);
  CHECK(close(dfd) == 0 && rmdir(dir) == 0);
  return 0;
}
