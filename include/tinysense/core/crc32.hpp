// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), equal to Python's
// zlib.crc32 / binascii.crc32. Bitwise with a 16-entry nibble table computed
// at compile time: small in flash, no RAM, about 2x slower than a 1 KiB table.
#ifndef TINYSENSE_CORE_CRC32_HPP
#define TINYSENSE_CORE_CRC32_HPP

#include <cstdint>

#include "tinysense/core/span.hpp"

namespace tinysense {

// Continues a CRC: crc32(b, crc32(a)) == crc32(a + b). Start with 0.
std::uint32_t crc32(Span<const std::uint8_t> data, std::uint32_t crc = 0) noexcept;

}  // namespace tinysense

#endif  // TINYSENSE_CORE_CRC32_HPP
