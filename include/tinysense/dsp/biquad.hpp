// IIR filters as cascades of second-order sections, scipy.signal.sosfilt.
//
// Coefficients use scipy's sos layout: one row per section,
// [b0 b1 b2 a0 a1 a2] with a0 == 1 and the denominator
// a0 y[n] + a1 y[n-1] + a2 y[n-2] = b0 x[n] + b1 x[n-1] + b2 x[n-2]
// (the signs are scipy's, NOT CMSIS-DSP's negated a1/a2).
// State carries over process() calls (streaming); reset() zeroes it, which
// equals scipy's sosfilt with zi = 0. `in` may alias `out`.
#ifndef TINYSENSE_DSP_BIQUAD_HPP
#define TINYSENSE_DSP_BIQUAD_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinysense/core/fixed_point.hpp"
#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::dsp {

constexpr std::size_t kSosRowLen = 6;  // b0 b1 b2 a0 a1 a2

// float32 cascade, transposed direct form II (2 state values per section).
class Biquad {
 public:
  static constexpr std::size_t state_len(std::size_t sections) noexcept { return 2 * sections; }

  // sos: 6 * sections floats (kept by reference: must outlive the filter).
  // Rejects: no sections or sos.size() not a multiple of 6 (kSizeMismatch),
  // a0 != 1 or a non-finite coefficient (kInvalidArgument), state shorter
  // than state_len (kNoMemory). Zeroes the state.
  [[nodiscard]] Status init(Span<const float> sos, Span<float> state) noexcept;
  // Filters in.size() samples; out.size() == in.size().
  void process(Span<const float> in, Span<float> out) noexcept;
  void reset() noexcept;
  std::size_t sections() const noexcept { return sections_; }

 private:
  const float* sos_ = nullptr;
  float* state_ = nullptr;
  std::size_t sections_ = 0;
};

// Q15 cascade, direct form I with a 64-bit accumulator (4 state values per
// section: x[n-1], x[n-2], y[n-1], y[n-2]).
// Coefficients: 6 int16 per section in the sos layout, in Q(15 - post_shift):
// coefficient c is stored as round(c * 2^(15 - post_shift)), so
// post_shift = 1 allows |c| < 2 (typical a1), post_shift = 2 allows |c| < 4.
// a0 must equal 2^(15 - post_shift) (i.e. 1.0). Per sample and section:
//   acc = b0 x0 + b1 x1 + b2 x2 - a1 y1 - a2 y2          (Q(30 - post_shift))
//   y0 = sat_q15((acc + 2^(14 - post_shift)) >> (15 - post_shift))
// Each section's output feeds the next section.
class BiquadQ15 {
 public:
  static constexpr std::size_t state_len(std::size_t sections) noexcept { return 4 * sections; }

  // post_shift in [0, 7]; same checks as Biquad::init; kInvalidArgument when
  // a0 is not 1.0 in the chosen format.
  [[nodiscard]] Status init(Span<const q15_t> sos, int post_shift, Span<q15_t> state) noexcept;
  void process(Span<const q15_t> in, Span<q15_t> out) noexcept;
  void reset() noexcept;
  std::size_t sections() const noexcept { return sections_; }

 private:
  const q15_t* sos_ = nullptr;
  q15_t* state_ = nullptr;
  std::size_t sections_ = 0;
  int post_shift_ = 0;
};

// Converts float sos to Q15 sos for BiquadQ15 with the smallest post_shift
// that represents every coefficient (kOutOfRange if |c| >= 128).
[[nodiscard]] Status sos_to_q15(Span<const float> sos, Span<q15_t> out, int* post_shift) noexcept;

// Owning variants with state storage for `Sections` sections.
template <std::size_t Sections>
class BiquadN : public Biquad {
 public:
  [[nodiscard]] Status init(Span<const float> sos) noexcept {
    return Biquad::init(sos, Span<float>(state_));
  }

 private:
  std::array<float, Biquad::state_len(Sections)> state_{};
};

template <std::size_t Sections>
class BiquadQ15N : public BiquadQ15 {
 public:
  [[nodiscard]] Status init(Span<const q15_t> sos, int post_shift) noexcept {
    return BiquadQ15::init(sos, post_shift, Span<q15_t>(state_));
  }

 private:
  std::array<q15_t, BiquadQ15::state_len(Sections)> state_{};
};

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_BIQUAD_HPP
