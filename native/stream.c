/*
 * Non-blocking TCP streams for the health checkers, without node's stream machinery:
 * connect (optionally bound) and register in an epoll set in one call, send, recv, and
 * one call that drains the set and does each socket's routine step (streamWait).
 * A refused or reset connection is an ordinary outcome of a health check, so these
 * calls return -errno instead of throwing (an exception per failed check is costly).
 * No protocol logic: bytes and numbers in, bytes and numbers out.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "kts.h"

/* Events one streamWait call reports at most (JS calls again while it gets a full batch). */
#define KTS_EPOLL_BATCH 256

static int fill_ip(int family, const uint8_t *addr, size_t len, int32_t port, int32_t scope,
                   struct sockaddr_storage *ss, socklen_t *sl) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET && (len == 4 || len == 0)) {
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    if (len == 4) memcpy(&a->sin_addr, addr, 4);
    *sl = sizeof *a;
    return 0;
  }
  if (family == AF_INET6 && (len == 16 || len == 0)) {
    struct sockaddr_in6 a6;
    memset(&a6, 0, sizeof a6);
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons((uint16_t)port);
    a6.sin6_scope_id = (uint32_t)scope;
    if (len == 16) memcpy(&a6.sin6_addr, addr, 16);
    memcpy(ss, &a6, sizeof a6);
    *sl = sizeof a6;
    return 0;
  }
  return -1;
}

static napi_value int_result(napi_env env, int32_t v) {
  napi_value r;
  KTS_CHECK(napi_create_int32(env, v, &r));
  return r;
}

/*
 * A SOCK_STREAM socket, CLOEXEC|NONBLOCK, bound first when a bind address or port is given
 * (with SO_REUSEADDR, as libuv binds), connect() started: the fd (connected or in
 * progress) or -errno, the socket closed.
 */
static int open_stream(const struct sockaddr_storage *ss, socklen_t sl, const struct sockaddr_storage *bs,
                       socklen_t bl) {
  int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  if (bs != NULL) {
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)bs, bl) < 0) {
      int err = errno;
      close(fd);
      return -err;
    }
  }
  if (connect(fd, (const struct sockaddr *)ss, sl) < 0 && errno != EINPROGRESS) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

/*
 * Reads the (family, address, port, scopeId, bindAddress | null, bindPort) arguments at
 * argv into socket addresses; *bound says whether to bind. Nonzero: a JS exception is set.
 */
static int endpoint_args(napi_env env, napi_value *argv, struct sockaddr_storage *ss, socklen_t *sl,
                         struct sockaddr_storage *bs, socklen_t *bl, int *bound) {
  int32_t family, port, scope, bind_port;
  uint8_t *addr, *baddr = NULL;
  size_t alen, blen = 0;
  napi_valuetype btype;
  if (kts_arg_int(env, argv[0], &family, "family") || kts_arg_bytes(argv[1], env, &addr, &alen, "address") ||
      kts_arg_int(env, argv[2], &port, "port") || kts_arg_int(env, argv[3], &scope, "scopeId") ||
      kts_arg_int(env, argv[5], &bind_port, "bindPort"))
    return -1;
  if (napi_typeof(env, argv[4], &btype) != napi_ok) return -1;
  if (btype != napi_null && btype != napi_undefined &&
      kts_arg_bytes(argv[4], env, &baddr, &blen, "bindAddress"))
    return -1;
  if (alen == 0 || fill_ip(family, addr, alen, port, scope, ss, sl)) {
    kts_throw_arg(env, "address does not fit the family");
    return -1;
  }
  *bound = baddr != NULL || bind_port > 0;
  if (*bound && fill_ip(family, baddr, blen, bind_port, scope, bs, bl)) {
    kts_throw_arg(env, "bindAddress does not fit the family");
    return -1;
  }
  return 0;
}

/* streamSend(fd, data, offset, length) -> bytes sent | -errno (MSG_NOSIGNAL: no SIGPIPE). */
napi_value kts_stream_send(napi_env env, napi_callback_info info) {
  size_t argc = 4, len;
  napi_value argv[4];
  int32_t fd, off, n;
  uint8_t *data;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4 || kts_arg_int(env, argv[0], &fd, "fd") || kts_arg_bytes(argv[1], env, &data, &len, "data") ||
      kts_arg_int(env, argv[2], &off, "offset") || kts_arg_int(env, argv[3], &n, "length"))
    return NULL;
  if (off < 0 || n < 0 || (size_t)off + (size_t)n > len) return kts_throw_arg(env, "offset/length out of range");
  ssize_t r = send(fd, data + off, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
  return int_result(env, r < 0 ? -errno : (int32_t)r);
}

/* streamRecv(fd, buffer) -> bytes read (0: end of stream) | -errno. */
napi_value kts_stream_recv(napi_env env, napi_callback_info info) {
  size_t argc = 2, len;
  napi_value argv[2];
  int32_t fd;
  uint8_t *buf;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &fd, "fd") || kts_arg_bytes(argv[1], env, &buf, &len, "buffer"))
    return NULL;
  ssize_t r = recv(fd, buf, len, MSG_DONTWAIT);
  return int_result(env, r < 0 ? -errno : (int32_t)r);
}

/* epollCreate() -> fd (CLOEXEC, owned by this environment). */
napi_value kts_epoll_create(napi_env env, KTS_UNUSED napi_callback_info info) {
  return kts_new_fd_result(env, epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
}

/*
 * What streamWait does itself for a socket registered by streamOpen (the mode rides in the
 * upper half of the epoll event's data, the fd in the lower): it saves the checks the
 * native calls they would make on every readiness. Socket calls only, no protocol.
 */
enum {
  /* Report the readiness. */
  KTS_STREAM_REPORT = 0,
  /* A connection probe: at the first readiness read SO_ERROR (on EPOLLERR/HUP), close the fd. */
  KTS_STREAM_CONNECT = 1,
  /* On input, hangup or error: recv until EAGAIN, end of stream or the buffer is full; closed at the end or an error. */
  KTS_STREAM_READ = 2,
};
/* Outcomes of a KTS_STREAM_READ readiness (errno values are positive). */
#define KTS_STREAM_OPEN 0
#define KTS_STREAM_END (-1)
#define KTS_STREAM_FULL (-2)

/*
 * streamOpen(epfd, family, address, port, scopeId, bindAddress | null, bindPort, events, mode)
 * -> fd | -errno: open_stream's socket, added to the epoll set `epfd` for `events` in one
 * call. An fd that streamWait closes (modes CONNECT and READ) is disowned there.
 */
napi_value kts_stream_open(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  int32_t epfd, events, mode;
  struct sockaddr_storage ss, bs;
  socklen_t sl, bl = 0;
  int bound;
  struct epoll_event ev;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9)
    return kts_throw_arg(
        env, "streamOpen(epfd, family, address, port, scopeId, bindAddress, bindPort, events, mode)");
  if (kts_arg_int(env, argv[0], &epfd, "epfd") || kts_arg_int(env, argv[7], &events, "events") ||
      kts_arg_int(env, argv[8], &mode, "mode"))
    return NULL;
  if (mode < KTS_STREAM_REPORT || mode > KTS_STREAM_READ) return kts_throw_arg(env, "mode out of range");
  if (endpoint_args(env, argv + 1, &ss, &sl, &bs, &bl, &bound)) return NULL;
  int fd = open_stream(&ss, sl, bound ? &bs : NULL, bl);
  if (fd < 0) return int_result(env, fd);
  memset(&ev, 0, sizeof ev);
  ev.events = (uint32_t)events;
  ev.data.u64 = (uint64_t)(uint32_t)fd | ((uint64_t)(uint32_t)mode << 32);
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
    int err = errno;
    close(fd);
    return int_result(env, -err);
  }
  if (kts_own_fd(kts_get_env(env), fd) < 0) {
    close(fd);
    return int_result(env, -ENOMEM);
  }
  return int_result(env, fd);
}

static void close_owned(struct kts_env *ke, int fd) {
  kts_disown_fd(ke, fd);
  close(fd);
}

/*
 * Reads a READ-mode socket into buf[*off, cap): its outcome (KTS_STREAM_OPEN at EAGAIN,
 * KTS_STREAM_END, KTS_STREAM_FULL, or an errno), *off advanced past what was read.
 */
static int32_t read_ready(int fd, uint8_t *buf, size_t cap, size_t *off) {
  for (;;) {
    if (*off >= cap) return KTS_STREAM_FULL;
    ssize_t r = recv(fd, buf + *off, cap - *off, MSG_DONTWAIT);
    if (r > 0) {
      *off += (size_t)r;
      continue;
    }
    if (r == 0) return KTS_STREAM_END;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? KTS_STREAM_OPEN : errno;
  }
}

/*
 * streamWait(epfd, out: Int32Array, buf: Uint8Array) -> n ready sockets, without waiting;
 * at most min(out.length / 4, 256). For each i: out[4i] the fd, out[4i+1] its events,
 * out[4i+2] the bytes read into buf for it (each socket's bytes follow the previous
 * one's, from buf[0]), out[4i+3] the outcome: REPORT 0; CONNECT the connection's errno
 * (0: connected), fd closed; READ KTS_STREAM_OPEN/END/FULL or an errno, fd closed at END
 * or an errno (a socket the full buffer left unread reports FULL with 0 bytes).
 */
napi_value kts_stream_wait(napi_env env, napi_callback_info info) {
  size_t argc = 3, len, cap;
  napi_value argv[3];
  int32_t epfd;
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr;
  uint8_t *buf;
  struct epoll_event evs[KTS_EPOLL_BATCH];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || kts_arg_int(env, argv[0], &epfd, "epfd")) return NULL;
  KTS_CHECK(napi_is_typedarray(env, argv[1], &is_ta));
  if (is_ta) KTS_CHECK(napi_get_typedarray_info(env, argv[1], &type, &len, &ptr, NULL, NULL));
  if (!is_ta || type != napi_int32_array || len < 4) return kts_throw_arg(env, "out must be an Int32Array");
  if (kts_arg_bytes(argv[2], env, &buf, &cap, "buf")) return NULL;
  int max = (int)(len / 4 < KTS_EPOLL_BATCH ? len / 4 : KTS_EPOLL_BATCH);
  int n = epoll_wait(epfd, evs, max, 0);
  if (n < 0) return int_result(env, errno == EINTR ? 0 : -errno);
  struct kts_env *ke = kts_get_env(env);
  int32_t *out = ptr;
  size_t off = 0;
  for (int i = 0; i < n; i++) {
    int fd = (int)(uint32_t)evs[i].data.u64;
    int mode = (int)(evs[i].data.u64 >> 32);
    uint32_t events = evs[i].events;
    int32_t outcome = 0;
    size_t start = off;
    if (mode == KTS_STREAM_CONNECT) {
      if (events & (EPOLLERR | EPOLLHUP)) {
        int value = 0;
        socklen_t vl = sizeof value;
        outcome = getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &vl) < 0 ? errno : value;
      }
      close_owned(ke, fd);
    } else if (mode == KTS_STREAM_READ && (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))) {
      outcome = read_ready(fd, buf, cap, &off);
      if (outcome != KTS_STREAM_OPEN && outcome != KTS_STREAM_FULL) close_owned(ke, fd);
    }
    out[4 * i] = fd;
    out[4 * i + 1] = (int32_t)events;
    out[4 * i + 2] = (int32_t)(off - start);
    out[4 * i + 3] = outcome;
  }
  return int_result(env, n);
}

/*
 * streamClock() -> CLOCK_MONOTONIC in ms (the clock process.hrtime reads, in one call
 * and one number instead of an array): the check runner reads it a few times a tick.
 */
napi_value kts_stream_clock(napi_env env, KTS_UNUSED napi_callback_info info) {
  struct timespec ts;
  napi_value r;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  KTS_CHECK(napi_create_double(env, (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6, &r));
  return r;
}

/* streamConstants() -> the epoll and errno numbers the stream calls speak. */
napi_value kts_stream_constants(napi_env env, KTS_UNUSED napi_callback_info info) {
  static const struct {
    const char *name;
    int value;
  } table[] = {
      {"EPOLLIN", EPOLLIN},         {"EPOLLOUT", EPOLLOUT},       {"EPOLLERR", EPOLLERR},
      {"EPOLLHUP", EPOLLHUP},       {"EPOLLRDHUP", EPOLLRDHUP},   {"EPOLL_CTL_ADD", EPOLL_CTL_ADD},
      {"EPOLL_CTL_DEL", EPOLL_CTL_DEL}, {"EPOLL_CTL_MOD", EPOLL_CTL_MOD}, {"EAGAIN", EAGAIN},
      {"EINTR", EINTR},           {"EPOLLET", (int)EPOLLET},    {"STREAM_REPORT", KTS_STREAM_REPORT},
      {"STREAM_CONNECT", KTS_STREAM_CONNECT}, {"STREAM_READ", KTS_STREAM_READ}, {"STREAM_OPEN", KTS_STREAM_OPEN},
      {"STREAM_END", KTS_STREAM_END}, {"STREAM_FULL", KTS_STREAM_FULL},
  };
  napi_value obj, v;
  KTS_CHECK(napi_create_object(env, &obj));
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    KTS_CHECK(napi_create_int32(env, table[i].value, &v));
    KTS_CHECK(napi_set_named_property(env, obj, table[i].name, v));
  }
  return obj;
}
