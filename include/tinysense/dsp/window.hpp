// Window functions, as scipy.signal.get_window.
//
// Periodic windows (scipy's default, fftbins=True) are for spectral analysis:
// the window of length n is the symmetric window of length n + 1 without its
// last sample. Symmetric windows (fftbins=False) are for filter design.
#ifndef TINYSENSE_DSP_WINDOW_HPP
#define TINYSENSE_DSP_WINDOW_HPP

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::dsp {

enum class WindowType {
  kRectangular,  // "boxcar"
  kHann,         // "hann": 0.5 - 0.5 cos(2 pi k / M)
  kHamming,      // "hamming": 0.54 - 0.46 cos(2 pi k / M)
};

enum class WindowSymmetry {
  kPeriodic,   // scipy fftbins=True (default of get_window)
  kSymmetric,  // scipy fftbins=False
};

// Fills out (length >= 1) with the window. kInvalidArgument on an empty span
// or an unknown type. Computed in double, rounded to float.
[[nodiscard]] Status make_window(WindowType type, WindowSymmetry symmetry, Span<float> out) noexcept;

// out[i] = in[i] * window[i]; all three the same length; in may alias out.
void apply_window(Span<const float> in, Span<const float> window, Span<float> out) noexcept;

}  // namespace tinysense::dsp

#endif  // TINYSENSE_DSP_WINDOW_HPP
