/* Regression test, found in review: see tests/regress.bats.
 *
 * With UNBLOCK_VERBOSE=1 the stall monitor reports where a carrier stuck
 * in a system call was blocked, by looking for a return address among the
 * 64 words above its stack pointer.  It read those words directly, so a
 * thread on a stack of the program's own (pthread_attr_setstack) blocked
 * near the top of it, with an unmapped page right above, crashed the
 * process with SIGSEGV.  Here such a thread (64 KiB stack, a PROT_NONE
 * page above), started on syscall itself, blocks in a raw pause system
 * call while another thread sleeps in small steps; after 300 ms the
 * program prints and exits. */
#define _GNU_SOURCE
#pragma GCC diagnostic ignored "-Wcast-function-type"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int stop;

static void *peer(void *a)
{
  while (!stop)
    usleep(1000);
  return a;
}

int main(void)
{
  size_t sz = 64 * 1024;
  char *m = mmap(NULL, sz + 4096, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED || mprotect(m + sz, 4096, PROT_NONE) != 0)
    return 2;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setstack(&at, m, sz);
  pthread_t p, s;
  pthread_create(&p, NULL, peer, NULL);
  /* syscall(SYS_pause) itself as the start routine: no hook, so the
   * carrier blocks, and no return address into the program on its stack,
   * so the monitor's search goes on to the top of the stack. */
  pthread_create(&s, &at, (void *(*)(void *))syscall, (void *)(long)SYS_pause);
  usleep(300000);
  stop = 1;
  pthread_join(p, NULL);
  printf("went on while a thread on a stack of its own was stuck: yes\n");
  exit(0); /* the pausing thread with it */
}
