/*
 * share.h - which loops know each fd, process-wide.
 *
 * Each carrier has its own loop (loop.h), and an fd is registered with
 * the loop of whichever green thread waits on it.  Normally that is one
 * loop: when a loop registers an fd another loop knows, it asks that loop
 * to drop its registration if nobody waits there (the fd "moves").  While
 * green threads on two carriers wait on one fd at the same time, both
 * loops keep a registration: epoll reports each edge to every instance
 * that watches the file, so each loop still wakes its own waiters.
 *
 * This table records, per fd, the set of loops (one bit per loop slot)
 * that hold state for it, so that closing the fd can reach every one.
 * Slots are handed out to loops at init, at most UB_SHARE_SLOTS of them;
 * a loop without a slot (only tests make that many) is never told.
 */
#ifndef UB_SHARE_H
#define UB_SHARE_H

#include <stdint.h>

#define UB_SHARE_SLOTS 64

struct ub_loop;

/* A free slot for l, or -1 if none is left. */
int ub_share_slot_get(struct ub_loop *l);
void ub_share_slot_put(int slot);
/* The loop in slot, or NULL. */
struct ub_loop *ub_share_loop(int slot);

/* Mark slot as knowing fd; returns the set before. */
uint64_t ub_share_add(int fd, int slot);
void ub_share_del(int fd, int slot);
uint64_t ub_share_mask(int fd);

/* In a child after fork: only the loop in `keep` survives; forget the
 * others and every fd's set. */
void ub_share_after_fork(int keep);

#endif
