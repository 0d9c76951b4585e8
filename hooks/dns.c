/*
 * dns.c - name lookups run on the helper pool (offload.h).
 *
 * A lookup may read /etc/hosts, talk to a DNS server with glibc's own
 * sockets and polls (which no hook sees), or load NSS modules: none of it
 * can wait on the loop, so the whole call moves to a helper while the
 * green thread parks.  The results are the helper's call's, untouched:
 * getaddrinfo's list is malloc'd, the _r variants fill the caller's
 * buffers, and gethostbyname and gethostbyaddr return glibc's static
 * storage (shared by every thread natively too) and set h_errno, which
 * the pool carries back to the caller.
 */
#include <netdb.h>

#include "hook.h"
#include "offload.h"

int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res)
{
  UB_CALL(-1);
  return (int)ub_offload(UB_OFF_getaddrinfo,
                         (void *[]){&node, &service, &hints, &res});
}

int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
  UB_CALL(-1);
  return (int)ub_offload(
      UB_OFF_getnameinfo,
      (void *[]){&sa, &salen, &host, &hostlen, &serv, &servlen, &flags});
}

struct hostent *gethostbyname(const char *name)
{
  UB_CALL(-1);
  return (struct hostent *)(uintptr_t)ub_offload(UB_OFF_gethostbyname,
                                                 (void *[]){&name});
}

int gethostbyname_r(const char *name, struct hostent *ret, char *buf,
                    size_t buflen, struct hostent **result, int *h_errnop)
{
  UB_CALL(-1);
  return (int)ub_offload(
      UB_OFF_gethostbyname_r,
      (void *[]){&name, &ret, &buf, &buflen, &result, &h_errnop});
}

struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type)
{
  UB_CALL(-1);
  return (struct hostent *)(uintptr_t)ub_offload(
      UB_OFF_gethostbyaddr, (void *[]){&addr, &len, &type});
}

int gethostbyaddr_r(const void *addr, socklen_t len, int type,
                    struct hostent *ret, char *buf, size_t buflen,
                    struct hostent **result, int *h_errnop)
{
  UB_CALL(-1);
  return (int)ub_offload(
      UB_OFF_gethostbyaddr_r,
      (void *[]){&addr, &len, &type, &ret, &buf, &buflen, &result, &h_errnop});
}
