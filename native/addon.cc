// Module init: libbpf logging, then every file's functions.
#include <bpf/libbpf.h>
#include <napi.h>

#include "libbpf-log.h"
#include "native.h"

namespace velox {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallLibbpfLog();
  // libbpf 1.x is strict already; saying so keeps a 0.8 build from guessing differently.
  libbpf_set_strict_mode(LIBBPF_STRICT_ALL);
  InitObject(env, exports);
  InitMaps(env, exports);
  InitPins(env, exports);
  InitXdp(env, exports);
  InitTestRun(env, exports);
  InitLayout(env, exports);
  return exports;
}

}  // namespace velox

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return velox::Init(env, exports); }

NODE_API_MODULE(velox_native, InitModule)
