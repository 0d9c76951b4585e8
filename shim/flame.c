/*
 * flame.c - the merged rows of a profile as folded stacks (the input of
 * Brendan Gregg's flamegraph.pl and of speedscope) and as our own SVG
 * flame graph, so that no Perl or browser fetch is needed.
 *
 * A row becomes the frames PROGRAM;outermost;...;innermost;LEAF, where
 * the leaf is the hooked call, "read [read TCP 127.0.0.1:8080 <- ...]"
 * (function, then kind and fd).  A frame is named by its function alone,
 * not its line, so that the calls of one function add up; one without a
 * name is "[module]".  ';' is the separator of the format, so a ';' in a
 * name becomes '_', and control bytes '?'.  Rows whose frames have the
 * same names are one line, the sum of their times.
 *
 * The SVG is a classic flame graph: the program at the bottom, callers
 * below callees, width proportional to time waited, siblings in
 * alphabetical order.  Every frame has a <title> tooltip; there is no
 * script.  Text is XML-escaped and any byte that is not valid UTF-8
 * becomes '?', since paths and names in a profile are arbitrary bytes
 * and an XML parser refuses a whole document for one bad byte.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flame.h"
#include "symbolize.h"

#define NAME 512
#define WIDTH 1200 /* of the image, px */
#define PAD 10     /* left and right margins */
#define FH 16      /* frame height */
#define TOP 60     /* title and subtitle */
#define CHAR_W 7.1 /* of 12px Verdana, roughly */

struct node {
  char *name;
  const char *kind; /* a leaf's: the hooked call's kind */
  uint64_t ns, count;
  struct node **kids;
  size_t nkids;
};

struct folded {
  char *s;
  uint64_t ns, count;
};

/* The time a row stands for; a row that waited less than a nanosecond in
 * all still counts, or it would vanish. */
static uint64_t weight(const struct ub_wait *w)
{
  return w->total > 0 ? w->total : w->count > 0;
}

/* The frames of w, outermost first, as n new strings in *out. */
static int row_names(const struct ub_profile *p, const struct ub_wait *w,
                     char ***out, size_t *n)
{
  size_t nf = w->stack != NULL ? w->stack->nframes : 0;
  char **v = calloc(nf + 2, sizeof(*v)), buf[NAME];
  const char *exe = p->exe ? strrchr(p->exe, '/') : NULL;
  *out = v, *n = 0;
  if (v == NULL)
    return -ENOMEM;
  exe = exe ? exe + 1 : p->exe ? p->exe : "?";
  v[(*n)++] = strdup(ub_report_clean(exe, '_', buf, NAME));
  for (size_t k = nf; k-- > 0;)
    v[(*n)++] = strdup(ub_sym_name(&w->stack->frames[k], buf, NAME));
  bool fd = strcmp(w->fd, "-") != 0;
  snprintf(buf, NAME, "%s [%s%s%s]", w->function, w->kind, fd ? " " : "",
           fd ? w->fd : "");
  v[(*n)++] = strdup(ub_report_clean(buf, '_', buf, NAME));
  for (size_t k = 0; k < *n; k++)
    if (v[k] == NULL)
      return -ENOMEM;
  return 0;
}

static void free_names(char **v, size_t n)
{
  for (size_t k = 0; v != NULL && k < n; k++)
    free(v[k]);
  free(v);
}

static int cmp_folded(const void *a, const void *b)
{
  return strcmp(((const struct folded *)a)->s, ((const struct folded *)b)->s);
}

int ub_flame_folded(const struct ub_profile *p, FILE *out)
{
  struct folded *l = calloc(p->nwaits + 1, sizeof(*l));
  size_t n = 0, len;
  int err = l ? 0 : -ENOMEM;
  for (size_t i = 0; err == 0 && i < p->nwaits; i++) {
    const struct ub_wait *w = &p->waits[i];
    char **v;
    size_t nv;
    FILE *m;
    if (weight(w) == 0)
      continue;
    if ((err = row_names(p, w, &v, &nv)) == 0 &&
        (m = open_memstream(&l[n].s, &len)) != NULL) {
      for (size_t k = 0; k < nv; k++)
        fprintf(m, "%s%s", k ? ";" : "", v[k]);
      err = fclose(m) != 0 ? -ENOMEM : 0;
      l[n].ns = weight(w), l[n++].count = w->count;
    } else if (err == 0) {
      err = -ENOMEM;
    }
    free_names(v, nv);
  }
  qsort(l, n, sizeof(*l), cmp_folded);
  for (size_t i = 0; err == 0 && i < n; i++) {
    uint64_t ns = l[i].ns;
    while (i + 1 < n && strcmp(l[i].s, l[i + 1].s) == 0)
      ns += l[++i].ns;
    uint64_t us = (ns + 500) / 1000;
    fprintf(out, "%s %" PRIu64 "\n", l[i].s, us ? us : 1);
  }
  for (size_t i = 0; i < n; i++)
    free(l[i].s);
  free(l);
  return err;
}

/* ---- SVG ---------------------------------------------------------------- */

/* The length of the valid UTF-8 sequence at s (at most n bytes), 0 if
 * there is none: no overlong forms, surrogates or code points past
 * U+10FFFF, which XML refuses. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  size_t len = c >= 0xc2 && c <= 0xdf   ? 2
               : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4
                                        : 0;
  if (len == 0 || len > n)
    return 0;
  for (size_t i = 1; i < len; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) ||
      (c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
    return 0;
  return len;
}

static void xml_put(FILE *o, const char *str, size_t n)
{
  const unsigned char *s = (const unsigned char *)str;
  for (size_t i = 0; i < n; i++) {
    size_t len;
    if (s[i] == '&')
      fputs("&amp;", o);
    else if (s[i] == '<')
      fputs("&lt;", o);
    else if (s[i] == '>')
      fputs("&gt;", o);
    else if (s[i] == '"')
      fputs("&quot;", o);
    else if (s[i] >= 0x20 && s[i] < 0x7f)
      fputc(s[i], o);
    else if (s[i] >= 0x80 && (len = utf8_len(s + i, n - i)) > 0)
      fwrite(s + i, 1, len, o), i += len - 1;
    else
      fputc('?', o);
  }
}

static void free_tree(struct node *t)
{
  for (size_t i = 0; t != NULL && i < t->nkids; i++)
    free_tree(t->kids[i]);
  if (t != NULL)
    free(t->name), free(t->kids), free(t);
}

/* The child of t named name, added if new.  Takes name. */
static struct node *child(struct node *t, char *name)
{
  for (size_t i = 0; i < t->nkids; i++)
    if (strcmp(t->kids[i]->name, name) == 0) {
      free(name);
      return t->kids[i];
    }
  struct node **k = realloc(t->kids, (t->nkids + 1) * sizeof(*k));
  struct node *c = calloc(1, sizeof(*c));
  if (k != NULL)
    t->kids = k;
  if (k == NULL || c == NULL) {
    free(c), free(name);
    return NULL;
  }
  c->name = name;
  return t->kids[t->nkids++] = c;
}

static int cmp_node(const void *a, const void *b)
{
  return strcmp((*(struct node *const *)a)->name,
                (*(struct node *const *)b)->name);
}

/* Warm colours from a hash of the name (FNV-1a), as flamegraph.pl's
 * "hot" palette; a leaf's colour says its kind. */
static void colour(const struct node *t, char *buf, size_t n)
{
  static const struct {
    const char *kinds, *rgb;
  } by_kind[] = {
      {" read write accept connect poll ", "rgb(90,150,225)"},
      {" sleep yield ", "rgb(140,190,140)"},
      {" lock cond sem barrier join once ", "rgb(175,120,215)"},
      {" offload signal ", "rgb(80,185,185)"},
  };
  if (t->kind != NULL) {
    char k[NAME];
    snprintf(k, sizeof(k), " %s ", t->kind);
    for (size_t i = 0; i < sizeof(by_kind) / sizeof(by_kind[0]); i++)
      if (strstr(by_kind[i].kinds, k) != NULL) {
        snprintf(buf, n, "%s", by_kind[i].rgb);
        return;
      }
    snprintf(buf, n, "rgb(150,150,170)");
    return;
  }
  uint32_t h = 2166136261u;
  for (const char *s = t->name; *s != '\0'; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  snprintf(buf, n, "rgb(%u,%u,%u)", 205 + (h & 0xff) * 50 / 255,
           (h >> 8 & 0xff) * 230 / 255, (h >> 16 & 0xff) * 55 / 255);
}

static size_t depth(const struct node *t)
{
  size_t d = 0;
  for (size_t i = 0; i < t->nkids; i++) {
    size_t k = depth(t->kids[i]);
    d = k > d ? k : d;
  }
  return d + 1;
}

static void draw(FILE *o, struct node *t, double x, size_t level, double scale,
                 uint64_t all, int base)
{
  double w = (double)t->ns * scale, y = base - (double)(level + 1) * FH;
  char rgb[32], dur[32];
  if (w < 0.1)
    return; /* too thin to see, and so are its callees */
  colour(t, rgb, sizeof(rgb));
  fputs("<g><title>", o);
  xml_put(o, t->name, strlen(t->name));
  fprintf(o, ": %s, %.2f%%, %" PRIu64 " wait%s</title>",
          ub_dur_text(t->ns, dur, sizeof(dur)), 100.0 * t->ns / all, t->count,
          t->count == 1 ? "" : "s");
  fprintf(o,
          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
          "fill=\"%s\" rx=\"2\"/>",
          x, y, w, FH - 1, rgb);
  /* The label: as much of the name as fits, ".." marking a cut, which
   * backs up to the start of a UTF-8 character. */
  size_t fit = w > 6 ? (size_t)((w - 6) / CHAR_W) : 0, len = strlen(t->name);
  if (fit >= 3) {
    size_t cut = len <= fit ? len : fit - 2;
    while (cut > 0 && cut < len && (t->name[cut] & 0xc0) == 0x80)
      cut--;
    fprintf(o, "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + FH - 4.5);
    xml_put(o, t->name, cut);
    fputs(cut < len ? "..</text>" : "</text>", o);
  }
  fputs("</g>\n", o);
  if (t->nkids > 1)
    qsort(t->kids, t->nkids, sizeof(*t->kids), cmp_node);
  for (size_t i = 0; i < t->nkids; i++) {
    draw(o, t->kids[i], x, level + 1, scale, all, base);
    x += (double)t->kids[i]->ns * scale;
  }
}

/* The tree of all rows: a root with no name, above it each program. */
static int build_tree(const struct ub_profile *p, struct node *root)
{
  for (size_t i = 0; i < p->nwaits; i++) {
    const struct ub_wait *w = &p->waits[i];
    char **v;
    size_t nv;
    struct node *t = root;
    int err = weight(w) ? row_names(p, w, &v, &nv) : 1;
    if (err == 1)
      continue;
    for (size_t k = 0; err == 0 && k < nv; k++) {
      if ((t = child(t, v[k])) == NULL)
        err = -ENOMEM;
      v[k] = NULL;
      if (t != NULL)
        t->ns += weight(w), t->count += w->count;
    }
    if (t != NULL && err == 0)
      t->kind = w->kind;
    free_names(v, nv);
    if (err != 0)
      return err;
    root->ns += weight(w), root->count += w->count;
  }
  return 0;
}

int ub_flame_svg(const struct ub_profile *p, FILE *o)
{
  struct node root = {.name = ""};
  int err = build_tree(p, &root);
  size_t levels = depth(&root) - 1;
  int height = TOP + (int)levels * FH + 30;
  char title[NAME], dur[32];
  const char *exe = p->exe ? strrchr(p->exe, '/') : NULL;
  snprintf(title, sizeof(title), "unblock: off-CPU waits of %s (pid %ld)",
           exe      ? exe + 1
           : p->exe ? p->exe
                    : "?",
           p->pid);
  fprintf(o,
          "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
          "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
          "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n<title>",
          WIDTH, height, WIDTH, height);
  xml_put(o, title, strlen(title));
  fputs(" - flame graph, callers at the bottom</title>\n<style>\n"
        "text { font-family: Verdana, sans-serif; font-size: 12px; }\n"
        "text.h { font-size: 17px; text-anchor: middle; }\n"
        "text.s { fill: #555; text-anchor: middle; }\n"
        "rect { stroke: #fff; stroke-width: 0.5; }\n"
        "g:hover rect { stroke: #000; }\n</style>\n"
        "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" "
        "fill=\"#fff8ec\" stroke=\"none\"/>\n",
        o);
  fprintf(o, "<text class=\"h\" x=\"%d\" y=\"24\">", WIDTH / 2);
  xml_put(o, title, strlen(title));
  fprintf(o,
          "</text>\n<text class=\"s\" x=\"%d\" y=\"44\">flame graph: "
          "callers below callees, the waiting call on top; width is "
          "time waited (%s in %" PRIu64 " waits); hover for details"
          "</text>\n",
          WIDTH / 2, ub_dur_text(root.ns, dur, sizeof(dur)), root.count);
  if (root.ns == 0)
    fprintf(o,
            "<text class=\"s\" x=\"%d\" y=\"%d\">no waits recorded"
            "</text>\n",
            WIDTH / 2, TOP + 10);
  double scale = root.ns ? (double)(WIDTH - 2 * PAD) / (double)root.ns : 0;
  if (root.nkids > 1)
    qsort(root.kids, root.nkids, sizeof(*root.kids), cmp_node);
  double x = PAD;
  for (size_t i = 0; i < root.nkids; i++) {
    draw(o, root.kids[i], x, 0, scale, root.ns, height - 20);
    x += (double)root.kids[i]->ns * scale;
  }
  fputs("</svg>\n", o);
  for (size_t i = 0; i < root.nkids; i++)
    free_tree(root.kids[i]);
  free(root.kids);
  return err;
}
