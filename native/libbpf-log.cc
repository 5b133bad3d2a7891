#include "libbpf-log.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

namespace velox {

namespace {

constexpr size_t kTailBytes = 8192;
bool debug = false;
std::string* capturing = nullptr;

int Print(enum libbpf_print_level level, const char* format, va_list args) {
  va_list copy;
  va_copy(copy, args);
  if (debug) vfprintf(stderr, format, args);
  if (capturing && level <= LIBBPF_WARN) {
    // One call can carry the whole verifier log: size it first.
    va_list sizing;
    va_copy(sizing, copy);
    int n = vsnprintf(nullptr, 0, format, sizing);
    va_end(sizing);
    if (n > 0) {
      std::string line(static_cast<size_t>(n) + 1, '\0');
      vsnprintf(line.data(), line.size(), format, copy);
      line.resize(static_cast<size_t>(n));
      capturing->append(line);
    }
    if (capturing->size() > 4 * kTailBytes) capturing->erase(0, capturing->size() - kTailBytes);
  }
  va_end(copy);
  return 0;
}

}  // namespace

void InstallLibbpfLog() {
  const char* env = getenv("VELOX_LIBBPF_DEBUG");
  debug = env && strcmp(env, "1") == 0;
  libbpf_set_print(Print);
}

LibbpfLogCapture::LibbpfLogCapture() { capturing = &text_; }

LibbpfLogCapture::~LibbpfLogCapture() { capturing = nullptr; }

std::string LibbpfLogCapture::Tail() const {
  std::string tail = text_.size() > kTailBytes ? text_.substr(text_.size() - kTailBytes) : text_;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail;
}

}  // namespace velox
