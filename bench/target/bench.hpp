// Guest side of the Cortex-M4F benchmark: markers, stack probe, reporting.
//
// A benchmark file bench/target/bench_<stem>.cpp defines
//   TS_BENCH_RUN(<stem>) { ... tinysense::bench::measure(info, fn); ... }
// and, per kernel, a size probe
//   TS_BENCH_PROBE(<kernel>) { ... init + process of that kernel only ... }
// CMake finds both by name (see bench/target/CMakeLists.txt); nothing else
// needs editing to add a benchmark. Output protocol and JSON: README.md.
//
// What one measure() does:
//   fn();                        warm-up (init is done by the caller before)
//   ts_stack_paint(kStackProbe)  fill the stack below sp with a pattern
//   ts_bench_start(); fn(); ts_bench_stop();   the counted call
//   ts_stack_used(kStackProbe)   deepest word that lost the pattern
//   print "@bench kernel=... param=... ..."
// The QEMU plugin (insncount.c) counts instructions between the two markers
// and logs one "insncount: pair <seq> <n>" per pair; the host runner joins the
// k-th pair with the k-th "@bench" line and subtracts the empty-pair overhead.
#ifndef TINYSENSE_BENCH_TARGET_BENCH_HPP
#define TINYSENSE_BENCH_TARGET_BENCH_HPP

#include <cstddef>
#include <cstdint>

extern "C" {
// Markers watched by the plugin (their addresses come from `nm`). Each is a
// single `bx lr` and opaque to the optimiser (naked + noipa), so calls are
// never removed, merged or moved across.
void ts_bench_start() noexcept;
void ts_bench_stop() noexcept;
// Fills [sp - bytes, sp) with a pattern. Leaf without a frame, so its sp is
// the caller's sp: call it from the frame that calls the kernel.
void ts_stack_paint(std::uint32_t bytes) noexcept;
// Bytes below sp written since ts_stack_paint(bytes) (same frame, same sp);
// returns `bytes` when even the deepest word was overwritten (probe too small).
std::uint32_t ts_stack_used(std::uint32_t bytes) noexcept;
}

namespace tinysense::bench {

// Stack region checked below the caller's sp (the firmware has 64 KiB).
constexpr std::uint32_t kStackProbe = 16 * 1024;

// Describes one measurement. Strings must not contain spaces.
struct Info {
  const char* kernel;          // stable id, e.g. "rfft_f32"; also the size-probe name
  const char* param;           // e.g. "n=1024" or "sections=4,n=2000"
  const char* unit = "call";   // what `units` counts: "call", "sample", "sample*section"
  std::uint32_t units = 1;     // units per measured call (per-unit figure = count / units)
  std::uint32_t ram_bytes = 0; // object + caller-provided twiddles/state/scratch (not in/out)
  std::int64_t expect = -1;    // exact expected count (calibration only), -1 = none
  std::int32_t expect_stack = -1;  // exact expected stack bytes (calibration only), -1 = none
};

// Prints the "@bench ..." line for a finished measurement.
void report(const Info& info, std::uint32_t stack_bytes) noexcept;

// Warm-up call, then one counted call of fn() with the stack probed.
template <class Fn>
inline __attribute__((always_inline)) void measure(const Info& info, Fn&& fn) noexcept {
  fn();
  ts_stack_paint(kStackProbe);
  ts_bench_start();
  fn();
  ts_bench_stop();
  const std::uint32_t stack = ts_stack_used(kStackProbe);
  report(info, stack);
}

// Stops the benchmark with a message when a kernel's init() fails.
void fail(const char* what) noexcept;

}  // namespace tinysense::bench

// Entry points found by CMake (one run per file, any number of probes).
#define TS_BENCH_RUN(stem) extern "C" void ts_bench_run_##stem() noexcept
#define TS_BENCH_PROBE(kernel) extern "C" void ts_probe_##kernel() noexcept

#endif  // TINYSENSE_BENCH_TARGET_BENCH_HPP
