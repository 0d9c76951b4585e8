/*
 * Description: pthread_kill(3) sends a signal to one thread.  A thread
 * blocked in a read on a pipe: SIGUSR1 with a handler without SA_RESTART
 * runs the handler in that thread and its read fails with EINTR; SIGUSR2
 * with SA_RESTART runs the handler there too and the read is restarted,
 * returning the data written 150 ms later.  Signal 0 checks a live thread;
 * a bad signal number is EINVAL.
 */
#include "snippet.h"

static pthread_t target;
static volatile sig_atomic_t calls, in_target;
static int p[2];

static void handler(int sig)
{
  (void)sig;
  calls++;
  in_target = pthread_equal(pthread_self(), target);
}

static void *reader(void *arg)
{
  (void)arg;
  char b[16];
  ssize_t n = read(p[0], b, sizeof(b));
  return (void *)(n >= 0 ? n : -(long)errno);
}

static void result(long r)
{
  printf("the thread's read: %s\n", r >= 0 ? "data" : errname((int)-r));
}

int main(void)
{
  start();
  CHECK(pipe(p) == 0);
  on_signal(SIGUSR1, handler, 0);
  on_signal(SIGUSR2, handler, SA_RESTART);

  target = spawn(reader, NULL);
  sleep_ms(50);
  ERR("pthread_kill(thread, 0)", pthread_kill(target, 0));
  ERR("pthread_kill(thread, SIGUSR1)", pthread_kill(target, SIGUSR1));
  result((long)join(target));
  printf("handler calls: %d, in the thread: %s\n", (int)calls,
         yesno(in_target));

  in_target = 0;
  target = spawn(reader, NULL);
  struct later w = {p[1], "restarted", 150, 0};
  pthread_t t = spawn(later_fn, &w);
  sleep_ms(50);
  ERR("pthread_kill(thread, SIGUSR2)", pthread_kill(target, SIGUSR2));
  result((long)join(target));
  join(t);
  printf("handler calls: %d, in the thread: %s\n", (int)calls,
         yesno(in_target));
  ERR("pthread_kill(self, 0)", pthread_kill(pthread_self(), 0));
  ERR("pthread_kill(self, 999)", pthread_kill(pthread_self(), 999));
  return 0;
}
