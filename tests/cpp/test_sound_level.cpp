// Sound level meter vs a float64 numpy model of the same recursion, plus
// analytic cases (sine levels, decay rates, rise), chunking and init checks.
#include <cmath>
#include <cstdio>

#include "golden_sound_level.hpp"
#include "tinysense/dsp/sound_level.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;
namespace g = golden::sound_level;

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr std::size_t kBins = 1400;  // 140 dB of 0.1 dB bins

struct GoldenCase {
  const char* name;
  float fs;
  WeightingType weighting;
  float tau;
  float cal;
  float hist_interval;
  const std::int16_t* x;
  std::size_t len;
  std::size_t split;
  const double* trace;
  double final_level;
  double leq[2], lmax[2], lmin[2], l10[2], l50[2], l90[2];
  long long count[2];
};

#define GOLDEN_CASE(c, fs, wt, tau, cal, hi)                                                     \
  GoldenCase {                                                                                    \
    #c, fs, wt, tau, cal, hi, g::c##_x, g::c##_x_len, static_cast<std::size_t>(g::c##_split),     \
        g::c##_level_trace, g::c##_final_level, {g::c##_i1_leq, g::c##_i2_leq},                   \
        {g::c##_i1_lmax, g::c##_i2_lmax}, {g::c##_i1_lmin, g::c##_i2_lmin},                       \
        {g::c##_i1_l10, g::c##_i2_l10}, {g::c##_i1_l50, g::c##_i2_l50},                           \
        {g::c##_i1_l90, g::c##_i2_l90}, {                                                         \
      g::c##_i1_count, g::c##_i2_count                                                            \
    }                                                                                             \
  }

const GoldenCase kCases[] = {
    GOLDEN_CASE(a48_fast, 48000.0f, WeightingType::kA, 0.125f, 0.0f, 0.01f),
    GOLDEN_CASE(c16_slow, 16000.0f, WeightingType::kC, 1.0f, 0.0f, 0.02f),
    GOLDEN_CASE(z32_fast_cal, 32000.0f, WeightingType::kZ, 0.125f, 94.0f, 0.005f),
};

SoundLevelConfig config_for(const GoldenCase& c, float bin_db = 0.1f) {
  SoundLevelConfig cfg;
  cfg.sample_rate = c.fs;
  cfg.weighting = c.weighting;
  cfg.time_constant_s = c.tau;
  cfg.calibration_db = c.cal;
  cfg.histogram_min_db = c.cal - 120.0f;
  cfg.histogram_bin_db = bin_db;
  cfg.histogram_interval_s = c.hist_interval;
  return cfg;
}

// Feeds x[begin, end) as float (int16 / 32768) in uneven chunks.
void feed(SoundLevelMeter& m, const std::int16_t* x, std::size_t begin, std::size_t end,
          std::size_t* chunk_index) {
  static const std::size_t kSteps[] = {1, 17, 64, 65, 300, 2, 1023, 128, 0, 5};
  static float buf[1024];
  std::size_t pos = begin;
  while (pos < end) {
    std::size_t n = kSteps[(*chunk_index)++ % 10];
    if (n > end - pos) n = end - pos;
    for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<float>(x[pos + i]) * (1.0f / 32768.0f);
    m.process(Span<const float>(buf, n));
    pos += n;
  }
}

void check_interval(const SoundLevelMeter& m, const GoldenCase& c, int i, float bin_db) {
  TT_CHECK_NEAR(m.leq_db(), c.leq[i], tt::tol::kLevelDb);
  TT_CHECK_NEAR(m.lmax_db(), c.lmax[i], tt::tol::kLevelDb);
  TT_CHECK_NEAR(m.lmin_db(), c.lmin[i], tt::tol::kLevelDb);
  TT_CHECK_EQ(static_cast<long long>(m.histogram_samples()), c.count[i]);
  // Ln is the centre of the bin holding the exact order statistic.
  const double half_bin = 0.5 * static_cast<double>(bin_db) + tt::tol::kLevelDb;
  TT_CHECK_NEAR(m.l10_db(), c.l10[i], half_bin);
  TT_CHECK_NEAR(m.l50_db(), c.l50[i], half_bin);
  TT_CHECK_NEAR(m.l90_db(), c.l90[i], half_bin);
  // Orderings that hold for any signal.
  TT_CHECK(m.l90_db() <= m.l50_db() && m.l50_db() <= m.l10_db());
  TT_CHECK(m.lmin_db() <= m.leq_db() && m.leq_db() <= m.lmax_db());
}

// Runs one golden case: level trace every trace_step samples, interval 1
// statistics at `split`, reset_interval(), interval 2 statistics at the end.
void run_case(const GoldenCase& c, float bin_db) {
  SoundLevelMeterN<kBins> m;
  TT_CHECK(m.init(config_for(c, bin_db)) == Status::kOk);
  const auto step = static_cast<std::size_t>(g::trace_step);
  std::size_t pos = 0, chunk_index = 0;
  double worst_trace = 0.0;
  while (pos < c.len) {
    std::size_t next = (pos / step + 1) * step;
    if (pos < c.split && c.split < next) next = c.split;
    if (next > c.len) next = c.len;
    feed(m, c.x, pos, next, &chunk_index);
    pos = next;
    if (pos % step == 0) {
      const double e = std::fabs(static_cast<double>(m.level_db()) - c.trace[pos / step - 1]);
      if (!(e <= worst_trace)) worst_trace = e;
    }
    if (pos == c.split) {
      TT_CHECK_EQ(m.interval_samples(), static_cast<std::uint64_t>(c.split));
      check_interval(m, c, 0, bin_db);
      m.reset_interval();
    }
  }
  TT_CHECK_LE(worst_trace, tt::tol::kLevelDb);
  TT_CHECK_NEAR(m.level_db(), c.final_level, tt::tol::kLevelDb);
  TT_CHECK_EQ(m.interval_samples(), static_cast<std::uint64_t>(c.len - c.split));
  check_interval(m, c, 1, bin_db);
}

// The a48_fast golden signal as float (one shared buffer: QEMU RAM is finite).
const float* a48_signal() {
  static float x[g::a48_fast_x_len];
  for (std::size_t i = 0; i < g::a48_fast_x_len; ++i) {
    x[i] = static_cast<float>(g::a48_fast_x[i]) * (1.0f / 32768.0f);
  }
  return x;
}

// Sine of amplitude `amp` at f Hz, samples [offset, offset + out.size()).
void sine(Span<float> out, double amp, double f, double fs, std::size_t offset) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<float>(amp * std::sin(kTwoPi * f * static_cast<double>(offset + i) / fs));
  }
}

// Feeds n samples of a sine (or silence when amp == 0) in blocks of 480.
void feed_sine(SoundLevelMeter& m, double amp, double f, double fs, std::size_t offset,
               std::size_t n) {
  float buf[480];
  for (std::size_t done = 0; done < n;) {
    const std::size_t k = n - done < 480 ? n - done : 480;
    sine(Span<float>(buf, k), amp, f, fs, offset + done);
    m.process(Span<const float>(buf, k));
    done += k;
  }
}

}  // namespace

TT_TEST(matches_numpy_model_on_golden_signals) {
  for (const GoldenCase& c : kCases) {
    const int before = tt::current_failures();
    run_case(c, 0.1f);
    if (tt::current_failures() != before) std::printf("    in case %s\n", c.name);
  }
}

// Percentiles stay within half a bin of the exact order statistic for any bin width.
TT_TEST(percentile_precision_is_one_bin) {
  const float widths[] = {0.5f, 2.0f};
  for (float w : widths) run_case(kCases[0], w);
}

TT_TEST(chunking_invariance_is_exact) {
  const GoldenCase& c = kCases[0];
  const float* x = a48_signal();
  static std::uint32_t hist_one[kBins], hist_many[kBins];
  float st_one[Weighting::kMaxStateLen], st_many[Weighting::kMaxStateLen];
  SoundLevelMeter one, many;
  TT_CHECK(one.init(config_for(c), Span<float>(st_one), Span<std::uint32_t>(hist_one)) ==
           Status::kOk);
  TT_CHECK(many.init(config_for(c), Span<float>(st_many), Span<std::uint32_t>(hist_many)) ==
           Status::kOk);
  one.process(Span<const float>(x, c.len));
  // Pseudo-random chunk sizes 0..1500 (LCG, fixed seed).
  std::uint32_t seed = 12345u;
  for (std::size_t pos = 0; pos < c.len;) {
    seed = seed * 1664525u + 1013904223u;
    std::size_t n = (seed >> 8) % 1501u;
    if (n > c.len - pos) n = c.len - pos;
    many.process(Span<const float>(x + pos, n));
    pos += n;
  }
  TT_CHECK_EQ(one.level_db(), many.level_db());
  TT_CHECK_EQ(one.leq_db(), many.leq_db());
  TT_CHECK_EQ(one.lmax_db(), many.lmax_db());
  TT_CHECK_EQ(one.lmin_db(), many.lmin_db());
  TT_CHECK_EQ(one.histogram_samples(), many.histogram_samples());
  bool same = true;
  for (std::size_t i = 0; i < kBins; ++i) same = same && hist_one[i] == hist_many[i];
  TT_CHECK(same);
}

// A 1 kHz sine of amplitude A reads 20 log10(A / sqrt(2)) dBFS through A, C
// and Z (all 0 dB at 1 kHz); full scale reads -3.01 dBFS.
TT_TEST(sine_1khz_reads_its_rms_level) {
  const WeightingType types[] = {WeightingType::kA, WeightingType::kC, WeightingType::kZ};
  const double amps[] = {1.0, 0.5, 0.001};
  for (WeightingType t : types) {
    for (double amp : amps) {
      SoundLevelMeterN<kBins> m;
      SoundLevelConfig cfg;
      cfg.sample_rate = 48000.0f;
      cfg.weighting = t;
      cfg.histogram_min_db = -130.0f;
      TT_CHECK(m.init(cfg) == Status::kOk);
      feed_sine(m, amp, 1000.0, 48000.0, 0, 48000);  // settle 1 s = 8 tau (-0.0015 dB)
      m.reset_interval();
      feed_sine(m, amp, 1000.0, 48000.0, 48000, 24000);  // 500 whole periods
      const double expected = 20.0 * std::log10(amp / std::sqrt(2.0));
      TT_CHECK_NEAR(m.leq_db(), expected, tt::tol::kLevelDb);
      TT_CHECK_NEAR(m.level_db(), expected, tt::tol::kLevelDb);
      TT_CHECK_NEAR(m.lmax_db(), expected, tt::tol::kLevelDb);
      TT_CHECK_NEAR(m.lmin_db(), expected, tt::tol::kLevelDb);
      TT_CHECK_NEAR(m.l50_db(), expected, 0.05 + tt::tol::kLevelDb);
    }
  }
  // Full scale: -3.0103 dBFS; calibration shifts every reading by exactly its value.
  SoundLevelMeterN<kBins> m;
  SoundLevelConfig cfg;
  cfg.calibration_db = 94.0f;
  cfg.histogram_min_db = 0.0f;
  TT_CHECK(m.init(cfg) == Status::kOk);
  feed_sine(m, 1.0, 1000.0, 48000.0, 0, 48000);
  m.reset_interval();
  feed_sine(m, 1.0, 1000.0, 48000.0, 48000, 24000);
  TT_CHECK_NEAR(m.leq_db(), 94.0 - 3.0103, tt::tol::kLevelDb);
}

// After a burst, y decays as exp(-t / tau): 10 log10(e) / tau dB/s, i.e.
// 34.74 dB/s (Fast) and 4.343 dB/s (Slow). During the burst the level rises
// as 10 log10(1 - exp(-t / tau)) below the steady level.
TT_TEST(tone_burst_decay_and_rise_rates) {
  const float taus[] = {kTimeWeightingFast, kTimeWeightingSlow};
  for (float tau : taus) {
    SoundLevelMeterN<kBins> m;
    SoundLevelConfig cfg;
    cfg.time_constant_s = tau;
    TT_CHECK(m.init(cfg) == Status::kOk);
    const double steady = 20.0 * std::log10(0.5 / std::sqrt(2.0));
    feed_sine(m, 0.5, 1000.0, 48000.0, 0, 48000);  // 1 s burst
    const double rise = steady + 10.0 * std::log10(1.0 - std::exp(-1.0 / static_cast<double>(tau)));
    TT_CHECK_NEAR(m.lmax_db(), rise, 0.02);
    TT_CHECK_NEAR(m.level_db(), rise, 0.02);
    feed_sine(m, 0.0, 1000.0, 48000.0, 0, 4800);  // 0.1 s: the A filter's tail dies out
    const double l1 = static_cast<double>(m.level_db());
    feed_sine(m, 0.0, 1000.0, 48000.0, 0, 24000);  // 0.5 s more
    const double l2 = static_cast<double>(m.level_db());
    const double rate = (l1 - l2) / 0.5;
    const double expected = 10.0 * std::log10(std::exp(1.0)) / static_cast<double>(tau);
    std::printf("    tau %.3f s: decay %.4f dB/s (expected %.4f)\n", static_cast<double>(tau), rate,
                expected);
    TT_CHECK_NEAR(rate, expected, 1e-3 * expected);
    TT_CHECK_NEAR(m.lmax_db(), rise, 0.02);  // the decay never raised the maximum
  }
}

// A constant w^2 with Slow at 96 kHz (alpha ~1e-5): a plain float update
// stalls ~0.012 dB short of the steady level; the compensated one does not.
TT_TEST(slow_time_weighting_reaches_steady_level) {
  SoundLevelMeterN<kBins> m;
  SoundLevelConfig cfg;
  cfg.sample_rate = 96000.0f;
  cfg.weighting = WeightingType::kZ;
  cfg.time_constant_s = kTimeWeightingSlow;
  TT_CHECK(m.init(cfg) == Status::kOk);
  float buf[960];
  for (std::size_t i = 0; i < 960; ++i) buf[i] = (i & 1) != 0 ? 0.5f : -0.5f;
  for (int k = 0; k < 1200; ++k) m.process(Span<const float>(buf));  // 12 s = 12 tau
  TT_CHECK_NEAR(m.level_db(), 10.0 * std::log10(0.25), 2e-4);
  TT_CHECK_NEAR(m.leq_db(), 10.0 * std::log10(0.25), 1e-5);
}

TT_TEST(silence_empty_and_clamping) {
  SoundLevelMeterN<10> m;
  SoundLevelConfig cfg;
  cfg.weighting = WeightingType::kZ;
  cfg.histogram_min_db = -100.0f;
  cfg.histogram_bin_db = 1.0f;  // range [-100, -90) dB
  TT_CHECK(m.init(cfg) == Status::kOk);
  // Empty interval: no data (NaN); no input yet: silence (-inf).
  TT_CHECK(std::isnan(m.leq_db()));
  TT_CHECK(std::isnan(m.lmax_db()));
  TT_CHECK(std::isnan(m.lmin_db()));
  TT_CHECK(std::isnan(m.l50_db()));
  TT_CHECK(std::isinf(m.level_db()) && m.level_db() < 0.0f);
  float zeros[480] = {};
  m.process(Span<const float>(zeros));
  TT_CHECK(std::isinf(m.leq_db()) && m.leq_db() < 0.0f);
  TT_CHECK(std::isinf(m.lmax_db()) && m.lmax_db() < 0.0f);
  TT_CHECK_EQ(m.histogram_samples(), 1u);
  TT_CHECK_EQ(m.l50_db(), -99.5f);  // silence counts in the first bin
  // Loud input lands in the last bin.
  m.reset_interval();
  float loud[4800];
  for (std::size_t i = 0; i < 4800; ++i) loud[i] = (i & 1) != 0 ? 0.5f : -0.5f;
  m.process(Span<const float>(loud));
  TT_CHECK_EQ(m.histogram_samples(), 10u);
  TT_CHECK_EQ(m.l90_db(), -90.5f);
  TT_CHECK_EQ(m.percentile_db(0.0f), -90.5f);
  TT_CHECK_EQ(m.percentile_db(100.0f), -90.5f);
  TT_CHECK(std::isnan(m.percentile_db(-1.0f)));
  TT_CHECK(std::isnan(m.percentile_db(100.5f)));
  TT_CHECK(std::isnan(m.percentile_db(std::nanf(""))));
}

TT_TEST(reset_and_custom_sos_reproduce_results) {
  const GoldenCase& c = kCases[0];
  const float* x = a48_signal();
  SoundLevelMeterN<kBins> a, b;
  TT_CHECK(a.init(config_for(c)) == Status::kOk);
  a.process(Span<const float>(x, c.len));
  const float leq = a.leq_db(), lmax = a.lmax_db(), level = a.level_db(), l10 = a.l10_db();
  a.reset();
  a.process(Span<const float>(x, c.len));
  TT_CHECK_EQ(a.leq_db(), leq);
  TT_CHECK_EQ(a.lmax_db(), lmax);
  TT_CHECK_EQ(a.level_db(), level);
  TT_CHECK_EQ(a.l10_db(), l10);
  // The same coefficients passed as a host-designed sos.
  const Span<const float> builtin = builtin_weighting_sos(WeightingType::kA, 48000.0f);
  float sos[kWeightingSectionsA * kSosRowLen];
  for (std::size_t i = 0; i < builtin.size(); ++i) sos[i] = builtin[i];
  SoundLevelConfig cfg = config_for(c);
  cfg.sos = Span<const float>(sos);
  cfg.weighting = WeightingType::kZ;  // ignored when sos is given
  TT_CHECK_EQ(SoundLevelMeter::state_len(cfg), Biquad::state_len(kWeightingSectionsA));
  TT_CHECK(b.init(cfg) == Status::kOk);
  b.process(Span<const float>(x, c.len));
  TT_CHECK_EQ(b.leq_db(), leq);
  TT_CHECK_EQ(b.level_db(), level);
}

TT_TEST(init_rejects_bad_config) {
  float state[Weighting::kMaxStateLen];
  std::uint32_t hist[16];
  const Span<float> st(state);
  const Span<std::uint32_t> h(hist);
  SoundLevelMeter m;
  const SoundLevelConfig good;
  TT_CHECK(m.init(good, st, h) == Status::kOk);
  auto with = [&](auto edit) {
    SoundLevelConfig cfg = good;
    edit(cfg);
    return m.init(cfg, st, h);
  };
  const float nan = std::nanf("");
  const Status kInval = Status::kInvalidArgument;
  // Sample rate.
  TT_CHECK(with([](SoundLevelConfig& c) { c.sample_rate = 0.0f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.sample_rate = -48000.0f; }) == kInval);
  TT_CHECK(with([&](SoundLevelConfig& c) { c.sample_rate = nan; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.sample_rate = HUGE_VALF; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.sample_rate = 24000.0f; }) == Status::kNotSupported);
  TT_CHECK(with([](SoundLevelConfig& c) {
             c.sample_rate = 24000.0f;
             c.weighting = WeightingType::kZ;
           }) == Status::kOk);
  TT_CHECK(with([](SoundLevelConfig& c) { c.weighting = static_cast<WeightingType>(9); }) == kInval);
  // Time constant.
  TT_CHECK(with([](SoundLevelConfig& c) { c.time_constant_s = 0.0f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.time_constant_s = -0.125f; }) == kInval);
  TT_CHECK(with([&](SoundLevelConfig& c) { c.time_constant_s = nan; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.time_constant_s = 101.0f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.time_constant_s = 1e-5f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.time_constant_s = 0.035f; }) == Status::kOk);  // Impulse
  // Calibration and histogram.
  TT_CHECK(with([&](SoundLevelConfig& c) { c.calibration_db = nan; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_min_db = -HUGE_VALF; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_bin_db = 0.0f; }) == kInval);
  TT_CHECK(with([&](SoundLevelConfig& c) { c.histogram_bin_db = nan; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_bin_db = 11.0f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_interval_s = 0.0f; }) == kInval);
  // A histogram interval shorter than one sample.
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_interval_s = 1e-6f; }) == kInval);
  TT_CHECK(with([](SoundLevelConfig& c) { c.histogram_interval_s = 11.0f; }) == kInval);
  // Storage: filter state one float short, histogram of one bin.
  TT_CHECK(m.init(good, st.first(SoundLevelMeter::state_len(good) - 1), h) == Status::kNoMemory);
  TT_CHECK(m.init(good, st.first(SoundLevelMeter::state_len(good)), h) == Status::kOk);
  TT_CHECK(m.init(good, st, h.first(1)) == Status::kNoMemory);
  // Custom sos: ragged.
  const float bad_sos[5] = {1, 0, 0, 1, 0};
  TT_CHECK(with([&](SoundLevelConfig& c) { c.sos = Span<const float>(bad_sos); }) ==
           Status::kSizeMismatch);
}
