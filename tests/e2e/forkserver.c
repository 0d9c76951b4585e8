/*
 * Description: a fork-per-connection server.  The main thread accepts, and
 * forks a child per connection; the child closes the listening socket,
 * reads one request line, answers it and exits with a status taken from the
 * request; the parent closes its copy of the connection, and once every
 * connection is accepted it reaps the children with waitpid.
 *
 *   forkserver process  the clients are threads of a separate client
 *                       process, forked before the server starts accepting
 *   forkserver threads  the clients are threads of the server process
 *                       itself, so each child is forked from a process with
 *                       other threads in it, and those client threads must
 *                       keep running while the parent blocks in waitpid
 *
 * Prints each client's answer, then the sorted exit statuses the parent
 * reaped.
 */
#include "e2e.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

#define CLIENTS 6

static int port;
static char answer[CLIENTS][128];

static void *client(void *arg)
{
  int id = (int)(long)arg;
  int s = connect_loopback(port);
  char req[64];
  int len = snprintf(req, sizeof(req), "request %d\n", id);
  CHECK(write(s, req, len) == len);
  int have = 0;
  for (;;) {
    ssize_t n = read(s, answer[id] + have, sizeof(answer[id]) - 1 - have);
    if (n <= 0)
      break;
    have += (int)n;
  }
  answer[id][have] = '\0';
  close(s);
  return NULL;
}

static void run_clients(pthread_t *t)
{
  for (long i = 0; i < CLIENTS; i++)
    CHECK(pthread_create(&t[i], NULL, client, (void *)i) == 0);
}

static void print_answers(pthread_t *t)
{
  for (int i = 0; i < CLIENTS; i++)
    CHECK(pthread_join(t[i], NULL) == 0);
  for (int i = 0; i < CLIENTS; i++)
    printf("client %d got: %s", i, answer[i]);
}

/* The child: one request line in, one answer out, exit status 10 + id. */
static void serve(int c)
{
  char buf[64];
  int have = 0;
  while (have < (int)sizeof(buf) - 1) {
    ssize_t n = read(c, buf + have, 1);
    if (n <= 0 || buf[have] == '\n')
      break;
    have++;
  }
  buf[have] = '\0';
  int id;
  if (sscanf(buf, "request %d", &id) != 1)
    _exit(1);
  char out[128];
  int len = snprintf(out, sizeof(out), "child served '%s'\n", buf);
  if (write(c, out, len) != len)
    _exit(2);
  close(c);
  _exit(10 + id);
}

static int cmp_int(const void *a, const void *b)
{
  return *(const int *)a - *(const int *)b;
}

static int status_of(int st)
{
  return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
  start();
  int threads = argc == 2 && strcmp(argv[1], "threads") == 0;
  if (argc != 2 || (!threads && strcmp(argv[1], "process") != 0)) {
    fprintf(stderr, "usage: forkserver process|threads\n");
    return 2;
  }
  int l = listen_loopback(&port);
  pthread_t t[CLIENTS];
  pid_t clients = -1;
  if (threads) {
    run_clients(t);
  } else {
    clients = fork();
    CHECK(clients >= 0);
    if (clients == 0) {
      watchdog();
      close(l);
      run_clients(t);
      print_answers(t);
      fflush(stdout);
      _exit(0);
    }
  }

  for (int i = 0; i < CLIENTS; i++) {
    int c = accept(l, NULL, NULL);
    CHECK(c >= 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
      watchdog();
      close(l);
      serve(c);
    }
    close(c);
  }
  if (clients > 0) {
    int st;
    CHECK(waitpid(clients, &st, 0) == clients);
    printf("client process exit status: %d\n", status_of(st));
  }
  int codes[CLIENTS];
  for (int i = 0; i < CLIENTS; i++) {
    int st;
    pid_t p = waitpid(-1, &st, 0);
    CHECK(p > 0);
    codes[i] = status_of(st);
  }
  printf("waitpid after the last child: %s\n",
         waitpid(-1, NULL, WNOHANG) < 0 ? errname(errno) : "a child left");
  if (threads)
    print_answers(t);
  qsort(codes, CLIENTS, sizeof(codes[0]), cmp_int);
  printf("exit statuses reaped:");
  for (int i = 0; i < CLIENTS; i++)
    printf(" %d", codes[i]);
  printf("\n");
  close(l);
  return 0;
}
