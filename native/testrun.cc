// BPF_PROG_TEST_RUN of an XDP program on one packet: verdict, output bytes, duration.
// With opts.ingressIfindex the packet arrives on that interface (of the caller's
// network namespace), so ctx->ingress_ifindex and XDP_TX paths can be tested.
#include <bpf/bpf.h>
#include <linux/bpf.h>

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
  int64_t ingressIfindex = 0;
  if (Present(info, 3)) {
    if (!info[3].IsObject()) ThrowType(env, "opts must be an object");
    Napi::Value v = info[3].As<Napi::Object>().Get("ingressIfindex");
    if (!v.IsUndefined()) {
      if (!v.IsNumber()) ThrowType(env, "opts.ingressIfindex must be a number");
      double d = v.As<Napi::Number>().DoubleValue();
      if (d < 1 || d > INT32_MAX || d != static_cast<double>(static_cast<int64_t>(d)))
        ThrowType(env, "opts.ingressIfindex must be an interface index");
      ingressIfindex = static_cast<int64_t>(d);
    }
  }
  std::vector<uint8_t> out(packet.Length() + kHeadroom);
  bpf_test_run_opts opts{};
  opts.sz = sizeof(opts);
  opts.data_in = packet.Data();
  opts.data_size_in = static_cast<uint32_t>(packet.Length());
  opts.data_out = out.data();
  opts.data_size_out = static_cast<uint32_t>(out.size());
  opts.repeat = static_cast<int>(repeat);
  // The kernel wants data and data_meta 0 (no metadata), data_end the packet's
  // length, rx queue 0 and no egress interface.
  xdp_md ctx{};
  if (ingressIfindex) {
    ctx.data_end = static_cast<uint32_t>(packet.Length());
    ctx.ingress_ifindex = static_cast<uint32_t>(ingressIfindex);
    opts.ctx_in = &ctx;
    opts.ctx_size_in = sizeof(ctx);
  }
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
