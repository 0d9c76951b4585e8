/*
 * Description: open(2), which runs on the helper pool for a regular file or
 * a FIFO.  Each new fd is the lowest free number, the same natively and
 * shimmed (printed).  O_CREAT|O_EXCL with mode 0666 under umask 022 makes a
 * 0644 file, again is EEXIST; O_TRUNC empties it; O_CLOEXEC, O_APPEND and
 * O_NONBLOCK show in F_GETFD and F_GETFL; O_TMPFILE; ENOENT, ENOTDIR for a
 * path through a file and for O_DIRECTORY on a file, EISDIR for writing a
 * directory, ELOOP for O_NOFOLLOW on a symlink.  A FIFO: opened for reading
 * by a thread, the open waits until main opens it for writing 200 ms
 * later, while a ticker thread ticks every 10 ms; O_NONBLOCK opens for
 * reading at once and for writing with no reader is ENXIO.  A SIGALRM
 * handler without SA_RESTART interrupts a FIFO open with EINTR; with
 * SA_RESTART the open goes on and returns once a writer comes.  A thread
 * waiting in a FIFO open for a writer that never comes is cancelled
 * (open is a cancellation point).
 */
#include "snippet.h"
#include <sys/stat.h>

static char dir[32], file[64], fifo[64];
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
  r->fd = open(fifo, O_RDONLY);
  r->waited = now_ms() - t0;
  r->ticks = __atomic_load_n(&ticks, __ATOMIC_SEQ_CST);
  return NULL;
}

/* Opens the FIFO for reading, with no writer ever to come. */
static void *fifo_forever(void *arg)
{
  (void)arg;
  open(fifo, O_RDONLY);
  return (void *)1L;
}

/* After ms, open the FIFO for writing and close it again. */
static void *fifo_writer(void *arg)
{
  sleep_ms((long)arg);
  int fd = open(fifo, O_WRONLY);
  CHECK(fd >= 0);
  CHECK(close(fd) == 0);
  return NULL;
}

static void print_mode(const char *label, int fd)
{
  struct stat st;
  CHECK(fstat(fd, &st) == 0);
  printf("%s: mode %03o, size %ld\n", label, (unsigned)(st.st_mode & 0777),
         (long)st.st_size);
}

int main(void)
{
  start();
  skip_under_valgrind();
  umask(022);
  strcpy(dir, "/tmp/ub-open-XXXXXX");
  CHECK(mkdtemp(dir) != NULL);
  snprintf(file, sizeof(file), "%s/file", dir);
  snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
  char path[96];

  int fd = SYS("O_CREAT|O_EXCL|O_WRONLY, 0666",
               open(file, O_CREAT | O_EXCL | O_WRONLY, 0666));
  print_mode("  the new file", fd);
  CHECK(write(fd, "data", 4) == 4);
  SYS("O_CREAT|O_EXCL again", open(file, O_CREAT | O_EXCL | O_WRONLY, 0666));
  int fd2 = SYS("O_RDONLY", open(file, O_RDONLY));
  printf("  F_GETFL %s, F_GETFD %d\n", fl_str(fd2), fcntl(fd2, F_GETFD));
  CHECK(close(fd2) == 0);
  fd2 = SYS("O_RDWR|O_CLOEXEC|O_APPEND|O_NONBLOCK",
            open(file, O_RDWR | O_CLOEXEC | O_APPEND | O_NONBLOCK));
  printf("  F_GETFL %s, F_GETFD %d\n", fl_str(fd2), fcntl(fd2, F_GETFD));
  CHECK(close(fd2) == 0);
  fd2 = SYS("O_WRONLY|O_TRUNC", open(file, O_WRONLY | O_TRUNC));
  print_mode("  the file", fd2);
  CHECK(close(fd2) == 0 && close(fd) == 0);
  fd = SYS("O_TMPFILE|O_RDWR, 0600", open(dir, O_TMPFILE | O_RDWR, 0600));
  print_mode("  the unnamed file", fd);
  CHECK(close(fd) == 0);

  snprintf(path, sizeof(path), "%s/missing", dir);
  SYS("a missing file", open(path, O_RDONLY));
  snprintf(path, sizeof(path), "%s/file/x", dir);
  SYS("a path through a file", open(path, O_RDONLY));
  SYS("O_DIRECTORY on a file", open(file, O_RDONLY | O_DIRECTORY));
  SYS("a directory for writing", open(dir, O_WRONLY));
  fd = SYS("a directory, O_DIRECTORY", open(dir, O_RDONLY | O_DIRECTORY));
  CHECK(close(fd) == 0);
  snprintf(path, sizeof(path), "%s/link", dir);
  CHECK(symlink(file, path) == 0);
  SYS("O_NOFOLLOW on a symlink", open(path, O_RDONLY | O_NOFOLLOW));
  fd = SYS("through the symlink", open(path, O_RDONLY));
  CHECK(close(fd) == 0 && unlink(path) == 0);
  fd = SYS("/dev/null", open("/dev/null", O_RDWR));
  CHECK(close(fd) == 0);

  CHECK(mkfifo(fifo, 0600) == 0);
  fd = SYS("the FIFO, O_RDONLY|O_NONBLOCK", open(fifo, O_RDONLY | O_NONBLOCK));
  printf("  F_GETFL %s\n", fl_str(fd));
  CHECK(close(fd) == 0);
  SYS("the FIFO, O_WRONLY|O_NONBLOCK, no reader",
      open(fifo, O_WRONLY | O_NONBLOCK));

  pthread_t k = spawn(ticker, NULL);
  struct reader r;
  pthread_t t = spawn(fifo_reader, &r);
  sleep_ms(200);
  fd = SYS("the FIFO, O_WRONLY, a reader waiting", open(fifo, O_WRONLY));
  CHECK(write(fd, "hello", 5) == 5);
  join(t);
  printf("the reader's open: %d, waited at least 150ms: %s\n", r.fd,
         yesno(r.waited >= 150));
  printf("ticker ticked while open waited: %s\n", yesno(r.ticks >= 5));
  char buf[8];
  SYS("  read", read(r.fd, buf, sizeof(buf)));
  CHECK(close(fd) == 0 && close(r.fd) == 0);
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  join(k);

  on_signal(SIGALRM, on_alarm, 0);
  alarm_ms(100);
  SYS("the FIFO, interrupted, no SA_RESTART", open(fifo, O_RDONLY));
  printf("  handler calls: %d\n", (int)alarms);
  on_signal(SIGALRM, on_alarm, SA_RESTART);
  t = spawn(fifo_writer, (void *)300L);
  alarm_ms(100);
  fd = SYS("the FIFO, interrupted, SA_RESTART", open(fifo, O_RDONLY));
  printf("  handler calls: %d\n", (int)alarms);
  join(t);
  CHECK(close(fd) == 0);

  t = spawn(fifo_forever, NULL);
  sleep_ms(100);
  ERR("pthread_cancel of a thread waiting in open", pthread_cancel(t));
  printf("  it was cancelled: %s\n", yesno(join(t) == PTHREAD_CANCELED));

  printf("lowest free fd now: %d\n", lowest_free_fd());
  CHECK(unlink(fifo) == 0 && unlink(file) == 0 && rmdir(dir) == 0);
  return 0;
}
