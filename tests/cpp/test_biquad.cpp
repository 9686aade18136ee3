// Biquad (float32 TDF-II) vs scipy.signal.sosfilt, BiquadQ15 (DF-I) bit-exact
// vs a python-int model of the documented arithmetic, sos_to_q15 vs its model
// (all from gen_biquad.py).
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "golden_biquad.hpp"
#include "tinysense/dsp/biquad.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;
namespace g = golden::biquad;

namespace {

constexpr std::size_t kMaxSections = 6;
constexpr std::size_t kMaxN = 4096;
constexpr std::size_t kCanary = 4;
constexpr float kCanaryF = -12345.0f;
constexpr q15_t kCanaryQ = 12345;

float g_in[kMaxN];
float g_out[kMaxN + kCanary];
float g_ref[kMaxN + kCanary];
q15_t g_qout[kMaxN + kCanary];
q15_t g_qref[kMaxN + kCanary];
float g_state[Biquad::state_len(kMaxSections)];
q15_t g_qstate[BiquadQ15::state_len(kMaxSections)];
q15_t g_sos16[kMaxSections * kSosRowLen];

struct FloatDesign {
  const char* name;
  const float* sos;
  std::size_t sos_len;
  const double* noise_out;
  const double* noise_zf;
  const double* impulse;
  std::size_t impulse_len;
};

#define FLOAT_DESIGN(n)                                                                \
  FloatDesign {                                                                        \
#n, g::n##_sos, g::n##_sos_len, g::n##_noise_out, g::n##_noise_zf, g::n##_impulse, \
        g::n##_impulse_len                                                             \
  }

const FloatDesign kFloatDesigns[] = {FLOAT_DESIGN(lp1), FLOAT_DESIGN(hp2), FLOAT_DESIGN(bp3),
                                     FLOAT_DESIGN(lp4), FLOAT_DESIGN(bs5), FLOAT_DESIGN(bp6),
                                     FLOAT_DESIGN(hp3)};

struct Q15Case {
  const char* name;
  const q15_t* sos16;
  std::size_t sos_len;
  int post_shift;
  const q15_t* full_out;
  const q15_t* square_out;
  const q15_t* mid_out;
};

#define Q15_CASE(n, shift)                                                                        \
  Q15Case {                                                                                       \
#n, g::n##_sos16, g::n##_sos16_len, shift, g::n##_full_out, g::n##_square_out, g::n##_mid_out \
  }

const Q15Case kQ15Cases[] = {
    Q15_CASE(qlp4, static_cast<int>(g::qlp4_post_shift)),
    Q15_CASE(qhp2, static_cast<int>(g::qhp2_post_shift)),
    Q15_CASE(qbp3, static_cast<int>(g::qbp3_post_shift)),
    Q15_CASE(qhot, static_cast<int>(g::qhot_post_shift)),
    Q15_CASE(qedge, 1),
    Q15_CASE(qedge7, 7),
};

// Deterministic chunk sizes (LCG), 0..max inclusive.
struct Lcg {
  std::uint32_t s;
  std::size_t next(std::size_t max) {
    s = s * 1664525u + 1013904223u;
    return static_cast<std::size_t>((s >> 8) % static_cast<std::uint32_t>(max + 1));
  }
};

Span<const float> fspan(const float* p, std::size_t n) { return Span<const float>(p, n); }
Span<const q15_t> qspan(const q15_t* p, std::size_t n) { return Span<const q15_t>(p, n); }

void fill_canary(float* p, std::size_t n) {
  for (std::size_t i = 0; i < kCanary; ++i) p[n + i] = kCanaryF;
}
bool canary_ok(const float* p, std::size_t n) {
  for (std::size_t i = 0; i < kCanary; ++i) {
    if (p[n + i] != kCanaryF) return false;
  }
  return true;
}
void fill_canary(q15_t* p, std::size_t n) {
  for (std::size_t i = 0; i < kCanary; ++i) p[n + i] = kCanaryQ;
}
bool canary_ok(const q15_t* p, std::size_t n) {
  for (std::size_t i = 0; i < kCanary; ++i) {
    if (p[n + i] != kCanaryQ) return false;
  }
  return true;
}

bool same_bits(const float* a, const float* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(float)) == 0;
}
bool same(const q15_t* a, const q15_t* b, std::size_t n) {
  return std::memcmp(a, b, n * sizeof(q15_t)) == 0;
}
std::size_t first_diff(const q15_t* a, const q15_t* b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return i;
  }
  return n;
}

// Runs x through a fresh filter in one call (into g_ref) and in random-size
// chunks (into g_out); the two must be bit-identical.
template <class Filter, class T, class Init>
bool chunked_matches(Init init, const T* x, std::size_t n, T* one, T* many, std::uint32_t seed,
                     std::size_t max_chunk) {
  Filter f;
  if (!ok(init(f))) return false;
  f.process(Span<const T>(x, n), Span<T>(one, n));
  if (!ok(init(f))) return false;
  Lcg lcg{seed};
  std::size_t done = 0;
  while (done < n) {
    std::size_t len = lcg.next(max_chunk);
    if (len > n - done) len = n - done;
    f.process(Span<const T>(x + done, len), Span<T>(many + done, len));
    done += len;
  }
  return std::memcmp(one, many, n * sizeof(T)) == 0;
}

// DC gain of the float32 sos, evaluated in double: prod (b0+b1+b2)/(a0+a1+a2).
double dc_gain(const float* sos, std::size_t sections) {
  double gain = 1.0;
  for (std::size_t s = 0; s < sections; ++s) {
    const float* r = sos + kSosRowLen * s;
    const double num = double{r[0]} + double{r[1]} + double{r[2]};
    const double den = double{r[3]} + double{r[4]} + double{r[5]};
    gain *= num / den;
  }
  return gain;
}

}  // namespace

// ---- float32 -----------------------------------------------------------------

TT_TEST(float_noise_matches_sosfilt) {
  const std::size_t n = g::noise_len;
  for (const FloatDesign& d : kFloatDesigns) {
    Biquad f;
    TT_CHECK(f.init(fspan(d.sos, d.sos_len), Span<float>(g_state)) == Status::kOk);
    const std::size_t sections = d.sos_len / kSosRowLen;
    TT_CHECK_EQ(f.sections(), sections);
    fill_canary(g_out, n);
    f.process(fspan(g::noise, n), Span<float>(g_out, n));
    const double err = tt::rel_rms_error(g_out, d.noise_out, n);
    if (!(err <= tt::tol::kBiquadRelRms)) std::printf("    design %s: rel rms %.3g\n", d.name, err);
    TT_CHECK_LE(err, tt::tol::kBiquadRelRms);
    TT_CHECK(canary_ok(g_out, n));
    // The state is scipy's zf (same layout as sosfilt's zi).
    for (std::size_t i = 0; i < 2 * sections; ++i) {
      const double scale = std::fabs(d.noise_zf[i]) + 1.0;
      TT_CHECK_NEAR(g_state[i], d.noise_zf[i], tt::tol::kBiquadStateRel * scale);
    }
  }
}

TT_TEST(float_impulse_matches_sosfilt) {
  for (const FloatDesign& d : kFloatDesigns) {
    BiquadN<kMaxSections> f;
    TT_CHECK(f.init(fspan(d.sos, d.sos_len)) == Status::kOk);
    const std::size_t n = d.impulse_len;
    for (std::size_t i = 0; i < n; ++i) g_in[i] = i == 0 ? 1.0f : 0.0f;
    f.process(fspan(g_in, n), Span<float>(g_out, n));
    TT_CHECK_LE(tt::rel_rms_error(g_out, d.impulse, n), tt::tol::kBiquadRelRms);
    TT_CHECK_NEAR(g_out[0], d.impulse[0], 1e-6 * (std::fabs(d.impulse[0]) + 1e-30));
  }
}

TT_TEST(float_chunking_invariance) {
  // Every design (1..6 sections: a single section and pairs, main and
  // remainder loops), chunks of 0..max samples, several max sizes.
  const std::size_t n = g::noise_len;
  const std::size_t max_chunks[] = {1, 4, 7, 64, 300};
  std::uint32_t seed = 1;
  for (const FloatDesign& d : kFloatDesigns) {
    for (std::size_t max_chunk : max_chunks) {
      const auto init = [&d](BiquadN<kMaxSections>& f) { return f.init(fspan(d.sos, d.sos_len)); };
      const bool same_out = chunked_matches<BiquadN<kMaxSections>>(init, g::noise, n, g_ref, g_out,
                                                                   seed++, max_chunk);
      if (!same_out)
        std::printf("    design %s, chunks <= %u\n", d.name, static_cast<unsigned>(max_chunk));
      TT_CHECK(same_out);
    }
  }
}

TT_TEST(float_in_place_equals_out_of_place) {
  const std::size_t n = g::noise_len;
  for (const FloatDesign& d : kFloatDesigns) {
    BiquadN<kMaxSections> f;
    TT_CHECK(f.init(fspan(d.sos, d.sos_len)) == Status::kOk);
    f.process(fspan(g::noise, n), Span<float>(g_ref, n));
    TT_CHECK(f.init(fspan(d.sos, d.sos_len)) == Status::kOk);
    std::memcpy(g_out, g::noise, n * sizeof(float));
    fill_canary(g_out, n);
    f.process(fspan(g_out, n), Span<float>(g_out, n));
    TT_CHECK(same_bits(g_out, g_ref, n));
    TT_CHECK(canary_ok(g_out, n));
  }
}

TT_TEST(float_reset_restarts) {
  const FloatDesign& d = kFloatDesigns[5];  // bp6
  const std::size_t n = g::noise_len;
  BiquadN<kMaxSections> f;
  TT_CHECK(f.init(fspan(d.sos, d.sos_len)) == Status::kOk);
  f.process(fspan(g::noise, n), Span<float>(g_ref, n));
  f.process(fspan(g::noise, 100), Span<float>(g_out, 100));  // dirty the state
  f.reset();
  f.process(fspan(g::noise, n), Span<float>(g_out, n));
  TT_CHECK(same_bits(g_out, g_ref, n));
}

TT_TEST(float_dc_gain) {
  // A step settles to the analytic DC gain of the (float32) coefficients.
  const FloatDesign* designs[] = {&kFloatDesigns[0], &kFloatDesigns[3], &kFloatDesigns[4]};
  const std::size_t n = 4000;
  for (std::size_t i = 0; i < n; ++i) g_in[i] = 1.0f;
  for (const FloatDesign* d : designs) {
    BiquadN<kMaxSections> f;
    TT_CHECK(f.init(fspan(d->sos, d->sos_len)) == Status::kOk);
    f.process(fspan(g_in, n), Span<float>(g_out, n));
    const double expect = dc_gain(d->sos, d->sos_len / kSosRowLen);
    TT_CHECK_NEAR(g_out[n - 1], expect, tt::tol::kBiquadGainRel * std::fabs(expect));
  }
  // Highpass: DC is blocked.
  BiquadN<kMaxSections> hp;
  TT_CHECK(hp.init(fspan(g::hp2_sos, g::hp2_sos_len)) == Status::kOk);
  hp.process(fspan(g_in, n), Span<float>(g_out, n));
  TT_CHECK_NEAR(g_out[n - 1], 0.0, 1e-5);
}

namespace {
// Steady-state amplitude of a unit sine of the given period through the
// filter: projection of the last `periods` whole periods on sin and cos.
double tone_gain(const float* sos, std::size_t sos_len, long long period_ll) {
  const auto period = static_cast<std::size_t>(period_ll);
  const std::size_t settle = 3000;
  const std::size_t measure = (1000 / period) * period;
  const std::size_t n = settle + measure;
  const double w = 6.283185307179586 / static_cast<double>(period);
  for (std::size_t i = 0; i < n; ++i)
    g_in[i] = static_cast<float>(std::sin(w * static_cast<double>(i)));
  BiquadN<kMaxSections> f;
  if (!ok(f.init(fspan(sos, sos_len)))) return -1.0;
  f.process(fspan(g_in, n), Span<float>(g_out, n));
  double s = 0.0, c = 0.0;
  for (std::size_t i = settle; i < n; ++i) {
    s += double{g_out[i]} * std::sin(w * static_cast<double>(i));
    c += double{g_out[i]} * std::cos(w * static_cast<double>(i));
  }
  return 2.0 * std::sqrt(s * s + c * c) / static_cast<double>(measure);
}
}  // namespace

TT_TEST(float_tone_gain_matches_freqz) {
  TT_CHECK_NEAR(tone_gain(g::lp1_sos, g::lp1_sos_len, g::lp1_tone_period), g::lp1_tone_gain,
                tt::tol::kBiquadGainRel * g::lp1_tone_gain);
  TT_CHECK_NEAR(tone_gain(g::hp2_sos, g::hp2_sos_len, g::hp2_tone_period), g::hp2_tone_gain,
                tt::tol::kBiquadGainRel * g::hp2_tone_gain);
  TT_CHECK_NEAR(tone_gain(g::bp3_sos, g::bp3_sos_len, g::bp3_tone_period), g::bp3_tone_gain,
                tt::tol::kBiquadGainRel * g::bp3_tone_gain);
  TT_CHECK_NEAR(tone_gain(g::lp4_sos, g::lp4_sos_len, g::lp4_tone_period), g::lp4_tone_gain,
                tt::tol::kBiquadGainRel * g::lp4_tone_gain);
}

TT_TEST(float_identity_and_empty) {
  // b = [1 0 0], a = [1 0 0]: output == input bit for bit; n = 0 is a no-op.
  const float sos[12] = {1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
  BiquadN<2> f;
  TT_CHECK(f.init(Span<const float>(sos)) == Status::kOk);
  fill_canary(g_out, 0);
  f.process(Span<const float>(), Span<float>(g_out, 0));
  TT_CHECK(canary_ok(g_out, 0));
  f.process(fspan(g::noise, 37), Span<float>(g_out, 37));
  TT_CHECK(same_bits(g_out, g::noise, 37));
}

TT_TEST(float_init_rejects) {
  float state[Biquad::state_len(3)];
  Biquad f;
  float sos[18];
  const auto reset_sos = [&sos] { std::memcpy(sos, g::bp3_sos, sizeof sos); };
  reset_sos();
  TT_CHECK(f.init(Span<const float>(sos), Span<float>(state)) == Status::kOk);
  TT_CHECK_EQ(f.sections(), std::size_t{3});
  // Sizes.
  TT_CHECK(f.init(Span<const float>(), Span<float>(state)) == Status::kSizeMismatch);
  TT_CHECK_EQ(f.sections(), std::size_t{0});  // a failed init leaves the filter empty
  TT_CHECK(f.init(Span<const float>(sos, 7), Span<float>(state)) == Status::kSizeMismatch);
  TT_CHECK(f.init(Span<const float>(sos, 5), Span<float>(state)) == Status::kSizeMismatch);
  TT_CHECK(f.init(Span<const float>(sos, 17), Span<float>(state)) == Status::kSizeMismatch);
  // a0 != 1 in any section.
  for (std::size_t s = 0; s < 3; ++s) {
    reset_sos();
    sos[6 * s + 3] = 2.0f;
    TT_CHECK(f.init(Span<const float>(sos), Span<float>(state)) == Status::kInvalidArgument);
    sos[6 * s + 3] = 0.0f;
    TT_CHECK(f.init(Span<const float>(sos), Span<float>(state)) == Status::kInvalidArgument);
    sos[6 * s + 3] = 1.0000001f;
    TT_CHECK(f.init(Span<const float>(sos), Span<float>(state)) == Status::kInvalidArgument);
  }
  // Non-finite coefficient anywhere.
  const float bad[] = {std::numeric_limits<float>::quiet_NaN(),
                       std::numeric_limits<float>::infinity(),
                       -std::numeric_limits<float>::infinity()};
  for (float v : bad) {
    for (std::size_t i = 0; i < 18; ++i) {
      reset_sos();
      sos[i] = v;
      TT_CHECK(f.init(Span<const float>(sos), Span<float>(state)) == Status::kInvalidArgument);
    }
  }
  // Short state.
  reset_sos();
  TT_CHECK(f.init(Span<const float>(sos), Span<float>(state, Biquad::state_len(3) - 1)) ==
           Status::kNoMemory);
  TT_CHECK(f.init(Span<const float>(sos), Span<float>()) == Status::kNoMemory);
  BiquadN<2> small;
  TT_CHECK(small.init(Span<const float>(sos)) == Status::kNoMemory);
  TT_CHECK(small.init(Span<const float>(sos, 12)) == Status::kOk);
  // An empty filter (after a failed init) copies in to out.
  TT_CHECK(f.init(Span<const float>(), Span<float>(state)) == Status::kSizeMismatch);
  fill_canary(g_out, 10);
  f.process(fspan(g::noise, 10), Span<float>(g_out, 10));
  TT_CHECK(same_bits(g_out, g::noise, 10));
  TT_CHECK(canary_ok(g_out, 10));
}

TT_TEST(float_init_zeroes_state) {
  float state[Biquad::state_len(2)] = {1, 2, 3, 4};
  Biquad f;
  TT_CHECK(f.init(fspan(g::hp2_sos, g::hp2_sos_len), Span<float>(state)) == Status::kOk);
  for (float v : state) TT_CHECK_EQ(v, 0.0f);
}

// ---- Q15 -------------------------------------------------------------------------

TT_TEST(sos_to_q15_matches_model) {
  struct Conv {
    const float* sos;
    std::size_t len;
    const q15_t* sos16;
    long long shift;
  };
  const Conv convs[] = {{g::qlp4_sos, g::qlp4_sos_len, g::qlp4_sos16, g::qlp4_post_shift},
                        {g::qhp2_sos, g::qhp2_sos_len, g::qhp2_sos16, g::qhp2_post_shift},
                        {g::qbp3_sos, g::qbp3_sos_len, g::qbp3_sos16, g::qbp3_post_shift},
                        {g::qhot_sos, g::qhot_sos_len, g::qhot_sos16, g::qhot_post_shift}};
  for (const Conv& c : convs) {
    int shift = -1;
    TT_CHECK(sos_to_q15(fspan(c.sos, c.len), Span<q15_t>(g_sos16, c.len), &shift) == Status::kOk);
    TT_CHECK_EQ(shift, static_cast<int>(c.shift));
    TT_CHECK(same(g_sos16, c.sos16, c.len));
  }
}

TT_TEST(sos_to_q15_edges) {
  int shift = -1;
  q15_t out[6];
  // Exactly representable values and the int16 limits.
  const float a[6] = {-2.0f, 1.99993896484375f, 0.5f, 1.0f, -1.5f, 0.25f};  // 1.99994 = 32767/16384
  TT_CHECK(sos_to_q15(Span<const float>(a), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK_EQ(shift, 1);
  TT_CHECK_EQ(out[0], -32768);
  TT_CHECK_EQ(out[1], 32767);
  TT_CHECK_EQ(out[2], 8192);
  TT_CHECK_EQ(out[3], 16384);
  TT_CHECK_EQ(out[4], -24576);
  TT_CHECK_EQ(out[5], 4096);
  // 2.0 does not fit Q14: post_shift 2.
  const float b[6] = {2.0f, 0, 0, 1.0f, 0, 0};
  TT_CHECK(sos_to_q15(Span<const float>(b), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK_EQ(shift, 2);
  TT_CHECK_EQ(out[0], 16384);
  TT_CHECK_EQ(out[3], 8192);
  // Rounds to nearest, ties away from zero: 2^-15 * 2^14 = 0.5 -> 1, -0.5 -> -1;
  // just below a half rounds down.
  const float c[6] = {0x1p-15f, -0x1p-15f, 0x1.fffffep-16f, 1.0f, 0, 0};
  TT_CHECK(sos_to_q15(Span<const float>(c), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK_EQ(shift, 1);
  TT_CHECK_EQ(out[0], 1);
  TT_CHECK_EQ(out[1], -1);
  TT_CHECK_EQ(out[2], 0);
  // A value that rounds up to 32768 does not fit: next shift.
  const float d[6] = {1.99998f, 0, 0, 1.0f, 0, 0};
  TT_CHECK(sos_to_q15(Span<const float>(d), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK_EQ(shift, 2);
  // Range limits at post_shift 7: -128 fits, 128 does not.
  const float e[6] = {-128.0f, 127.99f, 0, 1.0f, 0, 0};
  TT_CHECK(sos_to_q15(Span<const float>(e), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK_EQ(shift, 7);
  TT_CHECK_EQ(out[0], -32768);
  TT_CHECK_EQ(out[3], 256);
  const float f[6] = {128.0f, 0, 0, 1.0f, 0, 0};
  shift = -1;
  out[0] = 7;
  TT_CHECK(sos_to_q15(Span<const float>(f), Span<q15_t>(out), &shift) == Status::kOutOfRange);
  TT_CHECK_EQ(shift, -1);  // untouched on failure
  TT_CHECK_EQ(out[0], 7);
  const float huge[6] = {1e30f, 0, 0, 1.0f, 0, 0};
  TT_CHECK(sos_to_q15(Span<const float>(huge), Span<q15_t>(out), &shift) == Status::kOutOfRange);
}

TT_TEST(sos_to_q15_rejects) {
  int shift = 0;
  q15_t out[12];
  float sos[12];
  std::memcpy(sos, g::qhp2_sos, sizeof sos);
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out), &shift) == Status::kOk);
  TT_CHECK(sos_to_q15(Span<const float>(), Span<q15_t>(), &shift) == Status::kSizeMismatch);
  TT_CHECK(sos_to_q15(Span<const float>(sos, 7), Span<q15_t>(out, 7), &shift) ==
           Status::kSizeMismatch);
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out, 11), &shift) ==
           Status::kSizeMismatch);
  TT_CHECK(sos_to_q15(Span<const float>(sos, 6), Span<q15_t>(out), &shift) ==
           Status::kSizeMismatch);
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out), nullptr) ==
           Status::kInvalidArgument);
  sos[9] = 0.5f;  // a0 of section 2
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out), &shift) ==
           Status::kInvalidArgument);
  std::memcpy(sos, g::qhp2_sos, sizeof sos);
  sos[4] = std::numeric_limits<float>::quiet_NaN();
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out), &shift) ==
           Status::kInvalidArgument);
  sos[4] = std::numeric_limits<float>::infinity();
  TT_CHECK(sos_to_q15(Span<const float>(sos), Span<q15_t>(out), &shift) ==
           Status::kInvalidArgument);
}

TT_TEST(q15_bit_exact_vs_model) {
  struct Input {
    const char* name;
    const q15_t* x;
  };
  const Input inputs[] = {{"full", g::q_in_full}, {"square", g::q_in_square}, {"mid", g::q_in_mid}};
  const std::size_t n = g::q_in_full_len;
  for (const Q15Case& c : kQ15Cases) {
    const q15_t* refs[] = {c.full_out, c.square_out, c.mid_out};
    for (std::size_t k = 0; k < 3; ++k) {
      BiquadQ15 f;
      TT_CHECK(f.init(qspan(c.sos16, c.sos_len), c.post_shift, Span<q15_t>(g_qstate)) ==
               Status::kOk);
      TT_CHECK_EQ(f.post_shift(), c.post_shift);
      fill_canary(g_qout, n);
      f.process(qspan(inputs[k].x, n), Span<q15_t>(g_qout, n));
      const std::size_t d = first_diff(g_qout, refs[k], n);
      if (d != n) {
        std::printf("    %s/%s: first difference at %u: %d vs %d\n", c.name, inputs[k].name,
                    static_cast<unsigned>(d), g_qout[d], refs[k][d]);
      }
      TT_CHECK_EQ(d, n);
      TT_CHECK(canary_ok(g_qout, n));
    }
  }
}

TT_TEST(q15_chunking_invariance_and_in_place) {
  const std::size_t n = g::q_in_full_len;
  const std::size_t max_chunks[] = {1, 3, 5, 64, 333};
  std::uint32_t seed = 77;
  for (const Q15Case& c : kQ15Cases) {
    for (std::size_t max_chunk : max_chunks) {
      const auto init = [&c](BiquadQ15N<kMaxSections>& f) {
        return f.init(qspan(c.sos16, c.sos_len), c.post_shift);
      };
      TT_CHECK((chunked_matches<BiquadQ15N<kMaxSections>>(init, g::q_in_full, n, g_qref, g_qout,
                                                          seed++, max_chunk)));
    }
    // In place, also in chunks (first section in place too).
    BiquadQ15N<kMaxSections> f;
    TT_CHECK(f.init(qspan(c.sos16, c.sos_len), c.post_shift) == Status::kOk);
    std::memcpy(g_qout, g::q_in_full, n * sizeof(q15_t));
    fill_canary(g_qout, n);
    f.process(qspan(g_qout, 501), Span<q15_t>(g_qout, 501));
    f.process(qspan(g_qout + 501, n - 501), Span<q15_t>(g_qout + 501, n - 501));
    TT_CHECK(same(g_qout, c.full_out, n));
    TT_CHECK(canary_ok(g_qout, n));
  }
}

TT_TEST(q15_reset_and_state) {
  const Q15Case& c = kQ15Cases[1];  // qhp2
  const std::size_t n = g::q_in_mid_len;
  q15_t state[BiquadQ15::state_len(2)];
  BiquadQ15 f;
  TT_CHECK(f.init(qspan(c.sos16, c.sos_len), c.post_shift, Span<q15_t>(state)) == Status::kOk);
  f.process(qspan(g::q_in_mid, n), Span<q15_t>(g_qout, n));
  // State layout: x[n-1], x[n-2], y[n-1], y[n-2] of each section; the last
  // section's y history is the output's tail.
  TT_CHECK_EQ(state[4 + 2], g_qout[n - 1]);
  TT_CHECK_EQ(state[4 + 3], g_qout[n - 2]);
  TT_CHECK_EQ(state[0], g::q_in_mid[n - 1]);
  TT_CHECK_EQ(state[1], g::q_in_mid[n - 2]);
  f.reset();
  for (q15_t v : state) TT_CHECK_EQ(v, 0);
  f.process(qspan(g::q_in_mid, n), Span<q15_t>(g_qout, n));
  TT_CHECK(same(g_qout, c.mid_out, n));
}

TT_TEST(q15_close_to_float) {
  // A normal filter on a normal signal: Q15 output vs the float64 response of
  // the unquantised float sos.
  BiquadQ15N<4> f;
  TT_CHECK(f.init(qspan(g::qlp4_sos16, g::qlp4_sos16_len), static_cast<int>(g::qlp4_post_shift)) ==
           Status::kOk);
  const std::size_t n = g::q_in_mid_len;
  f.process(qspan(g::q_in_mid, n), Span<q15_t>(g_qout, n));
  for (std::size_t i = 0; i < n; ++i) g_out[i] = static_cast<float>(g_qout[i]) / 32768.0f;
  const double snr = tt::snr_db(g_out, g::qlp4_mid_float_ref, n);
  TT_CHECK_GE(snr, tt::tol::kBiquadQ15SnrDb);
  TT_CHECK_NEAR(snr, g::qlp4_mid_snr_db, 0.01);  // the same number as the int model's
}

TT_TEST(q15_init_rejects) {
  q15_t state[BiquadQ15::state_len(2)];
  q15_t sos[12];
  std::memcpy(sos, g::qhp2_sos16, sizeof sos);
  BiquadQ15 f;
  TT_CHECK(f.init(Span<const q15_t>(sos), 1, Span<q15_t>(state)) == Status::kOk);
  TT_CHECK_EQ(f.sections(), std::size_t{2});
  TT_CHECK(f.init(Span<const q15_t>(), 1, Span<q15_t>(state)) == Status::kSizeMismatch);
  TT_CHECK_EQ(f.sections(), std::size_t{0});
  TT_CHECK(f.init(Span<const q15_t>(sos, 5), 1, Span<q15_t>(state)) == Status::kSizeMismatch);
  TT_CHECK(f.init(Span<const q15_t>(sos, 11), 1, Span<q15_t>(state)) == Status::kSizeMismatch);
  // post_shift outside [1, 7] (0 cannot hold a0 = 1.0 in int16).
  const int bad_shifts[] = {-1, 0, 8, 15, 16, 100};
  for (int s : bad_shifts) {
    TT_CHECK(f.init(Span<const q15_t>(sos), s, Span<q15_t>(state)) == Status::kInvalidArgument);
  }
  // a0 must be 1.0 in the chosen format.
  TT_CHECK(f.init(Span<const q15_t>(sos), 2, Span<q15_t>(state)) == Status::kInvalidArgument);
  sos[9] = 16383;
  TT_CHECK(f.init(Span<const q15_t>(sos), 1, Span<q15_t>(state)) == Status::kInvalidArgument);
  sos[9] = -16384;
  TT_CHECK(f.init(Span<const q15_t>(sos), 1, Span<q15_t>(state)) == Status::kInvalidArgument);
  std::memcpy(sos, g::qhp2_sos16, sizeof sos);
  // Short state.
  TT_CHECK(f.init(Span<const q15_t>(sos), 1, Span<q15_t>(state, 7)) == Status::kNoMemory);
  BiquadQ15N<1> small;
  TT_CHECK(small.init(Span<const q15_t>(sos), 1) == Status::kNoMemory);
  TT_CHECK(small.init(Span<const q15_t>(sos, 6), 1) == Status::kOk);
  // Empty filter copies.
  TT_CHECK(f.init(Span<const q15_t>(), 1, Span<q15_t>(state)) == Status::kSizeMismatch);
  f.process(qspan(g::q_in_mid, 9), Span<q15_t>(g_qout, 9));
  TT_CHECK(same(g_qout, g::q_in_mid, 9));
  // Every legal post_shift works with a0 = 2^(15 - post_shift).
  for (int s = BiquadQ15::kMinPostShift; s <= BiquadQ15::kMaxPostShift; ++s) {
    const q15_t row[6] = {1, 0, 0, static_cast<q15_t>(1 << (15 - s)), 0, 0};
    TT_CHECK(f.init(Span<const q15_t>(row), s, Span<q15_t>(state)) == Status::kOk);
  }
}

TT_TEST(q15_identity_rounding) {
  // b0 = 1.0, everything else 0: the output equals the input exactly at
  // every post_shift (the rounding constant must not bias an exact value).
  q15_t state[BiquadQ15::state_len(1)];
  const std::size_t n = g::q_in_full_len;
  for (int s = BiquadQ15::kMinPostShift; s <= BiquadQ15::kMaxPostShift; ++s) {
    const auto one = static_cast<q15_t>(1 << (15 - s));
    const q15_t row[6] = {one, 0, 0, one, 0, 0};
    BiquadQ15 f;
    TT_CHECK(f.init(Span<const q15_t>(row), s, Span<q15_t>(state)) == Status::kOk);
    f.process(qspan(g::q_in_full, n), Span<q15_t>(g_qout, n));
    TT_CHECK(same(g_qout, g::q_in_full, n));
  }
  // b0 = 0.5 at post_shift 1: y = (x + 1) >> 1 (round half up): -3 -> -1, -1 -> 0, 1 -> 1, 3 -> 2.
  const q15_t half[6] = {8192, 0, 0, 16384, 0, 0};
  BiquadQ15 f;
  TT_CHECK(f.init(Span<const q15_t>(half), 1, Span<q15_t>(state)) == Status::kOk);
  const q15_t x[6] = {-3, -1, 1, 3, -32768, 32767};
  q15_t y[6];
  f.process(Span<const q15_t>(x), Span<q15_t>(y));
  TT_CHECK_EQ(y[0], -1);
  TT_CHECK_EQ(y[1], 0);
  TT_CHECK_EQ(y[2], 1);
  TT_CHECK_EQ(y[3], 2);
  TT_CHECK_EQ(y[4], -16384);
  TT_CHECK_EQ(y[5], 16384);
}
