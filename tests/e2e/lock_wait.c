/*
 * Description: calls that block with no readiness to wait for (file locks,
 * the open of a FIFO, regular files) while a ticker thread sleeps 10 ms at
 * a time.  Natively the ticker is a thread of its own and keeps ticking;
 * under unblock these calls run on the offload pool while the green thread
 * parks, so the ticker, a green thread, must keep ticking too.  DIR is a
 * scratch directory for the files.
 *
 *   lock_wait flock DIR: thread 1 takes flock(LOCK_EX) on DIR/lock and
 *     holds it 300 ms; thread 2, through an open file description of its
 *     own, blocks in flock(LOCK_EX) until thread 1 unlocks.
 *   lock_wait fcntl DIR: a forked child takes a write lock on DIR/lock
 *     with fcntl(F_SETLK) and holds it 300 ms; the main thread blocks in
 *     fcntl(F_SETLKW) until the child exits.  (Record locks belong to the
 *     process, so the holder must be another process.)
 *   lock_wait fifo DIR: the main thread opens the FIFO DIR/fifo for
 *     reading, which blocks until a forked child opens it for writing
 *     300 ms later; it then reads what the child wrote.
 *   lock_wait file DIR: four threads each append 256 records of 64 bytes
 *     with write() to one O_APPEND file, fsync it, and the main thread
 *     reads it back in 4 KiB pieces and checks every record.
 *
 * Prints return values, counts and yes/no answers about the waits ("the
 * ticker ticked during the lock wait" means at least 10 ticks of the ~30
 * that fit in 300 ms); the raw figures on stderr.
 */
#include "e2e.h"
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define HOLD_MS 300

static const char *dir;
static atomic_int ticks;
static atomic_int done;

static void sleep_ms(long ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

static void *ticker(void *arg)
{
  (void)arg;
  while (!atomic_load(&done)) {
    sleep_ms(10);
    atomic_fetch_add(&ticks, 1);
  }
  return NULL;
}

/* Per thread: the holder and the waiter build their paths at once, and
 * one buffer shared by both could be read half rewritten (seen once as
 * ENOENT from a native run). */
static char *path_of(const char *name)
{
  static __thread char path[4096];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  return path;
}

/* A call (what) that waited for another thread or process (whom), from
 * tick count t and time s: print the coarse answers on stdout, naming the
 * wait (during), and the figures on stderr. */
static void report_wait(const char *what, const char *whom, const char *during,
                        int t, double s)
{
  int n = atomic_load(&ticks) - t;
  double dt = now_s() - s;
  printf("%s waited for the %s (at least 200 ms): %s\n", what, whom,
         yesno(dt >= 0.2));
  printf("ticker ticked during the %s: %s\n", during, yesno(n >= 10));
  fprintf(stderr, "lock_wait: %s waited %.0f ms, %d ticks meanwhile\n", what,
          dt * 1000, n);
}

static int child_status(pid_t pid)
{
  int st;
  CHECK(waitpid(pid, &st, 0) == pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- flock between two threads ---- */

static sem_t held;
static int holder_lock, holder_unlock, waiter_lock;

static void *flock_holder(void *arg)
{
  (void)arg;
  int fd = open(path_of("lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  CHECK(fd >= 0);
  holder_lock = flock(fd, LOCK_EX);
  CHECK(sem_post(&held) == 0);
  sleep_ms(HOLD_MS);
  holder_unlock = flock(fd, LOCK_UN);
  close(fd);
  return NULL;
}

static void *flock_waiter(void *arg)
{
  (void)arg;
  int fd = open(path_of("lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  CHECK(fd >= 0);
  CHECK(sem_wait(&held) == 0);
  int t = atomic_load(&ticks);
  double s = now_s();
  waiter_lock = flock(fd, LOCK_EX);
  report_wait("flock(LOCK_EX)", "holder", "lock wait", t, s);
  flock(fd, LOCK_UN);
  close(fd);
  return NULL;
}

static void run_flock(void)
{
  CHECK(sem_init(&held, 0, 0) == 0);
  pthread_t h, w;
  CHECK(pthread_create(&h, NULL, flock_holder, NULL) == 0);
  CHECK(pthread_create(&w, NULL, flock_waiter, NULL) == 0);
  CHECK(pthread_join(h, NULL) == 0);
  CHECK(pthread_join(w, NULL) == 0);
  printf("holder: flock(LOCK_EX) = %d, flock(LOCK_UN) = %d\n", holder_lock,
         holder_unlock);
  printf("waiter: flock(LOCK_EX) = %d\n", waiter_lock);
}

/* ---- fcntl record lock held by a child process ---- */

static void run_fcntl(void)
{
  int p[2];
  CHECK(pipe(p) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    watchdog();
    int fd = open(path_of("lock"), O_RDWR | O_CREAT, 0600);
    CHECK(fd >= 0);
    struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    CHECK(fcntl(fd, F_SETLK, &l) == 0);
    CHECK(write(p[1], "L", 1) == 1);
    sleep_ms(HOLD_MS);
    _exit(0); /* exiting releases the lock */
  }
  close(p[1]);
  int fd = open(path_of("lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  CHECK(fd >= 0);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  int t = atomic_load(&ticks);
  double s = now_s();
  int r = fcntl(fd, F_SETLKW, &l);
  int err = r == 0 ? 0 : errno;
  report_wait("fcntl(F_SETLKW)", "holder", "lock wait", t, s);
  printf("fcntl(F_SETLKW) = %d%s%s\n", r, r == 0 ? "" : " ",
         r == 0 ? "" : errname(err));
  struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  CHECK(fcntl(fd, F_GETLK, &q) == 0);
  printf("F_GETLK after: %s\n", q.l_type == F_UNLCK ? "F_UNLCK" : "locked");
  printf("holder child exit status: %d\n", child_status(pid));
  close(fd);
  close(p[0]);
}

/* ---- open of a FIFO ---- */

static void run_fifo(void)
{
  unlink(path_of("fifo")); /* left by an earlier run in DIR */
  CHECK(mkfifo(path_of("fifo"), 0600) == 0);
  pid_t pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    watchdog();
    sleep_ms(HOLD_MS);
    int fd = open(path_of("fifo"), O_WRONLY);
    CHECK(fd >= 0);
    CHECK(write(fd, "hello", 5) == 5);
    _exit(0);
  }
  int t = atomic_load(&ticks);
  double s = now_s();
  int fd = open(path_of("fifo"), O_RDONLY | O_CLOEXEC);
  int err = fd >= 0 ? 0 : errno;
  report_wait("open(O_RDONLY) of the FIFO", "writer", "open", t, s);
  printf("open: %s\n", fd >= 0 ? "an fd" : errname(err));
  if (fd >= 0) {
    char buf[16] = "";
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
      got += (size_t)n;
    printf("read: %zu '%s', then %zd\n", got, buf, n);
    close(fd);
  }
  printf("writer child exit status: %d\n", child_status(pid));
}

/* ---- regular file: appends from four threads, fsync, read back ---- */

#define WRITERS 4
#define RECORDS 256
#define RECLEN 64

static int file_fd;
static atomic_int short_writes;

static void *appender(void *arg)
{
  int w = (int)(long)arg;
  char rec[RECLEN];
  for (int i = 0; i < RECORDS; i++) {
    /* "w<w> r<i> " padded with the writer's letter, then a newline. */
    int n = snprintf(rec, sizeof(rec), "w%d r%03d ", w, i);
    memset(rec + n, 'a' + w, RECLEN - 1 - n);
    rec[RECLEN - 1] = '\n';
    if (write(file_fd, rec, RECLEN) != RECLEN)
      short_writes++;
  }
  return NULL;
}

static void run_file(void)
{
  file_fd = open(path_of("data"),
                 O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  CHECK(file_fd >= 0);
  pthread_t t[WRITERS];
  for (int w = 0; w < WRITERS; w++)
    CHECK(pthread_create(&t[w], NULL, appender, (void *)(long)w) == 0);
  for (int w = 0; w < WRITERS; w++)
    CHECK(pthread_join(t[w], NULL) == 0);
  printf("short writes: %d\n", atomic_load(&short_writes));
  printf("fsync: %d\n", fsync(file_fd));
  off_t end = lseek(file_fd, 0, SEEK_CUR);
  struct stat st;
  CHECK(fstat(file_fd, &st) == 0);
  printf("size: %lld, offset at the end: %s\n", (long long)st.st_size,
         yesno(end == st.st_size));

  int fd = open(path_of("data"), O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0);
  static char data[WRITERS * RECORDS * RECLEN + 4096];
  size_t got = 0;
  ssize_t n;
  while ((n = read(fd, data + got, 4096)) > 0)
    got += (size_t)n;
  close(fd);
  int intact = 0, next[WRITERS] = {0}, in_order = 1;
  for (size_t off = 0; off + RECLEN <= got; off += RECLEN) {
    int w, i, len;
    const char *r = data + off;
    if (sscanf(r, "w%d r%d %n", &w, &i, &len) != 2 || w < 0 || w >= WRITERS)
      continue;
    int ok = r[RECLEN - 1] == '\n';
    for (int k = len; k < RECLEN - 1; k++)
      ok &= r[k] == 'a' + w;
    intact += ok;
    in_order &= i == next[w]++;
  }
  printf("read back: %zu bytes, %d of %d records intact\n", got, intact,
         WRITERS * RECORDS);
  printf("each writer's records in its order: %s\n", yesno(in_order));
  close(file_fd);
}

int main(int argc, char **argv)
{
  start();
  void (*run)(void) = NULL;
  if (argc == 3) {
    if (strcmp(argv[1], "flock") == 0)
      run = run_flock;
    else if (strcmp(argv[1], "fcntl") == 0)
      run = run_fcntl;
    else if (strcmp(argv[1], "fifo") == 0)
      run = run_fifo;
    else if (strcmp(argv[1], "file") == 0)
      run = run_file;
  }
  if (run == NULL) {
    fprintf(stderr, "usage: lock_wait flock|fcntl|fifo|file DIR\n");
    return 2;
  }
  dir = argv[2];
  pthread_t tick;
  CHECK(pthread_create(&tick, NULL, ticker, NULL) == 0);
  run();
  atomic_store(&done, 1);
  CHECK(pthread_join(tick, NULL) == 0);
  return 0;
}
