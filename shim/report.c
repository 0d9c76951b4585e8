/*
 * report.c - `unblock report`: the options, reading and checking a
 * profile (format version 1, docs/profiling.md), merging its wait records
 * into rows, and the table.  symbolize.c names the pcs; flame.c draws the
 * folded stacks and the SVG.
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
 * Two wait records whose kind, function, fd and symbolised stack are the
 * same become one row: distinct pcs can symbolise alike (frames the
 * symboliser cannot tell apart, or one call site reached through
 * different return addresses that fold away), and the reader asked about
 * code, not addresses.  The p99 column comes from a log2 histogram, so it
 * is only an upper bound, which the table says.
 *
 * Exit status: 0; 1 for a bad file; 2 for a bad option.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "profile_read.h"
#include "report.h"
#include "symbolize.h"

#define VERSION 1
#define MAX_PCS 64     /* 16 today */
#define MAX_BUCKETS 64 /* 24 today */
#define OPTIONS "--folded, --svg OUT.svg, --quiet, --top N, --stacks N, --help"

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
#define usage_error(...) (say(NULL, 0, __VA_ARGS__), 2)

/* A number in base 10, or 16 with its "0x": digits only, no sign, no
 * blanks, and no overflow. */
static bool num(const char *s, int base, uint64_t *v)
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
    if (!num(item, base, &a[i])) {
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
  if (!num(f[3], 10, &id) || id > UINT_MAX || !num(f[4], 10, &w->count) ||
      !num(f[5], 10, &w->total) || !num(f[6], 10, &w->max))
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
  if (!num(f[0], 10, &id) || id == 0 || id > UINT_MAX)
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
  if (!num(f[0], 16, &m.start) || !num(f[1], 16, &m.end) ||
      !num(f[2], 16, &m.off) || m.start >= m.end || f[3][0] == '\0')
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
    if (strcmp(f[0], "log2us") != 0 || !num(f[1], 10, &v) || v == 0 ||
        v > MAX_BUCKETS)
      return bad(p, r->line,
                 "histogram record: expected log2us and 1 to "
                 "%d buckets",
                 MAX_BUCKETS);
    p->nbuckets = v;
  } else if (strcmp(line, "end") == 0) {
    if (!num(f[0], 10, &r->end_stacks) || !num(f[1], 10, &r->end_waits))
      return bad(p, r->line, "end record: expected two decimal counts");
  } else {
    if (!num(f[0], 10, &v) || (strcmp(line, "pid") == 0 && v > INT_MAX))
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
      !num(f[1], 10, &v) || v == 0)
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

static int read_profile(struct ub_profile *p, FILE *in)
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

static int cmp_key(const void *a, const void *b)
{
  return strcmp(((const struct ub_wait *)a)->key,
                ((const struct ub_wait *)b)->key);
}

static int cmp_total(const void *a, const void *b)
{
  const struct ub_wait *x = a, *y = b;
  if (x->total != y->total)
    return x->total > y->total ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp(x->key, y->key);
}

static void free_wait(struct ub_wait *w)
{
  free(w->kind), free(w->function), free(w->fd), free(w->hist), free(w->key);
}

/* Merge the waits whose kind, function, fd and symbolised stack are the
 * same, then sort them by total, descending. */
static int merge_rows(struct ub_profile *p)
{
  char text[1024];
  for (size_t i = 0; i < p->nwaits; i++) {
    struct ub_wait *w = &p->waits[i];
    size_t len;
    FILE *m = open_memstream(&w->key, &len);
    if (m == NULL)
      return -ENOMEM;
    fprintf(m, "%s\t%s\t%s\n", w->kind, w->function, w->fd);
    for (size_t k = 0; w->stack != NULL && k < w->stack->nframes; k++)
      fprintf(m, "%s%s\n", ub_sym_text(&w->stack->frames[k], text, 1024),
              w->stack->frames[k].inlined ? " [inlined]" : "");
    if (fclose(m) != 0)
      return -ENOMEM;
  }
  if (p->nwaits > 1)
    qsort(p->waits, p->nwaits, sizeof(*p->waits), cmp_key);
  size_t n = 0;
  for (size_t i = 0; i < p->nwaits; i++) {
    struct ub_wait *w = &p->waits[i], *to = &p->waits[n - (n > 0)];
    if (n == 0 || strcmp(w->key, to->key) != 0) {
      p->waits[n++] = *w;
      continue;
    }
    to->count += w->count, to->total += w->total;
    to->max = w->max > to->max ? w->max : to->max;
    for (size_t b = 0; b < p->nbuckets; b++)
      to->hist[b] += w->hist[b];
    free_wait(w);
  }
  p->nwaits = n;
  if (p->nwaits > 1)
    qsort(p->waits, p->nwaits, sizeof(*p->waits), cmp_total);
  return 0;
}

/* The top of the histogram bucket holding the 99th percentile, capped at
 * max: an upper bound, exact only to a factor of two. */
static uint64_t p99(const struct ub_wait *w, size_t nb)
{
  uint64_t sum = 0, cum = 0;
  for (size_t i = 0; i < nb; i++)
    sum += w->hist[i];
  for (size_t i = 0; i < nb && sum > 0; i++) {
    cum += w->hist[i];
    if (cum >= sum - sum / 100) {
      uint64_t top =
          i + 1 >= 54 || i + 1 == nb ? UINT64_MAX : (UINT64_C(1000) << (i + 1));
      return top < w->max ? top : w->max;
    }
  }
  return w->max;
}

enum { RANK, TOTAL, SHARE, COUNT, MEAN, P99, MAX, KIND, FUNC, SITE, FD, NCOL };
#define CELL 512

static void cells(const struct ub_profile *p, size_t i, uint64_t all,
                  char c[NCOL][CELL])
{
  const struct ub_wait *w = &p->waits[i];
  snprintf(c[RANK], CELL, "%zu", i + 1);
  ub_report_dur(w->total, c[TOTAL], CELL);
  snprintf(c[SHARE], CELL, "%.1f%%", all ? 100.0 * w->total / all : 0.0);
  snprintf(c[COUNT], CELL, "%" PRIu64, w->count);
  ub_report_dur(w->count ? w->total / w->count : 0, c[MEAN], CELL);
  ub_report_dur(p99(w, p->nbuckets), c[P99], CELL);
  ub_report_dur(w->max, c[MAX], CELL);
  ub_report_clean(w->kind, 0, c[KIND], CELL);
  ub_report_clean(w->function, 0, c[FUNC], CELL);
  if (w->stack != NULL && w->stack->nframes > 0)
    ub_sym_text(&w->stack->frames[0], c[SITE], CELL);
  else
    snprintf(c[SITE], CELL, "(no stack)");
  ub_report_clean(w->fd, 0, c[FD], CELL);
}

static void print_table(const struct ub_profile *p, size_t rows, uint64_t all)
{
  static const char *const head[NCOL] = {
      "#",   "total", "share",    "count",     "mean", "p99<=",
      "max", "kind",  "function", "call site", "fd"};
  char c[NCOL][CELL];
  int width[NCOL];
  for (int k = 0; k < NCOL; k++)
    width[k] = (int)strlen(head[k]);
  for (size_t i = 0; i < rows; i++) {
    cells(p, i, all, c);
    for (int k = 0; k < NCOL; k++)
      if ((int)strlen(c[k]) > width[k])
        width[k] = (int)strlen(c[k]);
  }
  for (size_t i = 0; i <= rows; i++) {
    if (i > 0)
      cells(p, i - 1, all, c);
    for (int k = 0; k < NCOL; k++) {
      const char *s = i == 0 ? head[k] : c[k];
      if (k == NCOL - 1)
        printf("%s\n", s);
      else
        printf("%*s  ", k < KIND ? width[k] : -width[k], s);
    }
  }
  printf("\np99<= is an upper bound: the top of the histogram bucket (a "
         "power of two\nof microseconds) that holds the 99th percentile, "
         "capped at max.\n");
}

static void print_stacks(const struct ub_profile *p, size_t rows)
{
  char a[64], b[CELL], c[CELL], d[CELL];
  printf("\nstacks of the top %zu row%s, innermost call first:\n", rows,
         rows == 1 ? "" : "s");
  for (size_t i = 0; i < rows; i++) {
    const struct ub_wait *w = &p->waits[i];
    printf("\n#%zu  %s in %" PRIu64 " wait%s: %s (%s)", i + 1,
           ub_report_dur(w->total, a, sizeof(a)), w->count,
           w->count == 1 ? "" : "s", ub_report_clean(w->function, 0, b, CELL),
           ub_report_clean(w->kind, 0, c, CELL));
    printf(strcmp(w->fd, "-") ? " on %s\n" : "\n",
           ub_report_clean(w->fd, 0, d, CELL));
    for (size_t k = 0; w->stack != NULL && k < w->stack->nframes; k++)
      printf("    %s%s\n", ub_sym_text(&w->stack->frames[k], b, CELL),
             w->stack->frames[k].inlined ? " [inlined]" : "");
    if (w->stack == NULL)
      printf("    (no stack captured)\n");
  }
}

static void print_report(const struct ub_profile *p, size_t top, size_t stacks)
{
  uint64_t all = 0, calls = 0;
  char a[64], b[CELL];
  for (size_t i = 0; i < p->nwaits; i++)
    all += p->waits[i].total, calls += p->waits[i].count;
  printf("profile   %s\n", ub_report_clean(p->file, 0, b, CELL));
  printf(p->pid > 0 ? "pid       %ld\n" : "pid       ?\n", p->pid);
  printf("program   %s", ub_report_clean(p->exe ? p->exe : "?", 0, b, CELL));
  printf(p->cmdline ? " (%s)\n" : "\n",
         ub_report_clean(p->cmdline ? p->cmdline : "", 0, b, CELL));
  printf("mode      %s\n", ub_report_clean(p->mode ? p->mode : "?", 0, b, 64));
  printf(p->has_elapsed ? "elapsed   %s\n" : "elapsed   ?\n",
         ub_report_dur(p->elapsed_ns, a, sizeof(a)));
  printf("waits     %" PRIu64 " (%s in all, %zu row%s)\n", calls,
         ub_report_dur(all, a, sizeof(a)), p->nwaits,
         p->nwaits == 1 ? "" : "s");
  if (p->dropped != 0)
    printf("dropped   %" PRIu64 " waits not recorded: a table was full\n",
           p->dropped);
  size_t rows = top < p->nwaits ? top : p->nwaits;
  if (rows == 0) {
    printf("\nno waits recorded\n");
    return;
  }
  printf("\n");
  print_table(p, rows, all);
  if (stacks > 0)
    print_stacks(p, stacks < rows ? stacks : rows);
}

const char *ub_report_dur(uint64_t ns, char *buf, size_t n)
{
  static const struct {
    double ns;
    const char *unit;
  } u[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}};
  for (size_t k = 0; k < 3; k++) {
    double v = (double)ns / u[k].ns;
    if (v >= 1) {
      snprintf(buf, n,
               v < 9.995   ? "%.2f %s"
               : v < 99.95 ? "%.1f %s"
                           : "%.0f %s",
               v, u[k].unit);
      return buf;
    }
  }
  snprintf(buf, n, "%" PRIu64 " ns", ns);
  return buf;
}

char *ub_report_clean(const char *s, char semi, char *buf, size_t n)
{
  size_t i = 0;
  for (; n > 0 && s[i] != '\0' && i + 1 < n; i++) {
    unsigned char c = (unsigned char)s[i];
    buf[i] = c < 0x20 || c == 0x7f ? '?' : c == ';' && semi ? semi : (char)c;
  }
  if (n > 0)
    buf[i] = '\0';
  return buf;
}

void ub_profile_free(struct ub_profile *p)
{
  for (size_t i = 0; i < p->nmaps; i++)
    free(p->maps[i].path);
  for (size_t i = 0; i < p->nstacks; i++)
    free(p->stacks[i].pc), free(p->stacks[i].frames);
  for (size_t i = 0; i < p->nwaits; i++)
    free_wait(&p->waits[i]);
  free(p->maps), free(p->stacks), free(p->waits);
  free(p->mode), free(p->exe), free(p->cmdline);
  ub_sym_free(p);
}

static void usage(FILE *f)
{
  fputs("usage: unblock report [options] FILE\n"
        "Print the waits recorded in FILE, a profile written by "
        "libunblock.so: a table\nsorted by total wait time, each call site "
        "named with file:line where debug\ninfo exists (binutils' "
        "addr2line), then the stacks of the top rows.\nFILE - reads standard "
        "input.\n"
        "\n"
        "options:\n"
        "  --folded       print folded stacks instead (flamegraph.pl's "
        "input): one line\n"
        "                 \"PROGRAM;outer;...;inner;FUNCTION [KIND FD] "
        "MICROSECONDS\"\n"
        "  --svg OUT.svg  also write a flame graph to OUT.svg (callers at "
        "the bottom,\n"
        "                 width = time waited); the table is still printed\n"
        "  --quiet        print nothing on standard output (for --svg)\n"
        "  --top N        print only the N rows with the most wait time "
        "(all)\n"
        "  --stacks N     print the stacks of the first N rows, 0 for none "
        "(10)\n"
        "  --help         print this help and exit\n"
        "\n"
        "exit status: 0; 1 if FILE is not a readable, complete profile or "
        "OUT.svg\ncannot be written; 2 for a bad option.\n",
        f);
}

static bool rows_arg(const char *v, uint64_t min, size_t *out)
{
  uint64_t x;
  if (!num(v, 10, &x) || x < min || x > 1000000000)
    return false;
  *out = (size_t)x;
  return true;
}

/* Write the SVG to path: 0, or 1 with the error said. */
static int write_svg(const struct ub_profile *p, const char *path)
{
  FILE *o = fopen(path, "w");
  int err = o ? ub_flame_svg(p, o) : -errno;
  if (o != NULL && (ferror(o) | fclose(o)) && err == 0)
    err = -EIO;
  if (err == 0)
    return 0;
  fprintf(stderr, "unblock report: %s: %s\n", path, strerror(-err));
  return 1;
}

static int report(const char *file, bool folded, bool quiet, const char *svg,
                  size_t top, size_t stacks)
{
  struct ub_profile p = {.file = file};
  bool is_stdin = strcmp(file, "-") == 0;
  FILE *in = is_stdin ? stdin : fopen(file, "r");
  if (in == NULL) {
    fprintf(stderr, "unblock report: %s: %s\n", file, strerror(errno));
    return 1;
  }
  int err = read_profile(&p, in);
  if (!is_stdin)
    fclose(in);
  if (err == 0 && (ub_sym_profile(&p) != 0 || merge_rows(&p) != 0)) {
    fprintf(stderr, "unblock report: out of memory\n");
    err = -ENOMEM;
  }
  int status = err != 0 ? 1 : svg ? write_svg(&p, svg) : 0;
  if (status == 0 && !quiet) {
    if (folded)
      status = ub_flame_folded(&p, stdout) != 0;
    else
      print_report(&p, top, stacks);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      fprintf(stderr, "unblock report: standard output: %s\n", strerror(errno));
      status = 1;
    }
  }
  ub_profile_free(&p);
  return status;
}

int ub_report_main(int argc, char **argv)
{
  static const struct option opts[] = {{"folded", no_argument, NULL, 'f'},
                                       {"svg", required_argument, NULL, 's'},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"top", required_argument, NULL, 't'},
                                       {"stacks", required_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  bool folded = false, quiet = false;
  const char *svg = NULL;
  size_t top = SIZE_MAX, stacks = 10;
  int c;
  opterr = 0; /* our messages name what is accepted */
  while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
    const char *a = argv[optind - 1];
    switch (c) {
    case 'f': folded = true; break;
    case 'q': quiet = true; break;
    case 'h': usage(stdout); return 0;
    case 's':
      if (optarg[0] == '\0')
        return usage_error("--svg needs a file name");
      svg = optarg;
      break;
    case 't':
    case 'k':
      if (!rows_arg(optarg, c == 't', c == 't' ? &top : &stacks))
        return usage_error("--%s '%s' is not valid; expected a number of "
                           "rows from %d to 1000000000",
                           c == 't' ? "top" : "stacks", optarg, c == 't');
      break;
    case ':': return usage_error("%s needs a value", a);
    default: /* '?': optopt is the option's value, if it has one */
      if (optopt != 0 && strchr("fstkqh", optopt) && a[1] == '-')
        return usage_error("%s: this option takes no value", a);
      if (optopt != 0)
        return usage_error("unknown option '-%c'; options: " OPTIONS, optopt);
      return usage_error("unknown option '%s'; options: " OPTIONS, a);
    }
  }
  if (optind == argc)
    return usage_error("no profile file given; usage: unblock report "
                       "[options] FILE");
  if (optind + 1 < argc)
    return usage_error("one profile file expected, got '%s' and '%s'",
                       argv[optind], argv[optind + 1]);
  return report(argv[optind], folded, quiet, svg, top, stacks);
}
