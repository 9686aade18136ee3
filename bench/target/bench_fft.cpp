// FFTs (tinysense/dsp/fft.hpp): real float32 at three sizes, real Q15, complex.
// Init (twiddle computation) is excluded; one warm-up call, one counted call.
// References (QEMU counts, -O3): CMSIS-DSP arm_rfft_fast_f32 / arm_rfft_q15,
// KissFFT kiss_fftr, emlearn's complex FFT; see references.json.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/fft.hpp"

// bench-requires: fft

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;
using ts::dsp::Complex32;
using ts::dsp::ComplexQ15;

constexpr std::size_t kMaxN = 4096;
constexpr std::size_t kProbeN = 1024;  // size probes: code does not depend on n

float g_in[kMaxN];
Complex32 g_out[kMaxN / 2 + 1];
Complex32 g_tw[ts::dsp::Rfft::twiddle_len(kMaxN)];
Complex32 g_cin[1024];
Complex32 g_cout[1024];
ts::q15_t g_in16[1024];
ComplexQ15 g_out16[1024 / 2 + 1];
ComplexQ15 g_tw16[ts::dsp::RfftQ15::twiddle_len(1024)];
float g_back[1024];

// Counts one real forward FFT of size n.
__attribute__((noinline)) void bench_rfft(std::size_t n, const char* param) noexcept {
  ts::dsp::Rfft fft;
  if (fft.init(n, ts::Span<Complex32>(g_tw, ts::dsp::Rfft::twiddle_len(n))) != ts::Status::kOk) {
    tb::fail("Rfft::init");
  }
  const auto ram = static_cast<std::uint32_t>(sizeof(fft) + ts::dsp::Rfft::twiddle_len(n) * sizeof(Complex32));
  const ts::Span<const float> in(g_in, n);
  const ts::Span<Complex32> out(g_out, n / 2 + 1);
  tb::measure(tb::Info{"rfft_f32", param, "call", 1, ram}, [&] { fft.forward(in, out); });
}

}  // namespace

TS_BENCH_PROBE(rfft_f32) {
  ts::dsp::Rfft fft;
  if (fft.init(kProbeN, ts::Span<Complex32>(g_tw, kProbeN / 2)) != ts::Status::kOk) return;
  fft.forward(ts::Span<const float>(g_in, kProbeN), ts::Span<Complex32>(g_out, kProbeN / 2 + 1));
}

TS_BENCH_PROBE(irfft_f32) {
  ts::dsp::Rfft fft;
  if (fft.init(kProbeN, ts::Span<Complex32>(g_tw, kProbeN / 2)) != ts::Status::kOk) return;
  fft.inverse(ts::Span<const Complex32>(g_out, kProbeN / 2 + 1), ts::Span<float>(g_back, kProbeN));
}

TS_BENCH_PROBE(rfft_q15) {
  ts::dsp::RfftQ15 fft;
  if (fft.init(kProbeN, g_tw16) != ts::Status::kOk) return;
  fft.forward(g_in16, g_out16);
}

TS_BENCH_PROBE(cfft_f32) {
  ts::dsp::ComplexFft fft;
  if (fft.init(kProbeN, ts::Span<Complex32>(g_tw, kProbeN / 2)) != ts::Status::kOk) return;
  fft.forward(g_cin, g_cout);
}

TS_BENCH_RUN(fft) {
  tb::fill_uniform(g_in, kMaxN, 1.0f);
  bench_rfft(256, "n=256");
  bench_rfft(1024, "n=1024");
  bench_rfft(4096, "n=4096");

  {  // inverse real FFT of the n=1024 spectrum
    ts::dsp::Rfft fft;
    if (fft.init(1024, ts::Span<Complex32>(g_tw, 512)) != ts::Status::kOk) tb::fail("Rfft::init");
    fft.forward(ts::Span<const float>(g_in, 1024), ts::Span<Complex32>(g_out, 513));
    const auto ram = static_cast<std::uint32_t>(sizeof(fft) + 512 * sizeof(Complex32));
    tb::measure(tb::Info{"irfft_f32", "n=1024", "call", 1, ram}, [&] {
      fft.inverse(ts::Span<const Complex32>(g_out, 513), ts::Span<float>(g_back));
    });
  }
  {
    tb::fill_uniform_i16(g_in16, 1024, 16000);
    ts::dsp::RfftQ15 fft;
    if (fft.init(1024, g_tw16) != ts::Status::kOk) tb::fail("RfftQ15::init");
    const auto ram = static_cast<std::uint32_t>(sizeof(fft) + sizeof(g_tw16));
    tb::measure(tb::Info{"rfft_q15", "n=1024", "call", 1, ram}, [&] { fft.forward(g_in16, g_out16); });
  }
  {
    tb::fill_uniform(reinterpret_cast<float*>(g_cin), 2 * 1024, 1.0f, 777u);
    ts::dsp::ComplexFft fft;
    if (fft.init(1024, ts::Span<Complex32>(g_tw, 512)) != ts::Status::kOk) tb::fail("ComplexFft::init");
    const auto ram = static_cast<std::uint32_t>(sizeof(fft) + 512 * sizeof(Complex32));
    tb::measure(tb::Info{"cfft_f32", "n=1024", "call", 1, ram}, [&] { fft.forward(g_cin, g_cout); });
  }
}
