// Analog temperature sensor read through an ADC, with oversampling.
//
// Oversampling: 4^e conversions are summed and the sum is shifted right by e
// with rounding (half up), which gives e extra bits: an N-bit ADC yields an
// (N + e)-bit code in [0, 2^(N + e) - 2^e]. The extra bits are real only if
// the input carries about 1 LSB of noise (dither), which MCU ADCs usually
// have; the noise is averaged down by 2^e. numpy model (exact integers):
//   s = codes.reshape(-1, 4**e).sum(axis=1); code = (s + (1 << (e - 1))) >> e  (e >= 1)
// Voltage: v = code * vref / 2^(N + e) (the ideal transfer function of Adc).
//
// Sensor models (both documented below, pick one per sensor):
// - Linear (TMP36, LM35, MCP9700, ...): T = (v - offset_v) / slope_v_per_c.
//   TMP36: offset 0.5 V (0 degC), slope 0.010 V/degC (750 mV at 25 degC).
// - NTC thermistor in a divider with the ADC reference as supply (the
//   reading is ratiometric, vref cancels): NTC from the pin to ground,
//   r_series from vref to the pin. With r = code / 2^(N + e):
//   R = r_series * r / (1 - r), T = 1 / (1 / T0 + ln(R / R0) / beta) - 273.15
//   (the Beta equation; T0 in kelvin).
#ifndef TINYSENSE_NODE_ADC_TEMP_HPP
#define TINYSENSE_NODE_ADC_TEMP_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {

enum class TempSensorKind : std::uint8_t { kLinear = 0, kNtcBeta = 1 };

struct TempSensorConfig {
  TempSensorKind kind = TempSensorKind::kLinear;
  std::uint8_t channel = 0;
  std::uint8_t oversample_bits = 0;  // e: 4^e conversions per reading, 0..8
  // Linear sensor (defaults: TMP36).
  float offset_v = 0.5f;
  float slope_v_per_c = 0.010f;
  // NTC with the Beta equation (defaults: a common 10k B3950 part with a 10k series resistor).
  float r_series_ohm = 10000.0f;
  float r0_ohm = 10000.0f;
  float t0_c = 25.0f;
  float beta_k = 3950.0f;
};

// Pure conversions (also used by the Python side of the tests).
// Linear sensor: (v - offset_v) / slope_v_per_c.
float linear_sensor_celsius(float volts, float offset_v, float slope_v_per_c) noexcept;
// NTC low-side in a divider, from the ratio r = v_pin / v_supply in (0, 1):
// kOutOfRange for r <= 0 (shorted) or r >= 1 (open).
[[nodiscard]] Status ntc_celsius(float ratio, float r_series_ohm, float r0_ohm, float t0_c,
                                 float beta_k, float* celsius) noexcept;
// Rounded shift of a sum of 4^e codes (see above).
constexpr std::uint32_t oversampled_code(std::uint64_t sum, int e) noexcept {
  return static_cast<std::uint32_t>(e == 0 ? sum : (sum + (std::uint64_t{1} << (e - 1))) >> e);
}

class AdcTemp {
 public:
  static constexpr std::uint8_t kMaxOversampleBits = 8;

  // adc: kept by value (its context must outlive this object).
  // Errors: kInvalidArgument (null callback, resolution outside 1..24, vref
  // <= 0 or not finite, oversample_bits > 8, kind out of enum, slope == 0,
  // a non-positive resistance or beta, t0 at or below -273.15 degC).
  [[nodiscard]] Status init(const Adc& adc, const TempSensorConfig& config) noexcept;
  // One oversampled reading: 4^e conversions -> an (N + e)-bit code.
  // Errors: kNotInitialized, kInvalidArgument (null code), the ADC's error,
  // kOutOfRange (the ADC returned a code >= 2^N).
  [[nodiscard]] Status read_code(std::uint32_t* code) noexcept;
  // read_code() converted to volts and degC. NTC: kOutOfRange for an open or
  // shorted thermistor (code 0 or full scale).
  [[nodiscard]] Status read_celsius(float* celsius) noexcept;
  // Conversion of a code from read_code() (no ADC access).
  [[nodiscard]] Status code_to_celsius(std::uint32_t code, float* celsius) const noexcept;
  float code_to_volts(std::uint32_t code) const noexcept;
  int code_bits() const noexcept { return adc_.resolution_bits + config_.oversample_bits; }
  std::uint32_t conversions_per_reading() const noexcept {
    return std::uint32_t{1} << (2 * config_.oversample_bits);
  }

 private:
  Adc adc_{};
  TempSensorConfig config_{};
  bool ready_ = false;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_ADC_TEMP_HPP
