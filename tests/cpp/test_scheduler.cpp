// Scheduler: a hand-computed schedule, batched vs naive wake-ups on a sensor
// node's task set (all deadlines met, fewer wake-ups, equal to the optimum
// of an independent interval-stabbing computation over the same jobs),
// late wake-ups, triggers, one-shots, run_until with a SimClock, and the
// energy the batching saves (energy.hpp).
#include <cstdint>
#include <cstdio>

#include "tinysense/node/energy.hpp"
#include "tinysense/node/scheduler.hpp"
#include "tinysense/node/sim.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;

namespace {

struct Job {
  std::uint64_t release, ran;
  std::uint32_t slack;
  int task;
};
constexpr std::size_t kMaxJobs = 8000;  // one hour of the HAR node: ~6400 jobs
Job g_jobs[kMaxJobs];
std::size_t g_njobs = 0;
Task* g_tasks = nullptr;

// Each task logs (release, run time); the release is the task's due time
// before poll() advanced it: now - late is not known, so tasks record
// their own expected release from a per-task counter.
struct Probe {
  int id;
  std::uint64_t next_release;
  std::uint32_t period, slack;
};
Probe g_probes[8];

void log_run(void* ctx, std::uint64_t now) {
  auto* p = static_cast<Probe*>(ctx);
  if (g_njobs < kMaxJobs) g_jobs[g_njobs++] = Job{p->next_release, now, p->slack, p->id};
  p->next_release += p->period;
  // A run that finds its release more than a period late skipped releases.
  while (p->period != 0 && p->next_release + p->slack < now) p->next_release += p->period;
}

Task make(int id, std::uint32_t period, std::uint32_t slack, std::uint32_t phase) {
  g_probes[id] = Probe{id, phase, period, slack};
  return Task{log_run, &g_probes[id], period, slack, phase, true, 0, 0, 0, 0};
}

// Drives the scheduler exactly at the wake-up times it asks for.
std::uint32_t drive(Scheduler& s, std::uint64_t until) {
  std::uint32_t wakeups = 0;
  std::uint64_t t = s.next_wakeup();
  while (t != kNever && t <= until) {
    const std::uint32_t before = s.jobs();
    t = s.poll(t);
    wakeups += s.jobs() > before;
  }
  return wakeups;
}

// Independent optimum: minimum number of points stabbing every logged job
// window [release, release + slack] (sort by deadline, greedy).
std::uint32_t min_stabbing_points() {
  // insertion sort by deadline is too slow for 10^4 jobs; use a simple heap sort.
  auto deadline = [](const Job& j) { return j.release + j.slack; };
  std::size_t n = g_njobs;
  auto sift = [&](std::size_t i, std::size_t len) {
    for (;;) {
      std::size_t m = i, l = 2 * i + 1, r = l + 1;
      if (l < len && deadline(g_jobs[l]) > deadline(g_jobs[m])) m = l;
      if (r < len && deadline(g_jobs[r]) > deadline(g_jobs[m])) m = r;
      if (m == i) return;
      const Job tmp = g_jobs[i];
      g_jobs[i] = g_jobs[m];
      g_jobs[m] = tmp;
      i = m;
    }
  };
  for (std::size_t i = n / 2; i-- > 0;) sift(i, n);
  for (std::size_t end = n; end-- > 1;) {
    const Job tmp = g_jobs[0];
    g_jobs[0] = g_jobs[end];
    g_jobs[end] = tmp;
    sift(0, end);
  }
  std::uint32_t points = 0;
  bool have = false;
  std::uint64_t point = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (have && g_jobs[i].release <= point) continue;  // deadline >= point by the order
    point = deadline(g_jobs[i]);
    have = true;
    ++points;
  }
  return points;
}

}  // namespace

TT_TEST(hand_computed_schedule) {
  // A: every 100 ms, 40 ms slack. B: every 300 ms from 50 ms, 150 ms slack.
  // Batched wake-ups (ms): 40 (A0), 140 (A100, B50), 240, 340, 440 (A400,
  // B350), 540, 640, 740 (A700, B650), 840, 940; naive: every release,
  // 0, 50, 100, ..., 950: 14 in [0, 1000).
  static const std::uint64_t kBatched[][2] = {
      {0, 40},    {100, 140}, {50, 140},  {200, 240}, {300, 340}, {400, 440}, {350, 440},
      {500, 540}, {600, 640}, {700, 740}, {650, 740}, {800, 840}, {900, 940}};
  Task tasks[2] = {make(0, 100000, 40000, 0), make(1, 300000, 150000, 50000)};
  Scheduler s;
  g_njobs = 0;
  TT_CHECK(s.init(Span<Task>(tasks), 0) == Status::kOk);
  TT_CHECK_EQ(s.next_wakeup(), std::uint64_t{40000});
  TT_CHECK_EQ(drive(s, 999999), 10u);
  TT_CHECK_EQ(g_njobs, sizeof kBatched / sizeof kBatched[0]);
  int bad = 0;
  for (std::size_t i = 0; i < g_njobs && i < 13; ++i) {
    bad += g_jobs[i].release != kBatched[i][0] * 1000 || g_jobs[i].ran != kBatched[i][1] * 1000;
  }
  TT_CHECK_EQ(bad, 0);
  TT_CHECK_EQ(s.missed(), 0u);
  TT_CHECK_EQ(tasks[0].max_late_us, 40000u);
  TT_CHECK_EQ(tasks[1].max_late_us, 90000u);

  Task naive[2] = {make(0, 100000, 40000, 0), make(1, 300000, 150000, 50000)};
  g_njobs = 0;
  TT_CHECK(s.init(Span<Task>(naive), 0, SchedulePolicy::kNaive) == Status::kOk);
  TT_CHECK_EQ(drive(s, 999999), 14u);
  TT_CHECK_EQ(s.missed(), 0u);
  TT_CHECK_EQ(naive[0].max_late_us, 0u);
}

namespace {
// A HAR node: accelerometer FIFO readout (MPU6886: 128 frames at 100 Hz =
// 1.28 s, read every 1.0 s with 0.25 s slack), feature extraction and
// classification every 1.5 s (window hop) with 0.7 s slack, temperature
// every 10 s (5 s slack), radio report every 60 s (30 s slack), battery
// check every 15 min. Returns wake-ups in one hour.
std::uint32_t har_node_hour(SchedulePolicy policy, Task* tasks, std::uint32_t* optimum) {
  tasks[0] = make(0, 1000000, 250000, 0);
  tasks[1] = make(1, 1500000, 700000, 300000);
  tasks[2] = make(2, 10000000, 5000000, 2000000);
  tasks[3] = make(3, 60000000, 30000000, 5000000);
  tasks[4] = make(4, 900000000, 60000000, 7000000);
  g_tasks = tasks;
  g_njobs = 0;
  Scheduler s;
  TT_CHECK(s.init(Span<Task>(tasks, 5), 0, policy) == Status::kOk);
  const std::uint32_t w = drive(s, 3600000000ull);
  TT_CHECK_LE(g_njobs, kMaxJobs - 1);  // the log did not overflow
  TT_CHECK_EQ(s.missed(), 0u);
  int late = 0;
  for (std::size_t i = 0; i < g_njobs; ++i) {
    late +=
        g_jobs[i].ran < g_jobs[i].release || g_jobs[i].ran > g_jobs[i].release + g_jobs[i].slack;
  }
  TT_CHECK_EQ(late, 0);
  // Every release in the hour ran (jobs released near the end may be pending).
  TT_CHECK_GE(tasks[0].runs, 3599u);
  TT_CHECK_GE(tasks[1].runs, 2399u);
  TT_CHECK_GE(tasks[2].runs, 359u);
  TT_CHECK_GE(tasks[3].runs, 59u);
  TT_CHECK_EQ(tasks[4].runs, 4u);
  *optimum = min_stabbing_points();
  return w;
}
}  // namespace

TT_TEST(batching_reduces_wakeups_with_the_same_deadlines) {
  Task batched_tasks[5], naive_tasks[5];
  std::uint32_t opt_b = 0, opt_n = 0;
  const std::uint32_t batched = har_node_hour(SchedulePolicy::kBatched, batched_tasks, &opt_b);
  const std::uint32_t naive = har_node_hour(SchedulePolicy::kNaive, naive_tasks, &opt_n);
  std::printf("    wake-ups per hour: batched %u, naive %u (optimum %u)\n",
              static_cast<unsigned>(batched), static_cast<unsigned>(naive),
              static_cast<unsigned>(opt_b));
  TT_CHECK_EQ(batched, opt_b);  // the greedy earliest-deadline policy is optimal
  TT_CHECK_LE(static_cast<double>(batched), 0.65 * naive);
  // The same jobs ran (a batched job released in the last slack window of
  // the hour may still be pending).
  for (int i = 0; i < 5; ++i) {
    TT_CHECK_LE(naive_tasks[i].runs - batched_tasks[i].runs, 1u);
  }

  // What it is worth: nRF52-class MCU (2 uA asleep, 3 mA running, a wake-up
  // costs 3 mA for 0.5 ms: regulator and crystal start-up), LIS3DH at 100 Hz
  // (20 uA), 200 us of work per job, a BLE report of 3 ms at 8 mA per
  // minute; CR2032: 220 mAh, 90 % usable, 1 %/year self-discharge.
  PowerProfile p;
  p.sleep_ma = 0.002;
  p.cpu_active_ma = 3.0;
  p.sensor_on_ma = 0.020;
  p.radio_tx_ma = 8.0;
  p.wakeup_ma = 3.0;
  p.wakeup_s = 0.0005;
  const double jobs = batched_tasks[0].runs + batched_tasks[1].runs + batched_tasks[2].runs +
                      batched_tasks[3].runs + batched_tasks[4].runs;
  DutyCycle d;
  d.cpu_active_s_per_hour = jobs * 200e-6;
  d.radio_tx_s_per_hour = 60 * 0.003;
  Battery b{220.0, 0.9, 0.01};
  EnergyReport rb, rn;
  d.wakeups_per_hour = batched;
  TT_CHECK(estimate_energy(p, d, b, &rb) == Status::kOk);
  d.wakeups_per_hour = naive;
  TT_CHECK(estimate_energy(p, d, b, &rn) == Status::kOk);
  std::printf("    wake-up current: batched %.2f uA, naive %.2f uA; life %.1f vs %.1f days\n",
              rb.wakeup_ma * 1000.0, rn.wakeup_ma * 1000.0, rb.life_days, rn.life_days);
  TT_CHECK_NEAR(rn.wakeup_ma - rb.wakeup_ma, (naive - batched) * 3.0 * 0.0005 / 3600.0, 1e-12);
  TT_CHECK_NEAR(rn.average_ma - rb.average_ma, (naive - batched) * 0.0005 * (3.0 - 0.002) / 3600.0,
                1e-12);
  TT_CHECK_GE(rb.life_days, 1.03 * rn.life_days);
}

TT_TEST(late_wakeup_runs_once_and_counts_misses) {
  Task tasks[1] = {make(0, 1000, 200, 0)};
  Scheduler s;
  TT_CHECK(s.init(Span<Task>(tasks), 0) == Status::kOk);
  TT_CHECK_EQ(s.poll(0), std::uint64_t{1200});  // ran the t = 0 release; next deadline
  // Wake up 5.5 periods later: releases 1000..5000 are due; one run, the
  // release at 1000 is late (missed), 2000..5000 are skipped (missed).
  const std::uint64_t next = s.poll(5500);
  TT_CHECK_EQ(tasks[0].runs, 2u);
  TT_CHECK_EQ(tasks[0].missed, 5u);
  TT_CHECK_EQ(tasks[0].due_us, std::uint64_t{6000});  // still on the 1000 us grid
  TT_CHECK_EQ(next, std::uint64_t{6200});
  // Within the slack: on time.
  TT_CHECK_EQ(s.poll(6150), std::uint64_t{7200});
  TT_CHECK_EQ(tasks[0].missed, 5u);
  TT_CHECK_EQ(s.missed(), 5u);
  // Early poll: nothing released, nothing runs.
  const std::uint32_t jobs = s.jobs();
  TT_CHECK_EQ(s.poll(6500), std::uint64_t{7200});
  TT_CHECK_EQ(s.jobs(), jobs);
  TT_CHECK_EQ(s.polls(), 4u);
  TT_CHECK_EQ(s.wakeups(), 3u);
}

TT_TEST(trigger_one_shot_and_enable) {
  Task tasks[2] = {make(0, 1000000, 100000, 0), make(1, 0, 50000, 0)};
  tasks[1].enabled = false;  // an event task, e.g. "send an alarm"
  Scheduler s;
  TT_CHECK(s.init(Span<Task>(tasks), 0) == Status::kOk);
  TT_CHECK_EQ(s.next_wakeup(), std::uint64_t{100000});
  s.trigger(1, 30000);
  TT_CHECK_EQ(s.next_wakeup(), std::uint64_t{80000});  // the alarm's deadline comes first
  g_njobs = 0;
  TT_CHECK_EQ(s.poll(80000), std::uint64_t{1100000});  // both ran (periodic one early-ish)
  TT_CHECK_EQ(tasks[1].runs, 1u);
  TT_CHECK(!tasks[1].enabled);  // one-shot done
  TT_CHECK_EQ(tasks[0].runs, 1u);
  s.set_enabled(0, false, 90000);
  TT_CHECK_EQ(s.next_wakeup(), kNever);
  s.set_enabled(0, true, 2000000);
  TT_CHECK_EQ(tasks[0].due_us, std::uint64_t{2000000});
  s.trigger(7, 0);  // out of range: ignored
  s.set_enabled(7, true, 0);
}

TT_TEST(run_until_sleeps_between_wakeups) {
  SimClock clock;
  const Clock c = clock.clock();
  Task tasks[2] = {make(0, 100000, 40000, 0), make(1, 300000, 150000, 50000)};
  Scheduler s;
  TT_CHECK(s.init(Span<Task>(tasks), 0) == Status::kOk);
  s.run_until(c, 1000000);
  TT_CHECK_EQ(clock.now_us(), std::uint64_t{1000000});
  // Polls at 0 (A0 runs early: the caller polled at init time), 140, 240,
  // ..., 940 ms; the last sleep goes to the end of the window.
  TT_CHECK_EQ(s.wakeups(), 10u);
  TT_CHECK_EQ(clock.wakeups(), 10u);
  TT_CHECK_EQ(s.missed(), 0u);
}

TT_TEST(init_rejects_bad_tasks) {
  Scheduler s;
  Task ok_task = make(0, 1000, 10, 0);
  TT_CHECK(s.init(Span<Task>(), 0) == Status::kInvalidArgument);
  Task t = ok_task;
  t.run = nullptr;
  TT_CHECK(s.init(Span<Task>(&t, 1), 0) == Status::kInvalidArgument);
  t = ok_task;
  t.slack_us = 1000;  // slack must be shorter than the period
  TT_CHECK(s.init(Span<Task>(&t, 1), 0) == Status::kInvalidArgument);
  t = ok_task;
  TT_CHECK(s.init(Span<Task>(&t, 1), 0, static_cast<SchedulePolicy>(3)) ==
           Status::kInvalidArgument);
  TT_CHECK_EQ(s.next_wakeup(), kNever);  // a failed init leaves no tasks
  TT_CHECK_EQ(s.poll(5), kNever);
  TT_CHECK(s.init(Span<Task>(&t, 1), 0) == Status::kOk);
}
