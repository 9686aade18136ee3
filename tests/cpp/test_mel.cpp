// Mel filterbank and log-mel frontend vs the numpy port of librosa (gen_mel.py).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "golden_mel.hpp"
#include "tinysense/dsp/mel.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;
namespace g = golden::mel;

namespace {

constexpr std::size_t kMaxBins = 4096 / 2 + 1;
constexpr std::size_t kMaxMels = 128;
constexpr std::size_t kMaxWeights = MelFilterbank::max_weights_len(4096);

MelBand g_bands[kMaxMels + 1];
float g_weights[kMaxWeights + 1];
float g_row[kMaxBins];
double g_ref_row[kMaxBins];
float g_mel[kMaxMels + 1];

struct FbCase {
  const double* cfg;
  const double* melf;
  const std::int32_t* first;
  const std::int32_t* count;
  const double* w;
  std::size_t n_melf;
};

#define FB_CASE(k) \
  FbCase { g::fb##k##_cfg, g::fb##k##_melf, g::fb##k##_first, g::fb##k##_count, g::fb##k##_w, g::fb##k##_melf_len }
const FbCase kCases[] = {FB_CASE(0), FB_CASE(1), FB_CASE(2), FB_CASE(3), FB_CASE(4), FB_CASE(5)};
static_assert(sizeof(kCases) / sizeof(kCases[0]) == g::num_configs, "one case per config");

MelConfig config_of(const double* c) {
  MelConfig cfg;
  cfg.sample_rate = static_cast<float>(c[0]);
  cfg.n_fft = static_cast<std::size_t>(c[1]);
  cfg.n_mels = static_cast<std::size_t>(c[2]);
  cfg.fmin = static_cast<float>(c[3]);
  cfg.fmax = static_cast<float>(c[4]);
  cfg.scale = c[5] != 0.0 ? MelScale::kHtk : MelScale::kSlaney;
  cfg.norm = c[6] != 0.0 ? MelNorm::kSlaney : MelNorm::kNone;
  return cfg;
}

// Reference row m, dense, from the sparse golden data.
void ref_row(const FbCase& c, std::size_t m, std::size_t n_bins) {
  for (std::size_t k = 0; k < n_bins; ++k) g_ref_row[k] = 0.0;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < m; ++i) offset += static_cast<std::size_t>(c.count[i]);
  for (std::int32_t j = 0; j < c.count[m]; ++j) {
    g_ref_row[static_cast<std::size_t>(c.first[m] + j)] = c.w[offset + static_cast<std::size_t>(j)];
  }
}

float g_frame_scratch[512];
Complex32 g_spectrum[257];
float g_window[512];
float g_audio[g::audio_seg_len];

}  // namespace

TT_TEST(mel_frequencies_match_librosa) {
  for (const FbCase& c : kCases) {
    const MelConfig cfg = config_of(c.cfg);
    const double fmax = cfg.fmax == 0.0f ? c.cfg[0] / 2 : c.cfg[4];
    double f[kMaxMels + 2];
    mel_frequencies(c.cfg[3], fmax, cfg.scale, Span<double>(f, c.n_melf));
    for (std::size_t i = 0; i < c.n_melf; ++i) TT_CHECK_NEAR(f[i], c.melf[i], 1e-9 * c.melf[i] + 1e-12);
  }
  // Slaney: linear 200/3 Hz per mel below 1 kHz; HTK: 1000 Hz is 999.99 mel.
  TT_CHECK_NEAR(hz_to_mel(500.0, MelScale::kSlaney), 7.5, 1e-12);
  TT_CHECK_NEAR(mel_to_hz(hz_to_mel(3000.0, MelScale::kSlaney), MelScale::kSlaney), 3000.0, 1e-9);
  TT_CHECK_NEAR(hz_to_mel(1000.0, MelScale::kHtk), 999.9855371396243, 1e-9);
  TT_CHECK_NEAR(mel_to_hz(hz_to_mel(6000.0, MelScale::kHtk), MelScale::kHtk), 6000.0, 1e-9);
}

TT_TEST(filterbank_weights_match_dense) {
  for (const FbCase& c : kCases) {
    const MelConfig cfg = config_of(c.cfg);
    std::size_t len = 0;
    TT_CHECK(MelFilterbank::weights_len(cfg, &len) == Status::kOk);
    TT_CHECK_LE(len, MelFilterbank::max_weights_len(cfg.n_fft));
    MelFilterbank fb;
    g_weights[len] = -7.0f;  // canary right after the exact storage
    g_bands[cfg.n_mels].num_weights = 0xBEEF;
    TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands, cfg.n_mels), Span<float>(g_weights, len)) ==
             Status::kOk);
    TT_CHECK_EQ(fb.num_weights(), len);
    TT_CHECK_EQ(g_weights[len], -7.0f);
    TT_CHECK_EQ(g_bands[cfg.n_mels].num_weights, 0xBEEF);
    TT_CHECK_EQ(fb.n_mels(), cfg.n_mels);
    TT_CHECK_EQ(fb.n_bins(), cfg.n_fft / 2 + 1);
    // Dense comparison of every entry, relative to the largest weight.
    double wmax = 0.0, err = 0.0;
    std::size_t ref_total = 0;
    for (std::size_t m = 0; m < cfg.n_mels; ++m) {
      fb.dense_row(m, Span<float>(g_row, fb.n_bins()));
      ref_row(c, m, fb.n_bins());
      for (std::size_t k = 0; k < fb.n_bins(); ++k) {
        wmax = std::fmax(wmax, g_ref_row[k]);
        err = std::fmax(err, std::fabs(static_cast<double>(g_row[k]) - g_ref_row[k]));
      }
      ref_total += static_cast<std::size_t>(c.count[m]);
    }
    TT_CHECK_LE(err, tt::tol::kMelRel * wmax);
    TT_CHECK_EQ(len, ref_total);  // same support as librosa: no stray tiny weights
  }
}

TT_TEST(mel_energies_of_random_spectra) {
  struct {
    const FbCase* c;
    const float* power;
    const double* mel;
    std::size_t n_power;
  } cases[] = {{&kCases[0], g::fb0_power, g::fb0_mel, g::fb0_power_len},
               {&kCases[1], g::fb1_power, g::fb1_mel, g::fb1_power_len},
               {&kCases[2], g::fb2_power, g::fb2_mel, g::fb2_power_len}};
  for (const auto& t : cases) {
    const MelConfig cfg = config_of(t.c->cfg);
    MelFilterbank fb;
    TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights)) == Status::kOk);
    const std::size_t bins = fb.n_bins(), n_mels = fb.n_mels();
    for (std::size_t s = 0; s * bins < t.n_power; ++s) {
      g_mel[n_mels] = 3.0f;
      fb.apply(Span<const float>(t.power + s * bins, bins), Span<float>(g_mel, n_mels));
      TT_CHECK_LE(tt::rel_rms_error(g_mel, t.mel + s * n_mels, n_mels), tt::tol::kMelRel);
      for (std::size_t m = 0; m < n_mels; ++m) {
        const double ref = t.mel[s * n_mels + m];
        TT_CHECK_NEAR(g_mel[m], ref, tt::tol::kMelRel * ref);
      }
      TT_CHECK_EQ(g_mel[n_mels], 3.0f);
    }
  }
}

TT_TEST(analytic_filterbank) {
  // Norm none: the triangles are linear in Hz, so between the first and the
  // last centre frequency the bands of any bin sum to exactly 1.
  MelConfig cfg;
  cfg.sample_rate = 16000.0f;
  cfg.n_fft = 1024;
  cfg.n_mels = 10;
  cfg.fmin = 0.0f;
  cfg.fmax = 1000.0f;
  cfg.norm = MelNorm::kNone;
  MelFilterbank fb;
  TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights)) == Status::kOk);
  // One bin of unit power at a time; centres are f_i = i * 1000 / 11 Hz.
  float ones[513];
  for (float& v : ones) v = 0.0f;
  const double hz_per_bin = 16000.0 / 1024.0;
  const double f1 = 1000.0 / 11.0, f10 = 10.0 * f1;
  for (std::size_t k = 0; k < 513; ++k) {
    const double fk = static_cast<double>(k) * hz_per_bin;
    if (fk <= f1 + 1e-9 || fk >= f10 - 1e-9) continue;
    for (float& v : ones) v = 0.0f;
    ones[k] = 1.0f;
    fb.apply(Span<const float>(ones), Span<float>(g_mel, 10));
    float total = 0.0f;
    for (std::size_t m = 0; m < 10; ++m) total += g_mel[m];
    TT_CHECK_NEAR(total, 1.0, 1e-6);
  }
  // Owning variant agrees with the caller-storage one.
  MelFilterbankN<1024, 10> owned;
  TT_CHECK(owned.init(cfg) == Status::kOk);
  TT_CHECK_EQ(owned.num_weights(), fb.num_weights());
  for (std::size_t i = 0; i < fb.num_weights(); ++i) TT_CHECK_EQ(owned.weights()[i], fb.weights()[i]);
  MelConfig other = cfg;
  other.n_mels = 11;
  TT_CHECK(owned.init(other) == Status::kSizeMismatch);
}

TT_TEST(filterbank_rejects_bad_config) {
  MelConfig good;  // 16 kHz, 512, 40 mels, 0 .. 8000 Hz
  std::size_t len = 0;
  TT_CHECK(MelFilterbank::weights_len(good, &len) == Status::kOk);
  MelFilterbank fb;
  auto init = [&](const MelConfig& cfg) {
    return fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights));
  };
  TT_CHECK(init(good) == Status::kOk);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  MelConfig c = good;
  c.fmax = 8000.5f;  // above Nyquist
  TT_CHECK(init(c) == Status::kInvalidArgument);
  TT_CHECK(!fb.initialized());  // a failed init leaves nothing usable
  c = good;
  c.n_mels = 0;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c = good;
  c.n_mels = 70000;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c = good;
  c.fmin = 4000.0f;
  c.fmax = 4000.0f;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c.fmin = 5000.0f;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c = good;
  c.fmin = -1.0f;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c = good;
  c.fmin = nan;
  TT_CHECK(init(c) == Status::kInvalidArgument);
  for (const std::size_t n_fft : {std::size_t{0}, std::size_t{500}, std::size_t{8}, std::size_t{8192}}) {
    c = good;
    c.n_fft = n_fft;
    TT_CHECK(init(c) == Status::kInvalidArgument);
    TT_CHECK(MelFilterbank::weights_len(c, &len) == Status::kInvalidArgument);
  }
  for (const float sr : {0.0f, -16000.0f, nan, std::numeric_limits<float>::infinity()}) {
    c = good;
    c.sample_rate = sr;
    TT_CHECK(init(c) == Status::kInvalidArgument);
  }
  c = good;
  c.scale = static_cast<MelScale>(7);
  TT_CHECK(init(c) == Status::kInvalidArgument);
  c = good;
  c.norm = static_cast<MelNorm>(7);
  TT_CHECK(init(c) == Status::kInvalidArgument);
  // Storage too small: bands, then weights (exact size passes, one less fails).
  TT_CHECK(MelFilterbank::weights_len(good, &len) == Status::kOk);
  TT_CHECK(fb.init(good, Span<MelBand>(g_bands, 39), Span<float>(g_weights)) == Status::kNoMemory);
  TT_CHECK(fb.init(good, Span<MelBand>(g_bands, 40), Span<float>(g_weights, len - 1)) ==
           Status::kNoMemory);
  TT_CHECK(fb.init(good, Span<MelBand>(g_bands, 40), Span<float>(g_weights, len)) == Status::kOk);
}

TT_TEST(power_to_db_and_log) {
  const float s[] = {1.0f, 10.0f, 1e-3f, 0.0f, 1e-12f, 2.0f};
  float y[6];
  power_to_db(Span<const float>(s), Span<float>(y));
  const double expect_db[] = {0.0, 10.0, -30.0, -100.0, -100.0, 10.0 * std::log10(2.0)};
  for (int i = 0; i < 6; ++i) TT_CHECK_NEAR(y[i], expect_db[i], 1e-5);
  // ref and floor (librosa: ref is clamped by amin too); in place.
  float z[6];
  std::memcpy(z, s, sizeof z);
  power_to_db(Span<const float>(z), Span<float>(z), 1e-4f, 10.0f);
  const double expect_ref[] = {-10.0, 0.0, -40.0, -50.0, -50.0, 10.0 * std::log10(0.2)};
  for (int i = 0; i < 6; ++i) TT_CHECK_NEAR(z[i], expect_ref[i], 1e-5);
  log_floor(Span<const float>(s), Span<float>(y), 1e-6f);
  const double expect_ln[] = {0.0, std::log(10.0), std::log(1e-3), std::log(1e-6), std::log(1e-6),
                              std::log(2.0)};
  for (int i = 0; i < 6; ++i) TT_CHECK_NEAR(y[i], expect_ln[i], 1e-5);
}

namespace {
// One log-mel frame vs the reference: kLogMelAbs for bands within 60 dB of
// the frame's loudest band, kLogMelQuietAbs below that, where the float32
// FFT's rounding noise shows. db_per_unit: 1 for dB, 10 / ln(10) for ln.
void check_frame(const float* y, const double* r, std::size_t nm, double db_per_unit) {
  double top = r[0];
  for (std::size_t m = 1; m < nm; ++m) top = std::fmax(top, r[m]);
  for (std::size_t m = 0; m < nm; ++m) {
    const bool quiet = (top - r[m]) * db_per_unit > 60.0;
    TT_CHECK_NEAR(y[m], r[m], quiet ? tt::tol::kLogMelQuietAbs : tt::tol::kLogMelAbs);
  }
}

void run_audio(const MelConfig& cfg, const LogConfig& log, const double* ref) {
  Rfft fft;
  static Complex32 twiddles[Rfft::twiddle_len(512)];
  TT_CHECK(fft.init(512, Span<Complex32>(twiddles)) == Status::kOk);
  TT_CHECK(make_window(WindowType::kHann, WindowSymmetry::kPeriodic, Span<float>(g_window)) ==
           Status::kOk);
  MelFilterbank fb;
  TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights)) == Status::kOk);
  LogMelFrontend fe;
  TT_CHECK(fe.init(fft, Span<const float>(g_window), fb, log, Span<float>(g_frame_scratch),
                   Span<Complex32>(g_spectrum)) == Status::kOk);
  const auto seg_len = static_cast<std::size_t>(g::audio_seg_len);
  const auto frames = static_cast<std::size_t>(g::audio_frames);
  const auto hop = static_cast<std::size_t>(g::audio_hop);
  const double db_per_unit = log.type == LogType::kDecibel ? 1.0 : 10.0 / std::log(10.0);
  static float out[16 * 40 + 1];
  TT_CHECK(frames * 40 + 1 <= sizeof out / sizeof out[0]);
  for (std::size_t s = 0; s < static_cast<std::size_t>(g::audio_segments); ++s) {
    for (std::size_t i = 0; i < seg_len; ++i) {
      g_audio[i] = static_cast<float>(g::audio_x[s * seg_len + i]) * (1.0f / 32768.0f);
    }
    const double* r = ref + s * frames * 40;
    // Frame by frame, the way a stream is processed.
    for (std::size_t t = 0; t < frames; ++t) {
      float y[41];
      y[40] = 1234.0f;
      fe.process(Span<const float>(g_audio + t * hop, 512), Span<float>(y, 40));
      check_frame(y, r + t * 40, 40, db_per_unit);
      TT_CHECK_EQ(y[40], 1234.0f);
    }
    // The whole block at once gives the same frames.
    TT_CHECK_EQ(LogMelFrontend::num_frames(seg_len, 512, hop), frames);
    out[frames * 40] = 99.0f;
    TT_CHECK(fe.process_frames(Span<const float>(g_audio, seg_len), hop,
                               Span<float>(out, frames * 40)) == Status::kOk);
    for (std::size_t t = 0; t < frames; ++t) check_frame(out + t * 40, r + t * 40, 40, db_per_unit);
    TT_CHECK_EQ(out[frames * 40], 99.0f);
    TT_CHECK(fe.process_frames(Span<const float>(g_audio, seg_len), hop,
                               Span<float>(out, frames * 40 - 1)) == Status::kNoMemory);
    TT_CHECK(fe.process_frames(Span<const float>(g_audio, seg_len), 0, Span<float>(out, 1)) ==
             Status::kInvalidArgument);
  }
}
}  // namespace

TT_TEST(log_mel_of_real_audio_db) {
  if (g::audio_is_real == 0) {
    std::printf("    note: synthetic audio, Debian pocketsphinx-testdata is not installed\n");
  }
  run_audio(config_of(g::fb0_cfg), LogConfig{}, g::audio_db);
}

TT_TEST(log_mel_of_real_audio_ln) {
  LogConfig log;
  log.type = LogType::kNatural;
  log.floor = 1e-6f;
  run_audio(config_of(g::fb1_cfg), log, g::audio_ln);
}

TT_TEST(owning_frontend_matches) {
  static LogMelFrontendN<512, 40> fe;
  TT_CHECK(fe.init(config_of(g::fb0_cfg)) == Status::kOk);
  for (std::size_t i = 0; i < static_cast<std::size_t>(g::audio_seg_len); ++i) {
    g_audio[i] = static_cast<float>(g::audio_x[i + static_cast<std::size_t>(g::audio_seg_len)]) *
                 (1.0f / 32768.0f);
  }
  const double* r = g::audio_db + static_cast<std::size_t>(g::audio_frames) * 40;
  float y[40];
  fe.process(Span<const float>(g_audio, 512), Span<float>(y));
  check_frame(y, r, 40, 1.0);
  MelConfig wrong = config_of(g::fb0_cfg);
  wrong.n_mels = 41;
  TT_CHECK(fe.init(wrong) == Status::kSizeMismatch);
}

TT_TEST(frontend_rejects_bad_setup) {
  Rfft fft;
  static Complex32 tw[Rfft::twiddle_len(512)];
  MelFilterbank fb;
  LogMelFrontend fe;
  const LogConfig log;
  auto init = [&](const Rfft& f, std::size_t win, const MelFilterbank& b, const LogConfig& l,
                  std::size_t scratch, std::size_t spec) {
    return fe.init(f, Span<const float>(g_window, win), b, l, Span<float>(g_frame_scratch, scratch),
                   Span<Complex32>(g_spectrum, spec));
  };
  // Neither initialised yet.
  TT_CHECK(init(fft, 512, fb, log, 512, 257) == Status::kNotInitialized);
  TT_CHECK(fft.init(512, Span<Complex32>(tw)) == Status::kOk);
  TT_CHECK(init(fft, 512, fb, log, 512, 257) == Status::kNotInitialized);
  MelConfig cfg;  // n_fft 512
  TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights)) == Status::kOk);
  TT_CHECK(init(fft, 512, fb, log, 512, 257) == Status::kOk);
  TT_CHECK(init(fft, 256, fb, log, 512, 257) == Status::kSizeMismatch);
  TT_CHECK(init(fft, 512, fb, log, 511, 257) == Status::kNoMemory);
  TT_CHECK(init(fft, 512, fb, log, 512, 256) == Status::kNoMemory);
  LogConfig bad = log;
  bad.floor = 0.0f;
  TT_CHECK(init(fft, 512, fb, bad, 512, 257) == Status::kInvalidArgument);
  bad = log;
  bad.ref = -1.0f;
  TT_CHECK(init(fft, 512, fb, bad, 512, 257) == Status::kInvalidArgument);
  bad.type = LogType::kNatural;  // ref is not used by the natural log
  TT_CHECK(init(fft, 512, fb, bad, 512, 257) == Status::kOk);
  bad.type = static_cast<LogType>(5);
  TT_CHECK(init(fft, 512, fb, bad, 512, 257) == Status::kInvalidArgument);
  cfg.n_fft = 1024;
  TT_CHECK(fb.init(cfg, Span<MelBand>(g_bands), Span<float>(g_weights)) == Status::kOk);
  TT_CHECK(init(fft, 512, fb, log, 512, 257) == Status::kSizeMismatch);
}
