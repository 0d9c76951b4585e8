/*
 * Description: pthread_getname_np(3).  The main thread's name and a new
 * thread's are the process name (the program's file name cut to 15
 * characters, as /proc/self/comm shows it; compared rather than printed, so
 * that it holds under valgrind too, whose process has its own name); after
 * pthread_setname_np it is the new name, read from another thread while the
 * named one is blocked; a buffer too short for the name is ERANGE.
 */
#include "snippet.h"

static int p[2];

static void *worker(void *arg)
{
  (void)arg;
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  return NULL;
}

int main(void)
{
  start();
  char comm[32] = "", name[32];
  FILE *f = fopen("/proc/self/comm", "r");
  CHECK(f != NULL && fgets(comm, sizeof(comm), f) != NULL && fclose(f) == 0);
  comm[strcspn(comm, "\n")] = '\0';
  ERR("main's name", pthread_getname_np(pthread_self(), name, sizeof(name)));
  printf("  the process name: %s\n", yesno(strcmp(name, comm) == 0));
  CHECK(pipe(p) == 0);
  pthread_t t = spawn(worker, NULL);
  sleep_ms(30);
  ERR("a new thread's name", pthread_getname_np(t, name, sizeof(name)));
  printf("  the process name: %s\n", yesno(strcmp(name, comm) == 0));
  CHECK(pthread_setname_np(t, "renamed") == 0);
  ERR("after setname", pthread_getname_np(t, name, sizeof(name)));
  printf("  %s\n", name);
  ERR("into 4 bytes", pthread_getname_np(t, name, 4));
  CHECK(write(p[1], "w", 1) == 1);
  join(t);
  return 0;
}
