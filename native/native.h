// Each file registers its functions on the module's exports.
#ifndef VELOX_NATIVE_NATIVE_H
#define VELOX_NATIVE_NATIVE_H

#include <napi.h>

namespace velox {

void InitObject(Napi::Env env, Napi::Object exports);
void InitMaps(Napi::Env env, Napi::Object exports);
void InitPins(Napi::Env env, Napi::Object exports);
void InitXdp(Napi::Env env, Napi::Object exports);
void InitTestRun(Napi::Env env, Napi::Object exports);
void InitLayout(Napi::Env env, Napi::Object exports);

}  // namespace velox

#endif
