// Python: tinysense.get_window(name, n, fftbins=True) like scipy.signal.get_window.
#include <cstring>

#include "common.hpp"
#include "tinysense/dsp/window.hpp"

namespace tinysense::py {
namespace {

dsp::WindowType parse_window(const std::string& name) {
  if (name == "hann") return dsp::WindowType::kHann;
  if (name == "hamming") return dsp::WindowType::kHamming;
  if (name == "boxcar" || name == "rectangular") return dsp::WindowType::kRectangular;
  throw pyb::value_error("unknown window '" + name + "' (expected hann, hamming or boxcar)");
}

void bind(pyb::module_& m) {
  m.def(
      "get_window",
      [](const std::string& name, long n, bool fftbins) {
        if (n < 1) throw pyb::value_error("get_window: n must be >= 1");
        pyb::array_t<float> out(n);
        check(dsp::make_window(parse_window(name),
                               fftbins ? dsp::WindowSymmetry::kPeriodic
                                       : dsp::WindowSymmetry::kSymmetric,
                               mspan(out)),
              "get_window");
        return out;
      },
      pyb::arg("name"), pyb::arg("n"), pyb::arg("fftbins") = true,
      "Window of length n as float32, as scipy.signal.get_window(name, n, fftbins).");
}

const Binder registered("window", bind);

}  // namespace
}  // namespace tinysense::py
