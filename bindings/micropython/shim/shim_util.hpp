// Helpers shared by the shim sources (C++ side of the MicroPython glue).
#ifndef TINYSENSE_MP_SHIM_UTIL_HPP
#define TINYSENSE_MP_SHIM_UTIL_HPP

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "tinysense/core/status.hpp"
#include "tinysense_shim.h"

namespace tinysense::mp {

constexpr std::size_t align_up(std::size_t v, std::size_t a) noexcept { return (v + a - 1) / a * a; }

// Lays consecutive, aligned pieces out in one block. With a null base it only
// measures, so ts_*_bytes() and ts_*_init() run the same code and cannot disagree.
class Carver {
 public:
  explicit Carver(void* base) noexcept : base_(static_cast<unsigned char*>(base)) {}

  template <class T>
  T* take(std::size_t count) noexcept {
    static_assert(alignof(T) <= TS_SHIM_ALIGN, "instance memory is only TS_SHIM_ALIGN-aligned");
    static_assert(std::is_trivially_destructible_v<T>, "the GC frees instances without destructors");
    off_ = align_up(off_, alignof(T));
    T* p = base_ != nullptr ? reinterpret_cast<T*>(base_ + off_) : nullptr;
    off_ += count * sizeof(T);
    return p;
  }
  // Constructs one T in place (value-initialised) when measuring is over.
  template <class T>
  T* make() noexcept {
    T* p = take<T>(1);
    return p != nullptr ? new (p) T() : nullptr;
  }
  std::size_t size() const noexcept { return off_; }

 private:
  unsigned char* base_;
  std::size_t off_ = 0;
};

constexpr int to_int(Status s) noexcept { return static_cast<int>(s); }

}  // namespace tinysense::mp

// Returns the failing Status of `expr` as an int from a shim entry point.
#define TS_TRY(expr)                                  \
  do {                                                           \
    const ::tinysense::Status tinysense_try_s_ = (expr);         \
    if (tinysense_try_s_ != ::tinysense::Status::kOk) {          \
      return static_cast<int>(tinysense_try_s_);                 \
    }                                                            \
  } while (0)

#endif  // TINYSENSE_MP_SHIM_UTIL_HPP
