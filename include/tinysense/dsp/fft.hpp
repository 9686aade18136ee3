// FFT: complex and real transforms, float32 and Q15, numpy.fft conventions.
//
// Sizes: powers of two from 16 to 4096 (kFftMinSize..kFftMaxSize).
// Memory: the caller provides the twiddle table (twiddle_len(n) elements, which
// is n/2 for every transform); init() computes it in C++ (no precomputed
// tables in flash) and the object keeps a pointer to it, so the table must
// outlive the object. The owning variants ComplexFftN<N> / RfftN<N> /
// RfftQ15N<N> hold their own table (they cannot be copied, as the copy would
// point into the original). No transform needs any other memory.
// Scaling (float): forward is unscaled, inverse divides by n, exactly as
// numpy.fft.fft/ifft and numpy.fft.rfft/irfft (norm="backward").
// Bad input: init() validates n and the table; forward()/inverse() trust their
// arguments (sizes are checked by TINYSENSE_DCHECK in debug builds only).
// Algorithm, accuracy and speed: see the notes at the top of src/dsp/fft.cpp.
#ifndef TINYSENSE_DSP_FFT_HPP
#define TINYSENSE_DSP_FFT_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "tinysense/core/fixed_point.hpp"
#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::dsp {

constexpr std::size_t kFftMinSize = 16;
constexpr std::size_t kFftMaxSize = 4096;

// Layout-compatible with numpy.complex64 and std::complex<float>.
struct Complex32 {
  float re;
  float im;
};
static_assert(sizeof(Complex32) == 2 * sizeof(float), "Complex32 must be two packed floats");

// Q15 complex value (re, im as Q15).
struct ComplexQ15 {
  q15_t re;
  q15_t im;
};
static_assert(sizeof(ComplexQ15) == 2 * sizeof(q15_t), "ComplexQ15 must be two packed int16");

// True for a power of two in [kFftMinSize, kFftMaxSize].
constexpr bool is_valid_fft_size(std::size_t n) noexcept {
  return n >= kFftMinSize && n <= kFftMaxSize && (n & (n - 1)) == 0;
}

// Complex FFT of size n, numpy.fft.fft / numpy.fft.ifft.
class ComplexFft {
 public:
  // Twiddle table length in Complex32 elements for size n: exp(-2 pi i k / n), k < n/2.
  static constexpr std::size_t twiddle_len(std::size_t n) noexcept { return n / 2; }

  // Checks n (kInvalidArgument) and the table length (kNoMemory), fills twiddles.
  // On failure the object is left uninitialised (size() == 0).
  [[nodiscard]] Status init(std::size_t n, Span<Complex32> twiddles) noexcept;

  // out = fft(in). in and out have size() elements. in may be the same array
  // as out (in place, a little slower: one extra permutation pass); partial
  // overlap is not allowed.
  void forward(Span<const Complex32> in, Span<Complex32> out) const noexcept;
  // out = ifft(in), scaled by 1/n. Same aliasing rules as forward().
  void inverse(Span<const Complex32> in, Span<Complex32> out) const noexcept;

  std::size_t size() const noexcept { return n_; }

 private:
  const Complex32* twiddles_ = nullptr;
  std::size_t n_ = 0;
};

// Real FFT of size n, numpy.fft.rfft / numpy.fft.irfft: n reals <-> n/2 + 1 bins.
class Rfft {
 public:
  // Twiddle table length in Complex32 elements for size n: exp(-2 pi i k / n),
  // k < n/2 (the n/2-point complex FFT inside and the split step share it).
  static constexpr std::size_t twiddle_len(std::size_t n) noexcept { return n / 2; }

  // Checks n (kInvalidArgument) and the table length (kNoMemory), fills twiddles.
  [[nodiscard]] Status init(std::size_t n, Span<Complex32> twiddles) noexcept;

  // out[k] = rfft(in)[k], k = 0..n/2. in has n elements and is not modified;
  // out has n/2 + 1 elements and is used as scratch (no other memory needed).
  // in and out must not overlap. Bins 0 and n/2 get an imaginary part of 0.
  void forward(Span<const float> in, Span<Complex32> out) const noexcept;
  // out = irfft(in, n): in has n/2 + 1 bins (imaginary parts of bins 0 and n/2
  // are ignored, as numpy does), out has n reals. in is not modified; in and
  // out must not overlap.
  void inverse(Span<const Complex32> in, Span<float> out) const noexcept;

  std::size_t size() const noexcept { return n_; }
  std::size_t bins() const noexcept { return n_ / 2 + 1; }

 private:
  const Complex32* twiddles_ = nullptr;
  std::size_t n_ = 0;
};

// Q15 real FFT of size n. Input: n Q15 samples. Output: n/2 + 1 Q15 bins equal
// to rfft(x) / n (fixed block scaling: 1/4 per radix-4 pass, 1/2 per radix-2
// step and an extra 1/2 in the first pass that the split step takes back, so
// no intermediate can overflow, even for full-scale input); multiply by n to
// get numpy's scale. Every value is rounded (half up or down, per step) as
// documented in fft.cpp; tests/golden/gen_fft.py models it bit for bit.
// Precision: about 1.2 LSB RMS error on that output scale, for every n.
class RfftQ15 {
 public:
  // Twiddle table length in ComplexQ15 elements for size n: exp(-2 pi i k / n)
  // in Q15 (rounded half up, 1.0 saturated to 32767), k < n/2.
  static constexpr std::size_t twiddle_len(std::size_t n) noexcept { return n / 2; }

  // Checks n (kInvalidArgument) and the table length (kNoMemory), fills twiddles.
  [[nodiscard]] Status init(std::size_t n, Span<ComplexQ15> twiddles) noexcept;

  // in: n samples (not modified); out: n/2 + 1 bins, also used as scratch.
  // in and out must not overlap. Bins 0 and n/2 get an imaginary part of 0.
  void forward(Span<const q15_t> in, Span<ComplexQ15> out) const noexcept;

  std::size_t size() const noexcept { return n_; }
  std::size_t bins() const noexcept { return n_ / 2 + 1; }

 private:
  const ComplexQ15* twiddles_ = nullptr;
  std::size_t n_ = 0;
};

// |X[k]|^2 = re^2 + im^2 for each bin (numpy: abs(X)**2); out.size() == in.size().
void power_spectrum(Span<const Complex32> in, Span<float> out) noexcept;
// |X[k]| = sqrt(re^2 + im^2) for each bin (numpy: abs(X)); out.size() == in.size().
void magnitude(Span<const Complex32> in, Span<float> out) noexcept;
// re^2 + im^2 of Q15 bins as Q30 in int32: exact, except (-1, -1) whose 2^31
// saturates to INT32_MAX. out.size() == in.size().
void power_spectrum_q15(Span<const ComplexQ15> in, Span<std::int32_t> out) noexcept;

// Owning variants: storage for the twiddles inside the object; init() takes no
// arguments and cannot fail for a valid N (checked at compile time).
template <std::size_t N>
class ComplexFftN : public ComplexFft {
  static_assert(is_valid_fft_size(N), "FFT size must be a power of two in [16, 4096]");

 public:
  ComplexFftN() = default;
  ComplexFftN(const ComplexFftN&) = delete;
  ComplexFftN& operator=(const ComplexFftN&) = delete;

  [[nodiscard]] Status init() noexcept { return ComplexFft::init(N, Span<Complex32>(tw_)); }

 private:
  std::array<Complex32, twiddle_len(N)> tw_{};
};

template <std::size_t N>
class RfftN : public Rfft {
  static_assert(is_valid_fft_size(N), "FFT size must be a power of two in [16, 4096]");

 public:
  RfftN() = default;
  RfftN(const RfftN&) = delete;
  RfftN& operator=(const RfftN&) = delete;

  [[nodiscard]] Status init() noexcept { return Rfft::init(N, Span<Complex32>(tw_)); }

 private:
  std::array<Complex32, twiddle_len(N)> tw_{};
};

template <std::size_t N>
class RfftQ15N : public RfftQ15 {
  static_assert(is_valid_fft_size(N), "FFT size must be a power of two in [16, 4096]");

 public:
  RfftQ15N() = default;
  RfftQ15N(const RfftQ15N&) = delete;
  RfftQ15N& operator=(const RfftQ15N&) = delete;

  [[nodiscard]] Status init() noexcept { return RfftQ15::init(N, Span<ComplexQ15>(tw_)); }

 private:
  std::array<ComplexQ15, twiddle_len(N)> tw_{};
};

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_FFT_HPP
