// A/C weighting: the response of the float32 coefficients the firmware runs vs
// the IEC 61672-1 analog formula (numpy), filtering vs scipy.signal.sosfilt.
#include <cmath>
#include <cstdio>

#include "golden_weighting.hpp"
#include "tinysense/dsp/weighting.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;
namespace g = golden::weighting;

namespace {

struct RateCase {
  float rate;
  const double* freq;
  const double* analog_a;
  const double* analog_c;
  const float* sos_a;
  std::size_t sos_a_len;
  const float* sos_c;
  std::size_t sos_c_len;
  const double* filt_a;
  const double* filt_c;
};

#define RATE_CASE(fs)                                                                        \
  RateCase {                                                                                 \
    static_cast<float>(fs), g::freq_##fs, g::analog_A_##fs, g::analog_C_##fs, g::sos_A_##fs, \
        g::sos_A_##fs##_len, g::sos_C_##fs, g::sos_C_##fs##_len, g::sosfilt_A_##fs,          \
        g::sosfilt_C_##fs                                                                    \
  }

const RateCase kRates[] = {RATE_CASE(16000), RATE_CASE(22050), RATE_CASE(32000),
                           RATE_CASE(44100), RATE_CASE(48000), RATE_CASE(96000)};

constexpr std::size_t kGrid = static_cast<std::size_t>(g::grid_points);
constexpr std::size_t kNoise = g::noise_len;
constexpr double kTwoPi = 6.283185307179586476925286766559;

// |H(e^{j 2 pi f / fs})| in dB of an sos cascade, evaluated in double from
// the float32 coefficients (the rounding the firmware sees, nothing else).
double response_db(Span<const float> sos, double f, double fs) {
  const double w = kTwoPi * f / fs;
  const double c1 = std::cos(w), s1 = -std::sin(w);          // z^-1
  const double c2 = std::cos(2.0 * w), s2 = -std::sin(2.0 * w);  // z^-2
  double mag2 = 1.0;
  for (std::size_t i = 0; i + kSosRowLen <= sos.size(); i += kSosRowLen) {
    const double b0 = sos[i], b1 = sos[i + 1], b2 = sos[i + 2];
    const double a0 = sos[i + 3], a1 = sos[i + 4], a2 = sos[i + 5];
    const double nr = b0 + b1 * c1 + b2 * c2, ni = b1 * s1 + b2 * s2;
    const double dr = a0 + a1 * c1 + a2 * c2, di = a1 * s1 + a2 * s2;
    mag2 *= (nr * nr + ni * ni) / (dr * dr + di * di);
  }
  return 10.0 * std::log10(mag2);
}

// Max |digital - analog| over the golden grid of one rate.
double max_error_db(Span<const float> sos, const RateCase& rc, const double* analog) {
  double worst = 0.0;
  for (std::size_t i = 0; i < kGrid; ++i) {
    const double e = std::fabs(response_db(sos, rc.freq[i], rc.rate) - analog[i]);
    if (!(e <= worst)) worst = e;
  }
  return worst;
}

void check_rate(WeightingType type, const RateCase& rc) {
  const bool is_a = type == WeightingType::kA;
  const char kind = is_a ? 'A' : 'C';
  const float* golden_sos = is_a ? rc.sos_a : rc.sos_c;
  const std::size_t golden_len = is_a ? rc.sos_a_len : rc.sos_c_len;
  WeightingN w;
  TT_CHECK(w.init(type, rc.rate) == Status::kOk);
  const Span<const float> sos = w.sos();
  TT_CHECK_EQ(sos.size(), Weighting::state_len(type) / 2 * kSosRowLen);
  TT_CHECK(builtin_weighting_sos(type, rc.rate).data() == sos.data());
  // The golden data must come from the table the library was built with.
  TT_CHECK_EQ(sos.size(), golden_len);
  bool same = sos.size() == golden_len;
  for (std::size_t i = 0; same && i < golden_len; ++i) same = sos[i] == golden_sos[i];
  if (!same) {
    std::printf("    golden_weighting.hpp is stale: delete it from the build tree to regenerate\n");
  }
  TT_CHECK(same);

  const double err = max_error_db(sos, rc, is_a ? rc.analog_a : rc.analog_c);
  std::printf("    %c-weighting %6.0f Hz: %zu sections, max |error| %.4f dB\n", kind,
              static_cast<double>(rc.rate), w.sections(), err);
  TT_CHECK_LE(err, tt::tol::kWeightingDb);
  // 0 dB at 1 kHz by construction.
  TT_CHECK_NEAR(response_db(sos, 1000.0, rc.rate), 0.0, 1e-3);
}

// Filters golden noise in one call, then in uneven chunks, and in place.
void check_filtering(WeightingType type, const RateCase& rc) {
  const double* ref = type == WeightingType::kA ? rc.filt_a : rc.filt_c;
  static float out[kNoise + 1];
  static float chunked[kNoise];
  WeightingN w;
  TT_CHECK(w.init(type, rc.rate) == Status::kOk);
  out[kNoise] = 12345.0f;  // canary
  w.process(Span<const float>(g::noise, kNoise), Span<float>(out, kNoise));
  TT_CHECK_EQ(out[kNoise], 12345.0f);
  TT_CHECK_LE(tt::rel_rms_error(out, ref, kNoise), tt::tol::kBiquadRelRms);

  w.reset();
  for (std::size_t i = 0; i < kNoise; ++i) chunked[i] = g::noise[i];
  const std::size_t steps[] = {1, 7, 64, 3, 200, 13, 0, 511};
  std::size_t pos = 0, k = 0;
  while (pos < kNoise) {
    std::size_t n = steps[k++ % 8];
    if (n > kNoise - pos) n = kNoise - pos;
    w.process(Span<const float>(chunked + pos, n), Span<float>(chunked + pos, n));  // in place
    pos += n;
  }
  TT_CHECK_LE(tt::max_abs_error(chunked, out, kNoise), 0.0);
}

}  // namespace

TT_TEST(a_weighting_response_within_tolerance_at_every_builtin_rate) {
  for (const RateCase& rc : kRates) check_rate(WeightingType::kA, rc);
}

TT_TEST(c_weighting_response_within_tolerance_at_every_builtin_rate) {
  for (const RateCase& rc : kRates) check_rate(WeightingType::kC, rc);
}

TT_TEST(filtering_matches_sosfilt_chunked_and_in_place) {
  for (const RateCase& rc : kRates) {
    check_filtering(WeightingType::kA, rc);
    check_filtering(WeightingType::kC, rc);
  }
}

// A 1 kHz sine through the A filter keeps its amplitude (0 dB at 1 kHz) once
// the 20 Hz poles have settled; a 100 Hz sine comes out at A(100 Hz) = -19.14 dB.
TT_TEST(sine_steady_state_gain) {
  const float fs = 48000.0f;
  WeightingN w;
  TT_CHECK(w.init(WeightingType::kA, fs) == Status::kOk);
  static float buf[24000];
  const double freqs[] = {1000.0, 100.0};
  const double expected_db[] = {0.0, -19.1428};  // analog formula; the filter is within 0.005 dB
  for (int t = 0; t < 2; ++t) {
    w.reset();
    for (std::size_t i = 0; i < 24000; ++i) {
      const double phase = kTwoPi * freqs[t] * static_cast<double>(i) / 48000.0;
      buf[i] = static_cast<float>(0.5 * std::sin(phase));
    }
    w.process(Span<const float>(buf), Span<float>(buf));
    // RMS over the last 0.25 s (a whole number of periods of both tones).
    double acc = 0.0;
    for (std::size_t i = 12000; i < 24000; ++i) acc += static_cast<double>(buf[i]) * buf[i];
    const double gain_db = 10.0 * std::log10(acc / 12000.0 / 0.125);
    TT_CHECK_NEAR(gain_db, expected_db[t], 0.01);
  }
}

TT_TEST(custom_sos_init_uses_given_coefficients) {
  // A copy of the built-in 48 kHz A-weighting, as a user would paste from the design tool.
  const Span<const float> builtin = builtin_weighting_sos(WeightingType::kA, 48000.0f);
  TT_CHECK_EQ(builtin.size(), kWeightingSectionsA * kSosRowLen);
  float sos[kWeightingSectionsA * kSosRowLen];
  for (std::size_t i = 0; i < builtin.size(); ++i) sos[i] = builtin[i];
  float state[Biquad::state_len(kWeightingSectionsA)];
  Weighting w;
  TT_CHECK(w.init(Span<const float>(sos), Span<float>(state)) == Status::kOk);
  TT_CHECK(w.sos().data() == sos);
  TT_CHECK_EQ(w.sections(), kWeightingSectionsA);
  static float out[kNoise];
  w.process(Span<const float>(g::noise, kNoise), Span<float>(out, kNoise));
  TT_CHECK_LE(tt::rel_rms_error(out, g::sosfilt_A_48000, kNoise), tt::tol::kBiquadRelRms);
}

TT_TEST(z_weighting_is_identity) {
  Weighting w;
  TT_CHECK(w.init(WeightingType::kZ, 12345.0f, Span<float>()) == Status::kOk);
  TT_CHECK_EQ(w.sections(), 0u);
  TT_CHECK(w.sos().empty());
  TT_CHECK_EQ(Weighting::state_len(WeightingType::kZ), 0u);
  float in[5] = {1.0f, -2.0f, 0.5f, 0.0f, 3.0f};
  float out[6] = {0, 0, 0, 0, 0, 99.0f};
  w.process(Span<const float>(in), Span<float>(out, 5));
  for (int i = 0; i < 5; ++i) TT_CHECK_EQ(out[i], in[i]);
  TT_CHECK_EQ(out[5], 99.0f);
  w.process(Span<const float>(in), Span<float>(in));  // in place
  TT_CHECK_EQ(in[1], -2.0f);
}

TT_TEST(builtin_rate_matching) {
  TT_CHECK(!builtin_weighting_sos(WeightingType::kA, 48000.0f).empty());
  TT_CHECK(!builtin_weighting_sos(WeightingType::kC, 44100.0f).empty());
  TT_CHECK(!builtin_weighting_sos(WeightingType::kA, 48004.0f).empty());  // within 0.01 %
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, 48010.0f).empty());
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, 24000.0f).empty());
  TT_CHECK(builtin_weighting_sos(WeightingType::kZ, 48000.0f).empty());
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, 0.0f).empty());
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, std::nanf("")).empty());
  // A and C differ, and each rate has its own coefficients.
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, 48000.0f).data() !=
           builtin_weighting_sos(WeightingType::kC, 48000.0f).data());
  TT_CHECK(builtin_weighting_sos(WeightingType::kA, 48000.0f).data() !=
           builtin_weighting_sos(WeightingType::kA, 44100.0f).data());
}

TT_TEST(init_rejects_bad_config) {
  float state[Weighting::kMaxStateLen];
  Weighting w;
  const Span<float> st(state);
  // Rates: not positive / not finite, or not built in.
  TT_CHECK(w.init(WeightingType::kA, 0.0f, st) == Status::kInvalidArgument);
  TT_CHECK(w.init(WeightingType::kA, -48000.0f, st) == Status::kInvalidArgument);
  TT_CHECK(w.init(WeightingType::kC, std::nanf(""), st) == Status::kInvalidArgument);
  TT_CHECK(w.init(WeightingType::kA, HUGE_VALF, st) == Status::kInvalidArgument);
  TT_CHECK(w.init(WeightingType::kZ, 0.0f, st) == Status::kInvalidArgument);
  TT_CHECK(w.init(WeightingType::kA, 24000.0f, st) == Status::kNotSupported);
  TT_CHECK(w.init(WeightingType::kC, 8000.0f, st) == Status::kNotSupported);
  TT_CHECK(w.init(static_cast<WeightingType>(7), 48000.0f, st) == Status::kInvalidArgument);
  // State one float short.
  const std::size_t len_a = Weighting::state_len(WeightingType::kA);
  const std::size_t len_c = Weighting::state_len(WeightingType::kC);
  TT_CHECK(w.init(WeightingType::kA, 48000.0f, st.first(len_a - 1)) == Status::kNoMemory);
  TT_CHECK(w.init(WeightingType::kC, 16000.0f, st.first(len_c - 1)) == Status::kNoMemory);
  TT_CHECK(w.init(WeightingType::kC, 16000.0f, st.first(len_c)) == Status::kOk);
  // Custom sos: empty, ragged, too many sections, a0 != 1, non-finite.
  float sos[6 * (kWeightingMaxSections + 1)];
  for (std::size_t i = 0; i < 6 * (kWeightingMaxSections + 1); ++i) {
    sos[i] = (i % 6 == 3) ? 1.0f : 0.0f;  // a0 = 1, everything else 0
  }
  TT_CHECK(w.init(Span<const float>(), st) == Status::kSizeMismatch);
  TT_CHECK(w.init(Span<const float>(sos, 5), st) == Status::kSizeMismatch);
  TT_CHECK(w.init(Span<const float>(sos, 6 * (kWeightingMaxSections + 1)), st) ==
           Status::kSizeMismatch);
  TT_CHECK(w.init(Span<const float>(sos, 12), st.first(3)) == Status::kNoMemory);
  TT_CHECK(w.init(Span<const float>(sos, 12), st) == Status::kOk);
  sos[3] = 2.0f;
  TT_CHECK(w.init(Span<const float>(sos, 12), st) == Status::kInvalidArgument);
  sos[3] = 1.0f;
  sos[1] = std::nanf("");
  TT_CHECK(w.init(Span<const float>(sos, 12), st) == Status::kInvalidArgument);
  TT_CHECK(w.sos().empty());  // a failed init leaves no coefficients behind
}
