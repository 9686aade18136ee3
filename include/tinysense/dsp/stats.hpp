// Statistics and features of a 1-D signal, float32 and int16, numpy conventions.
//
// Error convention (the same for every function here):
// - A statistic that is undefined on empty input (mean, variance, min, median,
//   zero-crossing rate, ...) returns Status and writes its value through `out`.
//   Empty input -> kInvalidArgument, and *out is left untouched.
// - A total that numpy defines on empty input (sum, energy, zero_crossings)
//   returns its value directly; it is 0 for empty input, as numpy.sum([]).
// `out` pointers must be non-null.
//
// Precision, float32 input: sums run in float32 in blocks of kStatsBlock
// samples with four independent accumulators (the unrolled loop that also makes
// them fast on Cortex-M4F), and the block sums are added with Kahan
// compensation. The relative error of a sum is then about
// (kStatsBlock / 4) * 2^-24 of sum(|x|) in the worst case, independent of the
// length. variance() is two-pass with the corrected two-pass formula
// (Chan, Golub, LeVeque 1983), so a large DC offset (1000 + small noise) costs
// no precision. Double precision is avoided on purpose in per-sample loops:
// Cortex-M4F has no double FPU, and emulated doubles are ~20x slower.
//
// Precision, int16 input: sums are exact integers (int64: safe for n < 2^31),
// so sum, energy, min, max, ptp, zero_crossings, median and percentiles at
// integer positions are exact; mean, variance, std and rms are computed from
// the exact sums and rounded to float once at the end (within 1 float ulp of
// numpy's float64 result rounded to float32, bar sqrt rounding for rms/std).
//
// Non-finite float input: mean, variance, std, rms, sum and energy follow IEEE
// (NaN propagates); median/percentile return NaN if any element is NaN, like
// numpy.percentile; min, max, ptp, zero crossings and features() give
// unspecified values (never out-of-bounds access).
#ifndef TINYSENSE_DSP_STATS_HPP
#define TINYSENSE_DSP_STATS_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::dsp {

// Samples per float32 accumulation block (see the precision note above).
constexpr std::size_t kStatsBlock = 256;

// Several statistics of one signal, computed in one pass by features().
// All in the input's units (int16 input: raw counts), population statistics.
struct Features {
  float mean;    // numpy.mean(x)
  float stddev;  // numpy.std(x) (ddof = 0)
  float min;     // numpy.min(x)
  float max;     // numpy.max(x)
  float rms;     // sqrt(numpy.mean(x**2))
  float ptp;     // max - min (int16: no wrap-around, unlike numpy.ptp on int16)
  float zcr;     // zero_crossing_rate(x), see below
  float energy;  // numpy.sum(x**2)
};

// ---- Totals (defined on empty input) ----------------------------------------

// numpy.sum(x); 0 for empty input.
float sum(Span<const float> x) noexcept;
std::int64_t sum(Span<const std::int16_t> x) noexcept;

// Energy numpy.sum(x**2); 0 for empty input. int16: exact (each term <= 2^30).
float energy(Span<const float> x) noexcept;
std::uint64_t energy(Span<const std::int16_t> x) noexcept;

// Number of adjacent pairs (x[i], x[i+1]) whose signs differ, where a sample
// is negative iff x < 0: zero (and -0.0) count as positive. numpy model:
// numpy.count_nonzero((x[:-1] < 0) != (x[1:] < 0)). 0 for n < 2.
std::size_t zero_crossings(Span<const float> x) noexcept;
std::size_t zero_crossings(Span<const std::int16_t> x) noexcept;

// ---- Statistics (kInvalidArgument on empty input) ---------------------------

// numpy.mean(x).
[[nodiscard]] Status mean(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status mean(Span<const std::int16_t> x, float* out) noexcept;

// numpy.var(x, ddof=ddof): sum((x - mean)^2) / (n - ddof). kInvalidArgument
// when n <= ddof (numpy returns inf/nan with a warning there).
[[nodiscard]] Status variance(Span<const float> x, float* out, std::size_t ddof = 0) noexcept;
[[nodiscard]] Status variance(Span<const std::int16_t> x, float* out,
                              std::size_t ddof = 0) noexcept;

// numpy.std(x, ddof=ddof) = sqrt(variance). Same errors as variance().
[[nodiscard]] Status stddev(Span<const float> x, float* out, std::size_t ddof = 0) noexcept;
[[nodiscard]] Status stddev(Span<const std::int16_t> x, float* out,
                            std::size_t ddof = 0) noexcept;

// Root mean square sqrt(numpy.mean(x**2)).
[[nodiscard]] Status rms(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status rms(Span<const std::int16_t> x, float* out) noexcept;

// numpy.min / numpy.max.
[[nodiscard]] Status min_value(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status min_value(Span<const std::int16_t> x, std::int16_t* out) noexcept;
[[nodiscard]] Status max_value(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status max_value(Span<const std::int16_t> x, std::int16_t* out) noexcept;

// Peak to peak max - min. int16: as int32, so it never wraps (numpy.ptp on an
// int16 array wraps around for spans > 32767).
[[nodiscard]] Status ptp(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status ptp(Span<const std::int16_t> x, std::int32_t* out) noexcept;

// Fraction of adjacent pairs with a sign change: zero_crossings(x) / (n - 1),
// in [0, 1]; 0 for n == 1 (no pair); kInvalidArgument for empty input.
// numpy model: numpy.mean((x[:-1] < 0) != (x[1:] < 0)).
[[nodiscard]] Status zero_crossing_rate(Span<const float> x, float* out) noexcept;
[[nodiscard]] Status zero_crossing_rate(Span<const std::int16_t> x, float* out) noexcept;

// ---- Order statistics --------------------------------------------------------
// numpy.percentile(x, q) with numpy's default method='linear': with
// h = (n - 1) * q / 100, lo = floor(h), t = h - lo, the result interpolates the
// sorted values s[lo] and s[lo + 1] as numpy's _lerp does. The input is copied
// into `scratch` (at least n elements, else kNoMemory) and partially ordered
// there with std::nth_element: O(n) expected time, no heap. `scratch` may be
// `x` itself (same data pointer): then x is reordered in place and no copy is
// made; any other overlap is not allowed. q outside [0, 100] or NaN ->
// kInvalidArgument. A NaN in float input gives NaN, as numpy does.

[[nodiscard]] Status percentile(Span<const float> x, float q, Span<float> scratch,
                                float* out) noexcept;
[[nodiscard]] Status percentile(Span<const std::int16_t> x, float q, Span<std::int16_t> scratch,
                                float* out) noexcept;

// Several percentiles from one copy: out[i] = percentile(x, q[i]).
// q.size() != out.size() -> kSizeMismatch; any bad q -> kInvalidArgument
// (checked before anything is written).
[[nodiscard]] Status percentiles(Span<const float> x, Span<const float> q, Span<float> scratch,
                                 Span<float> out) noexcept;
[[nodiscard]] Status percentiles(Span<const std::int16_t> x, Span<const float> q,
                                 Span<std::int16_t> scratch, Span<float> out) noexcept;

// numpy.median(x) = percentile(x, 50).
[[nodiscard]] Status median(Span<const float> x, Span<float> scratch, float* out) noexcept;
[[nodiscard]] Status median(Span<const std::int16_t> x, Span<std::int16_t> scratch,
                            float* out) noexcept;

// ---- Combined features -------------------------------------------------------

// Every field of Features in one pass over x (ddof = 0). float32: shifted-data
// sums S1 = sum(x - K), S2 = sum((x - K)^2), M2 = S2 - S1^2 / n, with K the
// mean of the first kStatsBlock samples (a short pre-pass over them), so a DC
// offset or an outlier x[0] costs no precision; only a mean that drifts many
// standard deviations away from the first block's does, by about
// ((mean - K) / std)^2 float ulps. int16: exact integer sums, rounded once.
[[nodiscard]] Status features(Span<const float> x, Features* out) noexcept;
[[nodiscard]] Status features(Span<const std::int16_t> x, Features* out) noexcept;

// ---- int16 <-> float conversion ---------------------------------------------

// out[i] = float(in[i]) * scale (numpy: in.astype(float32) * float32(scale)).
// in and out have the same length.
void int16_to_float(Span<const std::int16_t> in, float scale, Span<float> out) noexcept;

// out[i] = clamp(rint(in[i] * scale), -32768, 32767), NaN -> 0: the product is
// rounded in float32, then to the nearest integer with ties to even (numpy.rint),
// saturating. numpy model:
//   v = in.astype(float32) * float32(scale); v = where(isnan(v), 0, v)
//   out = clip(rint(v), -32768, 32767).astype(int16)
// in and out have the same length.
void float_to_int16(Span<const float> in, float scale, Span<std::int16_t> out) noexcept;

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_STATS_HPP
