// Python: the node's energy model and scheduler as planning tools.
//   tinysense.node_energy(...)        -> dict (node::estimate_energy)
//   tinysense.battery_life_hours(...) -> float
//   tinysense.node_wakeups(period_us, slack_us, phase_us, horizon_us, batched=True) -> dict
// so a node configuration can be sized from Python with the C++ arithmetic.
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/node/energy.hpp"
#include "tinysense/node/scheduler.hpp"

namespace tinysense::py {
namespace {

void no_op(void*, std::uint64_t) {}

pyb::dict energy(double sleep_ma, double cpu_active_ma, double sensor_on_ma, double radio_tx_ma,
                 double radio_rx_ma, double wakeup_ma, double wakeup_s, double wakeups_per_hour,
                 double cpu_active_s_per_hour, double radio_tx_s_per_hour,
                 double radio_rx_s_per_hour, double sensor_on_fraction, double capacity_mah,
                 double usable_fraction, double self_discharge_per_year) {
  node::PowerProfile p;
  p.sleep_ma = sleep_ma;
  p.cpu_active_ma = cpu_active_ma;
  p.sensor_on_ma = sensor_on_ma;
  p.radio_tx_ma = radio_tx_ma;
  p.radio_rx_ma = radio_rx_ma;
  p.wakeup_ma = wakeup_ma;
  p.wakeup_s = wakeup_s;
  node::DutyCycle d;
  d.wakeups_per_hour = wakeups_per_hour;
  d.cpu_active_s_per_hour = cpu_active_s_per_hour;
  d.radio_tx_s_per_hour = radio_tx_s_per_hour;
  d.radio_rx_s_per_hour = radio_rx_s_per_hour;
  d.sensor_on_fraction = sensor_on_fraction;
  node::Battery b{capacity_mah, usable_fraction, self_discharge_per_year};
  node::EnergyReport r;
  check(node::estimate_energy(p, d, b, &r), "node_energy");
  pyb::dict out;
  out["average_ma"] = r.average_ma;
  out["sleep_ma"] = r.sleep_ma;
  out["wakeup_ma"] = r.wakeup_ma;
  out["cpu_ma"] = r.cpu_ma;
  out["sensor_ma"] = r.sensor_ma;
  out["tx_ma"] = r.tx_ma;
  out["rx_ma"] = r.rx_ma;
  out["mcu_busy_fraction"] = r.mcu_busy_fraction;
  out["charge_mah_per_day"] = r.charge_mah_per_day;
  out["life_hours"] = r.life_hours;
  out["life_days"] = r.life_days;
  return out;
}

pyb::dict wakeups(const pyb::handle& period_obj, const pyb::handle& slack_obj,
                  const pyb::handle& phase_obj, std::uint64_t horizon_us, bool batched) {
  auto period = require_1d<std::uint32_t>(period_obj, "period_us");
  const std::size_t n = static_cast<std::size_t>(period.size());
  auto slack = require_1d<std::uint32_t>(slack_obj, "slack_us", n);
  auto phase = require_1d<std::uint32_t>(phase_obj, "phase_us", n);
  if (n == 0) throw pyb::value_error("node_wakeups: no tasks");
  std::vector<node::Task> tasks(n);
  for (std::size_t i = 0; i < n; ++i) {
    tasks[i] = node::Task{
        no_op, nullptr, period.data()[i], slack.data()[i], phase.data()[i], true, 0, 0, 0, 0};
  }
  node::Scheduler s;
  check(s.init(Span<node::Task>(tasks.data(), n), 0,
               batched ? node::SchedulePolicy::kBatched : node::SchedulePolicy::kNaive),
        "node_wakeups");
  // Wake exactly when asked, up to the horizon.
  std::uint64_t t = s.next_wakeup();
  while (t != node::kNever && t <= horizon_us) t = s.poll(t);
  pyb::array_t<std::uint32_t> runs(static_cast<pyb::ssize_t>(n));
  pyb::array_t<std::uint32_t> max_late(static_cast<pyb::ssize_t>(n));
  for (std::size_t i = 0; i < n; ++i) {
    runs.mutable_data()[i] = tasks[i].runs;
    max_late.mutable_data()[i] = tasks[i].max_late_us;
  }
  pyb::dict out;
  out["wakeups"] = s.wakeups();
  out["jobs"] = s.jobs();
  out["missed"] = s.missed();
  out["runs"] = runs;
  out["max_late_us"] = max_late;
  return out;
}

void bind(pyb::module_& m) {
  using pyb::arg;
  m.def("node_energy", &energy, arg("sleep_ma") = 0.0, arg("cpu_active_ma") = 0.0,
        arg("sensor_on_ma") = 0.0, arg("radio_tx_ma") = 0.0, arg("radio_rx_ma") = 0.0,
        arg("wakeup_ma") = 0.0, arg("wakeup_s") = 0.0, arg("wakeups_per_hour") = 0.0,
        arg("cpu_active_s_per_hour") = 0.0, arg("radio_tx_s_per_hour") = 0.0,
        arg("radio_rx_s_per_hour") = 0.0, arg("sensor_on_fraction") = 1.0,
        arg("capacity_mah") = 1.0, arg("usable_fraction") = 1.0,
        arg("self_discharge_per_year") = 0.0,
        "Average current (mA), its breakdown and battery life of a duty-cycled node "
        "(tinysense/node/energy.hpp). ValueError on a bad value.");
  m.def(
      "battery_life_hours",
      [](double capacity_mah, double avg_ma, double usable_fraction, double sd) {
        if (!(capacity_mah > 0.0) || !(avg_ma >= 0.0) || !(usable_fraction > 0.0) ||
            !(usable_fraction <= 1.0) || !(sd >= 0.0) || !(sd < 1.0)) {
          throw pyb::value_error("battery_life_hours: bad argument");
        }
        return node::battery_life_hours(node::Battery{capacity_mah, usable_fraction, sd}, avg_ma);
      },
      arg("capacity_mah"), arg("avg_ma"), arg("usable_fraction") = 1.0,
      arg("self_discharge_per_year") = 0.0,
      "Hours until the usable charge is gone, with self-discharge proportional to the charge.");
  m.def("node_wakeups", &wakeups, arg("period_us"), arg("slack_us"), arg("phase_us"),
        arg("horizon_us"), arg("batched") = true,
        "Runs node::Scheduler on no-op tasks (uint32 arrays, microseconds) until horizon_us, "
        "waking exactly when asked; returns wakeups, jobs, missed, runs, max_late_us.");
}

const Binder registered("node_energy", bind);

}  // namespace
}  // namespace tinysense::py
