#include "tinysense/node/record.hpp"

#include <cstring>

namespace tinysense::node {
namespace {

constexpr std::size_t varint_len(std::uint32_t v) noexcept {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

std::uint8_t* put_varint(std::uint8_t* p, std::uint32_t v) noexcept {
  while (v >= 0x80) {
    *p++ = static_cast<std::uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<std::uint8_t>(v);
  return p;
}

constexpr std::uint32_t zigzag(std::int32_t v) noexcept {
  return (static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v < 0 ? -1 : 0);
}
constexpr std::int32_t unzigzag(std::uint32_t u) noexcept {
  return static_cast<std::int32_t>((u >> 1) ^ (0u - (u & 1)));
}

void put16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
std::uint16_t get16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

// Reads a minimal LEB128 u32 at *pos; false when truncated, longer than 5
// bytes, above 2^32-1 or not minimal (a trailing zero group).
bool get_varint(Span<const std::uint8_t> in, std::size_t* pos, std::uint32_t* out) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    if (*pos >= in.size()) return false;
    const std::uint8_t b = in[(*pos)++];
    if (i == 4 && b > 0x0F) return false;
    v |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) return false;
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace

std::int16_t feature(const Field& f, std::size_t i) noexcept {
  return static_cast<std::int16_t>(get16(f.data.data() + 2 * i));
}

// ---- encoder ----------------------------------------------------------------

Status RecordEncoder::begin(Span<std::uint8_t> out, std::uint8_t kind, std::uint32_t seq,
                            std::uint32_t timestamp) noexcept {
  started_ = false;
  size_ = 0;
  if (kind >= 32) return Status::kInvalidArgument;
  const std::size_t n = 1 + varint_len(seq) + varint_len(timestamp);
  if (out.size() < n) return Status::kNoMemory;
  out_ = out;
  out_[0] = static_cast<std::uint8_t>((kRecordVersion << 5) | kind);
  put_varint(put_varint(out_.data() + 1, seq), timestamp);
  size_ = n;
  started_ = true;
  return Status::kOk;
}

Status RecordEncoder::reserve(std::size_t n, std::uint8_t** p) noexcept {
  if (!started_) return Status::kNotInitialized;
  if (out_.size() - size_ < n) return Status::kNoMemory;
  *p = out_.data() + size_;
  size_ += n;
  return Status::kOk;
}

Status RecordEncoder::add_temperature(std::int16_t centi_celsius) noexcept {
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(3, &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kTemperature);
  put16(p + 1, static_cast<std::uint16_t>(centi_celsius));
  return Status::kOk;
}

Status RecordEncoder::add_humidity(std::uint16_t centi_percent) noexcept {
  if (centi_percent > kHumidityMax) return Status::kInvalidArgument;
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(3, &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kHumidity);
  put16(p + 1, centi_percent);
  return Status::kOk;
}

Status RecordEncoder::add_sound_level(std::uint8_t metric, std::int16_t centi_db) noexcept {
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(4, &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kSoundLevel);
  p[1] = metric;
  put16(p + 2, static_cast<std::uint16_t>(centi_db));
  return Status::kOk;
}

Status RecordEncoder::add_class(std::uint8_t class_id, std::uint8_t confidence) noexcept {
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(3, &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kClass);
  p[1] = class_id;
  p[2] = confidence;
  return Status::kOk;
}

Status RecordEncoder::add_features(Span<const std::int16_t> values) noexcept {
  if (values.empty() || values.size() > 255) return Status::kInvalidArgument;
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(2 + 2 * values.size(), &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kFeatures);
  p[1] = static_cast<std::uint8_t>(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    put16(p + 2 + 2 * i, static_cast<std::uint16_t>(values[i]));
  }
  return Status::kOk;
}

Status RecordEncoder::add_battery(std::uint16_t millivolts) noexcept {
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(3, &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kBattery);
  put16(p + 1, millivolts);
  return Status::kOk;
}

Status RecordEncoder::add_value(std::uint8_t channel, std::int32_t value) noexcept {
  const std::uint32_t z = zigzag(value);
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(2 + varint_len(z), &p));
  p[0] = static_cast<std::uint8_t>(FieldType::kValue);
  p[1] = channel;
  put_varint(p + 2, z);
  return Status::kOk;
}

Status RecordEncoder::add_extension(std::uint8_t tag, Span<const std::uint8_t> data) noexcept {
  if (tag < 0x80 || data.size() > 255) return Status::kInvalidArgument;
  std::uint8_t* p = nullptr;
  TINYSENSE_TRY(reserve(2 + data.size(), &p));
  p[0] = tag;
  p[1] = static_cast<std::uint8_t>(data.size());
  if (!data.empty()) std::memcpy(p + 2, data.data(), data.size());
  return Status::kOk;
}

Status RecordEncoder::add(const Field& f) noexcept {
  switch (f.type) {
    case FieldType::kTemperature:
      if (f.value < -32768 || f.value > 32767) return Status::kInvalidArgument;
      return add_temperature(static_cast<std::int16_t>(f.value));
    case FieldType::kHumidity:
      if (f.value < 0 || f.value > kHumidityMax) return Status::kInvalidArgument;
      return add_humidity(static_cast<std::uint16_t>(f.value));
    case FieldType::kSoundLevel:
      if (f.value < -32768 || f.value > 32767) return Status::kInvalidArgument;
      return add_sound_level(f.id, static_cast<std::int16_t>(f.value));
    case FieldType::kClass:
      if (f.value < 0 || f.value > 255) return Status::kInvalidArgument;
      return add_class(f.id, static_cast<std::uint8_t>(f.value));
    case FieldType::kFeatures: {
      if (f.id == 0 || f.data.size() != 2u * f.id) return Status::kInvalidArgument;
      std::uint8_t* p = nullptr;
      TINYSENSE_TRY(reserve(2 + f.data.size(), &p));
      p[0] = static_cast<std::uint8_t>(FieldType::kFeatures);
      p[1] = f.id;
      std::memcpy(p + 2, f.data.data(), f.data.size());
      return Status::kOk;
    }
    case FieldType::kBattery:
      if (f.value < 0 || f.value > 65535) return Status::kInvalidArgument;
      return add_battery(static_cast<std::uint16_t>(f.value));
    case FieldType::kValue: return add_value(f.id, f.value);
    case FieldType::kExtension: return add_extension(f.id, f.data);
  }
  return Status::kInvalidArgument;
}

// ---- decoder ----------------------------------------------------------------

Status RecordDecoder::begin(Span<const std::uint8_t> in, RecordHeader* header) noexcept {
  ok_ = false;
  in_ = in;
  pos_ = 0;
  if (in.empty()) return Status::kCorrupt;
  const std::uint8_t h = in[0];
  if ((h >> 5) != kRecordVersion) return Status::kNotSupported;
  pos_ = 1;
  RecordHeader r;
  r.version = kRecordVersion;
  r.kind = static_cast<std::uint8_t>(h & 0x1F);
  if (!get_varint(in_, &pos_, &r.seq) || !get_varint(in_, &pos_, &r.timestamp)) {
    return Status::kCorrupt;
  }
  if (header != nullptr) *header = r;
  ok_ = true;
  return Status::kOk;
}

Status RecordDecoder::next(Field* f) noexcept {
  if (!ok_) return Status::kCorrupt;
  if (pos_ == in_.size()) return Status::kNoData;
  ok_ = false;  // until the field parsed completely
  const std::size_t left = in_.size() - pos_ - 1;
  const std::uint8_t tag = in_[pos_];
  const std::uint8_t* p = in_.data() + pos_ + 1;
  std::size_t used = 0;
  Field r;
  r.type = static_cast<FieldType>(tag);
  switch (tag) {
    case static_cast<std::uint8_t>(FieldType::kTemperature):
    case static_cast<std::uint8_t>(FieldType::kBattery):
    case static_cast<std::uint8_t>(FieldType::kHumidity):
      if (left < 2) return Status::kCorrupt;
      r.value = tag == static_cast<std::uint8_t>(FieldType::kTemperature)
                    ? static_cast<std::int16_t>(get16(p))
                    : static_cast<std::int32_t>(get16(p));
      if (tag == static_cast<std::uint8_t>(FieldType::kHumidity) && r.value > kHumidityMax) {
        return Status::kCorrupt;
      }
      used = 2;
      break;
    case static_cast<std::uint8_t>(FieldType::kSoundLevel):
      if (left < 3) return Status::kCorrupt;
      r.id = p[0];
      r.value = static_cast<std::int16_t>(get16(p + 1));
      used = 3;
      break;
    case static_cast<std::uint8_t>(FieldType::kClass):
      if (left < 2) return Status::kCorrupt;
      r.id = p[0];
      r.value = p[1];
      used = 2;
      break;
    case static_cast<std::uint8_t>(FieldType::kFeatures):
      if (left < 1 || p[0] == 0 || left - 1 < 2u * p[0]) return Status::kCorrupt;
      r.id = p[0];
      r.data = Span<const std::uint8_t>(p + 1, 2u * p[0]);
      used = 1 + 2u * p[0];
      break;
    case static_cast<std::uint8_t>(FieldType::kValue): {
      if (left < 1) return Status::kCorrupt;
      r.id = p[0];
      std::size_t q = pos_ + 2;
      std::uint32_t z = 0;
      if (!get_varint(in_, &q, &z)) return Status::kCorrupt;
      r.value = unzigzag(z);
      used = q - pos_ - 1;
      break;
    }
    default:
      if (tag < 0x80) return Status::kCorrupt;  // unknown fixed-size tag: cannot skip
      if (left < 1 || left - 1 < p[0]) return Status::kCorrupt;
      r.type = FieldType::kExtension;
      r.id = tag;
      r.data = Span<const std::uint8_t>(p + 1, p[0]);
      used = 1u + p[0];
      break;
  }
  pos_ += 1 + used;
  *f = r;
  ok_ = true;
  return Status::kOk;
}

Status validate_record(Span<const std::uint8_t> in, RecordHeader* header,
                       std::size_t* fields) noexcept {
  RecordDecoder d;
  TINYSENSE_TRY(d.begin(in, header));
  std::size_t n = 0;
  Field f;
  for (;;) {
    const Status s = d.next(&f);
    if (s == Status::kNoData) break;
    if (s != Status::kOk) return s;
    ++n;
  }
  if (fields != nullptr) *fields = n;
  return Status::kOk;
}

}  // namespace tinysense::node
