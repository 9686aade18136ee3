// BTHome v2 encoder vs the published examples (bthome.io, bthome-ble tests)
// byte for byte, and vs a reference encoder + cryptography AESCCM
// (golden_bthome.hpp) for random object sets, plain and encrypted.
#include <cstdint>
#include <cstring>

#include "golden_bthome.hpp"
#include "tinysense/node/bthome.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::bthome;

namespace {

using U8 = Span<const std::uint8_t>;

std::size_t hex(const char* s, std::uint8_t* out) {
  std::size_t n = 0;
  auto nib = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (; s[0] != '\0' && s[1] != '\0'; s += 2) {
    out[n++] = static_cast<std::uint8_t>(nib(s[0]) << 4 | nib(s[1]));
  }
  return n;
}

bool equal_hex(U8 got, const char* expect_hex) {
  std::uint8_t e[64];
  const std::size_t n = hex(expect_hex, e);
  return got.size() == n && std::memcmp(got.data(), e, n) == 0;
}

}  // namespace

TT_TEST(bthome_io_encryption_example) {
  // bthome.io/encryption: 02CA09 03BF13 (25.06 degC, 50.55 %), key
  // 231d39c1d7cc1ab1aee224cd096db932, MAC 5448E68F80A5, counter bytes 00112233.
  // Expected service data as in bthome-ble tests/test_parser_v2.py
  // (test_bindkey_correct): 41 a47266c95f73 00112233 78237214 after the UUID.
  std::uint8_t key[16], mac[6];
  hex("231d39c1d7cc1ab1aee224cd096db932", key);
  hex("5448E68F80A5", mac);
  Aes128 aes;
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  BthomeEncoder enc;
  TT_CHECK(enc.add(BthomeObject::kHumidity, 5055) == Status::kOk);  // added out of order
  TT_CHECK(enc.add(BthomeObject::kTemperature, 2506) == Status::kOk);
  std::uint8_t out[32];
  std::size_t n = 0;
  TT_CHECK(enc.encode(Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(equal_hex(U8(out, n), "d2fc4002ca0903bf13"));
  const std::uint32_t counter = 0x33221100;  // bytes 00 11 22 33 on air
  std::uint8_t nonce[13];
  bthome_nonce(U8(mac), 0x41, counter, nonce);
  TT_CHECK(equal_hex(U8(nonce), "5448e68f80a5d2fc4100112233"));
  TT_CHECK(enc.encode_encrypted(aes, U8(mac), counter, Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK_EQ(n, enc.service_data_bytes(true));
  TT_CHECK(equal_hex(U8(out, n), "d2fc41a47266c95f730011223378237214"));
}

TT_TEST(bthome_io_format_examples) {
  // bthome-ble issue #118 (bthome.io/format): 40 003f 015e 028208 03ac17 0c830b.
  BthomeEncoder enc;
  TT_CHECK(enc.add(BthomeObject::kVoltage, 2947) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kHumidity, 6060) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kTemperature, 2178) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kBattery, 94) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kPacketId, 63) == Status::kOk);
  std::uint8_t out[31];
  std::size_t n = 0;
  TT_CHECK(enc.encode(Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(equal_hex(U8(out, n), "d2fc40003f015e02820803ac170c830b"));
  // Shelly BLU H&T (bthome-ble test_parser_v2): packet id 46, battery 100,
  // humidity 52 % (uint8), temperature 27.8 degC (0.1 resolution).
  enc.reset();
  TT_CHECK(enc.add(BthomeObject::kTemperatureDeci, 278) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kHumidityPercent, 52) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kBattery, 100) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kPacketId, 46) == Status::kOk);
  TT_CHECK(enc.encode(Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(equal_hex(U8(out, n), "d2fc40002e0164" "2e34" "451601"));
  // Pressure 1008.83 hPa (uint24): 04 138a01; trigger-based flag -> 0x44.
  enc.reset();
  TT_CHECK(enc.add(BthomeObject::kPressure, 100883) == Status::kOk);
  TT_CHECK(enc.encode(Span<std::uint8_t>(out), &n, true) == Status::kOk);
  TT_CHECK(equal_hex(U8(out, n), "d2fc4404138a01"));
}

TT_TEST(matches_reference_encoder) {
  for (std::size_t c = 0; c < static_cast<std::size_t>(g::count); ++c) {
    BthomeEncoder enc;
    for (std::uint32_t i = g::ids_off[c]; i < g::ids_off[c + 1]; ++i) {
      TT_CHECK(enc.add(static_cast<BthomeObject>(g::ids[i]), g::raw[i]) == Status::kOk);
    }
    const bool trig = g::trigger[c] != 0;
    std::uint8_t out[96];
    std::size_t n = 0;
    out[g::plain_off[c + 1] - g::plain_off[c]] = 0xEE;
    TT_CHECK(enc.encode(Span<std::uint8_t>(out, sizeof out), &n, trig) == Status::kOk);
    TT_CHECK_EQ(n, g::plain_off[c + 1] - g::plain_off[c]);
    TT_CHECK(std::memcmp(out, g::plain + g::plain_off[c], n) == 0);
    TT_CHECK_EQ(out[n], 0xEE);
    Aes128 aes;
    TT_CHECK(aes.init(U8(g::key + 16 * c, 16)) == Status::kOk);
    TT_CHECK(enc.encode_encrypted(aes, U8(g::mac + 6 * c, 6), g::counter[c],
                                  Span<std::uint8_t>(out, sizeof out), &n, trig) == Status::kOk);
    TT_CHECK_EQ(n, g::enc_off[c + 1] - g::enc_off[c]);
    TT_CHECK(std::memcmp(out, g::enc + g::enc_off[c], n) == 0);
    // Exact-size output works; one byte less is refused.
    TT_CHECK(enc.encode_encrypted(aes, U8(g::mac + 6 * c, 6), g::counter[c],
                                  Span<std::uint8_t>(out, n), &n, trig) == Status::kOk);
    TT_CHECK(enc.encode_encrypted(aes, U8(g::mac + 6 * c, 6), g::counter[c],
                                  Span<std::uint8_t>(out, n - 1), &n, trig) == Status::kNoSpace);
  }
}

TT_TEST(add_validates_ids_ranges_and_capacity) {
  BthomeEncoder enc;
  TT_CHECK(enc.add(static_cast<BthomeObject>(0x06), 1) == Status::kNotSupported);
  TT_CHECK(enc.add(BthomeObject::kBattery, 256) == Status::kOutOfRange);
  TT_CHECK(enc.add(BthomeObject::kBattery, -1) == Status::kOutOfRange);
  TT_CHECK(enc.add(BthomeObject::kTemperature, 32768) == Status::kOutOfRange);
  TT_CHECK(enc.add(BthomeObject::kTemperature, -32769) == Status::kOutOfRange);
  TT_CHECK(enc.add(BthomeObject::kTemperature, -32768) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kPressure, (1 << 24) - 1) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kPressure, 1 << 24) == Status::kOutOfRange);
  TT_CHECK(enc.add(BthomeObject::kCount32, 0xFFFFFFFFll) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kCount32, 0x100000000ll) == Status::kOutOfRange);
  TT_CHECK_EQ(enc.count(), 3u);
  enc.reset();
  for (std::size_t i = 0; i < BthomeEncoder::kMaxObjects; ++i) {
    TT_CHECK(enc.add(BthomeObject::kPacketId, static_cast<std::int64_t>(i)) == Status::kOk);
  }
  TT_CHECK(enc.add(BthomeObject::kPacketId, 0) == Status::kNoSpace);
  TT_CHECK_EQ(bthome_value_bytes(0x06), 0u);
  TT_CHECK_EQ(bthome_value_bytes(0x3E), 4u);
  TT_CHECK(bthome_value_signed(0x45));
  TT_CHECK(!bthome_value_signed(0x03));
}

TT_TEST(encrypted_needs_key_and_mac) {
  BthomeEncoder enc;
  TT_CHECK(enc.add(BthomeObject::kBattery, 50) == Status::kOk);
  Aes128 aes;
  std::uint8_t mac[6] = {}, out[32];
  std::size_t n = 0;
  TT_CHECK(enc.encode_encrypted(aes, U8(mac), 1, Span<std::uint8_t>(out), &n) ==
           Status::kInvalidArgument);
  std::uint8_t key[16] = {};
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  TT_CHECK(enc.encode_encrypted(aes, U8(mac, 5), 1, Span<std::uint8_t>(out), &n) ==
           Status::kInvalidArgument);
  TT_CHECK(enc.encode(Span<std::uint8_t>(out), nullptr) == Status::kInvalidArgument);
}

TT_TEST(full_advert_with_flags_and_service_data) {
  // Flags + encrypted service data, as broadcast: 02 01 06 | 12 16 d2fc41 ...
  std::uint8_t key[16], mac[6];
  hex("231d39c1d7cc1ab1aee224cd096db932", key);
  hex("5448E68F80A5", mac);
  Aes128 aes;
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  BthomeEncoder enc;
  TT_CHECK(enc.add(BthomeObject::kTemperature, 2506) == Status::kOk);
  TT_CHECK(enc.add(BthomeObject::kHumidity, 5055) == Status::kOk);
  std::uint8_t buf[kLegacyAdvBytes + 1];
  buf[kLegacyAdvBytes] = 0x77;
  AdvBuilder adv(Span<std::uint8_t>(buf, kLegacyAdvBytes));
  TT_CHECK(adv.add_flags() == Status::kOk);
  TT_CHECK(enc.add_encrypted_to(adv, aes, U8(mac), 0x33221100) == Status::kOk);
  TT_CHECK(equal_hex(adv.bytes(), "020106" "1216d2fc41a47266c95f730011223378237214"));
  // 31-byte limit: 3 + 2 + 17 used, 9 left: a 9-byte plain object list
  // (14 bytes as an AD structure) does not fit and leaves the advert unchanged.
  BthomeEncoder big;
  for (int i = 0; i < 3; ++i) TT_CHECK(big.add(BthomeObject::kTemperature, i) == Status::kOk);
  const std::size_t before = adv.size();
  TT_CHECK(big.add_to(adv) == Status::kNoSpace);
  TT_CHECK_EQ(adv.size(), before);
  TT_CHECK_EQ(buf[kLegacyAdvBytes], 0x77);
}
