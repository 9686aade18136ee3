// FFT vs numpy.fft (float64 references) and vs the bit-exact numpy model of
// RfftQ15 in tests/golden/gen_fft.py.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "golden_fft.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;

namespace {

constexpr std::size_t kMax = kFftMaxSize;
constexpr float kCanary = -12345.5f;
constexpr std::size_t kCanaries = 4;

// Every buffer has room for kCanaries values after the largest output.
Complex32 g_tw[kMax / 2];
Complex32 g_out[kMax + kCanaries];
Complex32 g_in[kMax];
float g_real[kMax + kCanaries];
ComplexQ15 g_tw16[kMax / 2 + kCanaries];
ComplexQ15 g_out16[kMax / 2 + 1 + kCanaries];
q15_t g_in16[kMax];

struct Sizes {
  std::size_t n;
  const float* rfft_in;
  const double* rfft_ref;
  const float* cfft_in;
  const double* cfft_ref;
  const double* cifft_ref;  // nullptr: covered by the round trip
  const float* irfft_in;    // nullptr: not stored for this size
  const double* irfft_ref;
  const q15_t* q15_in;
  const q15_t* q15_ref;
};

#define TS_SIZE(n, ci, ir, iref)                                                            \
  Sizes {                                                                                   \
    n, golden::fft::rfft_in_##n, golden::fft::rfft_ref_##n, golden::fft::cfft_in_##n,        \
        golden::fft::cfft_ref_##n, ci, ir, iref, golden::fft::q15_in_##n, golden::fft::q15_ref_##n \
  }
const Sizes kSizes[] = {
    TS_SIZE(16, golden::fft::cifft_ref_16, golden::fft::irfft_in_16, golden::fft::irfft_ref_16),
    TS_SIZE(32, golden::fft::cifft_ref_32, nullptr, nullptr),
    TS_SIZE(64, golden::fft::cifft_ref_64, golden::fft::irfft_in_64, golden::fft::irfft_ref_64),
    TS_SIZE(128, golden::fft::cifft_ref_128, nullptr, nullptr),
    TS_SIZE(256, golden::fft::cifft_ref_256, nullptr, nullptr),
    TS_SIZE(512, golden::fft::cifft_ref_512, golden::fft::irfft_in_512, golden::fft::irfft_ref_512),
    TS_SIZE(1024, golden::fft::cifft_ref_1024, nullptr, nullptr),
    TS_SIZE(2048, nullptr, nullptr, nullptr),
    TS_SIZE(4096, nullptr, golden::fft::irfft_in_4096, golden::fft::irfft_ref_4096),
};
#undef TS_SIZE

float* out_floats() { return reinterpret_cast<float*>(g_out); }

void set_canaries(float* p) {
  for (std::size_t i = 0; i < kCanaries; ++i) p[i] = kCanary;
}
bool canaries_intact(const float* p) {
  for (std::size_t i = 0; i < kCanaries; ++i) {
    if (!(p[i] == kCanary)) return false;
  }
  return true;
}

Rfft make_rfft(std::size_t n) {
  Rfft f;
  TT_CHECK(f.init(n, Span<Complex32>(g_tw, Rfft::twiddle_len(n))) == Status::kOk);
  return f;
}

ComplexFft make_cfft(std::size_t n) {
  ComplexFft f;
  TT_CHECK(f.init(n, Span<Complex32>(g_tw, ComplexFft::twiddle_len(n))) == Status::kOk);
  return f;
}

void copy_complex(const float* src, Complex32* dst, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = Complex32{src[2 * i], src[2 * i + 1]};
}

}  // namespace

// ---------------------------------------------------------------------------
// Float real FFT
// ---------------------------------------------------------------------------

TT_TEST(rfft_matches_numpy_every_size) {
  for (const Sizes& s : kSizes) {
    const std::size_t n = s.n, bins = n / 2 + 1;
    const Rfft f = make_rfft(n);
    TT_CHECK_EQ(f.size(), n);
    TT_CHECK_EQ(f.bins(), bins);
    set_canaries(out_floats() + 2 * bins);
    f.forward(Span<const float>(s.rfft_in, n), Span<Complex32>(g_out, bins));
    TT_CHECK_LE(tt::rel_rms_error(out_floats(), s.rfft_ref, 2 * bins), tt::tol::kFftRelRms);
    TT_CHECK(canaries_intact(out_floats() + 2 * bins));
    // Bins 0 and n/2 are real.
    TT_CHECK_EQ(g_out[0].im, 0.0f);
    TT_CHECK_EQ(g_out[n / 2].im, 0.0f);
  }
}

TT_TEST(rfft_does_not_modify_input) {
  const std::size_t n = 1024;
  for (std::size_t i = 0; i < n; ++i) g_real[i] = golden::fft::rfft_in_1024[i];
  const Rfft f = make_rfft(n);
  f.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
  TT_CHECK(std::memcmp(g_real, golden::fft::rfft_in_1024, n * sizeof(float)) == 0);
}

TT_TEST(irfft_matches_numpy_ignoring_imag_of_dc_and_nyquist) {
  for (const Sizes& s : kSizes) {
    if (s.irfft_in == nullptr) continue;
    const std::size_t n = s.n, bins = n / 2 + 1;
    const Rfft f = make_rfft(n);
    copy_complex(s.irfft_in, g_in, bins);
    TT_CHECK(g_in[0].im != 0.0f && g_in[n / 2].im != 0.0f);  // numpy ignores them; so must we
    set_canaries(g_real + n);
    f.inverse(Span<const Complex32>(g_in, bins), Span<float>(g_real, n));
    TT_CHECK_LE(tt::rel_rms_error(g_real, s.irfft_ref, n), tt::tol::kFftRelRms);
    TT_CHECK(canaries_intact(g_real + n));
    // The spectrum is read only.
    TT_CHECK(std::memcmp(g_in, s.irfft_in, bins * sizeof(Complex32)) == 0);
  }
}

TT_TEST(rfft_irfft_round_trip_every_size) {
  for (const Sizes& s : kSizes) {
    const std::size_t n = s.n, bins = n / 2 + 1;
    const Rfft f = make_rfft(n);
    f.forward(Span<const float>(s.rfft_in, n), Span<Complex32>(g_out, bins));
    set_canaries(g_real + n);
    f.inverse(Span<const Complex32>(g_out, bins), Span<float>(g_real, n));
    TT_CHECK_LE(tt::rel_rms_error(g_real, s.rfft_in, n), tt::tol::kFftRoundTripRelRms);
    TT_CHECK(canaries_intact(g_real + n));
  }
}

// ---------------------------------------------------------------------------
// Float complex FFT
// ---------------------------------------------------------------------------

TT_TEST(cfft_forward_matches_numpy_out_of_place_and_in_place) {
  for (const Sizes& s : kSizes) {
    const std::size_t n = s.n;
    const ComplexFft f = make_cfft(n);
    TT_CHECK_EQ(f.size(), n);
    copy_complex(s.cfft_in, g_in, n);
    set_canaries(out_floats() + 2 * n);
    f.forward(Span<const Complex32>(g_in, n), Span<Complex32>(g_out, n));
    TT_CHECK_LE(tt::rel_rms_error(out_floats(), s.cfft_ref, 2 * n), tt::tol::kFftRelRms);
    TT_CHECK(canaries_intact(out_floats() + 2 * n));
    TT_CHECK(std::memcmp(g_in, s.cfft_in, n * sizeof(Complex32)) == 0);  // input untouched
    // In place: the same array as input and output.
    copy_complex(s.cfft_in, g_out, n);
    f.forward(Span<const Complex32>(g_out, n), Span<Complex32>(g_out, n));
    TT_CHECK_LE(tt::rel_rms_error(out_floats(), s.cfft_ref, 2 * n), tt::tol::kFftRelRms);
    TT_CHECK(canaries_intact(out_floats() + 2 * n));
  }
}

TT_TEST(cfft_inverse_matches_numpy_and_round_trips) {
  for (const Sizes& s : kSizes) {
    const std::size_t n = s.n;
    const ComplexFft f = make_cfft(n);
    set_canaries(out_floats() + 2 * n);
    if (s.cifft_ref != nullptr) {
      copy_complex(s.cfft_in, g_in, n);
      f.inverse(Span<const Complex32>(g_in, n), Span<Complex32>(g_out, n));
      TT_CHECK_LE(tt::rel_rms_error(out_floats(), s.cifft_ref, 2 * n), tt::tol::kFftRelRms);
      copy_complex(s.cfft_in, g_out, n);
      f.inverse(Span<const Complex32>(g_out, n), Span<Complex32>(g_out, n));
      TT_CHECK_LE(tt::rel_rms_error(out_floats(), s.cifft_ref, 2 * n), tt::tol::kFftRelRms);
    }
    // ifft(fft(z)) == z, out of place then in place.
    copy_complex(s.cfft_in, g_in, n);
    f.forward(Span<const Complex32>(g_in, n), Span<Complex32>(g_out, n));
    f.inverse(Span<const Complex32>(g_out, n), Span<Complex32>(g_in, n));
    TT_CHECK_LE(tt::rel_rms_error(reinterpret_cast<const float*>(g_in), s.cfft_in, 2 * n),
                tt::tol::kFftRoundTripRelRms);
    f.forward(Span<const Complex32>(g_in, n), Span<Complex32>(g_in, n));
    f.inverse(Span<const Complex32>(g_in, n), Span<Complex32>(g_in, n));
    TT_CHECK_LE(tt::rel_rms_error(reinterpret_cast<const float*>(g_in), s.cfft_in, 2 * n),
                tt::tol::kFftRoundTripRelRms);
    TT_CHECK(canaries_intact(out_floats() + 2 * n));
  }
}

// ---------------------------------------------------------------------------
// Analytic cases
// ---------------------------------------------------------------------------

TT_TEST(rfft_impulse_is_flat_and_shifted_impulse_is_a_phasor) {
  for (std::size_t n = kFftMinSize; n <= kFftMaxSize; n *= 2) {
    const Rfft f = make_rfft(n);
    for (std::size_t i = 0; i < n; ++i) g_real[i] = 0.0f;
    g_real[0] = 1.0f;
    f.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
    double worst = 0.0;
    for (std::size_t k = 0; k <= n / 2; ++k) {
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[k].re) - 1.0));
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[k].im)));
    }
    TT_CHECK_LE(worst, 1e-6);
    // Impulse at t = 3: X[k] = exp(-2 pi i k t / n).
    g_real[0] = 0.0f;
    g_real[3] = 1.0f;
    f.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
    worst = 0.0;
    for (std::size_t k = 0; k <= n / 2; ++k) {
      const double a = -6.283185307179586 * static_cast<double>(3 * k) / static_cast<double>(n);
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[k].re) - std::cos(a)));
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[k].im) - std::sin(a)));
    }
    TT_CHECK_LE(worst, 2e-6);
  }
}

TT_TEST(rfft_dc_and_tone_at_a_bin) {
  for (std::size_t n = kFftMinSize; n <= kFftMaxSize; n *= 2) {
    const Rfft f = make_rfft(n);
    const double nd = static_cast<double>(n);
    for (std::size_t i = 0; i < n; ++i) g_real[i] = 0.25f;
    f.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
    TT_CHECK_NEAR(g_out[0].re, 0.25 * nd, 1e-6 * nd);
    double leak = 0.0;
    for (std::size_t k = 1; k <= n / 2; ++k) {
      leak = std::fmax(leak, std::hypot(static_cast<double>(g_out[k].re), static_cast<double>(g_out[k].im)));
    }
    TT_CHECK_LE(leak, 1e-6 * nd);
    // cos at bin k0 (and sin at bin k1): n/2 at that bin, ~0 elsewhere.
    const std::size_t k0 = n / 8 + 1, k1 = n / 4 + 1;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = 6.283185307179586 * static_cast<double>(i) / nd;
      g_real[i] = static_cast<float>(std::cos(t * static_cast<double>(k0)) +
                                     0.5 * std::sin(t * static_cast<double>(k1)));
    }
    f.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
    TT_CHECK_NEAR(g_out[k0].re, nd / 2, 2e-6 * nd);
    TT_CHECK_NEAR(g_out[k0].im, 0.0, 2e-6 * nd);
    TT_CHECK_NEAR(g_out[k1].re, 0.0, 2e-6 * nd);
    TT_CHECK_NEAR(g_out[k1].im, -nd / 4, 2e-6 * nd);
    leak = 0.0;
    for (std::size_t k = 0; k <= n / 2; ++k) {
      if (k == k0 || k == k1) continue;
      leak = std::fmax(leak, std::hypot(static_cast<double>(g_out[k].re), static_cast<double>(g_out[k].im)));
    }
    TT_CHECK_LE(leak, 2e-6 * nd);
  }
}

TT_TEST(rfft_parseval) {
  for (const Sizes& s : kSizes) {
    const std::size_t n = s.n;
    const Rfft f = make_rfft(n);
    f.forward(Span<const float>(s.rfft_in, n), Span<Complex32>(g_out, n / 2 + 1));
    double time_energy = 0.0, freq_energy = 0.0;
    for (std::size_t i = 0; i < n; ++i) time_energy += static_cast<double>(s.rfft_in[i]) * s.rfft_in[i];
    for (std::size_t k = 0; k <= n / 2; ++k) {
      const double p = static_cast<double>(g_out[k].re) * g_out[k].re +
                       static_cast<double>(g_out[k].im) * g_out[k].im;
      freq_energy += (k == 0 || k == n / 2) ? p : 2.0 * p;
    }
    TT_CHECK_NEAR(freq_energy / static_cast<double>(n), time_energy, 1e-5 * time_energy);
  }
}

TT_TEST(cfft_impulse_and_tone) {
  for (std::size_t n = kFftMinSize; n <= kFftMaxSize; n *= 2) {
    const ComplexFft f = make_cfft(n);
    const double nd = static_cast<double>(n);
    // exp(+2 pi i k0 t / n): a single bin at k0 of height n.
    const std::size_t k0 = n / 2 + 3;
    for (std::size_t i = 0; i < n; ++i) {
      const double t = 6.283185307179586 * static_cast<double>((k0 * i) % n) / nd;
      g_in[i] = Complex32{static_cast<float>(std::cos(t)), static_cast<float>(std::sin(t))};
    }
    f.forward(Span<const Complex32>(g_in, n), Span<Complex32>(g_out, n));
    double leak = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      if (k == k0) continue;
      leak = std::fmax(leak, std::hypot(static_cast<double>(g_out[k].re), static_cast<double>(g_out[k].im)));
    }
    TT_CHECK_NEAR(g_out[k0].re, nd, 2e-6 * nd);
    TT_CHECK_NEAR(g_out[k0].im, 0.0, 2e-6 * nd);
    TT_CHECK_LE(leak, 2e-6 * nd);
    // ifft of a unit bin at k0 is that phasor / n.
    for (std::size_t k = 0; k < n; ++k) g_out[k] = Complex32{0.0f, 0.0f};
    g_out[k0] = Complex32{1.0f, 0.0f};
    f.inverse(Span<const Complex32>(g_out, n), Span<Complex32>(g_out, n));
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[i].re) * nd - static_cast<double>(g_in[i].re)));
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_out[i].im) * nd - static_cast<double>(g_in[i].im)));
    }
    TT_CHECK_LE(worst, 2e-6);
  }
}

// ---------------------------------------------------------------------------
// init() validation and the owning variants
// ---------------------------------------------------------------------------

TT_TEST(init_rejects_bad_sizes_and_short_tables) {
  const std::size_t bad[] = {0, 1, 8, 15, 100, 1000, 4095, 8192};
  ComplexQ15* tw16 = g_tw16;
  for (const std::size_t n : bad) {
    ComplexFft c;
    Rfft r;
    RfftQ15 q;
    TT_CHECK(c.init(n, Span<Complex32>(g_tw, kMax / 2)) == Status::kInvalidArgument);
    TT_CHECK(r.init(n, Span<Complex32>(g_tw, kMax / 2)) == Status::kInvalidArgument);
    TT_CHECK(q.init(n, Span<ComplexQ15>(tw16, kMax / 2)) == Status::kInvalidArgument);
    TT_CHECK_EQ(c.size(), 0u);
    TT_CHECK_EQ(r.size(), 0u);
    TT_CHECK_EQ(q.size(), 0u);
  }
  for (std::size_t n = kFftMinSize; n <= kFftMaxSize; n *= 2) {
    ComplexFft c;
    Rfft r;
    RfftQ15 q;
    TT_CHECK(c.init(n, Span<Complex32>(g_tw, ComplexFft::twiddle_len(n) - 1)) == Status::kNoMemory);
    TT_CHECK(r.init(n, Span<Complex32>(g_tw, Rfft::twiddle_len(n) - 1)) == Status::kNoMemory);
    TT_CHECK(q.init(n, Span<ComplexQ15>(tw16, RfftQ15::twiddle_len(n) - 1)) == Status::kNoMemory);
    TT_CHECK(r.init(n, Span<Complex32>()) == Status::kNoMemory);
    TT_CHECK_EQ(r.size(), 0u);
    // A longer table is fine, and init writes only twiddle_len(n) entries.
    for (std::size_t i = 0; i < kCanaries; ++i) tw16[n / 2 + i] = ComplexQ15{77, -77};
    TT_CHECK(q.init(n, Span<ComplexQ15>(tw16, n / 2 + kCanaries)) == Status::kOk);
    for (std::size_t i = 0; i < kCanaries; ++i) TT_CHECK(tw16[n / 2 + i].re == 77 && tw16[n / 2 + i].im == -77);
  }
  // A failed init leaves a previously good object uninitialised, not half-valid.
  Rfft r = make_rfft(64);
  TT_CHECK(r.init(100, Span<Complex32>(g_tw, kMax / 2)) == Status::kInvalidArgument);
  TT_CHECK_EQ(r.size(), 0u);
}

TT_TEST(twiddles_are_accurate) {
  for (std::size_t n = kFftMinSize; n <= kFftMaxSize; n *= 2) {
    const Rfft f = make_rfft(n);
    (void)f;
    double worst = 0.0;
    for (std::size_t k = 0; k < n / 2; ++k) {
      const double a = 6.283185307179586476925 * static_cast<double>(k) / static_cast<double>(n);
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_tw[k].re) - std::cos(a)));
      worst = std::fmax(worst, std::fabs(static_cast<double>(g_tw[k].im) + std::sin(a)));
    }
    TT_CHECK_LE(worst, 6.0e-8);  // float rounding of the exact value (half an ulp of 1)
  }
}

TT_TEST(owning_variants_match) {
  static RfftN<256> r;
  static ComplexFftN<64> c;
  static RfftQ15N<512> q;
  TT_CHECK(r.init() == Status::kOk);
  TT_CHECK(c.init() == Status::kOk);
  TT_CHECK(q.init() == Status::kOk);
  r.forward(Span<const float>(golden::fft::rfft_in_256, 256), Span<Complex32>(g_out, 129));
  TT_CHECK_LE(tt::rel_rms_error(out_floats(), golden::fft::rfft_ref_256, 258), tt::tol::kFftRelRms);
  copy_complex(golden::fft::cfft_in_64, g_in, 64);
  c.forward(Span<const Complex32>(g_in, 64), Span<Complex32>(g_out, 64));
  TT_CHECK_LE(tt::rel_rms_error(out_floats(), golden::fft::cfft_ref_64, 128), tt::tol::kFftRelRms);
  q.forward(Span<const q15_t>(golden::fft::q15_in_512, 512), Span<ComplexQ15>(g_out16, 257));
  TT_CHECK(std::memcmp(g_out16, golden::fft::q15_ref_512, 257 * sizeof(ComplexQ15)) == 0);
}

// ---------------------------------------------------------------------------
// Q15
// ---------------------------------------------------------------------------

namespace {

RfftQ15 make_q15(std::size_t n) {
  RfftQ15 f;
  TT_CHECK(f.init(n, Span<ComplexQ15>(g_tw16, RfftQ15::twiddle_len(n))) == Status::kOk);
  return f;
}

// Runs RfftQ15 on `in` and compares with the model output bit for bit; also
// checks the tail canary and that the input is not modified.
void check_q15(std::size_t n, const q15_t* in, const q15_t* ref) {
  const RfftQ15 f = make_q15(n);
  const std::size_t bins = n / 2 + 1;
  for (std::size_t i = 0; i < n; ++i) g_in16[i] = in[i];
  for (std::size_t i = 0; i < kCanaries; ++i) g_out16[bins + i] = ComplexQ15{-4321, 1234};
  f.forward(Span<const q15_t>(g_in16, n), Span<ComplexQ15>(g_out16, bins));
  std::size_t mismatches = 0;
  for (std::size_t k = 0; k < bins; ++k) {
    if (g_out16[k].re != ref[2 * k] || g_out16[k].im != ref[2 * k + 1]) {
      if (mismatches < 3) {
        std::printf("    n=%u bin %u: got (%d, %d), model (%d, %d)\n", static_cast<unsigned>(n),
                    static_cast<unsigned>(k), g_out16[k].re, g_out16[k].im, ref[2 * k], ref[2 * k + 1]);
      }
      ++mismatches;
    }
  }
  TT_CHECK_EQ(mismatches, 0u);
  for (std::size_t i = 0; i < kCanaries; ++i) {
    TT_CHECK(g_out16[bins + i].re == -4321 && g_out16[bins + i].im == 1234);
  }
  TT_CHECK(std::memcmp(g_in16, in, n * sizeof(q15_t)) == 0);
}

}  // namespace

TT_TEST(q15_twiddles_match_model) {
  make_q15(16);
  TT_CHECK(std::memcmp(g_tw16, golden::fft::q15_tw_16, 8 * sizeof(ComplexQ15)) == 0);
  make_q15(1024);
  TT_CHECK(std::memcmp(g_tw16, golden::fft::q15_tw_1024, 512 * sizeof(ComplexQ15)) == 0);
  make_q15(4096);
  TT_CHECK(std::memcmp(g_tw16, golden::fft::q15_tw_4096, 2048 * sizeof(ComplexQ15)) == 0);
}

TT_TEST(q15_bit_exact_random_every_size) {
  for (const Sizes& s : kSizes) check_q15(s.n, s.q15_in, s.q15_ref);
}

TT_TEST(q15_bit_exact_full_scale) {
#define TS_STRESS(n)                                                            \
  check_q15(n, golden::fft::q15_min_##n, golden::fft::q15_min_##n##_ref);       \
  check_q15(n, golden::fft::q15_alt_##n, golden::fft::q15_alt_##n##_ref);       \
  check_q15(n, golden::fft::q15_sq_##n, golden::fft::q15_sq_##n##_ref);         \
  check_q15(n, golden::fft::q15_cpx_##n, golden::fft::q15_cpx_##n##_ref);       \
  check_q15(n, golden::fft::q15_rnd_##n, golden::fft::q15_rnd_##n##_ref)
  TS_STRESS(16);
  TS_STRESS(32);
  TS_STRESS(256);
  TS_STRESS(1024);
  TS_STRESS(4096);
#undef TS_STRESS
  // DC at -1 is exactly -1 in bin 0 (rfft / n), zero elsewhere.
  TT_CHECK_EQ(golden::fft::q15_min_1024_ref[0], -32768);
}

TT_TEST(q15_close_to_float_reference) {
  // Block-scaled Q15 vs rfft(x) / n in float64 (from the float golden data).
  const std::size_t n = 1024;
  for (std::size_t i = 0; i < n; ++i) g_in16[i] = float_to_q15(golden::fft::rfft_in_1024[i]);
  const RfftQ15 f = make_q15(n);
  f.forward(Span<const q15_t>(g_in16, n), Span<ComplexQ15>(g_out16, n / 2 + 1));
  // Reference: float rfft of the quantised input, scaled to the Q15 output.
  const Rfft r = make_rfft(n);
  for (std::size_t i = 0; i < n; ++i) g_real[i] = q15_to_float(g_in16[i]);
  r.forward(Span<const float>(g_real, n), Span<Complex32>(g_out, n / 2 + 1));
  double err = 0.0, sig = 0.0;
  for (std::size_t k = 0; k <= n / 2; ++k) {
    const double rr = static_cast<double>(g_out[k].re) * 32768.0 / static_cast<double>(n);
    const double ri = static_cast<double>(g_out[k].im) * 32768.0 / static_cast<double>(n);
    err += (g_out16[k].re - rr) * (g_out16[k].re - rr) + (g_out16[k].im - ri) * (g_out16[k].im - ri);
    sig += rr * rr + ri * ri;
  }
  TT_CHECK_GE(10.0 * std::log10(sig / err), 40.0);
}

// ---------------------------------------------------------------------------
// Spectra
// ---------------------------------------------------------------------------

TT_TEST(power_spectrum_and_magnitude) {
  const Complex32 x[5] = {{3.0f, 4.0f}, {0.0f, 0.0f}, {-1.5f, 2.0f}, {0.0f, -7.0f}, {1e-3f, 0.0f}};
  float p[5 + kCanaries], mag[5 + kCanaries];
  set_canaries(p + 5);
  set_canaries(mag + 5);
  power_spectrum(Span<const Complex32>(x), Span<float>(p, 5));
  magnitude(Span<const Complex32>(x), Span<float>(mag, 5));
  const float want_p[5] = {25.0f, 0.0f, 6.25f, 49.0f, 1e-6f};
  const float want_m[5] = {5.0f, 0.0f, 2.5f, 7.0f, 1e-3f};
  for (int i = 0; i < 5; ++i) {
    TT_CHECK_NEAR(p[i], want_p[i], 1e-6 * want_p[i]);
    TT_CHECK_NEAR(mag[i], want_m[i], 1e-6 * want_m[i]);
  }
  TT_CHECK(canaries_intact(p + 5));
  TT_CHECK(canaries_intact(mag + 5));
  // In the FFT's own output: power of the golden spectrum.
  const Rfft f = make_rfft(512);
  f.forward(Span<const float>(golden::fft::rfft_in_512, 512), Span<Complex32>(g_out, 257));
  power_spectrum(Span<const Complex32>(g_out, 257), Span<float>(g_real, 257));
  double worst = 0.0;
  for (std::size_t k = 0; k < 257; ++k) {
    const double re = golden::fft::rfft_ref_512[2 * k], im = golden::fft::rfft_ref_512[2 * k + 1];
    const double ref = re * re + im * im;
    worst = std::fmax(worst, std::fabs(static_cast<double>(g_real[k]) - ref) / (ref + 1.0));
  }
  TT_CHECK_LE(worst, 1e-5);
}

TT_TEST(power_spectrum_q15_exact) {
  const ComplexQ15 x[6] = {{0, 0}, {1, -1}, {-32768, 0}, {32767, 32767}, {-32768, -32768}, {-300, 400}};
  std::int32_t p[6 + 1];
  p[6] = 1234567;
  power_spectrum_q15(Span<const ComplexQ15>(x), Span<std::int32_t>(p, 6));
  TT_CHECK_EQ(p[0], 0);
  TT_CHECK_EQ(p[1], 2);
  TT_CHECK_EQ(p[2], 1073741824);
  TT_CHECK_EQ(p[3], 2147352578);
  TT_CHECK_EQ(p[4], 2147483647);  // 2^31 saturates
  TT_CHECK_EQ(p[5], 250000);
  TT_CHECK_EQ(p[6], 1234567);
}
