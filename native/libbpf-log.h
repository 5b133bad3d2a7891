// libbpf's print callback: silent unless VELOX_LIBBPF_DEBUG=1 (then stderr), and the
// warnings of one call can be captured so a failed load reports the verifier's words.
#ifndef VELOX_NATIVE_LIBBPF_LOG_H
#define VELOX_NATIVE_LIBBPF_LOG_H

#include <string>

namespace velox {

void InstallLibbpfLog();

// Captures libbpf warnings while alive (one at a time; the addon runs on the JS thread).
class LibbpfLogCapture {
 public:
  LibbpfLogCapture();
  ~LibbpfLogCapture();
  LibbpfLogCapture(const LibbpfLogCapture&) = delete;
  LibbpfLogCapture& operator=(const LibbpfLogCapture&) = delete;
  // The last few KB of what libbpf said, trimmed.
  std::string Tail() const;

 private:
  std::string text_;
};

}  // namespace velox

#endif
