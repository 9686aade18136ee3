// Real FFT forward: tinysense Rfft / RfftQ15 vs KissFFT kiss_fftr and FFTW r2c.
//
// All three compute numpy.fft.rfft (unscaled forward, n/2 + 1 bins). KissFFT
// and FFTW are Debian's shared libraries (libkissfft-float, libfftw3f); FFTW
// uses FFTW_MEASURE for timing and FFTW_ESTIMATE under callgrind, where
// measuring would time the valgrind JIT instead of the CPU.
#include <fftw3.h>
#include <kiss_fftr.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cases.hpp"
#include "tinysense/dsp/fft.hpp"

namespace {

using tinysense::Span;
using tinysense::dsp::Complex32;
using tinysense::dsp::ComplexQ15;

constexpr std::uint32_t kSeed = 1234;

std::vector<Complex32> kiss_reference(const std::vector<float>& in) {
  const int n = static_cast<int>(in.size());
  kiss_fftr_cfg cfg = kiss_fftr_alloc(n, 0, nullptr, nullptr);
  std::vector<kiss_fft_cpx> out(in.size() / 2 + 1);
  kiss_fftr(cfg, in.data(), out.data());
  kiss_fftr_free(cfg);
  std::vector<Complex32> ref(out.size());
  for (std::size_t k = 0; k < out.size(); ++k) ref[k] = {out[k].r, out[k].i};
  return ref;
}

// sqrt(sum |got - ref|^2 / sum |ref|^2), in double.
double rel_rms_error(const std::vector<Complex32>& got, const std::vector<Complex32>& ref) {
  double num = 0.0;
  double den = 0.0;
  for (std::size_t k = 0; k < ref.size(); ++k) {
    const double dr = double{got[k].re} - double{ref[k].re};
    const double di = double{got[k].im} - double{ref[k].im};
    num += dr * dr + di * di;
    den += double{ref[k].re} * double{ref[k].re} + double{ref[k].im} * double{ref[k].im};
  }
  return std::sqrt(num / den);
}

class TinysenseRfft final : public tsbench::Case {
 public:
  explicit TinysenseRfft(std::size_t n)
      : in_(tsbench::noise_f32(n, kSeed)), out_(n / 2 + 1), tw_(tinysense::dsp::Rfft::twiddle_len(n)) {
    const auto s = fft_.init(n, Span<Complex32>(tw_.data(), tw_.size()));
    if (!tinysense::ok(s)) {
      error_ = std::string("Rfft::init: ") + tinysense::to_string(s);
      return;
    }
    run();
    const double err = rel_rms_error(out_, kiss_reference(in_));
    if (!(err < 1e-5)) error_ = "Rfft disagrees with KissFFT: rel RMS error " + std::to_string(err);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    fft_.forward(Span<const float>(in_.data(), in_.size()), Span<Complex32>(out_.data(), out_.size()));
  }

 private:
  std::vector<float> in_;
  std::vector<Complex32> out_;
  std::vector<Complex32> tw_;
  tinysense::dsp::Rfft fft_;
  std::string error_;
};

class TinysenseRfftQ15 final : public tsbench::Case {
 public:
  explicit TinysenseRfftQ15(std::size_t n)
      : in_(tsbench::noise_i16(n, kSeed, 16384)), out_(n / 2 + 1), tw_(tinysense::dsp::RfftQ15::twiddle_len(n)) {
    const auto s = fft_.init(n, Span<ComplexQ15>(tw_.data(), tw_.size()));
    if (!tinysense::ok(s)) {
      error_ = std::string("RfftQ15::init: ") + tinysense::to_string(s);
      return;
    }
    run();
    // Loose sanity bound only (block-scaled Q15 loses ~log2(n) bits); the
    // unit tests check it bit-exactly.
    std::vector<float> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(in_[i]) / 32768.0f;
    const auto ref = kiss_reference(x);
    std::vector<Complex32> got(out_.size());
    const float scale = static_cast<float>(n) / 32768.0f;
    for (std::size_t k = 0; k < got.size(); ++k) {
      got[k] = {static_cast<float>(out_[k].re) * scale, static_cast<float>(out_[k].im) * scale};
    }
    const double err = rel_rms_error(got, ref);
    if (!(err < 0.1)) error_ = "RfftQ15 disagrees with KissFFT: rel RMS error " + std::to_string(err);
  }
  std::string error() const override { return error_; }
  void run() noexcept override {
    fft_.forward(Span<const std::int16_t>(in_.data(), in_.size()), Span<ComplexQ15>(out_.data(), out_.size()));
  }

 private:
  std::vector<std::int16_t> in_;
  std::vector<ComplexQ15> out_;
  std::vector<ComplexQ15> tw_;
  tinysense::dsp::RfftQ15 fft_;
  std::string error_;
};

class KissRfft final : public tsbench::Case {
 public:
  explicit KissRfft(std::size_t n)
      : in_(tsbench::noise_f32(n, kSeed)), out_(n / 2 + 1),
        cfg_(kiss_fftr_alloc(static_cast<int>(n), 0, nullptr, nullptr)) {
    if (cfg_ == nullptr) error_ = "kiss_fftr_alloc failed";
  }
  ~KissRfft() override { kiss_fftr_free(cfg_); }
  KissRfft(const KissRfft&) = delete;
  KissRfft& operator=(const KissRfft&) = delete;
  std::string error() const override { return error_; }
  void run() noexcept override { kiss_fftr(cfg_, in_.data(), out_.data()); }

 private:
  std::vector<float> in_;
  std::vector<kiss_fft_cpx> out_;
  kiss_fftr_cfg cfg_;
  std::string error_;
};

class FftwRfft final : public tsbench::Case {
 public:
  FftwRfft(std::size_t n, unsigned flags)
      : in_(static_cast<float*>(fftwf_malloc(n * sizeof(float)))),
        out_(static_cast<fftwf_complex*>(fftwf_malloc((n / 2 + 1) * sizeof(fftwf_complex)))) {
    // FFTW_MEASURE overwrites the arrays while planning: fill them after.
    plan_ = fftwf_plan_dft_r2c_1d(static_cast<int>(n), in_, out_, flags);
    if (plan_ == nullptr) {
      error_ = "fftwf_plan_dft_r2c_1d failed";
      return;
    }
    const auto x = tsbench::noise_f32(n, kSeed);
    for (std::size_t i = 0; i < n; ++i) in_[i] = x[i];
    run();
    std::vector<Complex32> got(n / 2 + 1);
    for (std::size_t k = 0; k < got.size(); ++k) got[k] = {out_[k][0], out_[k][1]};
    const double err = rel_rms_error(got, kiss_reference(x));
    if (!(err < 1e-5)) error_ = "FFTW disagrees with KissFFT: rel RMS error " + std::to_string(err);
  }
  ~FftwRfft() override {
    if (plan_ != nullptr) fftwf_destroy_plan(plan_);
    fftwf_free(out_);
    fftwf_free(in_);
  }
  FftwRfft(const FftwRfft&) = delete;
  FftwRfft& operator=(const FftwRfft&) = delete;
  std::string error() const override { return error_; }
  void run() noexcept override { fftwf_execute(plan_); }

 private:
  float* in_;
  fftwf_complex* out_;
  fftwf_plan plan_ = nullptr;
  std::string error_;
};

std::vector<tsbench::CaseSpec> fft_specs() {
  std::vector<tsbench::CaseSpec> specs;
  for (const std::size_t n : {std::size_t{256}, std::size_t{1024}, std::size_t{4096}}) {
    const std::string p = std::to_string(n);
    const std::size_t fb = n * sizeof(float);
    specs.push_back({"rfft_f32", "tinysense", p, n, fb, tsbench::kBoth,
                     [n] { return std::make_unique<TinysenseRfft>(n); }});
    specs.push_back({"rfft_f32", "kissfft", p, n, fb, tsbench::kBoth,
                     [n] { return std::make_unique<KissRfft>(n); }});
    specs.push_back({"rfft_f32", "fftw_measure", p, n, fb, tsbench::kTime,
                     [n] { return std::make_unique<FftwRfft>(n, FFTW_MEASURE); }});
    specs.push_back({"rfft_f32", "fftw_estimate", p, n, fb, tsbench::kIcount,
                     [n] { return std::make_unique<FftwRfft>(n, FFTW_ESTIMATE); }});
    specs.push_back({"rfft_q15", "tinysense", p, n, n * sizeof(std::int16_t), tsbench::kBoth,
                     [n] { return std::make_unique<TinysenseRfftQ15>(n); }});
  }
  return specs;
}

const tsbench::Registrar kRegistrar(fft_specs());

}  // namespace
