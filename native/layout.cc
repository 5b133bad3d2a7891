// Sizes, field offsets and constants of bpf/lb.h as this compiler lays them out, so the
// TypeScript codecs are checked against the header instead of a copy of it. The name
// lists come from lb-names.h, generated from the header at build time (gen-lb-names.mjs).
#include <stddef.h>

#include "../bpf/lb.h"
#include "lb-names.h"
#include "native.h"

namespace velox {

namespace {

#define VX_FIELD(S, field) offsets.Set(#field, static_cast<uint32_t>(offsetof(struct S, field)));
#define VX_STRUCT(S)                                         \
  {                                                          \
    Napi::Object offsets = Napi::Object::New(env);           \
    VX_LB_FIELDS_##S(VX_FIELD)                               \
    Napi::Object layout = Napi::Object::New(env);            \
    layout.Set("size", static_cast<uint32_t>(sizeof(struct S))); \
    layout.Set("offsets", offsets);                          \
    out.Set(#S, layout);                                     \
  }

Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  VX_LB_STRUCTS(VX_STRUCT)
  return out;
}

#define VX_NUMBER(name) out.Set(#name, Napi::Number::New(env, static_cast<double>(name)));
#define VX_STRING(name) out.Set(#name, Napi::String::New(env, name));

Napi::Value Constants(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  VX_LB_NUMBERS(VX_NUMBER)
  VX_LB_STRINGS(VX_STRING)
  return out;
}

}  // namespace

void InitLayout(Napi::Env env, Napi::Object exports) {
  exports.Set("layout", Napi::Function::New(env, Layout, "layout"));
  exports.Set("constants", Napi::Function::New(env, Constants, "constants"));
}

}  // namespace velox
