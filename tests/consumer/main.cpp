// Smallest useful firmware: Hann-window a frame. Exit code 0 when the window
// is right, so the QEMU run checks the installed package end to end.
#include <cstdio>

#include "tinysense/dsp/window.hpp"

int main() {
  float w[8];
  const tinysense::Status s = tinysense::dsp::make_window(
      tinysense::dsp::WindowType::kHann, tinysense::dsp::WindowSymmetry::kPeriodic,
      tinysense::Span<float>(w));
  // Periodic Hann of length 8: w[4] == 1, w[0] == 0.
  const bool good = tinysense::ok(s) && w[0] == 0.0f && w[4] > 0.999999f;
  std::printf("consumer: %s (%s)\n", good ? "ok" : "WRONG", tinysense::to_string(s));
  return good ? 0 : 1;
}
