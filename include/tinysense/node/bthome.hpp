// BTHome v2 advertisement encoder (https://bthome.io/format/, /encryption/).
//
// Service data AD structure, UUID 0xFCD2 (bytes D2 FC on air):
//   [len][0x16][D2 FC][device info][objects...]                     plain
//   [len][0x16][D2 FC][device info][ciphertext][counter LE 4][MIC 4] encrypted
// Device info: bit 0 encryption, bit 2 trigger-based, bits 5-7 version (2),
// so 0x40 plain, 0x41 encrypted, 0x44/0x45 trigger-based.
// Objects: [object id][value, little-endian, scaled integer], written sorted by
// object id as the format requires (equal ids keep their insertion order).
// Encryption: AES-128-CCM, 4-byte MIC, no associated data, nonce =
// MAC (6 bytes, display order: 54:48:E6:8F:80:A5 -> 54 48 E6 8F 80 A5) ||
// D2 FC || device info || counter (4 bytes LE). The counter must grow with
// every advert: receivers reject a counter that does not (replay protection).
#ifndef TINYSENSE_NODE_BTHOME_HPP
#define TINYSENSE_NODE_BTHOME_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/aes_ccm.hpp"
#include "tinysense/node/ble_adv.hpp"

namespace tinysense::node {

constexpr std::uint16_t kBthomeUuid = 0xFCD2;
constexpr std::uint8_t kBthomeVersion2 = 0x40;  // bits 5-7 = 2
constexpr std::uint8_t kBthomeEncrypted = 0x01;
constexpr std::uint8_t kBthomeTrigger = 0x04;
constexpr std::size_t kBthomeMicBytes = 4;
constexpr std::size_t kBthomeCounterBytes = 4;
constexpr std::size_t kBthomeNonceBytes = 13;

// The object ids this encoder knows (a subset of BTHome v2 sensor data).
// Value = raw integer * factor, in the unit given.
enum class BthomeObject : std::uint8_t {
  kPacketId = 0x00,         // uint8, 1
  kBattery = 0x01,          // uint8, 1 %
  kTemperature = 0x02,      // sint16, 0.01 degC
  kHumidity = 0x03,         // uint16, 0.01 %
  kPressure = 0x04,         // uint24, 0.01 hPa
  kIlluminance = 0x05,      // uint24, 0.01 lux
  kDewPoint = 0x08,         // sint16, 0.01 degC
  kCount8 = 0x09,           // uint8, 1
  kEnergy = 0x0A,           // uint24, 0.001 kWh
  kPower = 0x0B,            // uint24, 0.01 W
  kVoltage = 0x0C,          // uint16, 0.001 V
  kPm25 = 0x0D,             // uint16, 1 ug/m3
  kPm10 = 0x0E,             // uint16, 1 ug/m3
  kCo2 = 0x12,              // uint16, 1 ppm
  kMoisture = 0x14,         // uint16, 0.01 %
  kHumidityPercent = 0x2E,  // uint8, 1 %
  kMoisturePercent = 0x2F,  // uint8, 1 %
  kCount16 = 0x3D,          // uint16, 1
  kCount32 = 0x3E,          // uint32, 1
  kRotation = 0x3F,         // sint16, 0.1 deg
  kDistanceMm = 0x40,       // uint16, 1 mm
  kCurrent = 0x43,          // uint16, 0.001 A
  kTemperatureDeci = 0x45,  // sint16, 0.1 degC
};

// Value width in bytes of an object id (1..4), 0 for an id not in BthomeObject.
std::size_t bthome_value_bytes(std::uint8_t object_id) noexcept;
// True when the object's value is a signed integer.
bool bthome_value_signed(std::uint8_t object_id) noexcept;

// Collects measurements, then writes BTHome v2 service data. Fixed capacity,
// no heap; reuse with reset().
class BthomeEncoder {
 public:
  static constexpr std::size_t kMaxObjects = 16;

  void reset() noexcept { count_ = 0; }
  // Adds one object with its raw scaled integer (2506 for 25.06 degC as
  // kTemperature). kNotSupported for an unknown id, kOutOfRange when raw does
  // not fit the object's width and signedness, kNoSpace when full.
  [[nodiscard]] Status add(BthomeObject id, std::int64_t raw) noexcept;

  std::size_t count() const noexcept { return count_; }
  // Bytes of the object list (ids + values).
  std::size_t objects_bytes() const noexcept;
  // Service data bytes (UUID .. end) of the plain / encrypted form.
  std::size_t service_data_bytes(bool encrypted) const noexcept {
    return 3 + objects_bytes() + (encrypted ? kBthomeCounterBytes + kBthomeMicBytes : 0);
  }

  // Writes the plain service data (UUID, device info, sorted objects) into out;
  // *len = bytes written. kNoSpace when out is too small (nothing usable written).
  [[nodiscard]] Status encode(Span<std::uint8_t> out, std::size_t* len,
                              bool trigger_based = false) const noexcept;
  // Writes the encrypted service data. mac: 6 bytes in display order; counter:
  // this advert's counter (caller increments and persists it). kInvalidArgument
  // for a bad mac size or an uninitialised key.
  [[nodiscard]] Status encode_encrypted(const Aes128& key, Span<const std::uint8_t> mac,
                                        std::uint32_t counter, Span<std::uint8_t> out,
                                        std::size_t* len, bool trigger_based = false) const noexcept;

  // Appends the service data as an AD structure (type 0x16) to an advert.
  [[nodiscard]] Status add_to(AdvBuilder& adv, bool trigger_based = false) const noexcept;
  [[nodiscard]] Status add_encrypted_to(AdvBuilder& adv, const Aes128& key,
                                        Span<const std::uint8_t> mac, std::uint32_t counter,
                                        bool trigger_based = false) const noexcept;

 private:
  // Writes the sorted object list; out must hold objects_bytes().
  void write_objects(std::uint8_t* out) const noexcept;

  std::uint8_t ids_[kMaxObjects] = {};
  std::int64_t raw_[kMaxObjects] = {};
  std::size_t count_ = 0;
};

// The 13-byte BTHome v2 nonce (see the file comment).
void bthome_nonce(Span<const std::uint8_t> mac, std::uint8_t device_info, std::uint32_t counter,
                  std::uint8_t out[kBthomeNonceBytes]) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_BTHOME_HPP
