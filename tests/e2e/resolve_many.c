/*
 * Description: many name lookups at once.  100 threads, released together
 * by a barrier, each call getaddrinfo("localhost", "80") (AF_INET,
 * SOCK_STREAM) and then getnameinfo(NI_NUMERICHOST) on the first address.
 * These calls read files and talk to sockets inside glibc, where no hook
 * sees them, so under unblock they run on the offload pool (bounded by
 * UNBLOCK_OFFLOAD_THREADS) while each green thread parks.  A ticker thread
 * sleeps 1 ms at a time meanwhile and records its longest gap.  Then the
 * main thread calls gethostbyname("localhost").
 *
 * Prints how many lookups gave 127.0.0.1 both ways, the errors if any,
 * and coarse yes/no answers; the ticks, the longest gap and the time the
 * lookups took on stderr.
 */
#include "e2e.h"
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>

#define RESOLVERS 100

static pthread_barrier_t go;
static atomic_int resolved, named;
static atomic_int done;
static int gai_err[RESOLVERS], ni_err[RESOLVERS];
static int ticks;
static double max_gap_s;

static void *resolver(void *arg)
{
  int i = (int)(long)arg;
  pthread_barrier_wait(&go);
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  gai_err[i] = getaddrinfo("localhost", "80", &hints, &res);
  if (gai_err[i] != 0)
    return NULL;
  char addr[INET_ADDRSTRLEN] = "";
  const struct sockaddr_in *sin = (const void *)res->ai_addr;
  if (res->ai_family == AF_INET &&
      inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr)) != NULL &&
      strcmp(addr, "127.0.0.1") == 0 && ntohs(sin->sin_port) == 80)
    atomic_fetch_add(&resolved, 1);
  char host[NI_MAXHOST] = "";
  ni_err[i] = getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof(host),
                          NULL, 0, NI_NUMERICHOST);
  if (ni_err[i] == 0 && strcmp(host, "127.0.0.1") == 0)
    atomic_fetch_add(&named, 1);
  freeaddrinfo(res);
  return NULL;
}

static void *ticker(void *arg)
{
  (void)arg;
  double prev = now_s();
  while (!atomic_load(&done)) {
    usleep(1000);
    double t = now_s();
    if (t - prev > max_gap_s)
      max_gap_s = t - prev;
    prev = t;
    ticks++;
  }
  return NULL;
}

/* Each distinct nonzero error in errs, with how many threads got it. */
static void print_errors(const char *what, const int *errs)
{
  for (int i = 0; i < RESOLVERS; i++) {
    if (errs[i] == 0)
      continue;
    int n = 0, first = 1;
    for (int j = 0; j < RESOLVERS; j++) {
      n += errs[j] == errs[i];
      first &= j >= i || errs[j] != errs[i];
    }
    if (first)
      printf("%s failed in %d threads: %s\n", what, n, gai_strerror(errs[i]));
  }
}

int main(void)
{
  start();
  pthread_t t[RESOLVERS], tick;
  CHECK(pthread_barrier_init(&go, NULL, RESOLVERS + 1) == 0);
  CHECK(pthread_create(&tick, NULL, ticker, NULL) == 0);
  for (int i = 0; i < RESOLVERS; i++)
    CHECK(pthread_create(&t[i], NULL, resolver, (void *)(long)i) == 0);
  double t0 = now_s();
  pthread_barrier_wait(&go);
  for (int i = 0; i < RESOLVERS; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  double dt = now_s() - t0;
  atomic_store(&done, 1);
  CHECK(pthread_join(tick, NULL) == 0);

  printf("%d of %d resolved to 127.0.0.1:80\n", atomic_load(&resolved),
         RESOLVERS);
  printf("%d of %d named 127.0.0.1 by getnameinfo\n", atomic_load(&named),
         RESOLVERS);
  print_errors("getaddrinfo", gai_err);
  print_errors("getnameinfo", ni_err);
  printf("lookups took under 5 s: %s\n", yesno(dt < 5.0));
  printf("ticker's longest gap under 500 ms: %s\n", yesno(max_gap_s < 0.5));

  struct hostent *h = gethostbyname("localhost");
  char addr[INET_ADDRSTRLEN] = "";
  if (h != NULL && h->h_addrtype == AF_INET && h->h_addr_list[0] != NULL)
    inet_ntop(AF_INET, h->h_addr_list[0], addr, sizeof(addr));
  printf("gethostbyname(\"localhost\"): %s\n", h != NULL ? addr : "NULL");
  fprintf(stderr,
          "resolve_many: lookups %.1f ms, ticker %d ticks, max gap %.1f ms\n",
          dt * 1000, ticks, max_gap_s * 1000);
  return 0;
}
