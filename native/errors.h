// One way to fail: a JS Error carrying errno, code ('ENOENT') and syscall, with the
// message "syscall: strerror". src/native/errors.ts re-types it into a named error.
#ifndef VELOX_NATIVE_ERRORS_H
#define VELOX_NATIVE_ERRORS_H

#include <napi.h>

#include <string>

namespace velox {

// Throws (C++ exception, surfaced to JS by node-addon-api). `err` is a positive errno;
// `detail` (one line) goes in parentheses, `log` (e.g. the verifier's) below the message.
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& detail = "",
                             const std::string& log = "");

// Argument errors made before any syscall: a TypeError naming the function.
[[noreturn]] void ThrowType(Napi::Env env, const std::string& message);

// The positive errno of a failed libbpf call: libbpf 1.x returns -errno and sets errno.
inline int LibbpfErr(int ret) { return ret < -1 ? -ret : errno; }

}  // namespace velox

#endif
