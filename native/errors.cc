#include "errors.h"

#include <errno.h>
#include <string.h>

namespace velox {

namespace {

// glibc knows every errno name except the kernel-internal ENOTSUPP that BPF returns.
std::string ErrnoName(int err) {
  if (err == 524) return "ENOTSUPP";
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

std::string ErrnoText(int err) {
  if (err == 524) return "Operation not supported";
  return strerror(err);
}

}  // namespace

void ThrowErrno(Napi::Env env, int err, const char* syscall, const std::string& detail, const std::string& log) {
  if (err <= 0) err = EIO;  // a call failed without telling why; never report success
  std::string message = std::string(syscall) + ": " + ErrnoText(err);
  if (!detail.empty()) message += " (" + detail + ")";
  if (!log.empty()) message += "\n" + log;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("code", Napi::String::New(env, ErrnoName(err)));
  error.Set("syscall", Napi::String::New(env, syscall));
  throw error;
}

void ThrowType(Napi::Env env, const std::string& message) { throw Napi::TypeError::New(env, message); }

}  // namespace velox
