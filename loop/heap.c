/*
 * heap.c - pairing heap (Fredman, Sedgewick, Sleator, Tarjan 1986).
 *
 * The two-pass merge in pop() is iterative: a heap built by 100k inserts is
 * one root with 100k children, and a recursive merge would use that much
 * stack, which a green thread does not have.
 */
#include "heap.h"

#include <assert.h>

static bool less(const struct ub_heap_node *a, const struct ub_heap_node *b)
{
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->seq < b->seq);
}

/* Meld two detached roots; the loser becomes the winner's first child. */
static struct ub_heap_node *meld(struct ub_heap_node *a, struct ub_heap_node *b)
{
  if (a == NULL)
    return b;
  if (b == NULL)
    return a;
  if (less(b, a)) {
    struct ub_heap_node *t = a;
    a = b;
    b = t;
  }
  b->prev = a;
  b->next = a->child;
  if (a->child != NULL)
    a->child->prev = b;
  a->child = b;
  a->next = NULL;
  a->prev = NULL;
  return a;
}

/*
 * Merge a sibling list into one tree: pair left to right, then meld the
 * pairs right to left.  The first pass threads the pair winners into a
 * reversed list through `next`, so the second pass walks it in order.
 */
static struct ub_heap_node *merge_pairs(struct ub_heap_node *first)
{
  struct ub_heap_node *pairs = NULL;
  while (first != NULL) {
    struct ub_heap_node *a = first;
    struct ub_heap_node *b = a->next;
    first = b != NULL ? b->next : NULL;
    a->next = a->prev = NULL;
    if (b != NULL)
      b->next = b->prev = NULL;
    struct ub_heap_node *m = meld(a, b);
    m->next = pairs;
    pairs = m;
  }
  struct ub_heap_node *root = NULL;
  while (pairs != NULL) {
    struct ub_heap_node *m = pairs;
    pairs = m->next;
    m->next = NULL;
    root = meld(root, m);
  }
  return root;
}

void ub_heap_init(struct ub_heap *h)
{
  h->root = NULL;
  h->seq = 0;
  h->count = 0;
}

void ub_heap_insert(struct ub_heap *h, struct ub_heap_node *n,
                    uint64_t deadline)
{
  n->child = n->next = n->prev = NULL;
  n->deadline = deadline;
  n->seq = h->seq++;
  h->root = meld(h->root, n);
  h->count++;
}

struct ub_heap_node *ub_heap_pop(struct ub_heap *h)
{
  struct ub_heap_node *n = h->root;
  if (n == NULL)
    return NULL;
  h->root = merge_pairs(n->child);
  n->child = NULL;
  h->count--;
  return n;
}

bool ub_heap_contains(const struct ub_heap *h, const struct ub_heap_node *n)
{
  return n == h->root || n->prev != NULL;
}

void ub_heap_remove(struct ub_heap *h, struct ub_heap_node *n)
{
  assert(ub_heap_contains(h, n));
  if (n == h->root) {
    ub_heap_pop(h);
    return;
  }
  /* Cut n's subtree out of its sibling list, then fold its children back. */
  if (n->prev->child == n)
    n->prev->child = n->next;
  else
    n->prev->next = n->next;
  if (n->next != NULL)
    n->next->prev = n->prev;
  n->next = n->prev = NULL;
  struct ub_heap_node *rest = merge_pairs(n->child);
  n->child = NULL;
  h->root = meld(h->root, rest);
  h->count--;
}
