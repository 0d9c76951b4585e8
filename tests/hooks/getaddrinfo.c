/*
 * Description: getaddrinfo(3), which runs on the helper pool.  localhost
 * (from /etc/hosts) for AF_INET stream sockets on port 80 with
 * AI_CANONNAME, for any family and socket type, with the service "http" by
 * name; 127.0.0.1 and ::1 with AI_NUMERICHOST; the errors: EAI_NONAME for
 * "no such host.invalid" (not a host name: it fails before any DNS query,
 * as every lookup here does, so no DNS server is needed), for a name under
 * AI_NUMERICHOST and for no name and no service, EAI_SERVICE,
 * EAI_SOCKTYPE, EAI_FAMILY, EAI_BADFLAGS.  Four threads resolve localhost
 * 50 times each at once and all get 127.0.0.1.  And lookups that really
 * block: for the dotless name ubalias glibc's resolver reads the
 * HOSTALIASES file (inside glibc, where no hook sees it), here a FIFO that
 * a writer thread opens only after 200 ms; three threads look it up at
 * once and wait for it (EAI_NONAME in the end: the alias cannot be asked
 * for), and another thread runs meanwhile.
 */
#include "snippet.h"
#include "aliases.h"
#include <netdb.h>
#include <sys/stat.h>

static const char *gai_name(int r)
{
  static char buf[32];
  switch (r) {
  case 0: return "0";
  case EAI_NONAME: return "EAI_NONAME";
  case EAI_AGAIN: return "EAI_AGAIN";
  case EAI_FAIL: return "EAI_FAIL";
  case EAI_FAMILY: return "EAI_FAMILY";
  case EAI_SOCKTYPE: return "EAI_SOCKTYPE";
  case EAI_SERVICE: return "EAI_SERVICE";
  case EAI_BADFLAGS: return "EAI_BADFLAGS";
  case EAI_MEMORY: return "EAI_MEMORY";
  case EAI_OVERFLOW: return "EAI_OVERFLOW";
  case EAI_NODATA: return "EAI_NODATA";
  case EAI_ADDRFAMILY: return "EAI_ADDRFAMILY";
  case EAI_SYSTEM: return "EAI_SYSTEM";
  }
  snprintf(buf, sizeof(buf), "EAI#%d", r);
  return buf;
}

static void print_ai(const struct addrinfo *ai)
{
  for (; ai != NULL; ai = ai->ai_next) {
    char host[INET6_ADDRSTRLEN] = "?";
    int port = -1;
    if (ai->ai_family == AF_INET) {
      const struct sockaddr_in *sin = (const void *)ai->ai_addr;
      inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
      port = ntohs(sin->sin_port);
    } else if (ai->ai_family == AF_INET6) {
      const struct sockaddr_in6 *sin6 = (const void *)ai->ai_addr;
      inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
      port = ntohs(sin6->sin6_port);
    }
    printf("  %s %s protocol %d: %s port %d, addrlen %u, canonname %s\n",
           ai->ai_family == AF_INET    ? "AF_INET"
           : ai->ai_family == AF_INET6 ? "AF_INET6"
                                       : "AF_?",
           ai->ai_socktype == SOCK_STREAM  ? "SOCK_STREAM"
           : ai->ai_socktype == SOCK_DGRAM ? "SOCK_DGRAM"
           : ai->ai_socktype == SOCK_RAW   ? "SOCK_RAW"
                                           : "SOCK_?",
           ai->ai_protocol, host, port, (unsigned)ai->ai_addrlen,
           ai->ai_canonname != NULL ? ai->ai_canonname : "(none)");
  }
}

/* getaddrinfo, its result named, and the list it returns. */
static void lookup(const char *label, const char *node, const char *service,
                   int family, int socktype, int flags)
{
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_flags = flags;
  int r = getaddrinfo(node, service, &hints, &res);
  printf("%s: %s\n", label, gai_name(r));
  if (r == 0) {
    print_ai(res);
    freeaddrinfo(res);
  }
}

/* 50 lookups of localhost: how many gave 127.0.0.1 port 80. */
static void *resolver(void *arg)
{
  (void)arg;
  long good = 0;
  for (int i = 0; i < 50; i++) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo("localhost", "80", &hints, &res) != 0)
      continue;
    const struct sockaddr_in *sin = (const void *)res->ai_addr;
    good += res->ai_next == NULL &&
            sin->sin_addr.s_addr == htonl(INADDR_LOOPBACK) &&
            sin->sin_port == htons(80);
    freeaddrinfo(res);
  }
  return (void *)good;
}

static void *alias_lookup(void *arg)
{
  (void)arg;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof(hints));
  hints.ai_socktype = SOCK_STREAM;
  int r = getaddrinfo("ubalias", "80", &hints, &res);
  if (r == 0)
    freeaddrinfo(res);
  return (void *)(long)r;
}

int main(void)
{
  start();
  lookup("localhost, AF_INET stream, AI_CANONNAME", "localhost", "80", AF_INET,
         SOCK_STREAM, AI_CANONNAME);
  lookup("localhost, any family and type", "localhost", "80", AF_UNSPEC, 0, 0);
  lookup("localhost, service http", "localhost", "http", AF_INET, SOCK_STREAM,
         0);
  lookup("127.0.0.1, AI_NUMERICHOST", "127.0.0.1", "443", AF_UNSPEC, SOCK_DGRAM,
         AI_NUMERICHOST);
  lookup("::1, AI_NUMERICHOST", "::1", "22", AF_INET6, SOCK_STREAM,
         AI_NUMERICHOST | AI_NUMERICSERV);
  lookup("no name, AI_PASSIVE", NULL, "8080", AF_INET, SOCK_STREAM, AI_PASSIVE);
  lookup("no such host.invalid", "no such host.invalid", "80", AF_UNSPEC,
         SOCK_STREAM, 0);
  lookup("localhost under AI_NUMERICHOST", "localhost", "80", AF_UNSPEC, 0,
         AI_NUMERICHOST);
  lookup("no name and no service", NULL, NULL, AF_UNSPEC, 0, 0);
  lookup("unknown service", "localhost", "no-such-service", AF_UNSPEC,
         SOCK_STREAM, 0);
  lookup("bad socket type", "localhost", "80", AF_UNSPEC, 12345, 0);
  lookup("bad family", "localhost", "80", 12345, 0, 0);
  lookup("bad flags", "localhost", "80", AF_UNSPEC, 0, 0x40000000);
  lookup("AI_CANONNAME with no name", NULL, "80", AF_UNSPEC, 0, AI_CANONNAME);

  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    t[i] = spawn(resolver, NULL);
  for (int i = 0; i < 4; i++)
    printf("thread %d: %ld of 50 lookups gave 127.0.0.1 port 80\n", i,
           (long)join(t[i]));

  struct aliases a;
  aliases_start(&a);
  struct ticker k;
  ticker_start(&k, 50);
  double t0 = now_ms();
  for (int i = 0; i < 3; i++)
    t[i] = spawn(alias_lookup, NULL);
  for (int i = 0; i < 3; i++)
    printf("thread %d: ubalias, HOSTALIASES a FIFO: %s\n", i,
           gai_name((int)(long)join(t[i])));
  printf("waited for the FIFO's writer (at least 150ms): %s\n",
         yesno(now_ms() - t0 >= 150));
  printf("another thread ran meanwhile: %s\n", yesno(ticker_ran(&k)));
  aliases_stop(&a);
  return 0;
}
