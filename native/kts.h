/*
 * keepalived-ts native layer: shared declarations.
 *
 * The addon is a thin shell over Linux socket system calls. It holds no protocol
 * logic: JS passes numbers and byte arrays, C fills kernel structures and reports
 * errno. Every system-call failure becomes an ErrnoError (see errno.c).
 */
#ifndef KTS_H
#define KTS_H

#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Marks a parameter a callback signature imposes but this body does not read. */
#define KTS_UNUSED __attribute__((unused))

/* Bail out of a napi callback when a napi call fails (an exception is pending). */
#define KTS_CHECK(call)                                                                            \
  do {                                                                                             \
    if ((call) != napi_ok) return NULL;                                                            \
  } while (0)

/* Per-environment state (main thread or a worker). */
struct kts_env {
  napi_ref errno_ctor;     /* JS ErrnoError constructor, or NULL until registered */
  struct kts_poll **polls; /* poll records indexed by fd */
  size_t npolls;
  uint8_t *owned;          /* owned[fd] != 0: socket() made it here; closed at teardown */
  size_t nowned;
};

/* Layout of the receive metadata block shared with JS (an Int32Array of 20). */
struct kts_meta {
  int32_t length;     /* full datagram length (may exceed the buffer: see flags) */
  int32_t flags;      /* msg_flags: MSG_TRUNC 0x20, MSG_CTRUNC 0x08 */
  int32_t family;     /* source address family (AF_*) */
  int32_t hops;       /* IPv4 TTL or IPv6 hop limit from ancillary data, -1 if absent */
  int32_t ifindex;    /* arrival interface from IP_PKTINFO / IPV6_PKTINFO, -1 if absent */
  int32_t a;          /* v6 scope id | sll_ifindex | nl_pid */
  int32_t b;          /* sll_protocol (host order) | nl_groups */
  int32_t c;          /* sll_pkttype */
  int32_t d;          /* sll_hatype */
  int32_t addrlen;    /* bytes valid in src: 4, 16, or sll_halen */
  int32_t dfamily;    /* destination family from pktinfo, 0 if absent */
  int32_t reserved;
  uint8_t src[16];    /* source IP address or link-layer address */
  uint8_t dst[16];    /* destination IP address (pktinfo) */
};

struct kts_env *kts_get_env(napi_env env);

/* Room for the control messages a send carries (IP_PKTINFO / IPV6_PKTINFO and a hop limit). */
union kts_cmsgbuf {
  struct cmsghdr align;
  char buf[256];
};

/* errno.c */
napi_value kts_throw_errno(napi_env env, const char *syscall, int err);
napi_value kts_set_errno_class(napi_env env, napi_callback_info info);
napi_value kts_throw_arg(napi_env env, const char *message);

/* addr.c: sockaddr <-> JS */
int kts_sockaddr_from_js(napi_env env, napi_value obj, struct sockaddr_storage *ss, socklen_t *len);
void kts_sockaddr_to_meta(const struct sockaddr_storage *ss, socklen_t len, struct kts_meta *m);
int kts_arg_int(napi_env env, napi_value v, int32_t *out, const char *what);
int kts_int_args(napi_env env, napi_callback_info info, size_t want, int32_t *out, napi_value *argv);
int kts_arg_bytes(napi_value v, napi_env env, uint8_t **data, size_t *len, const char *what);
int kts_prop_int(napi_env env, napi_value obj, const char *name, int32_t dflt, int32_t *out);
int kts_prop_bytes(napi_env env, napi_value obj, const char *name, uint8_t **data, size_t *len);
int kts_get_meta(napi_env env, napi_value v, struct kts_meta **meta);

/* poll.c */
void kts_poll_release_fd(napi_env env, struct kts_env *ke, int fd);
void kts_poll_teardown(napi_env env, struct kts_env *ke);

/* fd.c: descriptors this environment owns */
int kts_own_fd(struct kts_env *ke, int fd);
napi_value kts_new_fd_result(napi_env env, int fd, const char *syscall);
void kts_disown_fd(struct kts_env *ke, int fd);
void kts_fd_teardown(struct kts_env *ke);

/* signal.c */
void kts_signal_teardown(napi_env env, struct kts_env *ke);

/* Exported functions, one group per file. */
/* sched.c */
napi_value kts_set_scheduler(napi_env env, napi_callback_info info);
napi_value kts_set_rttime_limit(napi_env env, napi_callback_info info);
napi_value kts_lock_memory(napi_env env, napi_callback_info info);
napi_value kts_set_affinity(napi_env env, napi_callback_info info);

/* mem.c */
napi_value kts_drop_pages(napi_env env, napi_callback_info info);

/* netns.c */
napi_value kts_enter_net_namespace(napi_env env, napi_callback_info info);
napi_value kts_execve(napi_env env, napi_callback_info info);

napi_value kts_socket(napi_env env, napi_callback_info info);
napi_value kts_close(napi_env env, napi_callback_info info);
napi_value kts_bind(napi_env env, napi_callback_info info);
napi_value kts_getsockname(napi_env env, napi_callback_info info);
napi_value kts_if_nametoindex(napi_env env, napi_callback_info info);
napi_value kts_if_indextoname(napi_env env, napi_callback_info info);
int kts_msghdr_from_js(napi_env env, napi_value dest, napi_value anc, struct msghdr *msg,
                       struct sockaddr_storage *ss, union kts_cmsgbuf *cb);
napi_value kts_sendmsg(napi_env env, napi_callback_info info);
napi_value kts_recvmsg(napi_env env, napi_callback_info info);
napi_value kts_recvmmsg(napi_env env, napi_callback_info info);
napi_value kts_sendmmsg(napi_env env, napi_callback_info info);
napi_value kts_poll_start(napi_env env, napi_callback_info info);
napi_value kts_poll_stop(napi_env env, napi_callback_info info);
napi_value kts_poll_ref(napi_env env, napi_callback_info info);
napi_value kts_poll_stats(napi_env env, napi_callback_info info);
napi_value kts_set_int_opt(napi_env env, napi_callback_info info);
napi_value kts_get_int_opt(napi_env env, napi_callback_info info);
napi_value kts_set_membership(napi_env env, napi_callback_info info);
napi_value kts_set_multicast_if4(napi_env env, napi_callback_info info);
napi_value kts_bind_to_device(napi_env env, napi_callback_info info);
napi_value kts_attach_filter(napi_env env, napi_callback_info info);
napi_value kts_detach_filter(napi_env env, napi_callback_info info);
napi_value kts_signal_open(napi_env env, napi_callback_info info);
napi_value kts_signal_set(napi_env env, napi_callback_info info);
napi_value kts_signal_read(napi_env env, napi_callback_info info);
napi_value kts_signal_close(napi_env env, napi_callback_info info);
napi_value kts_signal_range(napi_env env, napi_callback_info info);

/* stop-send.c: datagrams sent from the stop signal's handler */
napi_value kts_stop_send_arm(napi_env env, napi_callback_info info);
napi_value kts_stop_send_disarm(napi_env env, napi_callback_info info);
napi_value kts_stop_send_sent(napi_env env, napi_callback_info info);
napi_value kts_stop_send_install(napi_env env, napi_callback_info info);
napi_value kts_stop_send_uninstall(napi_env env, napi_callback_info info);
napi_value kts_stop_send_flag(napi_env env, napi_callback_info info);
napi_value kts_stop_send_reset(napi_env env, napi_callback_info info);

/* timer.c */
napi_value kts_timer_open(napi_env env, napi_callback_info info);
napi_value kts_timer_set(napi_env env, napi_callback_info info);
napi_value kts_timer_read(napi_env env, napi_callback_info info);

/* stream.c: non-blocking TCP for the health checkers */
napi_value kts_stream_send(napi_env env, napi_callback_info info);
napi_value kts_stream_recv(napi_env env, napi_callback_info info);
napi_value kts_stream_constants(napi_env env, napi_callback_info info);
napi_value kts_epoll_create(napi_env env, napi_callback_info info);
napi_value kts_stream_open(napi_env env, napi_callback_info info);
napi_value kts_stream_wait(napi_env env, napi_callback_info info);
napi_value kts_stream_clock(napi_env env, napi_callback_info info);

#endif
