/*
 * Description: gethostbyname_r(3), which runs on the helper pool and fills
 * the caller's buffers.  localhost from /etc/hosts (0, *result the caller's
 * hostent, h_name localhost, 127.0.0.1); an 8-byte buffer is ERANGE (errno
 * too) with *h_errnop NETDB_INTERNAL; "no such host.invalid" (not a host
 * name: it fails before any DNS query, as every lookup here does, so no DNS
 * server is needed) is 0 with a NULL *result and HOST_NOT_FOUND, the empty
 * name NO_RECOVERY.  Four threads with their own buffers look up localhost
 * 50 times each at once.  And lookups that really block: for the dotless
 * name ubalias glibc's resolver reads the HOSTALIASES file (inside glibc,
 * where no hook sees it), here a FIFO that a writer thread opens only after
 * 200 ms; three threads look it up at once and wait for it (NO_RECOVERY in
 * the end: the alias cannot be asked for), and another thread runs
 * meanwhile.
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

static void lookup(const char *label, const char *name, size_t buflen)
{
  struct hostent he, *res = (struct hostent *)1;
  static char buf[4096];
  int herr = -12345;
  int r = gethostbyname_r(name, &he, buf, buflen, &res, &herr);
  printf("%s: %s, result %s", label, errname(r),
         res == NULL  ? "NULL"
         : res == &he ? "the hostent"
                      : "?");
  if (r != 0)
    printf(", errno %s", errname(errno));
  if (res == NULL)
    printf(", *h_errnop %s\n", herr_name(herr));
  else
    printf("\n");
  if (res != &he)
    return;
  printf("  h_name %s, h_addrtype %s, h_length %d\n", he.h_name,
         he.h_addrtype == AF_INET ? "AF_INET" : "AF_?", he.h_length);
  for (char **a = he.h_aliases; *a != NULL; a++)
    printf("  alias %s\n", *a);
  for (char **a = he.h_addr_list; *a != NULL; a++) {
    char host[INET6_ADDRSTRLEN];
    CHECK(inet_ntop(he.h_addrtype, *a, host, sizeof(host)) != NULL);
    printf("  address %s\n", host);
  }
}

/* 50 lookups of localhost: how many gave 127.0.0.1 and no other. */
static void *resolver(void *arg)
{
  (void)arg;
  long good = 0;
  for (int i = 0; i < 50; i++) {
    struct hostent he, *res = NULL;
    char buf[1024];
    int herr;
    int r = gethostbyname_r("localhost", &he, buf, sizeof(buf), &res, &herr);
    good += r == 0 && res == &he && strcmp(he.h_name, "localhost") == 0 &&
            he.h_length == 4 && he.h_addr_list[0] != NULL &&
            memcmp(he.h_addr_list[0], "\177\0\0\1", 4) == 0 &&
            he.h_addr_list[1] == NULL;
  }
  return (void *)good;
}

struct alias_result {
  int r, null, herr;
};

static void *alias_lookup(void *arg)
{
  struct alias_result *ar = arg;
  struct hostent he, *res = &he;
  char buf[1024];
  ar->herr = -12345;
  ar->r = gethostbyname_r("ubalias", &he, buf, sizeof(buf), &res, &ar->herr);
  ar->null = res == NULL;
  return NULL;
}

int main(void)
{
  start();
  lookup("localhost", "localhost", 4096);
  lookup("127.0.0.1", "127.0.0.1", 4096);
  lookup("localhost, an 8-byte buffer", "localhost", 8);
  lookup("no such host.invalid", "no such host.invalid", 4096);
  lookup("the empty name", "", 4096);

  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(resolver, NULL);
  for (int i = 0; i < 4; i++)
    printf("thread %d: %ld of 50 lookups gave localhost, 127.0.0.1\n", i,
           (long)join(t[i]));

  struct aliases a;
  aliases_start(&a);
  struct ticker k;
  ticker_start(&k, 50);
  struct alias_result r[3];
  double t0 = now_ms();
  for (int i = 0; i < 3; i++)
    t[i] = spawn(alias_lookup, &r[i]);
  for (int i = 0; i < 3; i++) {
    join(t[i]);
    printf("thread %d: ubalias, HOSTALIASES a FIFO: %s, result %s, "
           "*h_errnop %s\n",
           i, errname(r[i].r), r[i].null ? "NULL" : "a hostent",
           herr_name(r[i].herr));
  }
  printf("waited for the FIFO's writer (at least 150ms): %s\n",
         yesno(now_ms() - t0 >= 150));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  aliases_stop(&a);
  return 0;
}
