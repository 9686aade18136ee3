// Applying a window to a frame (tinysense/dsp/window.hpp); make_window is init.
#include "bench.hpp"
#include "bench_data.hpp"
#include "tinysense/dsp/window.hpp"

// bench-requires: window

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;

constexpr std::size_t kN = 512;
float g_win[kN];
float g_x[kN];
float g_y[kN];

}  // namespace

TS_BENCH_PROBE(apply_window_f32) {
  if (ts::dsp::make_window(ts::dsp::WindowType::kHann, ts::dsp::WindowSymmetry::kPeriodic,
                           ts::Span<float>(g_win)) != ts::Status::kOk) {
    return;
  }
  ts::dsp::apply_window(g_x, g_win, g_y);
}

TS_BENCH_RUN(window) {
  if (ts::dsp::make_window(ts::dsp::WindowType::kHann, ts::dsp::WindowSymmetry::kPeriodic,
                           ts::Span<float>(g_win)) != ts::Status::kOk) {
    tb::fail("make_window");
  }
  tb::fill_uniform(g_x, kN, 1.0f);
  // RAM: the window table the caller keeps (the kernel itself holds nothing).
  tb::measure(tb::Info{"apply_window_f32", "n=512", "sample", kN, sizeof(g_win)}, [] {
    ts::dsp::apply_window(g_x, g_win, g_y);
  });
}
