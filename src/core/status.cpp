#include "tinysense/core/status.hpp"

namespace tinysense {

const char* to_string(Status s) noexcept {
  switch (s) {
    case Status::kOk: return "ok";
    case Status::kIoError: return "i/o error";
    case Status::kNoMemory: return "buffer too small";
    case Status::kBusy: return "busy";
    case Status::kInvalidArgument: return "invalid argument";
    case Status::kNoSpace: return "no space left";
    case Status::kOutOfRange: return "value out of range";
    case Status::kNoData: return "no data";
    case Status::kNotInitialized: return "not initialized";
    case Status::kCorrupt: return "corrupt data";
    case Status::kSizeMismatch: return "size mismatch";
    case Status::kNotSupported: return "not supported";
    case Status::kTimeout: return "timeout";
  }
  return "unknown status";
}

}  // namespace tinysense
