/*
 * symbolize.h - pcs to functions and source lines, for `unblock report`
 * (symbolize.c): the profile's map records and each module's ELF program
 * headers give the address addr2line wants; the ELF symbol tables are the
 * fallback when it knows nothing (both read by elfsym.c).
 */
#ifndef UB_SYMBOLIZE_H
#define UB_SYMBOLIZE_H

#include <stddef.h>

#include "profile_read.h"

/* Fill frames/nframes of every stack of p.  Problems with a module or
 * with addr2line are said once on stderr and leave frames unnamed.
 * Returns 0 or -ENOMEM. */
int ub_sym_profile(struct ub_profile *p);

/* The call-site text of a frame: "handle_client (demos/x.c:42)",
 * "handle_client+0x1a (/usr/bin/x)", "0x1234 (/lib/x.so)", or
 * "0x7f00001234 (no map)".  Control bytes become '?'.  Returns buf. */
char *ub_sym_text(const struct ub_frame *f, char *buf, size_t n);

/* The frame's name in a flame graph: the function, "[module]" or
 * "[unknown]".  Returns buf. */
char *ub_sym_name(const struct ub_frame *f, char *buf, size_t n);

/* Free what ub_sym_profile allocated (ub_profile_free calls it). */
void ub_sym_free(struct ub_profile *p);

#endif
