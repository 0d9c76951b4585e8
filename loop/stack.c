/*
 * stack.c - mapping, guarding, pooling and valgrind registration of stacks.
 *
 * Mappings use MAP_NORESERVE: a 1 MiB stack of which a server touches 8 KiB
 * should not count 1 MiB against overcommit.  Valgrind is told about every
 * stack (VALGRIND_STACK_REGISTER), otherwise memcheck takes a switch onto a
 * nearby stack for a huge frame and reports accesses there as errors.
 */
#include "stack.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

static size_t page_round(size_t n)
{
  size_t pg = (size_t)sysconf(_SC_PAGESIZE);
  return (n + pg - 1) & ~(pg - 1);
}

void ub_stack_pool_init(struct ub_stack_pool *p, size_t default_size)
{
  p->size = page_round(default_size ? default_size : UB_STACK_DEFAULT);
  p->count = 0;
}

static void unmap(struct ub_stack *s)
{
  VALGRIND_STACK_DEREGISTER(s->vgid);
  munmap(s->lo - s->guard, s->guard + s->size);
}

void ub_stack_pool_fini(struct ub_stack_pool *p)
{
  while (p->count > 0)
    unmap(&p->free[--p->count]);
}

int ub_stack_get(struct ub_stack_pool *p, struct ub_stack *s, size_t size)
{
  size = size == 0 ? p->size : page_round(size);
  if (size < UB_STACK_MIN)
    size = UB_STACK_MIN;
  if (size == p->size && p->count > 0) {
    *s = p->free[--p->count];
    return 0;
  }
  size_t total = UB_STACK_GUARD + size;
  char *base =
      mmap(NULL, total, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (base == MAP_FAILED)
    return -errno;
  if (mprotect(base, UB_STACK_GUARD, PROT_NONE) < 0) {
    int err = errno; /* ENOMEM: vm.max_map_count reached */
    munmap(base, total);
    return -err;
  }
  s->lo = base + UB_STACK_GUARD;
  s->size = size;
  s->guard = UB_STACK_GUARD;
  s->vgid = VALGRIND_STACK_REGISTER(s->lo, s->lo + size - 1);
  return 0;
}

void ub_stack_put(struct ub_stack_pool *p, struct ub_stack *s)
{
  if (s->guard == 0)
    return; /* not ours: a thread's own stack, or one the program gave */
  if (s->size != p->size || p->count == UB_STACK_POOL_CAP) {
    unmap(s);
    return;
  }
  if (s->size > UB_STACK_HOT)
    madvise(s->lo, s->size - UB_STACK_HOT, MADV_DONTNEED);
  p->free[p->count++] = *s;
}
