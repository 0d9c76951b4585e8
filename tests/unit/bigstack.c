/*
 * Description: the default stack is generous enough for real programs.
 * A green thread behaves like a legacy request handler: a 64 KiB buffer on
 * its stack, which it passes to a parser with another 64 KiB buffer, which
 * formats through stdio and calls a few levels deeper still, with 16 such
 * threads alive at once on the default UNBLOCK_STACK_SIZE (1 MiB).
 */
#include "harness.h"

#include <string.h>

#define BUF (64 * 1024)

static __attribute__((noinline)) size_t nest(const char *in, int depth)
{
  char scratch[8 * 1024];
  int n = snprintf(scratch, sizeof(scratch), "%d:%.100s", depth, in);
  if (depth == 0)
    return (size_t)n;
  return nest(scratch, depth - 1) + (size_t)n;
}

static __attribute__((noinline)) size_t parse(const char *request)
{
  char reply[BUF];
  memset(reply, 'r', sizeof(reply));
  int n = snprintf(reply, sizeof(reply), "HTTP/1.0 200 OK\r\n%s %g %ld\r\n",
                   request, 3.25, (long)sizeof(reply));
  ub_sched_yield(); /* switched out with both buffers live */
  return (size_t)n + nest(reply, 16);
}

static void *handler(void *arg)
{
  char request[BUF];
  memset(request, 'q', sizeof(request));
  snprintf(request, 64, "GET /%ld", (long)arg);
  size_t n = parse(request);
  CHECK(request[64] == 'q' && request[BUF - 1] == 'q');
  return (void *)n;
}

static void *root(void *arg)
{
  (void)arg;
  struct ub_sched *s = ub_sched_self();
  struct ub_coro *c[16];
  for (long i = 0; i < 16; i++)
    CHECK(ub_sched_spawn(s, &c[i], handler, (void *)i, 0, NULL, false) == 0);
  for (int i = 0; i < 16; i++) {
    void *n;
    CHECK(ub_sched_join(c[i], &n, UB_NEVER) == 0);
    CHECK((size_t)n > 100);
  }
  return NULL;
}

int main(void)
{
  CHECK(ub_test_sched_config().stack_size == UB_STACK_DEFAULT ||
        getenv("UNBLOCK_STACK_SIZE"));
  ub_test_run(root, NULL);
  return 0;
}
