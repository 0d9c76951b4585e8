/*
 * Description: fcntl(2).  F_GETFL shows exactly the O_NONBLOCK the program
 * set, even after blocking reads: none at first, set with F_SETFL (a read
 * then gives EAGAIN), cleared again (a read waits for a writer thread).
 * F_SETFD/F_GETFD, F_DUPFD (at least the minimum, sharing O_NONBLOCK),
 * F_DUPFD_CLOEXEC, F_SETPIPE_SZ, O_APPEND.  And the blocking one: F_SETLKW
 * on a range a child process holds for 150 ms waits for it (F_SETLK gives
 * EAGAIN, F_GETLK names the write lock), while other threads keep running.
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
  printf("F_GETFL: %s\n", fl_str(p[0]));
  SYS("read", read(p[0], buf, sizeof(buf)));
  SYS("F_SETFL 0", fcntl(p[0], F_SETFL, 0));
  printf("F_GETFL: %s\n", fl_str(p[0]));
  w = (struct later){p[1], "two", 50, 0};
  double t0 = now_ms();
  t = spawn(later_fn, &w);
  SYS("read waits again", read(p[0], buf, sizeof(buf)));
  printf("waited at least 40ms: %s\n", yesno(now_ms() - t0 >= 40));
  join(t);

  SYS("F_SETFD FD_CLOEXEC", fcntl(p[0], F_SETFD, FD_CLOEXEC));
  SYS("F_GETFD", fcntl(p[0], F_GETFD));
  int d = fcntl(p[0], F_DUPFD, 100);
  printf("F_DUPFD 100: at least 100: %s, F_GETFD %d\n", yesno(d >= 100),
         fcntl(d, F_GETFD));
  CHECK(fcntl(d, F_SETFL, O_NONBLOCK) == 0);
  printf("O_NONBLOCK through the dup, F_GETFL of the original: %s\n",
         fl_str(p[0]));
  int dc = fcntl(p[0], F_DUPFD_CLOEXEC, 0);
  printf("F_DUPFD_CLOEXEC: F_GETFD %d\n", fcntl(dc, F_GETFD));
  SYS("F_GETPIPE_SZ", fcntl(p[1], F_GETPIPE_SZ));
  SYS("F_SETPIPE_SZ 4096", fcntl(p[1], F_SETPIPE_SZ, 4096));
  SYS("F_GETFL of a closed fd", fcntl(-1, F_GETFL));

  char path[] = "/tmp/ub-fcntl-XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0 && unlink(path) == 0);
  SYS("F_SETFL O_APPEND", fcntl(f, F_SETFL, O_APPEND));
  printf("F_GETFL: %s\n", fl_str(f));

  int ready[2];
  CHECK(pipe(ready) == 0);
  struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10};
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
  struct flock q = lk;
  SYS("F_GETLK", fcntl(f, F_GETLK, &q));
  printf("held as F_WRLCK: %s\n", yesno(q.l_type == F_WRLCK));
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
