/*
 * Description: the pairing heap against a reference, over 100k random
 * operations (insert, pop-min, remove an arbitrary node), checking the
 * minimum and the count after every step and the order of a final drain.
 */
#include "harness.h"
#include "heap.h"

#include <stdint.h>

#define N 4096
#define OPS 100000

static struct ub_heap_node nodes[N];
static bool in[N];

/* The reference: a linear scan for the smallest (deadline, seq). */
static int ref_min(void)
{
  int best = -1;
  for (int i = 0; i < N; i++) {
    if (!in[i])
      continue;
    if (best < 0 || nodes[i].deadline < nodes[best].deadline ||
        (nodes[i].deadline == nodes[best].deadline &&
         nodes[i].seq < nodes[best].seq))
      best = i;
  }
  return best;
}

static uint64_t rng = 88172645463325252ull;

int main(void)
{
  struct ub_heap h;
  ub_heap_init(&h);
  size_t count = 0;
  for (int op = 0; op < OPS; op++) {
    int i = (int)(ub_test_rand(&rng) % N);
    unsigned kind = ub_test_rand(&rng) % 3;
    if (kind == 0 && !in[i]) {
      /* A small key range, so equal deadlines are common. */
      ub_heap_insert(&h, &nodes[i], ub_test_rand(&rng) % 64);
      in[i] = true;
      count++;
    } else if (kind == 1 && count > 0) {
      int want = ref_min();
      struct ub_heap_node *got = ub_heap_pop(&h);
      CHECK(got == &nodes[want]);
      CHECK(!ub_heap_contains(&h, got));
      in[want] = false;
      count--;
    } else if (in[i]) {
      ub_heap_remove(&h, &nodes[i]);
      CHECK(!ub_heap_contains(&h, &nodes[i]));
      in[i] = false;
      count--;
    }
    CHECK(h.count == count);
    int want = ref_min();
    CHECK(want < 0 ? ub_heap_min(&h) == NULL : ub_heap_min(&h) == &nodes[want]);
  }
  /* Drain: keys come out non-decreasing, FIFO among equals. */
  struct ub_heap_node *prev = NULL, *n;
  while ((n = ub_heap_pop(&h)) != NULL) {
    if (prev != NULL)
      CHECK(prev->deadline < n->deadline ||
            (prev->deadline == n->deadline && prev->seq < n->seq));
    prev = n;
    count--;
  }
  CHECK(count == 0);
  return 0;
}
