/*
 * Datagrams sent from the signal handler itself when a stop signal (SIGTERM, SIGINT)
 * arrives, before the event loop hears of it: a stopping VRRP master's priority-0
 * adverts, which JS prepares while the instance is MASTER and withdraws when it is
 * not. C only keeps each datagram with its destination and control data and sends it
 * once; what to send, and when, is decided in TypeScript. The handler that was there
 * before (libuv's, which wakes the loop) runs next, so the JS shutdown follows as
 * before and asks which slots went out (stopSendSent), sending the others itself.
 *
 * A slot's state is atomic: the handler may run on any thread, at any point of the
 * main thread's work. It sends only READY slots, claiming each with a compare-and-
 * swap, and JS writes a slot only after claiming it the same way, so neither ever
 * sees the other's half-written slot; a slot being written is skipped (JS sends it).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

#include "kts.h"

#define KTS_STOP_SLOTS 512
#define KTS_STOP_BYTES 1500

enum { SLOT_EMPTY, SLOT_WRITING, SLOT_READY, SLOT_SENDING, SLOT_SENT };

struct stop_slot {
  _Atomic int state;
  int fd;
  struct msghdr msg; /* name and control point into this slot; iov is set when sending */
  size_t len;
  struct sockaddr_storage name;
  union kts_cmsgbuf control;
  uint8_t data[KTS_STOP_BYTES];
};

static struct stop_slot slots[KTS_STOP_SLOTS];
/* One past the highest slot ever armed: the handler looks no further. */
static _Atomic int slots_used;
static struct sigaction previous[_NSIG];
static sigset_t installed;
/* The last stop signal handled, 0 before any: JS reads it through stopSendFlag(). */
static _Atomic int32_t signalled;

static void send_slot(struct stop_slot *s) {
  struct iovec iov = {.iov_base = s->data, .iov_len = s->len};
  struct msghdr msg = s->msg;
  ssize_t n;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  do n = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  atomic_store(&s->state, n == (ssize_t)s->len ? SLOT_SENT : SLOT_READY);
}

static void on_stop_signal(int sig, siginfo_t *si, void *uctx) {
  int saved_errno = errno;
  atomic_store(&signalled, sig);
  int used = atomic_load(&slots_used);
  for (int i = 0; i < used; i++) {
    int ready = SLOT_READY;
    if (atomic_compare_exchange_strong(&slots[i].state, &ready, SLOT_SENDING)) send_slot(&slots[i]);
  }
  errno = saved_errno;
  struct sigaction *p = &previous[sig];
  if (p->sa_flags & SA_SIGINFO) p->sa_sigaction(sig, si, uctx);
  else p->sa_handler(sig);
}

/* Claims slot i for writing from any state but SENDING (waits that out: another thread). */
static void claim(struct stop_slot *s) {
  for (;;) {
    int st = atomic_load(&s->state);
    if (st == SLOT_SENDING) {
      sched_yield();
      continue;
    }
    if (atomic_compare_exchange_strong(&s->state, &st, SLOT_WRITING)) return;
  }
}

/* The one argument: a slot armed before. */
static int slot_arg(napi_env env, napi_callback_info info, int32_t *slot) {
  napi_value argv[1];
  if (kts_int_args(env, info, 1, slot, argv)) return -1;
  if (*slot < 0 || *slot >= atomic_load(&slots_used)) {
    kts_throw_arg(env, "slot was never armed");
    return -1;
  }
  return 0;
}

/* The one argument: a signal number. */
static int signal_arg(napi_env env, napi_callback_info info, int32_t *sig) {
  napi_value argv[1];
  if (kts_int_args(env, info, 1, sig, argv)) return -1;
  if (*sig <= 0 || *sig >= _NSIG) {
    kts_throw_arg(env, "signal out of range");
    return -1;
  }
  return 0;
}

/*
 * stopSendArm(fd, data, dest, ancillary|null) -> slot, or -1 when every slot is taken
 * or data is longer than a slot holds (the caller then sends at stop time itself).
 */
napi_value kts_stop_send_arm(napi_env env, napi_callback_info info) {
  size_t argc = 4, len;
  napi_value argv[4], result;
  int32_t fd, found = -1;
  uint8_t *data;
  struct msghdr msg;
  struct sockaddr_storage name;
  union kts_cmsgbuf control;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || kts_arg_int(env, argv[0], &fd, "fd") || kts_arg_bytes(argv[1], env, &data, &len, "data") ||
      kts_msghdr_from_js(env, argv[2], argc > 3 ? argv[3] : NULL, &msg, &name, &control))
    return NULL;
  if (len <= KTS_STOP_BYTES) {
    for (int i = 0; i < KTS_STOP_SLOTS && found < 0; i++) {
      int empty = SLOT_EMPTY;
      if (atomic_compare_exchange_strong(&slots[i].state, &empty, SLOT_WRITING)) found = i;
    }
  }
  if (found >= 0) {
    struct stop_slot *s = &slots[found];
    s->fd = fd;
    s->len = len;
    memcpy(s->data, data, len);
    s->name = name;
    s->control = control;
    s->msg = msg;
    s->msg.msg_name = msg.msg_name == NULL ? NULL : &s->name;
    s->msg.msg_control = msg.msg_control == NULL ? NULL : s->control.buf;
    int used = atomic_load(&slots_used);
    while (used <= found && !atomic_compare_exchange_weak(&slots_used, &used, found + 1));
    atomic_store(&s->state, SLOT_READY);
  }
  KTS_CHECK(napi_create_int32(env, found, &result));
  return result;
}

/* stopSendDisarm(slot): the slot is free again; nothing is sent from it. */
napi_value kts_stop_send_disarm(napi_env env, napi_callback_info info) {
  int32_t slot;
  if (slot_arg(env, info, &slot)) return NULL;
  claim(&slots[slot]);
  atomic_store(&slots[slot].state, SLOT_EMPTY);
  return NULL;
}

/* stopSendSent(slot) -> whether a stop signal sent it. */
napi_value kts_stop_send_sent(napi_env env, napi_callback_info info) {
  napi_value result;
  int32_t slot;
  if (slot_arg(env, info, &slot)) return NULL;
  KTS_CHECK(napi_get_boolean(env, atomic_load(&slots[slot].state) == SLOT_SENT, &result));
  return result;
}

/*
 * stopSendInstall(signal): the handler goes in front of the one installed now, which
 * must be a function (JS listens for the signal first: it is what the loop hears).
 * Installing twice is a no-op.
 */
napi_value kts_stop_send_install(napi_env env, napi_callback_info info) {
  int32_t sig;
  struct sigaction sa, old;
  if (signal_arg(env, info, &sig)) return NULL;
  if (sigismember(&installed, sig) == 1) return NULL;
  if (sigaction(sig, NULL, &old) < 0) return kts_throw_errno(env, "sigaction", errno);
  if (!(old.sa_flags & SA_SIGINFO) && (old.sa_handler == SIG_DFL || old.sa_handler == SIG_IGN))
    return kts_throw_arg(env, "the signal has no handler to run after the stop sends");
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_stop_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | (old.sa_flags & SA_ONSTACK);
  sigfillset(&sa.sa_mask);
  previous[sig] = old;
  if (sigaction(sig, &sa, NULL) < 0) return kts_throw_errno(env, "sigaction", errno);
  sigaddset(&installed, sig);
  return NULL;
}

/* stopSendUninstall(signal): the handler that was there before is back, if ours still is. */
napi_value kts_stop_send_uninstall(napi_env env, napi_callback_info info) {
  int32_t sig;
  struct sigaction now;
  if (signal_arg(env, info, &sig)) return NULL;
  if (sigismember(&installed, sig) != 1) return NULL;
  sigdelset(&installed, sig);
  if (sigaction(sig, NULL, &now) < 0) return kts_throw_errno(env, "sigaction", errno);
  if ((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_stop_signal &&
      sigaction(sig, &previous[sig], NULL) < 0)
    return kts_throw_errno(env, "sigaction", errno);
  return NULL;
}

/*
 * stopSendFlag() -> an ArrayBuffer over the one int32 the handler sets to the signal's
 * number: JS reads it before each send to learn, without a call, that a stop signal has
 * come and gone ahead of the loop (what it sends then would follow the priority-0 adverts).
 */
napi_value kts_stop_send_flag(napi_env env, KTS_UNUSED napi_callback_info info) {
  napi_value result;
  KTS_CHECK(napi_create_external_arraybuffer(env, (void *)&signalled, sizeof signalled, NULL, NULL, &result));
  return result;
}

/* stopSendReset(): the flag back to 0 (tests: a daemon exits after its stop signal). */
napi_value kts_stop_send_reset(KTS_UNUSED napi_env env, KTS_UNUSED napi_callback_info info) {
  atomic_store(&signalled, 0);
  return NULL;
}
