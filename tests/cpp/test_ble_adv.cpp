// AD structure builder and the compact tinysense manufacturer layout.
#include <cstdint>
#include <cstring>

#include "tinysense/node/ble_adv.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;

TT_TEST(compact_layout_bytes) {
  // seq 0x1234, -12.34 degC = -1234 = 0xFB2E: 09 FF | FF FF | AA 01 | 12 34 | FB 2E
  std::uint8_t buf[kLegacyAdvBytes];
  AdvBuilder adv{Span<std::uint8_t>(buf)};
  TT_CHECK(add_compact(adv, 0x1234, -1234) == Status::kOk);
  const std::uint8_t expect[] = {0x09, 0xFF, 0xFF, 0xFF, 0xAA, 0x01, 0x12, 0x34, 0xFB, 0x2E};
  TT_CHECK_EQ(adv.size(), sizeof expect);
  TT_CHECK(std::memcmp(adv.bytes().data(), expect, sizeof expect) == 0);
  // Company id little-endian on air (0x0059 -> 59 00), fields big-endian.
  std::uint8_t d[kCompactDataBytes];
  encode_compact(0xFFFF, 32767, d, 0x0059);
  const std::uint8_t e2[] = {0x59, 0x00, 0xAA, 0x01, 0xFF, 0xFF, 0x7F, 0xFF};
  TT_CHECK(std::memcmp(d, e2, sizeof e2) == 0);
  encode_compact(0, -32768, d);
  TT_CHECK(d[4] == 0 && d[5] == 0 && d[6] == 0x80 && d[7] == 0x00);
}

TT_TEST(builder_fills_to_31_bytes_and_no_further) {
  std::uint8_t buf[kLegacyAdvBytes + 4];
  std::memset(buf, 0xCC, sizeof buf);
  AdvBuilder adv(Span<std::uint8_t>(buf, kLegacyAdvBytes));
  TT_CHECK(adv.add_flags() == Status::kOk);                    // 3 bytes
  TT_CHECK(add_compact(adv, 1, 2) == Status::kOk);             // 10 -> 13
  TT_CHECK(adv.add_name("tinysense-node-1") == Status::kOk);   // 18 -> 31
  TT_CHECK_EQ(adv.size(), kLegacyAdvBytes);
  TT_CHECK(adv.add(0x16, Span<const std::uint8_t>()) == Status::kNoSpace);
  TT_CHECK_EQ(adv.size(), kLegacyAdvBytes);
  for (std::size_t i = kLegacyAdvBytes; i < sizeof buf; ++i) TT_CHECK_EQ(buf[i], 0xCC);
  TT_CHECK_EQ(buf[13], 17);  // name: length byte counts the type byte
  TT_CHECK_EQ(buf[14], kAdCompleteName);
  TT_CHECK(std::memcmp(buf + 15, "tinysense-node-1", 16) == 0);
  adv.reset();
  TT_CHECK_EQ(adv.size(), 0u);
}

TT_TEST(builder_rejects_bad_input) {
  std::uint8_t buf[300];
  AdvBuilder adv{Span<std::uint8_t>(buf)};
  std::uint8_t big[255] = {};
  TT_CHECK(adv.add(0xFF, Span<const std::uint8_t>(big, 255)) == Status::kInvalidArgument);
  TT_CHECK(adv.add(0xFF, Span<const std::uint8_t>(big, 254)) == Status::kOk);
  TT_CHECK_EQ(buf[0], 255);
  TT_CHECK(adv.add_name(nullptr) == Status::kInvalidArgument);
  TT_CHECK(adv.reserve(0xFF, 1, nullptr) == Status::kInvalidArgument);
  AdvBuilder empty{Span<std::uint8_t>()};
  TT_CHECK(empty.add_flags() == Status::kNoSpace);
}
