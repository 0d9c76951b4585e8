/*
 * tls_user.c - a program with __thread data of its own (a TLS segment),
 * which UNBLOCK_VERBOSE=1 must name: green threads on one carrier share it.
 */
#include <stdio.h>

static __thread int counter;

int main(void)
{
  counter++;
  printf("counter %d\n", counter);
  return 0;
}
