// Log-mel frontend (tinysense/dsp/mel.hpp): one frame of n_fft = 512 samples
// -> Hann window -> Rfft -> power spectrum -> 40 mel bands -> dB, plus the
// sparse filterbank product alone. Init (twiddles, window, weights) excluded.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/mel.hpp"

// bench-requires: mel fft window

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;
using ts::dsp::Complex32;
using ts::dsp::LogMelFrontend;
using ts::dsp::MelFilterbank;

constexpr std::size_t kNFft = 512;
constexpr std::size_t kNMels = 40;

Complex32 g_tw[ts::dsp::Rfft::twiddle_len(kNFft)];
float g_window[kNFft];
ts::dsp::MelBand g_bands[kNMels];
float g_weights[MelFilterbank::max_weights_len(kNFft)];
float g_scratch[LogMelFrontend::scratch_floats(kNFft)];
Complex32 g_spectrum[LogMelFrontend::scratch_bins(kNFft)];
float g_frame[kNFft];
float g_power[kNFft / 2 + 1];
float g_mel[kNMels];

// The pieces a firmware keeps for the frontend; init() of each, as a user would.
struct Frontend {
  ts::dsp::Rfft fft;
  MelFilterbank fb;
  LogMelFrontend front;
  std::size_t n_weights = 0;

  ts::Status init() noexcept {
    const ts::dsp::MelConfig cfg{16000.0f, kNFft, kNMels};
    TINYSENSE_TRY(MelFilterbank::weights_len(cfg, &n_weights));
    TINYSENSE_TRY(fft.init(kNFft, g_tw));
    TINYSENSE_TRY(ts::dsp::make_window(ts::dsp::WindowType::kHann, ts::dsp::WindowSymmetry::kPeriodic,
                                       ts::Span<float>(g_window)));
    TINYSENSE_TRY(fb.init(cfg, g_bands, ts::Span<float>(g_weights, n_weights)));
    return front.init(fft, g_window, fb, ts::dsp::LogConfig{}, g_scratch, g_spectrum);
  }

  // Objects + twiddles + window + bands + exact weights + both scratch buffers.
  std::uint32_t ram_bytes() const noexcept {
    return static_cast<std::uint32_t>(sizeof(fft) + sizeof(fb) + sizeof(front) + sizeof(g_tw) +
                                      sizeof(g_window) + sizeof(g_bands) + n_weights * sizeof(float) +
                                      sizeof(g_scratch) + sizeof(g_spectrum));
  }
};

}  // namespace

TS_BENCH_PROBE(logmel_f32) {
  Frontend f;
  if (f.init() != ts::Status::kOk) return;
  f.front.process(g_frame, g_mel);
}

TS_BENCH_PROBE(mel_apply_f32) {
  MelFilterbank fb;
  if (fb.init(ts::dsp::MelConfig{}, g_bands, g_weights) != ts::Status::kOk) return;
  fb.apply(g_power, g_mel);
}

TS_BENCH_RUN(mel) {
  static Frontend f;  // ~8 KiB: keep it off the stack
  if (f.init() != ts::Status::kOk) tb::fail("LogMelFrontend init");
  tb::fill_uniform(g_frame, kNFft, 0.5f);
  tb::measure(tb::Info{"logmel_f32", "n_fft=512,n_mels=40", "call", 1, f.ram_bytes()},
              [&] { f.front.process(g_frame, g_mel); });

  tb::fill_uniform(g_power, kNFft / 2 + 1, 1.0f, 99u);
  const auto fb_ram = static_cast<std::uint32_t>(sizeof(f.fb) + sizeof(g_bands) + f.n_weights * sizeof(float));
  tb::measure(tb::Info{"mel_apply_f32", "n_fft=512,n_mels=40", "call", 1, fb_ram},
              [&] { f.fb.apply(g_power, g_mel); });
}
