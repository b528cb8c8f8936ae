/*
 * File-descriptor lifetime: socket() always CLOEXEC|NONBLOCK, close() that first
 * tears down any poll watcher on the fd, bind(), getsockname(), and interface
 * name/index lookups.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kts.h"

/* Records fd as owned by this environment; -1 when out of memory. */
int kts_own_fd(struct kts_env *ke, int fd) {
  if ((size_t)fd >= ke->nowned) {
    size_t n = ke->nowned ? ke->nowned : 64;
    while (n <= (size_t)fd) n *= 2;
    uint8_t *t = realloc(ke->owned, n);
    if (t == NULL) return -1;
    memset(t + ke->nowned, 0, n - ke->nowned);
    ke->owned = t;
    ke->nowned = n;
  }
  ke->owned[fd] = 1;
  return 0;
}

/*
 * The JS result of a call that made `fd` (-1 with errno set when it failed): the fd,
 * owned by this environment, or an ErrnoError naming `syscall`.
 */
napi_value kts_new_fd_result(napi_env env, int fd, const char *syscall) {
  napi_value result;
  if (fd < 0) return kts_throw_errno(env, syscall, errno);
  if (kts_own_fd(kts_get_env(env), fd) < 0) {
    close(fd);
    return kts_throw_errno(env, syscall, ENOMEM);
  }
  KTS_CHECK(napi_create_int32(env, fd, &result));
  return result;
}

void kts_disown_fd(struct kts_env *ke, int fd) {
  if (fd >= 0 && (size_t)fd < ke->nowned) ke->owned[fd] = 0;
}

/*
 * Environment teardown (a worker ending, the process exiting): closes every fd
 * the environment still owns, so a worker that forgot close() leaks nothing.
 * Watchers are already gone (kts_poll_teardown runs first).
 */
void kts_fd_teardown(struct kts_env *ke) {
  for (size_t fd = 0; fd < ke->nowned; fd++)
    if (ke->owned[fd]) close((int)fd);
  free(ke->owned);
  ke->owned = NULL;
  ke->nowned = 0;
}

static int allowed(int domain, int type) {
  switch (domain) {
  case AF_INET:
  case AF_INET6:
    return type == SOCK_RAW;
  case AF_PACKET:
  case AF_NETLINK:
    return type == SOCK_RAW || type == SOCK_DGRAM;
  case AF_UNIX:
    return type == SOCK_DGRAM;
  default:
    return 0;
  }
}

/* socket(domain, type, protocol) -> fd. AF_PACKET protocol is the ethertype in host order. */
napi_value kts_socket(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  int32_t domain, type, protocol;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return kts_throw_arg(env, "socket(domain, type, protocol)");
  if (kts_arg_int(env, argv[0], &domain, "domain") || kts_arg_int(env, argv[1], &type, "type") ||
      kts_arg_int(env, argv[2], &protocol, "protocol"))
    return NULL;
  if (!allowed(domain, type)) return kts_throw_arg(env, "socket domain/type not in the allow-list");
  if (domain == AF_PACKET) protocol = htons((uint16_t)protocol);
  return kts_new_fd_result(env, socket(domain, type | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol), "socket");
}

napi_value kts_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || kts_arg_int(env, argv[0], &fd, "fd")) return NULL;
  struct kts_env *ke = kts_get_env(env);
  kts_poll_release_fd(env, ke, fd);
  kts_disown_fd(ke, fd);
  /* Linux always releases the fd, even when close() reports EINTR: never retry. */
  if (close(fd) < 0 && errno != EINTR) return kts_throw_errno(env, "close", errno);
  return NULL;
}

napi_value kts_bind(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  struct sockaddr_storage ss;
  socklen_t len;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &fd, "fd")) return NULL;
  if (kts_sockaddr_from_js(env, argv[1], &ss, &len)) return NULL;
  if (bind(fd, (struct sockaddr *)&ss, len) < 0) return kts_throw_errno(env, "bind", errno);
  return NULL;
}

/* getsockname(fd, meta): fills the source fields of meta (family, a, b, c, d, addrlen, src). */
napi_value kts_getsockname(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd;
  struct kts_meta *meta;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &fd, "fd") || kts_get_meta(env, argv[1], &meta)) return NULL;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return kts_throw_errno(env, "getsockname", errno);
  kts_sockaddr_to_meta(&ss, len, meta);
  return NULL;
}

/* ifNameToIndex(name) -> index, 0 when no such interface. */
napi_value kts_if_nametoindex(napi_env env, napi_callback_info info) {
  size_t argc = 1, n;
  napi_value argv[1], result;
  char name[IF_NAMESIZE + 1];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &n) != napi_ok)
    return kts_throw_arg(env, "ifNameToIndex(name: string)");
  unsigned int index = n >= IF_NAMESIZE ? 0 : if_nametoindex(name);
  KTS_CHECK(napi_create_uint32(env, index, &result));
  return result;
}

/* ifIndexToName(index) -> name, or null when no such interface. */
napi_value kts_if_indextoname(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  int32_t index;
  char name[IF_NAMESIZE];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || kts_arg_int(env, argv[0], &index, "index")) return NULL;
  if (index <= 0 || if_indextoname((unsigned int)index, name) == NULL) {
    KTS_CHECK(napi_get_null(env, &result));
    return result;
  }
  KTS_CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &result));
  return result;
}
