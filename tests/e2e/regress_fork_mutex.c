/* Regression test, found in review: see tests/regress.bats. */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static void *t(void *a)
{
  pthread_mutex_lock(&m);
  printf("thread T got the mutex in pid %s\n",
         getpid() == *(pid_t *)a ? "parent" : "CHILD");
  fflush(stdout);
  pthread_mutex_unlock(&m);
  return 0;
}
int main(void)
{
  pid_t parent = getpid();
  pthread_mutex_lock(&m);
  pthread_t th;
  pthread_create(&th, 0, t, &parent);
  usleep(100000); /* T now waits on m */
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    pthread_mutex_unlock(&m);
    usleep(100000);
    int r = pthread_mutex_trylock(&m);
    printf("child: trylock after unlock = %d\n", r);
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, 0, 0);
  pthread_mutex_unlock(&m);
  pthread_join(th, 0);
  return 0;
}
