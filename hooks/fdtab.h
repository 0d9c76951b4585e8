/*
 * fdtab.h - what the hooks know about each fd: its kind, the blocking mode
 * the program set, and its socket timeouts.
 *
 * unblock never sets O_NONBLOCK on a file the program owns (NOTES.md:
 * glibc's own I/O, other processes and exec'd children share the flag), so
 * F_GETFL is always the truth, and a try that must not block says so per
 * call: MSG_DONTWAIT on sockets, RWF_NOWAIT on pipes.  Everything else that
 * can be waited on (FIFOs, ttys, character devices) is asked with a
 * zero-timeout poll first; see docs/limits.md for that one race.
 *
 * The table is process-wide, like the fd table itself: two levels, blocks
 * of 256 entries installed with a compare-and-swap, never freed, so no
 * lock is needed.  Cached answers are refreshed lazily:
 *   - the kind is re-read (fstat) after any hooked call that makes or
 *     closes an fd with that number, and when a try reports it wrong;
 *   - the blocking mode after F_SETFL or FIONBIO on the fd itself, or, for
 *     an fd whose file may be shared (dup'd, or not made by a hooked
 *     call: inherited, made inside glibc), after any in the process;
 *   - the socket timeouts after any SO_RCVTIMEO or SO_SNDTIMEO change.
 */
#ifndef UB_FDTAB_H
#define UB_FDTAB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum ub_fd_kind {
  UB_FD_UNKNOWN,
  UB_FD_SOCKET, /* per-call MSG_DONTWAIT */
  UB_FD_PIPE,   /* per-call RWF_NOWAIT */
  UB_FD_POLL,   /* FIFO, tty, device: poll(0), then the call */
  UB_FD_FILE,   /* regular file, block device: the helper pool (file.c) */
  UB_FD_PLAIN,  /* directory...: never waits on the loop */
};

/* A TCP stream socket (without an upper-layer protocol such as kTLS) stops
 * a read short only when its receive queue is empty, or at urgent data
 * (loop.h: ub_loop_drained). */
enum { UB_TCP_UNKNOWN, UB_TCP_YES, UB_TCP_NO };

struct ub_fdinfo {
  _Atomic uint8_t kind;
  uint8_t nonblock;            /* as last read, valid for nb_epoch */
  uint8_t ours;                /* made by a hooked call, and never dup'd */
  uint8_t tcp;                 /* UB_TCP_*: is a short read a drained one? */
  _Atomic uint32_t gen;        /* bumped when the number gets a new file: the
                                * loops' tag for it (ub_loop_bind) */
  uint32_t nb_epoch;           /* + 1; 0: never read */
  uint32_t timeo_epoch;        /* + 1; 0: never read */
  uint64_t rcvtimeo, sndtimeo; /* ns, UB_NEVER: none */
  /* The file the loop's registration was made for, for an fd not "ours":
   * glibc can close it and reuse the number where no hook sees it. */
  uint64_t dev, ino;
  /* The profile's description of the file (hooks/prof.c), for gen + 1. */
  uint32_t prof_gen, prof_fd;
};

/* The entry for fd, or NULL (negative, huge, or out of memory). */
struct ub_fdinfo *ub_fd_info(int fd);
/* The kind, read with fstat if not known. */
enum ub_fd_kind ub_fd_kind(int fd, struct ub_fdinfo *fi);
/* Whether the program made fd non-blocking (O_NONBLOCK). */
bool ub_fd_nonblock(int fd, struct ub_fdinfo *fi);
/* SO_RCVTIMEO (dir UB_IN) or SO_SNDTIMEO, in ns; UB_NEVER: none. */
uint64_t ub_fd_timeout(int fd, struct ub_fdinfo *fi, unsigned dir);

/* Whether fd is a TCP stream socket, asked with getsockopt if not known;
 * false for every fd once the process set a TCP_ULP. */
bool ub_fd_tcp(int fd, struct ub_fdinfo *fi);
/* What a hooked call that made fd knows: it is a TCP stream socket. */
void ub_fd_tcp_set(int fd);
/* The program took urgent data (MSG_OOB), through fd or any fd of the
 * same socket: the kernel still stops reads short at a mark that epoll
 * no longer reports (no EPOLLPRI).  The hint is off for every fd from
 * then on, as after a TCP_ULP: urgent data is rare. */
void ub_fd_oob(void);
/* Something in the process set a TCP upper-layer protocol (kTLS...). */
void ub_fd_ulp_seen(void);

/* fd now names a new file (kind UNKNOWN: find out when needed). */
void ub_fd_new(int fd, enum ub_fd_kind kind);
/* What the hooked call that just made socket fd (ub_fd_new) knows, so
 * that no syscall need ask: its blocking mode, and its timeouts, which are
 * none for a new socket (from < 0) and the listener's for an accepted one
 * (Linux copies them), if those are known. */
void ub_fd_made(int fd, bool nonblock, int from);

/* fd and copy now share one open file (dup, dup2, dup3, F_DUPFD). */
void ub_fd_alias(int fd, int copy);
/* The program set fd's O_NONBLOCK to nonblock. */
void ub_fd_nonblock_set(int fd, bool nonblock);
/* Something in the process changed a socket timeout. */
void ub_fd_timeout_changed(void);

#endif
