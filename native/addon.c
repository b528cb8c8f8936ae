/*
 * Module init: per-environment state, the exported functions and the kernel
 * constants JS needs (so TS never hard-codes a number libc already knows).
 */
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>

#include "kts.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

_Static_assert(sizeof(struct kts_meta) == 80, "kts_meta layout is shared with JS");

static void env_finalize(napi_env env, void *data, KTS_UNUSED void *hint) {
  struct kts_env *ke = data;
  /* Watchers first: records destroyed here must not call back into this env. */
  kts_poll_teardown(env, ke);
  kts_signal_teardown(env, ke);
  kts_fd_teardown(ke);
  if (ke->errno_ctor != NULL) napi_delete_reference(env, ke->errno_ctor);
  free(ke);
}

struct kts_env *kts_get_env(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return data;
}

#define C(name) {#name, name}
static const struct {
  const char *name;
  int value;
} constants[] = {
    C(AF_INET), C(AF_INET6), C(AF_PACKET), C(AF_NETLINK), C(AF_UNIX), C(SOCK_RAW), C(SOCK_DGRAM),
    C(SOL_SOCKET), C(IPPROTO_IP), C(IPPROTO_IPV6), C(SOL_PACKET), C(SOL_NETLINK),
    C(SO_RCVBUF), C(SO_SNDBUF), C(SO_RCVBUFFORCE), C(SO_SNDBUFFORCE), C(SO_PRIORITY),
    C(SO_REUSEADDR), C(SO_ERROR), C(SO_TYPE), C(SO_DOMAIN), C(SO_PROTOCOL),
    C(IP_MULTICAST_TTL), C(IP_MULTICAST_LOOP), C(IP_MULTICAST_ALL), C(IP_PKTINFO), C(IP_RECVTTL),
    C(IP_HDRINCL), C(IP_TOS), C(IP_TTL), C(IPV6_MULTICAST_HOPS), C(IPV6_MULTICAST_IF),
    C(IPV6_MULTICAST_LOOP), C(IPV6_MULTICAST_ALL), C(IPV6_UNICAST_HOPS), C(IPV6_RECVPKTINFO),
    C(IPV6_RECVHOPLIMIT), C(IPV6_TCLASS), C(IPV6_CHECKSUM), C(IPV6_V6ONLY),
    C(PACKET_IGNORE_OUTGOING), C(NETLINK_ROUTE), C(NETLINK_GENERIC), C(NETLINK_ADD_MEMBERSHIP),
    C(NETLINK_DROP_MEMBERSHIP), C(NETLINK_EXT_ACK), C(NETLINK_CAP_ACK), C(NETLINK_NO_ENOBUFS),
    C(NETLINK_BROADCAST_ERROR), C(NETLINK_GET_STRICT_CHK), C(ETH_P_ALL), C(ETH_P_IP), C(ETH_P_ARP),
    C(ETH_P_IPV6), C(MSG_TRUNC), C(MSG_CTRUNC), C(PACKET_HOST), C(PACKET_BROADCAST),
    C(PACKET_MULTICAST), C(PACKET_OTHERHOST), C(PACKET_OUTGOING), C(SCHED_OTHER), C(SCHED_RR),
    C(SCHED_FIFO), C(SCHED_RESET_ON_FORK),
};

static const struct {
  const char *name;
  napi_callback fn;
} functions[] = {
    {"setErrnoErrorClass", kts_set_errno_class},
    {"socket", kts_socket},
    {"close", kts_close},
    {"bind", kts_bind},
    {"getsockname", kts_getsockname},
    {"ifNameToIndex", kts_if_nametoindex},
    {"ifIndexToName", kts_if_indextoname},
    {"sendmsg", kts_sendmsg},
    {"recvmsg", kts_recvmsg},
    {"recvmmsg", kts_recvmmsg},
    {"sendmmsg", kts_sendmmsg},
    {"pollStart", kts_poll_start},
    {"pollStop", kts_poll_stop},
    {"pollRef", kts_poll_ref},
    {"pollStats", kts_poll_stats},
    {"setIntOpt", kts_set_int_opt},
    {"getIntOpt", kts_get_int_opt},
    {"setMembership", kts_set_membership},
    {"setMulticastIf4", kts_set_multicast_if4},
    {"bindToDevice", kts_bind_to_device},
    {"attachFilter", kts_attach_filter},
    {"detachFilter", kts_detach_filter},
    {"signalOpen", kts_signal_open},
    {"signalSet", kts_signal_set},
    {"signalRead", kts_signal_read},
    {"signalClose", kts_signal_close},
    {"signalRange", kts_signal_range},
    {"stopSendArm", kts_stop_send_arm},
    {"stopSendDisarm", kts_stop_send_disarm},
    {"stopSendSent", kts_stop_send_sent},
    {"stopSendInstall", kts_stop_send_install},
    {"stopSendUninstall", kts_stop_send_uninstall},
    {"stopSendFlag", kts_stop_send_flag},
    {"stopSendReset", kts_stop_send_reset},
    {"timerOpen", kts_timer_open},
    {"timerSet", kts_timer_set},
    {"timerRead", kts_timer_read},
    {"streamSend", kts_stream_send},
    {"streamRecv", kts_stream_recv},
    {"streamConstants", kts_stream_constants},
    {"epollCreate", kts_epoll_create},
    {"streamOpen", kts_stream_open},
    {"streamWait", kts_stream_wait},
    {"streamClock", kts_stream_clock},
    {"setScheduler", kts_set_scheduler},
    {"setRttimeLimit", kts_set_rttime_limit},
    {"lockMemory", kts_lock_memory},
    {"setAffinity", kts_set_affinity},
    {"enterNetNamespace", kts_enter_net_namespace},
    {"execve", kts_execve},
    {"dropPages", kts_drop_pages},
};

static napi_value init(napi_env env, napi_value exports) {
  napi_value consts, v;
  struct kts_env *ke = calloc(1, sizeof *ke);
  if (ke == NULL) {
    napi_throw_error(env, "ENOMEM", "kts_native: out of memory");
    return NULL;
  }
  if (napi_set_instance_data(env, ke, env_finalize, NULL) != napi_ok) {
    free(ke);
    return NULL;
  }
  for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++) {
    KTS_CHECK(napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn, NULL, &v));
    KTS_CHECK(napi_set_named_property(env, exports, functions[i].name, v));
  }
  KTS_CHECK(napi_create_object(env, &consts));
  for (size_t i = 0; i < sizeof constants / sizeof constants[0]; i++) {
    KTS_CHECK(napi_create_int32(env, constants[i].value, &v));
    KTS_CHECK(napi_set_named_property(env, consts, constants[i].name, v));
  }
  KTS_CHECK(napi_set_named_property(env, exports, "constants", consts));
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
