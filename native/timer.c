/*
 * Sub-millisecond one-shot timers through a timerfd. libuv's timers count whole
 * milliseconds, so a deadline such as a 78 µs Skew_Time would have to be waited out
 * by spinning the loop; a timerfd lets the loop sleep in epoll until the deadline.
 * The fd is polled like a socket (pollStart); timerRead() consumes the expiry.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "kts.h"

/* timerOpen() -> fd: a CLOCK_MONOTONIC timerfd, CLOEXEC|NONBLOCK, disarmed. */
napi_value kts_timer_open(napi_env env, KTS_UNUSED napi_callback_info info) {
  return kts_new_fd_result(env, timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), "timerfd_create");
}

/* timerSet(fd, delayUs): fires once after delayUs (at least 1 µs); a negative delay disarms. */
napi_value kts_timer_set(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  double delay_us;
  struct itimerspec its;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &fd, "fd")) return argc < 2 ? kts_throw_arg(env, "timerSet(fd, delayUs)") : NULL;
  KTS_CHECK(napi_get_value_double(env, argv[1], &delay_us));
  memset(&its, 0, sizeof its);
  if (delay_us >= 0) {
    /* A zero it_value would disarm: the earliest expiry is 1 ns from now. */
    long long ns = delay_us < 1e-3 ? 1 : (long long)(delay_us * 1000.0);
    its.it_value.tv_sec = (time_t)(ns / 1000000000LL);
    its.it_value.tv_nsec = (long)(ns % 1000000000LL);
  }
  if (timerfd_settime(fd, 0, &its, NULL) < 0) return kts_throw_errno(env, "timerfd_settime", errno);
  return NULL;
}

/* timerRead(fd) -> expirations since the last read (0 when none: EAGAIN). */
napi_value kts_timer_read(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t fd;
  uint64_t n = 0;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || kts_arg_int(env, argv[0], &fd, "fd")) return argc < 1 ? kts_throw_arg(env, "timerRead(fd)") : NULL;
  if (read(fd, &n, sizeof n) < 0) {
    if (errno != EAGAIN) return kts_throw_errno(env, "read", errno);
    n = 0;
  }
  KTS_CHECK(napi_create_double(env, (double)n, &result));
  return result;
}
