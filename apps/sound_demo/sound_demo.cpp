// Sound demo firmware (Cortex-M4F, QEMU): a real recording through the noise
// meter's processing chain, with each step's instructions counted.
//
// Reads demo_input.s16 from the host over semihosting (a 16-byte header:
// "TSAU", u32 sample rate, u32 sample count, u32 0; then little-endian int16
// mono samples), then runs two
// passes over the whole recording, each between the benchmark markers:
//   level:  int16 -> float, A-weighting, Fast time weighting; LAF every 10 ms
//   logmel: int16 -> float, Hann window, rfft 512, power, 40 Slaney mels, dB,
//           hop 160 (10 ms at 16 kHz)
// and writes demo_level.f32 and demo_logmel.f32 for the host to check against
// numpy/scipy (apps/sound_demo/report.py). Instructions per second of audio =
// count / duration.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../../bench/target/bench.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/mel.hpp"
#include "tinysense/dsp/sound_level.hpp"
#include "tinysense/dsp/stats.hpp"
#include "tinysense/dsp/window.hpp"

using namespace tinysense;
using namespace tinysense::dsp;

namespace {

constexpr std::size_t kMaxSamples = 30 * 16000;  // 30 s at 16 kHz (960 KB)
constexpr std::size_t kNfft = 512;
constexpr std::size_t kMels = 40;
constexpr std::size_t kHopMs = 10;
constexpr std::size_t kBlock = 160;  // converted per step: 10 ms at 16 kHz
constexpr std::size_t kMaxFrames = kMaxSamples / 160 + 1;

std::int16_t g_pcm[kMaxSamples];
float g_levels[kMaxFrames];
float g_logmel[kMaxFrames * kMels];
float g_frame[kNfft];

struct LevelPass {
  SoundLevelMeter meter;
  float state[Weighting::kMaxStateLen];
  std::uint32_t histogram[1200];
};

struct MelPass {
  RfftN<kNfft> fft;
  MelFilterbankN<kNfft, kMels> fb;
  float window[kNfft];
  float scratch[LogMelFrontend::scratch_floats(kNfft)];
  Complex32 spectrum[LogMelFrontend::scratch_bins(kNfft)];
  LogMelFrontend frontend;
};

LevelPass g_level;
MelPass g_mel;

bool read_input(std::uint32_t* rate, std::size_t* count) {
  std::FILE* f = std::fopen("demo_input.s16", "rb");
  if (f == nullptr) return false;
  unsigned char head[16];
  bool good = std::fread(head, 1, 16, f) == 16 && std::memcmp(head, "TSAU", 4) == 0;
  if (good) {
    std::uint32_t n = 0;
    std::memcpy(rate, head + 4, 4);
    std::memcpy(&n, head + 8, 4);
    *count = n < kMaxSamples ? n : kMaxSamples;
    good = std::fread(g_pcm, sizeof(std::int16_t), *count, f) == *count;
  }
  std::fclose(f);
  return good;
}

bool write_output(const char* name, const float* data, std::size_t n) {
  std::FILE* f = std::fopen(name, "wb");
  if (f == nullptr) return false;
  const bool good = std::fwrite(data, sizeof(float), n, f) == n;
  std::fclose(f);
  return good;
}

__attribute__((noinline)) void measure_empty() noexcept {
  bench::measure(bench::Info{"_empty", "-"}, [] {});
}

}  // namespace

int main() {
  for (int i = 0; i < 3; ++i) measure_empty();  // the counter's fixed overhead
  std::uint32_t rate = 0;
  std::size_t n = 0;
  if (!read_input(&rate, &n) || rate != 16000 || n < kNfft) {
    std::printf("sound_demo: cannot read demo_input.s16 (16 kHz TSAU file)\n");
    return 2;
  }
  const std::size_t hop = rate / 1000 * kHopMs;
  const std::size_t n_blocks = n / kBlock;
  std::printf("sound_demo: %u samples at %u Hz\n", static_cast<unsigned>(n),
              static_cast<unsigned>(rate));

  // ---- Pass 1: A-weighted Fast level every 10 ms (init not counted).
  SoundLevelConfig cfg;
  cfg.sample_rate = static_cast<float>(rate);
  cfg.weighting = WeightingType::kA;
  cfg.time_constant_s = kTimeWeightingFast;
  cfg.histogram_min_db = -120.0f;
  if (g_level.meter.init(cfg, Span<float>(g_level.state), Span<std::uint32_t>(g_level.histogram)) !=
      Status::kOk) {
    return 3;
  }
  bench::Info level_info{"demo_level", "A,fast,fs=16000", "sample", static_cast<std::uint32_t>(n_blocks * kBlock),
                         static_cast<std::uint32_t>(sizeof(LevelPass))};
  bench::measure(level_info, [&] {
    g_level.meter.reset();
    for (std::size_t b = 0; b < n_blocks; ++b) {
      int16_to_float(Span<const std::int16_t>(g_pcm + b * kBlock, kBlock), 1.0f / 32768.0f,
                     Span<float>(g_frame, kBlock));
      g_level.meter.process(Span<const float>(g_frame, kBlock));
      g_levels[b] = g_level.meter.level_db();
    }
  });

  const SoundLevelMeter& m = g_level.meter;
  std::printf("@levels leq=%.4f lmax=%.4f lmin=%.4f l10=%.4f l50=%.4f l90=%.4f\n",
              static_cast<double>(m.leq_db()), static_cast<double>(m.lmax_db()),
              static_cast<double>(m.lmin_db()), static_cast<double>(m.l10_db()),
              static_cast<double>(m.l50_db()), static_cast<double>(m.l90_db()));

  // ---- Pass 2: log-mel frames, hop 10 ms (init not counted).
  MelConfig mc;
  mc.sample_rate = static_cast<float>(rate);
  mc.n_fft = kNfft;
  mc.n_mels = kMels;
  LogConfig lc;
  if (g_mel.fft.init() != Status::kOk || g_mel.fb.init(mc) != Status::kOk ||
      make_window(WindowType::kHann, WindowSymmetry::kPeriodic, Span<float>(g_mel.window)) !=
          Status::kOk ||
      g_mel.frontend.init(g_mel.fft, Span<const float>(g_mel.window), g_mel.fb, lc,
                          Span<float>(g_mel.scratch), Span<Complex32>(g_mel.spectrum)) != Status::kOk) {
    return 4;
  }
  const std::size_t frames = LogMelFrontend::num_frames(n, kNfft, hop);
  bench::Info mel_info{"demo_logmel", "nfft=512,mels=40,hop=160", "sample", static_cast<std::uint32_t>(n),
                       static_cast<std::uint32_t>(sizeof(MelPass))};
  bench::measure(mel_info, [&] {
    for (std::size_t t = 0; t < frames; ++t) {
      int16_to_float(Span<const std::int16_t>(g_pcm + t * hop, kNfft), 1.0f / 32768.0f,
                     Span<float>(g_frame));
      g_mel.frontend.process(Span<const float>(g_frame), Span<float>(g_logmel + t * kMels, kMels));
    }
  });

  if (!write_output("demo_level.f32", g_levels, n_blocks) ||
      !write_output("demo_logmel.f32", g_logmel, frames * kMels)) {
    std::printf("sound_demo: cannot write outputs\n");
    return 5;
  }
  std::printf("sound_demo: %u level readings, %u log-mel frames written\n",
              static_cast<unsigned>(n_blocks), static_cast<unsigned>(frames));
  std::printf("@bench-end\n");
  return 0;
}
