/*
 * share.c - the process-wide table of which loops know each fd (share.h).
 *
 * Two levels, like the hooks' fd table: blocks of 256 masks installed with
 * a compare-and-swap and never freed, so readers take no lock.  A mask
 * changes only with atomic or/and, from the loops' own threads.
 */
#include "share.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 256
#define NBLOCKS 4096

static _Atomic uint64_t *_Atomic blocks[NBLOCKS];
static _Atomic(struct ub_loop *) loops[UB_SHARE_SLOTS];
static _Atomic uint64_t used;

static _Atomic uint64_t *slot_of(int fd, int create)
{
  if (fd < 0 || fd >= BLOCK * NBLOCKS)
    return NULL;
  _Atomic uint64_t *_Atomic *dir = &blocks[fd / BLOCK];
  _Atomic uint64_t *b = atomic_load_explicit(dir, memory_order_acquire);
  if (b == NULL && create) {
    _Atomic uint64_t *fresh = calloc(BLOCK, sizeof(*fresh));
    if (fresh == NULL)
      return NULL;
    if (atomic_compare_exchange_strong(dir, &b, fresh))
      b = fresh;
    else
      free(fresh);
  }
  return b != NULL ? &b[fd % BLOCK] : NULL;
}

int ub_share_slot_get(struct ub_loop *l)
{
  uint64_t u = atomic_load(&used);
  for (;;) {
    if (u == UINT64_MAX)
      return -1;
    int slot = __builtin_ctzll(~u);
    if (atomic_compare_exchange_weak(&used, &u, u | 1ull << slot)) {
      atomic_store(&loops[slot], l);
      return slot;
    }
  }
}

void ub_share_slot_put(int slot)
{
  if (slot < 0)
    return;
  atomic_store(&loops[slot], NULL);
  atomic_fetch_and(&used, ~(1ull << slot));
}

struct ub_loop *ub_share_loop(int slot)
{
  return atomic_load(&loops[slot]);
}

uint64_t ub_share_add(int fd, int slot)
{
  _Atomic uint64_t *m = slot < 0 ? NULL : slot_of(fd, 1);
  return m != NULL ? atomic_fetch_or(m, 1ull << slot) : 0;
}

void ub_share_del(int fd, int slot)
{
  _Atomic uint64_t *m = slot < 0 ? NULL : slot_of(fd, 0);
  if (m != NULL)
    atomic_fetch_and(m, ~(1ull << slot));
}

uint64_t ub_share_mask(int fd)
{
  _Atomic uint64_t *m = slot_of(fd, 0);
  return m != NULL ? atomic_load(m) : 0;
}

void ub_share_after_fork(int keep)
{
  for (int i = 0; i < NBLOCKS; i++) {
    _Atomic uint64_t *b = atomic_load(&blocks[i]);
    if (b != NULL)
      memset((void *)b, 0, BLOCK * sizeof(*b));
  }
  for (int i = 0; i < UB_SHARE_SLOTS; i++)
    if (i != keep)
      atomic_store(&loops[i], NULL);
  atomic_store(&used, keep >= 0 ? 1ull << keep : 0);
}
