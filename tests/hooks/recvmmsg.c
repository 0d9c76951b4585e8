/*
 * Description: recvmmsg(2) on UDP over loopback.  Without MSG_WAITFORONE a
 * blocking recvmmsg waits until all vlen datagrams have arrived: here three,
 * sent 50 ms apart by another thread.  With MSG_WAITFORONE it returns what
 * is queued; MSG_DONTWAIT on an empty socket gives EAGAIN.
 */
#include "snippet.h"

struct sender {
  int fd;
  struct sockaddr_in to;
};

static void *send_three(void *arg)
{
  struct sender *s = arg;
  const char *msg[3] = {"one", "two", "three"};
  for (int i = 0; i < 3; i++) {
    sleep_ms(50);
    CHECK(sendto(s->fd, msg[i], strlen(msg[i]), 0, (struct sockaddr *)&s->to,
                 sizeof(s->to)) == (ssize_t)strlen(msg[i]));
  }
  return NULL;
}

int main(void)
{
  start();
  struct sockaddr_in ra, sa;
  int r = udp_local(&ra), s = udp_local(&sa);
  char bufs[4][16];
  struct iovec iov[4];
  struct mmsghdr v[4];
  memset(v, 0, sizeof(v));
  for (int i = 0; i < 4; i++) {
    iov[i] = (struct iovec){bufs[i], sizeof(bufs[i])};
    v[i].msg_hdr.msg_iov = &iov[i];
    v[i].msg_hdr.msg_iovlen = 1;
  }

  struct sender snd = {s, ra};
  double t0 = now_ms();
  pthread_t t = spawn(send_three, &snd);
  int n = SYS("recvmmsg of 3 waits for all 3", recvmmsg(r, v, 3, 0, NULL));
  printf("waited at least 140ms: %s\n", yesno(now_ms() - t0 >= 140));
  for (int i = 0; i < n; i++)
    printf("  %d: %.*s\n", i, (int)v[i].msg_len, bufs[i]);
  join(t);

  CHECK(sendto(s, "a", 1, 0, (struct sockaddr *)&ra, sizeof(ra)) == 1);
  CHECK(sendto(s, "bb", 2, 0, (struct sockaddr *)&ra, sizeof(ra)) == 2);
  n = SYS("recvmmsg of 4, MSG_WAITFORONE, 2 queued",
          recvmmsg(r, v, 4, MSG_WAITFORONE, NULL));
  for (int i = 0; i < n; i++)
    printf("  %d: %.*s\n", i, (int)v[i].msg_len, bufs[i]);
  SYS("recvmmsg MSG_DONTWAIT, nothing there",
      recvmmsg(r, v, 4, MSG_DONTWAIT, NULL));
  return 0;
}
