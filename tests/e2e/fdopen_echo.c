/*
 * Description: a socket wrapped in stdio.  A server thread accepts one
 * connection, fdopen()s it and answers each line read with fgets() by an
 * upper-cased line written with fprintf(); a client thread in the same
 * program fdopen()s its socket and sends lines with fprintf(), reading each
 * answer with fgets().  stdio reads and writes through glibc's internal
 * symbols, which no preload can interpose, so this is where a shim that
 * only hooks read() and write() would block its only carrier.
 *
 * Prints every answer, then what each side saw at the end of the stream.
 */
#include "e2e.h"
#include <ctype.h>
#include <pthread.h>

#define LINES 50

static int lsock;

static void *server(void *arg)
{
  (void)arg;
  int c = accept(lsock, NULL, NULL);
  CHECK(c >= 0);
  FILE *f = fdopen(c, "r+");
  CHECK(f != NULL);
  char line[128];
  int n = 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    for (char *p = line; *p != '\0'; p++)
      *p = (char)toupper((unsigned char)*p);
    fprintf(f, "%d %s", ++n, line);
    fflush(f);
  }
  printf("server: end of stream after %d lines, error %s\n", n,
         yesno(ferror(f)));
  fclose(f);
  return NULL;
}

int main(void)
{
  start();
  int port;
  lsock = listen_loopback(&port);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, server, NULL) == 0);

  int s = connect_loopback(port);
  FILE *f = fdopen(s, "r+");
  CHECK(f != NULL);
  char line[128];
  for (int i = 0; i < LINES; i++) {
    fprintf(f, "line %d of %d, from the client\n", i + 1, LINES);
    fflush(f);
    if (fgets(line, sizeof(line), f) == NULL) {
      printf("client: no answer to line %d (%s, errno %s)\n", i + 1,
             feof(f) ? "EOF" : "error", errname(errno));
      break;
    }
    fputs(line, stdout);
  }
  /* Half-close: the server sees the end of the stream and says so. */
  fflush(f);
  CHECK(shutdown(s, SHUT_WR) == 0);
  printf("client: after shutdown, fgets gives %s\n",
         fgets(line, sizeof(line), f) == NULL ? "NULL" : line);
  CHECK(pthread_join(t, NULL) == 0);
  fclose(f);
  close(lsock);
  return 0;
}
