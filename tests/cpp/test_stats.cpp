// Statistics, features and int16 <-> float conversion vs numpy (gen_stats.py).
#include <cmath>
#include <cstring>
#include <limits>

#include "golden_stats.hpp"
#include "tinysense/dsp/stats.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;
namespace g = golden::stats;

namespace {

constexpr std::size_t kMaxN = 10007;
float g_fscratch[kMaxN + 1];
std::int16_t g_iscratch[kMaxN + 1];
float g_fout[kMaxN + 1];
std::int16_t g_iout[kMaxN + 1];

// Index of each value in <name>_ref (see gen_stats.py).
enum FloatRef {
  kSum, kEnergy, kMean, kVar0, kVar1, kStd0, kStd1, kRms, kMin, kMax, kPtp, kZcr, kMedian,
  kZeroCrossings, kScaleSum, kScaleMean
};
enum IntExact { kISum, kIEnergy, kIMin, kIMax, kIPtp, kIZc };
enum IntRef { kIMean, kIVar0, kIVar1, kIStd0, kIStd1, kIRms, kIZcr, kIMedian };

struct FloatCase {
  const float* x;
  std::size_t n;
  const double* ref;
  const float* q;
  const double* pct;
  std::size_t nq;
};

struct IntCase {
  const std::int16_t* x;
  std::size_t n;
  const std::int64_t* exact;
  const double* ref;
  const float* q;
  const double* pct;
  std::size_t nq;
};

#define FLOAT_CASE(name) \
  FloatCase { g::name##_x, g::name##_x_len, g::name##_ref, g::name##_pq, g::name##_pct, g::name##_pq_len }
#define INT_CASE(name)                                                                          \
  IntCase {                                                                                     \
    g::name##_x, g::name##_x_len, g::name##_exact, g::name##_ref, g::name##_pq, g::name##_pct, \
        g::name##_pq_len                                                                        \
  }

const FloatCase kFloatCases[] = {FLOAT_CASE(f_one),  FLOAT_CASE(f_odd),  FLOAT_CASE(f_mid),
                                 FLOAT_CASE(f_dc),   FLOAT_CASE(f_big),  FLOAT_CASE(f_ramp),
                                 FLOAT_CASE(f_spike), FLOAT_CASE(f_ties)};
const IntCase kIntCases[] = {INT_CASE(i_one), INT_CASE(i_odd), INT_CASE(i_full), INT_CASE(i_dc),
                             INT_CASE(i_min)};

// |got - ref| <= tol * scale, scale = max(|ref|, floor): float32 results are
// judged relative to their own magnitude, or to the magnitude of the terms
// that were summed when the result itself can be near zero.
#define CHECK_REL(got, ref, tol, floor_scale)                                        \
  do {                                                                               \
    const double ref_ = (ref);                                                       \
    const double scale_ = std::fabs(ref_) > (floor_scale) ? std::fabs(ref_) : (floor_scale); \
    TT_CHECK_NEAR(got, ref_, (tol) * scale_);                                        \
  } while (0)

double max_abs(const float* x, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m = std::fmax(m, std::fabs(static_cast<double>(x[i])));
  return m;
}

}  // namespace

TT_TEST(float_stats_match_numpy) {
  for (const FloatCase& c : kFloatCases) {
    const Span<const float> x(c.x, c.n);
    const double* r = c.ref;
    const double tol = tt::tol::kStatsRel;
    float v = 0.0f;
    CHECK_REL(sum(x), r[kSum], tol, r[kScaleSum]);
    CHECK_REL(energy(x), r[kEnergy], tol, 0.0);
    TT_CHECK(mean(x, &v) == Status::kOk);
    CHECK_REL(v, r[kMean], tol, r[kScaleMean]);
    TT_CHECK(variance(x, &v) == Status::kOk);
    CHECK_REL(v, r[kVar0], tol, 1e-30);
    TT_CHECK(stddev(x, &v) == Status::kOk);
    CHECK_REL(v, r[kStd0], tol, 1e-30);
    if (c.n > 1) {
      TT_CHECK(variance(x, &v, 1) == Status::kOk);
      CHECK_REL(v, r[kVar1], tol, 1e-30);
      TT_CHECK(stddev(x, &v, 1) == Status::kOk);
      CHECK_REL(v, r[kStd1], tol, 1e-30);
    } else {
      TT_CHECK(variance(x, &v, 1) == Status::kInvalidArgument);
    }
    TT_CHECK(rms(x, &v) == Status::kOk);
    CHECK_REL(v, r[kRms], tol, 0.0);
    // min/max/ptp are exact selections (ptp: one float subtraction).
    TT_CHECK(min_value(x, &v) == Status::kOk);
    TT_CHECK_EQ(static_cast<double>(v), r[kMin]);
    TT_CHECK(max_value(x, &v) == Status::kOk);
    TT_CHECK_EQ(static_cast<double>(v), r[kMax]);
    TT_CHECK(ptp(x, &v) == Status::kOk);
    CHECK_REL(v, r[kPtp], 1e-7, 0.0);
    TT_CHECK_EQ(static_cast<double>(zero_crossings(x)), r[kZeroCrossings]);
    TT_CHECK(zero_crossing_rate(x, &v) == Status::kOk);
    TT_CHECK_NEAR(v, r[kZcr], 1e-7);
  }
}

TT_TEST(float_percentiles_match_numpy) {
  for (const FloatCase& c : kFloatCases) {
    const Span<const float> x(c.x, c.n);
    const double scale = max_abs(c.x, c.n);
    float v = 0.0f;
    g_fscratch[c.n] = 777.0f;  // canary right after the scratch the call may use
    TT_CHECK(median(x, Span<float>(g_fscratch, c.n), &v) == Status::kOk);
    TT_CHECK_NEAR(v, c.ref[kMedian], 1e-7 * scale);
    for (std::size_t k = 0; k < c.nq; ++k) {
      TT_CHECK(percentile(x, c.q[k], Span<float>(g_fscratch, c.n), &v) == Status::kOk);
      TT_CHECK_NEAR(v, c.pct[k], 1e-7 * scale);
    }
    float out[32];
    TT_CHECK(c.nq <= 32);
    TT_CHECK(percentiles(x, Span<const float>(c.q, c.nq), Span<float>(g_fscratch, c.n),
                         Span<float>(out, c.nq)) == Status::kOk);
    for (std::size_t k = 0; k < c.nq; ++k) TT_CHECK_NEAR(out[k], c.pct[k], 1e-7 * scale);
    TT_CHECK_EQ(g_fscratch[c.n], 777.0f);
    // q = 0 and q = 100 are exactly min and max.
    TT_CHECK(percentile(x, 0.0f, Span<float>(g_fscratch, c.n), &v) == Status::kOk);
    TT_CHECK_EQ(static_cast<double>(v), c.ref[kMin]);
    TT_CHECK(percentile(x, 100.0f, Span<float>(g_fscratch, c.n), &v) == Status::kOk);
    TT_CHECK_EQ(static_cast<double>(v), c.ref[kMax]);
  }
}

TT_TEST(percentile_in_place_scratch) {
  // scratch == x: no copy, x is reordered, the result is the same.
  const FloatCase& c = kFloatCases[2];
  std::memcpy(g_fscratch, c.x, c.n * sizeof(float));
  float v = 0.0f;
  TT_CHECK(median(Span<const float>(g_fscratch, c.n), Span<float>(g_fscratch, c.n), &v) ==
           Status::kOk);
  TT_CHECK_NEAR(v, c.ref[kMedian], 1e-7 * max_abs(c.x, c.n));
  const IntCase& ic = kIntCases[2];
  std::memcpy(g_iscratch, ic.x, ic.n * sizeof(std::int16_t));
  TT_CHECK(median(Span<const std::int16_t>(g_iscratch, ic.n), Span<std::int16_t>(g_iscratch, ic.n),
                  &v) == Status::kOk);
  TT_CHECK_EQ(static_cast<double>(v), ic.ref[kIMedian]);
}

TT_TEST(int16_stats_exact_or_within_an_ulp) {
  for (const IntCase& c : kIntCases) {
    const Span<const std::int16_t> x(c.x, c.n);
    const std::int64_t* e = c.exact;
    const double* r = c.ref;
    const double tol = tt::tol::kStatsInt16Rel;
    TT_CHECK_EQ(sum(x), e[kISum]);
    TT_CHECK_EQ(energy(x), static_cast<std::uint64_t>(e[kIEnergy]));
    std::int16_t i16 = 0;
    TT_CHECK(min_value(x, &i16) == Status::kOk);
    TT_CHECK_EQ(i16, e[kIMin]);
    TT_CHECK(max_value(x, &i16) == Status::kOk);
    TT_CHECK_EQ(i16, e[kIMax]);
    std::int32_t i32 = 0;
    TT_CHECK(ptp(x, &i32) == Status::kOk);
    TT_CHECK_EQ(i32, e[kIPtp]);
    TT_CHECK_EQ(static_cast<std::int64_t>(zero_crossings(x)), e[kIZc]);
    float v = 0.0f;
    TT_CHECK(mean(x, &v) == Status::kOk);
    CHECK_REL(v, r[kIMean], tol, 1e-30);
    TT_CHECK(variance(x, &v) == Status::kOk);
    CHECK_REL(v, r[kIVar0], tol, 1e-30);
    TT_CHECK(stddev(x, &v) == Status::kOk);
    CHECK_REL(v, r[kIStd0], tol, 1e-30);
    if (c.n > 1) {
      TT_CHECK(variance(x, &v, 1) == Status::kOk);
      CHECK_REL(v, r[kIVar1], tol, 1e-30);
      TT_CHECK(stddev(x, &v, 1) == Status::kOk);
      CHECK_REL(v, r[kIStd1], tol, 1e-30);
    }
    TT_CHECK(rms(x, &v) == Status::kOk);
    CHECK_REL(v, r[kIRms], tol, 1e-30);
    TT_CHECK(zero_crossing_rate(x, &v) == Status::kOk);
    TT_CHECK_NEAR(v, r[kIZcr], 1e-7);
    // Medians of int16 data are integers or halves: exact in float.
    TT_CHECK(median(x, Span<std::int16_t>(g_iscratch, c.n), &v) == Status::kOk);
    TT_CHECK_EQ(static_cast<double>(v), r[kIMedian]);
    g_iscratch[c.n] = 4242;
    for (std::size_t k = 0; k < c.nq; ++k) {
      TT_CHECK(percentile(x, c.q[k], Span<std::int16_t>(g_iscratch, c.n), &v) == Status::kOk);
      CHECK_REL(v, c.pct[k], tol, 1.0);
    }
    TT_CHECK_EQ(g_iscratch[c.n], 4242);
  }
}

TT_TEST(features_match_numpy) {
  for (const FloatCase& c : kFloatCases) {
    Features f{};
    TT_CHECK(features(Span<const float>(c.x, c.n), &f) == Status::kOk);
    const double* r = c.ref;
    const double tol = tt::tol::kStatsRel;
    CHECK_REL(f.mean, r[kMean], tol, r[kScaleMean]);
    CHECK_REL(f.stddev, r[kStd0], tol, 1e-30);
    TT_CHECK_EQ(static_cast<double>(f.min), r[kMin]);
    TT_CHECK_EQ(static_cast<double>(f.max), r[kMax]);
    CHECK_REL(f.rms, r[kRms], tol, 0.0);
    CHECK_REL(f.ptp, r[kPtp], 1e-7, 0.0);
    TT_CHECK_NEAR(f.zcr, r[kZcr], 1e-7);
    CHECK_REL(f.energy, r[kEnergy], tol, 0.0);
  }
  for (const IntCase& c : kIntCases) {
    Features f{};
    TT_CHECK(features(Span<const std::int16_t>(c.x, c.n), &f) == Status::kOk);
    const double tol = tt::tol::kStatsInt16Rel;
    CHECK_REL(f.mean, c.ref[kIMean], tol, 1e-30);
    CHECK_REL(f.stddev, c.ref[kIStd0], tol, 1e-30);
    TT_CHECK_EQ(static_cast<std::int64_t>(f.min), c.exact[kIMin]);
    TT_CHECK_EQ(static_cast<std::int64_t>(f.max), c.exact[kIMax]);
    TT_CHECK_EQ(static_cast<std::int64_t>(f.ptp), c.exact[kIPtp]);
    CHECK_REL(f.rms, c.ref[kIRms], tol, 1e-30);
    CHECK_REL(f.energy, static_cast<double>(c.exact[kIEnergy]), tol, 1e-30);
    TT_CHECK_NEAR(f.zcr, c.ref[kIZcr], 1e-7);
  }
}

TT_TEST(zero_crossing_definition) {
  // Zero and -0.0 count as positive.
  const float a[] = {0.0f, -1.0f, 0.0f, 1.0f, -0.0f, 2.0f, -3.0f};
  TT_CHECK_EQ(zero_crossings(Span<const float>(a)), std::size_t{3});
  float v = 0.0f;
  TT_CHECK(zero_crossing_rate(Span<const float>(a), &v) == Status::kOk);
  TT_CHECK_EQ(v, 0.5f);
  const std::int16_t alt[] = {1, -1, 1, -1, 1};
  TT_CHECK(zero_crossing_rate(Span<const std::int16_t>(alt), &v) == Status::kOk);
  TT_CHECK_EQ(v, 1.0f);
  const std::int16_t b[] = {0, -1, 0, -32768, 32767};
  TT_CHECK_EQ(zero_crossings(Span<const std::int16_t>(b)), std::size_t{4});
  TT_CHECK(zero_crossing_rate(Span<const std::int16_t>(b, 1), &v) == Status::kOk);
  TT_CHECK_EQ(v, 0.0f);
}

TT_TEST(analytic_cases) {
  // Constant signal: zero variance even with a large offset, exact mean.
  static float c[1000];
  for (float& v : c) v = 12345.5f;
  float v = -1.0f;
  TT_CHECK(variance(Span<const float>(c), &v) == Status::kOk);
  TT_CHECK_EQ(v, 0.0f);
  TT_CHECK(mean(Span<const float>(c), &v) == Status::kOk);
  TT_CHECK_EQ(v, 12345.5f);
  Features f{};
  TT_CHECK(features(Span<const float>(c), &f) == Status::kOk);
  TT_CHECK_EQ(f.stddev, 0.0f);
  TT_CHECK_EQ(f.mean, 12345.5f);
  // int16 extremes: energy of n * 2^30 is exact, the variance of {-32768, 32767} exact.
  const std::int16_t ext[] = {-32768, 32767};
  TT_CHECK(variance(Span<const std::int16_t>(ext), &v) == Status::kOk);
  TT_CHECK_EQ(v, 65535.0f * 65535.0f / 4.0f);
  TT_CHECK_EQ(energy(Span<const std::int16_t>(ext)), std::uint64_t{1073741824} + 1073676289u);
  TT_CHECK_EQ(sum(Span<const float>()), 0.0f);
  TT_CHECK_EQ(energy(Span<const std::int16_t>()), std::uint64_t{0});
  TT_CHECK_EQ(zero_crossings(Span<const float>()), std::size_t{0});
}

TT_TEST(nan_percentile_is_nan) {
  float x[5] = {1.0f, std::numeric_limits<float>::quiet_NaN(), 3.0f, -2.0f, 0.0f};
  float v = 0.0f;
  TT_CHECK(median(Span<const float>(x), Span<float>(g_fscratch, 5), &v) == Status::kOk);
  TT_CHECK(v != v);
  TT_CHECK(percentile(Span<const float>(x), 0.0f, Span<float>(x), &v) == Status::kOk);
  TT_CHECK(v != v);
}

TT_TEST(rejects_bad_input) {
  const Span<const float> ef;
  const Span<const std::int16_t> ei;
  float v = 123.0f;
  std::int16_t i16 = 5;
  std::int32_t i32 = 5;
  Features f{};
  TT_CHECK(mean(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(mean(ei, &v) == Status::kInvalidArgument);
  TT_CHECK(variance(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(variance(ei, &v) == Status::kInvalidArgument);
  TT_CHECK(stddev(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(stddev(ei, &v) == Status::kInvalidArgument);
  TT_CHECK(rms(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(rms(ei, &v) == Status::kInvalidArgument);
  TT_CHECK(min_value(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(min_value(ei, &i16) == Status::kInvalidArgument);
  TT_CHECK(max_value(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(max_value(ei, &i16) == Status::kInvalidArgument);
  TT_CHECK(ptp(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(ptp(ei, &i32) == Status::kInvalidArgument);
  TT_CHECK(zero_crossing_rate(ef, &v) == Status::kInvalidArgument);
  TT_CHECK(zero_crossing_rate(ei, &v) == Status::kInvalidArgument);
  TT_CHECK(features(ef, &f) == Status::kInvalidArgument);
  TT_CHECK(features(ei, &f) == Status::kInvalidArgument);
  TT_CHECK(median(ef, Span<float>(g_fscratch, 4), &v) == Status::kInvalidArgument);
  TT_CHECK(median(ei, Span<std::int16_t>(g_iscratch, 4), &v) == Status::kInvalidArgument);
  TT_CHECK_EQ(v, 123.0f);  // untouched on error
  TT_CHECK_EQ(i16, 5);
  TT_CHECK_EQ(i32, 5);

  // ddof >= n.
  const float x3[] = {1.0f, 2.0f, 4.0f};
  const std::int16_t i3[] = {1, 2, 4};
  TT_CHECK(variance(Span<const float>(x3), &v, 3) == Status::kInvalidArgument);
  TT_CHECK(variance(Span<const std::int16_t>(i3), &v, 3) == Status::kInvalidArgument);
  TT_CHECK(stddev(Span<const float>(x3), &v, 4) == Status::kInvalidArgument);
  TT_CHECK(variance(Span<const float>(x3), &v, 2) == Status::kOk);
  TT_CHECK_NEAR(v, 14.0 / 3.0, 1e-6);

  // Percentiles: q outside [0, 100] or NaN, short scratch, size mismatch.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const float q : {-0.001f, 100.001f, nan}) {
    TT_CHECK(percentile(Span<const float>(x3), q, Span<float>(g_fscratch, 3), &v) ==
             Status::kInvalidArgument);
    TT_CHECK(percentile(Span<const std::int16_t>(i3), q, Span<std::int16_t>(g_iscratch, 3), &v) ==
             Status::kInvalidArgument);
  }
  TT_CHECK(percentile(Span<const float>(x3), 50.0f, Span<float>(g_fscratch, 2), &v) ==
           Status::kNoMemory);
  TT_CHECK(median(Span<const std::int16_t>(i3), Span<std::int16_t>(g_iscratch, 2), &v) ==
           Status::kNoMemory);
  const float qs[] = {10.0f, 50.0f};
  float out[3] = {9.0f, 9.0f, 9.0f};
  TT_CHECK(percentiles(Span<const float>(x3), Span<const float>(qs), Span<float>(g_fscratch, 3),
                       Span<float>(out, 3)) == Status::kSizeMismatch);
  const float bad_qs[] = {10.0f, 150.0f};
  TT_CHECK(percentiles(Span<const float>(x3), Span<const float>(bad_qs),
                       Span<float>(g_fscratch, 3), Span<float>(out, 2)) ==
           Status::kInvalidArgument);
  TT_CHECK_EQ(out[0], 9.0f);  // nothing written on error
}

TT_TEST(int16_to_float_bit_exact) {
  const std::size_t n = g::cvt_i16_len;
  const Span<const std::int16_t> in(g::cvt_i16, n);
  g_fout[n] = 5.0f;
  int16_to_float(in, 1.0f / 32768.0f, Span<float>(g_fout, n));
  for (std::size_t i = 0; i < n; ++i) TT_CHECK_EQ(g_fout[i], g::cvt_i16_to_f_q15[i]);
  int16_to_float(in, 3.7f, Span<float>(g_fout, n));
  for (std::size_t i = 0; i < n; ++i) TT_CHECK_EQ(g_fout[i], g::cvt_i16_to_f_odd[i]);
  TT_CHECK_EQ(g_fout[n], 5.0f);
}

TT_TEST(float_to_int16_rounds_saturates_bit_exact) {
  const std::size_t n = g::cvt_f_len;
  const Span<const float> in(g::cvt_f, n);
  struct {
    float scale;
    const std::int16_t* ref;
  } cases[] = {{1.0f, g::cvt_f_to_i16_one}, {32768.0f, g::cvt_f_to_i16_q15},
               {0.001f, g::cvt_f_to_i16_tiny}};
  for (const auto& c : cases) {
    g_iout[n] = 999;
    float_to_int16(in, c.scale, Span<std::int16_t>(g_iout, n));
    int bad = 0;
    for (std::size_t i = 0; i < n; ++i) bad += g_iout[i] != c.ref[i];
    TT_CHECK_EQ(bad, 0);
    TT_CHECK_EQ(g_iout[n], 999);
  }
  // Ties to even, saturation, NaN -> 0, spelled out.
  const float x[] = {0.5f, 1.5f, 2.5f, -2.5f, 1e9f, -1e9f, std::numeric_limits<float>::quiet_NaN()};
  std::int16_t y[7];
  float_to_int16(Span<const float>(x), 1.0f, Span<std::int16_t>(y));
  const std::int16_t expect[] = {0, 2, 2, -2, 32767, -32768, 0};
  for (int i = 0; i < 7; ++i) TT_CHECK_EQ(y[i], expect[i]);
}

TT_TEST(conversion_in_place_round_trip) {
  // float -> int16 -> float round trip of Q15 values is exact.
  const std::size_t n = g::cvt_i16_len;
  int16_to_float(Span<const std::int16_t>(g::cvt_i16, n), 1.0f / 32768.0f, Span<float>(g_fout, n));
  float_to_int16(Span<const float>(g_fout, n), 32768.0f, Span<std::int16_t>(g_iout, n));
  int bad = 0;
  for (std::size_t i = 0; i < n; ++i) bad += g_iout[i] != g::cvt_i16[i];
  TT_CHECK_EQ(bad, 0);
}
