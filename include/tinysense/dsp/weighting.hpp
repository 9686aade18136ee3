// IEC 61672-1 A and C frequency weighting as float32 biquad cascades.
//
// Accuracy: within 0.1 dB (measured < 0.02 dB) of the exact analog weighting
// of IEC 61672-1 (poles at 20.6, 107.7, 737.9 and 12194 Hz, 0 dB at 1 kHz)
// from 10 Hz to min(20 kHz, 0.4 fs), float32 coefficients included. A plain
// bilinear transform is several dB low near Nyquist (frequency warping);
// the coefficients add fitted correction sections. They are designed on the
// host by python/tinysense/design.py; the library has them built in for
// 16000, 22050, 32000, 44100, 48000 and 96000 Hz
// (src/dsp/weighting_table.inc). For any other rate, run
//   /usr/bin/python3 -m tinysense.design weighting A <rate>
// and pass the printed array to Weighting::init(sos, state).
//
// Streaming: state carries over process() calls; reset() zeroes it (scipy
// sosfilt with zi = 0). `in` may alias `out`.
#ifndef TINYSENSE_DSP_WEIGHTING_HPP
#define TINYSENSE_DSP_WEIGHTING_HPP

#include <array>
#include <cstddef>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/dsp/biquad.hpp"

namespace tinysense::dsp {

enum class WeightingType {
  kA,  // A-weighting (IEC 61672-1)
  kC,  // C-weighting (IEC 61672-1)
  kZ,  // zero (flat) weighting: out = in, no coefficients, no state
};

// Sections of the built-in cascades (checked against the table by static_assert).
constexpr std::size_t kWeightingSectionsA = 5;
constexpr std::size_t kWeightingSectionsC = 4;
// Largest section count accepted by Weighting::init(sos, state), built in or designed.
constexpr std::size_t kWeightingMaxSections = 8;

// Built-in coefficients for (type, sample_rate) in scipy sos layout, 6 floats
// per section; the rate matches a built-in one within 0.01 %. Empty span for
// kZ, an unknown type, or a rate that is not built in.
Span<const float> builtin_weighting_sos(WeightingType type, float sample_rate) noexcept;

// A, C or Z weighting filter: a Biquad over built-in or host-designed coefficients.
class Weighting {
 public:
  // State floats for a built-in type: 2 per section, 0 for kZ.
  static constexpr std::size_t state_len(WeightingType type) noexcept {
    return type == WeightingType::kA   ? Biquad::state_len(kWeightingSectionsA)
           : type == WeightingType::kC ? Biquad::state_len(kWeightingSectionsC)
                                       : 0;
  }
  // Enough state for any cascade this class accepts.
  static constexpr std::size_t kMaxStateLen = Biquad::state_len(kWeightingMaxSections);

  // Built-in coefficients. sample_rate in Hz.
  // kInvalidArgument: unknown type, or sample_rate not finite / not > 0.
  // kNotSupported: A or C at a rate that is not built in (16000, 22050,
  //   32000, 44100, 48000, 96000): design the coefficients with
  //   `python3 -m tinysense.design weighting A <rate>` and use init(sos, state).
  // kNoMemory: state.size() < state_len(type).
  // kZ accepts any positive rate and an empty state.
  [[nodiscard]] Status init(WeightingType type, float sample_rate, Span<float> state) noexcept;
  // Host-designed coefficients (python/tinysense/design.py), scipy sos layout;
  // kept by reference: must outlive the filter. 1..kWeightingMaxSections
  // sections (kSizeMismatch otherwise); other checks as Biquad::init.
  [[nodiscard]] Status init(Span<const float> sos, Span<float> state) noexcept;

  // Filters in.size() samples into out (out.size() == in.size()); requires a
  // successful init().
  void process(Span<const float> in, Span<float> out) noexcept;
  // Zeroes the filter state.
  void reset() noexcept;

  // Coefficients in use (empty for kZ): what the firmware actually runs.
  Span<const float> sos() const noexcept { return sos_; }
  // Section count (0 for kZ).
  std::size_t sections() const noexcept { return sos_.size() / kSosRowLen; }

 private:
  Biquad biquad_;
  Span<const float> sos_;
  bool ready_ = false;  // a successful init() happened
};

// Weighting with its own state storage, large enough for any accepted cascade.
class WeightingN : public Weighting {
 public:
  [[nodiscard]] Status init(WeightingType type, float sample_rate) noexcept {
    return Weighting::init(type, sample_rate, Span<float>(state_));
  }
  [[nodiscard]] Status init(Span<const float> sos) noexcept {
    return Weighting::init(sos, Span<float>(state_));
  }

 private:
  std::array<float, Weighting::kMaxStateLen> state_{};
};

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_WEIGHTING_HPP
