/*
 * monitor.h - the thread that watches carriers for stalls and hands a
 * stuck carrier's other green threads to a spare thread (loop/handoff.h).
 */
#ifndef UB_MONITOR_H
#define UB_MONITOR_H

#include <stdbool.h>

#include "config.h"

/* A spare thread retires after this long without a carrier to drive. */
#define UB_SPARE_IDLE_NS (2ull * 1000 * 1000 * 1000)

/* Settings, before the first thread starts. */
void ub_monitor_setup(const struct ub_config *cfg);
/* Start the monitor, once (with the program's first thread); nothing if
 * UNBLOCK_STALL_MS is 0. */
void ub_monitor_start(void);
/* In the child after fork: it did not survive. */
void ub_monitor_after_fork(void);

#endif
