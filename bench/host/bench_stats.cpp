// Signal statistics: tinysense rms() and features() on float32 and int16, with
// a one-accumulator loop as the straightforward baseline for rms.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "cases.hpp"
#include "tinysense/dsp/stats.hpp"

namespace {

using tinysense::Span;

constexpr std::size_t kLen = 2048;
constexpr std::uint32_t kSeed = 7;

double rms_reference(const std::vector<float>& x) {
  double acc = 0.0;
  for (const float v : x) acc += double{v} * double{v};
  return std::sqrt(acc / static_cast<double>(x.size()));
}

template <class T>
std::string check_rms(float got, const std::vector<T>& x) {
  std::vector<float> xf(x.begin(), x.end());
  const double ref = rms_reference(xf);
  const double err = std::fabs(double{got} - ref) / ref;
  if (!(err < 1e-5)) return "rms disagrees with the float64 reference: rel error " + std::to_string(err);
  return {};
}

class RmsF32 final : public tsbench::Case {
 public:
  RmsF32() : x_(tsbench::noise_f32(kLen, kSeed)) {
    run();
    error_ = check_rms(out_, x_);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    static_cast<void>(tinysense::dsp::rms(Span<const float>(x_.data(), x_.size()), &out_));
  }

 private:
  std::vector<float> x_;
  float out_ = 0.0f;
  std::string error_;
};

class RmsI16 final : public tsbench::Case {
 public:
  RmsI16() : x_(tsbench::noise_i16(kLen, kSeed, 16384)) {
    run();
    error_ = check_rms(out_, x_);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    static_cast<void>(tinysense::dsp::rms(Span<const std::int16_t>(x_.data(), x_.size()), &out_));
  }

 private:
  std::vector<std::int16_t> x_;
  float out_ = 0.0f;
  std::string error_;
};

// sqrt(sum(x^2) / n) with one float accumulator: strict IEEE order keeps the
// compiler from vectorising it, which is the point of the comparison.
class NaiveRmsF32 final : public tsbench::Case {
 public:
  NaiveRmsF32() : x_(tsbench::noise_f32(kLen, kSeed)) {}
  void run() noexcept override {
    float acc = 0.0f;
    for (const float v : x_) acc += v * v;
    out_ = std::sqrt(acc / static_cast<float>(x_.size()));
  }

 private:
  std::vector<float> x_;
  float out_ = 0.0f;
};

class NaiveRmsI16 final : public tsbench::Case {
 public:
  NaiveRmsI16() : x_(tsbench::noise_i16(kLen, kSeed, 16384)) {}
  void run() noexcept override {
    std::int64_t acc = 0;
    for (const std::int16_t v : x_) acc += std::int32_t{v} * std::int32_t{v};
    out_ = static_cast<float>(std::sqrt(static_cast<double>(acc) / static_cast<double>(x_.size())));
  }

 private:
  std::vector<std::int16_t> x_;
  float out_ = 0.0f;
};

template <class T>
class FeaturesCase final : public tsbench::Case {
 public:
  FeaturesCase() : x_(make()) {
    const auto s = tinysense::dsp::features(Span<const T>(x_.data(), x_.size()), &out_);
    if (!tinysense::ok(s)) error_ = std::string("features: ") + tinysense::to_string(s);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    static_cast<void>(tinysense::dsp::features(Span<const T>(x_.data(), x_.size()), &out_));
  }

 private:
  static std::vector<T> make() {
    if constexpr (std::is_same_v<T, float>) {
      return tsbench::noise_f32(kLen, kSeed);
    } else {
      return tsbench::noise_i16(kLen, kSeed, 16384);
    }
  }
  std::vector<T> x_;
  tinysense::dsp::Features out_{};
  std::string error_;
};

const std::string kParam = std::to_string(kLen);
constexpr std::size_t kF32Bytes = kLen * sizeof(float);
constexpr std::size_t kI16Bytes = kLen * sizeof(std::int16_t);

const tsbench::Registrar kRegistrar({
    {"rms_f32", "tinysense", kParam, kLen, kF32Bytes, tsbench::kBoth, [] { return std::make_unique<RmsF32>(); }},
    {"rms_f32", "naive_loop", kParam, kLen, kF32Bytes, tsbench::kBoth,
     [] { return std::make_unique<NaiveRmsF32>(); }},
    {"rms_i16", "tinysense", kParam, kLen, kI16Bytes, tsbench::kBoth, [] { return std::make_unique<RmsI16>(); }},
    {"rms_i16", "naive_loop", kParam, kLen, kI16Bytes, tsbench::kBoth,
     [] { return std::make_unique<NaiveRmsI16>(); }},
    {"features_f32", "tinysense", kParam, kLen, kF32Bytes, tsbench::kBoth,
     [] { return std::make_unique<FeaturesCase<float>>(); }},
    {"features_i16", "tinysense", kParam, kLen, kI16Bytes, tsbench::kBoth,
     [] { return std::make_unique<FeaturesCase<std::int16_t>>(); }},
});

}  // namespace
