/* probe PID PORT QUIET_MS STOP N: N times, leaves the echo PID quiet for QUIET_MS (stopped
 * with SIGSTOP throughout when STOP is 1, then continued), then times one round trip from
 * just before SIGCONT (or the send); prints the N times in ms, one per line. A C prober,
 * so that the side measured is the echo. Used by bench/runtime-floor.ts. */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 6) return 2;
  int pid = atoi(argv[1]), port = atoi(argv[2]), quiet = atoi(argv[3]), stop = atoi(argv[4]), n = atoi(argv[5]);
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct timeval tv = {2, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (int i = 0; i < n; i++) {
    if (stop) kill(pid, SIGSTOP);
    usleep((useconds_t)quiet * 1000);
    double t0 = now_ms();
    if (stop) kill(pid, SIGCONT);
    char b[16];
    if (sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a) < 0 || recv(s, b, sizeof b, 0) < 0) {
      perror("probe");
      return 1;
    }
    printf("%.4f\n", now_ms() - t0);
    usleep(1000);
  }
  return 0;
}
