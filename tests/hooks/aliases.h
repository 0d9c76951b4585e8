/*
 * aliases.h - for the name-lookup snippets: a lookup that really blocks,
 * with no DNS server involved.
 */
#ifndef UB_SNIPPET_ALIASES_H
#define UB_SNIPPET_ALIASES_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* (After snippet.h, which has no include guard: spawn, join, sleep_ms.) */

/* The HOSTALIASES file, a FIFO.  The writer thread opens it after 200 ms
 * and writes lines that make ubalias an alias of a name with a 64-byte
 * label, and that name an alias of itself (glibc looks the alias up in the
 * file too): no DNS query can carry such a label, so the lookup fails
 * without asking any server.  It writes the lines again every millisecond
 * while a reader has the FIFO open (a reader stops at its line; with
 * SIGPIPE ignored, a write with no reader left fails), then opens it again
 * for the next reader, until told to stop. */
struct aliases {
  char dir[32], path[64];
  int stop;
  pthread_t t;
};

#define LABEL64                                                                \
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
static const char alias_line[] =
    "ubalias " LABEL64 "\n" LABEL64 " " LABEL64 "\n";

static inline int stopping(struct aliases *a)
{
  return __atomic_load_n(&a->stop, __ATOMIC_SEQ_CST);
}

static inline void *alias_writer(void *p)
{
  struct aliases *a = p;
  ssize_t len = (ssize_t)strlen(alias_line);
  sleep_ms(200);
  while (!stopping(a)) {
    int fd = open(a->path, O_WRONLY);
    CHECK(fd >= 0);
    while (!stopping(a) && write(fd, alias_line, len) == len)
      sleep_ms(1);
    CHECK(close(fd) == 0);
  }
  return NULL;
}

static inline void aliases_start(struct aliases *a)
{
  on_signal(SIGPIPE, SIG_IGN, 0);
  strcpy(a->dir, "/tmp/ub-dns-XXXXXX");
  CHECK(mkdtemp(a->dir) != NULL);
  snprintf(a->path, sizeof(a->path), "%s/hostaliases", a->dir);
  CHECK(mkfifo(a->path, 0600) == 0);
  CHECK(setenv("HOSTALIASES", a->path, 1) == 0);
  a->stop = 0;
  a->t = spawn(alias_writer, a);
}

static inline void aliases_stop(struct aliases *a)
{
  __atomic_store_n(&a->stop, 1, __ATOMIC_SEQ_CST);
  /* A reader of our own lets a writer waiting for one go. */
  int fd = open(a->path, O_RDONLY | O_NONBLOCK);
  CHECK(fd >= 0);
  join(a->t);
  CHECK(close(fd) == 0);
  CHECK(unsetenv("HOSTALIASES") == 0);
  CHECK(unlink(a->path) == 0 && rmdir(a->dir) == 0);
}

#endif
