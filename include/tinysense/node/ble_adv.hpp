// BLE advertising data (Core Spec Vol 3 Part C 11, Supplement Part A): AD
// structures [length][type][data] appended into a caller buffer, and the
// compact tinysense manufacturer-specific layout.
//
// Compact layout (9 data bytes after the length byte, 10 on air):
//   0x09 0xFF | company id 0xFFFF (LE) | 0xAA format | 0x01 version |
//   sequence uint16 BE | temperature int16 BE, centi-degrees Celsius
// 0xFFFF is the Bluetooth SIG's company id reserved for tests and internal
// use: fine for a prototype fleet; a product registers its own id and passes
// it as `company`. The host decoder is tinysense.gateway.bthome.
#ifndef TINYSENSE_NODE_BLE_ADV_HPP
#define TINYSENSE_NODE_BLE_ADV_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

constexpr std::size_t kLegacyAdvBytes = 31;  // legacy (BLE 4.x) advertising payload
constexpr std::uint8_t kAdFlags = 0x01;
constexpr std::uint8_t kAdCompleteName = 0x09;
constexpr std::uint8_t kAdServiceData16 = 0x16;
constexpr std::uint8_t kAdManufacturer = 0xFF;
// LE General Discoverable | BR/EDR not supported.
constexpr std::uint8_t kAdFlagsDefault = 0x06;

constexpr std::uint16_t kCompanyIdTest = 0xFFFF;
constexpr std::uint8_t kCompactFormat = 0xAA;
constexpr std::uint8_t kCompactVersion = 0x01;
constexpr std::size_t kCompactDataBytes = 8;  // company(2) format(1) version(1) seq(2) temp(2)

// Appends AD structures to `out` (normally 31 bytes for legacy advertising).
// Nothing is written past out.size(); a structure that does not fit is not
// written at all (kNoSpace) and the builder keeps what it had.
class AdvBuilder {
 public:
  explicit AdvBuilder(Span<std::uint8_t> out) noexcept : out_(out) {}

  // One AD structure with `data` (0..254 bytes; kInvalidArgument above).
  [[nodiscard]] Status add(std::uint8_t type, Span<const std::uint8_t> data) noexcept;
  // Reserves an AD structure of `len` data bytes and returns the span to fill.
  [[nodiscard]] Status reserve(std::uint8_t type, std::size_t len, Span<std::uint8_t>* data) noexcept;
  [[nodiscard]] Status add_flags(std::uint8_t flags = kAdFlagsDefault) noexcept;
  // Complete local name (ASCII, no terminator).
  [[nodiscard]] Status add_name(const char* name) noexcept;

  std::size_t size() const noexcept { return size_; }
  Span<const std::uint8_t> bytes() const noexcept { return Span<const std::uint8_t>(out_.data(), size_); }
  void reset() noexcept { size_ = 0; }

 private:
  Span<std::uint8_t> out_;
  std::size_t size_ = 0;
};

// The 8 data bytes of the compact layout (see the file comment).
void encode_compact(std::uint16_t sequence, std::int16_t temperature_centi_c,
                    std::uint8_t out[kCompactDataBytes],
                    std::uint16_t company = kCompanyIdTest) noexcept;

// Appends the compact layout as a manufacturer-specific AD structure (10 bytes).
[[nodiscard]] Status add_compact(AdvBuilder& adv, std::uint16_t sequence,
                                 std::int16_t temperature_centi_c,
                                 std::uint16_t company = kCompanyIdTest) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_BLE_ADV_HPP
