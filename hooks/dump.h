/*
 * dump.h - the green-thread dump: what each green thread of a carrier is
 * doing, and where (dump.c).  shim/control.c asks every carrier for its
 * part and sends the whole where it was asked for.
 */
#ifndef UB_DUMP_H
#define UB_DUMP_H

#include <stdbool.h>
#include <stddef.h>

#include "sched.h"

/* A growing text.  Once memory runs out it stops growing and says so. */
struct ub_text {
  char *buf;
  size_t len, cap;
  bool short_of_memory;
};

void ub_text_printf(struct ub_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ub_text_free(struct ub_text *t);

/* Backtrace frames kept per green thread. */
#define UB_DUMP_FRAMES 32

/* Find this library's text, whose frames the dump leaves out.  Once, at
 * start. */
void ub_dump_setup(void);

/*
 * Append carrier s's green threads to the struct ub_text *text, oldest
 * first: state, carrier, age, what a waiting one waits for, and its
 * backtrace, as pcs (lines "    #N 0xPC").  Runs in s's own context
 * (ub_sched_call).
 */
void ub_dump_carrier(struct ub_sched *s, void *text);

#endif
