/*
 * ps.c - `unblock ps PID` and `unblock profile PID`: ask a running
 * program for its green threads, or to write its profile now, through
 * its control socket (shim/control.c).
 *
 * The socket's path depends on the target's XDG_RUNTIME_DIR and uid, so
 * both are read from /proc/PID, not from our own environment: `sudo
 * unblock ps` finds a user's process.  When there is no socket, the
 * target's environment says why (not under unblock, UNBLOCK_CONTROL=0,
 * observe mode), and `unblock profile` falls back on the target's
 * UNBLOCK_PROFILE_SIGNAL.
 *
 * The dump names each frame by its pc and what dladdr knew; here, with
 * the target's maps, each pc is named again with function and file:line
 * (symbolize.c, as `unblock report` does), unless --raw.
 */
#define _GNU_SOURCE
#include "ps.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <grp.h>
#include <unistd.h>

#include "config.h"
#include "profile_read.h"
#include "symbolize.h"

struct target {
  const char *cmd; /* "ps" or "profile", for messages */
  long pid;
  uid_t uid;
  gid_t gid;
  char *env; /* /proc/PID/environ, NUL-separated; NULL if unreadable */
  size_t envlen;
};

static char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap + 1);
  for (size_t r; buf != NULL && (r = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += r;
    if (n == cap) {
      char *more = realloc(buf, cap * 2 + 1);
      if (more == NULL)
        free(buf);
      buf = more;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf != NULL)
    buf[n] = '\0';
  *len = n;
  return buf;
}

/* The target's value of variable name, or NULL. */
static const char *env_of(const struct target *t, const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; t->env != NULL && i < t->envlen;
       i += strlen(t->env + i) + 1)
    if (strncmp(t->env + i, name, n) == 0 && t->env[i + n] == '=')
      return t->env + i + n + 1;
  return NULL;
}

static int open_target(struct target *t, const char *arg)
{
  char *end;
  errno = 0;
  t->pid = strtol(arg, &end, 10);
  if (!isdigit((unsigned char)arg[0]) || *end != '\0' || errno != 0 ||
      t->pid <= 0 || t->pid > 0x3fffffff) {
    fprintf(stderr, "unblock %s: '%s' is not a process id\n", t->cmd, arg);
    return 2;
  }
  char path[64];
  struct stat st;
  snprintf(path, sizeof(path), "/proc/%ld", t->pid);
  if (stat(path, &st) != 0) {
    fprintf(stderr, "unblock %s: no process %ld\n", t->cmd, t->pid);
    return 1;
  }
  t->uid = st.st_uid;
  t->gid = st.st_gid;
  snprintf(path, sizeof(path), "/proc/%ld/environ", t->pid);
  t->env = slurp(path, &t->envlen);
  if (t->env == NULL) {
    fprintf(stderr,
            "unblock %s: cannot read %s (%s): process %ld is not "
            "yours to ask\n",
            t->cmd, path, strerror(errno), t->pid);
    return 1;
  }
  /* Root asking for another user's process: the socket's path, and the
   * files named in its maps, are that user's to choose.  Follow them with
   * that user's rights, not root's. */
  if (geteuid() == 0 && t->uid != 0 &&
      (setgroups(0, NULL) != 0 || setresgid(t->gid, t->gid, t->gid) != 0 ||
       setresuid(t->uid, t->uid, t->uid) != 0)) {
    fprintf(stderr, "unblock %s: cannot take the rights of uid %u: %s\n",
            t->cmd, (unsigned)t->uid, strerror(errno));
    return 1;
  }
  return 0;
}

/* Does process t have libunblock.so mapped? */
static bool preloaded(const struct target *t)
{
  char path[64];
  size_t n;
  snprintf(path, sizeof(path), "/proc/%ld/maps", t->pid);
  char *maps = slurp(path, &n);
  bool yes = maps != NULL && strstr(maps, "/libunblock.so") != NULL;
  free(maps);
  return yes;
}

/* Why process t has no socket to talk to. */
static void no_socket(const struct target *t, const char *path)
{
  const char *mode = env_of(t, "UNBLOCK_MODE");
  const char *ctl = env_of(t, "UNBLOCK_CONTROL");
  if (!preloaded(t))
    fprintf(stderr, "unblock %s: process %ld is not running under unblock\n",
            t->cmd, t->pid);
  else if (ctl != NULL && strcmp(ctl, "0") == 0)
    fprintf(stderr,
            "unblock %s: process %ld runs with UNBLOCK_CONTROL=0: it "
            "does not answer\n",
            t->cmd, t->pid);
  else if (mode != NULL && strcmp(mode, "observe") == 0)
    fprintf(stderr,
            "unblock %s: process %ld runs in observe mode, which has "
            "no green threads and no control socket\n",
            t->cmd, t->pid);
  else if (access(path, F_OK) != 0 && errno == ENOENT)
    fprintf(stderr,
            "unblock %s: process %ld has no control socket: unblock starts "
            "it with the program's second thread (or at once with "
            "UNBLOCK_DUMP_SIGNAL), and a private directory for it must be "
            "possible (UNBLOCK_VERBOSE=1 says why not)\n",
            t->cmd, t->pid);
  else
    fprintf(stderr, "unblock %s: process %ld does not answer at %s\n", t->cmd,
            t->pid, path);
}

/* Send cmd to t's control socket; its answer in *out.  0, 1 (said why). */
static int ask(const struct target *t, const char *cmd, char **out,
               size_t *outlen)
{
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (ub_config_control_path(a.sun_path, sizeof(a.sun_path),
                             env_of(t, "XDG_RUNTIME_DIR"), t->uid,
                             (int)t->pid) != 0) {
    fprintf(stderr, "unblock %s: the control socket's path is too long\n",
            t->cmd);
    return 1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
    int err = errno;
    if (fd >= 0)
      close(fd);
    if (err == ECONNREFUSED && unlink(a.sun_path) == 0)
      fprintf(stderr,
              "unblock %s: process %ld does not answer (removed the "
              "stale socket %s)\n",
              t->cmd, t->pid, a.sun_path);
    else
      no_socket(t, a.sun_path);
    return 1;
  }
  struct timeval tv = {120, 0}; /* up to 1 s for each of 64 carriers */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  bool ok = buf != NULL && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd);
  shutdown(fd, SHUT_WR);
  for (ssize_t r; ok && (r = read(fd, buf + n, cap - n)) != 0;) {
    if (r < 0) {
      ok = false;
      break;
    }
    n += (size_t)r;
    if (n == cap) {
      char *more = realloc(buf, cap * 2 + 1);
      ok = more != NULL;
      if (ok)
        buf = more, cap *= 2;
    }
  }
  close(fd);
  if (!ok || n == 0) {
    fprintf(stderr, "unblock %s: process %ld gave no answer (%s)\n", t->cmd,
            t->pid, n == 0 && ok ? "it closed the socket" : strerror(errno));
    free(buf);
    return 1;
  }
  buf[n] = '\0';
  *out = buf;
  *outlen = n;
  return 0;
}

/* ---- naming the frames of a dump again ------------------------------ */

/* The target's executable maps, as the profile's map records are. */
static void read_maps(struct ub_profile *p, long pid)
{
  char path[64], line[4096];
  snprintf(path, sizeof(path), "/proc/%ld/maps", pid);
  FILE *f = fopen(path, "re");
  if (f == NULL)
    return;
  while (fgets(line, sizeof(line), f) != NULL) {
    unsigned long long lo, hi, off;
    char perm[8];
    int at = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %n", &lo, &hi, perm, &off,
               &at) < 4 ||
        perm[2] != 'x' || at == 0 || line[at] != '/')
      continue;
    line[strcspn(line, "\n")] = '\0';
    struct ub_map *m = realloc(p->maps, (p->nmaps + 1) * sizeof(*m));
    if (m == NULL)
      break;
    p->maps = m;
    m[p->nmaps] = (struct ub_map){lo, hi, off, strdup(line + at)};
    if (m[p->nmaps].path != NULL)
      p->nmaps++;
  }
  fclose(f);
}

/* A frame line of the dump: "    #3 0x55d0c3a1b2c3 ...": its pc. */
static bool frame_pc(const char *line, uint64_t *pc)
{
  const char *s = line;
  while (*s == ' ')
    s++;
  if (*s != '#' || !isdigit((unsigned char)s[1]))
    return false;
  s = strchr(s, ' ');
  return s != NULL && sscanf(s, " 0x%llx", (unsigned long long *)pc) == 1;
}

/* Print the dump, each frame named from the debug info where it can be. */
static void print_dump(char *text, long pid, bool raw)
{
  struct ub_profile p = {.file = "the dump", .pid = pid};
  size_t npc = 0;
  uint64_t pc;
  for (char *l = text; !raw && l != NULL && *l != '\0';) {
    char *nl = strchr(l, '\n');
    npc += frame_pc(l, &pc);
    l = nl != NULL ? nl + 1 : NULL;
  }
  if (npc > 0)
    read_maps(&p, pid);
  if (p.nmaps > 0 && (p.stacks = calloc(npc, sizeof(*p.stacks))) != NULL) {
    for (char *l = text; *l != '\0' && p.nstacks < npc;) {
      char *nl = strchr(l, '\n');
      if (frame_pc(l, &pc) && (p.stacks[p.nstacks].pc = malloc(8)) != NULL) {
        p.stacks[p.nstacks].id = (unsigned)p.nstacks + 1;
        p.stacks[p.nstacks].pc[0] = pc;
        p.stacks[p.nstacks++].npc = 1;
      }
      if (nl == NULL)
        break;
      l = nl + 1;
    }
    if (ub_sym_profile(&p) != 0)
      p.nstacks = 0;
  }
  size_t k = 0;
  int depth = 0;
  for (char *l = text; *l != '\0';) {
    char *nl = strchr(l, '\n');
    size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
    if (!frame_pc(l, &pc)) {
      depth = 0;
      printf("%.*s\n", (int)len, l);
    } else if (k < p.nstacks && p.stacks[k].nframes > 0) {
      const struct ub_stack *st = &p.stacks[k++];
      for (size_t i = 0; i < st->nframes; i++) {
        char name[512];
        printf("    #%d %s%s\n", depth++,
               ub_sym_text(&st->frames[i], name, sizeof(name)),
               st->frames[i].inlined ? " (inlined)" : "");
      }
    } else {
      k += k < p.nstacks;
      const char *rest = memchr(l + 5, ' ', len - 5); /* " 0xPC ..." */
      printf("    #%d%.*s\n", depth++, rest != NULL ? (int)(l + len - rest) : 0,
             rest != NULL ? rest : "");
    }
    if (nl == NULL)
      break;
    l = nl + 1;
  }
  ub_profile_free(&p);
}

/* ---- the commands -------------------------------------------------- */

static void ps_usage(FILE *f)
{
  fputs("usage: unblock ps [--raw] PID\n"
        "List the green threads of PID, a process running under unblock:\n"
        "each one's state (running, runnable, or what it waits for), its\n"
        "carrier, its age and its backtrace, named with file:line where\n"
        "debug info exists.  --raw prints the frames as the process named\n"
        "them.\n",
        f);
}

int ub_ps_main(int argc, char **argv)
{
  struct target t = {.cmd = "ps"};
  bool raw = false;
  const char *pid = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      ps_usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "--raw") == 0) {
      raw = true;
    } else if (argv[i][0] == '-' || pid != NULL) {
      fprintf(stderr, "unblock ps: unexpected '%s'\n", argv[i]);
      ps_usage(stderr);
      return 2;
    } else {
      pid = argv[i];
    }
  }
  if (pid == NULL) {
    ps_usage(stderr);
    return 2;
  }
  char *answer = NULL;
  size_t n;
  int r = open_target(&t, pid);
  if (r == 0)
    r = ask(&t, "ps\n", &answer, &n);
  if (r == 0 && strncmp(answer, "unblock: green threads", 22) != 0) {
    fputs(answer, stderr); /* refused: not yours to ask, say */
    r = 1;
  } else if (r == 0) {
    print_dump(answer, t.pid, raw);
  }
  free(answer);
  free(t.env);
  return r;
}

/* No control socket: the target's profile signal, if it has one. */
static int profile_by_signal(struct target *t)
{
  const char *sig = env_of(t, "UNBLOCK_PROFILE_SIGNAL");
  const char *file = env_of(t, "UNBLOCK_PROFILE");
  int n = sig != NULL ? ub_config_parse_signal(sig) : -EINVAL;
  if (n <= 0 || file == NULL)
    return 1;
  if (kill((pid_t)t->pid, n) != 0) {
    fprintf(stderr, "unblock profile: cannot signal process %ld: %s\n", t->pid,
            strerror(errno));
    return 1;
  }
  printf("sent signal %d (UNBLOCK_PROFILE_SIGNAL) to process %ld: its profile "
         "goes to %s\n",
         n, t->pid, file);
  return 0;
}

int ub_ctl_profile_main(int argc, char **argv)
{
  struct target t = {.cmd = "profile"};
  if (argc == 2 &&
      (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs("usage: unblock profile PID\n"
          "Make PID, a process running under unblock with a profile on,\n"
          "write its profile now, and print where it went.\n",
          stdout);
    return 0;
  }
  if (argc != 2 || argv[1][0] == '-') {
    fputs("usage: unblock profile PID\n", stderr);
    return 2;
  }
  char *answer;
  size_t n;
  int r = open_target(&t, argv[1]);
  const char *mode = r == 0 ? env_of(&t, "UNBLOCK_MODE") : NULL;
  const char *ctl = r == 0 ? env_of(&t, "UNBLOCK_CONTROL") : NULL;
  if (r == 0 && ((mode != NULL && strcmp(mode, "observe") == 0) ||
                 (ctl != NULL && strcmp(ctl, "0") == 0))) {
    /* No control socket by design: the signal is the way in. */
    r = profile_by_signal(&t);
    if (r != 0)
      fprintf(stderr,
              "unblock profile: process %ld has no control socket "
              "(%s) and no UNBLOCK_PROFILE_SIGNAL to write its "
              "profile on\n",
              t.pid,
              ctl != NULL && ctl[0] == '0' ? "UNBLOCK_CONTROL=0"
                                           : "observe mode");
  } else if (r == 0 && (r = ask(&t, "profile\n", &answer, &n)) == 0) {
    bool ok = strncmp(answer, "ok ", 3) == 0;
    if (ok)
      printf("process %ld wrote its profile to %s", t.pid, answer + 3);
    else
      fputs(answer, stderr);
    r = ok ? 0 : 1;
    free(answer);
  }
  free(t.env);
  return r;
}
