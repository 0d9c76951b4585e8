/*
 * Description: pthread_rwlock_unlock(3).  With two readers in and a writer
 * waiting, the first reader's unlock does not let the writer in, the
 * second's does.  The writer's unlock lets three waiting readers in
 * together (all three hold it at once).
 */
#include "snippet.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int wrote, inside, most;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void *writer(void *arg)
{
  (void)arg;
  CHECK(pthread_rwlock_wrlock(&rw) == 0);
  __atomic_store_n(&wrote, 1, __ATOMIC_SEQ_CST);
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return NULL;
}

static void *reader(void *arg)
{
  (void)arg;
  CHECK(pthread_rwlock_rdlock(&rw) == 0);
  pthread_mutex_lock(&m);
  if (++inside > most)
    most = inside;
  pthread_mutex_unlock(&m);
  sleep_ms(50);
  pthread_mutex_lock(&m);
  inside--;
  pthread_mutex_unlock(&m);
  CHECK(pthread_rwlock_unlock(&rw) == 0);
  return NULL;
}

int main(void)
{
  start();
  CHECK(pthread_rwlock_rdlock(&rw) == 0);
  CHECK(pthread_rwlock_rdlock(&rw) == 0);
  pthread_t w = spawn(writer, NULL);
  sleep_ms(50);
  ERR("first reader's unlock", pthread_rwlock_unlock(&rw));
  sleep_ms(50);
  printf("the writer got in: %s\n", yesno(__atomic_load_n(&wrote, 0)));
  ERR("second reader's unlock", pthread_rwlock_unlock(&rw));
  join(w);
  printf("the writer got in: %s\n", yesno(__atomic_load_n(&wrote, 0)));

  CHECK(pthread_rwlock_wrlock(&rw) == 0);
  pthread_t r[3];
  for (int i = 0; i < 3; i++)
    r[i] = spawn(reader, NULL);
  sleep_ms(50);
  printf("readers in while the writer holds it: %d\n", most);
  ERR("the writer's unlock", pthread_rwlock_unlock(&rw));
  for (int i = 0; i < 3; i++)
    join(r[i]);
  printf("readers in at once, at most: %d\n", most);
  return 0;
}
