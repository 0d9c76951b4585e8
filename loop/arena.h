/*
 * arena.h - per-fd loop state, in a generation-tagged arena indexed by fd.
 *
 * Invariants:
 *   - The arena grows on demand in fixed blocks of UB_ARENA_BLOCK entries.
 *     Blocks never move, so a struct ub_io pointer stays valid for the life
 *     of the arena, however far it grows.  Only the small directory of block
 *     pointers is reallocated.  Nothing is sized from RLIMIT_NOFILE.
 *   - `gen` is bumped each time the fd is forgotten (closed).  The backend
 *     carries token = fd | gen << 32 with each registration, and an event
 *     whose generation is not the entry's current one belongs to a closed fd
 *     whose number was reused: it is dropped.
 */
#ifndef UB_ARENA_H
#define UB_ARENA_H

#include <stddef.h>
#include <stdint.h>

#define UB_ARENA_BLOCK 256

struct ub_wait;

/* A FIFO of waiters in one direction, linked through the waits. */
struct ub_wlist {
  struct ub_wait *head, *tail;
};

struct ub_io {
  uint32_t gen;
  uint8_t registered; /* the backend knows this fd (edge: since first wait) */
  uint8_t ready;      /* UB_IN/UB_OUT edges that arrived with no waiter */
  uint8_t interest;   /* what a level-triggered backend was last told */
  uint8_t member;     /* this loop's bit is set in share.h's table */
  uint8_t drained;    /* a read emptied it, and no edge came since */
  uint8_t final;      /* RDHUP, HUP, ERR or PRI seen: never presume empty */
  uint32_t tag;       /* the file the state is for (ub_loop_bind) */
  struct ub_wlist readers, writers;
};

struct ub_arena {
  struct ub_io **blocks;
  size_t nblocks;
};

void ub_arena_init(struct ub_arena *a);
void ub_arena_fini(struct ub_arena *a);
/* The entry for fd, growing the arena if needed; NULL only on ENOMEM. */
struct ub_io *ub_arena_get(struct ub_arena *a, int fd);
/* The entry for fd if the arena already covers it, else NULL. */
struct ub_io *ub_arena_find(const struct ub_arena *a, int fd);
/* The entry a backend token names, or NULL if its generation is stale. */
struct ub_io *ub_arena_lookup(const struct ub_arena *a, uint64_t token);

static inline uint64_t ub_arena_token(int fd, uint32_t gen)
{
  return (uint64_t)(uint32_t)fd | (uint64_t)gen << 32;
}

#endif
