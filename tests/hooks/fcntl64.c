// cflags: -D_FILE_OFFSET_BITS=64
/*
 * Description: fcntl64, which fcntl() becomes under -D_FILE_OFFSET_BITS=64.
 * F_GETFL shows exactly the O_NONBLOCK the program set, even after a
 * blocking read; F_SETFL O_NONBLOCK makes a read give EAGAIN and clearing it
 * makes a read wait for a writer thread (50 ms) again.  A lock on a range
 * past 4 GiB held by a child process for 150 ms: F_SETLK gives EAGAIN,
 * F_GETLK reports it at its 64-bit offset, F_SETLKW waits for it while other
 * threads keep running; F_DUPFD_CLOEXEC.
 */
#include "snippet.h"
#include <sys/wait.h>

int main(void)
{
  start();
  int p[2];
  char buf[16];
  CHECK(pipe(p) == 0);
  struct later w = {p[1], "one", 50, 0};
  pthread_t t = spawn(later_fn, &w);
  SYS("blocking read", read(p[0], buf, sizeof(buf)));
  join(t);
  printf("F_GETFL: %s\n", fl_str(p[0]));
  SYS("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
  SYS("read", read(p[0], buf, sizeof(buf)));
  SYS("F_SETFL 0", fcntl(p[0], F_SETFL, 0));
  printf("F_GETFL: %s\n", fl_str(p[0]));
  w = (struct later){p[1], "two", 50, 0};
  double t0 = now_ms();
  t = spawn(later_fn, &w);
  SYS("read waits again", read(p[0], buf, sizeof(buf)));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);
  int dc = fcntl(p[0], F_DUPFD_CLOEXEC, 0);
  printf("F_DUPFD_CLOEXEC: F_GETFD %d\n", fcntl(dc, F_GETFD));

  char path[] = "/tmp/ub-fcntl64-XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0 && unlink(path) == 0);
  int ready[2];
  CHECK(pipe(ready) == 0);
  struct flock lk = {.l_type = F_WRLCK,
                     .l_whence = SEEK_SET,
                     .l_start = 5LL << 30,
                     .l_len = 10};
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    start();
    CHECK(fcntl(f, F_SETLK, &lk) == 0);
    CHECK(write(ready[1], "L", 1) == 1);
    sleep_ms(150);
    _exit(0);
  }
  CHECK(read(ready[0], buf, 1) == 1);
  struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 0};
  SYS("F_GETLK over the whole file", fcntl(f, F_GETLK, &q));
  printf("F_WRLCK at 5 GiB: %s\n",
         yesno(q.l_type == F_WRLCK && q.l_start == (5LL << 30)));
  SYS("F_SETLK, held by the child", fcntl(f, F_SETLK, &lk));
  struct ticker k;
  ticker_start(&k, 30);
  t0 = now_ms();
  SYS("F_SETLKW, held by the child", fcntl(f, F_SETLKW, &lk));
  printf("waited at least 100ms: %s\n", yesno(now_ms() - t0 >= 100));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  int status;
  CHECK(waitpid(pid, &status, 0) == pid && status == 0);
  return 0;
}
