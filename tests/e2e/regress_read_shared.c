/* Regression test, found in review: see tests/regress.bats.
 *
 * read() at the file position of a descriptor several threads share is
 * atomic natively: each call reads one contiguous piece.  unblock first
 * looked in the page cache with preadv2(RWF_NOWAIT) at the file position,
 * which moved it by what was cached, then read the rest on the offload
 * pool: two syscalls, between which another thread's read could move the
 * position, so a read returned two pieces from different places.  Here a
 * 16 MiB file of counting words has the first page of every 128 KiB piece
 * cached and the rest dropped, and 16 threads read it in 128 KiB reads
 * through one descriptor, checking each read is contiguous; three rounds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define SIZE (16u << 20)
#define PIECE (128u << 10)
#define THREADS 16
#define ROUNDS 3

static int fd;
static long split, total;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *reader(void *a)
{
  (void)a;
  uint32_t *b = malloc(PIECE);
  for (;;) {
    ssize_t n = read(fd, b, PIECE);
    if (n <= 0)
      break;
    long bad = 0;
    for (size_t i = 1; i < (size_t)n / 4; i++)
      if (b[i] != b[0] + i) {
        bad = 1;
        break;
      }
    pthread_mutex_lock(&m);
    split += bad;
    total += n;
    pthread_mutex_unlock(&m);
  }
  free(b);
  return NULL;
}

int main(void)
{
  const char *dir = getenv("TMPDIR");
  char path[4096];
  snprintf(path, sizeof(path), "%s/ub-regress-XXXXXX", dir ? dir : "/tmp");
  fd = mkstemp(path);
  if (fd < 0)
    return 2;
  unlink(path);
  uint32_t *buf = malloc(SIZE);
  for (uint32_t i = 0; i < SIZE / 4; i++)
    buf[i] = i;
  if (write(fd, buf, SIZE) != SIZE || fsync(fd) != 0)
    return 2;
  for (int r = 0; r < ROUNDS; r++) {
    /* Only the first page of each piece in the page cache. */
    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
    for (off_t o = 0; o < SIZE; o += PIECE)
      (void)!pread(fd, buf, 4096, o);
    lseek(fd, 0, SEEK_SET);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
      pthread_create(&t[i], NULL, reader, NULL);
    for (int i = 0; i < THREADS; i++)
      pthread_join(t[i], NULL);
  }
  printf("%d rounds: %ld bytes read, reads not contiguous: %ld\n", ROUNDS,
         total, split);
  return 0;
}
