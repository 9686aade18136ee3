// A mutable, aligned copy of a model file for damage tests (test code only).
//
// resign() rewrites the container's payload size and CRC-32 after a patch, so
// the loader's payload checks, not the CRC, have to catch the damage.
#ifndef TINYSENSE_TESTS_MODEL_BYTES_HPP
#define TINYSENSE_TESTS_MODEL_BYTES_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinysense/core/crc32.hpp"
#include "tinysense/core/span.hpp"
#include "tinysense/ml/model.hpp"

namespace tt {

template <std::size_t Capacity>
struct ModelBytes {
  alignas(8) std::uint8_t buf[Capacity];
  std::size_t len = 0;

  void copy(const std::uint8_t* model, std::size_t n) noexcept {
    std::memcpy(buf, model, n);
    len = n;
  }
  void put_u16(std::size_t off, std::uint16_t v) noexcept {
    buf[off] = static_cast<std::uint8_t>(v);
    buf[off + 1] = static_cast<std::uint8_t>(v >> 8);
  }
  void put_u32(std::size_t off, std::uint32_t v) noexcept {
    for (std::size_t i = 0; i < 4; ++i) buf[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void resign() noexcept {
    using tinysense::ml::kModelHeaderSize;
    put_u32(8, static_cast<std::uint32_t>(len - kModelHeaderSize));
    std::uint32_t crc = tinysense::crc32(tinysense::Span<const std::uint8_t>(buf, 28));
    crc = tinysense::crc32(tinysense::Span<const std::uint8_t>(buf + kModelHeaderSize, len - kModelHeaderSize), crc);
    put_u32(28, crc);
  }
  tinysense::Span<const std::uint8_t> bytes() const noexcept {
    return tinysense::Span<const std::uint8_t>(buf, len);
  }
};

}  // namespace tt

#endif  // TINYSENSE_TESTS_MODEL_BYTES_HPP
