/*
 * dump.c - one carrier's part of the green-thread dump (dump.h).
 *
 * It runs in the carrier's own context, between two ticks of its loop, so
 * no green thread of the carrier runs meanwhile and its list of threads
 * holds still.  A thread the scheduler switched out is visited on its own
 * stack (ub_sched_peek), where backtrace() sees its frames; the frames
 * inside this library (the hook, the park, the switch) are left out, so
 * each backtrace starts at the program's call.  What a waiting thread
 * waits for comes from the wait it parked on: its fd and direction, and
 * its deadline, with the hook it entered naming the kind of wait.
 *
 * Each frame is written as its pc only: the control thread adds dladdr's
 * name for it (shim/control.c), and `unblock ps` replaces that with
 * function and file:line from the debug info.
 */
#include "dump.h"

#include <dlfcn.h>
#include <link.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "dur.h"
#include "hook.h"
#include "profile.h"

void ub_text_printf(struct ub_text *t, const char *fmt, ...)
{
  for (;;) {
    if (t->short_of_memory)
      return;
    va_list ap;
    va_start(ap, fmt);
    size_t room = t->cap - t->len;
    int n = vsnprintf(t->buf != NULL ? t->buf + t->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n < 0)
      return;
    if ((size_t)n < room) {
      t->len += (size_t)n;
      return;
    }
    size_t cap = t->cap < 4096 ? 4096 : t->cap;
    while (cap - t->len <= (size_t)n)
      cap *= 2;
    char *more = realloc(t->buf, cap);
    if (more == NULL) {
      t->short_of_memory = true;
      return;
    }
    t->buf = more;
    t->cap = cap;
  }
}

void ub_text_free(struct ub_text *t)
{
  free(t->buf);
  *t = (struct ub_text){0};
}

struct frames {
  void *pc[UB_DUMP_FRAMES + 8];
  int n;
};

/* On the peeked thread's own stack. */
static void capture(struct ub_coro *c, void *arg)
{
  (void)c;
  struct frames *f = arg;
  f->n = backtrace(f->pc, (int)(sizeof(f->pc) / sizeof(f->pc[0])));
}

/* This library's text, whose frames (the hook, the park, the switch; how
 * a green thread starts) are left out. */
static uintptr_t self_lo, self_hi;

static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
  (void)size;
  uintptr_t me = (uintptr_t)arg;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    if (ph->p_type == PT_LOAD && me >= lo && me < lo + ph->p_memsz) {
      self_lo = lo;
      self_hi = lo + ph->p_memsz;
      return 1;
    }
  }
  return 0;
}

void ub_dump_setup(void)
{
  dl_iterate_phdr(find_self, (void *)(uintptr_t)ub_dump_carrier);
}

static bool ours(void *pc)
{
  return (uintptr_t)pc >= self_lo && (uintptr_t)pc < self_hi;
}

/* Only the pcs: naming them (dladdr) takes the dynamic linker's lock,
 * which a green thread parked in dlopen() may hold; the control thread
 * names them once the carrier has gone back to its work. */
static void put_frames(struct ub_text *t, const struct frames *f)
{
  int i = 0, end = f->n, shown = 0;
  while (i < end && ours(f->pc[i]))
    i++;
  while (end > i && ours(f->pc[end - 1]))
    end--;
  for (; i < end && shown < UB_DUMP_FRAMES; i++, shown++)
    ub_text_printf(t, "    #%d 0x%012lx\n", shown, (unsigned long)f->pc[i]);
  if (shown == 0)
    ub_text_printf(t, "    (no frames of the program)\n");
}

/* What c, parked on w, waits for: "read on fd 5 (pipe), in read()". */
static void put_wait(struct ub_text *t, const struct ub_coro *c,
                     const struct ub_wait *w, uint64_t now)
{
  const char *kind =
      c->hook != NULL ? ub_prof_hook_kind(ub_prof_hook(c->hook)) : NULL;
  ub_text_printf(t, "waiting: %s", kind != NULL ? kind : "wait");
  if (w != NULL && w->fd >= 0) {
    char what[160];
    ub_prof_describe(w->fd, what, sizeof(what));
    ub_text_printf(t, " on fd %d (%s, %s)", w->fd,
                   w->dir & UB_OUT ? "writable" : "readable", what);
  }
  if (w != NULL && w->timer.deadline != UB_NEVER) {
    char left[32];
    uint64_t d = w->timer.deadline;
    ub_text_printf(t, ", %s left",
                   ub_dur_text(d > now ? d - now : 0, left, 32));
  }
  if (c->hook != NULL)
    ub_text_printf(t, ", in %s()", c->hook);
}

static void put_thread(struct ub_text *t, struct ub_sched *s, struct ub_coro *c,
                       uint64_t now)
{
  char age[32];
  ub_text_printf(t, "thread %llu", (unsigned long long)c->id);
  if (c->name[0] != '\0')
    ub_text_printf(t, " \"%.*s\"", (int)sizeof(c->name), c->name);
  ub_text_printf(t, ": ");
  struct frames f = {.n = -2}; /* -2: none to show; -1: not taken */
  if (c->state == UB_CORO_RUNNING) {
    /* Not this carrier's current thread (that is its own context, here):
     * one left running on the OS thread its carrier was taken from. */
    ub_text_printf(t, "running the program's code, on an OS thread of "
                      "its own (its carrier was handed on)");
  } else if (!c->ran) {
    ub_text_printf(t, "runnable, not started yet");
  } else {
    if (c->state == UB_CORO_WAITING)
      put_wait(t, c, c->parked_on, now);
    else
      ub_text_printf(t, "runnable%s%s%s", c->hook != NULL ? ", in " : "",
                     c->hook != NULL ? c->hook : "",
                     c->hook != NULL ? "()" : "");
    if (!ub_sched_peek(c, capture, &f))
      f.n = -1; /* too little stack left to unwind safely */
  }
  ub_text_printf(t, "; carrier %d; age %s\n", s->index < 0 ? 0 : s->index,
                 ub_dur_text(now - c->born, age, sizeof(age)));
  if (f.n == -1)
    ub_text_printf(t, "    (too little stack left to take a backtrace)\n");
  else if (f.n >= 0)
    put_frames(t, &f);
}

void ub_dump_carrier(struct ub_sched *s, void *text)
{
  struct ub_text *t = text;
  uint64_t now = ub_clock_now();
  ub_text_printf(t, "carrier %d (tid %d): %zu green thread%s\n",
                 s->index < 0 ? 0 : s->index, (int)atomic_load(&s->tid),
                 s->live, s->live == 1 ? "" : "s");
  struct ub_coro *c = s->all;
  while (c != NULL && c->all_next != NULL)
    c = c->all_next; /* the oldest */
  for (; c != NULL; c = c->all_prev)
    put_thread(t, s, c, now);
}
