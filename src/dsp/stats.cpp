#include "tinysense/dsp/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif

namespace tinysense::dsp {
namespace {

// Kahan-compensated float sum of the per-block partial sums: one add per
// block, so it costs nothing per sample and removes the error growth with the
// number of blocks.
struct KahanSum {
  float s = 0.0f;
  float c = 0.0f;
  void add(float v) noexcept {
    const float y = v - c;
    const float t = s + y;
    c = (t - s) - y;
    s = t;
  }
};

// sum(x[0..n)), n <= kStatsBlock, four independent accumulators.
inline float block_sum(const float* x, std::size_t n) noexcept {
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += x[i];
    a1 += x[i + 1];
    a2 += x[i + 2];
    a3 += x[i + 3];
  }
  for (; i < n; ++i) a0 += x[i];
  return (a0 + a1) + (a2 + a3);
}

// sum(x[0..n)**2), n <= kStatsBlock. Unrolled by 8 over four accumulators,
// pointer-bounded so that on Cortex-M4F the loop is 8 VLDR + 8 VFMA + 3.
inline float block_sumsq(const float* x, std::size_t n) noexcept {
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  const float* const end8 = x + (n & ~std::size_t{7});
  for (; x != end8; x += 8) {
    a0 += x[0] * x[0];
    a1 += x[1] * x[1];
    a2 += x[2] * x[2];
    a3 += x[3] * x[3];
    a0 += x[4] * x[4];
    a1 += x[5] * x[5];
    a2 += x[6] * x[6];
    a3 += x[7] * x[7];
  }
  for (std::size_t i = 0, r = n & 7u; i < r; ++i) a0 += x[i] * x[i];
  return (a0 + a1) + (a2 + a3);
}

// Sums of d = x - shift and d**2 over one block (n <= kStatsBlock).
inline void block_dev_sums(const float* x, std::size_t n, float shift, float* s1,
                           float* s2) noexcept {
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  float b0 = 0.0f, b1 = 0.0f, b2 = 0.0f, b3 = 0.0f;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float d0 = x[i] - shift, d1 = x[i + 1] - shift;
    const float d2 = x[i + 2] - shift, d3 = x[i + 3] - shift;
    a0 += d0;
    a1 += d1;
    a2 += d2;
    a3 += d3;
    b0 += d0 * d0;
    b1 += d1 * d1;
    b2 += d2 * d2;
    b3 += d3 * d3;
  }
  for (; i < n; ++i) {
    const float d = x[i] - shift;
    a0 += d;
    b0 += d * d;
  }
  *s1 = (a0 + a1) + (a2 + a3);
  *s2 = (b0 + b1) + (b2 + b3);
}

float sum_f32(const float* x, std::size_t n) noexcept {
  KahanSum acc;
  for (std::size_t i = 0; i < n; i += kStatsBlock) {
    acc.add(block_sum(x + i, std::min(kStatsBlock, n - i)));
  }
  return acc.s;
}

float sumsq_f32(const float* x, std::size_t n) noexcept {
  KahanSum acc;
  for (; n >= kStatsBlock; n -= kStatsBlock, x += kStatsBlock) {
    acc.add(block_sumsq(x, kStatsBlock));
  }
  if (n != 0) acc.add(block_sumsq(x, n));
  return acc.s;
}

// Corrected two-pass: M2 = sum((x-m)^2) - (sum(x-m))^2 / n, where the second
// term cancels the rounding error of m.
float m2_f32(const float* x, std::size_t n) noexcept {
  const float m = sum_f32(x, n) / static_cast<float>(n);
  KahanSum s1, s2;
  for (std::size_t i = 0; i < n; i += kStatsBlock) {
    float b1 = 0.0f, b2 = 0.0f;
    block_dev_sums(x + i, std::min(kStatsBlock, n - i), m, &b1, &b2);
    s1.add(b1);
    s2.add(b2);
  }
  const float m2 = s2.s - s1.s * s1.s / static_cast<float>(n);
  return m2 > 0.0f ? m2 : 0.0f;
}

std::uint64_t sumsq_i16(const std::int16_t* x, std::size_t n) noexcept {
  std::int64_t acc = 0;
#if defined(__ARM_FEATURE_DSP)
  // SMLALD: two 16x16 products into a 64-bit accumulator per instruction, so
  // the loop is 4 LDR + 4 SMLALD + 3 per 8 samples. Word loads of int16 pairs
  // may be unaligned, which LDR (not LDRD/LDM) allows on v7E-M.
  const std::int16_t* const end8 = x + (n & ~std::size_t{7});
  for (; x != end8; x += 8) {
    std::int32_t w0, w1, w2, w3;
    std::memcpy(&w0, x, 4);
    std::memcpy(&w1, x + 2, 4);
    std::memcpy(&w2, x + 4, 4);
    std::memcpy(&w3, x + 6, 4);
    acc = __smlald(w0, w0, acc);
    acc = __smlald(w1, w1, acc);
    acc = __smlald(w2, w2, acc);
    acc = __smlald(w3, w3, acc);
  }
  n &= 7u;
#endif
  for (std::size_t i = 0; i < n; ++i) acc += std::int32_t{x[i]} * x[i];
  return static_cast<std::uint64_t>(acc);
}

std::int64_t sum_i16(const std::int16_t* x, std::size_t n) noexcept {
  // int32 partial sums are exact for up to 65536 samples.
  std::int64_t total = 0;
  for (std::size_t i = 0; i < n; i += 65536) {
    const std::size_t end = std::min(n, i + 65536);
    std::int32_t acc = 0;
    for (std::size_t k = i; k < end; ++k) acc += x[k];
    total += acc;
  }
  return total;
}

// Exact M2 = sum((x - mean)^2) of int16 data from its integer sums
// s1 = sum(x), s2 = sum(x^2): with any integer q and r = s1 - q n (|r| < n),
// sum((x - q)^2) = s2 - 2 q s1 + n q^2 is an exact int64 (n < 2^31) and
// M2 = sum((x - q)^2) - r^2 / n. Only the last step rounds (in double, once
// per call).
double m2_i16(std::int64_t s1, std::uint64_t s2, std::size_t count) noexcept {
  const auto n = static_cast<std::int64_t>(count);
  const std::int64_t q = s1 / n;
  const std::int64_t r = s1 - q * n;
  const std::int64_t d2 = static_cast<std::int64_t>(s2) - 2 * q * s1 + n * q * q;
  const double rd = static_cast<double>(r);
  const double m2 = static_cast<double>(d2) - rd * rd / static_cast<double>(n);
  return m2 > 0.0 ? m2 : 0.0;
}

// uint64 -> float from two 32-bit halves: VCVT + VFMA instead of the
// __aeabi_ul2f library call on 32-bit targets; within 1.5 ulp, not correctly
// rounded (used for rms, where sqrt halves the error anyway).
inline float u64_to_float(std::uint64_t v) noexcept {
  const auto hi = static_cast<std::uint32_t>(v >> 32);
  const auto lo = static_cast<std::uint32_t>(v);
  return static_cast<float>(hi) * 4294967296.0f + static_cast<float>(lo);
}

template <class T>
std::size_t zero_crossings_impl(const T* x, std::size_t n) noexcept {
  if (n < 2) return 0;
  std::size_t count = 0;
  bool prev = x[0] < T{0};
  for (std::size_t i = 1; i < n; ++i) {
    const bool neg = x[i] < T{0};
    count += static_cast<std::size_t>(neg != prev);
    prev = neg;
  }
  return count;
}

bool valid_q(float q) noexcept { return q >= 0.0f && q <= 100.0f; }  // false for NaN

// numpy 'linear' percentile of s[0..n) (n >= 1), reordering s. numpy's
// _lerp: a + (b - a) t, or b - (b - a)(1 - t) when t >= 0.5 so q = 100 is exact.
template <class T>
float select_percentile(T* s, std::size_t n, float q) noexcept {
  const double h = static_cast<double>(n - 1) * (static_cast<double>(q) / 100.0);
  std::size_t lo = static_cast<std::size_t>(h);  // h >= 0: truncation is floor
  if (lo > n - 1) lo = n - 1;
  const double t = h - static_cast<double>(lo);
  std::nth_element(s, s + lo, s + n);
  const double a = static_cast<double>(s[lo]);
  if (lo + 1 >= n || t == 0.0) return static_cast<float>(a);
  // After nth_element everything right of lo is >= s[lo]: the next order
  // statistic is their minimum.
  const double b = static_cast<double>(*std::min_element(s + lo + 1, s + n));
  const double diff = b - a;
  return static_cast<float>(t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t);
}

template <class T>
Status percentiles_impl(Span<const T> x, Span<const float> q, Span<T> scratch,
                        Span<float> out) noexcept {
  const std::size_t n = x.size();
  if (n == 0) return Status::kInvalidArgument;
  if (q.size() != out.size()) return Status::kSizeMismatch;
  for (const float v : q) {
    if (!valid_q(v)) return Status::kInvalidArgument;
  }
  if (scratch.size() < n) return Status::kNoMemory;
  T* s = scratch.data();
  if (s != x.data()) std::memcpy(s, x.data(), n * sizeof(T));
  // nth_element needs a strict weak order, which NaN breaks (libstdc++'s
  // unguarded partition could then run off the array): answer NaN first.
  bool has_nan = false;
  for (std::size_t i = 0; i < n; ++i) has_nan |= !(s[i] == s[i]);
  for (std::size_t k = 0; k < q.size(); ++k) {
    out[k] = has_nan ? std::nanf("") : select_percentile(s, n, q[k]);
  }
  return Status::kOk;
}

}  // namespace

// ---- Totals ------------------------------------------------------------------

float sum(Span<const float> x) noexcept { return sum_f32(x.data(), x.size()); }
std::int64_t sum(Span<const std::int16_t> x) noexcept { return sum_i16(x.data(), x.size()); }

float energy(Span<const float> x) noexcept { return sumsq_f32(x.data(), x.size()); }
std::uint64_t energy(Span<const std::int16_t> x) noexcept {
  return sumsq_i16(x.data(), x.size());
}

std::size_t zero_crossings(Span<const float> x) noexcept {
  return zero_crossings_impl(x.data(), x.size());
}
std::size_t zero_crossings(Span<const std::int16_t> x) noexcept {
  return zero_crossings_impl(x.data(), x.size());
}

// ---- Statistics ----------------------------------------------------------------

Status mean(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  *out = sum_f32(x.data(), x.size()) / static_cast<float>(x.size());
  return Status::kOk;
}

Status mean(Span<const std::int16_t> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  *out = static_cast<float>(static_cast<double>(sum_i16(x.data(), x.size())) /
                            static_cast<double>(x.size()));
  return Status::kOk;
}

Status variance(Span<const float> x, float* out, std::size_t ddof) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.size() <= ddof) return Status::kInvalidArgument;  // also catches empty x
  *out = m2_f32(x.data(), x.size()) / static_cast<float>(x.size() - ddof);
  return Status::kOk;
}

Status variance(Span<const std::int16_t> x, float* out, std::size_t ddof) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.size() <= ddof) return Status::kInvalidArgument;
  const double m2 = m2_i16(sum_i16(x.data(), x.size()), sumsq_i16(x.data(), x.size()), x.size());
  *out = static_cast<float>(m2 / static_cast<double>(x.size() - ddof));
  return Status::kOk;
}

Status stddev(Span<const float> x, float* out, std::size_t ddof) noexcept {
  float v = 0.0f;
  TINYSENSE_TRY(variance(x, &v, ddof));
  *out = std::sqrt(v);
  return Status::kOk;
}

Status stddev(Span<const std::int16_t> x, float* out, std::size_t ddof) noexcept {
  float v = 0.0f;
  TINYSENSE_TRY(variance(x, &v, ddof));
  *out = std::sqrt(v);
  return Status::kOk;
}

Status rms(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  *out = std::sqrt(sumsq_f32(x.data(), x.size()) / static_cast<float>(x.size()));
  return Status::kOk;
}

Status rms(Span<const std::int16_t> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  // float, not double: this runs per call on a core without a double FPU.
  *out = std::sqrt(u64_to_float(sumsq_i16(x.data(), x.size())) / static_cast<float>(x.size()));
  return Status::kOk;
}

Status min_value(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  float m = x[0];
  for (const float v : x) m = v < m ? v : m;
  *out = m;
  return Status::kOk;
}

Status min_value(Span<const std::int16_t> x, std::int16_t* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  std::int16_t m = x[0];
  for (const std::int16_t v : x) m = v < m ? v : m;
  *out = m;
  return Status::kOk;
}

Status max_value(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  float m = x[0];
  for (const float v : x) m = v > m ? v : m;
  *out = m;
  return Status::kOk;
}

Status max_value(Span<const std::int16_t> x, std::int16_t* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  std::int16_t m = x[0];
  for (const std::int16_t v : x) m = v > m ? v : m;
  *out = m;
  return Status::kOk;
}

Status ptp(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  float lo = x[0], hi = x[0];
  for (const float v : x) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *out = hi - lo;
  return Status::kOk;
}

Status ptp(Span<const std::int16_t> x, std::int32_t* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  std::int16_t lo = x[0], hi = x[0];
  for (const std::int16_t v : x) {
    lo = v < lo ? v : lo;
    hi = v > hi ? v : hi;
  }
  *out = std::int32_t{hi} - std::int32_t{lo};
  return Status::kOk;
}

Status zero_crossing_rate(Span<const float> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  const std::size_t n = x.size();
  *out = n < 2 ? 0.0f
               : static_cast<float>(zero_crossings_impl(x.data(), n)) / static_cast<float>(n - 1);
  return Status::kOk;
}

Status zero_crossing_rate(Span<const std::int16_t> x, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  if (x.empty()) return Status::kInvalidArgument;
  const std::size_t n = x.size();
  *out = n < 2 ? 0.0f
               : static_cast<float>(zero_crossings_impl(x.data(), n)) / static_cast<float>(n - 1);
  return Status::kOk;
}

// ---- Order statistics --------------------------------------------------------

Status percentile(Span<const float> x, float q, Span<float> scratch, float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  return percentiles_impl(x, Span<const float>(&q, 1), scratch, Span<float>(out, 1));
}

Status percentile(Span<const std::int16_t> x, float q, Span<std::int16_t> scratch,
                  float* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  return percentiles_impl(x, Span<const float>(&q, 1), scratch, Span<float>(out, 1));
}

Status percentiles(Span<const float> x, Span<const float> q, Span<float> scratch,
                   Span<float> out) noexcept {
  return percentiles_impl(x, q, scratch, out);
}

Status percentiles(Span<const std::int16_t> x, Span<const float> q, Span<std::int16_t> scratch,
                   Span<float> out) noexcept {
  return percentiles_impl(x, q, scratch, out);
}

Status median(Span<const float> x, Span<float> scratch, float* out) noexcept {
  return percentile(x, 50.0f, scratch, out);
}

Status median(Span<const std::int16_t> x, Span<std::int16_t> scratch, float* out) noexcept {
  return percentile(x, 50.0f, scratch, out);
}

// ---- Combined features -------------------------------------------------------

Status features(Span<const float> x, Features* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  const std::size_t n = x.size();
  if (n == 0) return Status::kInvalidArgument;
  const float* p = x.data();
  // Shifted-data one-pass variance: M2 = S2 - S1^2 / n with S1 = sum(x - K),
  // S2 = sum((x - K)^2) loses ((mean - K) / std)^2 in precision, so K is the
  // mean of the first block (a short pre-pass), not x[0], which may be an
  // outlier. Block partial sums are combined with Kahan compensation.
  const std::size_t n0 = std::min(kStatsBlock, n);
  const float shift = block_sum(p, n0) / static_cast<float>(n0);
  float lo = p[0], hi = p[0];
  bool prev_neg = p[0] < 0.0f;
  std::size_t crossings = 0;
  KahanSum s1_acc, s2_acc, energy_acc;
  for (std::size_t b = 0; b < n; b += kStatsBlock) {
    const std::size_t nb = std::min(kStatsBlock, n - b);
    const float* xb = p + b;
    // Four accumulator lanes for the sums (unrolled by hand so they stay in
    // registers); min, max and the sign state are shared.
    float s1a = 0.0f, s1b = 0.0f, s1c = 0.0f, s1d = 0.0f;
    float s2a = 0.0f, s2b = 0.0f, s2c = 0.0f, s2d = 0.0f;
    float ea = 0.0f, eb = 0.0f, ec = 0.0f, ed = 0.0f;
    auto step = [&](float v, float& s1, float& s2, float& e) {
      const float d = v - shift;
      s1 += d;
      s2 += d * d;
      e += v * v;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      const bool neg = v < 0.0f;
      crossings += static_cast<std::size_t>(neg != prev_neg);
      prev_neg = neg;
    };
    std::size_t i = 0;
    for (; i + 4 <= nb; i += 4) {
      step(xb[i], s1a, s2a, ea);
      step(xb[i + 1], s1b, s2b, eb);
      step(xb[i + 2], s1c, s2c, ec);
      step(xb[i + 3], s1d, s2d, ed);
    }
    for (; i < nb; ++i) step(xb[i], s1a, s2a, ea);
    s1_acc.add((s1a + s1b) + (s1c + s1d));
    s2_acc.add((s2a + s2b) + (s2c + s2d));
    energy_acc.add((ea + eb) + (ec + ed));
  }
  const float fn = static_cast<float>(n);
  const float s1 = s1_acc.s;
  const float m2 = s2_acc.s - s1 * s1 / fn;
  out->mean = shift + s1 / fn;
  out->stddev = m2 > 0.0f ? std::sqrt(m2 / fn) : 0.0f;
  out->min = lo;
  out->max = hi;
  out->energy = energy_acc.s;
  out->rms = std::sqrt(energy_acc.s / fn);
  out->ptp = hi - lo;
  out->zcr = n < 2 ? 0.0f : static_cast<float>(crossings) / static_cast<float>(n - 1);
  return Status::kOk;
}

Status features(Span<const std::int16_t> x, Features* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  const std::size_t n = x.size();
  if (n == 0) return Status::kInvalidArgument;
  const std::int16_t* p = x.data();
  std::int64_t s1 = 0;
  std::uint64_t s2 = 0;
  std::int16_t lo = p[0], hi = p[0];
  std::size_t crossings = 0;
  unsigned prev_neg = static_cast<std::uint16_t>(p[0]) >> 15;
  for (std::size_t b = 0; b < n; b += 65536) {
    const std::size_t end = std::min(n, b + 65536);
    std::int32_t bs1 = 0;  // exact for 65536 samples
    std::int64_t bs2 = 0;
    for (std::size_t i = b; i < end; ++i) {
      const std::int16_t v = p[i];
      bs1 += v;
      bs2 += std::int32_t{v} * v;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
      const unsigned neg = static_cast<std::uint16_t>(v) >> 15;
      crossings += neg ^ prev_neg;
      prev_neg = neg;
    }
    s1 += bs1;
    s2 += static_cast<std::uint64_t>(bs2);
  }
  const double dn = static_cast<double>(n);
  const float var = static_cast<float>(m2_i16(s1, s2, n) / dn);
  const float e = static_cast<float>(s2);
  out->mean = static_cast<float>(static_cast<double>(s1) / dn);
  out->stddev = std::sqrt(var);
  out->min = lo;
  out->max = hi;
  out->energy = e;
  out->rms = std::sqrt(e / static_cast<float>(n));
  out->ptp = static_cast<float>(std::int32_t{hi} - std::int32_t{lo});
  out->zcr = n < 2 ? 0.0f : static_cast<float>(crossings) / static_cast<float>(n - 1);
  return Status::kOk;
}

// ---- Conversion ----------------------------------------------------------------

void int16_to_float(Span<const std::int16_t> in, float scale, Span<float> out) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size());
  const std::int16_t* x = in.data();
  float* y = out.data();
  for (std::size_t i = 0, n = in.size(); i < n; ++i) y[i] = static_cast<float>(x[i]) * scale;
}

void float_to_int16(Span<const float> in, float scale, Span<std::int16_t> out) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size());
  // Adding and removing 1.5 * 2^23 rounds any |v| <= 2^22 to an integer with
  // the FPU's default round-to-nearest-even, numpy.rint's rule; Cortex-M4F has
  // no VRINT instruction and lrintf would be a library call.
  constexpr float kRound = 12582912.0f;
  const float* x = in.data();
  std::int16_t* y = out.data();
  for (std::size_t i = 0, n = in.size(); i < n; ++i) {
    float v = x[i] * scale;
    v = v == v ? v : 0.0f;  // NaN -> 0
    v = v < -32768.0f ? -32768.0f : v;
    v = v > 32767.0f ? 32767.0f : v;
    v = (v + kRound) - kRound;
    y[i] = static_cast<std::int16_t>(static_cast<std::int32_t>(v));
  }
}

}  // namespace tinysense::dsp
