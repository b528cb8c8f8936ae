/*
 * Real-time signals through a signalfd (Node cannot catch SIGRTMIN+n). One
 * signalfd per process. signalSet() blocks each signal in the calling thread
 * (the thread running the libuv loop that reads the fd) and adds it to the
 * signalfd mask.
 *
 * Caveat, threads: a process-directed signal goes to any thread that does not
 * block it. Threads started before the first signalSet() (libuv's threadpool,
 * V8 platform workers) keep their old mask, and blocking in them is impossible
 * from here. So each subscribed signal also gets a SA_SIGINFO handler: if it ever
 * runs (on some other thread), it re-queues the signal with its siginfo to the
 * loop thread with rt_tgsigqueueinfo (si_code becomes SI_QUEUE; pid, uid and
 * value are kept), where it is blocked and so lands in the signalfd. Children
 * spawned by libuv start with an empty mask and default dispositions.
 * Only SIGRTMIN..SIGRTMAX are accepted: libuv owns the classic signals.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kts.h"

static int sig_fd = -1;
static napi_env sig_env; /* environment that opened sig_fd */
static volatile sig_atomic_t target_tid;
static sigset_t subscribed;
static struct sigaction saved[_NSIG];

static void forward(int sig, siginfo_t *si, KTS_UNUSED void *uctx) {
  int saved_errno = errno;
  pid_t tid = (pid_t)target_tid;
  if (tid > 0 && (pid_t)syscall(SYS_gettid) != tid) {
    siginfo_t copy = *si;
    if (copy.si_code >= 0 || copy.si_code == SI_TKILL) copy.si_code = SI_QUEUE;
    if (syscall(SYS_rt_tgsigqueueinfo, getpid(), tid, sig, &copy) < 0) syscall(SYS_tgkill, getpid(), tid, sig);
  }
  errno = saved_errno;
}

static int add_signal(int sig) {
  sigset_t one;
  struct sigaction sa;
  sigemptyset(&one);
  sigaddset(&one, sig);
  if (pthread_sigmask(SIG_BLOCK, &one, NULL) != 0) return -1;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = forward;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigfillset(&sa.sa_mask);
  if (sigaction(sig, &sa, &saved[sig]) < 0) return -1;
  sigaddset(&subscribed, sig);
  return 0;
}

/* Discards pending instances (they would hit the old disposition), then restores. */
static void remove_signal(int sig) {
  sigset_t one;
  struct timespec zero = {0, 0};
  sigemptyset(&one);
  sigaddset(&one, sig);
  while (sigtimedwait(&one, NULL, &zero) == sig) {
  }
  sigaction(sig, &saved[sig], NULL);
  pthread_sigmask(SIG_UNBLOCK, &one, NULL);
  sigdelset(&subscribed, sig);
}

/* signalOpen() -> fd: the process-wide signalfd, empty mask, CLOEXEC|NONBLOCK. */
napi_value kts_signal_open(napi_env env, KTS_UNUSED napi_callback_info info) {
  napi_value result;
  sigset_t empty;
  if (sig_fd >= 0) return kts_throw_errno(env, "signalfd", EBUSY);
  sigemptyset(&empty);
  sigemptyset(&subscribed);
  int fd = signalfd(-1, &empty, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return kts_throw_errno(env, "signalfd", errno);
  sig_fd = fd;
  sig_env = env;
  target_tid = (sig_atomic_t)syscall(SYS_gettid);
  KTS_CHECK(napi_create_int32(env, fd, &result));
  return result;
}

static int check_fd(napi_env env, napi_value v, int32_t *fd) {
  if (kts_arg_int(env, v, fd, "fd")) return -1;
  if (*fd != sig_fd || sig_fd < 0) {
    kts_throw_errno(env, "signalfd", EBADF);
    return -1;
  }
  return 0;
}

/* signalSet(fd, signals: number[]): makes the subscribed set exactly `signals`. */
napi_value kts_signal_set(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], item;
  int32_t fd, sig;
  uint32_t n;
  bool is_array;
  sigset_t want;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2 || check_fd(env, argv[0], &fd)) return argc < 2 ? kts_throw_arg(env, "signalSet(fd, signals)") : NULL;
  KTS_CHECK(napi_is_array(env, argv[1], &is_array));
  if (!is_array) return kts_throw_arg(env, "signals must be an array");
  KTS_CHECK(napi_get_array_length(env, argv[1], &n));
  sigemptyset(&want);
  for (uint32_t i = 0; i < n; i++) {
    KTS_CHECK(napi_get_element(env, argv[1], i, &item));
    if (kts_arg_int(env, item, &sig, "signal number")) return NULL;
    if (sig < SIGRTMIN || sig > SIGRTMAX) return kts_throw_arg(env, "only SIGRTMIN..SIGRTMAX are allowed");
    sigaddset(&want, sig);
  }
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    if (sigismember(&want, s) && !sigismember(&subscribed, s) && add_signal(s) < 0)
      return kts_throw_errno(env, "sigaction", errno);
  if (signalfd(sig_fd, &want, 0) < 0) return kts_throw_errno(env, "signalfd", errno);
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    if (!sigismember(&want, s) && sigismember(&subscribed, s)) remove_signal(s);
  return NULL;
}

static napi_value set_num(napi_env env, napi_value obj, const char *key, double v) {
  napi_value n;
  if (napi_create_double(env, v, &n) != napi_ok || napi_set_named_property(env, obj, key, n) != napi_ok)
    return NULL;
  return obj;
}

/* signalRead(fd) -> {signo, pid, uid, code, value} | null when nothing is pending. */
napi_value kts_signal_read(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], obj;
  int32_t fd;
  struct signalfd_siginfo si;
  ssize_t n;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || check_fd(env, argv[0], &fd)) return argc < 1 ? kts_throw_arg(env, "signalRead(fd)") : NULL;
  do n = read(fd, &si, sizeof si);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EAGAIN) {
    KTS_CHECK(napi_get_null(env, &obj));
    return obj;
  }
  if (n < 0) return kts_throw_errno(env, "read", errno);
  if (n != sizeof si) return kts_throw_errno(env, "read", EIO);
  KTS_CHECK(napi_create_object(env, &obj));
  if (!set_num(env, obj, "signo", si.ssi_signo) || !set_num(env, obj, "pid", si.ssi_pid) ||
      !set_num(env, obj, "uid", si.ssi_uid) || !set_num(env, obj, "code", si.ssi_code) ||
      !set_num(env, obj, "value", si.ssi_int))
    return NULL;
  return obj;
}

static void close_signalfd(napi_env env, struct kts_env *ke) {
  sigset_t empty;
  int fd = sig_fd;
  sigemptyset(&empty);
  signalfd(fd, &empty, 0);
  for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
    if (sigismember(&subscribed, s)) remove_signal(s);
  kts_poll_release_fd(env, ke, fd);
  target_tid = 0;
  sig_fd = -1;
  sig_env = NULL;
  close(fd);
}

/* signalClose(fd): unsubscribes everything, stops polling, closes the signalfd. */
napi_value kts_signal_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || check_fd(env, argv[0], &fd)) return argc < 1 ? kts_throw_arg(env, "signalClose(fd)") : NULL;
  close_signalfd(env, kts_get_env(env));
  return NULL;
}

/*
 * Environment teardown: the owner's subscriptions end with it. `ke` comes from
 * the finalizer: napi_get_instance_data no longer answers at that point.
 */
void kts_signal_teardown(napi_env env, struct kts_env *ke) {
  if (sig_fd >= 0 && sig_env == env) close_signalfd(env, ke);
}

/* signalRange() -> [SIGRTMIN, SIGRTMAX] as this libc defines them at run time. */
napi_value kts_signal_range(napi_env env, KTS_UNUSED napi_callback_info info) {
  napi_value arr, v;
  KTS_CHECK(napi_create_array_with_length(env, 2, &arr));
  KTS_CHECK(napi_create_int32(env, SIGRTMIN, &v));
  KTS_CHECK(napi_set_element(env, arr, 0, v));
  KTS_CHECK(napi_create_int32(env, SIGRTMAX, &v));
  KTS_CHECK(napi_set_element(env, arr, 1, v));
  return arr;
}
