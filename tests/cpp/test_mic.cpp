// Microphone reader vs scipy (gen_mic.py): int16 / 24-in-32 / 18-in-32 PCM
// from WAV files through WavSource, conversion exact, DC removal equal to
// scipy.signal.lfilter with butter(1, fc, 'highpass'); streaming in any
// block split gives the same bits; tail canary; errors.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "golden_mic.hpp"
#include "tinysense/node/mic.hpp"
#include "tinysense/node/recording.hpp"
#include "tinysense/node/sim.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::mic;

namespace {

constexpr std::size_t kN = 2400;
constexpr float kCanary = -12345.0f;
float g_out[kN + 4];
float g_one[kN];

WavPcm parse(const std::uint8_t* file, std::size_t len) {
  WavPcm w;
  TT_CHECK(parse_wav(Span<const std::uint8_t>(file, len), Truncation::kReject, &w) == Status::kOk);
  return w;
}

struct Lcg {
  std::uint32_t s;
  std::uint32_t next(std::uint32_t mod) {
    s = s * 1664525u + 1013904223u;
    return (s >> 8) % mod;
  }
};

// Reads the whole WAV through a MicReader in blocks of random size from a
// source that delivers at most `dma` samples per call (0: unlimited, block
// = the whole signal). Returns the samples read.
std::size_t run(const WavPcm& wav, PcmFormat fmt, const MicConfig& cfg, std::size_t dma,
                std::uint32_t seed, float* out) {
  WavSource src;
  TT_CHECK(src.init(wav, 0, fmt, dma) == Status::kOk);
  MicReader mic;
  TT_CHECK(mic.init(src.source(), cfg) == Status::kOk);
  Lcg lcg{seed};
  std::size_t total = 0;
  for (;;) {
    const std::size_t block = seed == 0 ? kN : 1 + lcg.next(333);
    std::size_t got = 0;
    TT_CHECK(mic.read(Span<float>(out + total, block < kN - total ? block : kN - total), &got) ==
             Status::kOk);
    total += got;
    if (got == 0 || total == kN) break;
  }
  return total;
}

}  // namespace

TT_TEST(coefficients_match_scipy_butter) {
  DcBlocker dc;
  TT_CHECK(dc.init(20.0f, 16000.0f) == Status::kOk);
  TT_CHECK_NEAR(dc.k(), g::b20[0], 1e-7);
  TT_CHECK_NEAR(-dc.k(), g::b20[1], 1e-7);
  TT_CHECK_NEAR(-dc.p(), g::a20[1], 1e-7);
  TT_CHECK(dc.init(100.0f, 16000.0f) == Status::kOk);
  TT_CHECK_NEAR(dc.k(), g::b100[0], 1e-7);
  TT_CHECK_NEAR(-dc.p(), g::a100[1], 1e-7);
  TT_CHECK(dc.init(0.0f, 16000.0f) == Status::kInvalidArgument);
  TT_CHECK(dc.init(-5.0f, 16000.0f) == Status::kInvalidArgument);
  TT_CHECK(dc.init(8000.0f, 16000.0f) == Status::kInvalidArgument);
  TT_CHECK(dc.init(20.0f, 0.0f) == Status::kInvalidArgument);
  TT_CHECK(dc.init(std::nanf(""), 16000.0f) == Status::kInvalidArgument);
}

TT_TEST(conversion_is_exact) {
  MicConfig cfg;
  cfg.sample_rate_hz = 16000.0f;
  cfg.dc_cutoff_hz = 0.0f;  // conversion only
  const WavPcm w16 = parse(g::wav16, g::wav16_len);
  TT_CHECK_EQ(run(w16, PcmFormat::kInt16, cfg, 0, 0, g_out), kN);
  TT_CHECK_EQ(tt::max_abs_error(g_out, g::raw16, kN), 0.0);
  // The 8 (24-bit) and 14 (18-bit) low bits hold noise: cleared, not rounded in.
  cfg.valid_bits = 24;
  TT_CHECK_EQ(run(parse(g::wav24, g::wav24_len), PcmFormat::kInt32, cfg, 0, 0, g_out), kN);
  TT_CHECK_EQ(tt::max_abs_error(g_out, g::raw24, kN), 0.0);
  cfg.valid_bits = 18;
  TT_CHECK_EQ(run(parse(g::wav18, g::wav18_len), PcmFormat::kInt32, cfg, 0, 0, g_out), kN);
  TT_CHECK_EQ(tt::max_abs_error(g_out, g::raw18, kN), 0.0);
  // The same through the stand-alone helpers.
  static std::int16_t s16[kN];
  for (std::size_t i = 0; i < kN; ++i)
    s16[i] = static_cast<std::int16_t>(w16.sample_i32(i, 0) >> 16);
  pcm16_to_float(Span<const std::int16_t>(s16), Span<float>(g_one));
  TT_CHECK_EQ(tt::max_abs_error(g_one, g::raw16, kN), 0.0);
  const std::int32_t edge[4] = {-2147483647 - 1, 2147483647, 255, -1};
  float fe[4];
  pcm32_to_float(Span<const std::int32_t>(edge), 24, Span<float>(fe));
  TT_CHECK_EQ(fe[0], -1.0f);
  TT_CHECK_EQ(fe[1], 1.0f - 1.0f / 8388608.0f);  // largest 24-bit value
  TT_CHECK_EQ(fe[2], 0.0f);
  TT_CHECK_EQ(fe[3], -1.0f / 8388608.0f);  // -1 LSB of 24 bits
}

TT_TEST(dc_removal_matches_scipy_lfilter) {
  MicConfig cfg;
  cfg.sample_rate_hz = 16000.0f;
  cfg.dc_cutoff_hz = 20.0f;
  TT_CHECK_EQ(run(parse(g::wav16, g::wav16_len), PcmFormat::kInt16, cfg, 0, 0, g_out), kN);
  TT_CHECK_LE(tt::rel_rms_error(g_out, g::hp16, kN), tt::tol::kMicDcRelRms);
  cfg.valid_bits = 24;
  TT_CHECK_EQ(run(parse(g::wav24, g::wav24_len), PcmFormat::kInt32, cfg, 0, 0, g_out), kN);
  TT_CHECK_LE(tt::rel_rms_error(g_out, g::hp24, kN), tt::tol::kMicDcRelRms);
  cfg.valid_bits = 18;
  cfg.dc_cutoff_hz = 100.0f;
  TT_CHECK_EQ(run(parse(g::wav18, g::wav18_len), PcmFormat::kInt32, cfg, 0, 0, g_out), kN);
  TT_CHECK_LE(tt::rel_rms_error(g_out, g::hp18, kN), tt::tol::kMicDcRelRms);
  // The 0.2 DC offset is gone from the last quarter (after ~4 time constants
  // of 20 Hz... 100 Hz: 1.6 ms); the 1 kHz tone passes at scipy's gain.
  double mean = 0.0;
  for (std::size_t i = kN / 2; i < kN; ++i) mean += static_cast<double>(g_out[i]);
  mean /= static_cast<double>(kN / 2);
  TT_CHECK_LE(std::fabs(mean), 0.01);
  DcBlocker dc;
  TT_CHECK(dc.init(20.0f, 16000.0f) == Status::kOk);
  for (std::size_t i = 0; i < kN; ++i) {
    g_one[i] = std::sin(2.0f * 3.14159265f * 1000.0f * static_cast<float>(i) / 16000.0f);
  }
  dc.process(Span<const float>(g_one), Span<float>(g_one));  // in place
  float peak = 0.0f;
  for (std::size_t i = kN / 2; i < kN; ++i)
    peak = std::fabs(g_one[i]) > peak ? std::fabs(g_one[i]) : peak;
  TT_CHECK_NEAR(peak, g::gain_1k, 1e-3);
}

TT_TEST(any_block_split_gives_the_same_bits) {
  MicConfig cfg;
  cfg.sample_rate_hz = 16000.0f;
  cfg.valid_bits = 24;
  const WavPcm w24 = parse(g::wav24, g::wav24_len);
  const WavPcm w16 = parse(g::wav16, g::wav16_len);
  TT_CHECK_EQ(run(w24, PcmFormat::kInt32, cfg, 0, 0, g_one), kN);
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    for (std::size_t dma : {std::size_t{1}, std::size_t{64}, std::size_t{250}}) {
      TT_CHECK_EQ(run(w24, PcmFormat::kInt32, cfg, dma, seed, g_out), kN);
      TT_CHECK(std::memcmp(g_out, g_one, sizeof g_one) == 0);
    }
  }
  TT_CHECK_EQ(run(w16, PcmFormat::kInt16, cfg, 0, 0, g_one), kN);
  for (std::uint32_t seed : {4u, 5u}) {
    TT_CHECK_EQ(run(w16, PcmFormat::kInt16, cfg, 37, seed, g_out), kN);
    TT_CHECK(std::memcmp(g_out, g_one, sizeof g_one) == 0);
  }
}

TT_TEST(tail_canary_end_of_stream_and_reset) {
  MicConfig cfg;
  cfg.sample_rate_hz = 16000.0f;
  WavSource src;
  const WavPcm w16 = parse(g::wav16, g::wav16_len);
  TT_CHECK(src.init(w16, 0, PcmFormat::kInt16, 100) == Status::kOk);
  MicReader mic;
  TT_CHECK(mic.init(src.source(), cfg) == Status::kOk);
  for (std::size_t i = 0; i < 4; ++i) g_out[kN - 100 + i] = kCanary;
  std::size_t got = 0;
  TT_CHECK(mic.read(Span<float>(g_out, kN - 100), &got) == Status::kOk);
  TT_CHECK_EQ(got, kN - 100);
  for (std::size_t i = 0; i < 4; ++i) TT_CHECK_EQ(g_out[kN - 100 + i], kCanary);
  // 100 left in the file: a 256-sample request gets 100, then 0.
  TT_CHECK(mic.read(Span<float>(g_one, 256), &got) == Status::kOk);
  TT_CHECK_EQ(got, std::size_t{100});
  TT_CHECK(mic.read(Span<float>(g_one, 256), &got) == Status::kOk);
  TT_CHECK_EQ(got, std::size_t{0});
  // reset() restarts the filter: a looping source then repeats the output.
  WavSource loop;
  TT_CHECK(loop.init(w16, 0, PcmFormat::kInt16, 0, true) == Status::kOk);
  TT_CHECK(mic.init(loop.source(), cfg) == Status::kOk);
  TT_CHECK(mic.read(Span<float>(g_out, kN), &got) == Status::kOk);
  mic.reset();
  TT_CHECK(mic.read(Span<float>(g_one, kN), &got) == Status::kOk);
  TT_CHECK(std::memcmp(g_out, g_one, sizeof g_one) == 0);
}

namespace {
int g_calls = 0;
int failing_read(void*, void* samples, std::size_t count, std::size_t* got) {
  if (g_calls++ > 0) return static_cast<int>(Status::kTimeout);
  auto* s = static_cast<std::int16_t*>(samples);
  const std::size_t n = count < 10 ? count : 10;
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<std::int16_t>(1000 * i);
  *got = n;
  return 0;
}
int overrunning_read(void*, void*, std::size_t count, std::size_t* got) {
  *got = count + 1;
  return 0;
}
}  // namespace

TT_TEST(errors) {
  MicConfig cfg;
  MicReader mic;
  std::size_t got = 99;
  TT_CHECK(mic.read(Span<float>(g_out, 8), &got) == Status::kNotInitialized);
  TT_CHECK(mic.init(PcmSource{nullptr, nullptr, PcmFormat::kInt16}, cfg) ==
           Status::kInvalidArgument);
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, static_cast<PcmFormat>(7)}, cfg) ==
           Status::kInvalidArgument);
  cfg.valid_bits = 0;
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, PcmFormat::kInt32}, cfg) ==
           Status::kInvalidArgument);
  cfg.valid_bits = 33;
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, PcmFormat::kInt32}, cfg) ==
           Status::kInvalidArgument);
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, PcmFormat::kInt16}, cfg) == Status::kOk);
  cfg = MicConfig{};
  cfg.dc_cutoff_hz = 9000.0f;
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, PcmFormat::kInt16}, cfg) ==
           Status::kInvalidArgument);
  cfg = MicConfig{};
  cfg.dc_cutoff_hz = 0.0f;
  TT_CHECK(mic.init(PcmSource{failing_read, nullptr, PcmFormat::kInt16}, cfg) == Status::kOk);
  g_calls = 0;
  TT_CHECK(mic.read(Span<float>(g_out, 64), &got) == Status::kTimeout);
  TT_CHECK_EQ(got, std::size_t{10});  // the samples before the error are valid
  TT_CHECK_EQ(g_out[9], 9000.0f / 32768.0f);
  TT_CHECK(mic.read(Span<float>(g_out, 64), nullptr) == Status::kInvalidArgument);
  TT_CHECK(mic.init(PcmSource{overrunning_read, nullptr, PcmFormat::kInt16}, cfg) == Status::kOk);
  TT_CHECK(mic.read(Span<float>(g_out, 64), &got) == Status::kIoError);
  WavSource src;
  const WavPcm w16 = parse(g::wav16, g::wav16_len);
  TT_CHECK(src.init(w16, 1, PcmFormat::kInt16) == Status::kInvalidArgument);  // mono file
}
