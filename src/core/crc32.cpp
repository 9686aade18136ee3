#include "tinysense/core/crc32.hpp"

namespace tinysense {
namespace {

constexpr std::uint32_t nibble_entry(std::uint32_t n) noexcept {
  std::uint32_t c = n;
  for (int k = 0; k < 4; ++k) c = (c & 1u) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  return c;
}

// constexpr table in flash (no mutable initialised global, natmod-safe).
constexpr std::uint32_t kNibble[16] = {
    nibble_entry(0),  nibble_entry(1),  nibble_entry(2),  nibble_entry(3),
    nibble_entry(4),  nibble_entry(5),  nibble_entry(6),  nibble_entry(7),
    nibble_entry(8),  nibble_entry(9),  nibble_entry(10), nibble_entry(11),
    nibble_entry(12), nibble_entry(13), nibble_entry(14), nibble_entry(15)};

}  // namespace

std::uint32_t crc32(Span<const std::uint8_t> data, std::uint32_t crc) noexcept {
  std::uint32_t c = ~crc;
  for (const std::uint8_t byte : data) {
    c ^= byte;
    c = (c >> 4) ^ kNibble[c & 0xFu];
    c = (c >> 4) ^ kNibble[c & 0xFu];
  }
  return ~c;
}

}  // namespace tinysense
