// Sound-level meter (tinysense/dsp/sound_level.hpp): A-weighting, fast time
// weighting, Leq/Lmax/Lmin and the level histogram, per sample, 2000 samples
// per call at 16 kHz. Readouts (log10) are not part of the per-sample cost.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/sound_level.hpp"

// bench-requires: sound_level weighting biquad

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;
using ts::dsp::SoundLevelConfig;
using ts::dsp::SoundLevelMeter;

constexpr std::size_t kN = 2000;
constexpr std::size_t kBins = 1200;  // 0.1 dB bins over 120 dB
float g_x[kN];
float g_state[ts::dsp::Weighting::kMaxStateLen];
std::uint32_t g_hist[kBins];

SoundLevelConfig config() noexcept {
  SoundLevelConfig c;
  c.sample_rate = 16000.0f;
  return c;
}

}  // namespace

TS_BENCH_PROBE(sound_level_f32) {
  SoundLevelMeter m;
  if (m.init(config(), g_state, g_hist) != ts::Status::kOk) return;
  m.process(g_x);
}

TS_BENCH_RUN(sound_level) {
  tb::fill_uniform(g_x, kN, 0.5f);
  static SoundLevelMeter m;  // holds a 64-sample scratch block
  const SoundLevelConfig cfg = config();
  if (m.init(cfg, g_state, g_hist) != ts::Status::kOk) tb::fail("SoundLevelMeter::init");
  // RAM: the meter (with its scratch block), the filter state it needs and the histogram.
  const auto ram = static_cast<std::uint32_t>(sizeof(m) + SoundLevelMeter::state_len(cfg) * sizeof(float) +
                                              sizeof(g_hist));
  tb::measure(tb::Info{"sound_level_f32", "A,fast,fs=16000,n=2000", "sample", kN, ram},
              [&] { m.process(g_x); });
}
