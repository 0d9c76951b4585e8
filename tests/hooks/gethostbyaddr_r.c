/*
 * Description: gethostbyaddr_r(3), which runs on the helper pool and fills
 * the caller's buffers.  127.0.0.1 is localhost in /etc/hosts (0, *result
 * the caller's hostent, no aliases, 127.0.0.1); the IPv6 :: is ENOENT with
 * a NULL *result and HOST_NOT_FOUND (glibc answers that without any DNS
 * query, as every lookup here does, so no DNS server is needed); an 8-byte
 * buffer is ERANGE with NETDB_INTERNAL; a length of 3 or an unknown type
 * is EAFNOSUPPORT.  Three threads with their own buffers look up 127.0.0.1
 * and :: in turn until a ticker thread has ticked 5 times, and every
 * answer is right.
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

static void lookup(const char *label, const char *addr, socklen_t len, int type,
                   size_t buflen)
{
  unsigned char a[16];
  CHECK(inet_pton(strchr(addr, ':') ? AF_INET6 : AF_INET, addr, a) == 1);
  struct hostent he, *res = (struct hostent *)1;
  static char buf[4096];
  int herr = -12345;
  int r = gethostbyaddr_r(a, len, type, &he, buf, buflen, &res, &herr);
  printf("%s: %s, result %s", label, errname(r),
         res == NULL  ? "NULL"
         : res == &he ? "the hostent"
                      : "?");
  if (res == NULL)
    printf(", *h_errnop %s\n", herr_name(herr));
  else
    printf("\n");
  if (res != &he)
    return;
  printf("  h_name %s, h_addrtype %s, h_length %d\n", he.h_name,
         he.h_addrtype == AF_INET ? "AF_INET" : "AF_?", he.h_length);
  for (char **p = he.h_aliases; *p != NULL; p++)
    printf("  alias %s\n", *p);
  for (char **p = he.h_addr_list; *p != NULL; p++) {
    char host[INET6_ADDRSTRLEN];
    CHECK(inet_ntop(he.h_addrtype, *p, host, sizeof(host)) != NULL);
    printf("  address %s\n", host);
  }
}

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
    struct hostent he, *res = NULL;
    char buf[1024];
    int herr = 0;
    int r =
        gethostbyaddr_r(&one, 4, AF_INET, &he, buf, sizeof(buf), &res, &herr);
    bad += r != 0 || res != &he || strcmp(he.h_name, "localhost") != 0 ||
           he.h_addr_list[0] == NULL || memcmp(he.h_addr_list[0], &one, 4) != 0;
    r = gethostbyaddr_r(&any, 16, AF_INET6, &he, buf, sizeof(buf), &res, &herr);
    bad += r != ENOENT || res != NULL || herr != HOST_NOT_FOUND;
  }
  return (void *)bad;
}

int main(void)
{
  start();
  lookup("127.0.0.1", "127.0.0.1", 4, AF_INET, 4096);
  lookup("::", "::", 16, AF_INET6, 4096);
  lookup("127.0.0.1, an 8-byte buffer", "127.0.0.1", 4, AF_INET, 8);
  lookup("127.0.0.1, length 3", "127.0.0.1", 3, AF_INET, 4096);
  lookup("127.0.0.1, type 12345", "127.0.0.1", 4, 12345, 4096);

  pthread_t k = spawn(ticker, NULL);
  pthread_t t[3];
  for (int i = 0; i < 3; i++)
    t[i] = spawn(resolver, NULL);
  for (int i = 0; i < 3; i++)
    printf("thread %d: wrong answers: %ld\n", i, (long)join(t[i]));
  join(k);
  printf("the ticker ticked 5 times meanwhile: %s\n",
         yesno(__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) == 5));
  return 0;
}
