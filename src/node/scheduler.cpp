#include "tinysense/node/scheduler.hpp"

namespace tinysense::node {

Status Scheduler::init(Span<Task> tasks, std::uint64_t now_us, SchedulePolicy policy) noexcept {
  tasks_ = Span<Task>();
  if (tasks.empty()) return Status::kInvalidArgument;
  if (policy != SchedulePolicy::kBatched && policy != SchedulePolicy::kNaive) {
    return Status::kInvalidArgument;
  }
  for (const Task& t : tasks) {
    if (t.run == nullptr || (t.period_us != 0 && t.slack_us >= t.period_us)) {
      return Status::kInvalidArgument;
    }
  }
  for (Task& t : tasks) {
    t.due_us = now_us + t.phase_us;
    t.runs = t.missed = t.max_late_us = 0;
  }
  tasks_ = tasks;
  policy_ = policy;
  wakeups_ = polls_ = jobs_ = 0;
  return Status::kOk;
}

std::uint64_t Scheduler::next_wakeup() const noexcept {
  std::uint64_t next = kNever;
  for (const Task& t : tasks_) {
    if (!t.enabled) continue;
    const std::uint64_t w = policy_ == SchedulePolicy::kBatched ? t.due_us + t.slack_us : t.due_us;
    if (w < next) next = w;
  }
  return next;
}

std::uint64_t Scheduler::poll(std::uint64_t now_us) noexcept {
  ++polls_;
  bool ran = false;
  for (Task& t : tasks_) {
    if (!t.enabled || t.due_us > now_us) continue;
    const std::uint64_t late = now_us - t.due_us;
    if (late > t.slack_us) ++t.missed;
    if (late > t.max_late_us)
      t.max_late_us = late > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<std::uint32_t>(late);
    ++t.runs;
    ++jobs_;
    ran = true;
    if (t.period_us == 0) {
      t.enabled = false;
    } else {
      t.due_us += t.period_us;
      // Releases whose whole window already passed are skipped, not run in a burst.
      if (t.due_us + t.slack_us < now_us) {
        const std::uint64_t skipped = (now_us - t.slack_us - t.due_us) / t.period_us + 1;
        t.due_us += skipped * t.period_us;
        t.missed += static_cast<std::uint32_t>(skipped);
      }
    }
    t.run(t.ctx, now_us);
  }
  if (ran) ++wakeups_;
  return next_wakeup();
}

void Scheduler::run_until(const Clock& clock, std::uint64_t until_us) noexcept {
  for (;;) {
    const std::uint64_t now = clock.now_us(clock.ctx);
    const std::uint64_t next = poll(now);
    if (next == kNever || next > until_us) {
      if (now < until_us) clock.sleep_until_us(clock.ctx, until_us);
      return;
    }
    clock.sleep_until_us(clock.ctx, next);
  }
}

void Scheduler::trigger(std::size_t i, std::uint64_t now_us) noexcept {
  if (i >= tasks_.size()) return;
  tasks_[i].enabled = true;
  tasks_[i].due_us = now_us;
}

void Scheduler::set_enabled(std::size_t i, bool enabled, std::uint64_t now_us) noexcept {
  if (i >= tasks_.size()) return;
  Task& t = tasks_[i];
  if (enabled && !t.enabled) t.due_us = now_us + t.phase_us;
  t.enabled = enabled;
}

std::uint32_t Scheduler::missed() const noexcept {
  std::uint32_t m = 0;
  for (const Task& t : tasks_) m += t.missed;
  return m;
}

}  // namespace tinysense::node
