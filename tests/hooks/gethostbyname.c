/*
 * Description: gethostbyname(3), which runs on the helper pool and reports
 * failures through h_errno.  localhost from /etc/hosts (h_name, no aliases,
 * AF_INET, 4-byte addresses: 127.0.0.1), the numeric 127.0.0.1 (itself as
 * h_name); NULL with h_errno HOST_NOT_FOUND for "no such host.invalid" (not
 * a host name: it fails before any DNS query, as every lookup here does,
 * so no DNS server is needed) and NO_RECOVERY for the empty name.  Four
 * threads look up localhost 30 times each, under a mutex as the static
 * result asks.  And lookups that really block: for the dotless name
 * ubalias glibc's resolver reads the HOSTALIASES file (inside glibc, where
 * no hook sees it), here a FIFO that a writer thread opens only after
 * 200 ms; six threads look it up at once, wait for it, and get NULL with
 * NO_RECOVERY (the alias cannot be asked for); other threads run
 * meanwhile: one of them, whose lookup failed with HOST_NOT_FOUND just
 * before, still reads HOST_NOT_FOUND from its own h_errno 300 ms later.
 */
#include "snippet.h"
#include "aliases.h"
#include <netdb.h>
#include <sys/stat.h>

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

static void print_he(const char *label, const struct hostent *he)
{
  if (he == NULL) {
    printf("%s: NULL, h_errno %s\n", label, herr_name(h_errno));
    return;
  }
  printf("%s: h_name %s, h_addrtype %s, h_length %d\n", label, he->h_name,
         he->h_addrtype == AF_INET ? "AF_INET" : "AF_?", he->h_length);
  for (char **a = he->h_aliases; *a != NULL; a++)
    printf("  alias %s\n", *a);
  for (char **a = he->h_addr_list; *a != NULL; a++) {
    char host[INET6_ADDRSTRLEN];
    CHECK(inet_ntop(he->h_addrtype, *a, host, sizeof(host)) != NULL);
    printf("  address %s\n", host);
  }
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* 30 lookups of localhost: how many gave 127.0.0.1 and no other. */
static void *resolver(void *arg)
{
  (void)arg;
  long good = 0;
  for (int i = 0; i < 30; i++) {
    CHECK(pthread_mutex_lock(&mu) == 0);
    struct hostent *he = gethostbyname("localhost");
    good += he != NULL && strcmp(he->h_name, "localhost") == 0 &&
            he->h_length == 4 && he->h_addr_list[0] != NULL &&
            memcmp(he->h_addr_list[0], "\177\0\0\1", 4) == 0 &&
            he->h_addr_list[1] == NULL;
    CHECK(pthread_mutex_unlock(&mu) == 0);
  }
  return (void *)good;
}

struct alias_result {
  int null, herr;
};

static void *alias_lookup(void *arg)
{
  struct alias_result *r = arg;
  h_errno = 0;
  r->null = gethostbyname("ubalias") == NULL;
  r->herr = h_errno;
  return NULL;
}

/* HOST_NOT_FOUND at once, then 300 ms asleep while the others finish. */
static void *bad_lookup(void *arg)
{
  struct alias_result *r = arg;
  CHECK(pthread_mutex_lock(&mu) == 0); /* glibc's static storage */
  r->null = gethostbyname("no such host.invalid") == NULL;
  CHECK(pthread_mutex_unlock(&mu) == 0);
  sleep_ms(300);
  r->herr = h_errno;
  return NULL;
}

int main(void)
{
  start();
  print_he("localhost", gethostbyname("localhost"));
  print_he("127.0.0.1", gethostbyname("127.0.0.1"));
  print_he("no such host.invalid", gethostbyname("no such host.invalid"));
  print_he("the empty name", gethostbyname(""));

  pthread_t t[6];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(resolver, NULL);
  for (int i = 0; i < 4; i++)
    printf("thread %d: %ld of 30 lookups gave localhost, 127.0.0.1\n", i,
           (long)join(t[i]));

  struct aliases a;
  aliases_start(&a);
  struct ticker k;
  ticker_start(&k, 50);
  struct alias_result r[6], e;
  double t0 = now_ms();
  pthread_t et = spawn(bad_lookup, &e);
  for (int i = 0; i < 6; i++)
    t[i] = spawn(alias_lookup, &r[i]);
  for (int i = 0; i < 6; i++) {
    join(t[i]);
    printf("thread %d: ubalias, HOSTALIASES a FIFO: %s, h_errno %s\n", i,
           r[i].null ? "NULL" : "a hostent", herr_name(r[i].herr));
  }
  join(et);
  printf("meanwhile no such host.invalid, h_errno read 300ms later: %s, %s\n",
         e.null ? "NULL" : "a hostent", herr_name(e.herr));
  printf("waited for the FIFO's writer (at least 150ms): %s\n",
         yesno(now_ms() - t0 >= 150));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  aliases_stop(&a);
  return 0;
}
