/*
 * profile.c - the profile's tables: waits, stacks and fd descriptions.
 *
 * Three open-addressed hash tables in one anonymous mapping, made at
 * setup and touched only as entries are used:
 *   - waits, keyed by (hook, fd description, stack): a count, the total
 *     and the longest wait, and a log2 histogram, all atomic counters;
 *   - stacks, keyed by (call site, depth below the stack's top): the pcs
 *     that backtrace() gave the first time, the call site first;
 *   - fd descriptions, keyed by their text.
 * An entry is claimed with a compare-and-swap of its key and never moves
 * or goes away, so recording takes no lock, and the writer (profwrite.c)
 * reads the tables without one, even from a signal handler.  A stack or
 * description is filled in before its key is published; a wait's counters
 * start at zero, so its key goes in first.  A full table drops the wait,
 * and the profile says how many were dropped.
 *
 * Unwinding is the expensive part (a few microseconds), so a stack is
 * captured once per (site, depth).  Two paths to one call site at exactly
 * the same depth would share the first one's stack; the site itself, the
 * counts and the times are always exact.
 */
#define _GNU_SOURCE
#include "profile.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "profile_tab.h"

bool ub_prof_on;
bool ub_observing;

struct ub_prof_tables *ub_prof_tab;

/* ---- the hooks, from the table that declares them -------------------- */

static const char *const hook_names[] = {
#define UB_HOOK(ret, name, params, waits) #name,
#include "hooks.def"
#undef UB_HOOK
};

static const char *const hook_waits[] = {
#define UB_HOOK(ret, name, params, waits) #waits,
#include "hooks.def"
#undef UB_HOOK
};

#define NHOOKS ((int)(sizeof(hook_names) / sizeof(hook_names[0])))

const char *ub_prof_hook_name(int h)
{
  return h >= 0 && h < NHOOKS ? hook_names[h] : "?";
}

/*
 * The kind of wait, from hooks.def's "how it waits" column, with the few
 * functions whose name says more than the column: accept waits for a
 * readable fd, but is an accept.
 */
static const char *classify(int h)
{
  static const struct {
    const char *prefix, *kind;
  } rules[] = {
      {"fd readable", "read"},      {"fd writable", "write"},
      {"out_fd writable", "write"}, {"the pipe or socket side", "io"},
      {"timer", "sleep"},           {"any fd", "poll"},
      {"epoll fd", "poll"},         {"lock", "lock"},
      {"condition", "cond"},        {"semaphore", "sem"},
      {"barrier", "barrier"},       {"thread exit", "join"},
      {"signal pending", "signal"}, {"one child", "child"},
      {"a child", "child"},         {"the command", "child"},
      {"helper pool", "offload"},   {"run queue", "yield"},
      {"an init", "once"},
  };
  if (h < 0 || h >= NHOOKS || strcmp(hook_waits[h], "-") == 0)
    return NULL;
  const char *name = hook_names[h];
  if (strncmp(name, "accept", 6) == 0)
    return "accept";
  if (strcmp(name, "connect") == 0)
    return "connect";
  if (strncmp(name, "pread", 5) == 0)
    return "read";
  if (strncmp(name, "pwrite", 6) == 0)
    return "write";
  for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
    if (strncmp(hook_waits[h], rules[i].prefix, strlen(rules[i].prefix)) == 0)
      return rules[i].kind;
  return "other";
}

static const char *kinds[NHOOKS];

const char *ub_prof_hook_kind(int h)
{
  if (h < 0 || h >= NHOOKS)
    return NULL;
  return ub_prof_tab != NULL ? kinds[h] : classify(h); /* no table: dump */
}

/*
 * __func__ of a hook, to its row.  Each function's __func__ is one string
 * at one address, so a small cache keyed by that address answers after
 * the first strcmp search.  `row` holds the row + 1, stored before the
 * key is published.
 */
static struct {
  _Atomic(const char *) fn;
  _Atomic int row;
} hook_cache[512];

static size_t mix(uint64_t x)
{
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  return (size_t)x;
}

int ub_prof_hook(const char *fn)
{
  size_t n = sizeof(hook_cache) / sizeof(hook_cache[0]);
  size_t i = mix((uintptr_t)fn) & (n - 1);
  for (size_t probe = 0; probe < n; probe++, i = (i + 1) & (n - 1)) {
    const char *k =
        atomic_load_explicit(&hook_cache[i].fn, memory_order_acquire);
    if (k == fn)
      return atomic_load_explicit(&hook_cache[i].row, memory_order_relaxed) - 1;
    if (k != NULL)
      continue;
    int row = -1;
    for (int h = 0; h < NHOOKS && row < 0; h++)
      if (strcmp(hook_names[h], fn) == 0)
        row = h;
    const char *none = NULL;
    if (!atomic_compare_exchange_strong(&hook_cache[i].fn, &none,
                                        (const char *)1))
      return row; /* lost the slot: answer anyway, cache it another time */
    atomic_store_explicit(&hook_cache[i].row, row + 1, memory_order_relaxed);
    atomic_store_explicit(&hook_cache[i].fn, fn, memory_order_release);
    return row;
  }
  return -1;
}

/* ---- the tables ------------------------------------------------------- */

/* Where libunblock.so itself is loaded: a stack stops at our frames (a
 * green thread's entry), which are not the program's. */
static void *self_base;

int ub_prof_tables_init(void)
{
  void *p = mmap(NULL, sizeof(struct ub_prof_tables), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return -ENOMEM;
  ub_prof_tab = p;
  for (int h = 0; h < NHOOKS; h++)
    kinds[h] = classify(h);
  /* backtrace() loads libgcc's unwinder on first use, with malloc and
   * dlopen: do that now, not inside a hook. */
  void *pcs[2];
  backtrace(pcs, 2);
  Dl_info di;
  if (dladdr((void *)ub_prof_stack, &di) != 0)
    self_base = di.dli_fbase;
  return 0;
}

void ub_prof_tables_clear(void)
{
  if (ub_prof_tab != NULL)
    madvise(ub_prof_tab, sizeof(*ub_prof_tab), MADV_DONTNEED);
}

static bool ours(uintptr_t pc)
{
  Dl_info di;
  return dladdr((void *)pc, &di) != 0 && di.dli_fbase == self_base;
}

static void fill_stack(struct ub_prof_stack *st, const void *site)
{
  void *pcs[UB_PROF_FRAMES + 8];
  int n = backtrace(pcs, UB_PROF_FRAMES + 8);
  int from = 0;
  while (from < n && pcs[from] != site)
    from++;
  if (from == n) { /* the unwinder lost it: keep the site alone */
    st->pc[0] = (uintptr_t)site;
    st->n = 1;
    return;
  }
  st->n = 0;
  for (int i = from; i < n && st->n < UB_PROF_FRAMES; i++) {
    if (i > from && ours((uintptr_t)pcs[i]))
      break;
    st->pc[st->n++] = (uintptr_t)pcs[i];
  }
}

uint32_t ub_prof_stack(const void *site, uintptr_t depth)
{
  struct ub_prof_tables *t = ub_prof_tab;
  if (t == NULL)
    return 0;
  size_t i = mix((uintptr_t)site ^ depth << 40) & (UB_PROF_NSTACKS - 1);
  for (int probe = 0; probe < 64;
       probe++, i = (i + 1) & (UB_PROF_NSTACKS - 1)) {
    struct ub_prof_stack *st = &t->stacks[i];
    uintptr_t k = atomic_load_explicit(&st->site, memory_order_acquire);
    if (k == 0 &&
        atomic_compare_exchange_strong(&st->site, &k, UB_PROF_FILLING)) {
      st->depth = depth;
      fill_stack(st, site);
      atomic_store_explicit(&st->site, (uintptr_t)site, memory_order_release);
      return (uint32_t)i + 1;
    }
    /* Being filled by another thread: it takes one backtrace. */
    for (unsigned spin = 0; k == UB_PROF_FILLING && spin < 1u << 24; spin++) {
      __builtin_ia32_pause();
      k = atomic_load_explicit(&st->site, memory_order_acquire);
    }
    if (k == (uintptr_t)site && st->depth == depth)
      return (uint32_t)i + 1;
  }
  return 0;
}

uint32_t ub_prof_fd(const char *text)
{
  struct ub_prof_tables *t = ub_prof_tab;
  if (t == NULL || text == NULL || strcmp(text, "-") == 0)
    return 0;
  uint64_t h = 1469598103934665603ull;
  for (const char *p = text; *p != '\0'; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  size_t i = mix(h) & (UB_PROF_NFDS - 1);
  for (int probe = 0; probe < 64; probe++, i = (i + 1) & (UB_PROF_NFDS - 1)) {
    struct ub_prof_fd *f = &t->fds[i];
    int k = atomic_load_explicit(&f->state, memory_order_acquire);
    if (k == 0 && atomic_compare_exchange_strong(&f->state, &k, 1)) {
      snprintf(f->text, sizeof(f->text), "%s", text);
      atomic_store_explicit(&f->state, 2, memory_order_release);
      return (uint32_t)i + 1;
    }
    for (unsigned spin = 0; k == 1 && spin < 1u << 24; spin++) {
      __builtin_ia32_pause();
      k = atomic_load_explicit(&f->state, memory_order_acquire);
    }
    if (k == 2 && strncmp(f->text, text, sizeof(f->text) - 1) == 0)
      return (uint32_t)i + 1;
  }
  return 0;
}

/* Bucket i: 2^i us <= ns / 1000 < 2^(i+1) us; 0 takes less, the last
 * takes more. */
static unsigned bucket(uint64_t ns)
{
  uint64_t us = ns / 1000;
  unsigned b = us == 0 ? 0 : 63 - (unsigned)__builtin_clzll(us);
  return b < UB_PROF_BUCKETS ? b : UB_PROF_BUCKETS - 1;
}

void ub_prof_record(int h, uint32_t fd, uint32_t stack, uint64_t ns)
{
  struct ub_prof_tables *t = ub_prof_tab;
  if (t == NULL || h < 0)
    return;
  uint64_t key = UB_PROF_KEY(h, fd, stack);
  size_t i = mix(key) & (UB_PROF_NWAITS - 1);
  for (int probe = 0; probe < 64; probe++, i = (i + 1) & (UB_PROF_NWAITS - 1)) {
    struct ub_prof_wait *w = &t->waits[i];
    uint64_t k = atomic_load_explicit(&w->key, memory_order_relaxed);
    if (k == 0 && atomic_compare_exchange_strong(&w->key, &k, key))
      k = key;
    if (k != key)
      continue;
    atomic_fetch_add_explicit(&w->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->total, ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->hist[bucket(ns)], 1, memory_order_relaxed);
    uint64_t max = atomic_load_explicit(&w->max, memory_order_relaxed);
    while (ns > max && !atomic_compare_exchange_weak(&w->max, &max, ns))
      ;
    return;
  }
  atomic_fetch_add_explicit(&t->dropped, 1, memory_order_relaxed);
}
