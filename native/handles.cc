#include "handles.h"

#include <bpf/libbpf.h>
#include <unistd.h>

#include "errors.h"

namespace velox {

Napi::Value WrapObject(Napi::Env env, bpf_object* obj) {
  auto* h = new ObjectHandle{{HandleKind::kObject}, obj};
  return Napi::External<ObjectHandle>::New(env, h, [](Napi::Env, ObjectHandle* dead) {
    if (dead->obj) bpf_object__close(dead->obj);
    delete dead;
  });
}

// A link dropped without destroyLink is closed at GC: unpinned, that detaches it.
Napi::Value WrapLink(Napi::Env env, int fd) {
  auto* h = new LinkHandle{{HandleKind::kLink}, fd};
  return Napi::External<LinkHandle>::New(env, h, [](Napi::Env, LinkHandle* dead) {
    if (dead->fd >= 0) close(dead->fd);
    delete dead;
  });
}

namespace {

Handle* ArgHandle(const Napi::CallbackInfo& info, size_t i, HandleKind kind, const char* what) {
  if (info.Length() <= i || !info[i].IsExternal()) ThrowType(info.Env(), std::string(what) + " must be a handle");
  auto* h = static_cast<Handle*>(info[i].As<Napi::External<Handle>>().Data());
  if (!h || h->kind != kind) ThrowType(info.Env(), std::string(what) + " is a handle of another kind");
  return h;
}

}  // namespace

ObjectHandle* ArgObject(const Napi::CallbackInfo& info, size_t i) {
  auto* h = static_cast<ObjectHandle*>(ArgHandle(info, i, HandleKind::kObject, "obj"));
  if (!h->obj) ThrowType(info.Env(), "obj is closed");
  return h;
}

LinkHandle* ArgLink(const Napi::CallbackInfo& info, size_t i) {
  auto* h = static_cast<LinkHandle*>(ArgHandle(info, i, HandleKind::kLink, "link"));
  if (h->fd < 0) ThrowType(info.Env(), "link is destroyed");
  return h;
}

}  // namespace velox
