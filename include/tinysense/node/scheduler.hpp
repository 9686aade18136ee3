// Cooperative, tickless scheduler for a duty-cycled sensor node.
//
// Each task is a job released every period_us (its "due" time) that may run
// up to slack_us after its release (its deadline = due + slack). poll(now)
// runs every released task and returns the time of the next wake-up; the
// caller sleeps until then (run_until() does the loop with a Clock).
//
// Policy (kBatched): wake up as LATE as every pending job allows, i.e. at
// the earliest deadline among the enabled tasks; every job released by then
// runs in that same wake-up. Choosing a point in time that "stabs" as many
// release windows [due, due + slack] as possible is interval stabbing, for
// which waking at the earliest deadline is optimal (the greedy choice never
// wakes more often than any other schedule meeting the same deadlines).
// Readout, processing and transmission with overlapping windows thus share
// wake-ups. kNaive wakes at the earliest due time instead (each task on its
// own release; only exactly coinciding releases share a wake-up) and is the
// reference the tests compare against.
// Periodic releases stay on their grid (due += period, no drift from late
// runs). Tasks run in array order within a wake-up, so put producers
// (readout) before consumers (processing, transmission).
// Deadlines are met exactly when the caller wakes at the returned time; wake
// early (e.g. by an interrupt) and poll() just runs what is released. If the
// caller wakes so late that a deadline has passed, the job still runs once,
// counts as missed, and releases that were entirely skipped count as missed.
// Times are microseconds of any monotonic clock (Clock::now_us). No heap:
// the tasks live in the caller's array.
#ifndef TINYSENSE_NODE_SCHEDULER_HPP
#define TINYSENSE_NODE_SCHEDULER_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {

constexpr std::uint64_t kNever = ~std::uint64_t{0};

// One task: configuration (set by the caller before init) and state (set by
// the scheduler; read it for statistics).
struct Task {
  // Configuration.
  void (*run)(void* ctx, std::uint64_t now_us);  // the job; keep it short (cooperative)
  void* ctx;
  std::uint32_t period_us;  // > 0: periodic; 0: one-shot (runs once, then disabled)
  std::uint32_t slack_us;   // allowed lateness; must be < period_us for periodic tasks
  std::uint32_t phase_us;   // first release at init time + phase_us
  bool enabled;
  // State.
  std::uint64_t due_us;       // next release
  std::uint32_t runs;         // jobs run
  std::uint32_t missed;       // jobs run after their deadline, or skipped
  std::uint32_t max_late_us;  // largest (run time - release time)
};

enum class SchedulePolicy : std::uint8_t { kBatched = 0, kNaive = 1 };

class Scheduler {
 public:
  // Releases each task at now_us + phase_us and zeroes its statistics.
  // Errors: kInvalidArgument (no tasks, a null run, slack >= period for a
  // periodic task, policy out of enum).
  [[nodiscard]] Status init(Span<Task> tasks, std::uint64_t now_us,
                            SchedulePolicy policy = SchedulePolicy::kBatched) noexcept;
  // Runs every enabled task with due <= now_us (array order), then returns
  // the next wake-up time (kNever when no task is enabled).
  std::uint64_t poll(std::uint64_t now_us) noexcept;
  // The wake-up time poll() would return now, without running anything.
  std::uint64_t next_wakeup() const noexcept;
  // poll / sleep until `until_us` (wake-ups past it are not taken).
  void run_until(const Clock& clock, std::uint64_t until_us) noexcept;
  // Releases task i now (an event, e.g. a FIFO watermark interrupt); a
  // periodic task continues from this release. Also enables it.
  void trigger(std::size_t i, std::uint64_t now_us) noexcept;
  // Enables task i with its next release at now + phase, or disables it.
  void set_enabled(std::size_t i, bool enabled, std::uint64_t now_us) noexcept;

  std::uint32_t wakeups() const noexcept { return wakeups_; }  // polls that ran >= 1 job
  std::uint32_t polls() const noexcept { return polls_; }
  std::uint32_t jobs() const noexcept { return jobs_; }
  std::uint32_t missed() const noexcept;  // sum over tasks

 private:
  Span<Task> tasks_;
  SchedulePolicy policy_ = SchedulePolicy::kBatched;
  std::uint32_t wakeups_ = 0, polls_ = 0, jobs_ = 0;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_SCHEDULER_HPP
