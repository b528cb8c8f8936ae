/*
 * errno -> JS error. Every failed system call throws an Error named 'ErrnoError'
 * with {syscall, errno (positive, as in C), code ('EPERM', ...)} and a message
 * that names the call. When JS has registered its ErrnoError class (see
 * src/native/errno-error.ts), errors are instances of it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kts.h"

/* strerrorname_np is glibc >= 2.32; elsewhere the code is 'E<number>'. */
static const char *errno_name(int err, char *fallback, size_t size) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  snprintf(fallback, size, "E%d", err);
  return fallback;
}

static napi_value make_plain(napi_env env, napi_value msg, napi_value props[3]) {
  static const char *keys[3] = {"syscall", "errno", "code"};
  napi_value error, name;
  if (napi_create_error(env, NULL, msg, &error) != napi_ok) return NULL;
  napi_create_string_utf8(env, "ErrnoError", NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, error, "name", name);
  for (int i = 0; i < 3; i++) napi_set_named_property(env, error, keys[i], props[i]);
  return error;
}

napi_value kts_throw_errno(napi_env env, const char *syscall, int err) {
  char fallback[16], text[256];
  const char *code = errno_name(err, fallback, sizeof fallback);
  snprintf(text, sizeof text, "%s %s (%s)", syscall, code, strerror(err));

  napi_value args[4], error = NULL, ctor;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &args[0]);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &args[1]);
  napi_create_int32(env, err, &args[2]);
  napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &args[3]);

  struct kts_env *ke = kts_get_env(env);
  if (ke != NULL && ke->errno_ctor != NULL &&
      napi_get_reference_value(env, ke->errno_ctor, &ctor) == napi_ok && ctor != NULL) {
    if (napi_new_instance(env, ctor, 4, args, &error) != napi_ok) return NULL;
  } else {
    error = make_plain(env, args[0], &args[1]);
  }
  if (error != NULL) napi_throw(env, error);
  return NULL;
}

napi_value kts_throw_arg(napi_env env, const char *message) {
  napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", message);
  return NULL;
}

/* setErrnoErrorClass(ctor): ctor(message, syscall, errno, code) */
napi_value kts_set_errno_class(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_valuetype type;
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  KTS_CHECK(napi_typeof(env, argv[0], &type));
  if (argc < 1 || type != napi_function) return kts_throw_arg(env, "expected a constructor");
  struct kts_env *ke = kts_get_env(env);
  if (ke->errno_ctor != NULL) napi_delete_reference(env, ke->errno_ctor);
  KTS_CHECK(napi_create_reference(env, argv[0], 1, &ke->errno_ctor));
  return NULL;
}
