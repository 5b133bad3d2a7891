// BPF objects: open/load with a pin root, close, list maps, find programs.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <sys/stat.h>

#include <string>

#include "args.h"
#include "errors.h"
#include "handles.h"
#include "libbpf-log.h"
#include "native.h"

namespace velox {

namespace {

// mkdir -p: libbpf pins into pin_root_path but does not create it.
void MakeDirs(Napi::Env env, const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++) {
    if (i != path.size() && path[i] != '/') continue;
    std::string part = path.substr(0, i);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) ThrowErrno(env, errno, "mkdir", part);
  }
}

Napi::Value LoadObject(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  std::string pinRoot;
  if (Present(info, 1)) {
    if (!info[1].IsObject()) ThrowType(env, "opts must be an object");
    Napi::Value root = info[1].As<Napi::Object>().Get("pinRoot");
    if (!root.IsUndefined()) {
      if (!root.IsString()) ThrowType(env, "opts.pinRoot must be a string");
      pinRoot = root.As<Napi::String>().Utf8Value();
      while (pinRoot.size() > 1 && pinRoot.back() == '/') pinRoot.pop_back();
      MakeDirs(env, pinRoot);
    }
  }

  LibbpfLogCapture log;
  bpf_object_open_opts opts{};
  opts.sz = sizeof(opts);
  opts.pin_root_path = pinRoot.empty() ? nullptr : pinRoot.c_str();
  bpf_object* obj = bpf_object__open_file(path.c_str(), &opts);
  if (!obj) {
    int err = errno;
    ThrowErrno(env, err, "bpf_object__open_file", path, log.Tail());
  }
  int ret = bpf_object__load(obj);
  if (ret != 0) {
    int err = LibbpfErr(ret);
    std::string tail = log.Tail();
    bpf_object__close(obj);
    ThrowErrno(env, err, "bpf_object__load", path, tail);
  }
  return WrapObject(env, obj);
}

Napi::Value CloseObject(const Napi::CallbackInfo& info) {
  ObjectHandle* h = ArgObject(info, 0);
  bpf_object__close(h->obj);
  h->obj = nullptr;
  return info.Env().Undefined();
}

Napi::Value ObjectMaps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ObjectHandle* h = ArgObject(info, 0);
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_map* map;
  bpf_object__for_each_map(map, h->obj) {
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", bpf_map__name(map));
    m.Set("fd", bpf_map__fd(map));
    m.Set("type", static_cast<uint32_t>(bpf_map__type(map)));
    m.Set("keySize", bpf_map__key_size(map));
    m.Set("valueSize", bpf_map__value_size(map));
    m.Set("maxEntries", bpf_map__max_entries(map));
    out.Set(i++, m);
  }
  return out;
}

// The maps an object file declares, read without loading it (no map is created): what a
// new build expects, to compare with what is pinned before libbpf refuses a mismatch.
Napi::Value ObjectMapSpecs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ArgString(info, 0, "path");
  LibbpfLogCapture log;
  bpf_object* obj = bpf_object__open_file(path.c_str(), nullptr);
  if (!obj) {
    int err = errno;
    ThrowErrno(env, err, "bpf_object__open_file", path, log.Tail());
  }
  Napi::Array out = Napi::Array::New(env);
  uint32_t i = 0;
  bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    if (bpf_map__is_internal(map)) continue;  // .rodata/.bss: never pinned
    Napi::Object m = Napi::Object::New(env);
    m.Set("name", bpf_map__name(map));
    m.Set("type", static_cast<uint32_t>(bpf_map__type(map)));
    m.Set("keySize", bpf_map__key_size(map));
    m.Set("valueSize", bpf_map__value_size(map));
    m.Set("maxEntries", bpf_map__max_entries(map));
    m.Set("flags", bpf_map__map_flags(map));
    out.Set(i++, m);
  }
  bpf_object__close(obj);
  return out;
}

Napi::Value ProgramFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ObjectHandle* h = ArgObject(info, 0);
  std::string name = ArgString(info, 1, "name");
  bpf_program* prog = bpf_object__find_program_by_name(h->obj, name.c_str());
  if (!prog) ThrowErrno(env, ENOENT, "bpf_object__find_program_by_name", name);
  int fd = bpf_program__fd(prog);
  if (fd < 0) ThrowErrno(env, LibbpfErr(fd), "bpf_program__fd", name);
  return Napi::Number::New(env, fd);
}

}  // namespace

void InitObject(Napi::Env env, Napi::Object exports) {
  exports.Set("loadObject", Napi::Function::New(env, LoadObject, "loadObject"));
  exports.Set("closeObject", Napi::Function::New(env, CloseObject, "closeObject"));
  exports.Set("objectMaps", Napi::Function::New(env, ObjectMaps, "objectMaps"));
  exports.Set("objectMapSpecs", Napi::Function::New(env, ObjectMapSpecs, "objectMapSpecs"));
  exports.Set("programFd", Napi::Function::New(env, ProgramFd, "programFd"));
}

}  // namespace velox
