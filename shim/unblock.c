/*
 * unblock.c - the launcher: `unblock [options] [--] CMD [ARGS...]`.
 *
 * Each option sets the UNBLOCK_* variable it mirrors; the settings are
 * then checked by the library's own parser (config.c), so the launcher and
 * a plain LD_PRELOAD accept exactly the same values.  libunblock.so is
 * prepended to LD_PRELOAD, keeping what is already there, and CMD is
 * exec'd.  The library is looked for next to this program (the build
 * tree), then in ../lib (an installed tree).
 *
 * Exit status: CMD's own, since it replaces us; 2 for a bad option or
 * value; 127 when CMD cannot be run (as a shell does).
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ps.h"
#include "report.h"

#ifndef UB_VERSION
#define UB_VERSION "0.4.0"
#endif

struct opt {
  const char *flag;
  const char *var;
  const char *value; /* NULL: takes an argument */
};

static const struct opt opts[] = {
    {"--workers", "UNBLOCK_WORKERS", NULL},
    {"--stall-ms", "UNBLOCK_STALL_MS", NULL},
    {"--offload-threads", "UNBLOCK_OFFLOAD_THREADS", NULL},
    {"--stack-size", "UNBLOCK_STACK_SIZE", NULL},
    {"--backend", "UNBLOCK_BACKEND", NULL},
    {"--verbose", "UNBLOCK_VERBOSE", "1"},
    {"--profile", "UNBLOCK_PROFILE", NULL},
    {"--profile-signal", "UNBLOCK_PROFILE_SIGNAL", NULL},
    {"--observe", "UNBLOCK_MODE", "observe"},
    {"--mode", "UNBLOCK_MODE", NULL},
    {"--dump-signal", "UNBLOCK_DUMP_SIGNAL", NULL},
    {"--no-control", "UNBLOCK_CONTROL", "0"},
};

static void usage(FILE *f)
{
  fputs("usage: unblock [options] [--] CMD [ARGS...]\n"
        "       unblock report [options] PROFILE\n"
        "       unblock ps [--raw] PID\n"
        "       unblock profile PID\n"
        "Run CMD with its threads as green threads and its blocking calls\n"
        "waiting on a hidden event loop (LD_PRELOAD=libunblock.so); print a\n"
        "profile of where a program waited (unblock report --help); list the\n"
        "green threads of a running one (unblock ps), or have it write its\n"
        "profile now (unblock profile).\n"
        "\n"
        "options (each sets the UNBLOCK_* variable named; see unblock(1)):\n"
        "  --workers N            UNBLOCK_WORKERS: carriers, 1..64 (one per"
        " CPU)\n"
        "  --stall-ms MS          UNBLOCK_STALL_MS: hand off a carrier stuck"
        " this\n"
        "                         long, 0..60000, 0 for never (20)\n"
        "  --offload-threads N    UNBLOCK_OFFLOAD_THREADS: helper threads,"
        " 1..1024 (64)\n"
        "  --stack-size SIZE      UNBLOCK_STACK_SIZE: green-thread stack,"
        " 16K..1G (1M)\n"
        "  --backend NAME         UNBLOCK_BACKEND: epoll or poll (epoll)\n"
        "  --verbose              UNBLOCK_VERBOSE=1: report the setup on"
        " stderr\n"
        "  --profile FILE         UNBLOCK_PROFILE: record every wait by call"
        " site,\n"
        "                         written to FILE at exit (%p: the pid)\n"
        "  --profile-signal SIG   UNBLOCK_PROFILE_SIGNAL: also write it on SIG"
        "\n"
        "  --observe              UNBLOCK_MODE=observe: no green threads; time"
        " the\n"
        "                         blocking calls natively into the profile\n"
        "                         (FILE defaults to unblock.PID.prof)\n"
        "  --mode MODE            UNBLOCK_MODE: green or observe (green)\n"
        "  --dump-signal SIG      UNBLOCK_DUMP_SIGNAL: list the green threads"
        " on\n"
        "                         stderr on SIG (off)\n"
        "  --no-control           UNBLOCK_CONTROL=0: no control socket, so no"
        "\n"
        "                         unblock ps (unblock profile then sends\n"
        "                         UNBLOCK_PROFILE_SIGNAL)\n"
        "  --help                 print this help and exit\n"
        "  --version              print the version and exit\n",
        f);
}

/* The library next to us, or in ../lib; NULL if neither exists. */
static char *find_library(void)
{
  static char path[PATH_MAX];
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0)
    return NULL;
  self[n] = '\0';
  char *slash = strrchr(self, '/');
  if (slash == NULL)
    return NULL;
  *slash = '\0';
  const char *tries[] = {"/libunblock.so", "/../lib/libunblock.so"};
  for (size_t i = 0; i < 2; i++) {
    if (strlen(self) + strlen(tries[i]) >= sizeof(path))
      return NULL;
    strcpy(path, self);
    strcat(path, tries[i]);
    if (access(path, R_OK) == 0)
      return path;
  }
  return NULL;
}

/* The file execvp would run for cmd, into path; false if none. */
static bool resolve(const char *cmd, char *path, size_t len)
{
  if (strchr(cmd, '/') != NULL) {
    snprintf(path, len, "%s", cmd);
    return access(path, X_OK) == 0;
  }
  const char *dirs = getenv("PATH");
  if (dirs == NULL)
    dirs = "/usr/local/bin:/usr/bin:/bin";
  while (*dirs != '\0') {
    size_t n = strcspn(dirs, ":");
    if ((size_t)snprintf(path, len, "%.*s/%s", (int)n, dirs, cmd) < len &&
        access(path, X_OK) == 0)
      return true;
    dirs += n + (dirs[n] == ':');
  }
  return false;
}

/* Is path an ELF executable without a dynamic loader (PT_INTERP)?  Such a
 * program never loads libunblock.so: LD_PRELOAD cannot reach it. */
static bool is_static_elf(const char *path)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  Elf64_Ehdr eh;
  bool elf = pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
             memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
             eh.e_ident[EI_CLASS] == ELFCLASS64 &&
             (eh.e_type == ET_EXEC || eh.e_type == ET_DYN) &&
             eh.e_phentsize == sizeof(Elf64_Phdr);
  bool interp = false;
  for (unsigned i = 0; elf && i < eh.e_phnum; i++) {
    Elf64_Phdr ph;
    if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
        (ssize_t)sizeof(ph))
      break;
    interp |= ph.p_type == PT_INTERP;
  }
  close(fd);
  return elf && !interp;
}

#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* Which options the command line gave. */
static bool given[NOPTS];

/* The flag that set the variable msg is about, or NULL if none did (the
 * value came from the environment). */
static const char *flag_of(const char *msg)
{
  for (size_t i = 0; i < NOPTS; i++)
    if (given[i] && strncmp(msg, opts[i].var, strlen(opts[i].var)) == 0 &&
        strchr("= ", msg[strlen(opts[i].var)]) != NULL)
      return opts[i].flag;
  return NULL;
}

int main(int argc, char **argv)
{
  /* Subcommands come first; `unblock -- report` runs a program of that
   * name. */
  if (argc > 1 && strcmp(argv[1], "report") == 0)
    return ub_report_main(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "ps") == 0)
    return ub_ps_main(argc - 1, argv + 1);
  if (argc > 1 && strcmp(argv[1], "profile") == 0)
    return ub_ctl_profile_main(argc - 1, argv + 1);
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-')
      break;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(a, "--version") == 0) {
      printf("unblock %s\n", UB_VERSION);
      return 0;
    }
    const struct opt *o = NULL;
    const char *value = NULL;
    for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
      size_t len = strlen(opts[k].flag);
      if (strncmp(a, opts[k].flag, len) == 0 &&
          (a[len] == '\0' || a[len] == '=')) {
        o = &opts[k];
        value = a[len] == '=' ? a + len + 1 : NULL;
      }
    }
    if (o == NULL) {
      fprintf(stderr,
              "unblock: unknown option '%s'; options: --workers, "
              "--stall-ms, --offload-threads, --stack-size, --backend, "
              "--verbose, --profile, --profile-signal, --observe, --mode, "
              "--dump-signal, --no-control, --help, --version\n",
              a);
      return 2;
    }
    if (o->value != NULL) {
      if (value != NULL) {
        fprintf(stderr, "unblock: %s takes no value\n", o->flag);
        return 2;
      }
      value = o->value;
    } else if (value == NULL) {
      if (i + 1 >= argc) {
        fprintf(stderr, "unblock: %s needs a value\n", o->flag);
        return 2;
      }
      value = argv[++i];
    }
    setenv(o->var, value, 1);
    for (size_t k = 0; k < NOPTS; k++)
      if (strcmp(opts[k].var, o->var) == 0)
        given[k] = &opts[k] == o; /* the last flag for it wins */
  }
  if (i >= argc) {
    fprintf(stderr, "unblock: no command given\n");
    usage(stderr);
    return 2;
  }
  /* Observe mode exists to record a profile: give it a file. */
  const char *mode = getenv("UNBLOCK_MODE");
  if (mode != NULL && strcmp(mode, "observe") == 0 &&
      getenv("UNBLOCK_PROFILE") == NULL) {
    setenv("UNBLOCK_PROFILE", "unblock.%p.prof", 1);
    fprintf(stderr, "unblock: the profile goes to unblock.%ld.prof\n",
            (long)getpid());
  }
  struct ub_config cfg;
  char err[512];
  if (ub_config_load(&cfg, err, sizeof(err)) != 0) {
    const char *flag = flag_of(err);
    if (flag != NULL)
      fprintf(stderr, "unblock: %s: %s\n", flag, err);
    else
      fprintf(stderr, "unblock: %s\n", err);
    return 2;
  }
  const char *lib = find_library();
  if (lib == NULL) {
    fprintf(stderr, "unblock: cannot find libunblock.so next to this "
                    "program or in ../lib\n");
    return 127;
  }
  const char *old = getenv("LD_PRELOAD");
  char *preload;
  if (asprintf(&preload, "%s%s%s", lib, old && *old ? " " : "",
               old ? old : "") < 0) {
    fprintf(stderr, "unblock: out of memory\n");
    return 2;
  }
  setenv("LD_PRELOAD", preload, 1);
  char path[PATH_MAX];
  if (resolve(argv[i], path, sizeof(path)) && is_static_elf(path))
    fprintf(stderr,
            "unblock: warning: %s is statically linked; LD_PRELOAD cannot "
            "reach it, so it runs natively (docs/limits.md)\n",
            argv[i]);
  execvp(argv[i], argv + i);
  fprintf(stderr, "unblock: %s: %s\n", argv[i], strerror(errno));
  return errno == ENOENT ? 127 : 126;
}
