// Energy model of a duty-cycled node: average current from the current of
// each state times the time spent in it, and battery life.
//
// The MCU timeline is exclusive: per hour the node spends wakeups_per_hour *
// wakeup_s in wake-up transitions (clock and regulator start-up, the fixed
// cost that batching saves), cpu_active_s_per_hour computing,
// radio_tx/rx_s_per_hour with the radio on (radio currents are the whole
// board's current in that state), the `extra` states, and sleeps the rest.
// The sensor runs in parallel (its FIFO fills while the MCU sleeps) and adds
// sensor_on_ma * sensor_on_fraction. So, with d_x = seconds per hour / 3600:
//   I = sleep (1 - sum d) + wakeup d_w + cpu d_cpu + tx d_tx + rx d_rx
//       + sum(extra_i d_i) + sensor_on_ma * sensor_on_fraction        [mA]
// Battery: usable charge Q = capacity_mah * usable_fraction. Without
// self-discharge the life is Q / I hours. Self-discharge is a fraction f of
// the remaining charge lost per year (proportional to the charge, as in
// cells), lambda = -ln(1 - f) / 8760 per hour: dQ/dt = -I - lambda Q gives
// life = ln(1 + lambda Q / I) / lambda hours.
// Double precision: this is a planning calculation run rarely, not a
// per-sample kernel.
#ifndef TINYSENSE_NODE_ENERGY_HPP
#define TINYSENSE_NODE_ENERGY_HPP

#include <cstddef>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

// Current of each state in mA.
struct PowerProfile {
  double sleep_ma = 0.0;       // MCU asleep, RTC on (the floor)
  double cpu_active_ma = 0.0;  // MCU running
  double sensor_on_ma = 0.0;   // sensor sampling (in parallel to the MCU)
  double radio_tx_ma = 0.0;    // board current while transmitting
  double radio_rx_ma = 0.0;    // board current while receiving
  double wakeup_ma = 0.0;      // current during a wake-up transition
  double wakeup_s = 0.0;       // duration of one wake-up transition
};

// An additional exclusive MCU state (e.g. flash write, display refresh).
struct Activity {
  double current_ma = 0.0;
  double seconds_per_hour = 0.0;
};

// How the node spends an hour.
struct DutyCycle {
  double wakeups_per_hour = 0.0;
  double cpu_active_s_per_hour = 0.0;
  double radio_tx_s_per_hour = 0.0;
  double radio_rx_s_per_hour = 0.0;
  double sensor_on_fraction = 1.0;  // 0..1
  Span<const Activity> extra;
};

struct Battery {
  double capacity_mah = 0.0;
  double usable_fraction = 1.0;          // (0, 1]: cut-off voltage, temperature, ageing
  double self_discharge_per_year = 0.0;  // [0, 1): fraction of the charge lost per year
};

struct EnergyReport {
  double average_ma = 0.0;
  // Contributions to average_ma (they add up to it).
  double sleep_ma = 0.0, wakeup_ma = 0.0, cpu_ma = 0.0, sensor_ma = 0.0, tx_ma = 0.0, rx_ma = 0.0,
         extra_ma = 0.0;
  double mcu_busy_fraction = 0.0;  // fraction of time the MCU is not asleep
  double charge_mah_per_day = 0.0;
  double life_hours = 0.0;  // +inf when nothing draws current
  double life_days = 0.0;
};

// Fills *out. Errors: kInvalidArgument (null out, a negative or non-finite
// current / time / rate, sensor_on_fraction outside [0, 1], capacity <= 0,
// usable_fraction outside (0, 1], self-discharge outside [0, 1)),
// kOutOfRange (the states take more than 3600 s per hour).
[[nodiscard]] Status estimate_energy(const PowerProfile& power, const DutyCycle& duty,
                                     const Battery& battery, EnergyReport* out) noexcept;

// Battery life in hours for an average current (the formula above).
// Returns +inf for avg_ma == 0; arguments are not validated.
double battery_life_hours(const Battery& battery, double avg_ma) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_ENERGY_HPP
