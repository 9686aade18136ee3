// Biquad cascades: tinysense Biquad (f32, TDF-II) and BiquadQ15 (DF-I, 64-bit
// accumulator), 4 sections x 2000 samples per call, plus a plain TDF-II loop
// written here as the "what a straightforward implementation costs" baseline.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cases.hpp"
#include "tinysense/dsp/biquad.hpp"

namespace {

using tinysense::Span;

constexpr std::size_t kSections = 4;
constexpr std::size_t kBlock = 2000;
constexpr std::uint32_t kSeed = 99;

// scipy.signal.butter(8, 0.1, output="sos") with the gain spread evenly over
// the four sections (so the Q15 version keeps its precision), as float32.
constexpr float kSos[kSections * 6] = {
    0.0204897001f, 0.0409794003f, 0.0204897001f, 1.0f, -1.45970631f, 0.534825981f,
    0.0204897001f, 0.0409794003f, 0.0204897001f, 1.0f, -1.51329076f, 0.591168046f,
    0.0204897001f, 0.0409794003f, 0.0204897001f, 1.0f, -1.62340569f, 0.70694977f,
    0.0204897001f, 0.0409794003f, 0.0204897001f, 1.0f, -1.79396188f, 0.8862831f,
};

// Plain transposed direct form II, float, state carried across calls.
void naive_df2t(const float* sos, std::size_t sections, float* state, const float* in, float* out,
                std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    float x = in[i];
    for (std::size_t s = 0; s < sections; ++s) {
      const float* c = sos + 6 * s;
      float* z = state + 2 * s;
      const float y = c[0] * x + z[0];
      z[0] = c[1] * x - c[4] * y + z[1];
      z[1] = c[2] * x - c[5] * y;
      x = y;
    }
    out[i] = x;
  }
}

std::vector<float> naive_filter(const std::vector<float>& x) {
  std::vector<float> state(2 * kSections, 0.0f);
  std::vector<float> y(x.size());
  naive_df2t(kSos, kSections, state.data(), x.data(), y.data(), x.size());
  return y;
}

double rel_rms_error(const std::vector<float>& got, const std::vector<float>& ref) {
  double num = 0.0;
  double den = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double d = double{got[i]} - double{ref[i]};
    num += d * d;
    den += double{ref[i]} * double{ref[i]};
  }
  return std::sqrt(num / den);
}

class TinysenseBiquad final : public tsbench::Case {
 public:
  TinysenseBiquad() : in_(tsbench::noise_f32(kBlock, kSeed)), out_(kBlock) {
    const auto s = filt_.init(Span<const float>(kSos, kSections * 6));
    if (!tinysense::ok(s)) {
      error_ = std::string("Biquad::init: ") + tinysense::to_string(s);
      return;
    }
    run();
    const double err = rel_rms_error(out_, naive_filter(in_));
    if (!(err < 1e-4)) error_ = "Biquad disagrees with the TDF-II loop: rel RMS error " + std::to_string(err);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    filt_.process(Span<const float>(in_.data(), in_.size()), Span<float>(out_.data(), out_.size()));
  }

 private:
  std::vector<float> in_;
  std::vector<float> out_;
  tinysense::dsp::BiquadN<kSections> filt_;
  std::string error_;
};

class TinysenseBiquadQ15 final : public tsbench::Case {
 public:
  TinysenseBiquadQ15() : in_(tsbench::noise_i16(kBlock, kSeed, 16384)), out_(kBlock), sos_(kSections * 6) {
    int post_shift = 0;
    auto s = tinysense::dsp::sos_to_q15(Span<const float>(kSos, kSections * 6),
                                         Span<std::int16_t>(sos_.data(), sos_.size()), &post_shift);
    if (tinysense::ok(s)) s = filt_.init(Span<const std::int16_t>(sos_.data(), sos_.size()), post_shift);
    if (!tinysense::ok(s)) {
      error_ = std::string("BiquadQ15 setup: ") + tinysense::to_string(s);
      return;
    }
    run();
    // Loose sanity bound against the float filter; the unit tests are bit-exact.
    std::vector<float> x(kBlock);
    std::vector<float> got(kBlock);
    for (std::size_t i = 0; i < kBlock; ++i) {
      x[i] = static_cast<float>(in_[i]) / 32768.0f;
      got[i] = static_cast<float>(out_[i]) / 32768.0f;
    }
    const double err = rel_rms_error(got, naive_filter(x));
    if (!(err < 0.05)) error_ = "BiquadQ15 disagrees with the float filter: rel RMS error " + std::to_string(err);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    filt_.process(Span<const std::int16_t>(in_.data(), in_.size()),
                  Span<std::int16_t>(out_.data(), out_.size()));
  }

 private:
  std::vector<std::int16_t> in_;
  std::vector<std::int16_t> out_;
  std::vector<std::int16_t> sos_;
  tinysense::dsp::BiquadQ15N<kSections> filt_;
  std::string error_;
};

class NaiveBiquad final : public tsbench::Case {
 public:
  NaiveBiquad() : in_(tsbench::noise_f32(kBlock, kSeed)), out_(kBlock), state_(2 * kSections, 0.0f) {}
  void run() noexcept override {
    naive_df2t(kSos, kSections, state_.data(), in_.data(), out_.data(), in_.size());
  }

 private:
  std::vector<float> in_;
  std::vector<float> out_;
  std::vector<float> state_;
};

const std::string kParam = std::to_string(kSections) + "x" + std::to_string(kBlock);

const tsbench::Registrar kRegistrar({
    {"biquad_f32", "tinysense", kParam, kBlock, kBlock * sizeof(float), tsbench::kBoth,
     [] { return std::make_unique<TinysenseBiquad>(); }},
    {"biquad_f32", "naive_df2t", kParam, kBlock, kBlock * sizeof(float), tsbench::kBoth,
     [] { return std::make_unique<NaiveBiquad>(); }},
    {"biquad_q15", "tinysense", kParam, kBlock, kBlock * sizeof(std::int16_t), tsbench::kBoth,
     [] { return std::make_unique<TinysenseBiquadQ15>(); }},
});

}  // namespace
