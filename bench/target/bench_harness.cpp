// Markers, stack probe and report line of the Cortex-M4F benchmark (bench.hpp).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>

#include "bench.hpp"

// Naked: exactly one instruction, no frame. noipa: callers may not assume
// anything about them (no removal, no code motion of memory accesses across).
extern "C" __attribute__((naked, noipa)) void ts_bench_start() noexcept { __asm__ volatile("bx lr"); }
extern "C" __attribute__((naked, noipa)) void ts_bench_stop() noexcept { __asm__ volatile("bx lr"); }

extern "C" __attribute__((naked, noipa)) void ts_stack_paint(std::uint32_t /*bytes*/) noexcept {
  __asm__ volatile(
      "mov   r1, sp\n"
      "subs  r2, r1, r0\n"  // r2 = lowest address to paint
      "movw  r3, #0xa5a5\n"
      "movt  r3, #0xa5a5\n"
      "1:\n"
      "cmp   r2, r1\n"
      "bhs   2f\n"
      "str   r3, [r2], #4\n"
      "b     1b\n"
      "2:\n"
      "bx    lr\n");
}

extern "C" __attribute__((naked, noipa)) std::uint32_t ts_stack_used(std::uint32_t /*bytes*/) noexcept {
  __asm__ volatile(
      "mov   r1, sp\n"
      "subs  r2, r1, r0\n"  // scan upwards from the lowest painted word
      "movw  r3, #0xa5a5\n"
      "movt  r3, #0xa5a5\n"
      "1:\n"
      "cmp   r2, r1\n"
      "bhs   2f\n"
      "ldr   r12, [r2]\n"
      "cmp   r12, r3\n"
      "bne   2f\n"
      "adds  r2, r2, #4\n"
      "b     1b\n"
      "2:\n"
      "subs  r0, r1, r2\n"  // sp - first overwritten word
      "bx    lr\n");
}

namespace tinysense::bench {

void report(const Info& info, std::uint32_t stack_bytes) noexcept {
  std::printf("@bench kernel=%s param=%s unit=%s units=%" PRIu32 " ram=%" PRIu32 " stack=%" PRIu32
              " stack_probe=%" PRIu32 " expect=%" PRId32 " expect_stack=%" PRId32 "\n",
              info.kernel, info.param, info.unit, info.units, info.ram_bytes, stack_bytes, kStackProbe,
              static_cast<std::int32_t>(info.expect), info.expect_stack);
}

void fail(const char* what) noexcept {
  std::printf("@bench-error %s\n", what);
  std::exit(2);
}

}  // namespace tinysense::bench
