/*
 * sendmsg/recvmsg with the ancillary data VRRP needs. Never blocks: sockets are
 * non-blocking and calls pass MSG_DONTWAIT. sendmsg throws ErrnoError (EAGAIN
 * included, so JS can count or queue); recvmsg returns -1 on EAGAIN so a drain
 * loop ends without an exception.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "kts.h"

/* Appends one control message; *used tracks the bytes of msg_control in use. */
static struct cmsghdr *put_cmsg(struct msghdr *msg, struct cmsghdr *prev, size_t *used, int level,
                                int type, const void *data, size_t len) {
  struct cmsghdr *c = prev == NULL ? CMSG_FIRSTHDR(msg) : CMSG_NXTHDR(msg, prev);
  *used += CMSG_SPACE(len);
  c->cmsg_level = level;
  c->cmsg_type = type;
  c->cmsg_len = CMSG_LEN(len);
  memcpy(CMSG_DATA(c), data, len);
  return c;
}

/* anc: {family: AF_INET|AF_INET6, ifindex?, source?: Uint8Array, hopLimit?} */
static int build_ancillary(napi_env env, napi_value anc, struct msghdr *msg, union kts_cmsgbuf *cb) {
  int32_t family, ifindex, hops;
  uint8_t *src;
  size_t slen;
  struct cmsghdr *c = NULL;
  size_t used = 0;
  if (kts_prop_int(env, anc, "family", 0, &family) || kts_prop_int(env, anc, "ifindex", 0, &ifindex) ||
      kts_prop_int(env, anc, "hopLimit", -1, &hops) || kts_prop_bytes(env, anc, "source", &src, &slen))
    return -1;
  memset(cb, 0, sizeof *cb);
  msg->msg_control = cb->buf;
  msg->msg_controllen = sizeof cb->buf;
  if (family == AF_INET) {
    if (slen != 0 && slen != 4) goto bad;
    if (ifindex > 0 || slen) {
      struct in_pktinfo pi = {.ipi_ifindex = ifindex};
      if (slen) memcpy(&pi.ipi_spec_dst, src, 4);
      c = put_cmsg(msg, c, &used, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
    }
    if (hops >= 0) c = put_cmsg(msg, c, &used, IPPROTO_IP, IP_TTL, &hops, sizeof hops);
  } else if (family == AF_INET6) {
    if (slen != 0 && slen != 16) goto bad;
    if (ifindex > 0 || slen) {
      struct in6_pktinfo pi = {.ipi6_ifindex = (unsigned int)ifindex};
      if (slen) memcpy(&pi.ipi6_addr, src, 16);
      c = put_cmsg(msg, c, &used, IPPROTO_IPV6, IPV6_PKTINFO, &pi, sizeof pi);
    }
    if (hops >= 0) c = put_cmsg(msg, c, &used, IPPROTO_IPV6, IPV6_HOPLIMIT, &hops, sizeof hops);
  } else {
    kts_throw_arg(env, "ancillary family must be AF_INET or AF_INET6");
    return -1;
  }
  msg->msg_controllen = used;
  if (used == 0) msg->msg_control = NULL;
  return 0;
bad:
  kts_throw_arg(env, "ancillary source must match the family (4 or 16 bytes)");
  return -1;
}

static int is_set(napi_env env, napi_value v) {
  napi_valuetype type;
  return napi_typeof(env, v, &type) == napi_ok && type != napi_undefined && type != napi_null;
}

/* Fills msg's name and control from (dest|null, ancillary|null); the iov is the caller's. */
int kts_msghdr_from_js(napi_env env, napi_value dest, napi_value anc, struct msghdr *msg,
                       struct sockaddr_storage *ss, union kts_cmsgbuf *cb) {
  memset(msg, 0, sizeof *msg);
  if (dest != NULL && is_set(env, dest)) {
    if (kts_sockaddr_from_js(env, dest, ss, &msg->msg_namelen)) return -1;
    msg->msg_name = ss;
  }
  if (anc != NULL && is_set(env, anc) && build_ancillary(env, anc, msg, cb)) return -1;
  return 0;
}

/* sendmsg(fd, data, dest|null, ancillary|null) -> bytes sent */
napi_value kts_sendmsg(napi_env env, napi_callback_info info) {
  size_t argc = 4, len;
  napi_value argv[4], result;
  int32_t fd;
  uint8_t *data;
  struct sockaddr_storage ss;
  union kts_cmsgbuf cb;
  struct msghdr msg;
  struct iovec iov;
  ssize_t n;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &fd, "fd") || kts_arg_bytes(argv[1], env, &data, &len, "data"))
    return NULL;
  if (kts_msghdr_from_js(env, argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL, &msg, &ss, &cb))
    return NULL;
  iov.iov_base = data;
  iov.iov_len = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  do n = sendmsg(fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return kts_throw_errno(env, "sendmsg", errno);
  KTS_CHECK(napi_create_int64(env, n, &result));
  return result;
}

static void read_cmsgs(struct msghdr *msg, struct kts_meta *m) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
      memcpy(&m->hops, CMSG_DATA(c), sizeof m->hops);
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      m->ifindex = pi.ipi_ifindex;
      m->dfamily = AF_INET;
      memcpy(m->dst, &pi.ipi_addr, 4);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) {
      memcpy(&m->hops, CMSG_DATA(c), sizeof m->hops);
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      m->ifindex = (int32_t)pi.ipi6_ifindex;
      m->dfamily = AF_INET6;
      memcpy(m->dst, &pi.ipi6_addr, 16);
    }
  }
}

/*
 * recvmsg(fd, buffer, meta) -> bytes copied into buffer, or -1 on EAGAIN.
 * meta (Int32Array(20), layout struct kts_meta) receives the full length, flags,
 * source address, TTL/hop limit and pktinfo. Nothing is allocated per packet.
 */
napi_value kts_recvmsg(napi_env env, napi_callback_info info) {
  size_t argc = 3, len;
  napi_value argv[3], result;
  int32_t fd;
  uint8_t *data;
  struct kts_meta *m;
  struct sockaddr_storage ss;
  union kts_cmsgbuf cb;
  struct msghdr msg;
  struct iovec iov;
  ssize_t n;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || kts_arg_int(env, argv[0], &fd, "fd") ||
      kts_arg_bytes(argv[1], env, &data, &len, "buffer") || kts_get_meta(env, argv[2], &m))
    return NULL;
  memset(&msg, 0, sizeof msg);
  memset(&ss, 0, sizeof ss);
  iov.iov_base = data;
  iov.iov_len = len;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_name = &ss;
  msg.msg_namelen = sizeof ss;
  msg.msg_control = cb.buf;
  msg.msg_controllen = sizeof cb.buf;
  /* MSG_TRUNC: raw, packet and netlink sockets then return the real datagram length. */
  do n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_TRUNC);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    KTS_CHECK(napi_create_int32(env, -1, &result));
    return result;
  }
  if (n < 0) return kts_throw_errno(env, "recvmsg", errno);
  memset(m, 0, sizeof *m);
  m->length = (int32_t)n;
  m->flags = msg.msg_flags;
  m->hops = -1;
  m->ifindex = -1;
  kts_sockaddr_to_meta(&ss, msg.msg_namelen, m);
  read_cmsgs(&msg, m);
  KTS_CHECK(napi_create_int64(env, (size_t)n < len ? n : (ssize_t)len, &result));
  return result;
}

/* Most datagrams one recvmmsg call reads: bounds the per-call stack arrays below. */
#define KTS_RECVMMSG_MAX 64

/*
 * recvmmsg(fd, buffer, slotSize, meta, count) -> datagrams read (0 when none is queued).
 * Reads up to `count` datagrams in one system call: datagram i goes to
 * buffer[i * slotSize, (i + 1) * slotSize) and its metadata to meta[i * 20, (i + 1) * 20)
 * (layout struct kts_meta, as recvmsg fills it). Fewer than `count` means the queue
 * was emptied. Nothing is allocated per packet.
 */
napi_value kts_recvmmsg(napi_env env, napi_callback_info info) {
  size_t argc = 5, len, metalen;
  napi_value argv[5], result;
  int32_t fd, slot, count;
  uint8_t *data;
  bool is_ta = false;
  napi_typedarray_type type;
  void *metaptr;
  struct mmsghdr msgs[KTS_RECVMMSG_MAX];
  struct iovec iov[KTS_RECVMMSG_MAX];
  struct sockaddr_storage ss[KTS_RECVMMSG_MAX];
  union kts_cmsgbuf cb[KTS_RECVMMSG_MAX];
  int n;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5 || kts_arg_int(env, argv[0], &fd, "fd") ||
      kts_arg_bytes(argv[1], env, &data, &len, "buffer") || kts_arg_int(env, argv[2], &slot, "slotSize") ||
      kts_arg_int(env, argv[4], &count, "count"))
    return NULL;
  if (count < 1 || count > KTS_RECVMMSG_MAX || slot < 1 || (size_t)slot * (size_t)count > len)
    return kts_throw_arg(env, "recvmmsg: count must be 1..64 and buffer hold count slots of slotSize bytes");
  KTS_CHECK(napi_is_typedarray(env, argv[3], &is_ta));
  if (is_ta) KTS_CHECK(napi_get_typedarray_info(env, argv[3], &type, &metalen, &metaptr, NULL, NULL));
  if (!is_ta || type != napi_int32_array || metalen * 4 < (size_t)count * sizeof(struct kts_meta))
    return kts_throw_arg(env, "recvmmsg: meta must be an Int32Array of at least count * 20 elements");
  memset(msgs, 0, (size_t)count * sizeof msgs[0]);
  for (int i = 0; i < count; i++) {
    iov[i].iov_base = data + (size_t)i * (size_t)slot;
    iov[i].iov_len = (size_t)slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &ss[i];
    msgs[i].msg_hdr.msg_namelen = sizeof ss[i];
    msgs[i].msg_hdr.msg_control = cb[i].buf;
    msgs[i].msg_hdr.msg_controllen = sizeof cb[i].buf;
  }
  /* MSG_TRUNC: msg_len is then the real datagram length, as for recvmsg above. */
  do n = recvmmsg(fd, msgs, (unsigned int)count, MSG_DONTWAIT | MSG_TRUNC, NULL);
  while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = 0;
  else if (n < 0) return kts_throw_errno(env, "recvmmsg", errno);
  for (int i = 0; i < n; i++) {
    struct kts_meta *m = (struct kts_meta *)metaptr + i;
    memset(m, 0, sizeof *m);
    m->length = (int32_t)msgs[i].msg_len;
    m->flags = msgs[i].msg_hdr.msg_flags;
    m->hops = -1;
    m->ifindex = -1;
    kts_sockaddr_to_meta(&ss[i], msgs[i].msg_hdr.msg_namelen, m);
    read_cmsgs(&msgs[i].msg_hdr, m);
  }
  KTS_CHECK(napi_create_int32(env, n, &result));
  return result;
}

/* Most datagrams one sendmmsg call sends: bounds the per-call stack arrays below. */
#define KTS_SENDMMSG_MAX 64

static int int32_array(napi_env env, napi_value v, int32_t **out, size_t want) {
  bool is_ta = false;
  napi_typedarray_type type;
  size_t n;
  void *ptr;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return -1;
  if (napi_get_typedarray_info(env, v, &type, &n, &ptr, NULL, NULL) != napi_ok) return -1;
  if (type != napi_int32_array || n < want) return -1;
  *out = ptr;
  return 0;
}

/*
 * sendmmsg(fd, family, data, lengths, addresses, scopeIds, count) -> datagrams sent.
 * Sends `count` datagrams in one system call, without ancillary data: datagram i is the
 * next lengths[i] bytes of `data` (back to back), to the address in
 * addresses[i * 16, i * 16 + 4) (AF_INET) or [i * 16, (i + 1) * 16) with scope id
 * scopeIds[i] (AF_INET6). Fewer than `count` means the kernel stopped at an error
 * (EAGAIN: a full send buffer) after sending those; an error on the first throws.
 */
napi_value kts_sendmmsg(napi_env env, napi_callback_info info) {
  size_t argc = 7, len, alen;
  napi_value argv[7], result;
  int32_t fd, family, count, *lengths, *scopes;
  uint8_t *data, *addrs;
  struct mmsghdr msgs[KTS_SENDMMSG_MAX];
  struct iovec iov[KTS_SENDMMSG_MAX];
  struct sockaddr_storage ss[KTS_SENDMMSG_MAX];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 7 || kts_arg_int(env, argv[0], &fd, "fd") || kts_arg_int(env, argv[1], &family, "family") ||
      kts_arg_bytes(argv[2], env, &data, &len, "data") || kts_arg_bytes(argv[4], env, &addrs, &alen, "addresses") ||
      kts_arg_int(env, argv[6], &count, "count"))
    return NULL;
  if (family != AF_INET && family != AF_INET6) return kts_throw_arg(env, "sendmmsg: family must be AF_INET or AF_INET6");
  if (count < 1 || count > KTS_SENDMMSG_MAX || alen < (size_t)count * 16)
    return kts_throw_arg(env, "sendmmsg: count must be 1..64 and addresses hold 16 bytes per datagram");
  if (int32_array(env, argv[3], &lengths, (size_t)count) || int32_array(env, argv[5], &scopes, (size_t)count))
    return kts_throw_arg(env, "sendmmsg: lengths and scopeIds must be Int32Arrays of at least count elements");
  size_t off = 0;
  memset(msgs, 0, (size_t)count * sizeof msgs[0]);
  memset(ss, 0, (size_t)count * sizeof ss[0]);
  for (int i = 0; i < count; i++) {
    if (lengths[i] < 0 || off + (size_t)lengths[i] > len)
      return kts_throw_arg(env, "sendmmsg: lengths exceed data");
    iov[i].iov_base = data + off;
    iov[i].iov_len = (size_t)lengths[i];
    off += (size_t)lengths[i];
    if (family == AF_INET) {
      struct sockaddr_in *sin = (struct sockaddr_in *)&ss[i];
      sin->sin_family = AF_INET;
      memcpy(&sin->sin_addr, addrs + (size_t)i * 16, 4);
      msgs[i].msg_hdr.msg_namelen = sizeof *sin;
    } else {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss[i];
      sin6->sin6_family = AF_INET6;
      memcpy(&sin6->sin6_addr, addrs + (size_t)i * 16, 16);
      sin6->sin6_scope_id = (uint32_t)scopes[i];
      msgs[i].msg_hdr.msg_namelen = sizeof *sin6;
    }
    msgs[i].msg_hdr.msg_name = &ss[i];
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int n;
  do n = sendmmsg(fd, msgs, (unsigned int)count, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0) return kts_throw_errno(env, "sendmmsg", errno);
  KTS_CHECK(napi_create_int32(env, n, &result));
  return result;
}
