#include "tinysense/node/energy.hpp"

#include <cmath>
#include <limits>

namespace tinysense::node {
namespace {

bool nonneg(double x) noexcept { return x >= 0.0 && std::isfinite(x); }

}  // namespace

double battery_life_hours(const Battery& battery, double avg_ma) noexcept {
  const double q = battery.capacity_mah * battery.usable_fraction;
  if (!(avg_ma > 0.0)) return std::numeric_limits<double>::infinity();
  if (!(battery.self_discharge_per_year > 0.0)) return q / avg_ma;
  const double lambda = -std::log1p(-battery.self_discharge_per_year) / 8760.0;
  return std::log1p(lambda * q / avg_ma) / lambda;
}

Status estimate_energy(const PowerProfile& power, const DutyCycle& duty, const Battery& battery,
                       EnergyReport* out) noexcept {
  if (out == nullptr) return Status::kInvalidArgument;
  const double currents[] = {power.sleep_ma,    power.cpu_active_ma, power.sensor_on_ma,
                             power.radio_tx_ma, power.radio_rx_ma,   power.wakeup_ma,
                             power.wakeup_s};
  for (double c : currents) {
    if (!nonneg(c)) return Status::kInvalidArgument;
  }
  const double times[] = {duty.wakeups_per_hour, duty.cpu_active_s_per_hour,
                          duty.radio_tx_s_per_hour, duty.radio_rx_s_per_hour};
  for (double t : times) {
    if (!nonneg(t)) return Status::kInvalidArgument;
  }
  if (!(duty.sensor_on_fraction >= 0.0 && duty.sensor_on_fraction <= 1.0)) {
    return Status::kInvalidArgument;
  }
  if (!(battery.capacity_mah > 0.0) || !std::isfinite(battery.capacity_mah) ||
      !(battery.usable_fraction > 0.0 && battery.usable_fraction <= 1.0) ||
      !(battery.self_discharge_per_year >= 0.0 && battery.self_discharge_per_year < 1.0)) {
    return Status::kInvalidArgument;
  }
  double extra_s = 0.0, extra_charge = 0.0;  // seconds per hour, mA * s per hour
  for (const Activity& a : duty.extra) {
    if (!nonneg(a.current_ma) || !nonneg(a.seconds_per_hour)) return Status::kInvalidArgument;
    extra_s += a.seconds_per_hour;
    extra_charge += a.current_ma * a.seconds_per_hour;
  }
  const double wake_s = duty.wakeups_per_hour * power.wakeup_s;
  const double busy_s = wake_s + duty.cpu_active_s_per_hour + duty.radio_tx_s_per_hour +
                        duty.radio_rx_s_per_hour + extra_s;
  if (busy_s > 3600.0) return Status::kOutOfRange;

  constexpr double kHour = 3600.0;
  EnergyReport r;
  r.sleep_ma = power.sleep_ma * (kHour - busy_s) / kHour;
  r.wakeup_ma = power.wakeup_ma * wake_s / kHour;
  r.cpu_ma = power.cpu_active_ma * duty.cpu_active_s_per_hour / kHour;
  r.tx_ma = power.radio_tx_ma * duty.radio_tx_s_per_hour / kHour;
  r.rx_ma = power.radio_rx_ma * duty.radio_rx_s_per_hour / kHour;
  r.extra_ma = extra_charge / kHour;
  r.sensor_ma = power.sensor_on_ma * duty.sensor_on_fraction;
  r.average_ma = r.sleep_ma + r.wakeup_ma + r.cpu_ma + r.tx_ma + r.rx_ma + r.extra_ma + r.sensor_ma;
  r.mcu_busy_fraction = busy_s / kHour;
  r.charge_mah_per_day = r.average_ma * 24.0;
  r.life_hours = battery_life_hours(battery, r.average_ma);
  r.life_days = r.life_hours / 24.0;
  *out = r;
  return Status::kOk;
}

}  // namespace tinysense::node
