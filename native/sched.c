/*
 * Process scheduling for the daemon's *_priority, *_rt_priority, *_rlimit_rttime,
 * *_no_swap and *_cpu_affinity settings. Linux applies these per thread (task), so
 * each call takes the thread id; 0 means the calling thread. Policy and limits are
 * decided in JS; this file only makes the calls.
 */
#include <errno.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kts.h"

/* setScheduler(tid, policy, priority): SCHED_OTHER (priority 0) or SCHED_RR / SCHED_FIFO. */
napi_value kts_set_scheduler(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t a[3];
  if (kts_int_args(env, info, 3, a, argv)) return NULL;
  int policy = a[1] & ~SCHED_RESET_ON_FORK;
  if (policy != SCHED_OTHER && policy != SCHED_RR && policy != SCHED_FIFO)
    return kts_throw_arg(env, "policy must be SCHED_OTHER, SCHED_RR or SCHED_FIFO (optionally | SCHED_RESET_ON_FORK)");
  struct sched_param param = {.sched_priority = a[2]};
  if (sched_setscheduler(a[0], a[1], &param) < 0) return kts_throw_errno(env, "sched_setscheduler", errno);
  return NULL;
}

/* setRttimeLimit(softUs, hardUs): RLIMIT_RTTIME for the process; -1 means unlimited. */
napi_value kts_set_rttime_limit(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  double us[2];
  size_t argc = 2;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return kts_throw_arg(env, "setRttimeLimit(softUs, hardUs)");
  for (int i = 0; i < 2; i++)
    if (napi_get_value_double(env, argv[i], &us[i]) != napi_ok) return kts_throw_arg(env, "expected a number");
  struct rlimit rl = {
      .rlim_cur = us[0] < 0 ? RLIM_INFINITY : (rlim_t)us[0],
      .rlim_max = us[1] < 0 ? RLIM_INFINITY : (rlim_t)us[1],
  };
  if (setrlimit(RLIMIT_RTTIME, &rl) < 0) return kts_throw_errno(env, "setrlimit", errno);
  return NULL;
}

/* lockMemory(): mlockall(MCL_CURRENT | MCL_FUTURE), the process never swaps. */
napi_value kts_lock_memory(napi_env env, KTS_UNUSED napi_callback_info info) {
  if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0) return kts_throw_errno(env, "mlockall", errno);
  return NULL;
}

/* setAffinity(tid, cpus: number[]) */
napi_value kts_set_affinity(napi_env env, napi_callback_info info) {
  napi_value argv[2], item;
  int32_t tid, cpu;
  uint32_t n = 0;
  if (kts_int_args(env, info, 2, NULL, argv)) return NULL;
  if (kts_arg_int(env, argv[0], &tid, "tid must be an integer")) return NULL;
  KTS_CHECK(napi_get_array_length(env, argv[1], &n));
  cpu_set_t set;
  CPU_ZERO(&set);
  for (uint32_t i = 0; i < n; i++) {
    KTS_CHECK(napi_get_element(env, argv[1], i, &item));
    if (kts_arg_int(env, item, &cpu, "cpu must be an integer")) return NULL;
    if (cpu < 0 || cpu >= CPU_SETSIZE) return kts_throw_arg(env, "cpu out of range");
    CPU_SET(cpu, &set);
  }
  if (sched_setaffinity(tid, sizeof set, &set) < 0) return kts_throw_errno(env, "sched_setaffinity", errno);
  return NULL;
}
