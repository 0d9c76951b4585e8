/*
 * elfsym.h - the ELF files of a profile's map records, for symbolize.c
 * (elfsym.c): each module's program headers turn a file offset into an
 * ELF vaddr, and its function symbols name an address addr2line cannot.
 *
 * A struct ub_module starts zeroed with only its path set.  ub_elfsym_load
 * maps the file once; base stays NULL when it is not native ELF, and then
 * nothing is found in it.  The symbol names point into the mapping, so
 * they live until ub_elfsym_unload.
 */
#ifndef UB_ELFSYM_H
#define UB_ELFSYM_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A function symbol: it starts at the ELF vaddr value and is size bytes
 * long (0: unknown, as in hand-written assembly). */
struct ub_elfsym {
  uint64_t value, size;
  const char *name;
};

struct ub_module {
  const char *path;          /* as in the map record */
  const unsigned char *base; /* the file, mapped; NULL if not native ELF */
  size_t size;
  const Elf64_Ehdr *eh;
  const Elf64_Phdr *ph;
  bool loaded, syms_loaded;
  struct ub_elfsym *syms; /* sorted by value */
  size_t nsyms;
};

/* Map m's file and find its program headers; sets m->loaded. */
void ub_elfsym_load(struct ub_module *m);

/* The ELF vaddr of file offset fileoff of m, from the PT_LOAD segment
 * holding it: true, or false when no segment does. */
bool ub_elfsym_vaddr(const struct ub_module *m, uint64_t fileoff, uint64_t *va);

/* The function symbol of m enclosing va, reading the symbols the first
 * time; NULL when there is none. */
const struct ub_elfsym *ub_elfsym_find(struct ub_module *m, uint64_t va);

/* Unmap m's file and free its symbols. */
void ub_elfsym_unload(struct ub_module *m);

/* Sorting and searching arrays of structs that begin with a uint64_t key
 * (struct ub_elfsym, and symbolize.c's maps, pcs and plain uint64_t):
 * a qsort comparison, and how many of the n sorted elements of the given
 * size have a key <= x. */
int ub_elfsym_cmp(const void *a, const void *b);
size_t ub_elfsym_upto(const void *base, size_t n, size_t size, uint64_t x);

#endif
