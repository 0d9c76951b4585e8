/*
 * profile_read.c - reading and checking a profile file (format version 1,
 * docs/profiling.md) into a struct ub_profile, and freeing it again.  The
 * command line, merging and printing are report.c's.
 *
 * The file is checked strictly, since a report from half a file would
 * mislead: the first line must be "unblock-profile<TAB>1", every known
 * record must have its fields in their syntax (header records at most
 * once), and the `end` record must be there, last, with the numbers of
 * stack and wait records we saw.  A last line without its newline is a
 * truncated file.  Unknown record types, and fields after those we know,
 * are skipped: that is how a newer writer extends version 1.  Records may
 * come in any order; a wait may name a stack that comes after it.
 *
 * Every problem is said once on stderr, prefixed "unblock report:" and
 * with the file and line where there is one, so the caller only turns the
 * error into its exit status.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_read.h"
#include "symbolize.h"

#define VERSION 1
#define MAX_PCS 64     /* 16 today */
#define MAX_BUCKETS 64 /* 24 today */

struct reader {
  struct ub_profile *p;
  size_t line;
  size_t cap_maps, cap_stacks, cap_waits;
  unsigned seen; /* a bit per record of once[] */
  uint64_t end_stacks, end_waits;
};

/* Records that may appear once; `end` must be the last. */
static const char *const once[] = {"pid",     "mode",       "exe",
                                   "cmdline", "elapsed_ns", "histogram",
                                   "dropped", "end"};
#define END_BIT (1u << 7)

/* "unblock report: [FILE[:LINE]: ]message" on stderr; returns -EINVAL. */
static int say(const char *file, size_t line, const char *fmt, ...)
{
  va_list ap;
  fputs("unblock report: ", stderr);
  if (file != NULL)
    fprintf(stderr, line > 0 ? "%s:%zu: " : "%s: ", file, line);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return -EINVAL;
}
#define bad(p, line, ...) say((p)->file, line, __VA_ARGS__)

/* A number in base 10, or 16 with its "0x": digits only, no sign, no
 * blanks, and no overflow.  Also report.c's, for its options. */
bool ub_profile_num(const char *s, int base, uint64_t *v)
{
  char *end;
  if (base == 16 && (*s++ != '0' || *s++ != 'x'))
    return false;
  if (!(base == 16 ? isxdigit : isdigit)((unsigned char)*s))
    return false;
  errno = 0;
  *v = strtoull(s, &end, base);
  return *end == '\0' && errno == 0;
}

/* "a,b,c" as a new array of at most max numbers; 0 or -errno. */
static int numlist(char *s, int base, size_t max, uint64_t **out, size_t *n)
{
  size_t k = 1;
  for (const char *c = s; *c != '\0'; c++)
    k += *c == ',';
  if (k > max)
    return -E2BIG;
  uint64_t *a = malloc(k * sizeof(*a));
  if (a == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < k; i++) {
    char *item = strsep(&s, ",");
    if (!ub_profile_num(item, base, &a[i])) {
      free(a);
      return -EINVAL;
    }
  }
  *out = a, *n = k;
  return 0;
}

/* Split s at TABs into at most max fields, the last taking the rest. */
static size_t split(char *s, char **f, size_t max)
{
  size_t n = 0;
  if (s == NULL)
    return 0;
  f[n++] = s;
  while (n < max && (s = strchr(s, '\t')) != NULL) {
    *s++ = '\0';
    f[n++] = s;
  }
  return n;
}

static int grow(void *arr, size_t *cap, size_t n, size_t size)
{
  void **a = arr;
  if (n < *cap)
    return 0;
  size_t c = *cap ? *cap * 2 : 16;
  void *na = realloc(*a, c * size);
  if (na == NULL)
    return -ENOMEM;
  *a = na, *cap = c;
  return 0;
}

static int parse_wait(struct reader *r, char **f)
{
  struct ub_profile *p = r->p;
  uint64_t id;
  if (grow(&p->waits, &r->cap_waits, p->nwaits, sizeof(*p->waits)) != 0)
    return -ENOMEM;
  struct ub_wait *w = &p->waits[p->nwaits];
  memset(w, 0, sizeof(*w));
  if (f[0][0] == '\0' || f[1][0] == '\0' || f[2][0] == '\0')
    return bad(p, r->line, "wait record with an empty kind, function or fd");
  if (!ub_profile_num(f[3], 10, &id) || id > UINT_MAX ||
      !ub_profile_num(f[4], 10, &w->count) ||
      !ub_profile_num(f[5], 10, &w->total) ||
      !ub_profile_num(f[6], 10, &w->max))
    return bad(p, r->line,
               "wait record: stack id, count, total and max "
               "must be decimal numbers");
  int err = numlist(f[7], 10, MAX_BUCKETS, &w->hist, &w->nhist);
  if (err != 0)
    return err == -ENOMEM ? err
                          : bad(p, r->line,
                                "wait record: the histogram must be at "
                                "most %d decimal numbers separated by ','",
                                MAX_BUCKETS);
  w->stack_id = (unsigned)id;
  w->line = r->line;
  p->nwaits++;
  if ((w->kind = strdup(f[0])) == NULL ||
      (w->function = strdup(f[1])) == NULL || (w->fd = strdup(f[2])) == NULL)
    return -ENOMEM;
  return 0;
}

static int parse_stack(struct reader *r, char **f)
{
  struct ub_profile *p = r->p;
  uint64_t id;
  if (grow(&p->stacks, &r->cap_stacks, p->nstacks, sizeof(*p->stacks)) != 0)
    return -ENOMEM;
  struct ub_stack *s = &p->stacks[p->nstacks];
  memset(s, 0, sizeof(*s));
  if (!ub_profile_num(f[0], 10, &id) || id == 0 || id > UINT_MAX)
    return bad(p, r->line,
               "stack record: the id must be a number from 1 "
               "to %u",
               UINT_MAX);
  int err = numlist(f[1], 16, MAX_PCS, &s->pc, &s->npc);
  if (err != 0)
    return err == -ENOMEM ? err
                          : bad(p, r->line,
                                "stack record: the pcs must be 1 to %d "
                                "0x... numbers separated by ','",
                                MAX_PCS);
  s->id = (unsigned)id;
  p->nstacks++;
  return 0;
}

static int parse_map(struct reader *r, char **f)
{
  struct ub_profile *p = r->p;
  struct ub_map m;
  if (!ub_profile_num(f[0], 16, &m.start) ||
      !ub_profile_num(f[1], 16, &m.end) || !ub_profile_num(f[2], 16, &m.off) ||
      m.start >= m.end || f[3][0] == '\0')
    return bad(p, r->line,
               "map record: expected start < end and an offset, "
               "in 0x..., and a path");
  if (grow(&p->maps, &r->cap_maps, p->nmaps, sizeof(*p->maps)) != 0 ||
      (m.path = strdup(f[3])) == NULL)
    return -ENOMEM;
  p->maps[p->nmaps++] = m;
  return 0;
}

/* One line after the first: 0 or -errno, the error said on stderr. */
static int parse_record(struct reader *r, char *line)
{
  struct ub_profile *p = r->p;
  static const struct {
    const char *type;
    size_t fields; /* the last takes the rest of the line: text */
  } known[] = {{"pid", 2},        {"mode", 1},      {"exe", 1}, {"cmdline", 1},
               {"elapsed_ns", 2}, {"histogram", 3}, {"map", 4}, {"stack", 3},
               {"wait", 9},       {"dropped", 2},   {"end", 3}};
  char *f[9], *args = strchr(line, '\t');
  uint64_t v;
  if (args != NULL)
    *args++ = '\0';
  if (r->seen & END_BIT)
    return bad(p, r->line, "a record after the end record");
  size_t k = 0, nk = sizeof(known) / sizeof(known[0]), need;
  while (k < nk && strcmp(known[k].type, line) != 0)
    k++;
  if (k == nk)
    return 0; /* a newer writer's record */
  for (unsigned i = 0; i < sizeof(once) / sizeof(once[0]); i++)
    if (strcmp(once[i], line) == 0) {
      if (r->seen & (1u << i))
        return bad(p, r->line, "a second %s record", line);
      r->seen |= 1u << i;
    }
  /* Numeric records split one field further, into what we skip. */
  need = known[k].fields == 1 ? 1 : known[k].fields - 1;
  if (split(args, f, known[k].fields) < need)
    return bad(p, r->line, "%s record: expected %zu field%s after the type",
               line, need, need == 1 ? "" : "s");
  if (strcmp(line, "wait") == 0)
    return parse_wait(r, f);
  if (strcmp(line, "stack") == 0)
    return parse_stack(r, f);
  if (strcmp(line, "map") == 0)
    return parse_map(r, f);
  char **text = strcmp(line, "mode") == 0      ? &p->mode
                : strcmp(line, "exe") == 0     ? &p->exe
                : strcmp(line, "cmdline") == 0 ? &p->cmdline
                                               : NULL;
  if (text != NULL) /* empty: the writer could not tell, as if absent */
    return f[0][0] && (*text = strdup(f[0])) == NULL ? -ENOMEM : 0;
  if (strcmp(line, "histogram") == 0) {
    if (strcmp(f[0], "log2us") != 0 || !ub_profile_num(f[1], 10, &v) ||
        v == 0 || v > MAX_BUCKETS)
      return bad(p, r->line,
                 "histogram record: expected log2us and 1 to "
                 "%d buckets",
                 MAX_BUCKETS);
    p->nbuckets = v;
  } else if (strcmp(line, "end") == 0) {
    if (!ub_profile_num(f[0], 10, &r->end_stacks) ||
        !ub_profile_num(f[1], 10, &r->end_waits))
      return bad(p, r->line, "end record: expected two decimal counts");
  } else {
    if (!ub_profile_num(f[0], 10, &v) ||
        (strcmp(line, "pid") == 0 && v > INT_MAX))
      return bad(p, r->line, "%s record: expected a decimal number", line);
    if (strcmp(line, "pid") == 0)
      p->pid = (long)v;
    else if (strcmp(line, "dropped") == 0)
      p->dropped = v;
    else
      p->elapsed_ns = v, p->has_elapsed = true;
  }
  return 0;
}

static int check_magic(struct ub_profile *p, char *line)
{
  char *f[3];
  uint64_t v;
  if (split(line, f, 3) < 2 || strcmp(f[0], "unblock-profile") != 0 ||
      !ub_profile_num(f[1], 10, &v) || v == 0)
    return bad(p, 0,
               "not an unblock profile (the first line is not "
               "\"unblock-profile<TAB>%d\")",
               VERSION);
  if (v > VERSION)
    return bad(p, 0,
               "profile format version %" PRIu64 " is newer than "
               "this unblock understands (%d)",
               v, VERSION);
  return 0;
}

static int cmp_stack_id(const void *a, const void *b)
{
  unsigned x = ((const struct ub_stack *)a)->id;
  unsigned y = ((const struct ub_stack *)b)->id;
  return x < y ? -1 : x > y;
}

/* Once the whole file is read: the end counts, stack ids, histograms. */
static int check_whole(struct reader *r)
{
  struct ub_profile *p = r->p;
  if (!(r->seen & END_BIT))
    return bad(p, 0, "incomplete profile (no end record)");
  if (r->end_stacks != p->nstacks || r->end_waits != p->nwaits)
    return bad(p, 0,
               "incomplete profile (the end record counts %" PRIu64
               " stack and %" PRIu64 " wait records; the file has %zu "
               "and %zu)",
               r->end_stacks, r->end_waits, p->nstacks, p->nwaits);
  if (p->nstacks > 1)
    qsort(p->stacks, p->nstacks, sizeof(*p->stacks), cmp_stack_id);
  for (size_t i = 1; i < p->nstacks; i++)
    if (p->stacks[i].id == p->stacks[i - 1].id)
      return bad(p, 0, "two stack records with id %u", p->stacks[i].id);
  for (size_t i = 0; i < p->nwaits; i++) {
    struct ub_wait *w = &p->waits[i];
    struct ub_stack key = {.id = w->stack_id};
    w->stack = p->nstacks ? bsearch(&key, p->stacks, p->nstacks, sizeof(key),
                                    cmp_stack_id)
                          : NULL;
    if (w->stack_id != 0 && w->stack == NULL)
      return bad(p, w->line,
                 "the wait record names stack %u, which has no "
                 "stack record",
                 w->stack_id);
    if (w->nhist != p->nbuckets)
      return bad(p, w->line,
                 "the wait record has %zu histogram buckets; "
                 "the histogram record says %zu",
                 w->nhist, p->nbuckets);
  }
  return 0;
}

/* Line by line: the first must be the magic, each later one is a record.
 * The checks that need every record come once the file is read. */
int ub_profile_read(struct ub_profile *p, FILE *in)
{
  struct reader r = {.p = p};
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int err = 0;
  while (err == 0 && (len = getline(&line, &cap, in)) >= 0) {
    bool newline = len > 0 && line[len - 1] == '\n';
    if (newline)
      line[--len] = '\0';
    bool nul = strlen(line) != (size_t)len;
    if (++r.line == 1)
      err = check_magic(p, line);
    if (err == 0 && nul)
      err = bad(p, r.line, "a NUL byte: not a text file");
    else if (err == 0 && !newline) /* cut short while written */
      err = bad(p, 0, "incomplete profile (line %zu has no newline)", r.line);
    else if (err == 0 && r.line > 1)
      err = parse_record(&r, line);
  }
  free(line);
  if (err == 0 && ferror(in))
    err = bad(p, 0, "%s", strerror(errno));
  else if (err == 0 && r.line == 0)
    err = bad(p, 0, "empty file: not an unblock profile");
  if (err == -ENOMEM)
    fprintf(stderr, "unblock report: out of memory\n");
  return err != 0 ? err : check_whole(&r);
}

void ub_profile_free_wait(struct ub_wait *w)
{
  free(w->kind), free(w->function), free(w->fd), free(w->hist), free(w->key);
}

void ub_profile_free(struct ub_profile *p)
{
  for (size_t i = 0; i < p->nmaps; i++)
    free(p->maps[i].path);
  for (size_t i = 0; i < p->nstacks; i++)
    free(p->stacks[i].pc), free(p->stacks[i].frames);
  for (size_t i = 0; i < p->nwaits; i++)
    ub_profile_free_wait(&p->waits[i]);
  free(p->maps), free(p->stacks), free(p->waits);
  free(p->mode), free(p->exe), free(p->cmdline);
  ub_sym_free(p);
}
