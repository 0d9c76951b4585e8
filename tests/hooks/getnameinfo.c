/*
 * Description: getnameinfo(3), which runs on the helper pool.  127.0.0.1
 * port 80 is localhost and http (/etc/hosts, /etc/services), port 53 with
 * NI_DGRAM domain, NI_NUMERICHOST and NI_NUMERICSERV give the numbers; the
 * IPv6 :: port 443 is found in no file (glibc answers that without any DNS
 * query, as every lookup here does, so no DNS server is needed): "::" and
 * https, and EAI_NONAME under NI_NAMEREQD; a 4-byte host buffer is
 * EAI_OVERFLOW, a bad address length EAI_FAMILY.  Three threads look up
 * 127.0.0.1 and :: in turn until a ticker thread has ticked 5 times, and
 * every answer is right.
 */
#include "snippet.h"
#include <netdb.h>

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

/* A sockaddr for addr (IPv4 or IPv6) and port; its length. */
static socklen_t sockaddr_of(struct sockaddr_storage *ss, const char *addr,
                             int port)
{
  memset(ss, 0, sizeof(*ss));
  if (strchr(addr, ':') != NULL) {
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    CHECK(inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1);
    return sizeof(*s6);
  }
  struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
  s4->sin_family = AF_INET;
  s4->sin_port = htons(port);
  CHECK(inet_pton(AF_INET, addr, &s4->sin_addr) == 1);
  return sizeof(*s4);
}

static void lookup(const char *label, const char *addr, int port,
                   socklen_t hostlen, int bad_len, int flags)
{
  struct sockaddr_storage ss;
  socklen_t len = sockaddr_of(&ss, addr, port);
  char host[NI_MAXHOST] = "-", serv[NI_MAXSERV] = "-";
  int r = getnameinfo((struct sockaddr *)&ss, bad_len ? 3 : len, host, hostlen,
                      serv, sizeof(serv), flags);
  if (r == 0)
    printf("%s: 0, host %s, service %s\n", label, host, serv);
  else
    printf("%s: %s\n", label, gai_name(r));
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
  struct sockaddr_storage one, any;
  socklen_t one_len = sockaddr_of(&one, "127.0.0.1", 80);
  socklen_t any_len = sockaddr_of(&any, "::", 443);
  long bad = 0;
  for (int i = 0; i < 20 || __atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 5;
       i++) {
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int r = getnameinfo((struct sockaddr *)&one, one_len, host, sizeof(host),
                        serv, sizeof(serv), 0);
    bad +=
        r != 0 || strcmp(host, "localhost") != 0 || strcmp(serv, "http") != 0;
    r = getnameinfo((struct sockaddr *)&any, any_len, host, sizeof(host), serv,
                    sizeof(serv), 0);
    bad += r != 0 || strcmp(host, "::") != 0 || strcmp(serv, "https") != 0;
  }
  return (void *)bad;
}

int main(void)
{
  start();
  lookup("127.0.0.1 port 80", "127.0.0.1", 80, NI_MAXHOST, 0, 0);
  lookup("127.0.0.1 port 53, NI_DGRAM", "127.0.0.1", 53, NI_MAXHOST, 0,
         NI_DGRAM);
  lookup("127.0.0.1 port 80, NI_NUMERICHOST|NI_NUMERICSERV", "127.0.0.1", 80,
         NI_MAXHOST, 0, NI_NUMERICHOST | NI_NUMERICSERV);
  lookup(":: port 443", "::", 443, NI_MAXHOST, 0, 0);
  lookup(":: port 443, NI_NAMEREQD", "::", 443, NI_MAXHOST, 0, NI_NAMEREQD);
  lookup("127.0.0.1, a 4-byte host buffer", "127.0.0.1", 80, 4, 0, 0);
  lookup("127.0.0.1, address length 3", "127.0.0.1", 80, NI_MAXHOST, 1, 0);

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
