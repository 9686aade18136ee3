#include "tinysense/dsp/biquad.hpp"

#include <cmath>
#include <utility>

#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
#include <arm_acle.h>
#endif

namespace tinysense::dsp {
namespace {

// ---- float32, transposed direct form II ------------------------------------

struct SectionF32 {
  float b0, b1, b2, a1, a2;
};

// One sample through one section. Every kernel below uses this one expression,
// so a compiler that fuses multiply-adds fuses them the same way everywhere
// (main loop, remainder loop, any section grouping): chunking cannot change bits.
inline float tdf2_step(const SectionF32& c, float x, float& z1, float& z2) noexcept {
  const float y = z1 + c.b0 * x;
  z1 = (z2 + c.b1 * x) - c.a1 * y;
  z2 = c.b2 * x - c.a2 * y;
  return y;
}

// Runs kSections consecutive sections over the block, sample by sample, with
// coefficients and state in registers; x may equal y (sample u is read before
// it is written). With fused multiply-adds each sample moves a section's
// state one register along a cycle of three, so kUnroll is a multiple of 3
// and GCC keeps the state in place without moves. Cortex-M4F, GCC 12, per
// sample and section: <1, 12> 7.38, <2, 3> and <3, 3> 6.69 instructions
// (loop overhead: a counter and two pointer increments per iteration).
// noinline (here and for run_q15): compiled on their own the kernels keep
// everything in registers with no moves; inlined into process(), GCC 12's
// register allocation varies with the surrounding code (up to +0.3
// instructions per sample and section). One call per block costs nothing.
template <std::size_t kSections, std::size_t kUnroll>
[[gnu::noinline]] void run_f32(const float* sos, float* state, const float* x, float* y,
                               std::size_t n) noexcept {
  SectionF32 c[kSections];
  float z1[kSections];
  float z2[kSections];
  for (std::size_t s = 0; s < kSections; ++s) {
    const float* row = sos + kSosRowLen * s;
    c[s] = SectionF32{row[0], row[1], row[2], row[4], row[5]};
    z1[s] = state[2 * s];
    z2[s] = state[2 * s + 1];
  }
  for (std::size_t blocks = n / kUnroll; blocks != 0; --blocks) {
    for (std::size_t u = 0; u < kUnroll; ++u) {
      float v = x[u];
      for (std::size_t s = 0; s < kSections; ++s) v = tdf2_step(c[s], v, z1[s], z2[s]);
      y[u] = v;
    }
    x += kUnroll;
    y += kUnroll;
  }
  for (std::size_t r = n % kUnroll; r != 0; --r) {
    float v = *x++;
    for (std::size_t s = 0; s < kSections; ++s) v = tdf2_step(c[s], v, z1[s], z2[s]);
    *y++ = v;
  }
  for (std::size_t s = 0; s < kSections; ++s) {
    state[2 * s] = z1[s];
    state[2 * s + 1] = z2[s];
  }
}

// ---- Q15, direct form I ------------------------------------------------------
//
// The documented arithmetic is y0 = sat16((acc + 2^(sh-1)) >> sh) with
// acc = sum(c_i v_i) and sh = 15 - post_shift. The kernel computes the same
// value with fewer instructions: coefficients are pre-scaled by 2^(1 + post_shift)
// and the four state values are kept as v * 2^16 (both still fit int32), so
// the 64-bit sum is acc * 2^(32 - sh); adding 2^31 and keeping the high word
// is then floor((acc + 2^(sh-1)) / 2^sh), and "+ 2^31, high word" is
// hi + (lo >> 31), one ADD with a shifted operand on Arm. No 64-bit shift,
// no rounding constant in a register. Bound: |c * 2^(1+post_shift)| <= 2^23,
// |v * 2^16| <= 2^31, so five products stay below 2^57.

struct SectionQ15 {
  std::int32_t b0, b1, b2, na1, na2;  // * 2^(1 + post_shift); na = -a
};

constexpr std::int32_t kStateScale = 65536;  // a state value v is held as v * 2^16

inline std::int32_t sat16(std::int32_t v) noexcept {
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT
  // GCC 12 turns the portable clamp into SSAT outside loops only (inside, it
  // hoists the two constants into registers first), so name the instruction.
  return __ssat(v, 16);
#else
  return sat_q15(v);
#endif
}

// floor((acc + 2^31) / 2^32), saturated to int16.
inline std::int32_t round_high_sat(std::int64_t acc) noexcept {
  const auto lo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(acc));
  const auto hi = static_cast<std::int32_t>(acc >> 32);
  return sat16(hi + static_cast<std::int32_t>(lo >> 31));
}

// One sample through one section. `newer`/`older` are the scaled history
// x[n-1]/x[n-2] and y[n-1]/y[n-2]; the new x[n] and y[n] overwrite the older
// ones, which are dead by then (oldest products first), so the history shifts
// by swapping roles instead of moving registers.
inline void df1_push(const SectionQ15& c, const q15_t* in, q15_t* out, std::int32_t x_newer,
                     std::int32_t& x_older, std::int32_t y_newer, std::int32_t& y_older) noexcept {
  std::int64_t acc = std::int64_t{c.b2} * x_older;
  acc += std::int64_t{c.na2} * y_older;
  x_older = *in * kStateScale;
  acc += std::int64_t{c.b1} * x_newer;
  acc += std::int64_t{c.na1} * y_newer;
  acc += std::int64_t{c.b0} * x_older;
  const std::int32_t y = round_high_sat(acc);
  *out = static_cast<q15_t>(y);
  y_older = y * kStateScale;
}

// One section over the block. 4 samples per iteration: after 2 samples the
// roles of (x1, x2) and (y1, y2) are back where they started, and 4 samples
// fit the registers with no moves or spills: Cortex-M4, GCC 12, 48
// instructions per 4 samples (12.0 per sample; 11 of them arithmetic and
// memory). x may equal y.
[[gnu::noinline]] void run_q15(const q15_t* sos, int post_shift, q15_t* state, const q15_t* x,
                               q15_t* y, std::size_t n) noexcept {
  const std::int32_t scale = std::int32_t{1} << (1 + post_shift);
  const SectionQ15 c{sos[0] * scale, sos[1] * scale, sos[2] * scale, -sos[4] * scale,
                     -sos[5] * scale};
  std::int32_t x1 = state[0] * kStateScale;
  std::int32_t x2 = state[1] * kStateScale;
  std::int32_t y1 = state[2] * kStateScale;
  std::int32_t y2 = state[3] * kStateScale;
  for (std::size_t quads = n / 4; quads != 0; --quads) {
    df1_push(c, x + 0, y + 0, x1, x2, y1, y2);  // x2, y2 now hold the newest
    df1_push(c, x + 1, y + 1, x2, x1, y2, y1);  // x1, y1 newest again
    df1_push(c, x + 2, y + 2, x1, x2, y1, y2);
    df1_push(c, x + 3, y + 3, x2, x1, y2, y1);
    x += 4;
    y += 4;
  }
  for (std::size_t r = n % 4; r != 0; --r) {
    df1_push(c, x++, y++, x1, x2, y1, y2);
    std::swap(x1, x2);
    std::swap(y1, y2);
  }
  state[0] = static_cast<q15_t>(x1 >> 16);
  state[1] = static_cast<q15_t>(x2 >> 16);
  state[2] = static_cast<q15_t>(y1 >> 16);
  state[3] = static_cast<q15_t>(y2 >> 16);
}

// Shared size checks of init() and sos_to_q15(): rows of 6, at least one.
constexpr bool valid_sos_size(std::size_t size) noexcept {
  return size != 0 && size % kSosRowLen == 0;
}

}  // namespace

// ---- Biquad --------------------------------------------------------------------

Status Biquad::init(Span<const float> sos, Span<float> state) noexcept {
  sos_ = nullptr;
  state_ = nullptr;
  sections_ = 0;
  if (!valid_sos_size(sos.size())) return Status::kSizeMismatch;
  for (std::size_t i = 0; i < sos.size(); ++i) {
    if (!std::isfinite(sos[i])) return Status::kInvalidArgument;
  }
  const std::size_t sections = sos.size() / kSosRowLen;
  for (std::size_t s = 0; s < sections; ++s) {
    if (sos[kSosRowLen * s + 3] != 1.0f) return Status::kInvalidArgument;
  }
  if (state.size() < state_len(sections)) return Status::kNoMemory;
  sos_ = sos.data();
  state_ = state.data();
  sections_ = sections;
  reset();
  return Status::kOk;
}

void Biquad::reset() noexcept {
  for (std::size_t i = 0, n = state_len(sections_); i < n; ++i) state_[i] = 0.0f;
}

void Biquad::process(Span<const float> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(out.size() == in.size());
  const std::size_t n = in.size();
  const float* src = in.data();
  float* dst = out.data();
  if (sections_ == 0) {
    if (src != dst) {
      for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    }
    return;
  }
  // Section-major: the whole block through the first group of sections into
  // out, then in place through the next groups. A group of 2 or 3 sections
  // shares one load and one store per sample among them, and its 10 or 15
  // coefficients and 4 or 6 states still fit the 32 FPU registers.
  if (sections_ == 1) {
    run_f32<1, 12>(sos_, state_, src, dst, n);
    return;
  }
  const float* sos = sos_;
  float* state = state_;
  std::size_t left = sections_;
  if (left % 2 != 0) {
    run_f32<3, 3>(sos, state, src, dst, n);
    src = dst;
    sos += 3 * kSosRowLen;
    state += 6;
    left -= 3;
  }
  for (; left != 0; left -= 2) {
    run_f32<2, 3>(sos, state, src, dst, n);
    src = dst;
    sos += 2 * kSosRowLen;
    state += 4;
  }
}

// ---- BiquadQ15 -----------------------------------------------------------------

Status BiquadQ15::init(Span<const q15_t> sos, int post_shift, Span<q15_t> state) noexcept {
  sos_ = nullptr;
  state_ = nullptr;
  sections_ = 0;
  post_shift_ = 0;
  if (!valid_sos_size(sos.size())) return Status::kSizeMismatch;
  if (post_shift < kMinPostShift || post_shift > kMaxPostShift) return Status::kInvalidArgument;
  const std::size_t sections = sos.size() / kSosRowLen;
  const std::int32_t one = std::int32_t{1} << (15 - post_shift);
  for (std::size_t s = 0; s < sections; ++s) {
    if (sos[kSosRowLen * s + 3] != one) return Status::kInvalidArgument;
  }
  if (state.size() < state_len(sections)) return Status::kNoMemory;
  sos_ = sos.data();
  state_ = state.data();
  sections_ = sections;
  post_shift_ = post_shift;
  reset();
  return Status::kOk;
}

void BiquadQ15::reset() noexcept {
  for (std::size_t i = 0, n = state_len(sections_); i < n; ++i) state_[i] = 0;
}

void BiquadQ15::process(Span<const q15_t> in, Span<q15_t> out) noexcept {
  TINYSENSE_DCHECK(out.size() == in.size());
  const std::size_t n = in.size();
  const q15_t* src = in.data();
  q15_t* dst = out.data();
  if (sections_ == 0) {
    if (src != dst) {
      for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    }
    return;
  }
  for (std::size_t s = 0; s < sections_; ++s) {
    const q15_t* sos = sos_ + kSosRowLen * s;
    q15_t* state = state_ + 4 * s;
    run_q15(sos, post_shift_, state, src, dst, n);
    src = dst;
  }
}

// ---- sos_to_q15 ------------------------------------------------------------------

Status sos_to_q15(Span<const float> sos, Span<q15_t> out, int* post_shift) noexcept {
  if (!valid_sos_size(sos.size()) || out.size() != sos.size()) return Status::kSizeMismatch;
  if (post_shift == nullptr) return Status::kInvalidArgument;
  for (std::size_t i = 0; i < sos.size(); ++i) {
    if (!std::isfinite(sos[i])) return Status::kInvalidArgument;
    if (i % kSosRowLen == 3 && sos[i] != 1.0f) return Status::kInvalidArgument;
  }
  // Rounded like float_to_q15 (half away from zero). Exact in float: scaling
  // by a power of two is exact, and so is the fraction a - floor(a); so the
  // fit test below is exact too (no soft-double on an FPU-less-double core).
  const auto scaled = [](float c, int shift) noexcept {
    const float a = std::fabs(c) * static_cast<float>(std::int32_t{1} << (15 - shift));
    float r = std::floor(a);
    if (a - r >= 0.5f) r += 1.0f;
    return c < 0.0f ? -r : r;
  };
  for (int shift = BiquadQ15::kMinPostShift; shift <= BiquadQ15::kMaxPostShift; ++shift) {
    bool fits = true;
    for (std::size_t i = 0; i < sos.size() && fits; ++i) {
      const float v = scaled(sos[i], shift);
      fits = v >= -32768.0f && v <= 32767.0f;
    }
    if (!fits) continue;
    for (std::size_t i = 0; i < sos.size(); ++i) {
      out[i] = static_cast<q15_t>(scaled(sos[i], shift));
    }
    *post_shift = shift;
    return Status::kOk;
  }
  return Status::kOutOfRange;
}

}  // namespace tinysense::dsp
