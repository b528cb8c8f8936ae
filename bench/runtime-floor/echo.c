/* A UDP echo on 127.0.0.1 (port 0: the kernel picks; printed on stdout): the least a C
 * daemon does to answer a datagram. Used by bench/runtime-floor.ts. */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>

int main(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0) {
    perror("echo");
    return 1;
  }
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for (;;) {
    char b[64];
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    ssize_t n = recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&peer, &plen);
    if (n >= 0) sendto(s, b, (size_t)n, 0, (struct sockaddr *)&peer, plen);
  }
}
