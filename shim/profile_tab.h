/*
 * profile_tab.h - the layout of the profile's tables, shared by the code
 * that fills them (profile.c) and the code that writes them out
 * (profwrite.c).  Nothing else looks inside.
 */
#ifndef UB_PROFILE_TAB_H
#define UB_PROFILE_TAB_H

#include <stdatomic.h>
#include <stdint.h>

#include "profile.h"

#define UB_PROF_NWAITS 8192  /* (hook, fd, stack) rows */
#define UB_PROF_NSTACKS 4096 /* (site, depth) stacks; ids 1..4096 */
#define UB_PROF_NFDS 2048    /* fd descriptions; ids 1..2048 */

/* A stack slot's site while its pcs are being filled in. */
#define UB_PROF_FILLING ((uintptr_t)1)

/* A wait row's key: never 0, which marks a free slot. */
#define UB_PROF_KEY(h, fd, stack)                                              \
  (((uint64_t)(h) + 1) << 32 | (uint64_t)(fd) << 16 | (uint64_t)(stack))
#define UB_PROF_KEY_HOOK(k) ((int)((k) >> 32) - 1)
#define UB_PROF_KEY_FD(k) ((uint32_t)((k) >> 16) & 0xffff)
#define UB_PROF_KEY_STACK(k) ((uint32_t)(k)&0xffff)

struct ub_prof_wait {
  _Atomic uint64_t key;
  _Atomic uint64_t count, total, max; /* total and max in ns */
  _Atomic uint64_t hist[UB_PROF_BUCKETS];
};

struct ub_prof_stack {
  _Atomic uintptr_t site; /* 0: free; UB_PROF_FILLING; else the site */
  uintptr_t depth;
  uint32_t n;
  uintptr_t pc[UB_PROF_FRAMES];
};

struct ub_prof_fd {
  atomic_int state; /* 0: free, 1: being filled, 2: ready */
  char text[92];
};

struct ub_prof_tables {
  struct ub_prof_wait waits[UB_PROF_NWAITS];
  struct ub_prof_stack stacks[UB_PROF_NSTACKS];
  struct ub_prof_fd fds[UB_PROF_NFDS];
  _Atomic uint64_t dropped;
};

extern struct ub_prof_tables *ub_prof_tab;

/* Map the tables (zeroed), 0 or -ENOMEM; zero them again (a fork child
 * that starts a profile of its own). */
int ub_prof_tables_init(void);
void ub_prof_tables_clear(void);
/* The name of hook row h. */
const char *ub_prof_hook_name(int h);

#endif
