// Map element operations on fds: lookup/update/delete, batch update, key iteration, info.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>

#include <string>
#include <vector>

#include "args.h"
#include "errors.h"
#include "map-info.h"
#include "native.h"

namespace velox {

bpf_map_info MapInfoOf(Napi::Env env, int fd) {
  bpf_map_info m{};
  uint32_t len = sizeof(m);
  int ret = bpf_obj_get_info_by_fd(fd, &m, &len);
  if (ret != 0) ThrowErrno(env, LibbpfErr(ret), "bpf_obj_get_info_by_fd");
  return m;
}

bool IsPerCpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int PossibleCpus(Napi::Env env) {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) ThrowErrno(env, n < 0 ? -n : EIO, "libbpf_num_possible_cpus");
  return n;
}

size_t UserValueSize(Napi::Env env, const bpf_map_info& m) {
  if (!IsPerCpu(m.type)) return m.value_size;
  return static_cast<size_t>(PossibleCpus(env)) * ((m.value_size + 7) / 8 * 8);
}

namespace {

// The kernel reads exactly key_size/value_size bytes from our pointers: a shorter
// Buffer would let it read past the end, so lengths are checked first.
void CheckLength(Napi::Env env, const char* syscall, const char* what, size_t got, size_t want) {
  if (got != want) {
    ThrowErrno(env, EINVAL, syscall,
               std::string(what) + " is " + std::to_string(got) + " bytes, the map expects " + std::to_string(want));
  }
}

Napi::Object InfoObject(Napi::Env env, int fd, const bpf_map_info& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", m.name);
  o.Set("fd", fd);
  o.Set("type", m.type);
  o.Set("keySize", m.key_size);
  o.Set("valueSize", m.value_size);
  o.Set("maxEntries", m.max_entries);
  o.Set("id", m.id);
  o.Set("flags", m.map_flags);
  return o;
}

Napi::Value MapInfo(const Napi::CallbackInfo& info) {
  int fd = ArgFd(info, 0);
  return InfoObject(info.Env(), fd, MapInfoOf(info.Env(), fd));
}

Napi::Value MapLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  auto key = ArgBuffer(info, 1, "key");
  bpf_map_info m = MapInfoOf(env, fd);
  CheckLength(env, "bpf_map_lookup_elem", "key", key.Length(), m.key_size);
  size_t size = UserValueSize(env, m);
  std::vector<uint8_t> value(size);
  int ret = bpf_map_lookup_elem(fd, key.Data(), value.data());
  if (ret != 0) {
    int err = LibbpfErr(ret);
    if (err == ENOENT) return env.Null();
    ThrowErrno(env, err, "bpf_map_lookup_elem");
  }
  return Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size());
}

Napi::Value MapUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  auto key = ArgBuffer(info, 1, "key");
  auto value = ArgBuffer(info, 2, "value");
  int64_t flags = ArgIntOr(info, 3, "flags", BPF_ANY);
  bpf_map_info m = MapInfoOf(env, fd);
  CheckLength(env, "bpf_map_update_elem", "key", key.Length(), m.key_size);
  CheckLength(env, "bpf_map_update_elem", "value", value.Length(), UserValueSize(env, m));
  int ret = bpf_map_update_elem(fd, key.Data(), value.Data(), static_cast<uint64_t>(flags));
  if (ret != 0) ThrowErrno(env, LibbpfErr(ret), "bpf_map_update_elem");
  return env.Undefined();
}

Napi::Value MapDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  auto key = ArgBuffer(info, 1, "key");
  bpf_map_info m = MapInfoOf(env, fd);
  CheckLength(env, "bpf_map_delete_elem", "key", key.Length(), m.key_size);
  int ret = bpf_map_delete_elem(fd, key.Data());
  if (ret != 0) {
    int err = LibbpfErr(ret);
    if (err == ENOENT) return Napi::Boolean::New(env, false);
    ThrowErrno(env, err, "bpf_map_delete_elem");
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value MapUpdateBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  auto keys = ArgBuffer(info, 1, "keys");
  auto values = ArgBuffer(info, 2, "values");
  int64_t count = ArgInt(info, 3, "count");
  int64_t flags = ArgIntOr(info, 4, "flags", BPF_ANY);
  if (count < 0 || count > UINT32_MAX) ThrowType(env, "count must be a non-negative 32-bit integer");
  bpf_map_info m = MapInfoOf(env, fd);
  size_t n = static_cast<size_t>(count);
  CheckLength(env, "bpf_map_update_batch", "keys", keys.Length(), n * m.key_size);
  CheckLength(env, "bpf_map_update_batch", "values", values.Length(), n * UserValueSize(env, m));
  if (n == 0) return env.Undefined();
  uint32_t done = static_cast<uint32_t>(n);
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  opts.elem_flags = static_cast<uint64_t>(flags);
  int ret = bpf_map_update_batch(fd, keys.Data(), values.Data(), &done, &opts);
  // `done` is not reported: the kernel leaves it untouched when it refuses the call up front.
  if (ret != 0) ThrowErrno(env, LibbpfErr(ret), "bpf_map_update_batch");
  return env.Undefined();
}

// Every entry of a hash or array map with BPF_MAP_LOOKUP_BATCH, a chunk per syscall: a
// walk of a full conntrack table by next-key + lookup would cost two syscalls per entry.
Napi::Value MapDump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  bpf_map_info m = MapInfoOf(env, fd);
  size_t valueSize = UserValueSize(env, m);
  // A hash bucket must fit in one chunk (ENOSPC otherwise); buckets are short, chunks are not.
  uint32_t chunk = m.max_entries < 4096 ? m.max_entries : 4096;
  if (chunk == 0) chunk = 1;
  std::vector<uint8_t> keys, values;
  // The batch token is a bucket index for hash maps and an index for arrays: key-sized is enough.
  std::vector<uint8_t> inBatch(m.key_size < 8 ? 8 : m.key_size), outBatch(inBatch.size());
  size_t total = 0;
  bool first = true;
  bpf_map_batch_opts opts{};
  opts.sz = sizeof(opts);
  for (;;) {
    keys.resize((total + chunk) * m.key_size);
    values.resize((total + chunk) * valueSize);
    uint32_t count = chunk;
    int ret = bpf_map_lookup_batch(fd, first ? nullptr : inBatch.data(), outBatch.data(),
                                   keys.data() + total * m.key_size, values.data() + total * valueSize, &count,
                                   &opts);
    int err = ret == 0 ? 0 : LibbpfErr(ret);
    if (err != 0 && err != ENOENT) ThrowErrno(env, err, "bpf_map_lookup_batch");
    total += count;
    if (err == ENOENT || total >= m.max_entries * 2u) break;  // ENOENT: the walk reached the end
    inBatch.swap(outBatch);
    first = false;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", Napi::Number::New(env, static_cast<double>(total)));
  out.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), total * m.key_size));
  out.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), total * valueSize));
  return out;
}

Napi::Value MapNextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ArgFd(info, 0);
  bpf_map_info m = MapInfoOf(env, fd);
  const void* prev = nullptr;
  Napi::Buffer<uint8_t> key;
  if (Present(info, 1)) {
    key = ArgBuffer(info, 1, "key");
    CheckLength(env, "bpf_map_get_next_key", "key", key.Length(), m.key_size);
    prev = key.Data();
  }
  std::vector<uint8_t> next(m.key_size);
  int ret = bpf_map_get_next_key(fd, prev, next.data());
  if (ret != 0) {
    int err = LibbpfErr(ret);
    if (err == ENOENT) return env.Null();
    ThrowErrno(env, err, "bpf_map_get_next_key");
  }
  return Napi::Buffer<uint8_t>::Copy(env, next.data(), next.size());
}

Napi::Value PossibleCpusJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), PossibleCpus(info.Env()));
}

}  // namespace

void InitMaps(Napi::Env env, Napi::Object exports) {
  exports.Set("mapInfo", Napi::Function::New(env, MapInfo, "mapInfo"));
  exports.Set("mapLookup", Napi::Function::New(env, MapLookup, "mapLookup"));
  exports.Set("mapUpdate", Napi::Function::New(env, MapUpdate, "mapUpdate"));
  exports.Set("mapDelete", Napi::Function::New(env, MapDelete, "mapDelete"));
  exports.Set("mapUpdateBatch", Napi::Function::New(env, MapUpdateBatch, "mapUpdateBatch"));
  exports.Set("mapNextKey", Napi::Function::New(env, MapNextKey, "mapNextKey"));
  exports.Set("mapDump", Napi::Function::New(env, MapDump, "mapDump"));
  exports.Set("possibleCpus", Napi::Function::New(env, PossibleCpusJs, "possibleCpus"));
}

}  // namespace velox
