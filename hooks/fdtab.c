/*
 * fdtab.c - the per-fd policy cache (fdtab.h).
 */
#include "fdtab.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "clock.h"
#include "hook.h"

#define BLOCK 256
#define NBLOCKS 4096 /* fds up to 1M; beyond, nothing is cached */

static struct ub_fdinfo *_Atomic blocks[NBLOCKS];
static atomic_uint nb_epoch = 1;
static atomic_uint timeo_epoch = 1;
static atomic_bool ulp_seen; /* or MSG_OOB: the drained hint is off */

struct ub_fdinfo *ub_fd_info(int fd)
{
  if (fd < 0 || fd >= BLOCK * NBLOCKS)
    return NULL;
  struct ub_fdinfo *_Atomic *slot = &blocks[fd / BLOCK];
  struct ub_fdinfo *b = atomic_load_explicit(slot, memory_order_acquire);
  if (b == NULL) {
    struct ub_fdinfo *fresh = calloc(BLOCK, sizeof(*fresh));
    if (fresh == NULL)
      return NULL;
    if (atomic_compare_exchange_strong(slot, &b, fresh))
      b = fresh;
    else
      free(fresh); /* another thread installed one first */
  }
  return &b[fd % BLOCK];
}

enum ub_fd_kind ub_fd_kind(int fd, struct ub_fdinfo *fi)
{
  enum ub_fd_kind k = atomic_load_explicit(&fi->kind, memory_order_relaxed);
  if (k != UB_FD_UNKNOWN)
    return k;
  struct stat st;
  if (fstat(fd, &st) != 0)
    return UB_FD_PLAIN; /* let the real call report EBADF */
  if (S_ISSOCK(st.st_mode))
    k = UB_FD_SOCKET;
  else if (S_ISFIFO(st.st_mode))
    k = UB_FD_PIPE; /* a named FIFO refuses RWF_NOWAIT: then UB_FD_POLL */
  else if (S_ISCHR(st.st_mode))
    k = UB_FD_POLL;
  else if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))
    k = UB_FD_FILE;
  else
    k = UB_FD_PLAIN;
  atomic_store_explicit(&fi->kind, k, memory_order_relaxed);
  return k;
}

bool ub_fd_nonblock(int fd, struct ub_fdinfo *fi)
{
  unsigned e = atomic_load_explicit(&nb_epoch, memory_order_acquire);
  if (fi->nb_epoch != e) {
    int fl = real.fcntl(fd, F_GETFL);
    fi->nonblock = fl >= 0 && (fl & O_NONBLOCK);
    fi->nb_epoch = e;
  }
  return fi->nonblock;
}

static uint64_t read_timeo(int fd, int name)
{
  struct timeval tv;
  socklen_t len = sizeof(tv);
  if (getsockopt(fd, SOL_SOCKET, name, &tv, &len) != 0 ||
      (tv.tv_sec == 0 && tv.tv_usec == 0))
    return UB_NEVER;
  return (uint64_t)tv.tv_sec * UB_NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
}

uint64_t ub_fd_timeout(int fd, struct ub_fdinfo *fi, unsigned dir)
{
  if (ub_fd_kind(fd, fi) != UB_FD_SOCKET)
    return UB_NEVER;
  unsigned e = atomic_load_explicit(&timeo_epoch, memory_order_acquire);
  if (fi->timeo_epoch != e) {
    fi->rcvtimeo = read_timeo(fd, SO_RCVTIMEO);
    fi->sndtimeo = read_timeo(fd, SO_SNDTIMEO);
    fi->timeo_epoch = e;
  }
  return dir == UB_IN ? fi->rcvtimeo : fi->sndtimeo;
}

bool ub_fd_tcp(int fd, struct ub_fdinfo *fi)
{
  if (atomic_load_explicit(&ulp_seen, memory_order_relaxed))
    return false;
  if (fi->tcp == UB_TCP_UNKNOWN) {
    int type = 0, proto = 0;
    char ulp[16];
    socklen_t tl = sizeof(type), pl = sizeof(proto), ul = sizeof(ulp);
    bool yes = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
               type == SOCK_STREAM &&
               getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &pl) == 0 &&
               proto == IPPROTO_TCP &&
               getsockopt(fd, IPPROTO_TCP, TCP_ULP, ulp, &ul) == 0 && ul == 0;
    fi->tcp = yes ? UB_TCP_YES : UB_TCP_NO;
  }
  return fi->tcp == UB_TCP_YES;
}

void ub_fd_tcp_set(int fd)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi != NULL)
    fi->tcp = UB_TCP_YES;
}

void ub_fd_oob(void)
{
  atomic_store(&ulp_seen, true);
}

void ub_fd_ulp_seen(void)
{
  atomic_store(&ulp_seen, true);
}

void ub_fd_new(int fd, enum ub_fd_kind kind)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi == NULL)
    return;
  atomic_store(&fi->kind, kind);
  fi->nb_epoch = 0;
  fi->timeo_epoch = 0;
  fi->ours = kind != UB_FD_UNKNOWN;
  fi->tcp = UB_TCP_UNKNOWN;
  atomic_fetch_add(&fi->gen, 1);
}

void ub_fd_made(int fd, bool nonblock, int from)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi == NULL)
    return;
  ub_fd_nonblock_set(fd, nonblock);
  unsigned e = atomic_load_explicit(&timeo_epoch, memory_order_acquire);
  struct ub_fdinfo *l = from >= 0 ? ub_fd_info(from) : NULL;
  if (from < 0) {
    fi->rcvtimeo = fi->sndtimeo = UB_NEVER;
  } else if (l != NULL && l->timeo_epoch == e) {
    fi->rcvtimeo = l->rcvtimeo;
    fi->sndtimeo = l->sndtimeo;
  } else {
    return; /* not known: read them when needed */
  }
  fi->timeo_epoch = e;
}

void ub_fd_alias(int fd, int copy)
{
  struct ub_fdinfo *a = ub_fd_info(fd), *b = ub_fd_info(copy);
  if (a != NULL)
    a->ours = 0;
  if (b != NULL)
    b->ours = 0;
}

void ub_fd_nonblock_set(int fd, bool nonblock)
{
  struct ub_fdinfo *fi = ub_fd_info(fd);
  if (fi == NULL || !fi->ours) {
    /* Another fd may name the same file: every cached mode is suspect. */
    atomic_fetch_add(&nb_epoch, 1);
    return;
  }
  fi->nonblock = nonblock;
  fi->nb_epoch = atomic_load_explicit(&nb_epoch, memory_order_acquire);
}

void ub_fd_timeout_changed(void)
{
  atomic_fetch_add(&timeo_epoch, 1);
}
