/*
 * Description: 2 x N CPU-bound threads, N from the argument (default: the
 * CPUs online).  Each thread runs the same fixed amount of pure integer
 * work (a xorshift64* chain seeded by its index, no syscalls, no locks,
 * no allocation) and stores its result in a volatile sink; the main thread
 * joins them all.  Under unblock there is no preemption, so each thread
 * keeps its carrier until it ends: with one carrier the threads run one
 * after another, with two they run two at a time.
 *
 *   cpu_threads [N [MILLION_STEPS]]   (defaults: CPUs online, 100)
 *
 * stdout: the thread count and a checksum of all results, the same for
 * every run with the same arguments.  stderr, the lines that differ
 * between runs: "elapsed: S" (seconds of wall time from the first
 * pthread_create to the last join), and "at once: K", the most threads
 * that were inside their work at the same time (1 with one carrier, 2 with
 * two, whatever the kernel gives them of the CPUs).
 */
#include "e2e.h"
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define MAX_THREADS 512

static long steps;
static volatile uint64_t sink[MAX_THREADS];
static atomic_int inside, most;

static void *work(void *arg)
{
  long id = (long)arg;
  uint64_t x = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1);
  uint64_t acc = 0;
  int now = atomic_fetch_add(&inside, 1) + 1;
  for (int m = atomic_load(&most); now > m;)
    if (atomic_compare_exchange_weak(&most, &m, now))
      break;
  /* A dependent chain: each step needs the previous state, so the compiler
   * can neither vectorise it nor fold it into a closed form. */
  for (long i = 0; i < steps; i++) {
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    acc += x * 0x2545F4914F6CDD1Dull;
  }
  sink[id] = acc;
  atomic_fetch_sub(&inside, 1);
  return NULL;
}

int main(int argc, char **argv)
{
  start();
  long n = argc > 1 ? atol(argv[1]) : sysconf(_SC_NPROCESSORS_ONLN);
  steps = (argc > 2 ? atol(argv[2]) : 100) * 1000000L;
  CHECK(n >= 1 && 2 * n <= MAX_THREADS && steps > 0);
  int threads = (int)(2 * n);
  pthread_t t[MAX_THREADS];
  double t0 = now_s();
  for (long i = 0; i < threads; i++)
    CHECK(pthread_create(&t[i], NULL, work, (void *)i) == 0);
  for (int i = 0; i < threads; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  double dt = now_s() - t0;
  uint64_t sum = 0;
  for (int i = 0; i < threads; i++)
    sum = sum * 31 + sink[i];
  printf("threads: %d\n", threads);
  printf("checksum: %016" PRIx64 "\n", sum);
  fprintf(stderr, "elapsed: %.3f\n", dt);
  fprintf(stderr, "at once: %d\n", atomic_load(&most));
  return 0;
}
