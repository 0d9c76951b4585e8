/*
 * flame.h - `unblock report --folded` and `--svg` (flame.c): the merged,
 * symbolised rows of a profile as folded stacks or a flame graph.
 */
#ifndef UB_FLAME_H
#define UB_FLAME_H

#include <stdio.h>

#include "profile_read.h"

/* One line per distinct stack, "root;outer;...;inner;function [kind fd]
 * MICROSECONDS", sorted.  Returns 0 or -errno. */
int ub_flame_folded(const struct ub_profile *p, FILE *out);

/* A self-contained SVG flame graph, callers at the bottom.  Returns 0 or
 * -errno. */
int ub_flame_svg(const struct ub_profile *p, FILE *out);

#endif
