// tinysense kernels on Cortex-M0 (ARMv6-M, soft float), at the sizes of the
// micro:bit MicroPython baseline, between the two marker functions the
// insncount QEMU plugin watches (bench/target/README.md: same protocol, same
// "@bench" lines, parsed by bench/target/qemu_count.py). Built by
// bench/micropython/m0/CMakeLists.txt, run by bench/micropython/m0_count.py.
#include <cstdint>
#include <cstdio>

#include "m0_data.h"
#include "tinysense/dsp/biquad.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/stats.hpp"

namespace dsp = tinysense::dsp;
using tinysense::Span;
using tinysense::Status;

// Markers: a single `bx lr` each (valid ARMv6-M), opaque to the optimiser.
extern "C" __attribute__((naked, noipa)) void ts_bench_start() noexcept { __asm__ volatile("bx lr"); }
extern "C" __attribute__((naked, noipa)) void ts_bench_stop() noexcept { __asm__ volatile("bx lr"); }

namespace {

constexpr std::size_t kVecN = 1000;  // RMS and IIR length on the micro:bit
#ifdef TS_M0_SMALL
constexpr std::size_t kMaxFft = 256;  // 16 KiB of RAM
#else
constexpr std::size_t kMaxFft = 1024;
#endif

std::int16_t g_x16[kMaxFft > kVecN ? kMaxFft : kVecN];
float g_xf[kMaxFft > kVecN ? kMaxFft : kVecN];
dsp::Complex32 g_spec[kMaxFft / 2 + 1];
dsp::ComplexQ15 g_spec_q15[kMaxFft / 2 + 1];
dsp::RfftN<256> g_rfft256;
dsp::RfftQ15N<256> g_rfftq256;
#ifndef TS_M0_SMALL
dsp::RfftN<1024> g_rfft1024;
dsp::RfftQ15N<1024> g_rfftq1024;
#endif
dsp::BiquadN<kSosSections> g_biquad;
dsp::BiquadQ15N<kSosSections> g_biquad_q15;
volatile float g_sink;

// The 16-bit LCG of make_data.py, so the input equals the micro:bit's.
void make_signal() noexcept {
  std::uint32_t s = 1;
  for (std::size_t i = 0; i < sizeof(g_x16) / sizeof(g_x16[0]); ++i) {
    s = (s * 25173u + 13849u) & 0xFFFFu;
    g_x16[i] = static_cast<std::int16_t>(static_cast<std::int32_t>(s >> 1) - 16384);
    g_xf[i] = static_cast<float>(g_x16[i]) / 32768.0f;
  }
}

void check(Status s, const char* what) noexcept {
  if (s != Status::kOk) {
    std::printf("@bench-error %s\n", what);
  }
}

// What measure() prints, parked in volatile globals before the counted call:
// the compiler could otherwise compute the printf arguments between the two
// markers (it did: two instructions in the calibration).
struct Info {
  const char* kernel;
  const char* param;
  const char* unit;
  unsigned units;
  long expect;
};
volatile Info g_info;

// Warm-up call, then one counted call; prints the line qemu_count.py joins
// with the plugin's k-th pair.
template <class Fn>
__attribute__((noinline)) void measure(const char* kernel, const char* param, const char* unit,
                                       unsigned units, long expect, Fn&& fn) noexcept {
  g_info.kernel = kernel;
  g_info.param = param;
  g_info.unit = unit;
  g_info.units = units;
  g_info.expect = expect;
  fn();
  ts_bench_start();
  fn();
  ts_bench_stop();
  std::printf("@bench kernel=%s param=%s unit=%s units=%u expect=%ld\n", g_info.kernel, g_info.param,
              g_info.unit, g_info.units, g_info.expect);
}

// A leaf of exactly 1000 nops and a return, out of line so that the
// compiler's literal pools stay in reach.
extern "C" __attribute__((naked, noipa)) void ts_calib_nops() noexcept {
  __asm__ volatile(".rept 1000\n nop\n .endr\n bx lr\n");
}

void calibration() noexcept {
  for (int i = 0; i < 3; ++i) measure("_empty", "-", "call", 1, -1, [] {});
  // bl + 1000 nops + bx lr: the counter must read exactly 1002 (after the
  // empty-pair overhead, which qemu_count.py subtracts).
  measure("calib_nop", "n=1000", "call", 1, 1002, [] { ts_calib_nops(); });
}

}  // namespace

int main() {
  make_signal();
  std::printf("@bench-begin metric=instructions\n");
  calibration();
  check(g_rfft256.init(), "rfft256");
  check(g_rfftq256.init(), "rfftq256");
  measure("rfft_f32", "n=256", "call", 1, -1,
          [] { g_rfft256.forward(Span<const float>(g_xf, 256), Span<dsp::Complex32>(g_spec, 129)); });
  measure("rfft_q15", "n=256", "call", 1, -1, [] {
    g_rfftq256.forward(Span<const std::int16_t>(g_x16, 256), Span<dsp::ComplexQ15>(g_spec_q15, 129));
  });
#ifndef TS_M0_SMALL
  check(g_rfft1024.init(), "rfft1024");
  check(g_rfftq1024.init(), "rfftq1024");
  measure("rfft_f32", "n=1024", "call", 1, -1,
          [] { g_rfft1024.forward(Span<const float>(g_xf, 1024), Span<dsp::Complex32>(g_spec, 513)); });
  measure("rfft_q15", "n=1024", "call", 1, -1, [] {
    g_rfftq1024.forward(Span<const std::int16_t>(g_x16, 1024), Span<dsp::ComplexQ15>(g_spec_q15, 513));
  });
#endif
  measure("rms_f32", "n=1000", "call", 1, -1, [] {
    float r = 0.0f;
    check(dsp::rms(Span<const float>(g_xf, kVecN), &r), "rms_f32");
    g_sink = r;
  });
  measure("rms_i16", "n=1000", "call", 1, -1, [] {
    float r = 0.0f;
    check(dsp::rms(Span<const std::int16_t>(g_x16, kVecN), &r), "rms_i16");
    g_sink = r;
  });
  check(g_biquad.init(Span<const float>(kSos, 6 * kSosSections)), "biquad");
  // The filters run in place, as on the micro:bit (which has no room for a
  // second buffer); the warm-up call filters the signal once more first.
  measure("iir_f32", "4x1000", "call", 1, -1,
          [] { g_biquad.process(Span<const float>(g_xf, kVecN), Span<float>(g_xf, kVecN)); });
  check(g_biquad_q15.init(Span<const std::int16_t>(kSosQ15, 6 * kSosSections), kSosQ15Shift),
        "biquad_q15");
  measure("iir_q15", "4x1000", "call", 1, -1, [] {
    g_biquad_q15.process(Span<const std::int16_t>(g_x16, kVecN), Span<std::int16_t>(g_x16, kVecN));
  });
  std::printf("@bench-end\n");
  return 0;
}
