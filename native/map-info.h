// Kernel-side facts about a map fd, and the per-CPU value layout derived from them.
#ifndef VELOX_NATIVE_MAP_INFO_H
#define VELOX_NATIVE_MAP_INFO_H

#include <bpf/bpf.h>
#include <napi.h>

namespace velox {

bpf_map_info MapInfoOf(Napi::Env env, int fd);
bool IsPerCpu(uint32_t type);
// Bytes of one value as user space passes it: per-CPU maps hold possible CPUs x round_up(size, 8).
size_t UserValueSize(Napi::Env env, const bpf_map_info& m);
int PossibleCpus(Napi::Env env);

}  // namespace velox

#endif
