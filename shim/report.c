/*
 * report.c - `unblock report`: the options, merging a profile's wait
 * records into rows, and the table.  profile_read.c reads and checks the
 * file (format version 1, docs/profiling.md); symbolize.c names the pcs;
 * flame.c draws the folded stacks and the SVG.
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
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "profile_read.h"
#include "report.h"
#include "symbolize.h"

#define OPTIONS "--folded, --svg OUT.svg, --quiet, --top N, --stacks N, --help"

/* "unblock report: message" on stderr; returns 2, the status of a bad
 * option.  The reader says its own errors, naming the file and line. */
static int usage_error(const char *fmt, ...)
{
  va_list ap;
  fputs("unblock report: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return 2;
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
    ub_profile_free_wait(w);
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
  ub_dur_text(w->total, c[TOTAL], CELL);
  snprintf(c[SHARE], CELL, "%.1f%%", all ? 100.0 * w->total / all : 0.0);
  snprintf(c[COUNT], CELL, "%" PRIu64, w->count);
  ub_dur_text(w->count ? w->total / w->count : 0, c[MEAN], CELL);
  ub_dur_text(p99(w, p->nbuckets), c[P99], CELL);
  ub_dur_text(w->max, c[MAX], CELL);
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
           ub_dur_text(w->total, a, sizeof(a)), w->count,
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
         ub_dur_text(p->elapsed_ns, a, sizeof(a)));
  printf("waits     %" PRIu64 " (%s in all, %zu row%s)\n", calls,
         ub_dur_text(all, a, sizeof(a)), p->nwaits, p->nwaits == 1 ? "" : "s");
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
  if (!ub_profile_num(v, 10, &x) || x < min || x > 1000000000)
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
  int err = ub_profile_read(&p, in);
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
