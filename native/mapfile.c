/*
 * kts_mapfile: a file's bytes as a JS string without a copy. The file is mapped from the
 * page cache and handed to V8 as an external Latin-1 string, so reading a 1.5 MB
 * configuration touches no fresh memory (on this class of VM each fresh 4 KiB page costs
 * ~12 µs: a read(2) into a buffer, then a string made from it, is ~730 of them).
 *
 * Its own addon, apart from kts_native: external strings are experimental Node-API in
 * Node 20 (stable from Node-API 10), and an addon that declares the experimental version
 * has Node run its finalizers differently. This one's finalizer only unmaps.
 *
 * For commands that read and exit (-t, -d): a file truncated while it is mapped raises
 * SIGBUS on the next touch of the pages it lost. The daemon reads with read(2).
 */
#define NAPI_EXPERIMENTAL
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* V8's longest one-byte string on 64-bit hosts: a larger file cannot be one string. */
#define MAX_STRING_BYTES ((size_t)((1u << 29) - 24))

static napi_value throw_errno(napi_env env, const char *call, const char *path, int err) {
  char text[4608];
  const char *code = strerrorname_np(err);
  snprintf(text, sizeof text, "%s %s: %s (%s)", call, path, code ? code : "E?", strerror(err));
  napi_throw_error(env, code, text);
  return NULL;
}

static void unmap(__attribute__((unused)) node_api_basic_env env, void *data, void *hint) {
  munmap(data, (size_t)hint);
}

/* mapFileLatin1(path): the file's bytes, one character each (what readFileSync(path, 'latin1') gives). */
static napi_value map_file_latin1(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  size_t argc = 1, len;
  char path[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok ||
      len >= sizeof path - 1) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_VALUE", "mapFileLatin1(path): path must be a string");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throw_errno(env, "open", path, errno);
  struct stat st;
  if (fstat(fd, &st) < 0) {
    int err = errno;
    close(fd);
    return throw_errno(env, "fstat", path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return throw_errno(env, "mmap", path, ENODEV);
  }
  size_t size = (size_t)st.st_size;
  if (size > MAX_STRING_BYTES) {
    close(fd);
    return throw_errno(env, "mmap", path, EFBIG);
  }
  if (size == 0) {
    close(fd);
    if (napi_create_string_latin1(env, "", 0, &result) != napi_ok) return NULL;
    return result;
  }
  char *bytes = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (bytes == MAP_FAILED) return throw_errno(env, "mmap", path, err);
  bool copied = false;
  /* When V8 copies instead (short strings), it has already called unmap. */
  if (node_api_create_external_string_latin1(env, bytes, size, unmap, (void *)size, &result, &copied) !=
      napi_ok)
    return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "mapFileLatin1", NAPI_AUTO_LENGTH, map_file_latin1, NULL, &fn) != napi_ok)
    return NULL;
  if (napi_set_named_property(env, exports, "mapFileLatin1", fn) != napi_ok) return NULL;
  return exports;
}
