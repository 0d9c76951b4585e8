/*
 * early.h - what libearly.so leaves behind for ctor_order.c: the state its
 * constructor built with hooked calls before libunblock's constructor ran.
 */
#include <pthread.h>

/* One line per call the constructor made: "call: result". */
extern char early_log[1024];
/* A pipe created in the constructor, both ends left open. */
extern int early_pipe[2];
/* A mutex the constructor locked and unlocked. */
extern pthread_mutex_t early_mutex;
/* A key created in the constructor (with a destructor that counts calls),
 * holding early_value in the main thread. */
extern pthread_key_t early_key;
extern const char early_value[];
extern int early_dtor_calls;
