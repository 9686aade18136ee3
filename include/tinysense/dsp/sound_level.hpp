// Sound level meter: frequency weighting, exponential time weighting, Leq,
// Lmax, Lmin and percentile levels (L10, L50, L90), streaming.
//
// Levels. With w[n] the weighted signal (A, C or Z; full scale = +-1.0):
//   time-weighted mean square  y[n] = y[n-1] + (w[n]^2 - y[n-1]) * alpha,
//                              alpha = 1 - exp(-1 / (fs * tau)), y = 0 after init()/reset();
//   level      = 10 log10(y[n])                 + calibration_db   (LAF, LAS, ...)
//   Leq        = 10 log10(mean of w^2 over the interval) + calibration_db
//   Lmax, Lmin = largest / smallest level of y over the interval's samples
//   Ln         = level exceeded n % of the time over the interval, from a
//                histogram of the level sampled every histogram_interval_s.
// dBFS: 0 dBFS is a mean square of 1.0 (an RMS of 1.0, i.e. a full-scale
// square wave), so a full-scale sine reads -3.01 dBFS. (AES17 puts a
// full-scale sine at 0 dBFS: add 3.01 dB to compare.) calibration_db turns
// dBFS into dB SPL: measure a calibrator (e.g. 94 dB SPL at 1 kHz), then
// calibration_db = 94 - reading_with_calibration_0.
//
// Intervals: reset_interval() starts a new Leq/Lmax/Lmin/Ln interval; the
// filter and the time weighting keep running. init() and reset() also restart
// the time weighting from silence (y = 0), so the first interval includes its
// rise: call reset_interval() after ~5 tau for clean statistics.
//
// Cost per sample: the weighting cascade plus ~12 float operations (the time
// weighting is compensated, see sound_level.cpp); log10 only at readouts and
// once per histogram interval. Readouts may be called at any time; they
// return NaN when the interval has no data and -inf for exact silence.
//
// Two time weightings at once (LAF and LAS): weight the signal once with
// Weighting and feed it to two meters configured with WeightingType::kZ.
#ifndef TINYSENSE_DSP_SOUND_LEVEL_HPP
#define TINYSENSE_DSP_SOUND_LEVEL_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/dsp/weighting.hpp"

namespace tinysense::dsp {

constexpr float kTimeWeightingFast = 0.125f;  // IEC 61672-1 "F", seconds
constexpr float kTimeWeightingSlow = 1.0f;    // IEC 61672-1 "S", seconds

struct SoundLevelConfig {
  float sample_rate = 48000.0f;                 // Hz
  WeightingType weighting = WeightingType::kA;  // built-in coefficients (see weighting.hpp)
  // Non-empty: host-designed sos (python -m tinysense.design) used instead of
  // the built-in table, for rates that are not built in; must outlive the meter.
  Span<const float> sos;
  float time_constant_s = kTimeWeightingFast;   // tau, (0, 100] s
  float calibration_db = 0.0f;                  // added to every reading
  // Histogram of the level for Ln: bins of histogram_bin_db starting at
  // histogram_min_db (reading units, i.e. after calibration); the number of
  // bins is the size of the histogram span. Levels outside are counted in the
  // first / last bin.
  float histogram_min_db = -100.0f;
  float histogram_bin_db = 0.1f;                // (0, 10] dB
  float histogram_interval_s = 0.01f;           // level sampling period, >= 1 sample, <= 10 s
};

class SoundLevelMeter {
 public:
  // Samples filtered per internal step (scratch inside the object).
  static constexpr std::size_t kBlock = 64;
  // Filter state floats for `config` (0 for kZ); Weighting::kMaxStateLen always suffices.
  static constexpr std::size_t state_len(const SoundLevelConfig& config) noexcept {
    return !config.sos.empty() ? Biquad::state_len(config.sos.size() / kSosRowLen)
                               : Weighting::state_len(config.weighting);
  }

  // Validates `config` and starts the meter (time weighting from silence, empty interval).
  // filter_state: >= state_len(config) floats; histogram: >= 2 bins, both
  // caller-owned and kept. Errors:
  //   kInvalidArgument: sample_rate not finite or <= 0; time_constant_s not in
  //     (0, 100] or fs * tau < 1; calibration_db or histogram_min_db not
  //     finite; histogram_bin_db not in (0, 10]; histogram_interval_s shorter
  //     than one sample or longer than 10 s; unknown weighting;
  //   kNotSupported: A/C at a rate that is not built in and no sos given;
  //   kNoMemory: filter_state or histogram too small;
  //   plus Weighting::init's errors for a custom sos.
  [[nodiscard]] Status init(const SoundLevelConfig& config, Span<float> filter_state,
                            Span<std::uint32_t> histogram) noexcept;

  // Feeds any number of samples (full scale +-1.0). Requires a successful
  // init(). A NaN or infinite sample poisons the readings until reset().
  void process(Span<const float> block) noexcept;
  // Restarts everything as after init(): filter, time weighting, interval.
  void reset() noexcept;
  // Starts a new interval: clears Leq, Lmax, Lmin and the histogram.
  void reset_interval() noexcept;

  // Current time-weighted level (e.g. LAF): 10 log10(y) + calibration, dB.
  float level_db() const noexcept;
  // Equivalent continuous level over the interval; NaN if the interval is empty.
  float leq_db() const noexcept;
  // Largest / smallest time-weighted level over the interval; NaN if empty.
  float lmax_db() const noexcept;
  float lmin_db() const noexcept;
  // Ln: the level exceeded by `percent` % of the histogram samples, as the
  // centre of the histogram bin holding the ceil(percent / 100 * count)-th
  // largest sample (precision: one bin). percent in [0, 100]; NaN outside or
  // when no histogram sample was taken yet.
  float percentile_db(float percent) const noexcept;
  float l10_db() const noexcept { return percentile_db(10.0f); }
  float l50_db() const noexcept { return percentile_db(50.0f); }
  float l90_db() const noexcept { return percentile_db(90.0f); }

  // Samples in the current interval.
  std::uint64_t interval_samples() const noexcept { return interval_samples_; }
  // Histogram samples in the current interval.
  std::uint64_t histogram_samples() const noexcept { return hist_total_; }
  // Samples between two histogram samples.
  std::uint32_t histogram_period() const noexcept { return hist_period_; }
  // Time-weighting coefficient alpha.
  float alpha() const noexcept { return alpha_; }

 private:
  float to_db(float mean_square) const noexcept;

  Weighting weighting_;
  Span<std::uint32_t> hist_;
  float alpha_ = 0.0f;
  float calibration_db_ = 0.0f;
  float hist_min_db_ = 0.0f;
  float hist_bin_db_ = 1.0f;
  std::uint32_t hist_period_ = 1;
  bool ready_ = false;
  // Time weighting: y = y_hi_ + y_lo_ (compensated, see sound_level.cpp).
  float y_hi_ = 0.0f;
  float y_lo_ = 0.0f;
  // Interval statistics.
  double energy_ = 0.0;        // sum of w^2 flushed from energy_block_
  float energy_block_ = 0.0f;  // float partial sum of up to kFlush samples
  std::uint32_t energy_block_n_ = 0;
  std::uint64_t interval_samples_ = 0;
  float y_max_ = 0.0f;
  float y_min_ = 0.0f;
  std::uint32_t hist_countdown_ = 1;
  std::uint64_t hist_total_ = 0;
  std::array<float, kBlock> scratch_{};
};

// SoundLevelMeter with its own filter state and a histogram of `Bins` bins
// (e.g. 1200 bins of 0.1 dB = 120 dB of range, 4.8 kB).
template <std::size_t Bins>
class SoundLevelMeterN : public SoundLevelMeter {
  static_assert(Bins >= 2, "the histogram needs at least 2 bins");

 public:
  [[nodiscard]] Status init(const SoundLevelConfig& config) noexcept {
    return SoundLevelMeter::init(config, Span<float>(state_), Span<std::uint32_t>(hist_));
  }

 private:
  std::array<float, Weighting::kMaxStateLen> state_{};
  std::array<std::uint32_t, Bins> hist_{};
};

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_SOUND_LEVEL_HPP
