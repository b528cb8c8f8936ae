/*
 * Argument helpers and sockaddr conversion. A JS address object carries a numeric
 * `family` (the AF_* value) and the fields of that family:
 *   AF_INET    {address: Uint8Array(4), port?}
 *   AF_INET6   {address: Uint8Array(16), port?, scopeId?}
 *   AF_PACKET  {ifindex, protocol? (ethertype, host order), addr?: Uint8Array(<=8)}
 *   AF_NETLINK {pid?, groups?}
 *   AF_UNIX    {path} (a filesystem path, for the syslog socket)
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "kts.h"

int kts_arg_int(napi_env env, napi_value v, int32_t *out, const char *what) {
  napi_valuetype type;
  if (napi_typeof(env, v, &type) != napi_ok) return -1;
  if (type != napi_number) {
    kts_throw_arg(env, what);
    return -1;
  }
  return napi_get_value_int32(env, v, out) == napi_ok ? 0 : -1;
}

/*
 * The first `want` arguments into argv; with `out`, each also read as an int32 (a
 * TypeError for one that is not a number). A call with fewer arguments is a TypeError.
 */
int kts_int_args(napi_env env, napi_callback_info info, size_t want, int32_t *out, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < want) {
    kts_throw_arg(env, "missing arguments");
    return -1;
  }
  for (size_t i = 0; i < want && out != NULL; i++)
    if (kts_arg_int(env, argv[i], &out[i], "expected an integer")) return -1;
  return 0;
}

int kts_arg_bytes(napi_value v, napi_env env, uint8_t **data, size_t *len, const char *what) {
  bool is_ta = false;
  napi_typedarray_type type;
  void *ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok) return -1;
  if (!is_ta) {
    kts_throw_arg(env, what);
    return -1;
  }
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, NULL, NULL) != napi_ok) return -1;
  if (type != napi_uint8_array) {
    kts_throw_arg(env, what);
    return -1;
  }
  *data = ptr;
  return 0;
}

/* Reads obj[name] as an int; absent/undefined gives dflt. */
int kts_prop_int(napi_env env, napi_value obj, const char *name, int32_t dflt, int32_t *out) {
  napi_value v;
  napi_valuetype type;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return -1;
  if (napi_typeof(env, v, &type) != napi_ok) return -1;
  if (type == napi_undefined || type == napi_null) {
    *out = dflt;
    return 0;
  }
  return kts_arg_int(env, v, out, name);
}

/* Reads obj[name] as Uint8Array; absent gives data NULL, len 0. */
int kts_prop_bytes(napi_env env, napi_value obj, const char *name, uint8_t **data, size_t *len) {
  napi_value v;
  napi_valuetype type;
  *data = NULL;
  *len = 0;
  if (napi_get_named_property(env, obj, name, &v) != napi_ok) return -1;
  if (napi_typeof(env, v, &type) != napi_ok) return -1;
  if (type == napi_undefined || type == napi_null) return 0;
  return kts_arg_bytes(v, env, data, len, name);
}

int kts_get_meta(napi_env env, napi_value v, struct kts_meta **meta) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t len;
  void *ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok) return -1;
  if (is_ta && napi_get_typedarray_info(env, v, &type, &len, &ptr, NULL, NULL) != napi_ok) return -1;
  if (!is_ta || type != napi_int32_array || len * 4 < sizeof(struct kts_meta)) {
    kts_throw_arg(env, "meta must be an Int32Array of at least 20 elements");
    return -1;
  }
  *meta = ptr;
  return 0;
}

static int from_inet(napi_env env, napi_value obj, int family, struct sockaddr_storage *ss,
                     socklen_t *len) {
  uint8_t *addr;
  size_t alen;
  int32_t port, scope;
  if (kts_prop_bytes(env, obj, "address", &addr, &alen) || kts_prop_int(env, obj, "port", 0, &port) ||
      kts_prop_int(env, obj, "scopeId", 0, &scope))
    return -1;
  if (family == AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    if (alen != 4 && alen != 0) goto bad;
    sin->sin_family = AF_INET;
    sin->sin_port = htons((uint16_t)port);
    if (alen) memcpy(&sin->sin_addr, addr, 4);
    *len = sizeof *sin;
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    if (alen != 16 && alen != 0) goto bad;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons((uint16_t)port);
    sin6->sin6_scope_id = (uint32_t)scope;
    if (alen) memcpy(&sin6->sin6_addr, addr, 16);
    *len = sizeof *sin6;
  }
  return 0;
bad:
  kts_throw_arg(env, "address must be a Uint8Array of 4 (IPv4) or 16 (IPv6) bytes");
  return -1;
}

static int from_packet(napi_env env, napi_value obj, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_ll *sll = (struct sockaddr_ll *)ss;
  int32_t ifindex, protocol;
  uint8_t *addr;
  size_t alen;
  if (kts_prop_int(env, obj, "ifindex", 0, &ifindex) || kts_prop_int(env, obj, "protocol", 0, &protocol) ||
      kts_prop_bytes(env, obj, "addr", &addr, &alen))
    return -1;
  if (alen > sizeof sll->sll_addr) {
    kts_throw_arg(env, "addr must be at most 8 bytes");
    return -1;
  }
  sll->sll_family = AF_PACKET;
  sll->sll_ifindex = ifindex;
  sll->sll_protocol = htons((uint16_t)protocol);
  sll->sll_halen = (unsigned char)alen;
  if (alen) memcpy(sll->sll_addr, addr, alen);
  *len = sizeof *sll;
  return 0;
}

static int from_netlink(napi_env env, napi_value obj, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_nl *snl = (struct sockaddr_nl *)ss;
  int32_t pid, groups;
  if (kts_prop_int(env, obj, "pid", 0, &pid) || kts_prop_int(env, obj, "groups", 0, &groups)) return -1;
  snl->nl_family = AF_NETLINK;
  snl->nl_pid = (uint32_t)pid;
  snl->nl_groups = (uint32_t)groups;
  *len = sizeof *snl;
  return 0;
}

static int from_unix(napi_env env, napi_value obj, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_un *sun = (struct sockaddr_un *)ss;
  napi_value v;
  size_t n = 0;
  if (napi_get_named_property(env, obj, "path", &v) != napi_ok) return -1;
  if (napi_get_value_string_utf8(env, v, sun->sun_path, sizeof sun->sun_path, &n) != napi_ok) {
    kts_throw_arg(env, "AF_UNIX address needs a string path");
    return -1;
  }
  if (n == 0 || n >= sizeof sun->sun_path - 1) {
    kts_throw_arg(env, "AF_UNIX path is empty or too long");
    return -1;
  }
  sun->sun_family = AF_UNIX;
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
  return 0;
}

int kts_sockaddr_from_js(napi_env env, napi_value obj, struct sockaddr_storage *ss, socklen_t *len) {
  int32_t family;
  napi_valuetype type;
  memset(ss, 0, sizeof *ss);
  if (napi_typeof(env, obj, &type) != napi_ok) return -1;
  if (type != napi_object) {
    kts_throw_arg(env, "address must be an object");
    return -1;
  }
  if (kts_prop_int(env, obj, "family", -1, &family)) return -1;
  switch (family) {
  case AF_INET:
  case AF_INET6:
    return from_inet(env, obj, family, ss, len);
  case AF_PACKET:
    return from_packet(env, obj, ss, len);
  case AF_NETLINK:
    return from_netlink(env, obj, ss, len);
  case AF_UNIX:
    return from_unix(env, obj, ss, len);
  default:
    kts_throw_arg(env, "address family must be AF_INET, AF_INET6, AF_PACKET, AF_NETLINK or AF_UNIX");
    return -1;
  }
}

void kts_sockaddr_to_meta(const struct sockaddr_storage *ss, socklen_t len, struct kts_meta *m) {
  m->family = len >= sizeof(sa_family_t) ? ss->ss_family : 0;
  m->a = m->b = m->c = m->d = m->addrlen = 0;
  if (m->family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    memcpy(m->src, &sin->sin_addr, 4);
    m->addrlen = 4;
  } else if (m->family == AF_INET6) {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    memcpy(m->src, &sin6->sin6_addr, 16);
    m->a = (int32_t)sin6->sin6_scope_id;
    m->addrlen = 16;
  } else if (m->family == AF_PACKET) {
    const struct sockaddr_ll *sll = (const struct sockaddr_ll *)ss;
    m->a = sll->sll_ifindex;
    m->b = ntohs(sll->sll_protocol);
    m->c = sll->sll_pkttype;
    m->d = sll->sll_hatype;
    m->addrlen = sll->sll_halen > 8 ? 8 : sll->sll_halen;
    memcpy(m->src, sll->sll_addr, (size_t)m->addrlen);
  } else if (m->family == AF_NETLINK) {
    const struct sockaddr_nl *snl = (const struct sockaddr_nl *)ss;
    m->a = (int32_t)snl->nl_pid;
    m->b = (int32_t)snl->nl_groups;
  }
}
