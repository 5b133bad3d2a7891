// XDP attachments: bpf_link creation/update/pin (links are fds), netlink query/detach,
// and interface names, all in the calling thread's network namespace.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <unistd.h>

#include <string>

#include "args.h"
#include "errors.h"
#include "handles.h"
#include "native.h"

namespace velox {

namespace {

uint32_t ModeFlags(const Napi::CallbackInfo& info, size_t i) {
  std::string mode = ArgString(info, i, "mode");
  if (mode == "native") return XDP_FLAGS_DRV_MODE;
  if (mode == "generic") return XDP_FLAGS_SKB_MODE;
  ThrowType(info.Env(), "mode must be 'native' or 'generic', not '" + mode + "'");
}

uint32_t ArgIfindex(const Napi::CallbackInfo& info, size_t i) {
  int64_t ifindex = ArgInt(info, i, "ifindex");
  if (ifindex <= 0 || ifindex > INT32_MAX) ThrowType(info.Env(), "ifindex must be a positive integer");
  return static_cast<uint32_t>(ifindex);
}

Napi::Value AttachXdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int progFd = ArgFd(info, 0, "progFd");
  uint32_t ifindex = ArgIfindex(info, 1);
  uint32_t flags = ModeFlags(info, 2);
  bpf_link_create_opts opts{};
  opts.sz = sizeof(opts);
  opts.flags = flags;
  int fd = bpf_link_create(progFd, static_cast<int>(ifindex), BPF_XDP, &opts);
  if (fd < 0) ThrowErrno(env, LibbpfErr(fd), "bpf_link_create", "ifindex " + std::to_string(ifindex));
  Napi::Object out = Napi::Object::New(env);
  out.Set("link", WrapLink(env, fd));
  // The kernel refuses DRV_MODE rather than falling back, so the requested mode is the mode.
  out.Set("mode", flags == XDP_FLAGS_DRV_MODE ? "native" : "generic");
  return out;
}

Napi::Value UpdateLink(const Napi::CallbackInfo& info) {
  LinkHandle* link = ArgLink(info, 0);
  int progFd = ArgFd(info, 1, "progFd");
  int ret = bpf_link_update(link->fd, progFd, nullptr);
  if (ret != 0) ThrowErrno(info.Env(), LibbpfErr(ret), "bpf_link_update");
  return info.Env().Undefined();
}

Napi::Value DestroyLink(const Napi::CallbackInfo& info) {
  LinkHandle* link = ArgLink(info, 0);
  int fd = link->fd;
  link->fd = -1;
  if (close(fd) != 0) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

Napi::Value PinLink(const Napi::CallbackInfo& info) {
  LinkHandle* link = ArgLink(info, 0);
  std::string path = ArgString(info, 1, "path");
  int ret = bpf_obj_pin(link->fd, path.c_str());
  if (ret != 0) ThrowErrno(info.Env(), LibbpfErr(ret), "bpf_obj_pin", path);
  return info.Env().Undefined();
}

Napi::Value OpenPinnedLink(const Napi::CallbackInfo& info) {
  std::string path = ArgString(info, 0, "path");
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) ThrowErrno(info.Env(), LibbpfErr(fd), "bpf_obj_get", path);
  return WrapLink(info.Env(), fd);
}

Napi::Value QueryXdp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t ifindex = ArgIfindex(info, 0);
  bpf_xdp_query_opts opts{};
  opts.sz = sizeof(opts);
  int ret = bpf_xdp_query(static_cast<int>(ifindex), 0, &opts);
  if (ret != 0) ThrowErrno(env, LibbpfErr(ret), "bpf_xdp_query", "ifindex " + std::to_string(ifindex));
  const char* mode = nullptr;
  uint32_t id = 0;
  // With several attached (XDP_ATTACHED_MULTI) the driver-mode program is the one that sees packets first.
  if (opts.drv_prog_id) {
    mode = "native";
    id = opts.drv_prog_id;
  } else if (opts.skb_prog_id) {
    mode = "generic";
    id = opts.skb_prog_id;
  } else if (opts.hw_prog_id) {
    mode = "offload";
    id = opts.hw_prog_id;
  } else if (opts.attach_mode != XDP_ATTACHED_NONE && opts.prog_id) {
    mode = opts.attach_mode == XDP_ATTACHED_SKB ? "generic" : opts.attach_mode == XDP_ATTACHED_HW ? "offload" : "native";
    id = opts.prog_id;
  }
  if (!mode) return env.Null();
  Napi::Object out = Napi::Object::New(env);
  out.Set("progId", id);
  out.Set("mode", mode);
  return out;
}

Napi::Value DetachXdp(const Napi::CallbackInfo& info) {
  uint32_t ifindex = ArgIfindex(info, 0);
  uint32_t flags = ModeFlags(info, 1);
  int ret = bpf_xdp_detach(static_cast<int>(ifindex), flags, nullptr);
  if (ret != 0) ThrowErrno(info.Env(), LibbpfErr(ret), "bpf_xdp_detach", "ifindex " + std::to_string(ifindex));
  return info.Env().Undefined();
}

Napi::Value IfIndex(const Napi::CallbackInfo& info) {
  std::string name = ArgString(info, 0, "name");
  unsigned int index = if_nametoindex(name.c_str());
  if (index == 0) ThrowErrno(info.Env(), errno, "if_nametoindex", name);
  return Napi::Number::New(info.Env(), index);
}

}  // namespace

void InitXdp(Napi::Env env, Napi::Object exports) {
  exports.Set("attachXdp", Napi::Function::New(env, AttachXdp, "attachXdp"));
  exports.Set("updateLink", Napi::Function::New(env, UpdateLink, "updateLink"));
  exports.Set("destroyLink", Napi::Function::New(env, DestroyLink, "destroyLink"));
  exports.Set("pinLink", Napi::Function::New(env, PinLink, "pinLink"));
  exports.Set("openPinnedLink", Napi::Function::New(env, OpenPinnedLink, "openPinnedLink"));
  exports.Set("queryXdp", Napi::Function::New(env, QueryXdp, "queryXdp"));
  exports.Set("detachXdp", Napi::Function::New(env, DetachXdp, "detachXdp"));
  exports.Set("ifIndex", Napi::Function::New(env, IfIndex, "ifIndex"));
}

}  // namespace velox
