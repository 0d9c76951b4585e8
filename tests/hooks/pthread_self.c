/*
 * Description: pthread_self(3): a thread's own id equals the id
 * pthread_create gave its creator, stays the same across blocking calls,
 * differs from every other thread's; the main thread's id is stable; ids
 * work as keys in a table that threads use to find their own slot.
 */
#include "snippet.h"

static pthread_t ids[4];
static int p[2];

static void *worker(void *arg)
{
  long i = (long)arg;
  pthread_t before = pthread_self();
  char c;
  CHECK(read(p[0], &c, 1) == 1); /* block a while */
  pthread_t after = pthread_self();
  int slot = -1;
  for (int j = 0; j < 4; j++)
    if (pthread_equal(ids[j], after))
      slot = j;
  return (void *)(long)(pthread_equal(before, after) && slot == i);
}

int main(void)
{
  start();
  pthread_t me = pthread_self();
  CHECK(pipe(p) == 0);
  for (long i = 0; i < 4; i++)
    CHECK(pthread_create(&ids[i], NULL, worker, (void *)i) == 0);
  sleep_ms(30);
  CHECK(write(p[1], "abcd", 4) == 4);
  for (int i = 0; i < 4; i++)
    printf("thread %d: same id before and after blocking, found its slot: %s\n",
           i, yesno(join(ids[i]) != NULL));
  int distinct = 1;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      if (i != j && pthread_equal(ids[i], ids[j]))
        distinct = 0;
  printf("ids distinct: %s\n", yesno(distinct));
  printf(
      "main's id stable, not a thread's: %s\n",
      yesno(pthread_equal(me, pthread_self()) && !pthread_equal(me, ids[0])));
  return 0;
}
