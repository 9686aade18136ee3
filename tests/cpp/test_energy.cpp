// Energy model against hand-computed cases (numbers worked out in the
// comments), self-discharge, and every rejected input.
#include <cmath>
#include <limits>

#include "tinysense/node/energy.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;

TT_TEST(sleep_plus_one_percent_cpu) {
  // 5 uA asleep, 5 mA for 36 s per hour (1 %):
  //   I = 0.005 * 0.99 + 5 * 0.01 = 0.05495 mA
  //   1000 mAh / 0.05495 mA = 18198.36 h = 758.27 days
  PowerProfile p;
  p.sleep_ma = 0.005;
  p.cpu_active_ma = 5.0;
  DutyCycle d;
  d.cpu_active_s_per_hour = 36.0;
  d.sensor_on_fraction = 0.0;
  EnergyReport r;
  TT_CHECK(estimate_energy(p, d, Battery{1000.0, 1.0, 0.0}, &r) == Status::kOk);
  TT_CHECK_NEAR(r.average_ma, 0.05495, 1e-12);
  TT_CHECK_NEAR(r.mcu_busy_fraction, 0.01, 1e-12);
  TT_CHECK_NEAR(r.life_hours, 18198.36, 0.01);
  TT_CHECK_NEAR(r.life_days, 758.265, 0.001);
  TT_CHECK_NEAR(r.charge_mah_per_day, 0.05495 * 24.0, 1e-12);
}

TT_TEST(every_state_and_self_discharge) {
  // Busy seconds per hour: cpu 72 + tx 3.6 + rx 7.2 + 3600 wake-ups x 1 ms
  // + flash 1.8 = 88.2 s; asleep (3600 - 88.2) / 3600 = 0.9755.
  //   sleep  0.003 * 0.9755  = 0.0029265
  //   wake   2 * 3.6 / 3600  = 0.002
  //   cpu    4 * 0.02        = 0.08
  //   tx     10 * 0.001      = 0.01
  //   rx     6 * 0.002       = 0.012
  //   flash  8 * 0.0005      = 0.004
  //   sensor 0.1 * 0.5       = 0.05
  //   total                  = 0.1609265 mA
  // Two AA cells (2400 mAh, 80 % usable): 1920 / 0.1609265 = 11930.91 h.
  // With 3 %/year self-discharge: lambda = -ln(0.97) / 8760 = 3.47708e-6 / h,
  // life = ln(1 + lambda * 1920 / 0.1609265) / lambda = 11690.08 h.
  PowerProfile p;
  p.sleep_ma = 0.003;
  p.cpu_active_ma = 4.0;
  p.sensor_on_ma = 0.1;
  p.radio_tx_ma = 10.0;
  p.radio_rx_ma = 6.0;
  p.wakeup_ma = 2.0;
  p.wakeup_s = 0.001;
  const Activity flash[1] = {{8.0, 1.8}};
  DutyCycle d;
  d.wakeups_per_hour = 3600.0;
  d.cpu_active_s_per_hour = 72.0;
  d.radio_tx_s_per_hour = 3.6;
  d.radio_rx_s_per_hour = 7.2;
  d.sensor_on_fraction = 0.5;
  d.extra = Span<const Activity>(flash);
  EnergyReport r;
  TT_CHECK(estimate_energy(p, d, Battery{2400.0, 0.8, 0.0}, &r) == Status::kOk);
  TT_CHECK_NEAR(r.sleep_ma, 0.0029265, 1e-12);
  TT_CHECK_NEAR(r.wakeup_ma, 0.002, 1e-12);
  TT_CHECK_NEAR(r.cpu_ma, 0.08, 1e-12);
  TT_CHECK_NEAR(r.tx_ma, 0.01, 1e-12);
  TT_CHECK_NEAR(r.rx_ma, 0.012, 1e-12);
  TT_CHECK_NEAR(r.extra_ma, 0.004, 1e-12);
  TT_CHECK_NEAR(r.sensor_ma, 0.05, 1e-12);
  TT_CHECK_NEAR(r.average_ma, 0.1609265, 1e-12);
  TT_CHECK_NEAR(r.mcu_busy_fraction, 88.2 / 3600.0, 1e-12);
  TT_CHECK_NEAR(r.life_hours, 11930.91, 0.01);
  TT_CHECK(estimate_energy(p, d, Battery{2400.0, 0.8, 0.03}, &r) == Status::kOk);
  TT_CHECK_NEAR(r.life_hours, 11690.08, 0.01);
}

TT_TEST(self_discharge_dominates_tiny_loads) {
  // 1 uA from a CR2032 (220 mAh) with 1 %/year self-discharge:
  // without it 220000 h (25.1 years); with it lambda = -ln(0.99) / 8760,
  // ln(1 + lambda * 220 / 0.001) / lambda = 196170.6 h (22.39 years).
  const Battery cell{220.0, 1.0, 0.01};
  TT_CHECK_NEAR(battery_life_hours(Battery{220.0, 1.0, 0.0}, 0.001), 220000.0, 1e-6);
  TT_CHECK_NEAR(battery_life_hours(cell, 0.001), 196170.6, 0.1);
  // Self-discharge shortens life, but never below the life at a constant
  // self-discharge current of a full cell (lambda * Q, its largest value).
  const double lambda = -std::log(0.99) / 8760.0;
  for (double ma : {0.0001, 0.01, 1.0, 100.0}) {
    const double with = battery_life_hours(cell, ma);
    const double without = battery_life_hours(Battery{220.0, 1.0, 0.0}, ma);
    TT_CHECK_LE(with, without);
    TT_CHECK_GE(with, 220.0 / (ma + lambda * 220.0));
  }
  TT_CHECK(std::isinf(battery_life_hours(cell, 0.0)));
  PowerProfile p;  // all zero: nothing draws current
  DutyCycle d;
  EnergyReport r;
  TT_CHECK(estimate_energy(p, d, cell, &r) == Status::kOk);
  TT_CHECK_EQ(r.average_ma, 0.0);
  TT_CHECK(std::isinf(r.life_hours));
}

TT_TEST(rejects_bad_inputs) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Battery cell{220.0, 1.0, 0.0};
  PowerProfile p;
  p.sleep_ma = 0.002;
  DutyCycle d;
  EnergyReport r;
  TT_CHECK(estimate_energy(p, d, cell, nullptr) == Status::kInvalidArgument);
  PowerProfile bad = p;
  bad.cpu_active_ma = -1.0;
  TT_CHECK(estimate_energy(bad, d, cell, &r) == Status::kInvalidArgument);
  bad = p;
  bad.wakeup_s = nan;
  TT_CHECK(estimate_energy(bad, d, cell, &r) == Status::kInvalidArgument);
  DutyCycle dd = d;
  dd.sensor_on_fraction = 1.5;
  TT_CHECK(estimate_energy(p, dd, cell, &r) == Status::kInvalidArgument);
  dd = d;
  dd.radio_tx_s_per_hour = -3.0;
  TT_CHECK(estimate_energy(p, dd, cell, &r) == Status::kInvalidArgument);
  dd = d;
  const Activity neg[1] = {{-1.0, 1.0}};
  dd.extra = Span<const Activity>(neg);
  TT_CHECK(estimate_energy(p, dd, cell, &r) == Status::kInvalidArgument);
  dd = d;
  dd.cpu_active_s_per_hour = 3000.0;
  dd.radio_rx_s_per_hour = 601.0;  // 3601 s in an hour
  TT_CHECK(estimate_energy(p, dd, cell, &r) == Status::kOutOfRange);
  dd.radio_rx_s_per_hour = 600.0;  // exactly always busy is fine
  TT_CHECK(estimate_energy(p, dd, cell, &r) == Status::kOk);
  TT_CHECK_NEAR(r.sleep_ma, 0.0, 1e-15);
  TT_CHECK(estimate_energy(p, d, Battery{0.0, 1.0, 0.0}, &r) == Status::kInvalidArgument);
  TT_CHECK(estimate_energy(p, d, Battery{220.0, 0.0, 0.0}, &r) == Status::kInvalidArgument);
  TT_CHECK(estimate_energy(p, d, Battery{220.0, 1.1, 0.0}, &r) == Status::kInvalidArgument);
  TT_CHECK(estimate_energy(p, d, Battery{220.0, 1.0, 1.0}, &r) == Status::kInvalidArgument);
  TT_CHECK(estimate_energy(p, d, Battery{220.0, 1.0, -0.1}, &r) == Status::kInvalidArgument);
  TT_CHECK(estimate_energy(p, d, Battery{nan, 1.0, 0.0}, &r) == Status::kInvalidArgument);
}
