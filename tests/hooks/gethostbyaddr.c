/*
 * Description: gethostbyaddr(3), which runs on the helper pool and reports
 * failures through h_errno (and errno).  127.0.0.1 is localhost in
 * /etc/hosts (h_name, no aliases, AF_INET, 127.0.0.1); the IPv6 :: is NULL
 * with HOST_NOT_FOUND (glibc answers that without any DNS query, as every
 * lookup here does, so no DNS server is needed); a length of 3 or an
 * unknown type is NULL with NETDB_INTERNAL and errno EAFNOSUPPORT.  Three
 * threads look up 127.0.0.1 and :: in turn, under a mutex as the static
 * result asks, until a ticker thread has ticked 5 times, and every answer
 * is right.  One more thread, whose lookup with a bad length failed just
 * before, still reads NETDB_INTERNAL from its own h_errno after 150 ms of
 * those lookups.
 */
#include "snippet.h"
#include <netdb.h>

static const char *herr_name(int e)
{
  static char buf[32];
  switch (e) {
  case 0: return "0";
  case HOST_NOT_FOUND: return "HOST_NOT_FOUND";
  case TRY_AGAIN: return "TRY_AGAIN";
  case NO_RECOVERY: return "NO_RECOVERY";
  case NO_DATA: return "NO_DATA";
  case NETDB_INTERNAL: return "NETDB_INTERNAL";
  }
  snprintf(buf, sizeof(buf), "h_errno#%d", e);
  return buf;
}

static void lookup(const char *label, const char *addr, socklen_t len, int type)
{
  unsigned char a[16];
  CHECK(inet_pton(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, a) == 1);
  errno = 0;
  struct hostent *he = gethostbyaddr(a, len, type);
  if (he == NULL) {
    int e = errno;
    printf("%s: NULL, h_errno %s", label, herr_name(h_errno));
    if (h_errno == NETDB_INTERNAL)
      printf(", errno %s", errname(e));
    printf("\n");
    return;
  }
  printf("%s: h_name %s, h_addrtype %s, h_length %d\n", label, he->h_name,
         he->h_addrtype == AF_INET ? "AF_INET" : "AF_?", he->h_length);
  for (char **p = he->h_aliases; *p != NULL; p++)
    printf("  alias %s\n", *p);
  for (char **p = he->h_addr_list; *p != NULL; p++) {
    char host[INET6_ADDRSTRLEN];
    CHECK(inet_ntop(he->h_addrtype, *p, host, sizeof(host)) != NULL);
    printf("  address %s\n", host);
  }
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ticks;

static void *ticker(void *arg)
{
  (void)arg;
  for (int i = 0; i < 5; i++) {
    sleep_ms(10);
    __atomic_add_fetch(&ticks, 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

/* Lookups until the ticker is done (at least 20): were all of them right? */
static void *resolver(void *arg)
{
  (void)arg;
  struct in_addr one;
  struct in6_addr any = IN6ADDR_ANY_INIT;
  CHECK(inet_pton(AF_INET, "127.0.0.1", &one) == 1);
  long bad = 0;
  for (int i = 0; i < 20 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5;
       i++) {
    CHECK(pthread_mutex_lock(&mu) == 0);
    struct hostent *he = gethostbyaddr(&one, 4, AF_INET);
    bad += he == NULL || strcmp(he->h_name, "localhost") != 0 ||
           he->h_addr_list[0] == NULL ||
           memcmp(he->h_addr_list[0], &one, 4) != 0;
    he = gethostbyaddr(&any, 16, AF_INET6);
    bad += he != NULL || h_errno != HOST_NOT_FOUND;
    CHECK(pthread_mutex_unlock(&mu) == 0);
  }
  return (void *)bad;
}

struct late {
  int null, herr;
};

/* NETDB_INTERNAL at once, then 150 ms asleep while the others look up. */
static void *bad_lookup(void *arg)
{
  struct late *l = arg;
  struct in_addr one;
  CHECK(inet_pton(AF_INET, "127.0.0.1", &one) == 1);
  /* Under the lock too: the answer lives in glibc's static storage, which
   * the resolvers read (natively a race otherwise). */
  CHECK(pthread_mutex_lock(&mu) == 0);
  l->null = gethostbyaddr(&one, 3, AF_INET) == NULL;
  CHECK(pthread_mutex_unlock(&mu) == 0);
  sleep_ms(150);
  l->herr = h_errno;
  return NULL;
}

int main(void)
{
  start();
  lookup("127.0.0.1", "127.0.0.1", 4, AF_INET);
  lookup("::", "::", 16, AF_INET6);
  lookup("127.0.0.1, length 3", "127.0.0.1", 3, AF_INET);
  lookup("127.0.0.1, type 12345", "127.0.0.1", 4, 12345);

  struct late l;
  pthread_t b = spawn(bad_lookup, &l);
  pthread_t k = spawn(ticker, NULL);
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    t[i] = spawn(resolver, NULL);
  for (int i = 0; i < 3; i++)
    printf("thread %d: wrong answers: %ld\n", i, (long)join(t[i]));
  join(k);
  printf("the ticker ticked 5 times meanwhile: %s\n",
         yesno(__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) == 5));
  join(b);
  printf("the bad length, h_errno read 150ms later: %s, %s\n",
         l.null ? "NULL" : "a hostent", herr_name(l.herr));
  return 0;
}
