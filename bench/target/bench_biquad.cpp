// Biquad cascades (tinysense/dsp/biquad.hpp): 4 sections x 2000 samples,
// float32 (TDF-II) and Q15 (DF-I, 64-bit accumulator). Reported per sample
// per section. References: CMSIS-DSP arm_biquad_cascade_df2T_f32 and
// arm_biquad_cascade_df1_q15, emlearn's biquad; see references.json.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/biquad.hpp"

// bench-requires: biquad

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;

constexpr std::size_t kSections = 4;
constexpr std::size_t kN = 2000;

// scipy.signal.butter(8, 0.2, output='sos') with the gain spread evenly over
// the sections (so the Q15 version keeps resolution): stable, realistic.
const float kSos[kSections * 6] = {
    0.0699632686f, 0.139926537f, 0.0699632686f, 1.0f, -1.02635147f, 0.268640191f,
    0.0699632686f, 0.139926537f, 0.0699632686f, 1.0f, -1.08685846f, 0.34343094f,
    0.0699632686f, 0.139926537f, 0.0699632686f, 1.0f, -1.21972537f, 0.507663465f,
    0.0699632686f, 0.139926537f, 0.0699632686f, 1.0f, -1.45157959f, 0.794251053f,
};

float g_x[kN];
float g_y[kN];
ts::q15_t g_x16[kN];
ts::q15_t g_y16[kN];
ts::q15_t g_sos16[kSections * 6];

}  // namespace

TS_BENCH_PROBE(biquad_f32) {
  ts::dsp::BiquadN<kSections> f;
  if (f.init(kSos) != ts::Status::kOk) return;
  f.process(g_x, g_y);
}

// Q15 coefficients normally come converted from the host, so the probe links
// init + process only, not sos_to_q15 (probes are linked, never run).
TS_BENCH_PROBE(biquad_q15) {
  ts::dsp::BiquadQ15N<kSections> f;
  if (f.init(g_sos16, 1) != ts::Status::kOk) return;
  f.process(g_x16, g_y16);
}

TS_BENCH_RUN(biquad) {
  constexpr auto kUnits = static_cast<std::uint32_t>(kN * kSections);
  tb::fill_uniform(g_x, kN, 1.0f);
  {
    ts::dsp::BiquadN<kSections> f;
    if (f.init(kSos) != ts::Status::kOk) tb::fail("Biquad::init");
    // RAM: the filter object with its state (coefficients stay in flash).
    tb::measure(tb::Info{"biquad_f32", "sections=4,n=2000", "sample*section", kUnits, sizeof(f)},
                [&] { f.process(g_x, g_y); });
  }
  {
    tb::fill_uniform_i16(g_x16, kN, 16000);
    int shift = 0;
    if (ts::dsp::sos_to_q15(kSos, g_sos16, &shift) != ts::Status::kOk) tb::fail("sos_to_q15");
    ts::dsp::BiquadQ15N<kSections> f;
    if (f.init(g_sos16, shift) != ts::Status::kOk) tb::fail("BiquadQ15::init");
    tb::measure(tb::Info{"biquad_q15", "sections=4,n=2000", "sample*section", kUnits, sizeof(f)},
                [&] { f.process(g_x16, g_y16); });
  }
}
