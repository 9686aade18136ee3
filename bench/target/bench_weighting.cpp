// A-weighting (tinysense/dsp/weighting.hpp, built-in 16 kHz cascade) per
// sample, 2000 samples per call. The full sound-level meter is in
// bench_sound_level.cpp.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/weighting.hpp"

// bench-requires: weighting biquad

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;
using ts::dsp::Weighting;
using ts::dsp::WeightingType;

constexpr std::size_t kN = 2000;
float g_x[kN];
float g_y[kN];
float g_state[Weighting::state_len(WeightingType::kA)];

}  // namespace

TS_BENCH_PROBE(aweight_f32) {
  Weighting w;
  if (w.init(WeightingType::kA, 16000.0f, g_state) != ts::Status::kOk) return;
  w.process(g_x, g_y);
}

TS_BENCH_RUN(weighting) {
  tb::fill_uniform(g_x, kN, 0.5f);
  Weighting w;
  if (w.init(WeightingType::kA, 16000.0f, g_state) != ts::Status::kOk) tb::fail("Weighting::init");
  // RAM: the object and its state (the built-in coefficients are in flash).
  const auto ram = static_cast<std::uint32_t>(sizeof(w) + sizeof(g_state));
  tb::measure(tb::Info{"aweight_f32", "fs=16000,n=2000", "sample", kN, ram}, [&] { w.process(g_x, g_y); });
}
