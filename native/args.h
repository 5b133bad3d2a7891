// Argument unpacking shared by every binding: wrong JS types become TypeErrors, never UB.
#ifndef VELOX_NATIVE_ARGS_H
#define VELOX_NATIVE_ARGS_H

#include <napi.h>

#include <string>

#include "errors.h"

namespace velox {

inline bool Present(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && !info[i].IsUndefined() && !info[i].IsNull();
}

inline int64_t ArgInt(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsNumber()) ThrowType(info.Env(), std::string(what) + " must be a number");
  double v = info[i].As<Napi::Number>().DoubleValue();
  if (v != static_cast<double>(static_cast<int64_t>(v))) ThrowType(info.Env(), std::string(what) + " must be an integer");
  return static_cast<int64_t>(v);
}

inline int64_t ArgIntOr(const Napi::CallbackInfo& info, size_t i, const char* what, int64_t fallback) {
  return Present(info, i) ? ArgInt(info, i, what) : fallback;
}

inline int ArgFd(const Napi::CallbackInfo& info, size_t i, const char* what = "fd") {
  int64_t fd = ArgInt(info, i, what);
  if (fd < 0 || fd > INT32_MAX) ThrowType(info.Env(), std::string(what) + " must be a file descriptor");
  return static_cast<int>(fd);
}

inline std::string ArgString(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsString()) ThrowType(info.Env(), std::string(what) + " must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}

inline Napi::Buffer<uint8_t> ArgBuffer(const Napi::CallbackInfo& info, size_t i, const char* what) {
  if (info.Length() <= i || !info[i].IsBuffer()) ThrowType(info.Env(), std::string(what) + " must be a Buffer");
  return info[i].As<Napi::Buffer<uint8_t>>();
}

}  // namespace velox

#endif
