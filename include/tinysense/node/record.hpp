// Compact binary encoding of a node's measurements and classifications: the
// payload stored in the RecordLog and sent over the radio. Python encoder and
// decoder with identical output: python/tinysense/records.py.
//
// Layout (little-endian; varint = unsigned LEB128, minimal length):
//   u8      version << 5 | kind        version 1; kind 0..31 (RecordKind, open set)
//   varint  seq                        u32, the node's record number
//   varint  timestamp                  u32, seconds since the node's epoch (boot or RTC)
//   fields until the end, each a tag byte and a value:
//   0x01 temperature   i16   centi-degC
//   0x02 humidity      u16   centi-percent RH, 0..10000
//   0x03 sound level   u8 metric, i16 centi-dB   (metric: sound_metric())
//   0x04 class         u8 class id, u8 confidence (round(p * 255))
//   0x05 features      u8 n (1..255), n x i16
//   0x06 battery       u16   millivolts
//   0x07 value         u8 channel, zigzag varint i32 (any other quantity)
//   0x80..0xFF extension: u8 length, length bytes; decoders skip tags they do not know
// Tags 0x00 and 0x08..0x7F are invalid in version 1. A typical measurement
// (seq, timestamp, temperature, humidity, battery) is 1+2+4+3+3+3 = 16 bytes.
// The decoder treats its input as untrusted: it never reads past the end,
// rejects truncation, unknown fixed tags, out-of-domain values and
// non-minimal varints (so decode -> encode reproduces the input exactly).
#ifndef TINYSENSE_NODE_RECORD_HPP
#define TINYSENSE_NODE_RECORD_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

constexpr std::uint8_t kRecordVersion = 1;
constexpr std::uint16_t kHumidityMax = 10000;  // 100.00 %RH

// What a record is about; the receiver may use it to route. Values 4..31 are free.
enum class RecordKind : std::uint8_t {
  kMeasurement = 0,     // periodic sensor readings
  kClassification = 1,  // a model's decision (class + confidence), maybe with features
  kEvent = 2,           // something crossed a threshold
  kStatus = 3,          // battery, health
};

enum class FieldType : std::uint8_t {
  kTemperature = 0x01,
  kHumidity = 0x02,
  kSoundLevel = 0x03,
  kClass = 0x04,
  kFeatures = 0x05,
  kBattery = 0x06,
  kValue = 0x07,
  kExtension = 0x80,  // any tag >= 0x80; Field::id holds the actual tag
};

// Sound-level metric byte: frequency weighting in the high nibble, statistic
// in the low nibble (e.g. sound_metric(kWeightA, kStatL90) for LA90).
constexpr std::uint8_t kWeightZ = 0, kWeightA = 1, kWeightC = 2;
constexpr std::uint8_t kStatLeq = 0, kStatMax = 1, kStatMin = 2, kStatL10 = 3, kStatL50 = 4,
                       kStatL90 = 5, kStatFast = 6, kStatSlow = 7;
constexpr std::uint8_t sound_metric(std::uint8_t weighting, std::uint8_t statistic) noexcept {
  return static_cast<std::uint8_t>((weighting << 4) | (statistic & 0x0F));
}

// Probability in [0, 1] -> confidence byte round(p * 255), saturating; NaN -> 0.
constexpr std::uint8_t confidence_u8(float p) noexcept {
  return !(p > 0.0f) ? 0 : (p >= 1.0f ? 255 : static_cast<std::uint8_t>(p * 255.0f + 0.5f));
}

struct RecordHeader {
  std::uint8_t version = kRecordVersion;
  std::uint8_t kind = 0;  // RecordKind value, 0..31
  std::uint32_t seq = 0;
  std::uint32_t timestamp = 0;  // seconds
};

// One decoded field. Which members are meaningful depends on `type`:
//   temperature / humidity / battery: value
//   sound level: id = metric, value = centi-dB
//   class:       id = class id, value = confidence byte (0..255)
//   features:    id = count, data = 2*count raw little-endian bytes (feature())
//   value:       id = channel, value
//   extension:   id = tag (0x80..0xFF), data = the extension bytes
struct Field {
  FieldType type = FieldType::kValue;
  std::uint8_t id = 0;
  std::int32_t value = 0;
  Span<const std::uint8_t> data;  // points into the decoder's input
};

// i-th int16 of a features field (i < f.id); unaligned-safe.
std::int16_t feature(const Field& f, std::size_t i) noexcept;

// Writes one record into a caller buffer. Every add_* either appends the whole
// field or, when it does not fit, returns kNoMemory and leaves the record as
// it was (a valid record without that field). kInvalidArgument for values the
// format cannot carry.
class RecordEncoder {
 public:
  // Starts a record; kind must be < 32.
  [[nodiscard]] Status begin(Span<std::uint8_t> out, std::uint8_t kind, std::uint32_t seq,
                             std::uint32_t timestamp) noexcept;
  [[nodiscard]] Status add_temperature(std::int16_t centi_celsius) noexcept;
  [[nodiscard]] Status add_humidity(std::uint16_t centi_percent) noexcept;  // <= 10000
  [[nodiscard]] Status add_sound_level(std::uint8_t metric, std::int16_t centi_db) noexcept;
  [[nodiscard]] Status add_class(std::uint8_t class_id, std::uint8_t confidence) noexcept;
  [[nodiscard]] Status add_features(Span<const std::int16_t> values) noexcept;  // 1..255 values
  [[nodiscard]] Status add_battery(std::uint16_t millivolts) noexcept;
  [[nodiscard]] Status add_value(std::uint8_t channel, std::int32_t value) noexcept;
  // tag 0x80..0xFF, at most 255 bytes.
  [[nodiscard]] Status add_extension(std::uint8_t tag, Span<const std::uint8_t> data) noexcept;
  // Re-encodes a decoded field (any type).
  [[nodiscard]] Status add(const Field& f) noexcept;

  std::size_t size() const noexcept { return size_; }
  Span<const std::uint8_t> bytes() const noexcept { return out_.first(size_); }

 private:
  Status reserve(std::size_t n, std::uint8_t** p) noexcept;
  Span<std::uint8_t> out_;
  std::size_t size_ = 0;
  bool started_ = false;
};

// Reads a record field by field; no copies (fields point into the input).
class RecordDecoder {
 public:
  // Parses the header. kCorrupt: truncated, bad varint; kNotSupported: another version.
  [[nodiscard]] Status begin(Span<const std::uint8_t> in, RecordHeader* header) noexcept;
  // Next field: kOk, kNoData after the last, kCorrupt on damage (then stays failed).
  [[nodiscard]] Status next(Field* field) noexcept;

 private:
  Span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = false;
};

// Decodes the whole record, checking every field; the number of fields goes
// to *fields (optional).
[[nodiscard]] Status validate_record(Span<const std::uint8_t> in, RecordHeader* header = nullptr,
                                     std::size_t* fields = nullptr) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_RECORD_HPP
