// RMS of a block, float32 and int16 (tinysense/dsp/stats.hpp).
// Reference: CMSIS-DSP arm_rms_f32 / arm_rms_q15 (instructions per sample).
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/stats.hpp"

// bench-requires: stats

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;

constexpr std::size_t kN = 2000;
float g_x[kN];
std::int16_t g_x16[kN];
volatile float g_sink;

}  // namespace

TS_BENCH_PROBE(rms_f32) {
  float r = 0.0f;
  if (ts::dsp::rms(ts::Span<const float>(g_x, kN), &r) == ts::Status::kOk) g_sink = r;
}

TS_BENCH_PROBE(rms_q15) {
  float r = 0.0f;
  if (ts::dsp::rms(ts::Span<const std::int16_t>(g_x16, kN), &r) == ts::Status::kOk) g_sink = r;
}

TS_BENCH_RUN(stats) {
  tb::fill_uniform(g_x, kN, 1.0f);
  tb::fill_uniform_i16(g_x16, kN, 30000);
  float r = 0.0f;
  tb::measure(tb::Info{"rms_f32", "n=2000", "sample", kN}, [&] {
    (void)ts::dsp::rms(ts::Span<const float>(g_x, kN), &r);
  });
  g_sink = r;
  tb::measure(tb::Info{"rms_q15", "n=2000", "sample", kN}, [&] {
    (void)ts::dsp::rms(ts::Span<const std::int16_t>(g_x16, kN), &r);
  });
  g_sink = r;
}
