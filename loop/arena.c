/*
 * arena.c - growth and lookup for the per-fd arena (see arena.h).
 *
 * A block is allocated zeroed the first time any fd in its range is asked
 * for, so a process that only ever waits on fds 3..40 holds one block, and
 * one that waits only on fd 19000 holds one: the 75th.
 */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

void ub_arena_init(struct ub_arena *a)
{
  a->blocks = NULL;
  a->nblocks = 0;
}

void ub_arena_fini(struct ub_arena *a)
{
  for (size_t i = 0; i < a->nblocks; i++)
    free(a->blocks[i]);
  free(a->blocks);
  ub_arena_init(a);
}

struct ub_io *ub_arena_find(const struct ub_arena *a, int fd)
{
  if (fd < 0)
    return NULL;
  size_t b = (size_t)fd / UB_ARENA_BLOCK;
  if (b >= a->nblocks || a->blocks[b] == NULL)
    return NULL;
  return &a->blocks[b][(size_t)fd % UB_ARENA_BLOCK];
}

struct ub_io *ub_arena_get(struct ub_arena *a, int fd)
{
  if (fd < 0)
    return NULL;
  size_t b = (size_t)fd / UB_ARENA_BLOCK;
  if (b >= a->nblocks) {
    size_t n = a->nblocks ? a->nblocks : 4;
    while (n <= b)
      n *= 2;
    struct ub_io **dir = realloc(a->blocks, n * sizeof(*dir));
    if (dir == NULL)
      return NULL;
    memset(dir + a->nblocks, 0, (n - a->nblocks) * sizeof(*dir));
    a->blocks = dir;
    a->nblocks = n;
  }
  if (a->blocks[b] == NULL) {
    a->blocks[b] = calloc(UB_ARENA_BLOCK, sizeof(struct ub_io));
    if (a->blocks[b] == NULL)
      return NULL;
  }
  return &a->blocks[b][(size_t)fd % UB_ARENA_BLOCK];
}

struct ub_io *ub_arena_lookup(const struct ub_arena *a, uint64_t token)
{
  struct ub_io *io = ub_arena_find(a, (int)(uint32_t)token);
  if (io == NULL || io->gen != (uint32_t)(token >> 32))
    return NULL;
  return io;
}
