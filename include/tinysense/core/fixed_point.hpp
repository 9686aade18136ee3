// Q15 / Q31 fixed-point helpers.
//
// Q15: int16_t holding a value in [-1, 1 - 2^-15], value = raw / 32768.
// Q31: int32_t holding a value in [-1, 1 - 2^-31], value = raw / 2^31.
// Every helper saturates instead of wrapping; "round" means round half up
// (add half an LSB, then arithmetic shift right), the convention of
// CMSIS-DSP and of the numpy integer models in tests/golden.
#ifndef TINYSENSE_CORE_FIXED_POINT_HPP
#define TINYSENSE_CORE_FIXED_POINT_HPP

#include <cstdint>

namespace tinysense {

using q15_t = std::int16_t;
using q31_t = std::int32_t;

constexpr q15_t kQ15Max = 32767;
constexpr q15_t kQ15Min = -32768;
constexpr q31_t kQ31Max = 2147483647;
constexpr q31_t kQ31Min = -2147483647 - 1;

// Clamps a 32-bit intermediate to the Q15 range.
constexpr q15_t sat_q15(std::int32_t x) noexcept {
  return static_cast<q15_t>(x > kQ15Max ? kQ15Max : (x < kQ15Min ? kQ15Min : x));
}

// Clamps a 64-bit intermediate to the Q31 range.
constexpr q31_t sat_q31(std::int64_t x) noexcept {
  return static_cast<q31_t>(x > kQ31Max ? kQ31Max : (x < kQ31Min ? kQ31Min : x));
}

constexpr q15_t add_q15(q15_t a, q15_t b) noexcept { return sat_q15(std::int32_t{a} + b); }
constexpr q15_t sub_q15(q15_t a, q15_t b) noexcept { return sat_q15(std::int32_t{a} - b); }
constexpr q31_t add_q31(q31_t a, q31_t b) noexcept { return sat_q31(std::int64_t{a} + b); }
constexpr q31_t sub_q31(q31_t a, q31_t b) noexcept { return sat_q31(std::int64_t{a} - b); }

// a * b in Q15, rounded; -1 * -1 saturates to 32767.
constexpr q15_t mul_q15(q15_t a, q15_t b) noexcept {
  return sat_q15((std::int32_t{a} * b + (1 << 14)) >> 15);
}

// a * b in Q31, rounded; -1 * -1 saturates.
constexpr q31_t mul_q31(q31_t a, q31_t b) noexcept {
  return sat_q31((std::int64_t{a} * b + (std::int64_t{1} << 30)) >> 31);
}

// Float -> Q15, rounded to nearest, saturating; NaN maps to 0.
constexpr q15_t float_to_q15(float x) noexcept {
  if (!(x == x)) return 0;
  const float scaled = x * 32768.0f;
  if (scaled >= 32767.0f) return kQ15Max;
  if (scaled <= -32768.0f) return kQ15Min;
  return static_cast<q15_t>(scaled >= 0.0f ? scaled + 0.5f : scaled - 0.5f);
}

constexpr float q15_to_float(q15_t x) noexcept { return static_cast<float>(x) * (1.0f / 32768.0f); }

// Float -> Q31, rounded to nearest, saturating; NaN maps to 0.
constexpr q31_t float_to_q31(float x) noexcept {
  if (!(x == x)) return 0;
  const double scaled = static_cast<double>(x) * 2147483648.0;
  if (scaled >= 2147483647.0) return kQ31Max;
  if (scaled <= -2147483648.0) return kQ31Min;
  return static_cast<q31_t>(scaled >= 0.0 ? scaled + 0.5 : scaled - 0.5);
}

constexpr float q31_to_float(q31_t x) noexcept {
  return static_cast<float>(x) * (1.0f / 2147483648.0f);
}

// Arithmetic shift right with rounding (half up) for shift >= 1; shift 0 is identity.
constexpr std::int64_t round_shift(std::int64_t x, int shift) noexcept {
  return shift <= 0 ? x : (x + (std::int64_t{1} << (shift - 1))) >> shift;
}

}  // namespace tinysense

#endif  // TINYSENSE_CORE_FIXED_POINT_HPP
