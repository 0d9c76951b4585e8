/*
 * ps.h - `unblock ps PID` and `unblock profile PID` (ps.c).
 */
#ifndef UB_PS_H
#define UB_PS_H

/* argv[0] is "ps" or "profile".  Exit status: 0, 1 (the process could not
 * be asked), 2 (bad usage). */
int ub_ps_main(int argc, char **argv);
int ub_ctl_profile_main(int argc, char **argv);

#endif
