/*
 * Socket options through an allow-list. Integer options go through
 * setIntOpt/getIntOpt; options with a structure have a typed helper that builds
 * it (membership, IPv4 multicast interface, device binding, BPF filter).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

#include "kts.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define RW 1
#define RO 2

static const struct {
  int level, name, mode;
} int_opts[] = {
    {SOL_SOCKET, SO_RCVBUF, RW},
    {SOL_SOCKET, SO_SNDBUF, RW},
    {SOL_SOCKET, SO_RCVBUFFORCE, RW},
    {SOL_SOCKET, SO_SNDBUFFORCE, RW},
    {SOL_SOCKET, SO_PRIORITY, RW},
    {SOL_SOCKET, SO_REUSEADDR, RW},
    {SOL_SOCKET, SO_ERROR, RO},
    {SOL_SOCKET, SO_TYPE, RO},
    {SOL_SOCKET, SO_DOMAIN, RO},
    {SOL_SOCKET, SO_PROTOCOL, RO},
    {IPPROTO_IP, IP_MULTICAST_TTL, RW},
    {IPPROTO_IP, IP_MULTICAST_LOOP, RW},
    {IPPROTO_IP, IP_MULTICAST_ALL, RW},
    {IPPROTO_IP, IP_PKTINFO, RW},
    {IPPROTO_IP, IP_RECVTTL, RW},
    {IPPROTO_IP, IP_HDRINCL, RW},
    {IPPROTO_IP, IP_TOS, RW},
    {IPPROTO_IP, IP_TTL, RW},
    {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, RW},
    {IPPROTO_IPV6, IPV6_MULTICAST_IF, RW},
    {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, RW},
    {IPPROTO_IPV6, IPV6_MULTICAST_ALL, RW},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, RW},
    {IPPROTO_IPV6, IPV6_RECVPKTINFO, RW},
    {IPPROTO_IPV6, IPV6_RECVHOPLIMIT, RW},
    {IPPROTO_IPV6, IPV6_TCLASS, RW},
    {IPPROTO_IPV6, IPV6_CHECKSUM, RW},
    {IPPROTO_IPV6, IPV6_V6ONLY, RW},
    {SOL_PACKET, PACKET_IGNORE_OUTGOING, RW},
    {SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, RW},
    {SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, RW},
    {SOL_NETLINK, NETLINK_EXT_ACK, RW},
    {SOL_NETLINK, NETLINK_CAP_ACK, RW},
    {SOL_NETLINK, NETLINK_NO_ENOBUFS, RW},
    {SOL_NETLINK, NETLINK_BROADCAST_ERROR, RW},
    {SOL_NETLINK, NETLINK_GET_STRICT_CHK, RW},
};

static int opt_mode(int level, int name) {
  for (size_t i = 0; i < sizeof int_opts / sizeof int_opts[0]; i++)
    if (int_opts[i].level == level && int_opts[i].name == name) return int_opts[i].mode;
  return 0;
}

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv, int32_t *ints,
                    size_t nints) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < want) {
    kts_throw_arg(env, "missing arguments");
    return -1;
  }
  for (size_t i = 0; i < nints; i++)
    if (kts_arg_int(env, argv[i], &ints[i], "expected an integer")) return -1;
  return 0;
}

/* setIntOpt(fd, level, name, value) */
napi_value kts_set_int_opt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t a[4];
  if (get_args(env, info, 4, argv, a, 4)) return NULL;
  if (opt_mode(a[1], a[2]) != RW) return kts_throw_arg(env, "socket option not in the writable allow-list");
  if (setsockopt(a[0], a[1], a[2], &a[3], sizeof a[3]) < 0) return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* getIntOpt(fd, level, name) -> value */
napi_value kts_get_int_opt(napi_env env, napi_callback_info info) {
  napi_value argv[3], result;
  int32_t a[3];
  int value = 0;
  socklen_t len = sizeof value;
  if (get_args(env, info, 3, argv, a, 3)) return NULL;
  if (opt_mode(a[1], a[2]) == 0) return kts_throw_arg(env, "socket option not in the allow-list");
  if (getsockopt(a[0], a[1], a[2], &value, &len) < 0) return kts_throw_errno(env, "getsockopt", errno);
  KTS_CHECK(napi_create_int32(env, value, &result));
  return result;
}

/* setMembership(fd, family, join: boolean, group: Uint8Array, ifindex, local?: Uint8Array(4)) */
napi_value kts_set_membership(napi_env env, napi_callback_info info) {
  napi_value argv[6] = {0};
  int32_t a[2], ifindex;
  bool join;
  uint8_t *group, *local = NULL;
  size_t glen, llen = 0;
  size_t argc = 6;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) return kts_throw_arg(env, "setMembership(fd, family, join, group, ifindex, local?)");
  if (kts_arg_int(env, argv[0], &a[0], "fd") || kts_arg_int(env, argv[1], &a[1], "family") ||
      napi_get_value_bool(env, argv[2], &join) != napi_ok ||
      kts_arg_bytes(argv[3], env, &group, &glen, "group") || kts_arg_int(env, argv[4], &ifindex, "ifindex"))
    return NULL;
  if (argc > 5 && kts_arg_bytes(argv[5], env, &local, &llen, "local")) return NULL;
  int rc;
  if (a[1] == AF_INET && glen == 4 && (llen == 0 || llen == 4)) {
    struct ip_mreqn mr = {.imr_ifindex = ifindex};
    memcpy(&mr.imr_multiaddr, group, 4);
    if (llen) memcpy(&mr.imr_address, local, 4);
    rc = setsockopt(a[0], IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mr, sizeof mr);
  } else if (a[1] == AF_INET6 && glen == 16) {
    struct ipv6_mreq mr = {.ipv6mr_interface = (unsigned int)ifindex};
    memcpy(&mr.ipv6mr_multiaddr, group, 16);
    rc = setsockopt(a[0], IPPROTO_IPV6, join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP, &mr, sizeof mr);
  } else {
    return kts_throw_arg(env, "group must be 4 bytes for AF_INET or 16 bytes for AF_INET6");
  }
  if (rc < 0) return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* setMulticastIf4(fd, ifindex, address?: Uint8Array(4)): IP_MULTICAST_IF with ip_mreqn. */
napi_value kts_set_multicast_if4(napi_env env, napi_callback_info info) {
  napi_value argv[3] = {0};
  int32_t a[2];
  uint8_t *addr = NULL;
  size_t alen = 0, argc = 3;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || kts_arg_int(env, argv[0], &a[0], "fd") || kts_arg_int(env, argv[1], &a[1], "ifindex"))
    return argc < 2 ? kts_throw_arg(env, "setMulticastIf4(fd, ifindex, address?)") : NULL;
  if (argc > 2 && kts_arg_bytes(argv[2], env, &addr, &alen, "address")) return NULL;
  if (alen != 0 && alen != 4) return kts_throw_arg(env, "address must be 4 bytes");
  struct ip_mreqn mr = {.imr_ifindex = a[1]};
  if (alen) memcpy(&mr.imr_address, addr, 4);
  if (setsockopt(a[0], IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof mr) < 0)
    return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* bindToDevice(fd, name): SO_BINDTODEVICE; '' removes the binding. */
napi_value kts_bind_to_device(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  char name[IF_NAMESIZE + 1];
  size_t n;
  if (get_args(env, info, 2, argv, &fd, 1)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &n) != napi_ok || n >= IF_NAMESIZE)
    return kts_throw_arg(env, "device name must be a string shorter than IFNAMSIZ");
  if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)n) < 0)
    return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}

/* attachFilter(fd, program): classic BPF, 8 bytes per struct sock_filter, host order. */
napi_value kts_attach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  uint8_t *prog;
  size_t len;
  if (get_args(env, info, 2, argv, &fd, 1) || kts_arg_bytes(argv[1], env, &prog, &len, "program")) return NULL;
  if (len == 0 || len % sizeof(struct sock_filter) != 0 || len / sizeof(struct sock_filter) > BPF_MAXINSNS)
    return kts_throw_arg(env, "program must be 1..4096 instructions of 8 bytes");
  struct sock_fprog fprog = {.len = (unsigned short)(len / sizeof(struct sock_filter)),
                             .filter = (struct sock_filter *)prog};
  if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) < 0)
    return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}

napi_value kts_detach_filter(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  int dummy = 0;
  if (get_args(env, info, 1, argv, &fd, 1)) return NULL;
  if (setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof dummy) < 0)
    return kts_throw_errno(env, "setsockopt", errno);
  return NULL;
}
