/*
 * control.h - asking a running program for its green threads or its
 * profile (control.c): UNBLOCK_DUMP_SIGNAL, and the control socket that
 * `unblock ps PID` and `unblock profile PID` talk to.
 */
#ifndef UB_CONTROL_H
#define UB_CONTROL_H

#include "config.h"

/* Get ready to answer, as c asks (green mode, once the first carrier
 * runs); with UNBLOCK_DUMP_SIGNAL, start answering now.  Problems are
 * said on stderr; the program runs on without them. */
void ub_control_setup(const struct ub_config *c);
/* The program starts its second thread: start answering, if not yet. */
void ub_control_start(void);
/* In the child of fork(): answer for the child, under its own pid. */
void ub_control_after_fork(void);

#endif
