/*
 * Description: pthread_spin_unlock(3): 0; the unlock lets a thread that is
 * spinning in pthread_spin_lock in, and that thread sees what was written
 * before the unlock.
 */
#include "snippet.h"

static pthread_spinlock_t l;
static int before_unlock;

static void *spinner(void *arg)
{
  (void)arg;
  CHECK(pthread_spin_lock(&l) == 0);
  int saw = before_unlock;
  CHECK(pthread_spin_unlock(&l) == 0);
  return (void *)(long)saw;
}

int main(void)
{
  start();
  CHECK(pthread_spin_init(&l, PTHREAD_PROCESS_PRIVATE) == 0);
  CHECK(pthread_spin_lock(&l) == 0);
  pthread_t t = spawn(spinner, NULL);
  sleep_ms(50);
  before_unlock = 1;
  ERR("unlock with a thread spinning", pthread_spin_unlock(&l));
  printf("the spinner got in and saw the write: %s\n", yesno(join(t) != NULL));
  ERR("lock", pthread_spin_lock(&l));
  ERR("unlock", pthread_spin_unlock(&l));
  return 0;
}
