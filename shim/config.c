/*
 * config.c - the one file that reads UNBLOCK_* variables.
 *
 * Every variable has one row in `vars` below: its name, what it accepts
 * (for the error message) and its parser.  Defaults live in the parsers'
 * callers, i.e. in ub_config_load.  Nothing here falls back to a default
 * when a value is present but bad: that is an error, reported by name.
 */
#define _GNU_SOURCE
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stack.h"

extern char **environ;

struct var {
  const char *name;
  const char *accepted;
  int (*parse)(struct ub_config *c, const char *value);
};

static int parse_backend(struct ub_config *c, const char *v)
{
  if (strcmp(v, "epoll") == 0)
    c->backend = UB_BACKEND_EPOLL;
  else if (strcmp(v, "poll") == 0)
    c->backend = UB_BACKEND_POLL;
  else
    return -EINVAL;
  return 0;
}

long long ub_config_parse_size(const char *s)
{
  if (!isdigit((unsigned char)*s))
    return -EINVAL;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno != 0)
    return -EINVAL;
  unsigned shift = 0;
  switch (*end) {
  case 'k':
  case 'K':
    shift = 10;
    end++;
    break;
  case 'm':
  case 'M':
    shift = 20;
    end++;
    break;
  case 'g':
  case 'G':
    shift = 30;
    end++;
    break;
  }
  if (*end != '\0' || v > (unsigned long long)LLONG_MAX >> shift)
    return -EINVAL;
  return (long long)(v << shift);
}

static int parse_stack_size(struct ub_config *c, const char *v)
{
  long long n = ub_config_parse_size(v);
  if (n < (long long)UB_STACK_MIN || n > (1ll << 30))
    return -EINVAL;
  c->stack_size = (size_t)n;
  return 0;
}

/* *field = v, "0" or "1"; or -EINVAL. */
static int set_bool(bool *field, const char *v)
{
  if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
    return -EINVAL;
  *field = v[0] == '1';
  return 0;
}

static int parse_verbose(struct ub_config *c, const char *v)
{
  return set_bool(&c->verbose, v);
}

static int parse_control(struct ub_config *c, const char *v)
{
  return set_bool(&c->control, v);
}

static int parse_mode(struct ub_config *c, const char *v)
{
  if (strcmp(v, "green") != 0 && strcmp(v, "observe") != 0)
    return -EINVAL;
  c->observe = v[0] == 'o';
  return 0;
}

/* The profile's path; shim/profile.c opens it and says what is wrong
 * with it.  %p becomes the pid and %% a percent sign; any other % is a
 * mistake. */
static int parse_profile(struct ub_config *c, const char *v)
{
  if (*v == '\0')
    return -EINVAL;
  for (const char *p = strchr(v, '%'); p != NULL; p = strchr(p + 2, '%'))
    if (p[1] != 'p' && p[1] != '%')
      return -EINVAL;
  c->profile = v;
  return 0;
}

/* Signals unblock must not take: those it cannot catch, those that report
 * a fault in the code that runs (the handler would run in its place), and
 * SIGRTMAX, which kicks helper threads (hooks/signal.h). */
static bool signal_forbidden(int sig)
{
  return sig == SIGKILL || sig == SIGSTOP || sig == SIGSEGV || sig == SIGBUS ||
         sig == SIGILL || sig == SIGFPE || sig == SIGTRAP || sig == SIGSYS ||
         sig == SIGRTMAX;
}

int ub_config_parse_signal(const char *s)
{
  int sig = -1;
  if (isdigit((unsigned char)*s)) {
    char *end;
    long n = strtol(s, &end, 10);
    if (*end == '\0' && strlen(s) <= 2)
      sig = (int)n;
  } else {
    const char *name = strncmp(s, "SIG", 3) == 0 ? s + 3 : s;
    for (int i = 1; i < SIGRTMIN && sig < 0; i++) {
      const char *abbrev = sigabbrev_np(i);
      if (abbrev != NULL && strcmp(abbrev, name) == 0)
        sig = i;
    }
  }
  if (sig < 1 || sig >= _NSIG || signal_forbidden(sig))
    return -EINVAL;
  return sig;
}

/* *field = v, a signal unblock may take (ub_config_parse_signal); or
 * -EINVAL. */
static int set_signal(int *field, const char *v)
{
  int sig = ub_config_parse_signal(v);
  if (sig < 0)
    return sig;
  *field = sig;
  return 0;
}

static int parse_profile_signal(struct ub_config *c, const char *v)
{
  return set_signal(&c->profile_signal, v);
}

static int parse_dump_signal(struct ub_config *c, const char *v)
{
  return set_signal(&c->dump_signal, v);
}

/* *field = v, a decimal integer from lo to hi; or -EINVAL. */
static int set_range(unsigned *field, const char *v, long lo, long hi)
{
  if (!isdigit((unsigned char)*v) || strlen(v) > 9)
    return -EINVAL;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi)
    return -EINVAL;
  *field = (unsigned)n;
  return 0;
}

static int parse_workers(struct ub_config *c, const char *v)
{
  return set_range(&c->workers, v, 1, UB_WORKERS_MAX);
}

static int parse_stall(struct ub_config *c, const char *v)
{
  return set_range(&c->stall_ms, v, 0, 60000);
}

static int parse_offload(struct ub_config *c, const char *v)
{
  return set_range(&c->offload_threads, v, 1, 1024);
}

#define SIGNALS                                                                \
  "a signal name such as USR2 or SIGUSR2, or its number; not KILL, STOP, "     \
  "SEGV, BUS, ILL, FPE, TRAP, SYS or RTMAX (unblock's own)"

static const struct var vars[] = {
    {"UNBLOCK_BACKEND", "epoll or poll", parse_backend},
    {"UNBLOCK_CONTROL", "1 (answer unblock ps and unblock profile) or 0",
     parse_control},
    {"UNBLOCK_DUMP_SIGNAL", SIGNALS, parse_dump_signal},
    {"UNBLOCK_MODE", "green or observe", parse_mode},
    {"UNBLOCK_OFFLOAD_THREADS", "a number of helper threads from 1 to 1024",
     parse_offload},
    {"UNBLOCK_PROFILE",
     "a file name, where %p stands for the pid and %% for a percent sign",
     parse_profile},
    {"UNBLOCK_PROFILE_SIGNAL", SIGNALS, parse_profile_signal},
    {"UNBLOCK_STACK_SIZE",
     "a size from 16K to 1G, in bytes or with a K, M or G suffix",
     parse_stack_size},
    {"UNBLOCK_STALL_MS", "milliseconds from 1 to 60000, or 0 for no handoff",
     parse_stall},
    {"UNBLOCK_VERBOSE", "0 or 1", parse_verbose},
    {"UNBLOCK_WORKERS", "a number of carriers from 1 to 64", parse_workers},
};

#define NVARS (sizeof(vars) / sizeof(vars[0]))

static const struct var *find(const char *name, size_t len)
{
  for (size_t i = 0; i < NVARS; i++)
    if (strlen(vars[i].name) == len && memcmp(vars[i].name, name, len) == 0)
      return &vars[i];
  return NULL;
}

unsigned ub_config_cpus(void)
{
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    return 1;
  int n = CPU_COUNT(&set);
  return n < 1 ? 1 : n > UB_WORKERS_MAX ? UB_WORKERS_MAX : (unsigned)n;
}

int ub_config_load(struct ub_config *c, char *err, size_t errlen)
{
  *c = (struct ub_config){
      .backend = UB_BACKEND_EPOLL,
      .stack_size = UB_STACK_DEFAULT,
      .workers = ub_config_cpus(),
      .stall_ms = 20,
      .offload_threads = UB_OFFLOAD_DEFAULT,
      .control = true,
  };
  for (char **e = environ; e != NULL && *e != NULL; e++) {
    if (strncmp(*e, "UNBLOCK_", 8) != 0)
      continue;
    const char *eq = strchr(*e, '=');
    size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
    const struct var *v = find(*e, len);
    if (v == NULL) {
      int n = snprintf(err, errlen,
                       "%.*s is not an unblock setting; known:", (int)len, *e);
      for (size_t i = 0; i < NVARS && n > 0 && (size_t)n < errlen; i++)
        n += snprintf(err + n, errlen - (size_t)n, " %s", vars[i].name);
      return -EINVAL;
    }
    const char *value = eq ? eq + 1 : "";
    if (v->parse(c, value) != 0) {
      snprintf(err, errlen, "%s='%s' is not valid; expected %s", v->name, value,
               v->accepted);
      return -EINVAL;
    }
  }
  if (c->observe && c->profile == NULL) {
    snprintf(err, errlen,
             "UNBLOCK_MODE=observe records a profile: set UNBLOCK_PROFILE "
             "too (unblock --observe picks unblock.PID.prof)");
    return -EINVAL;
  }
  if (c->profile_signal != 0 && c->profile == NULL) {
    snprintf(err, errlen,
             "UNBLOCK_PROFILE_SIGNAL writes the profile: set UNBLOCK_PROFILE "
             "too");
    return -EINVAL;
  }
  if (c->dump_signal != 0 && c->dump_signal == c->profile_signal) {
    snprintf(err, errlen,
             "UNBLOCK_DUMP_SIGNAL and UNBLOCK_PROFILE_SIGNAL are both %d: "
             "give each its own signal",
             c->dump_signal);
    return -EINVAL;
  }
  if (c->dump_signal != 0 && c->observe) {
    snprintf(err, errlen,
             "UNBLOCK_DUMP_SIGNAL lists green threads, and "
             "UNBLOCK_MODE=observe runs none: unset one of them");
    return -EINVAL;
  }
  return 0;
}

int ub_config_control_dir(char *buf, size_t len, const char *runtime_dir,
                          unsigned uid)
{
  int n = runtime_dir != NULL && runtime_dir[0] == '/'
              ? snprintf(buf, len, "%s/unblock", runtime_dir)
              : snprintf(buf, len, "/tmp/unblock-%u", uid);
  return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int ub_config_control_path(char *buf, size_t len, const char *runtime_dir,
                           unsigned uid, int pid)
{
  char dir[128];
  if (ub_config_control_dir(dir, sizeof(dir), runtime_dir, uid) != 0)
    return -ENAMETOOLONG;
  int n = snprintf(buf, len, "%s/%d.sock", dir, pid);
  return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
