/*
 * heap.h - an intrusive pairing heap of timers.
 *
 * Nodes live inside the structures they time (a wait, a sleeper), so the
 * heap never allocates.  Keys are (deadline, seq): seq is a per-heap
 * counter stamped at insert, which makes equal deadlines pop first-in
 * first-out.  Insert and meld are O(1), delete-min and arbitrary delete are
 * O(log n) amortised, which is why cancelling a timeout is cheap here and
 * not a linear scan as it would be in an array heap.
 *
 * Links: `child` is the first child; `next` the next sibling; `prev` is the
 * previous sibling, or the parent for a first child.  A node is in the heap
 * exactly when `prev != NULL` or it is the root.
 */
#ifndef UB_HEAP_H
#define UB_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ub_heap_node {
  struct ub_heap_node *child, *next, *prev;
  uint64_t deadline;
  uint64_t seq;
};

struct ub_heap {
  struct ub_heap_node *root;
  uint64_t seq;
  size_t count;
};

void ub_heap_init(struct ub_heap *h);
void ub_heap_insert(struct ub_heap *h, struct ub_heap_node *n,
                    uint64_t deadline);
struct ub_heap_node *ub_heap_pop(struct ub_heap *h);
void ub_heap_remove(struct ub_heap *h, struct ub_heap_node *n);
bool ub_heap_contains(const struct ub_heap *h, const struct ub_heap_node *n);

static inline struct ub_heap_node *ub_heap_min(const struct ub_heap *h)
{
  return h->root;
}

#endif
