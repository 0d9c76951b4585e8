/* native.h - what libnative.so shares with tests/e2e/native_thread.c. */
#ifndef NATIVE_H
#define NATIVE_H

#include <pthread.h>
#include <semaphore.h>

extern int native_pipe[2];
extern pthread_mutex_t native_mutex;
extern pthread_cond_t native_cond;
extern int native_ready;
extern sem_t native_sem;
extern char native_log[512];
extern pthread_t native_thread;

#endif
