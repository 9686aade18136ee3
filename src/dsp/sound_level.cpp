#include "tinysense/dsp/sound_level.hpp"

#include <cmath>
#include <limits>

namespace tinysense::dsp {
namespace {

// Leq sums w^2 in float over runs of kFlush samples, then in double: the float
// partial sum loses < kFlush * 2^-24 relative (< 1e-4 dB), and hours of
// samples never reach a float accumulator that has stopped growing.
constexpr std::uint32_t kFlush = 256;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

bool finite(float v) noexcept { return std::isfinite(v); }

}  // namespace

Status SoundLevelMeter::init(const SoundLevelConfig& config, Span<float> filter_state,
                             Span<std::uint32_t> histogram) noexcept {
  ready_ = false;
  const float fs = config.sample_rate;
  const float tau = config.time_constant_s;
  if (!finite(fs) || !(fs > 0.0f)) return Status::kInvalidArgument;
  if (!finite(tau) || !(tau > 0.0f) || tau > 100.0f) return Status::kInvalidArgument;
  const double fs_tau = static_cast<double>(fs) * static_cast<double>(tau);
  if (fs_tau < 1.0) return Status::kInvalidArgument;
  if (!finite(config.calibration_db) || !finite(config.histogram_min_db)) {
    return Status::kInvalidArgument;
  }
  if (!(config.histogram_bin_db > 0.0f) || config.histogram_bin_db > 10.0f) {
    return Status::kInvalidArgument;
  }
  const float hist_s = config.histogram_interval_s;
  if (!finite(hist_s) || !(hist_s > 0.0f) || hist_s > 10.0f) return Status::kInvalidArgument;
  const double period = std::floor(static_cast<double>(fs) * static_cast<double>(hist_s) + 0.5);
  if (period < 1.0 || period > 4294967295.0) return Status::kInvalidArgument;
  if (histogram.size() < 2) return Status::kNoMemory;

  if (!config.sos.empty()) {
    TINYSENSE_TRY(weighting_.init(config.sos, filter_state));
  } else {
    TINYSENSE_TRY(weighting_.init(config.weighting, fs, filter_state));
  }

  // alpha = 1 - exp(-1 / (fs tau)), via expm1: alpha can be ~1e-6, where
  // 1 - exp() would keep only a couple of digits.
  alpha_ = static_cast<float>(-std::expm1(-1.0 / fs_tau));
  calibration_db_ = config.calibration_db;
  hist_min_db_ = config.histogram_min_db;
  hist_bin_db_ = config.histogram_bin_db;
  hist_period_ = static_cast<std::uint32_t>(period);
  hist_ = histogram;
  ready_ = true;
  reset();
  return Status::kOk;
}

void SoundLevelMeter::reset() noexcept {
  weighting_.reset();
  y_hi_ = 0.0f;
  y_lo_ = 0.0f;
  reset_interval();
}

void SoundLevelMeter::reset_interval() noexcept {
  energy_ = 0.0;
  energy_block_ = 0.0f;
  energy_block_n_ = 0;
  interval_samples_ = 0;
  y_max_ = 0.0f;
  y_min_ = kInf;
  hist_countdown_ = hist_period_;
  hist_total_ = 0;
  for (std::uint32_t& c : hist_) c = 0;
}

void SoundLevelMeter::process(Span<const float> block) noexcept {
  TINYSENSE_DCHECK(ready_);
  const float a = alpha_;
  const float one_minus_a = 1.0f - alpha_;
  for (std::size_t off = 0, n = block.size(); off < n;) {
    const std::size_t chunk = n - off < kBlock ? n - off : kBlock;
    const Span<float> w(scratch_.data(), chunk);
    weighting_.process(block.subspan(off, chunk), w);
    off += chunk;
    // Runs end where the Leq partial sum is flushed or a histogram sample is
    // due, so the per-sample loop has no branches and the result does not
    // depend on how the caller splits the signal.
    for (std::size_t i = 0; i < chunk;) {
      std::size_t run = chunk - i;
      if (run > kFlush - energy_block_n_) run = kFlush - energy_block_n_;
      if (run > hist_countdown_) run = hist_countdown_;
      float y_hi = y_hi_, y_lo = y_lo_, y_max = y_max_, y_min = y_min_, acc = energy_block_;
      for (const float* p = w.data() + i, *end = p + run; p != end; ++p) {
        const float e = *p * *p;
        acc += e;
        // y += (e - y) * alpha with y = y_hi + y_lo. With alpha ~1e-5 (Slow at
        // 96 kHz) a plain float update stalls once (e - y) * alpha drops below
        // half an ulp of y, i.e. up to 0.03 dB short of a steady level; the
        // error term y_lo (Fast2Sum) carries what the rounding drops.
        const float d = y_lo * one_minus_a + (e - y_hi) * a;
        const float s = y_hi + d;
        y_lo = d - (s - y_hi);
        y_hi = s;
        y_max = y_hi > y_max ? y_hi : y_max;
        y_min = y_hi < y_min ? y_hi : y_min;
      }
      y_hi_ = y_hi;
      y_lo_ = y_lo;
      y_max_ = y_max;
      y_min_ = y_min;
      energy_block_ = acc;
      i += run;
      energy_block_n_ += static_cast<std::uint32_t>(run);
      hist_countdown_ -= static_cast<std::uint32_t>(run);
      if (energy_block_n_ == kFlush) {
        energy_ += static_cast<double>(energy_block_);
        energy_block_ = 0.0f;
        energy_block_n_ = 0;
      }
      if (hist_countdown_ == 0) {
        hist_countdown_ = hist_period_;
        // Bin of the current level; -inf (silence) and levels below the range
        // go to bin 0, levels above to the last bin.
        const float t = (to_db(y_hi_ + y_lo_) - hist_min_db_) / hist_bin_db_;
        const std::size_t last = hist_.size() - 1;
        std::size_t bin = 0;
        if (t >= static_cast<float>(last)) {
          bin = last;
        } else if (t > 0.0f) {
          bin = static_cast<std::size_t>(t);
        }
        std::uint32_t& c = hist_[bin];
        if (c != 0xFFFFFFFFu) ++c;  // saturate (after ~500 days at 100 Hz)
        ++hist_total_;
      }
    }
  }
  interval_samples_ += block.size();
}

float SoundLevelMeter::to_db(float mean_square) const noexcept {
  return mean_square > 0.0f ? 10.0f * std::log10(mean_square) + calibration_db_ : -kInf;
}

float SoundLevelMeter::level_db() const noexcept { return to_db(y_hi_ + y_lo_); }

float SoundLevelMeter::leq_db() const noexcept {
  if (interval_samples_ == 0) return kNaN;
  const double sum = energy_ + static_cast<double>(energy_block_);
  return to_db(static_cast<float>(sum / static_cast<double>(interval_samples_)));
}

float SoundLevelMeter::lmax_db() const noexcept {
  return interval_samples_ == 0 ? kNaN : to_db(y_max_);
}

float SoundLevelMeter::lmin_db() const noexcept {
  return interval_samples_ == 0 ? kNaN : to_db(y_min_);
}

float SoundLevelMeter::percentile_db(float percent) const noexcept {
  if (hist_total_ == 0 || !(percent >= 0.0f && percent <= 100.0f)) return kNaN;
  // Rank from the top of the sample we look for (1-based), at least 1.
  double rank = std::ceil(static_cast<double>(percent) * 0.01 * static_cast<double>(hist_total_));
  if (rank < 1.0) rank = 1.0;
  std::uint64_t cum = 0;
  for (std::size_t i = hist_.size(); i-- > 0;) {
    cum += hist_[i];
    if (static_cast<double>(cum) >= rank) {
      return hist_min_db_ + (static_cast<float>(i) + 0.5f) * hist_bin_db_;
    }
  }
  return hist_min_db_ + 0.5f * hist_bin_db_;  // only if counts saturated
}

}  // namespace tinysense::dsp
