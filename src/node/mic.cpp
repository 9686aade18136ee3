#include "tinysense/node/mic.hpp"

#include <cmath>
#include <cstring>

namespace tinysense::node {

void pcm16_to_float(Span<const std::int16_t> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size());
  for (std::size_t i = 0; i < in.size(); ++i)
    out[i] = static_cast<float>(in[i]) * (1.0f / 32768.0f);
}

namespace {
std::uint32_t valid_mask(int valid_bits) noexcept {
  return valid_bits >= 32 ? 0xFFFFFFFFu : ~((std::uint32_t{1} << (32 - valid_bits)) - 1u);
}
float pcm32_one(std::int32_t x, std::uint32_t mask) noexcept {
  return static_cast<float>(static_cast<std::int32_t>(static_cast<std::uint32_t>(x) & mask)) *
         (1.0f / 2147483648.0f);
}
}  // namespace

void pcm32_to_float(Span<const std::int32_t> in, int valid_bits, Span<float> out) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size());
  const std::uint32_t mask = valid_mask(valid_bits);
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = pcm32_one(in[i], mask);
}

Status DcBlocker::init(float cutoff_hz, float sample_rate_hz) noexcept {
  if (!(sample_rate_hz > 0.0f) || !(cutoff_hz > 0.0f) || !(cutoff_hz < 0.5f * sample_rate_hz)) {
    return Status::kInvalidArgument;
  }
  // Coefficients in double (once, at init) so they equal scipy's float64
  // design rounded to float.
  const double w = std::tan(3.14159265358979323846 * static_cast<double>(cutoff_hz) /
                            static_cast<double>(sample_rate_hz));
  const double p = (1.0 - w) / (1.0 + w);
  p_ = static_cast<float>(p);
  k_ = static_cast<float>(0.5 * (1.0 + p));
  reset();
  return Status::kOk;
}

void DcBlocker::process(Span<const float> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(in.size() == out.size());
  float x1 = x1_, y1 = y1_;
  const float k = k_, p = p_;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const float x = in[i];
    const float y = k * (x - x1) + p * y1;
    x1 = x;
    y1 = y;
    out[i] = y;
  }
  x1_ = x1;
  y1_ = y1;
}

Status MicReader::init(const PcmSource& source, const MicConfig& config) noexcept {
  ready_ = false;
  if (source.read == nullptr) return Status::kInvalidArgument;
  if (source.format != PcmFormat::kInt16 && source.format != PcmFormat::kInt32) {
    return Status::kInvalidArgument;
  }
  if (source.format == PcmFormat::kInt32 && (config.valid_bits < 1 || config.valid_bits > 32)) {
    return Status::kInvalidArgument;
  }
  filter_ = config.dc_cutoff_hz != 0.0f;
  if (filter_) TINYSENSE_TRY(dc_.init(config.dc_cutoff_hz, config.sample_rate_hz));
  source_ = source;
  valid_bits_ = config.valid_bits;
  ready_ = true;
  return Status::kOk;
}

Status MicReader::read(Span<float> out, std::size_t* got) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (got == nullptr) return Status::kInvalidArgument;
  *got = 0;
  std::size_t filled = 0;
  while (filled < out.size()) {
    const std::size_t want = out.size() - filled;
    float* block = out.data() + filled;
    std::size_t n = 0;
    const Status s = status_from_int(source_.read(source_.ctx, block, want, &n));
    if (!ok(s)) return s;
    if (n > want) return Status::kIoError;  // a source that overruns the buffer is broken
    if (n == 0) break;
    // The raw samples occupy the start of `block`; convert them in place.
    // Reading through memcpy keeps this free of type-punning problems.
    auto* bytes = reinterpret_cast<unsigned char*>(block);
    if (source_.format == PcmFormat::kInt16) {
      for (std::size_t i = n; i-- > 0;) {  // back to front: float i lands at or after int16 i
        std::int16_t v;
        std::memcpy(&v, bytes + 2 * i, sizeof v);
        const float f = static_cast<float>(v) * (1.0f / 32768.0f);
        std::memcpy(bytes + 4 * i, &f, sizeof f);
      }
    } else {
      const std::uint32_t mask = valid_mask(valid_bits_);
      for (std::size_t i = 0; i < n; ++i) {
        std::int32_t v;
        std::memcpy(&v, bytes + 4 * i, sizeof v);
        const float f = pcm32_one(v, mask);
        std::memcpy(bytes + 4 * i, &f, sizeof f);
      }
    }
    if (filter_) dc_.process(Span<const float>(block, n), Span<float>(block, n));
    filled += n;
    *got = filled;
  }
  return Status::kOk;
}

}  // namespace tinysense::node
