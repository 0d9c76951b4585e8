/*
 * profile_read.h - a profile file as `unblock report` holds it in memory,
 * shared by profile_read.c (which reads and checks the file), report.c
 * (which merges and prints it), symbolize.c (which turns its pcs into
 * frames) and flame.c (folded stacks and SVG).
 *
 * Everything is owned by the struct ub_profile and freed by
 * ub_profile_free.  Strings from the file are NUL-terminated copies;
 * fields the file did not have are NULL, or 0 for numbers.
 */
#ifndef UB_PROFILE_READ_H
#define UB_PROFILE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dur.h"
#include <stdio.h>

/* A `map` record: [start, end) of the process lies at file offset off of
 * path. */
struct ub_map {
  uint64_t start, end, off;
  char *path;
};

/* One frame of a symbolised stack: a return address, or one level of the
 * functions inlined at it (addr2line -i).  Strings belong to the
 * symboliser's pool; any of them may be NULL. */
struct ub_frame {
  const char *func;   /* demangled name, or a symbol table name */
  const char *file;   /* source file as addr2line printed it */
  unsigned line;      /* 0: no line */
  const char *module; /* the mapped file, NULL when the pc is in no map */
  uint64_t addr;      /* ELF vaddr of the return address, else the pc */
  uint64_t off;       /* func+off, when the name came from an ELF symbol */
  bool has_off;
  bool inlined; /* this function was inlined into the next frame */
};

/* A `stack` record, and its frames once symbolised (innermost first). */
struct ub_stack {
  unsigned id;
  size_t npc;
  uint64_t *pc;
  struct ub_frame *frames;
  size_t nframes;
};

/* A `wait` record; after merging, a row of the report. */
struct ub_wait {
  char *kind, *function, *fd;
  unsigned stack_id;
  struct ub_stack *stack; /* NULL for stack id 0: none captured */
  uint64_t count, total, max;
  uint64_t *hist; /* nhist counts: the profile's nbuckets */
  size_t nhist;
  char *key;   /* symbolised stack text, for merging */
  size_t line; /* of the file, for messages */
};

struct ub_profile {
  const char *file; /* as named on the command line, for messages */
  long pid;
  char *mode, *exe, *cmdline;
  uint64_t elapsed_ns;
  bool has_elapsed;
  uint64_t dropped;
  size_t nbuckets; /* 0: no histogram record */
  struct ub_map *maps;
  size_t nmaps;
  struct ub_stack *stacks; /* sorted by id once read */
  size_t nstacks;
  struct ub_wait *waits; /* sorted by total, descending, once merged */
  size_t nwaits;
  void *sym_pool; /* symbolize.c's strings */
};

/* Read the profile in into p, whose file names it in messages: every
 * record, checked, with the waits pointing at their stacks.  Returns 0, or
 * -EINVAL for a bad or incomplete file and -ENOMEM, each said on stderr.
 * p is to be freed either way. */
int ub_profile_read(struct ub_profile *p, FILE *in);

void ub_profile_free(struct ub_profile *p);

/* Free the strings and histogram of one wait, which stays in p->waits
 * (for merging rows, which drops the waits it merged). */
void ub_profile_free_wait(struct ub_wait *w);

/* A number in base 10, or 16 with its "0x", as the profile writes them:
 * digits only, no sign, no blanks, and no overflow. */
bool ub_profile_num(const char *s, int base, uint64_t *v);

/* Copy s into buf for printing (s may be buf), with control bytes as '?'
 * and, unless semi is 0, each ';' as semi.  Returns buf. */
char *ub_report_clean(const char *s, char semi, char *buf, size_t n);

#endif
