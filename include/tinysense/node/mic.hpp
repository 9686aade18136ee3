// I2S / PCM microphone block reader: raw int16 or MSB-aligned int32 samples
// to float in [-1, 1), DC removal, block-wise streaming.
//
// Conversion (exact in float32 for up to 24 valid bits):
//   int16:  x / 32768                       (numpy: x.astype(float32) / 32768)
//   int32:  (x & ~(2^(32 - valid_bits) - 1)) / 2^31
// i.e. the bits below the microphone's resolution (noise on INMP441 /
// SPH0645 frames) are cleared, never rounded in.
// DC removal: the first-order Butterworth high-pass of scipy, with -3 dB at
// dc_cutoff_hz (bilinear transform with pre-warping):
//   b, a = scipy.signal.butter(1, dc_cutoff_hz, 'highpass', fs=sample_rate_hz)
//   y = scipy.signal.lfilter(b, a, x)          (initial state zero)
// where b = [k, -k], a = [1, -p], p = (1 - tan(pi fc / fs)) / (1 + tan(pi fc / fs)),
// k = (1 + p) / 2 (unity gain at Nyquist, a zero at DC). MEMS microphones
// have a DC offset (the SPH0645 a large one) and their useful band starts at
// 20..100 Hz, so fc = 20 Hz is a good default; 0 disables the filter.
#ifndef TINYSENSE_NODE_MIC_HPP
#define TINYSENSE_NODE_MIC_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {

// int16 -> float, x / 32768. in and out have the same length.
void pcm16_to_float(Span<const std::int16_t> in, Span<float> out) noexcept;
// MSB-aligned int32 -> float with `valid_bits` (1..32) significant bits (see above).
void pcm32_to_float(Span<const std::int32_t> in, int valid_bits, Span<float> out) noexcept;

// First-order DC-blocking high-pass (coefficients as above), streaming:
// the state carries over calls; in may alias out exactly.
class DcBlocker {
 public:
  // Errors: kInvalidArgument unless 0 < cutoff_hz < sample_rate_hz / 2.
  [[nodiscard]] Status init(float cutoff_hz, float sample_rate_hz) noexcept;
  // y[n] = k (x[n] - x[n-1]) + p y[n-1]; out.size() must equal in.size().
  void process(Span<const float> in, Span<float> out) noexcept;
  void reset() noexcept { x1_ = y1_ = 0.0f; }
  float k() const noexcept { return k_; }
  float p() const noexcept { return p_; }

 private:
  float k_ = 1.0f, p_ = 0.0f, x1_ = 0.0f, y1_ = 0.0f;
};

struct MicConfig {
  float sample_rate_hz = 16000.0f;
  float dc_cutoff_hz = 20.0f;  // 0 disables DC removal
  int valid_bits = 24;  // int32 sources: 24 (INMP441, ICS-43434), 18 (SPH0645); ignored for int16
};

// Reads a PcmSource block by block into float, converts and filters. No
// scratch memory: raw samples are read into the caller's output buffer and
// converted in place (int16 from the back, so nothing is overwritten before
// it is read). Streaming: any split of the output into blocks gives the
// same samples, bit for bit.
class MicReader {
 public:
  // source: kept by value (its context must outlive the reader).
  // Errors: kInvalidArgument (null read callback, format out of enum,
  // valid_bits outside 1..32 for int32, bad cutoff as DcBlocker::init).
  [[nodiscard]] Status init(const PcmSource& source, const MicConfig& config) noexcept;
  // Fills `out` with up to out.size() samples and stores the count in
  // *got; fewer when the source has no more ready (it returned 0). Errors:
  // kNotInitialized, kInvalidArgument (null got), the source's error (the
  // samples converted before it are still counted in *got).
  [[nodiscard]] Status read(Span<float> out, std::size_t* got) noexcept;
  // Restarts the DC filter (e.g. after a gap in the stream).
  void reset() noexcept { dc_.reset(); }

 private:
  PcmSource source_{};
  DcBlocker dc_;
  int valid_bits_ = 24;
  bool filter_ = false;
  bool ready_ = false;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_MIC_HPP
