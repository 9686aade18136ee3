// Mel filterbank and log-mel frontend, librosa conventions.
//
// MelFilterbank is librosa.filters.mel(sr=, n_fft=, n_mels=, fmin=, fmax=,
// htk=, norm=) stored sparsely: for each band its first FFT bin and its
// non-zero weights only (a triangle covers a few bins, so 40 bands over 257
// bins keep ~500 weights instead of 10280). apply() maps a power spectrum
// (n_fft/2 + 1 bins, |numpy.fft.rfft(frame)|**2) to n_mels energies, exactly
// `weights @ power`. The weights are computed once in init() in double
// (software-emulated on Cortex-M4F: init costs ~1e5 cycles, process nothing).
//
// LogMelFrontend composes window -> Rfft -> power spectrum -> filterbank -> log
// over one frame of n_fft samples, the per-frame body of
// librosa.feature.melspectrogram(center=False, power=2) + power_to_db(top_db=None).
#ifndef TINYSENSE_DSP_MEL_HPP
#define TINYSENSE_DSP_MEL_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/window.hpp"

namespace tinysense::dsp {

// Hz <-> mel mapping (librosa htk=False / htk=True).
enum class MelScale {
  kSlaney,  // librosa default: linear below 1 kHz (3 bands per 200 Hz), log above
  kHtk,     // 2595 log10(1 + f / 700)
};

// Band normalisation (librosa norm=).
enum class MelNorm {
  kNone,    // norm=None: triangles peak at 1
  kSlaney,  // norm='slaney' (librosa default): each triangle scaled by 2 / (f[m+2] - f[m]), equal area
};

// Filterbank parameters, librosa.filters.mel argument names and defaults
// except n_mels (librosa: 128) and fmax (0 here means librosa's fmax=None, sr / 2).
struct MelConfig {
  float sample_rate = 16000.0f;  // Hz, > 0
  std::size_t n_fft = 512;       // power of two in [kFftMinSize, kFftMaxSize]
  std::size_t n_mels = 40;       // >= 1
  float fmin = 0.0f;             // Hz, 0 <= fmin < fmax
  float fmax = 0.0f;             // Hz, <= sample_rate / 2; 0 selects sample_rate / 2
  MelScale scale = MelScale::kSlaney;
  MelNorm norm = MelNorm::kSlaney;
};

// librosa.hz_to_mel(hz, htk=) for one value, in double.
double hz_to_mel(double hz, MelScale scale) noexcept;
// librosa.mel_to_hz(mel, htk=) for one value, in double.
double mel_to_hz(double mel, MelScale scale) noexcept;
// librosa.mel_frequencies(n, fmin=, fmax=, htk=) written to out (out.size() = n):
// n mel-spaced frequencies in Hz from fmin to fmax (numpy.linspace in mel).
void mel_frequencies(double fmin, double fmax, MelScale scale, Span<double> out) noexcept;

// One band of the sparse filterbank: weights for bins first_bin ..
// first_bin + num_weights - 1 (num_weights 0: an empty band, energy 0, as
// librosa's "empty filters" when n_mels is large for n_fft).
struct MelBand {
  std::uint16_t first_bin;
  std::uint16_t num_weights;
};

// Sparse mel filterbank over caller-provided storage (bands: n_mels MelBand;
// weights: weights_len(cfg) floats, bounded by max_weights_len(n_fft)).
// Owns nothing; the storage must outlive the object.
class MelFilterbank {
 public:
  // Upper bound of the non-zero weights for any config with this n_fft: a
  // frequency lies strictly inside at most two consecutive triangles, so each
  // of the n_fft/2 + 1 bins has at most two non-zero weights.
  static constexpr std::size_t max_weights_len(std::size_t n_fft) noexcept {
    return 2 * (n_fft / 2 + 1);
  }

  // Exact number of non-zero weights of cfg (ask the size, then give the memory).
  // Same validation as init() except storage.
  [[nodiscard]] static Status weights_len(const MelConfig& cfg, std::size_t* out) noexcept;

  // Checks cfg (kInvalidArgument: sample_rate <= 0 or not finite, n_fft not a
  // valid FFT size, n_mels 0 or > 65535, fmin < 0, fmin >= fmax,
  // fmax > sample_rate / 2), then storage (kNoMemory: bands.size() < n_mels or
  // weights.size() < weights_len(cfg)), then fills bands and weights.
  // On failure the object is left uninitialised.
  [[nodiscard]] Status init(const MelConfig& cfg, Span<MelBand> bands, Span<float> weights) noexcept;

  // mel[m] = sum_k W[m, k] power[k]: power has n_bins() elements, mel n_mels().
  // mel must not alias power.
  void apply(Span<const float> power, Span<float> mel) const noexcept;

  // Dense row m of the weight matrix (n_bins() floats, zeros off the band).
  void dense_row(std::size_t m, Span<float> row) const noexcept;

  bool initialized() const noexcept { return n_mels_ != 0; }
  std::size_t n_fft() const noexcept { return n_fft_; }
  std::size_t n_bins() const noexcept { return n_fft_ / 2 + 1; }
  std::size_t n_mels() const noexcept { return n_mels_; }
  std::size_t num_weights() const noexcept { return n_weights_; }
  Span<const MelBand> bands() const noexcept { return Span<const MelBand>(bands_, n_mels_); }
  Span<const float> weights() const noexcept { return Span<const float>(weights_, n_weights_); }

 private:
  const MelBand* bands_ = nullptr;
  const float* weights_ = nullptr;
  std::size_t n_fft_ = 0;
  std::size_t n_mels_ = 0;
  std::size_t n_weights_ = 0;
};

// Owning variant: storage for NMels bands and the worst-case weights inside.
// Not copyable (the base points into this object).
template <std::size_t NFft, std::size_t NMels>
class MelFilterbankN : public MelFilterbank {
  static_assert(is_valid_fft_size(NFft), "n_fft must be a power of two in [16, 4096]");
  static_assert(NMels >= 1 && NMels <= 65535, "n_mels must be in [1, 65535]");

 public:
  MelFilterbankN() = default;
  MelFilterbankN(const MelFilterbankN&) = delete;
  MelFilterbankN& operator=(const MelFilterbankN&) = delete;

  // cfg.n_fft and cfg.n_mels must equal NFft and NMels (kSizeMismatch).
  [[nodiscard]] Status init(const MelConfig& cfg) noexcept {
    if (cfg.n_fft != NFft || cfg.n_mels != NMels) return Status::kSizeMismatch;
    return MelFilterbank::init(cfg, Span<MelBand>(band_store_), Span<float>(weight_store_));
  }

 private:
  std::array<MelBand, NMels> band_store_{};
  std::array<float, max_weights_len(NFft)> weight_store_{};
};

// ---- Log compression -----------------------------------------------------------

enum class LogType {
  kDecibel,  // librosa.power_to_db(S, ref=ref, amin=floor, top_db=None)
  kNatural,  // numpy.log(numpy.maximum(S, floor))
};

struct LogConfig {
  LogType type = LogType::kDecibel;
  float floor = 1e-10f;  // > 0: librosa's amin (dB) or the epsilon clamp (natural log)
  float ref = 1.0f;      // dB only: 0 dB level, > 0 (librosa ref as a number)
};

// out[i] = 10 log10(max(floor, in[i])) - 10 log10(max(floor, ref)):
// librosa.power_to_db with top_db=None (top_db needs the whole spectrogram,
// which a streaming frontend never has). floor > 0. in may alias out.
void power_to_db(Span<const float> in, Span<float> out, float floor = 1e-10f,
                 float ref = 1.0f) noexcept;
// out[i] = log(max(in[i], floor)), natural log; floor > 0. in may alias out.
void log_floor(Span<const float> in, Span<float> out, float floor) noexcept;

// ---- Frontend --------------------------------------------------------------------

// One log-mel frame per call: out = log(fb.apply(|rfft(frame * window)|^2)).
// Owns nothing: it borrows an initialised Rfft, the window (n_fft floats, e.g.
// make_window(kHann, kPeriodic) as librosa's default 'hann'), an initialised
// MelFilterbank and two scratch buffers, all of which must outlive it.
// Streaming: call process() on frames [t * hop, t * hop + n_fft) of the
// signal (librosa center=False framing), or process_frames() on a block.
class LogMelFrontend {
 public:
  // Scratch sizes for n_fft: floats (the windowed frame, then the power
  // spectrum) and Complex32 bins (the spectrum).
  static constexpr std::size_t scratch_floats(std::size_t n_fft) noexcept { return n_fft; }
  static constexpr std::size_t scratch_bins(std::size_t n_fft) noexcept { return n_fft / 2 + 1; }

  // kNotInitialized: fft or fb not initialised; kSizeMismatch: fft.size(),
  // window.size() and fb.n_fft() disagree; kInvalidArgument: log.floor <= 0,
  // log.ref <= 0 or not finite, unknown log type; kNoMemory: short scratch.
  [[nodiscard]] Status init(const Rfft& fft, Span<const float> window, const MelFilterbank& fb,
                            const LogConfig& log, Span<float> scratch,
                            Span<Complex32> spectrum) noexcept;

  // frame: n_fft() samples (not modified); out: n_mels() values.
  void process(Span<const float> frame, Span<float> out) noexcept;

  // Frames of n_fft() samples every `hop` samples of x (the last partial
  // frame is dropped); out holds num_frames(x.size(), n_fft(), hop) * n_mels()
  // values, frame-major. kInvalidArgument: hop == 0; kNoMemory: out too small.
  [[nodiscard]] Status process_frames(Span<const float> x, std::size_t hop,
                                      Span<float> out) noexcept;

  static constexpr std::size_t num_frames(std::size_t n, std::size_t n_fft,
                                          std::size_t hop) noexcept {
    return (hop == 0 || n < n_fft) ? 0 : 1 + (n - n_fft) / hop;
  }

  std::size_t n_fft() const noexcept { return n_fft_; }
  std::size_t n_mels() const noexcept { return fb_ != nullptr ? fb_->n_mels() : 0; }

 private:
  const Rfft* fft_ = nullptr;
  const float* window_ = nullptr;
  const MelFilterbank* fb_ = nullptr;
  float* scratch_ = nullptr;
  Complex32* spectrum_ = nullptr;
  LogConfig log_{};
  float ref_db_ = 0.0f;
  std::size_t n_fft_ = 0;
};

// Owning variant: FFT twiddles, window, filterbank and scratch inside
// (about 4 * (3 NFft + NMels) bytes plus the weights). Not copyable.
template <std::size_t NFft, std::size_t NMels>
class LogMelFrontendN : public LogMelFrontend {
 public:
  LogMelFrontendN() = default;
  LogMelFrontendN(const LogMelFrontendN&) = delete;
  LogMelFrontendN& operator=(const LogMelFrontendN&) = delete;

  // mel.n_fft / mel.n_mels must equal NFft / NMels (kSizeMismatch).
  [[nodiscard]] Status init(const MelConfig& mel, WindowType window = WindowType::kHann,
                            const LogConfig& log = LogConfig{}) noexcept {
    TINYSENSE_TRY(fft_store_.init());
    TINYSENSE_TRY(make_window(window, WindowSymmetry::kPeriodic, Span<float>(window_store_)));
    TINYSENSE_TRY(fb_store_.init(mel));
    return LogMelFrontend::init(fft_store_, Span<const float>(window_store_), fb_store_, log,
                                Span<float>(scratch_store_), Span<Complex32>(spectrum_store_));
  }

 private:
  RfftN<NFft> fft_store_;
  MelFilterbankN<NFft, NMels> fb_store_;
  std::array<float, NFft> window_store_{};
  std::array<float, scratch_floats(NFft)> scratch_store_{};
  std::array<Complex32, scratch_bins(NFft)> spectrum_store_{};
};

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_MEL_HPP
