/*
 * report.h - `unblock report`: read a profile written by libunblock.so
 * (docs/profiling.md gives the file format) and print it.
 */
#ifndef UB_REPORT_H
#define UB_REPORT_H

/* `unblock report [options] FILE`: argv[0] is "report".  Returns the
 * launcher's exit status: 0, 1 for a bad or unreadable profile, 2 for a
 * bad option. */
int ub_report_main(int argc, char **argv);

#endif
