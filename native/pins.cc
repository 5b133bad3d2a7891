// bpffs pins and raw fds: pin any BPF fd, reopen a pin, remove a pin, close an fd.
#include <bpf/bpf.h>
#include <errno.h>
#include <unistd.h>

#include <string>

#include "args.h"
#include "errors.h"
#include "native.h"

namespace velox {

namespace {

Napi::Value PinObject(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  std::string path = ArgString(info, 1, "path");
  int ret = bpf_obj_pin(fd, path.c_str());
  if (ret != 0) ThrowErrno(info.Env(), LibbpfErr(ret), "bpf_obj_pin", path);
  return info.Env().Undefined();
}

Napi::Value OpenPinned(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) ThrowErrno(info.Env(), LibbpfErr(fd), "bpf_obj_get", path);
  return Napi::Number::New(info.Env(), fd);
}

Napi::Value Unpin(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  if (unlink(path.c_str()) != 0) ThrowErrno(info.Env(), errno, "unlink", path);
  return info.Env().Undefined();
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  if (close(fd) != 0) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

}  // namespace

void InitPins(Napi::Env env, Napi::Object exports) {
  exports.Set("pinObject", Napi::Function::New(env, PinObject, "pinObject"));
  exports.Set("openPinned", Napi::Function::New(env, OpenPinned, "openPinned"));
  exports.Set("unpin", Napi::Function::New(env, Unpin, "unpin"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace velox
