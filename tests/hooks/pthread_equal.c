/*
 * Description: pthread_equal(3).  glibc's header inlines it as `==` at -O2,
 * so it is called here through a pointer to reach the real symbol (what
 * -O0 code and other compilers call), and the inline form is checked too:
 * both must agree that a thread equals itself and its creation id, and
 * differs from main.
 */
#include "snippet.h"

static int (*volatile eq)(pthread_t, pthread_t) = pthread_equal;
static pthread_t created;

static void *worker(void *arg)
{
  (void)arg;
  pthread_t self = pthread_self();
  sleep_ms(20);
  return (void *)(long)(!!eq(self, created) * 2 +
                        !!pthread_equal(self, created));
}

int main(void)
{
  start();
  pthread_t me = pthread_self();
  printf("main: equal(self, self): called %s, inline %s\n",
         yesno(eq(me, pthread_self())),
         yesno(pthread_equal(me, pthread_self())));
  CHECK(pthread_create(&created, NULL, worker, NULL) == 0);
  printf("main: equal(self, thread): called %s, inline %s\n",
         yesno(eq(me, created)), yesno(pthread_equal(me, created)));
  long r = (long)join(created);
  printf("thread: equal(self, created id): called %s, inline %s\n",
         yesno(r & 2), yesno(r & 1));
  return 0;
}
