// IIR filters as cascades of second-order sections, scipy.signal.sosfilt.
//
// Coefficients use scipy's sos layout: one row per section,
// [b0 b1 b2 a0 a1 a2] with a0 == 1 and the difference equation
// a0 y[n] + a1 y[n-1] + a2 y[n-2] = b0 x[n] + b1 x[n-1] + b2 x[n-2]
// (the signs are scipy's, NOT CMSIS-DSP's negated a1/a2), so the output of
// scipy.signal.butter/cheby1/ellip/...(output='sos') can be used as is.
// State carries over process() calls (streaming): filtering a signal in any
// number of pieces gives the same bits as one call. reset() zeroes the state,
// which equals scipy's sosfilt with zi = 0. `in` may alias `out` exactly (in
// place); partially overlapping buffers are not allowed.
// Before a successful init() (and after a failed one) a filter has no
// sections and process() copies `in` to `out`.
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

// float32 cascade, transposed direct form II, scipy's sosfilt recursion:
//   y = b0 x + z1;  z1 = b1 x - a1 y + z2;  z2 = b2 x - a2 y.
// The state is scipy's zi/zf flattened: state[2 s] = zi[s, 0],
// state[2 s + 1] = zi[s, 1]. The caller owns it, so initial conditions (e.g.
// sosfilt_zi(sos) * x[0]) can be written there after init().
// The whole block goes through 2 or 3 sections at a time (coefficients and
// state in registers; a single section alone); each section's arithmetic is
// the same whatever the grouping. Compilers may fuse multiply-adds (GCC does
// on Cortex-M4F), so another build can differ in the last bits; one build
// never differs between calls or chunkings.
// Cost on Cortex-M4F (GCC 12 -O3): 6.7 instructions per sample and section
// for 2+ sections, 7.4 for one (CMSIS-DSP df2T_f32: 7.4).
class Biquad {
 public:
  static constexpr std::size_t state_len(std::size_t sections) noexcept { return 2 * sections; }

  // sos: 6 * sections floats (kept by reference: must outlive the filter and
  // must not change while it is used). state: >= state_len(sections) floats,
  // owned by the caller, zeroed here.
  // Rejects: no sections or sos.size() not a multiple of 6 (kSizeMismatch),
  // a0 != 1 or a non-finite coefficient (kInvalidArgument), state shorter
  // than state_len (kNoMemory).
  [[nodiscard]] Status init(Span<const float> sos, Span<float> state) noexcept;
  // Filters in.size() samples into out; out.size() must equal in.size().
  void process(Span<const float> in, Span<float> out) noexcept;
  // Zeroes the state (the next sample sees a filter at rest).
  void reset() noexcept;
  std::size_t sections() const noexcept { return sections_; }

 private:
  const float* sos_ = nullptr;
  float* state_ = nullptr;
  std::size_t sections_ = 0;
};

// Q15 cascade, direct form I with a 64-bit accumulator (4 state values per
// section: x[n-1], x[n-2], y[n-1], y[n-2], section after section).
// Coefficients: 6 int16 per section in the sos layout, in Q(15 - post_shift):
// coefficient c is stored as round(c * 2^(15 - post_shift)), so
// post_shift = 1 allows |c| < 2 (typical a1), post_shift = 2 allows |c| < 4.
// a0 must equal 2^(15 - post_shift) (i.e. 1.0), which int16 can hold only
// for post_shift >= 1. Per sample and section, exactly (no intermediate
// rounding or wrap-around; the sum fits in 64 bits for any input):
//   acc = b0 x0 + b1 x1 + b2 x2 - a1 y1 - a2 y2          (Q(30 - post_shift))
//   y0 = sat_q15((acc + 2^(14 - post_shift)) >> (15 - post_shift))
// i.e. rounded half up, then saturated; y0 is also what the state keeps.
// Each section's output feeds the next section.
// Cost on Cortex-M4 (GCC 12 -O3): 12.0 instructions per sample and section
// (CMSIS-DSP df1_q15, which truncates instead of rounding: 16.5).
class BiquadQ15 {
 public:
  static constexpr std::size_t state_len(std::size_t sections) noexcept { return 4 * sections; }
  static constexpr int kMinPostShift = 1;
  static constexpr int kMaxPostShift = 7;

  // sos: 6 * sections int16 (kept by reference, like Biquad). post_shift in
  // [kMinPostShift, kMaxPostShift], else kInvalidArgument. Same size and
  // state checks as Biquad::init; kInvalidArgument when a0 is not 1.0 in the
  // chosen format. Zeroes the state.
  [[nodiscard]] Status init(Span<const q15_t> sos, int post_shift, Span<q15_t> state) noexcept;
  // Filters in.size() samples into out; out.size() must equal in.size().
  void process(Span<const q15_t> in, Span<q15_t> out) noexcept;
  void reset() noexcept;
  std::size_t sections() const noexcept { return sections_; }
  int post_shift() const noexcept { return post_shift_; }

 private:
  const q15_t* sos_ = nullptr;
  q15_t* state_ = nullptr;
  std::size_t sections_ = 0;
  int post_shift_ = 0;
};

// Converts float sos to Q15 sos for BiquadQ15: the smallest post_shift in
// [1, 7] at which every coefficient, rounded to nearest (ties away from zero)
// after scaling by 2^(15 - post_shift), fits in int16. out.size() must equal
// sos.size(). Errors: kSizeMismatch (sizes, as Biquad::init; or out.size()),
// kInvalidArgument (a0 != 1, non-finite coefficient, null post_shift),
// kOutOfRange (a coefficient that does not fit even at post_shift 7, i.e.
// outside [-128, 128 - 2^-9)). Writes out and *post_shift only on success.
[[nodiscard]] Status sos_to_q15(Span<const float> sos, Span<q15_t> out, int* post_shift) noexcept;

// Owning variants with state storage for `Sections` sections; sos must have
// at most that many sections (kNoMemory otherwise).
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
