// Opaque handles given to JS: napi Externals owning a bpf_object or a link fd. Closing
// nulls the owned resource so the GC finalizer (a safety net) never frees it twice.
#ifndef VELOX_NATIVE_HANDLES_H
#define VELOX_NATIVE_HANDLES_H

#include <napi.h>

struct bpf_object;

namespace velox {

enum class HandleKind : uint32_t { kObject = 0x0b1ec700, kLink = 0x11a4c700 };

struct Handle {
  HandleKind kind;
};

struct ObjectHandle : Handle {
  bpf_object* obj;
};

struct LinkHandle : Handle {
  int fd;  // -1 once destroyed
};

Napi::Value WrapObject(Napi::Env env, bpf_object* obj);
Napi::Value WrapLink(Napi::Env env, int fd);

// The live handle at info[i]; throws a TypeError for anything else or a closed handle.
ObjectHandle* ArgObject(const Napi::CallbackInfo& info, size_t i);
LinkHandle* ArgLink(const Napi::CallbackInfo& info, size_t i);

}  // namespace velox

#endif
