// Calibration: guest code whose instruction count is known exactly, so the
// counting chain (markers, plugin, overhead subtraction) is checked end to end.
// The runner fails when any measured count differs from `expect`.
#include "bench.hpp"

// bench-requires: (nothing)

// 10 nops and a return: a call costs bl + 10 + bx = 12 instructions.
extern "C" __attribute__((naked, noipa)) void ts_calib_leaf() noexcept {
  __asm__ volatile(".rept 10\n nop\n .endr\n bx lr\n");
}

namespace {
using tinysense::bench::Info;
using tinysense::bench::measure;

// One function per case: each measure() contains the asm twice (warm-up and
// counted call), and one big function would overflow the literal-pool range.

// Straight-line 16-bit instructions.
__attribute__((noinline)) void calib_nop() noexcept {
  measure(Info{"calib_nop", "n=1000", "call", 1, 0, 1000}, [] {
    __asm__ volatile(".rept 1000\n nop\n .endr\n");
  });
}

// A loop: one translation block executed 10000 times; movw + 10000 x (subs, bne).
__attribute__((noinline)) void calib_loop() noexcept {
  measure(Info{"calib_loop", "iters=10000", "call", 1, 0, 1 + 2 * 10000}, [] {
    __asm__ volatile(
        "movw r0, #10000\n"
        "1: subs r0, r0, #1\n"
        "bne 1b\n" ::: "r0", "cc");
  });
}

// IT blocks: the IT instruction and a skipped conditional instruction count
// as executed (issued), as on the hardware: movs + 4 per repetition.
__attribute__((noinline)) void calib_it() noexcept {
  measure(Info{"calib_it", "reps=100", "call", 1, 0, 1 + 4 * 100}, [] {
    __asm__ volatile(
        "movs r0, #0\n"
        ".rept 100\n cmp r0, #1\n ite ne\n movne r1, #1\n moveq r1, #2\n .endr\n" ::: "r0", "r1", "cc");
  });
}

// 32-bit FPU instructions.
__attribute__((noinline)) void calib_fpu() noexcept {
  measure(Info{"calib_fpu", "n=200", "call", 1, 0, 200}, [] {
    __asm__ volatile(".rept 200\n vadd.f32 s0, s0, s1\n .endr\n" ::: "s0");
  });
}

// Calls and returns: 50 x (bl + 10 nop + bx lr).
__attribute__((noinline)) void calib_call() noexcept {
  measure(Info{"calib_call", "calls=50", "call", 1, 0, 50 * 12}, [] {
    __asm__ volatile(".rept 50\n bl ts_calib_leaf\n .endr\n" ::: "lr", "memory");
  });
}

}  // namespace

// A frame of 8 pushed + 120 reserved bytes whose deepest word is written:
// the stack probe must read exactly 128. 7 instructions per call.
extern "C" __attribute__((naked, noipa)) void ts_calib_frame() noexcept {
  __asm__ volatile(
      "push {r4, lr}\n"
      "sub sp, sp, #120\n"
      "movs r0, #0\n"
      "str r0, [sp]\n"
      "add sp, sp, #120\n"
      "pop {r4, pc}\n");
}

namespace {
__attribute__((noinline)) void calib_stack() noexcept {
  measure(Info{"calib_stack", "calls=1", "call", 1, 0, 7, 128}, [] { ts_calib_frame(); });
}
}  // namespace

TS_BENCH_RUN(calibration) {
  calib_nop();
  calib_loop();
  calib_it();
  calib_fpu();
  calib_call();
  calib_stack();
}
