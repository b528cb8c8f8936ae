/*
 * Memory calls for the daemon's resident-set housekeeping. Which ranges, and when, is
 * decided in JS (src/daemon/startup-pages.ts); this file only makes the call.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "kts.h"

/*
 * dropPages(address, length): madvise(MADV_DONTNEED) on a page-aligned range. Only for
 * read-only file mappings without private copies: their pages are then read again from
 * the page cache when next touched, unchanged.
 */
napi_value kts_drop_pages(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  size_t argc = 2;
  double a[2];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 2) return kts_throw_arg(env, "dropPages(address, length)");
  for (int i = 0; i < 2; i++)
    if (napi_get_value_double(env, argv[i], &a[i]) != napi_ok || a[i] < 0 || a[i] > 9007199254740991.0)
      return kts_throw_arg(env, "address and length must be non-negative integers");
  uintptr_t addr = (uintptr_t)a[0];
  size_t len = (size_t)a[1];
  if (madvise((void *)addr, len, MADV_DONTNEED) < 0) return kts_throw_errno(env, "madvise", errno);
  return NULL;
}
