/*
 * config.h - the UNBLOCK_* settings, read from the environment in one place.
 */
#ifndef UB_CONFIG_H
#define UB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "backend.h"

struct ub_config {
  enum ub_backend_kind backend;
  size_t stack_size;
  bool verbose;
  unsigned workers;  /* carriers */
  unsigned stall_ms; /* a carrier stuck this long is handed off; 0: never */
  unsigned offload_threads; /* the helper pool's bound */
  bool observe;             /* UNBLOCK_MODE=observe: no green threads */
  const char *profile;      /* UNBLOCK_PROFILE: the file, or NULL */
  int profile_signal;       /* write the profile on it; 0: none */
  int dump_signal;          /* list the green threads on it; 0: none */
  bool control;             /* the control socket (shim/control.c) */
};

#define UB_WORKERS_MAX 64
#define UB_OFFLOAD_DEFAULT 64

/* The CPUs in the process's affinity mask (at most UB_WORKERS_MAX): the
 * default number of carriers. */
unsigned ub_config_cpus(void);

/*
 * Fill c from the environment.  Returns 0, or -EINVAL with a one-line
 * message in err that names the variable, the value and what is accepted.
 * An unknown UNBLOCK_* variable is an error too: a misspelt setting must
 * not be silently ignored.
 */
int ub_config_load(struct ub_config *c, char *err, size_t errlen);

/* "USR2", "SIGUSR2" or "12": a signal unblock may take for itself, or
 * -EINVAL. */
int ub_config_parse_signal(const char *s);

/* "1M", "512K", "8388608": bytes, or -EINVAL. */
long long ub_config_parse_size(const char *s);

/*
 * The control socket of process pid run by uid, whose environment has
 * XDG_RUNTIME_DIR=runtime_dir (NULL: unset): its directory and path.  The
 * directory is $XDG_RUNTIME_DIR/unblock, or /tmp/unblock-UID without it.
 * Shared by the library (shim/control.c) and `unblock ps`.  0, or
 * -ENAMETOOLONG.
 */
int ub_config_control_dir(char *buf, size_t len, const char *runtime_dir,
                          unsigned uid);
int ub_config_control_path(char *buf, size_t len, const char *runtime_dir,
                           unsigned uid, int pid);

#endif
