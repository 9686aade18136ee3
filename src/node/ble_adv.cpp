#include "tinysense/node/ble_adv.hpp"

namespace tinysense::node {

Status AdvBuilder::reserve(std::uint8_t type, std::size_t len, Span<std::uint8_t>* data) noexcept {
  if (len > 254 || data == nullptr) return Status::kInvalidArgument;
  if (out_.size() < size_ || out_.size() - size_ < len + 2) return Status::kNoSpace;
  out_[size_] = static_cast<std::uint8_t>(len + 1);  // the length counts the type byte
  out_[size_ + 1] = type;
  *data = out_.subspan(size_ + 2, len);
  size_ += len + 2;
  return Status::kOk;
}

Status AdvBuilder::add(std::uint8_t type, Span<const std::uint8_t> data) noexcept {
  Span<std::uint8_t> dst;
  TINYSENSE_TRY(reserve(type, data.size(), &dst));
  for (std::size_t i = 0; i < data.size(); ++i) dst[i] = data[i];
  return Status::kOk;
}

Status AdvBuilder::add_flags(std::uint8_t flags) noexcept {
  const std::uint8_t f[1] = {flags};
  return add(kAdFlags, Span<const std::uint8_t>(f));
}

Status AdvBuilder::add_name(const char* name) noexcept {
  if (name == nullptr) return Status::kInvalidArgument;
  std::size_t n = 0;
  while (name[n] != '\0' && n < 255) ++n;
  return add(kAdCompleteName,
             Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(name), n));
}

void encode_compact(std::uint16_t sequence, std::int16_t temperature_centi_c,
                    std::uint8_t out[kCompactDataBytes], std::uint16_t company) noexcept {
  const auto t = static_cast<std::uint16_t>(temperature_centi_c);
  out[0] = static_cast<std::uint8_t>(company & 0xFFu);  // company id is little-endian on air
  out[1] = static_cast<std::uint8_t>(company >> 8);
  out[2] = kCompactFormat;
  out[3] = kCompactVersion;
  out[4] = static_cast<std::uint8_t>(sequence >> 8);  // our fields are big-endian
  out[5] = static_cast<std::uint8_t>(sequence & 0xFFu);
  out[6] = static_cast<std::uint8_t>(t >> 8);
  out[7] = static_cast<std::uint8_t>(t & 0xFFu);
}

Status add_compact(AdvBuilder& adv, std::uint16_t sequence, std::int16_t temperature_centi_c,
                   std::uint16_t company) noexcept {
  Span<std::uint8_t> dst;
  TINYSENSE_TRY(adv.reserve(kAdManufacturer, kCompactDataBytes, &dst));
  encode_compact(sequence, temperature_centi_c, dst.data(), company);
  return Status::kOk;
}

}  // namespace tinysense::node
