#include "tinysense/dsp/window.hpp"

#include <cmath>

namespace tinysense::dsp {

Status make_window(WindowType type, WindowSymmetry symmetry, Span<float> out) noexcept {
  const std::size_t n = out.size();
  if (n == 0) return Status::kInvalidArgument;
  double a0 = 1.0;
  switch (type) {
    case WindowType::kRectangular: a0 = 1.0; break;
    case WindowType::kHann: a0 = 0.5; break;
    case WindowType::kHamming: a0 = 0.54; break;
    default: return Status::kInvalidArgument;
  }
  if (n == 1) {  // scipy returns [1.0] for every window of length 1
    out[0] = 1.0f;
    return Status::kOk;
  }
  // Denominator M: n for periodic (the n+1 symmetric window, truncated), n-1 for symmetric.
  const double m = symmetry == WindowSymmetry::kPeriodic ? static_cast<double>(n)
                                                         : static_cast<double>(n - 1);
  const double two_pi = 6.283185307179586476925286766559;
  for (std::size_t k = 0; k < n; ++k) {
    const double c = std::cos(two_pi * static_cast<double>(k) / m);
    out[k] = static_cast<float>(a0 - (1.0 - a0) * c);
  }
  return Status::kOk;
}

void apply_window(Span<const float> in, Span<const float> window, Span<float> out) noexcept {
  TINYSENSE_DCHECK(in.size() == window.size() && out.size() == in.size());
  const float* x = in.data();
  const float* w = window.data();
  float* y = out.data();
  for (std::size_t i = 0, n = in.size(); i < n; ++i) y[i] = x[i] * w[i];
}

}  // namespace tinysense::dsp
