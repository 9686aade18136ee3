#include "tinysense/dsp/mel.hpp"

#include <cmath>

namespace tinysense::dsp {
namespace {

// librosa's Slaney constants, written as librosa computes them so that the
// doubles agree bit for bit (min_log_mel is 14.999999999999998, not 15).
constexpr double kFMin = 0.0;
constexpr double kFSp = 200.0 / 3;
constexpr double kMinLogHz = 1000.0;
constexpr double kMinLogMel = (kMinLogHz - kFMin) / kFSp;

// numpy.log(6.4) / 27.0 as a literal (hex, so it is that double exactly): a
// libm log per conversion would cost thousands of instructions on Cortex-M4F.
constexpr double kLogStep = 0x1.199b76b9099dcp-4;  // 0.06875177742094912

bool finite(double v) noexcept { return v == v && v - v == 0.0; }

// Validated, derived parameters of a MelConfig.
struct Plan {
  std::size_t n_bins;
  std::size_t n_mels;
  double min_mel;
  double mel_step;  // numpy.linspace(min_mel, max_mel, n_mels + 2) step
  double max_mel;
  double bin_hz;    // numpy.fft.rfftfreq spacing 1 / (n_fft * (1 / sr))
  MelScale scale;
  MelNorm norm;
};

Status make_plan(const MelConfig& cfg, Plan* plan) noexcept {
  const double sr = cfg.sample_rate;
  if (!finite(sr) || sr <= 0.0) return Status::kInvalidArgument;
  if (!is_valid_fft_size(cfg.n_fft)) return Status::kInvalidArgument;
  if (cfg.n_mels == 0 || cfg.n_mels > 65535) return Status::kInvalidArgument;
  if (cfg.scale != MelScale::kSlaney && cfg.scale != MelScale::kHtk) {
    return Status::kInvalidArgument;
  }
  if (cfg.norm != MelNorm::kNone && cfg.norm != MelNorm::kSlaney) return Status::kInvalidArgument;
  const double fmin = cfg.fmin;
  const double fmax = cfg.fmax == 0.0f ? sr / 2 : static_cast<double>(cfg.fmax);
  if (!finite(fmin) || !finite(fmax) || fmin < 0.0 || fmin >= fmax || fmax > sr / 2) {
    return Status::kInvalidArgument;
  }
  plan->n_bins = cfg.n_fft / 2 + 1;
  plan->n_mels = cfg.n_mels;
  plan->min_mel = hz_to_mel(fmin, cfg.scale);
  plan->max_mel = hz_to_mel(fmax, cfg.scale);
  plan->mel_step = (plan->max_mel - plan->min_mel) / static_cast<double>(cfg.n_mels + 1);
  plan->bin_hz = 1.0 / (static_cast<double>(cfg.n_fft) * (1.0 / sr));
  plan->scale = cfg.scale;
  plan->norm = cfg.norm;
  return Status::kOk;
}

// Frequency of mel point i of n_mels + 2, as librosa.mel_frequencies
// (numpy.linspace sets the last point to max_mel exactly).
double mel_point_hz(const Plan& p, std::size_t i) noexcept {
  const double mel = i == p.n_mels + 1 ? p.max_mel : static_cast<double>(i) * p.mel_step + p.min_mel;
  return mel_to_hz(mel, p.scale);
}

// Builds the sparse bands. With bands == nullptr only counts the weights.
// kInvalidArgument if two mel points coincide (librosa would divide by zero);
// kNoMemory if more than `capacity` weights are needed.
Status build(const Plan& p, MelBand* bands, float* weights, std::size_t capacity,
             std::size_t* total) noexcept {
  // Reciprocals instead of librosa's divisions per bin: a double division is
  // a ~600-instruction library call on Cortex-M4F. The weights differ by an
  // ulp of double, far below their float32 rounding.
  const double inv_bin = 1.0 / p.bin_hz;
  std::size_t count = 0;
  double f0 = mel_point_hz(p, 0);
  double f1 = mel_point_hz(p, 1);
  if (!(f1 > f0)) return Status::kInvalidArgument;
  double inv_lo = 1.0 / (f1 - f0);
  for (std::size_t m = 0; m < p.n_mels; ++m) {
    const double f2 = mel_point_hz(p, m + 2);
    if (!(f2 > f1)) return Status::kInvalidArgument;
    const double inv_hi = 1.0 / (f2 - f1);
    const double enorm = p.norm == MelNorm::kSlaney ? 2.0 / (f2 - f0) : 1.0;
    // Candidate bins around (f0, f2), one extra on each side against the
    // rounding of f * inv_bin; the weight is positive exactly where
    // f0 < f_k < f2, a contiguous run.
    std::size_t k = static_cast<std::size_t>(f0 * inv_bin);
    k = k > 0 ? k - 1 : 0;
    std::size_t k_end = static_cast<std::size_t>(f2 * inv_bin) + 2;
    if (k_end > p.n_bins) k_end = p.n_bins;
    std::size_t first = 0, num = 0;
    for (; k < k_end; ++k) {
      const double fk = static_cast<double>(k) * p.bin_hz;
      const double lower = (fk - f0) * inv_lo;  // librosa: -ramps[m] / fdiff[m]
      const double upper = (f2 - fk) * inv_hi;  // librosa: ramps[m + 2] / fdiff[m + 1]
      const double w = lower < upper ? lower : upper;
      if (!(w > 0.0)) {
        if (num != 0) break;
        continue;
      }
      if (num == 0) first = k;
      if (bands != nullptr) {
        if (count >= capacity) return Status::kNoMemory;
        weights[count] = static_cast<float>(w * enorm);
      }
      ++num;
      ++count;
    }
    if (bands != nullptr) {
      bands[m].first_bin = static_cast<std::uint16_t>(num != 0 ? first : 0);
      bands[m].num_weights = static_cast<std::uint16_t>(num);
    }
    f0 = f1;
    f1 = f2;
    inv_lo = inv_hi;
  }
  *total = count;
  return Status::kOk;
}

}  // namespace

double hz_to_mel(double hz, MelScale scale) noexcept {
  if (scale == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz >= kMinLogHz) return kMinLogMel + std::log(hz / kMinLogHz) / kLogStep;
  return (hz - kFMin) / kFSp;
}

double mel_to_hz(double mel, MelScale scale) noexcept {
  if (scale == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel >= kMinLogMel) return kMinLogHz * std::exp(kLogStep * (mel - kMinLogMel));
  return kFMin + kFSp * mel;
}

void mel_frequencies(double fmin, double fmax, MelScale scale, Span<double> out) noexcept {
  const std::size_t n = out.size();
  if (n == 0) return;
  const double lo = hz_to_mel(fmin, scale);
  const double hi = hz_to_mel(fmax, scale);
  const double step = n > 1 ? (hi - lo) / static_cast<double>(n - 1) : 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double mel = (n > 1 && i == n - 1) ? hi : static_cast<double>(i) * step + lo;
    out[i] = mel_to_hz(mel, scale);
  }
}

// ---- MelFilterbank -------------------------------------------------------------

Status MelFilterbank::weights_len(const MelConfig& cfg, std::size_t* out) noexcept {
  TINYSENSE_DCHECK(out != nullptr);
  Plan plan{};
  TINYSENSE_TRY(make_plan(cfg, &plan));
  return build(plan, nullptr, nullptr, 0, out);
}

Status MelFilterbank::init(const MelConfig& cfg, Span<MelBand> bands,
                           Span<float> weights) noexcept {
  *this = MelFilterbank{};
  Plan plan{};
  TINYSENSE_TRY(make_plan(cfg, &plan));
  if (bands.size() < cfg.n_mels) return Status::kNoMemory;
  std::size_t total = 0;
  TINYSENSE_TRY(build(plan, bands.data(), weights.data(), weights.size(), &total));
  bands_ = bands.data();
  weights_ = weights.data();
  n_fft_ = cfg.n_fft;
  n_mels_ = cfg.n_mels;
  n_weights_ = total;
  return Status::kOk;
}

void MelFilterbank::apply(Span<const float> power, Span<float> mel) const noexcept {
  TINYSENSE_DCHECK(power.size() == n_bins() && mel.size() == n_mels_);
  const float* w = weights_;
  const float* p = power.data();
  for (std::size_t m = 0; m < n_mels_; ++m) {
    const MelBand band = bands_[m];
    const float* pb = p + band.first_bin;
    float acc = 0.0f;
    for (std::size_t j = 0; j < band.num_weights; ++j) acc += w[j] * pb[j];
    mel[m] = acc;
    w += band.num_weights;
  }
}

void MelFilterbank::dense_row(std::size_t m, Span<float> row) const noexcept {
  TINYSENSE_DCHECK(m < n_mels_ && row.size() == n_bins());
  for (float& v : row) v = 0.0f;
  const float* w = weights_;
  for (std::size_t i = 0; i < m; ++i) w += bands_[i].num_weights;
  const MelBand band = bands_[m];
  for (std::size_t j = 0; j < band.num_weights; ++j) row[band.first_bin + j] = w[j];
}

// ---- Log ---------------------------------------------------------------------------

void power_to_db(Span<const float> in, Span<float> out, float floor, float ref) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size() && floor > 0.0f);
  const float ref_db = 10.0f * std::log10(ref > floor ? ref : floor);
  const float* x = in.data();
  float* y = out.data();
  for (std::size_t i = 0, n = in.size(); i < n; ++i) {
    const float v = x[i] > floor ? x[i] : floor;
    y[i] = 10.0f * std::log10(v) - ref_db;
  }
}

void log_floor(Span<const float> in, Span<float> out, float floor) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size() && floor > 0.0f);
  const float* x = in.data();
  float* y = out.data();
  for (std::size_t i = 0, n = in.size(); i < n; ++i) y[i] = std::log(x[i] > floor ? x[i] : floor);
}

// ---- LogMelFrontend ---------------------------------------------------------------

Status LogMelFrontend::init(const Rfft& fft, Span<const float> window, const MelFilterbank& fb,
                            const LogConfig& log, Span<float> scratch,
                            Span<Complex32> spectrum) noexcept {
  *this = LogMelFrontend{};
  const std::size_t n = fft.size();
  if (n == 0 || !fb.initialized()) return Status::kNotInitialized;
  if (fb.n_fft() != n || window.size() != n) return Status::kSizeMismatch;
  if (log.type != LogType::kDecibel && log.type != LogType::kNatural) {
    return Status::kInvalidArgument;
  }
  if (!(log.floor > 0.0f) || !finite(log.floor)) return Status::kInvalidArgument;
  if (log.type == LogType::kDecibel && (!(log.ref > 0.0f) || !finite(log.ref))) {
    return Status::kInvalidArgument;
  }
  if (scratch.size() < scratch_floats(n) || spectrum.size() < scratch_bins(n)) {
    return Status::kNoMemory;
  }
  fft_ = &fft;
  window_ = window.data();
  fb_ = &fb;
  scratch_ = scratch.data();
  spectrum_ = spectrum.data();
  log_ = log;
  ref_db_ = 10.0f * std::log10(log.ref > log.floor ? log.ref : log.floor);
  n_fft_ = n;
  return Status::kOk;
}

void LogMelFrontend::process(Span<const float> frame, Span<float> out) noexcept {
  TINYSENSE_DCHECK(fb_ != nullptr && frame.size() == n_fft_ && out.size() == fb_->n_mels());
  const std::size_t bins = n_fft_ / 2 + 1;
  apply_window(frame, Span<const float>(window_, n_fft_), Span<float>(scratch_, n_fft_));
  fft_->forward(Span<const float>(scratch_, n_fft_), Span<Complex32>(spectrum_, bins));
  // The windowed frame is dead after the FFT: its buffer takes the power spectrum.
  power_spectrum(Span<const Complex32>(spectrum_, bins), Span<float>(scratch_, bins));
  fb_->apply(Span<const float>(scratch_, bins), out);
  float* y = out.data();
  const float floor = log_.floor;
  if (log_.type == LogType::kDecibel) {
    for (std::size_t m = 0, nm = out.size(); m < nm; ++m) {
      y[m] = 10.0f * std::log10(y[m] > floor ? y[m] : floor) - ref_db_;
    }
  } else {
    for (std::size_t m = 0, nm = out.size(); m < nm; ++m) y[m] = std::log(y[m] > floor ? y[m] : floor);
  }
}

Status LogMelFrontend::process_frames(Span<const float> x, std::size_t hop,
                                      Span<float> out) noexcept {
  if (fb_ == nullptr) return Status::kNotInitialized;
  if (hop == 0) return Status::kInvalidArgument;
  const std::size_t frames = num_frames(x.size(), n_fft_, hop);
  const std::size_t nm = fb_->n_mels();
  if (out.size() < frames * nm) return Status::kNoMemory;
  for (std::size_t t = 0; t < frames; ++t) {
    process(x.subspan(t * hop, n_fft_), out.subspan(t * nm, nm));
  }
  return Status::kOk;
}

}  // namespace tinysense::dsp
