/*
 * real.c - resolving the real libc functions (see real.h).
 *
 * dlsym(RTLD_NEXT) finds the next definition after ours in the lookup
 * order: libc's.  If it finds ours instead (the library was loaded twice,
 * or linked into the program), calling it would recurse forever, so that
 * aborts with a message (proxychains-ng's load_sym does the same).  A
 * symbol missing from this libc points at a stub that fails with ENOSYS,
 * as a libc without it would.
 *
 * Several threads may resolve at once before anything is marked ready:
 * they all store the same values, so the race is benign; `ready` is
 * published last with release order.
 */
#include "real.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "sys.h"

struct ub_real real;
bool ub_real_ready;

static void die(const char *name)
{
  static const char a[] = "unblock: dlsym(RTLD_NEXT, \"";
  static const char b[] = "\") returned unblock's own hook; is "
                          "libunblock.so loaded twice?\n";
  (void)ub_sys_write(2, a, sizeof(a) - 1);
  (void)ub_sys_write(2, name, strlen(name));
  (void)ub_sys_write(2, b, sizeof(b) - 1);
  _exit(127);
}

/* Stands in for a function this libc lacks: -1 with ENOSYS (the x86_64
 * ABI lets one stub serve every signature the table holds). */
static long missing(void)
{
  errno = ENOSYS;
  return -1;
}

/* The table names pthread_yield, which glibc marks deprecated. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

void ub_real_resolve(void)
{
  void *p;
#define UB_HOOK(ret, name, params, waits)                                      \
  p = dlsym(RTLD_NEXT, #name);                                                 \
  if (p == (void *)name)                                                       \
    die(#name);                                                                \
  if (p == NULL)                                                               \
    p = (void *)missing;                                                       \
  memcpy(&real.name, &p, sizeof(p));
#include "hooks.def"
#undef UB_HOOK
  __atomic_store_n(&ub_real_ready, true, __ATOMIC_RELEASE);
}
