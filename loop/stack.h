/*
 * stack.h - guarded, pooled green-thread stacks.
 *
 * A stack is one anonymous mapping: UB_STACK_GUARD bytes of PROT_NONE at the
 * bottom, then `size` usable bytes.  The guard is 64 KiB rather than one
 * page, so a function with a large frame cannot step over it into the next
 * mapping.  Untouched pages cost no memory, so the virtual size can be
 * generous; it costs two memory maps (vm.max_map_count) per stack.
 *
 * Each carrier keeps a pool of stacks of its default size, so spawn and
 * exit do not mmap and munmap every time.  A stack entering the pool gives
 * back all but its top UB_STACK_HOT bytes (madvise MADV_DONTNEED): idle
 * stacks hold at most that much memory, and reuse stays fault-free for
 * shallow green threads.
 */
#ifndef UB_STACK_H
#define UB_STACK_H

#include <stddef.h>

#define UB_STACK_GUARD ((size_t)64 * 1024)
#define UB_STACK_HOT ((size_t)16 * 1024)
#define UB_STACK_DEFAULT ((size_t)1024 * 1024)
#define UB_STACK_MIN ((size_t)16 * 1024)
#define UB_STACK_POOL_CAP 64

struct ub_stack {
  char *lo;      /* lowest usable byte; the guard lies below it */
  size_t size;   /* usable bytes */
  size_t guard;  /* bytes of guard below lo (0: not ours, e.g. a thread's) */
  unsigned vgid; /* valgrind's stack id */
};

struct ub_stack_pool {
  size_t size; /* the default size; only such stacks are pooled */
  size_t count;
  struct ub_stack free[UB_STACK_POOL_CAP];
};

void ub_stack_pool_init(struct ub_stack_pool *p, size_t default_size);
void ub_stack_pool_fini(struct ub_stack_pool *p);
/* A stack of at least size bytes (0: the default).  0 or -errno. */
int ub_stack_get(struct ub_stack_pool *p, struct ub_stack *s, size_t size);
void ub_stack_put(struct ub_stack_pool *p, struct ub_stack *s);

static inline char *ub_stack_hi(const struct ub_stack *s)
{
  return s->lo + s->size;
}

#endif
