#include "tinysense/node/adc_temp.hpp"

#include <cmath>

namespace tinysense::node {
namespace {
constexpr float kKelvin = 273.15f;
bool finite_positive(float x) noexcept { return x > 0.0f && std::isfinite(x); }
}  // namespace

float linear_sensor_celsius(float volts, float offset_v, float slope_v_per_c) noexcept {
  return (volts - offset_v) / slope_v_per_c;
}

Status ntc_celsius(float ratio, float r_series_ohm, float r0_ohm, float t0_c, float beta_k,
                   float* celsius) noexcept {
  if (celsius == nullptr) return Status::kInvalidArgument;
  if (!(ratio > 0.0f) || !(ratio < 1.0f)) return Status::kOutOfRange;
  const float r = r_series_ohm * ratio / (1.0f - ratio);
  const float inv_t = 1.0f / (t0_c + kKelvin) + std::log(r / r0_ohm) / beta_k;
  *celsius = 1.0f / inv_t - kKelvin;
  return Status::kOk;
}

Status AdcTemp::init(const Adc& adc, const TempSensorConfig& config) noexcept {
  ready_ = false;
  if (adc.read == nullptr || adc.resolution_bits < 1 || adc.resolution_bits > 24 ||
      !finite_positive(adc.vref_volts) || config.oversample_bits > kMaxOversampleBits) {
    return Status::kInvalidArgument;
  }
  switch (config.kind) {
    case TempSensorKind::kLinear:
      if (!(config.slope_v_per_c != 0.0f) || !std::isfinite(config.slope_v_per_c) ||
          !std::isfinite(config.offset_v)) {
        return Status::kInvalidArgument;
      }
      break;
    case TempSensorKind::kNtcBeta:
      if (!finite_positive(config.r_series_ohm) || !finite_positive(config.r0_ohm) ||
          !finite_positive(config.beta_k) || !(config.t0_c > -kKelvin) ||
          !std::isfinite(config.t0_c)) {
        return Status::kInvalidArgument;
      }
      break;
    default: return Status::kInvalidArgument;
  }
  adc_ = adc;
  config_ = config;
  ready_ = true;
  return Status::kOk;
}

Status AdcTemp::read_code(std::uint32_t* code) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (code == nullptr) return Status::kInvalidArgument;
  const std::uint32_t limit = std::uint32_t{1} << adc_.resolution_bits;
  const std::uint32_t n = conversions_per_reading();
  std::uint64_t sum = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint32_t c = 0;
    TINYSENSE_TRY(status_from_int(adc_.read(adc_.ctx, config_.channel, &c)));
    if (c >= limit) return Status::kOutOfRange;
    sum += c;
  }
  *code = oversampled_code(sum, config_.oversample_bits);
  return Status::kOk;
}

float AdcTemp::code_to_volts(std::uint32_t code) const noexcept {
  return static_cast<float>(code) * adc_.vref_volts /
         static_cast<float>(std::uint64_t{1} << code_bits());
}

Status AdcTemp::code_to_celsius(std::uint32_t code, float* celsius) const noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (celsius == nullptr) return Status::kInvalidArgument;
  if (config_.kind == TempSensorKind::kLinear) {
    *celsius = linear_sensor_celsius(code_to_volts(code), config_.offset_v, config_.slope_v_per_c);
    return Status::kOk;
  }
  const float ratio =
      static_cast<float>(code) / static_cast<float>(std::uint64_t{1} << code_bits());
  return ntc_celsius(ratio, config_.r_series_ohm, config_.r0_ohm, config_.t0_c, config_.beta_k,
                     celsius);
}

Status AdcTemp::read_celsius(float* celsius) noexcept {
  if (celsius == nullptr) return Status::kInvalidArgument;
  std::uint32_t code = 0;
  TINYSENSE_TRY(read_code(&code));
  return code_to_celsius(code, celsius);
}

}  // namespace tinysense::node
