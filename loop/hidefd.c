/*
 * hidefd.c - keeping the runtime's own fds out of the program's way.
 *
 * The loop needs an epoll fd and an eventfd.  Made at the lowest free
 * numbers, they would shift every fd the program opens afterwards (its
 * first socket would be 5, not 3), which a program can see.  So each is
 * moved to the top of the fd range, just below RLIMIT_NOFILE's soft limit,
 * where programs rarely look, and remembered: the close hook refuses to
 * close one (EBADF, as for an fd the program never opened, which is what
 * a "close every fd" loop expects).
 */
#include "hidefd.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include "sys.h"

#define MAX_HIDDEN 64

static atomic_int hidden[MAX_HIDDEN]; /* fd + 1; 0: free slot */

int ub_hidefd(int fd)
{
  struct rlimit rl;
  int moved = fd;
  if (syscall(SYS_getrlimit, RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 128 &&
      rl.rlim_cur <= (1u << 24)) {
    /* Search down from the top for a free number. */
    for (int to = (int)rl.rlim_cur - 1; to > (int)rl.rlim_cur - 96; to--) {
      if (syscall(SYS_fcntl, to, F_GETFD) >= 0)
        continue; /* taken */
      int r = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, to);
      if (r == to) {
        ub_sys_close(fd);
        moved = r;
        break;
      }
      if (r >= 0)
        ub_sys_close(r);
    }
  }
  for (int i = 0; i < MAX_HIDDEN; i++) {
    int free = 0;
    if (atomic_compare_exchange_strong(&hidden[i], &free, moved + 1))
      break;
  }
  return moved;
}

void ub_unhidefd(int fd)
{
  for (int i = 0; i < MAX_HIDDEN; i++) {
    int mine = fd + 1;
    if (atomic_compare_exchange_strong(&hidden[i], &mine, 0))
      return;
  }
}

bool ub_hiddenfd(int fd)
{
  for (int i = 0; i < MAX_HIDDEN; i++)
    if (atomic_load_explicit(&hidden[i], memory_order_relaxed) == fd + 1)
      return true;
  return false;
}
