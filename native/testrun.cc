// BPF_PROG_TEST_RUN of an XDP program on one packet: verdict, output bytes, duration.
#include <bpf/bpf.h>

#include <vector>

#include "args.h"
#include "errors.h"
#include "native.h"

namespace velox {

namespace {

// Room for programs that grow the packet (bpf_xdp_adjust_head/tail).
constexpr size_t kHeadroom = 256;

Napi::Value TestRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int progFd = ArgFd(info, 0, "progFd");
  auto packet = ArgBuffer(info, 1, "packet");
  int64_t repeat = ArgIntOr(info, 2, "repeat", 1);
  if (repeat < 1 || repeat > INT32_MAX) ThrowType(env, "repeat must be a positive integer");
  std::vector<uint8_t> out(packet.Length() + kHeadroom);
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = packet.Data();
  opts.data_size_in = static_cast<uint32_t>(packet.Length());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<uint32_t>(out.size());
  opts.repeat = static_cast<int>(repeat);
  int ret = bpf_prog_test_run_opts(progFd, &opts);
  if (ret != 0) ThrowErrno(env, LibbpfErr(ret), "bpf_prog_test_run_opts");
  size_t size = opts.data_size_out < out.size() ? opts.data_size_out : out.size();
  Napi::Object result = Napi::Object::New(env);
  result.Set("retval", opts.retval);
  result.Set("data", Napi::Buffer<uint8_t>::Copy(env, out.data(), size));
  result.Set("durationNs", opts.duration);
  return result;
}

}  // namespace

void InitTestRun(Napi::Env env, Napi::Object exports) {
  exports.Set("testRun", Napi::Function::New(env, TestRun, "testRun"));
}

}  // namespace velox
