/*
 * symbolize.c - the pcs of a profile's stacks as functions and file:line.
 *
 * We do not read DWARF: binutils' addr2line does, once per module with
 * every address of that module on its command line (posix_spawnp, no
 * shell, so a path may hold any byte).  What we do ourselves is the
 * arithmetic addr2line needs and the fallback when it has nothing; the
 * ELF reading for both is elfsym.c's:
 *
 * - A pc is a return address, so we look up pc - 1, which lies inside the
 *   call instruction: the right line, and the right map and function even
 *   when the call is the last instruction of a noreturn path.
 * - A `map` record puts pc at file offset pc - start + off of its path;
 *   the PT_LOAD segment holding that offset gives the ELF vaddr.
 * - addr2line prints "??" for a function it cannot name (Debian strips
 *   its binaries).  We then look in the module's symbol table for the
 *   function enclosing the address: "name+0xoff", the offset being that
 *   of the return address, as gdb prints it.
 * - With -i, addr2line prints the inlined functions at an address
 *   innermost first; each becomes a frame of its own, flagged inlined.
 *
 * A pc in no map, or in a module that is not native ELF, keeps one
 * unnamed frame: the pc, or the module and offset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elfsym.h"
#include "symbolize.h"

extern char **environ;

/* Addresses per addr2line run: far below ARG_MAX at 19 bytes each. */
#define BATCH 4096
/* Inlined levels kept per address. */
#define MAX_INLINE 32

struct chunk {
  struct chunk *next;
  size_t used, cap;
  char data[];
};

/* One distinct pc of the profile, and what it symbolised to. */
struct pcinfo {
  uint64_t pc;
  int mod; /* -1: in no map */
  bool has_va;
  uint64_t va; /* ELF vaddr of pc - 1 */
  struct ub_frame *fr;
  size_t nfr;
};

static bool no_addr2line;

/* A copy of s[0..n) that lives as long as the profile. */
static const char *pool_str(struct ub_profile *p, const char *s, size_t n)
{
  struct chunk *c = p->sym_pool;
  if (c == NULL || c->cap - c->used < n + 1) {
    size_t cap = n + 1 > 16384 ? n + 1 : 16384;
    struct chunk *nc = malloc(sizeof(*nc) + cap);
    if (nc == NULL)
      return NULL;
    nc->next = c, nc->used = 0, nc->cap = cap;
    p->sym_pool = c = nc;
  }
  char *d = c->data + c->used;
  memcpy(d, s, n);
  d[n] = '\0';
  c->used += n + 1;
  return d;
}

/* Run addr2line on n vaddrs of module path; *out gets its stdout.
 * Returns 0, -ENOENT when there is no addr2line, or another -errno. */
static int run_addr2line(const char *path, const uint64_t *va, size_t n,
                         char **out, size_t *outlen)
{
  char **argv = calloc(n + 9, sizeof(*argv));
  char *addrs = malloc(n * 20 + 1), *dotpath = NULL;
  int fds[2] = {-1, -1}, err = -ENOMEM, status = 0;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  FILE *mem = open_memstream(out, outlen);
  if (argv == NULL || addrs == NULL || mem == NULL)
    goto done;
  /* A path not starting with '/' could read as an option or, with '@',
   * as a response file. */
  if (path[0] != '/' && asprintf(&dotpath, "./%s", path) < 0)
    goto done;
  size_t k = 0;
  argv[k++] = "addr2line", argv[k++] = "-e";
  argv[k++] = dotpath ? dotpath : (char *)path;
  argv[k++] = "-a", argv[k++] = "-f", argv[k++] = "-C", argv[k++] = "-i";
  for (size_t i = 0; i < n; i++) {
    argv[k++] = addrs + i * 20;
    snprintf(addrs + i * 20, 20, "0x%" PRIx64, va[i]);
  }
  if (pipe2(fds, O_CLOEXEC) != 0) {
    err = -errno;
    goto done;
  }
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  err = -posix_spawnp(&pid, "addr2line", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(fds[1]);
  if (err != 0)
    goto done;
  char buf[65536];
  ssize_t r;
  while ((r = read(fds[0], buf, sizeof(buf))) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    fwrite(buf, 1, (size_t)r, mem);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  /* 127: a libc whose posix_spawnp cannot report a failed exec. */
  err = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : 0;
done:
  if (fds[0] >= 0)
    close(fds[0]);
  if (mem != NULL)
    fclose(mem);
  free(argv);
  free(addrs);
  free(dotpath);
  return err;
}

static bool is_addr_line(const char *s)
{
  return s[0] == '0' && s[1] == 'x' && s[2] != '\0' &&
         strspn(s + 2, "0123456789abcdef") == strlen(s + 2);
}

/* Add a function/"file:line" pair of addr2line's to pc's frames. */
static int add_pair(struct ub_profile *p, struct pcinfo *pc, const char *fn,
                    char *loc)
{
  if (pc->nfr == MAX_INLINE)
    return 0;
  struct ub_frame *fr = realloc(pc->fr, (pc->nfr + 1) * sizeof(*fr));
  if (fr == NULL)
    return -ENOMEM;
  pc->fr = fr;
  struct ub_frame *f = &fr[pc->nfr++];
  memset(f, 0, sizeof(*f));
  char *d = strstr(loc, " (discriminator ");
  if (d != NULL)
    *d = '\0';
  char *colon = strrchr(loc, ':'), *end;
  unsigned long line = colon ? strtoul(colon + 1, &end, 10) : 0;
  if (colon != NULL && colon != loc && line > 0 && line <= UINT32_MAX &&
      *end == '\0' && strncmp(loc, "??:", 3) != 0) {
    f->file = pool_str(p, loc, (size_t)(colon - loc));
    f->line = (unsigned)line;
  }
  if (strcmp(fn, "??") != 0)
    f->func = pool_str(p, fn, strlen(fn));
  return 0;
}

/* Parse addr2line's output for the addresses of pcs[0..n): each is an
 * "0x..." line, then function and location lines, innermost first. */
static int parse_output(struct ub_profile *p, struct pcinfo **pcs, size_t n,
                        char *out)
{
  size_t idx = 0;
  bool started = false;
  const char *fn = NULL;
  for (char *line = out, *nl; line != NULL && *line != '\0'; line = nl) {
    nl = strchr(line, '\n');
    if (nl != NULL)
      *nl++ = '\0';
    if (is_addr_line(line)) {
      if (started && ++idx == n)
        break;
      started = true, fn = NULL;
    } else if (started && fn == NULL) {
      fn = line;
    } else if (started) {
      if (add_pair(p, pcs[idx], fn, line) != 0)
        return -ENOMEM;
      fn = NULL;
    }
  }
  return 0;
}

static int symbolize_module(struct ub_profile *p, struct ub_module *m,
                            struct pcinfo **pcs, size_t n)
{
  for (size_t b = 0; b < n && !no_addr2line; b += BATCH) {
    size_t k = n - b < BATCH ? n - b : BATCH;
    uint64_t *va = malloc(k * sizeof(*va));
    char *out = NULL;
    size_t len = 0;
    if (va == NULL)
      return -ENOMEM;
    for (size_t i = 0; i < k; i++)
      va[i] = pcs[b + i]->va;
    int err = run_addr2line(m->path, va, k, &out, &len);
    free(va);
    if (err == -ENOENT) {
      fprintf(stderr, "unblock report: addr2line not found (binutils): "
                      "no file:line\n");
      no_addr2line = true;
    } else if (err == 0 && out != NULL) {
      err = parse_output(p, pcs + b, k, out);
    }
    free(out);
    if (err == -ENOMEM)
      return err;
  }
  /* Without a line, addr2line names the nearest symbol below the address,
   * however far below: in a stripped binary that is an exported function
   * that ends long before the static one the pc is in.  So a frame with
   * no line takes its name and offset from a symbol that encloses it, if
   * one does, and else stays nameless.  addr2line's name, demangled, is
   * kept when there is such a symbol. */
  for (size_t i = 0; i < n; i++) {
    struct pcinfo *pc = pcs[i];
    if (pc->nfr == 0 && add_pair(p, pc, "??", "??:0") != 0)
      return -ENOMEM;
    struct ub_frame *f = &pc->fr[0];
    if (pc->nfr > 1 || f->line != 0)
      continue;
    const struct ub_elfsym *s = ub_elfsym_find(m, pc->va);
    if (s == NULL) {
      f->func = NULL;
      continue;
    }
    f->func = f->func ? f->func : pool_str(p, s->name, strlen(s->name));
    f->has_off = true, f->off = pc->va + 1 - s->value;
  }
  return 0;
}

static const struct ub_map *find_map(const struct ub_profile *p, uint64_t q)
{
  size_t i = ub_elfsym_upto(p->maps, p->nmaps, sizeof(*p->maps), q);
  return i > 0 && q < p->maps[i - 1].end ? &p->maps[i - 1] : NULL;
}

/* Every pc of every stack is in pcs. */
static struct pcinfo *find_pc(struct pcinfo *pcs, size_t n, uint64_t pc)
{
  return &pcs[ub_elfsym_upto(pcs, n, sizeof(*pcs), pc) - 1];
}

/* Give each pc its module and vaddr, and each module's pcs their names. */
static int symbolize_pcs(struct ub_profile *p, struct pcinfo *pcs, size_t n,
                         struct ub_module *mods, size_t *nmods,
                         struct pcinfo **list)
{
  for (size_t i = 0; i < n; i++) {
    struct pcinfo *pc = &pcs[i];
    const struct ub_map *map = pc->pc ? find_map(p, pc->pc - 1) : NULL;
    pc->mod = -1;
    if (map == NULL)
      continue;
    size_t j = 0;
    while (j < *nmods && strcmp(mods[j].path, map->path) != 0)
      j++;
    if (j == *nmods)
      mods[(*nmods)++] = (struct ub_module){.path = map->path};
    if (!mods[j].loaded)
      ub_elfsym_load(&mods[j]);
    pc->mod = (int)j;
    pc->va = pc->pc - 1 - map->start + map->off; /* the file offset */
    pc->has_va = ub_elfsym_vaddr(&mods[j], pc->va, &pc->va);
  }
  for (size_t j = 0; j < *nmods; j++) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (pcs[i].mod == (int)j && pcs[i].has_va)
        list[k++] = &pcs[i];
    if (k > 0 && symbolize_module(p, &mods[j], list, k) != 0)
      return -ENOMEM;
  }
  /* What has no vaddr is one nameless frame: a module offset or a pc. */
  for (size_t i = 0; i < n; i++) {
    struct pcinfo *pc = &pcs[i];
    if (pc->nfr > 0)
      continue;
    if ((pc->fr = calloc(1, sizeof(*pc->fr))) == NULL)
      return -ENOMEM;
    pc->nfr = 1;
    pc->fr->module = pc->mod >= 0 ? mods[pc->mod].path : NULL;
    pc->fr->addr = pc->mod >= 0 ? pc->va + 1 : pc->pc;
  }
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < pcs[i].nfr; k++) {
      pcs[i].fr[k].inlined = k + 1 < pcs[i].nfr;
      if (pcs[i].has_va) {
        pcs[i].fr[k].module = mods[pcs[i].mod].path;
        pcs[i].fr[k].addr = pcs[i].va + 1;
      }
    }
  return 0;
}

int ub_sym_profile(struct ub_profile *p)
{
  size_t total = 0, n = 0, nmods = 0;
  for (size_t i = 0; i < p->nstacks; i++)
    total += p->stacks[i].npc;
  uint64_t *all = malloc(total * sizeof(*all) + 1);
  struct pcinfo *pcs = calloc(total + 1, sizeof(*pcs));
  struct pcinfo **list = malloc(total * sizeof(*list) + 1);
  struct ub_module *mods = calloc(p->nmaps + 1, sizeof(*mods));
  int err = -ENOMEM;
  if (all == NULL || pcs == NULL || list == NULL || mods == NULL)
    goto out;
  for (size_t i = 0, k = 0; i < p->nstacks; i++)
    for (size_t j = 0; j < p->stacks[i].npc; j++)
      all[k++] = p->stacks[i].pc[j];
  qsort(all, total, sizeof(*all), ub_elfsym_cmp);
  for (size_t i = 0; i < total; i++)
    if (i == 0 || all[i] != all[i - 1])
      pcs[n++].pc = all[i];
  if (p->nmaps > 1)
    qsort(p->maps, p->nmaps, sizeof(*p->maps), ub_elfsym_cmp);
  if (symbolize_pcs(p, pcs, n, mods, &nmods, list) != 0)
    goto out;
  for (size_t i = 0; i < p->nstacks; i++) {
    struct ub_stack *s = &p->stacks[i];
    size_t k = 0;
    for (size_t j = 0; j < s->npc; j++)
      k += find_pc(pcs, n, s->pc[j])->nfr;
    if ((s->frames = malloc(k * sizeof(*s->frames) + 1)) == NULL)
      goto out;
    for (size_t j = 0; j < s->npc; j++) {
      const struct pcinfo *pc = find_pc(pcs, n, s->pc[j]);
      memcpy(s->frames + s->nframes, pc->fr, pc->nfr * sizeof(*pc->fr));
      s->nframes += pc->nfr;
    }
  }
  err = 0;
out:
  for (size_t i = 0; pcs != NULL && i < n; i++)
    free(pcs[i].fr);
  for (size_t j = 0; j < nmods; j++)
    ub_elfsym_unload(&mods[j]);
  free(all);
  free(pcs);
  free(list);
  free(mods);
  return err;
}

void ub_sym_free(struct ub_profile *p)
{
  for (struct chunk *c = p->sym_pool, *next; c != NULL; c = next) {
    next = c->next;
    free(c);
  }
  p->sym_pool = NULL;
}

/* The last two components of a source path: "demos/x.c". */
static const char *short_path(const char *f)
{
  const char *s = strrchr(f, '/');
  if (s == NULL)
    return f;
  while (s > f && s[-1] != '/')
    s--;
  return s;
}

char *ub_sym_text(const struct ub_frame *f, char *buf, size_t n)
{
  int k;
  if (f->func != NULL && f->has_off)
    k = snprintf(buf, n, "%s+0x%" PRIx64, f->func, f->off);
  else if (f->func != NULL)
    k = snprintf(buf, n, "%s", f->func);
  else
    k = snprintf(buf, n, "0x%" PRIx64, f->addr);
  if (k >= 0 && (size_t)k < n) {
    if (f->file != NULL)
      snprintf(buf + k, n - k, " (%s:%u)", short_path(f->file), f->line);
    else
      snprintf(buf + k, n - k, " (%s)", f->module ? f->module : "no map");
  }
  return ub_report_clean(buf, 0, buf, n);
}

char *ub_sym_name(const struct ub_frame *f, char *buf, size_t n)
{
  const char *m = f->module ? strrchr(f->module, '/') : NULL;
  if (f->func != NULL)
    snprintf(buf, n, "%s", f->func);
  else if (f->module != NULL)
    snprintf(buf, n, "[%s]", m ? m + 1 : f->module);
  else
    snprintf(buf, n, "[unknown]");
  return ub_report_clean(buf, '_', buf, n);
}
