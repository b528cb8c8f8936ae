/*
 * Readiness on the libuv loop: one uv_poll_t per fd, owned by the environment's
 * fd-indexed table. pollStart(fd, events, cb) creates or re-arms it and
 * cb(status, events) runs on the loop (status < 0 is a libuv error code).
 * pollStop(fd) disarms it; close(fd) and environment teardown destroy it.
 * Destroying drops the JS references at once, or, when it happens inside the
 * record's own callback (JS closed the socket there), right after that callback
 * returns. libuv's close callback then only frees memory, so it never touches
 * an environment that may be gone by the time it runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "kts.h"

/* Records allocated and not yet freed, all environments (leak tests read it). */
static long live_records;

struct kts_poll {
  uv_poll_t handle;
  napi_env env;
  napi_ref callback;
  napi_async_context async;
  int closing;     /* destroy() ran: uv_close is pending */
  int in_callback; /* on_ready is inside the JS callback */
};

/* Drops the JS callback and async context; the record no longer needs env. */
static void release_js(napi_env env, struct kts_poll *p) {
  napi_handle_scope scope;
  int scoped = napi_open_handle_scope(env, &scope) == napi_ok;
  if (p->callback != NULL) napi_delete_reference(env, p->callback);
  if (p->async != NULL) napi_async_destroy(env, p->async);
  if (scoped) napi_close_handle_scope(env, scope);
  p->callback = NULL;
  p->async = NULL;
  p->env = NULL;
}

static void on_closed(uv_handle_t *handle) {
  __atomic_sub_fetch(&live_records, 1, __ATOMIC_RELAXED);
  free(handle->data);
}

static void on_ready(uv_poll_t *handle, int status, int events) {
  struct kts_poll *p = handle->data;
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_value cb, recv, argv[2], result, exc;
  if (p->closing || env == NULL || p->callback == NULL) return;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, p->callback, &cb);
  napi_get_global(env, &recv); /* make_callback needs an object receiver */
  napi_create_int32(env, status, &argv[0]);
  napi_create_int32(env, events, &argv[1]);
  /* make_callback drains microtasks; a throw becomes an uncaught exception. */
  p->in_callback = 1;
  napi_status status_js = napi_make_callback(env, p->async, recv, cb, 2, argv, &result);
  p->in_callback = 0;
  if (p->closing) release_js(env, p); /* closed by the callback: finish destroy() */
  if (status_js == napi_pending_exception && napi_get_and_clear_last_exception(env, &exc) == napi_ok)
    napi_fatal_exception(env, exc);
  napi_close_handle_scope(env, scope);
}

static struct kts_poll **slot(struct kts_env *ke, int fd, int grow) {
  if (fd < 0) return NULL;
  if ((size_t)fd >= ke->npolls) {
    if (!grow) return NULL;
    size_t n = ke->npolls ? ke->npolls : 64;
    while (n <= (size_t)fd) n *= 2;
    struct kts_poll **t = realloc(ke->polls, n * sizeof *t);
    if (t == NULL) return NULL;
    memset(t + ke->npolls, 0, (n - ke->npolls) * sizeof *t);
    ke->polls = t;
    ke->npolls = n;
  }
  return &ke->polls[fd];
}

static struct kts_poll *create(napi_env env, int fd, napi_value cb, int *err) {
  uv_loop_t *loop;
  napi_value name;
  struct kts_poll *p = calloc(1, sizeof *p);
  if (p == NULL) return *err = UV_ENOMEM, NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok ||
      napi_create_string_utf8(env, "kts:poll", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_async_init(env, NULL, name, &p->async) != napi_ok ||
      napi_create_reference(env, cb, 1, &p->callback) != napi_ok) {
    release_js(env, p);
    free(p);
    return *err = 0, NULL;
  }
  *err = uv_poll_init(loop, &p->handle, fd);
  if (*err != 0) {
    release_js(env, p);
    free(p);
    return NULL;
  }
  p->env = env;
  p->handle.data = p;
  __atomic_add_fetch(&live_records, 1, __ATOMIC_RELAXED);
  return p;
}

static int parse_fd(napi_env env, napi_callback_info info, size_t want, napi_value *argv, int32_t *fd) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return -1;
  if (argc < want) {
    kts_throw_arg(env, "missing arguments");
    return -1;
  }
  return kts_arg_int(env, argv[0], fd, "fd");
}

/* pollStart(fd, events: 1 readable | 2 writable, cb) */
napi_value kts_poll_start(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t fd, events;
  int err = 0;
  napi_valuetype type;
  if (parse_fd(env, info, 3, argv, &fd) || kts_arg_int(env, argv[1], &events, "events")) return NULL;
  KTS_CHECK(napi_typeof(env, argv[2], &type));
  if (type != napi_function) return kts_throw_arg(env, "callback must be a function");
  struct kts_env *ke = kts_get_env(env);
  struct kts_poll **s = slot(ke, fd, 1);
  if (s == NULL) return kts_throw_errno(env, "pollStart", ENOMEM);
  if (*s == NULL) {
    *s = create(env, fd, argv[2], &err);
    if (*s == NULL) return err ? kts_throw_errno(env, "uv_poll_init", -err) : NULL;
  } else {
    napi_delete_reference(env, (*s)->callback);
    KTS_CHECK(napi_create_reference(env, argv[2], 1, &(*s)->callback));
  }
  err = uv_poll_start(&(*s)->handle, events & (UV_READABLE | UV_WRITABLE), on_ready);
  if (err != 0) return kts_throw_errno(env, "uv_poll_start", -err);
  return NULL;
}

napi_value kts_poll_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd;
  if (parse_fd(env, info, 1, argv, &fd)) return NULL;
  struct kts_poll **s = slot(kts_get_env(env), fd, 0);
  if (s != NULL && *s != NULL) uv_poll_stop(&(*s)->handle);
  return NULL;
}

/* pollRef(fd, ref: boolean): whether an armed watcher keeps the loop alive. */
napi_value kts_poll_ref(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t fd;
  bool ref;
  if (parse_fd(env, info, 2, argv, &fd)) return NULL;
  KTS_CHECK(napi_get_value_bool(env, argv[1], &ref));
  struct kts_poll **s = slot(kts_get_env(env), fd, 0);
  if (s == NULL || *s == NULL) return NULL;
  if (ref) uv_ref((uv_handle_t *)&(*s)->handle);
  else uv_unref((uv_handle_t *)&(*s)->handle);
  return NULL;
}

/*
 * pollStats() -> [watchers, allocated]: fds with a watcher in this environment,
 * and watcher records not yet freed in the process (closing ones included:
 * they are freed by libuv's close callback on a later loop turn).
 */
napi_value kts_poll_stats(napi_env env, KTS_UNUSED napi_callback_info info) {
  struct kts_env *ke = kts_get_env(env);
  uint32_t n = 0;
  napi_value result, v;
  for (size_t i = 0; i < ke->npolls; i++) n += ke->polls[i] != NULL;
  KTS_CHECK(napi_create_array_with_length(env, 2, &result));
  KTS_CHECK(napi_create_uint32(env, n, &v));
  KTS_CHECK(napi_set_element(env, result, 0, v));
  KTS_CHECK(napi_create_int64(env, __atomic_load_n(&live_records, __ATOMIC_RELAXED), &v));
  KTS_CHECK(napi_set_element(env, result, 1, v));
  return result;
}

static void destroy(napi_env env, struct kts_poll *p) {
  p->closing = 1;
  uv_poll_stop(&p->handle);
  if (!p->in_callback) release_js(env, p);
  uv_close((uv_handle_t *)&p->handle, on_closed);
}

/* Called by close(fd) before the fd is closed: epoll must forget it first. */
void kts_poll_release_fd(napi_env env, struct kts_env *ke, int fd) {
  struct kts_poll **s = slot(ke, fd, 0);
  if (s == NULL || *s == NULL) return;
  destroy(env, *s);
  *s = NULL;
}

/* Environment teardown: JS references go now, memory when libuv closes the handles. */
void kts_poll_teardown(napi_env env, struct kts_env *ke) {
  for (size_t i = 0; i < ke->npolls; i++)
    if (ke->polls[i] != NULL) destroy(env, ke->polls[i]);
  free(ke->polls);
  ke->polls = NULL;
  ke->npolls = 0;
}
