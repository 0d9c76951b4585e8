/*
 * elfsym.c - the ELF side of symbolising a profile: a module's file,
 * mapped read-only; its PT_LOAD segments, which turn a file offset into
 * the ELF vaddr addr2line wants; and its function symbols, the fallback
 * name when addr2line has none.  symbolize.c drives addr2line.
 *
 * - The segment holding a file offset gives the vaddr: fileoff -
 *   p_offset + p_vaddr.  That one formula serves ET_EXEC (absolute
 *   vaddrs) and ET_DYN (from 0) alike.
 * - Symbols come from .symtab, or .dynsym when there is no .symtab
 *   (Debian strips its binaries, keeping only .dynsym): the functions,
 *   sorted by address, so that the one enclosing an address is a binary
 *   search away.
 * - The file is untrusted input: every offset and size read from it is
 *   checked against the mapping before use, and anything out of bounds
 *   leaves the module without program headers or without symbols.
 *
 * Only native 64-bit little-endian ELF is read (the shim is x86_64
 * only); other modules keep unnamed frames.  A path ending in
 * " (deleted)" is tried as is, then without the suffix: the file there now
 * may be a newer one, which is the best we can do.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"

/* The n bytes at offset off of m's file, if they are all there and
 * aligned for the struct they hold; else NULL. */
static const void *at(const struct ub_module *m, uint64_t off, uint64_t n,
                      size_t align)
{
  if (off > m->size || n > m->size - off || off % align != 0)
    return NULL;
  return m->base + off;
}

/* Sorting and searching arrays of structs that begin with a uint64_t key
 * (struct ub_map, struct ub_elfsym, symbolize.c's struct pcinfo, plain
 * uint64_t). */
int ub_elfsym_cmp(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* How many of the n sorted elements have a key <= x. */
size_t ub_elfsym_upto(const void *base, size_t n, size_t size, uint64_t x)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (*(const uint64_t *)((const char *)base + mid * size) <= x)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* Open path read-only; a deleted file's path is tried without its
 * " (deleted)" too. */
static int open_module(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  static const char del[] = " (deleted)";
  size_t n = strlen(path), dn = sizeof(del) - 1;
  if (fd < 0 && n > dn && strcmp(path + n - dn, del) == 0) {
    char *s = strndup(path, n - dn);
    if (s != NULL)
      fd = open(s, O_RDONLY | O_CLOEXEC);
    free(s);
  }
  return fd;
}

/* Map m's file and find its program headers; m->base stays NULL if it
 * is not a native ELF file we can read. */
void ub_elfsym_load(struct ub_module *m)
{
  struct stat st;
  m->loaded = true;
  if (m->path[0] == '[')
    return; /* [vdso], [vsyscall]: not files */
  int fd = open_module(m->path);
  if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
      st.st_size >= (off_t)sizeof(Elf64_Ehdr)) {
    void *b = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (b != MAP_FAILED)
      m->base = b, m->size = (size_t)st.st_size;
  }
  if (fd >= 0)
    close(fd);
  const Elf64_Ehdr *e = m->eh = (const void *)m->base;
  if (e == NULL || memcmp(e->e_ident, ELFMAG, SELFMAG) != 0 ||
      e->e_ident[EI_CLASS] != ELFCLASS64 ||
      e->e_ident[EI_DATA] != ELFDATA2LSB ||
      e->e_phentsize != sizeof(Elf64_Phdr) ||
      (m->ph = at(m, e->e_phoff, (uint64_t)e->e_phnum * sizeof(*m->ph), 8)) ==
          NULL) {
    if (m->base != NULL)
      munmap((void *)m->base, m->size);
    m->base = NULL;
  }
}

bool ub_elfsym_vaddr(const struct ub_module *m, uint64_t fileoff, uint64_t *va)
{
  for (size_t i = 0; m->base != NULL && i < m->eh->e_phnum; i++) {
    const Elf64_Phdr *ph = &m->ph[i];
    if (ph->p_type == PT_LOAD && fileoff >= ph->p_offset &&
        fileoff - ph->p_offset < ph->p_filesz) {
      *va = fileoff - ph->p_offset + ph->p_vaddr;
      return true;
    }
  }
  return false;
}

/* Read the function symbols of .symtab, else of .dynsym, sorted by value.
 * Anything out of bounds leaves the module without symbols. */
static void load_syms(struct ub_module *m)
{
  const Elf64_Ehdr *e = m->eh;
  const Elf64_Shdr *sh = at(m, e->e_shoff, sizeof(*sh), 8), *tab = NULL;
  /* Past SHN_LORESERVE sections, e_shnum is 0 and shdr 0 has the count. */
  uint64_t shnum = e->e_shnum ? e->e_shnum : sh ? sh->sh_size : 0;
  m->syms_loaded = true;
  if (e->e_shoff == 0 || e->e_shentsize != sizeof(*sh) ||
      shnum > m->size / sizeof(*sh) ||
      at(m, e->e_shoff, shnum * sizeof(*sh), 8) == NULL)
    return;
  for (size_t i = 0; i < shnum; i++)
    if (sh[i].sh_type == SHT_SYMTAB ||
        (sh[i].sh_type == SHT_DYNSYM && tab == NULL))
      tab = &sh[i];
  if (tab == NULL || tab->sh_link >= shnum)
    return;
  const Elf64_Shdr *str = &sh[tab->sh_link];
  const Elf64_Sym *syms = at(m, tab->sh_offset, tab->sh_size, 8);
  const char *names = at(m, str->sh_offset, str->sh_size, 1);
  size_t n = tab->sh_size / sizeof(*syms);
  if (syms == NULL || names == NULL || str->sh_type != SHT_STRTAB ||
      (m->syms = malloc(n * sizeof(*m->syms) + 1)) == NULL)
    return;
  for (size_t i = 0; i < n; i++) {
    const Elf64_Sym *s = &syms[i];
    int type = ELF64_ST_TYPE(s->st_info);
    /* The name must end inside the string table. */
    if ((type == STT_FUNC || type == STT_GNU_IFUNC) &&
        s->st_shndx != SHN_UNDEF && s->st_value != 0 &&
        s->st_name < str->sh_size && names[s->st_name] != '\0' &&
        memchr(names + s->st_name, 0, str->sh_size - s->st_name) != NULL)
      m->syms[m->nsyms++] =
          (struct ub_elfsym){s->st_value, s->st_size, names + s->st_name};
  }
  if (m->nsyms > 1)
    qsort(m->syms, m->nsyms, sizeof(*m->syms), ub_elfsym_cmp);
}

/* The function symbol enclosing va: the last one starting at or below it,
 * if its size covers va (a size of 0, as in hand-written assembly, is
 * taken on trust). */
const struct ub_elfsym *ub_elfsym_find(struct ub_module *m, uint64_t va)
{
  if (!m->syms_loaded)
    load_syms(m);
  size_t lo = ub_elfsym_upto(m->syms, m->nsyms, sizeof(*m->syms), va);
  if (lo == 0)
    return NULL;
  const struct ub_elfsym *s = &m->syms[lo - 1];
  return s->size == 0 || va - s->value < s->size ? s : NULL;
}

void ub_elfsym_unload(struct ub_module *m)
{
  if (m->base != NULL)
    munmap((void *)m->base, m->size);
  free(m->syms);
}
