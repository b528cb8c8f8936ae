/*
 * Network namespace entry for `net_namespace` / `-s NAME`. Linux keeps the network
 * namespace per thread, and Node has threads (libuv's pool, V8's platform) that started
 * before any config was read; so the daemon enters the namespace on its main thread and
 * then replaces its image with execve(), keeping its pid: every thread of the new image
 * starts inside. JS decides when; this file only makes the calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "kts.h"

/* Copies a JS string into a malloc'd C string; NULL (exception pending) on failure. */
static char *dup_string(napi_env env, napi_value v, const char *what) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    kts_throw_arg(env, what);
    return NULL;
  }
  char *s = malloc(n + 1);
  if (s == NULL) {
    kts_throw_errno(env, "malloc", ENOMEM);
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

/* A JS array of strings as a NULL-terminated C vector; NULL (exception pending) on failure. */
static char **dup_vector(napi_env env, napi_value arr, const char *what) {
  uint32_t n = 0;
  if (napi_get_array_length(env, arr, &n) != napi_ok) {
    kts_throw_arg(env, what);
    return NULL;
  }
  char **out = calloc((size_t)n + 1, sizeof *out);
  if (out == NULL) {
    kts_throw_errno(env, "calloc", ENOMEM);
    return NULL;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    if (napi_get_element(env, arr, i, &item) != napi_ok || (out[i] = dup_string(env, item, what)) == NULL) {
      for (uint32_t j = 0; j < i; j++) free(out[j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_vector(char **v) {
  if (v == NULL) return;
  for (char **p = v; *p != NULL; p++) free(*p);
  free(v);
}

/* enterNetNamespace(path): setns(open(path), CLONE_NEWNET) for the calling thread. */
napi_value kts_enter_net_namespace(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return kts_throw_arg(env, "enterNetNamespace(path)");
  char *path = dup_string(env, argv[0], "path must be a string");
  if (path == NULL) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  free(path);
  if (fd < 0) return kts_throw_errno(env, "open", errno);
  if (setns(fd, CLONE_NEWNET) < 0) {
    int err = errno;
    close(fd);
    return kts_throw_errno(env, "setns", err);
  }
  close(fd);
  return NULL;
}

/* execve(file, argv, envp) keeping stdio: returns only by throwing (the image is replaced otherwise). */
napi_value kts_execve(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  KTS_CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3) return kts_throw_arg(env, "execve(file, argv, envp)");
  char *file = dup_string(env, argv[0], "file must be a string");
  char **args = file == NULL ? NULL : dup_vector(env, argv[1], "argv must be an array of strings");
  char **envp = args == NULL ? NULL : dup_vector(env, argv[2], "envp must be an array of strings");
  if (envp == NULL) {
    free(file);
    free_vector(args);
    return NULL;
  }
  /* Node marks its stdio close-on-exec at start-up: the new image must keep them. */
  for (int fd = 0; fd <= 2; fd++) {
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  }
  execve(file, args, envp);
  int err = errno;
  free(file);
  free_vector(args);
  free_vector(envp);
  return kts_throw_errno(env, "execve", err);
}
