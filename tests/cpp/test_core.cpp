// Core: Status names, Span views, saturating fixed-point helpers.
#include <cstdint>
#include <cstring>

#include "tinysense/core.hpp"
#include "tinysense/core/crc32.hpp"
#include "tt.hpp"

using namespace tinysense;

TT_TEST(status_names_are_distinct_and_ok_is_zero) {
  const Status all[] = {Status::kOk,         Status::kIoError,         Status::kNoMemory,
                        Status::kBusy,       Status::kInvalidArgument, Status::kNoSpace,
                        Status::kOutOfRange, Status::kNoData,          Status::kNotInitialized,
                        Status::kCorrupt,    Status::kSizeMismatch,    Status::kNotSupported,
                        Status::kTimeout};
  TT_CHECK_EQ(static_cast<int>(Status::kOk), 0);
  TT_CHECK(ok(Status::kOk));
  for (std::size_t i = 0; i < sizeof all / sizeof all[0]; ++i) {
    if (i > 0) TT_CHECK(static_cast<int>(all[i]) < 0);
    TT_CHECK(std::strcmp(to_string(all[i]), "unknown status") != 0);
    for (std::size_t j = 0; j < i; ++j) {
      TT_CHECK(std::strcmp(to_string(all[i]), to_string(all[j])) != 0);
    }
  }
  TT_CHECK(std::strcmp(to_string(Status::kInvalidArgument), "invalid argument") == 0);
  TT_CHECK_EQ(static_cast<int>(Status::kInvalidArgument), -22);
}

static Status fails_second(int* calls) {
  ++*calls;
  TINYSENSE_TRY(Status::kOk);
  ++*calls;
  TINYSENSE_TRY(Status::kCorrupt);
  ++*calls;
  return Status::kOk;
}

TT_TEST(try_macro_propagates_first_failure) {
  int calls = 0;
  TT_CHECK(fails_second(&calls) == Status::kCorrupt);
  TT_CHECK_EQ(calls, 2);
}

TT_TEST(span_views) {
  float data[6] = {0, 1, 2, 3, 4, 5};
  Span<float> s(data);
  TT_CHECK_EQ(s.size(), 6u);
  TT_CHECK_EQ(s.size_bytes(), 24u);
  Span<const float> c = s;  // implicit to const
  TT_CHECK_EQ(c[3], 3.0f);
  TT_CHECK_EQ(s.first(2).size(), 2u);
  TT_CHECK_EQ(s.subspan(4)[1], 5.0f);
  TT_CHECK_EQ(s.subspan(1, 3)[2], 3.0f);
  TT_CHECK(Span<int>().empty());
  std::array<std::int16_t, 4> arr{1, 2, 3, 4};
  Span<const std::int16_t> a = arr;
  float sum = 0;
  for (float v : s) sum += v;
  TT_CHECK_EQ(sum, 15.0f);
  TT_CHECK_EQ(a[3], 4);
}

TT_TEST(q15_saturates_and_rounds) {
  TT_CHECK_EQ(sat_q15(40000), kQ15Max);
  TT_CHECK_EQ(sat_q15(-40000), kQ15Min);
  TT_CHECK_EQ(add_q15(30000, 30000), kQ15Max);
  TT_CHECK_EQ(sub_q15(-30000, 30000), kQ15Min);
  TT_CHECK_EQ(mul_q15(kQ15Min, kQ15Min), kQ15Max);  // -1 * -1 does not wrap
  TT_CHECK_EQ(mul_q15(16384, 16384), 8192);         // 0.5 * 0.5
  TT_CHECK_EQ(mul_q15(3, 16384), 2);                // 1.5 rounds half up
  TT_CHECK_EQ(mul_q15(-3, 16384), -1);              // -1.5 rounds half up
  TT_CHECK_EQ(float_to_q15(0.5f), 16384);
  TT_CHECK_EQ(float_to_q15(1.0f), kQ15Max);
  TT_CHECK_EQ(float_to_q15(-2.0f), kQ15Min);
  TT_CHECK_EQ(float_to_q15(__builtin_nanf("")), 0);
  TT_CHECK_EQ(q15_to_float(-16384), -0.5f);
}

TT_TEST(q31_saturates_and_rounds) {
  TT_CHECK_EQ(mul_q31(kQ31Min, kQ31Min), kQ31Max);
  TT_CHECK_EQ(mul_q31(1073741824, 1073741824), 536870912);
  TT_CHECK_EQ(add_q31(kQ31Max, 1), kQ31Max);
  TT_CHECK_EQ(sub_q31(kQ31Min, 1), kQ31Min);
  TT_CHECK_EQ(float_to_q31(0.25f), 536870912);
  TT_CHECK_EQ(float_to_q31(3.0f), kQ31Max);
  TT_CHECK_EQ(round_shift(5, 1), 3);
  TT_CHECK_EQ(round_shift(-5, 1), -2);
  TT_CHECK_EQ(round_shift(7, 0), 7);
}

TT_TEST(crc32_matches_zlib) {
  // zlib.crc32(b"123456789") == 0xCBF43926 (the CRC-32 check value).
  const std::uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  TT_CHECK_EQ(crc32(Span<const std::uint8_t>(check)), 0xCBF43926u);
  TT_CHECK_EQ(crc32(Span<const std::uint8_t>()), 0u);
  // Continuation: crc(a + b) == crc(b, crc(a)).
  const std::uint32_t part = crc32(Span<const std::uint8_t>(check, 4));
  TT_CHECK_EQ(crc32(Span<const std::uint8_t>(check + 4, 5), part), 0xCBF43926u);
}
