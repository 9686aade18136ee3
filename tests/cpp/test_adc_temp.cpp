// ADC temperature sensor: oversampled codes bit-exact against the numpy
// integer model and temperatures against its float64 conversion, replaying
// the noisy codes of gen_adc_temp.py; the C++ SimAdc shows the noise
// reduction; hand-computed conversions; init rejecting each bad setting.
#include <cmath>
#include <cstdint>

#include "golden_adc_temp.hpp"
#include "tinysense/node/adc_temp.hpp"
#include "tinysense/node/sim.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::adc_temp;

static_assert(oversampled_code(4095, 0) == 4095, "");
static_assert(oversampled_code(4 * 4095, 1) == 8190, "");
static_assert(oversampled_code(5, 1) == 3, "rounds half up: 2.5 -> 3");
static_assert(oversampled_code(4, 1) == 2, "");
static_assert(oversampled_code(std::uint64_t{65536} * 16777215u, 8) == 4294967040u, "24 + 8 bits");

TT_TEST(replay_matches_numpy_model) {
  ReplayAdc replay;
  TT_CHECK(replay.init(Span<const std::uint32_t>(g::codes, g::codes_len), 12, 3.3f) == Status::kOk);
  int bad_code = 0, bad_pos = 0;
  double worst_model = 0.0, worst_true_e0 = 0.0, worst_true_e5 = 0.0;
  for (long long c = 0; c < g::n_cases; ++c) {
    const double* row = g::cases + 6 * c;
    TempSensorConfig cfg;
    cfg.kind = row[0] == 0.0 ? TempSensorKind::kLinear : TempSensorKind::kNtcBeta;
    cfg.oversample_bits = static_cast<std::uint8_t>(row[1]);
    AdcTemp sensor;
    TT_CHECK(sensor.init(replay.adc(), cfg) == Status::kOk);
    bad_pos += replay.position() != static_cast<std::size_t>(row[2]);
    std::uint32_t code = 0;
    TT_CHECK(sensor.read_code(&code) == Status::kOk);
    bad_code += code != static_cast<std::uint32_t>(row[3]);
    float t = 0.0f;
    TT_CHECK(sensor.code_to_celsius(code, &t) == Status::kOk);
    const double err = std::fabs(static_cast<double>(t) - row[4]);
    worst_model = err > worst_model ? err : worst_model;
    const double err_true = std::fabs(static_cast<double>(t) - row[5]);
    if (row[1] == 0.0 && err_true > worst_true_e0) worst_true_e0 = err_true;
    if (row[1] == 5.0 && err_true > worst_true_e5) worst_true_e5 = err_true;
  }
  TT_CHECK_EQ(bad_code, 0);
  TT_CHECK_EQ(bad_pos, 0);
  TT_CHECK_EQ(replay.position(), g::codes_len);
  TT_CHECK_LE(worst_model, tt::tol::kAdcTempAbsC);
  TT_CHECK_LE(worst_true_e0, 0.12);   // ~1.4 LSB of 0.08 degC (TMP36), noise 0.8 LSB
  TT_CHECK_LE(worst_true_e5, 0.006);  // 1024 conversions: 5 more bits
  std::uint32_t code = 0;
  AdcTemp sensor;
  TT_CHECK(sensor.init(replay.adc(), TempSensorConfig{}) == Status::kOk);
  TT_CHECK(sensor.read_code(&code) == Status::kNoData);  // replay exhausted
}

TT_TEST(oversampling_reduces_noise_on_sim_adc) {
  // TMP36 at 23.4 degC on a noisy 12-bit ADC: RMS error of single
  // conversions vs 4^4 = 256-fold oversampling.
  const float t_true = 23.4f;
  double rms[2] = {0.0, 0.0};
  const std::uint8_t es[2] = {0, 4};
  for (int k = 0; k < 2; ++k) {
    SimAdc adc;
    TT_CHECK(adc.init(12, 3.3f, 0.8f, 1234u + static_cast<std::uint32_t>(k)) == Status::kOk);
    adc.set_input_volts(2, 0.5f + 0.010f * t_true);
    TempSensorConfig cfg;
    cfg.channel = 2;
    cfg.oversample_bits = es[k];
    AdcTemp sensor;
    TT_CHECK(sensor.init(adc.adc(), cfg) == Status::kOk);
    const int n = 40;
    for (int i = 0; i < n; ++i) {
      float t = 0.0f;
      TT_CHECK(sensor.read_celsius(&t) == Status::kOk);
      rms[k] += (static_cast<double>(t) - t_true) * (static_cast<double>(t) - t_true);
    }
    rms[k] = std::sqrt(rms[k] / n);
    TT_CHECK_EQ(adc.conversions(),
                static_cast<std::uint32_t>(n) * sensor.conversions_per_reading());
  }
  TT_CHECK_LE(rms[0], 0.12);
  TT_CHECK_LE(rms[1], rms[0] / 5.0);
  TT_CHECK_LE(rms[1], 0.01);
  // 8 extra bits (65536 conversions) on a noiseless ADC: the code is 256 x.
  SimAdc quiet;
  TT_CHECK(quiet.init(10, 1.0f, 0.0f, 1) == Status::kOk);
  quiet.set_input_volts(0, 0.25f);
  TempSensorConfig cfg;
  cfg.oversample_bits = 8;
  AdcTemp sensor;
  TT_CHECK(sensor.init(quiet.adc(), cfg) == Status::kOk);
  TT_CHECK_EQ(sensor.code_bits(), 18);
  std::uint32_t code = 0;
  TT_CHECK(sensor.read_code(&code) == Status::kOk);
  TT_CHECK_EQ(code, 256u * 256u);
  TT_CHECK_EQ(sensor.code_to_volts(code), 0.25f);
}

TT_TEST(hand_computed_conversions) {
  TT_CHECK_EQ(linear_sensor_celsius(0.75f, 0.5f, 0.010f), 25.0f);  // TMP36 at 25 degC
  TT_CHECK_NEAR(linear_sensor_celsius(0.1f, 0.5f, 0.010f), -40.0f, 1e-4);
  TT_CHECK_NEAR(linear_sensor_celsius(0.3f, 0.0f, 0.010f), 30.0f, 1e-4);  // LM35
  float t = 0.0f;
  // R == R0 at mid-scale: exactly T0.
  TT_CHECK(ntc_celsius(0.5f, 10000.0f, 10000.0f, 25.0f, 3950.0f, &t) == Status::kOk);
  TT_CHECK_NEAR(t, 25.0, 1e-4);
  // R = 10k * exp(3950 (1/323.15 - 1/298.15)) = 3588.1 Ohm at 50 degC;
  // ratio = 3588.1 / 13588.1 = 0.264064.
  TT_CHECK(ntc_celsius(0.264064f, 10000.0f, 10000.0f, 25.0f, 3950.0f, &t) == Status::kOk);
  TT_CHECK_NEAR(t, 50.0, 0.01);
  TT_CHECK(ntc_celsius(0.0f, 10000.0f, 10000.0f, 25.0f, 3950.0f, &t) == Status::kOutOfRange);
  TT_CHECK(ntc_celsius(1.0f, 10000.0f, 10000.0f, 25.0f, 3950.0f, &t) == Status::kOutOfRange);
  TT_CHECK(ntc_celsius(0.5f, 10000.0f, 10000.0f, 25.0f, 3950.0f, nullptr) ==
           Status::kInvalidArgument);
  // AdcTemp with a TMP36 on a 12-bit, 3.3 V ADC: code 931 -> 0.75009 V -> 25.009 degC.
  static const std::uint32_t kCodes[] = {931, 0, 4095, 4096};
  ReplayAdc replay;
  TT_CHECK(replay.init(Span<const std::uint32_t>(kCodes), 12, 3.3f) == Status::kOk);
  AdcTemp sensor;
  TT_CHECK(sensor.init(replay.adc(), TempSensorConfig{}) == Status::kOk);
  TT_CHECK(sensor.read_celsius(&t) == Status::kOk);
  TT_CHECK_NEAR(t, (931.0 * 3.3 / 4096.0 - 0.5) / 0.010, 1e-3);
  TempSensorConfig ntc;
  ntc.kind = TempSensorKind::kNtcBeta;
  TT_CHECK(sensor.init(replay.adc(), ntc) == Status::kOk);
  TT_CHECK(sensor.read_celsius(&t) == Status::kOutOfRange);  // code 0: shorted thermistor
  TT_CHECK(sensor.read_celsius(&t) == Status::kOk);          // 4095: very cold, still valid
  TT_CHECK_LE(t, -50.0);
  TT_CHECK(sensor.read_celsius(&t) == Status::kOutOfRange);  // 4096 does not fit 12 bits
}

TT_TEST(init_rejects_bad_config) {
  SimAdc sim;
  TT_CHECK(sim.init(12, 3.3f, 0.5f, 7) == Status::kOk);
  const Adc adc = sim.adc();
  AdcTemp sensor;
  std::uint32_t code = 0;
  float t = 0.0f;
  TT_CHECK(sensor.read_code(&code) == Status::kNotInitialized);
  TT_CHECK(sensor.code_to_celsius(100, &t) == Status::kNotInitialized);
  TempSensorConfig cfg;
  cfg.oversample_bits = 9;
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg = TempSensorConfig{};
  cfg.slope_v_per_c = 0.0f;
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg = TempSensorConfig{};
  cfg.offset_v = std::nanf("");
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg = TempSensorConfig{};
  cfg.kind = TempSensorKind::kNtcBeta;
  cfg.r_series_ohm = -1.0f;
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg.r_series_ohm = 10000.0f;
  cfg.beta_k = 0.0f;
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg.beta_k = 3950.0f;
  cfg.t0_c = -300.0f;
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  cfg = TempSensorConfig{};
  cfg.kind = static_cast<TempSensorKind>(5);
  TT_CHECK(sensor.init(adc, cfg) == Status::kInvalidArgument);
  Adc bad = adc;
  bad.resolution_bits = 0;
  TT_CHECK(sensor.init(bad, TempSensorConfig{}) == Status::kInvalidArgument);
  bad.resolution_bits = 25;
  TT_CHECK(sensor.init(bad, TempSensorConfig{}) == Status::kInvalidArgument);
  bad = adc;
  bad.vref_volts = 0.0f;
  TT_CHECK(sensor.init(bad, TempSensorConfig{}) == Status::kInvalidArgument);
  bad = adc;
  bad.read = nullptr;
  TT_CHECK(sensor.init(bad, TempSensorConfig{}) == Status::kInvalidArgument);
  TT_CHECK(sensor.init(adc, TempSensorConfig{}) == Status::kOk);
  TT_CHECK(sensor.read_code(nullptr) == Status::kInvalidArgument);
  TT_CHECK(sensor.read_celsius(nullptr) == Status::kInvalidArgument);
  SimAdc s2;
  TT_CHECK(s2.init(0, 3.3f, 0.0f, 1) == Status::kInvalidArgument);
  TT_CHECK(s2.init(12, 3.3f, -1.0f, 1) == Status::kInvalidArgument);
  TT_CHECK(s2.init(12, 3.3f, 0.0f, 0) == Status::kInvalidArgument);
}
