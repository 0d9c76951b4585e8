/*
 * hidefd.h - the runtime's own fds, moved out of the program's way.
 */
#ifndef UB_HIDEFD_H
#define UB_HIDEFD_H

#include <stdbool.h>

/* Move fd to a free number at the top of the fd range and remember it;
 * returns the fd to use (fd itself if it could not move). */
int ub_hidefd(int fd);
/* Forget fd (before the runtime closes it). */
void ub_unhidefd(int fd);
/* Is fd one of the runtime's own? */
bool ub_hiddenfd(int fd);

#endif
