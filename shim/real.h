/*
 * real.h - the libc functions behind our hooks, and the types they need.
 *
 * `real` holds one pointer per row of hooks/hooks.def, resolved with
 * dlsym(RTLD_NEXT): real.read is the read() we would have called without
 * the preload.  Resolution is lazy and idempotent, because a hook can run
 * before our constructor (from another library's constructor), so every
 * hook entry calls ub_real_ensure() first.
 *
 * Socket address parameters use glibc's transparent unions
 * (__SOCKADDR_ARG), exactly as <sys/socket.h> declares them under
 * _GNU_SOURCE, so our definitions match the system's declarations.
 */
#ifndef UB_REAL_H
#define UB_REAL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct ub_real {
#define UB_HOOK(ret, name, params, waits) ret(*name) params;
#include "hooks.def"
#undef UB_HOOK
};

extern struct ub_real real;
extern bool ub_real_ready;

/* Resolve every pointer in `real`; aborts with a message if one is
 * missing or resolves to ourselves. */
void ub_real_resolve(void);

static inline void ub_real_ensure(void)
{
  if (__builtin_expect(!ub_real_ready, 0))
    ub_real_resolve();
}

/* Every hook, declared once more from the table, with default visibility
 * (everything else in the library is hidden; the export map then picks
 * exactly these).  The _chk variants have no other declaration without
 * _FORTIFY_SOURCE. */
#define UB_HOOK(ret, name, params, waits)                                      \
  __attribute__((visibility("default"))) ret name params;
#include "hooks.def"
#undef UB_HOOK

#endif
