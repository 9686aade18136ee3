// Python: FFTs with numpy.fft conventions (tinysense/dsp/fft.hpp).
//
//   tinysense.rfft(x: float32[n]) -> complex64[n/2 + 1]          numpy.fft.rfft
//   tinysense.irfft(X: complex64[n/2 + 1], n=None) -> float32[n]  numpy.fft.irfft
//   tinysense.fft(x: complex64[n]) -> complex64[n]                numpy.fft.fft
//   tinysense.ifft(X: complex64[n]) -> complex64[n]               numpy.fft.ifft
//   tinysense.rfft_q15(x: int16[n]) -> int16[n/2 + 1, 2]           ~ rfft(x) / n, (re, im) rows
//   tinysense.power_spectrum(X: complex64) -> float32              abs(X)**2
//   tinysense.magnitude(X: complex64) -> float32                   abs(X)
//   tinysense.power_spectrum_q15(X: int16[k, 2]) -> int32[k]        re^2 + im^2 (Q30)
//   tinysense.Rfft(n), ComplexFft(n), RfftQ15(n): reusable objects holding the
//   twiddles (forward / inverse methods as above, properties n and bins).
// n: a power of two in [16, 4096], else ValueError. Exact dtypes, else
// TypeError (no silent conversion); wrong lengths or shapes: ValueError.
#include <pybind11/complex.h>

#include <complex>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/dsp/fft.hpp"

namespace tinysense::py {
namespace {

using cf32 = std::complex<float>;
static_assert(sizeof(cf32) == sizeof(dsp::Complex32), "complex64 must match Complex32");

Span<const dsp::Complex32> cspan_c(const pyb::array_t<cf32>& a) {
  return Span<const dsp::Complex32>(reinterpret_cast<const dsp::Complex32*>(a.data()),
                                    static_cast<std::size_t>(a.size()));
}
Span<dsp::Complex32> mspan_c(pyb::array_t<cf32>& a) {
  return Span<dsp::Complex32>(reinterpret_cast<dsp::Complex32*>(a.mutable_data()),
                              static_cast<std::size_t>(a.size()));
}

// A C-contiguous (k, 2) int16 array of Q15 bins (re, im). TypeError on another
// dtype, ValueError on another shape.
pyb::array_t<std::int16_t> require_q15_bins(const pyb::handle& obj, const char* name) {
  if (!pyb::isinstance<pyb::array>(obj)) {
    throw pyb::type_error(std::string(name) + ": expected a numpy array of dtype int16");
  }
  auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!arr.dtype().is(pyb::dtype::of<std::int16_t>())) {
    throw pyb::type_error(std::string(name) + ": expected dtype int16, got " +
                          std::string(pyb::str(arr.dtype())));
  }
  if (arr.ndim() != 2 || arr.shape(1) != 2) {
    throw pyb::value_error(std::string(name) + ": expected shape (bins, 2)");
  }
  if (!(arr.flags() & pyb::array::c_style)) {
    throw pyb::value_error(std::string(name) + ": array must be C-contiguous");
  }
  return pyb::reinterpret_borrow<pyb::array_t<std::int16_t>>(arr);
}

std::size_t checked_size(long n, const char* what) {
  if (n <= 0 || !dsp::is_valid_fft_size(static_cast<std::size_t>(n))) {
    throw pyb::value_error(std::string(what) + ": n must be a power of two in [16, 4096], got " +
                           std::to_string(n));
  }
  return static_cast<std::size_t>(n);
}

// Each class owns its twiddle table; never copied, so the pointer inside the
// C++ object stays valid.
class PyRfft {
 public:
  explicit PyRfft(long n) : tw_(dsp::Rfft::twiddle_len(checked_size(n, "Rfft"))) {
    check(fft_.init(static_cast<std::size_t>(n), Span<dsp::Complex32>(tw_.data(), tw_.size())),
          "Rfft");
  }
  PyRfft(const PyRfft&) = delete;
  PyRfft& operator=(const PyRfft&) = delete;

  pyb::array_t<cf32> forward(const pyb::handle& x) const {
    const auto in = require_1d<float>(x, "rfft: x", fft_.size());
    pyb::array_t<cf32> out(static_cast<pyb::ssize_t>(fft_.bins()));
    fft_.forward(cspan(in), mspan_c(out));
    return out;
  }
  pyb::array_t<float> inverse(const pyb::handle& spec) const {
    const auto in = require_1d<cf32>(spec, "irfft: X", fft_.bins());
    pyb::array_t<float> out(static_cast<pyb::ssize_t>(fft_.size()));
    fft_.inverse(cspan_c(in), mspan(out));
    return out;
  }
  std::size_t n() const { return fft_.size(); }
  std::size_t bins() const { return fft_.bins(); }

 private:
  std::vector<dsp::Complex32> tw_;
  dsp::Rfft fft_;
};

class PyComplexFft {
 public:
  explicit PyComplexFft(long n) : tw_(dsp::ComplexFft::twiddle_len(checked_size(n, "ComplexFft"))) {
    check(fft_.init(static_cast<std::size_t>(n), Span<dsp::Complex32>(tw_.data(), tw_.size())),
          "ComplexFft");
  }
  PyComplexFft(const PyComplexFft&) = delete;
  PyComplexFft& operator=(const PyComplexFft&) = delete;

  pyb::array_t<cf32> forward(const pyb::handle& x) const {
    const auto in = require_1d<cf32>(x, "fft: x", fft_.size());
    pyb::array_t<cf32> out(static_cast<pyb::ssize_t>(fft_.size()));
    fft_.forward(cspan_c(in), mspan_c(out));
    return out;
  }
  pyb::array_t<cf32> inverse(const pyb::handle& x) const {
    const auto in = require_1d<cf32>(x, "ifft: X", fft_.size());
    pyb::array_t<cf32> out(static_cast<pyb::ssize_t>(fft_.size()));
    fft_.inverse(cspan_c(in), mspan_c(out));
    return out;
  }
  std::size_t n() const { return fft_.size(); }

 private:
  std::vector<dsp::Complex32> tw_;
  dsp::ComplexFft fft_;
};

class PyRfftQ15 {
 public:
  explicit PyRfftQ15(long n) : tw_(dsp::RfftQ15::twiddle_len(checked_size(n, "RfftQ15"))) {
    check(fft_.init(static_cast<std::size_t>(n), Span<dsp::ComplexQ15>(tw_.data(), tw_.size())),
          "RfftQ15");
  }
  PyRfftQ15(const PyRfftQ15&) = delete;
  PyRfftQ15& operator=(const PyRfftQ15&) = delete;

  pyb::array_t<std::int16_t> forward(const pyb::handle& x) const {
    const auto in = require_1d<std::int16_t>(x, "rfft_q15: x", fft_.size());
    pyb::array_t<std::int16_t> out({static_cast<pyb::ssize_t>(fft_.bins()), pyb::ssize_t{2}});
    fft_.forward(Span<const q15_t>(in.data(), fft_.size()),
                 Span<dsp::ComplexQ15>(reinterpret_cast<dsp::ComplexQ15*>(out.mutable_data()),
                                       fft_.bins()));
    return out;
  }
  // The twiddle table as int16 (n/2, 2), for inspection and the numpy model.
  pyb::array_t<std::int16_t> twiddles() const {
    pyb::array_t<std::int16_t> out({static_cast<pyb::ssize_t>(tw_.size()), pyb::ssize_t{2}});
    std::memcpy(out.mutable_data(), tw_.data(), tw_.size() * sizeof(dsp::ComplexQ15));
    return out;
  }
  std::size_t n() const { return fft_.size(); }
  std::size_t bins() const { return fft_.bins(); }

 private:
  std::vector<dsp::ComplexQ15> tw_;
  dsp::RfftQ15 fft_;
};

long array_len(const pyb::handle& obj) {
  return pyb::isinstance<pyb::array>(obj)
             ? static_cast<long>(pyb::reinterpret_borrow<pyb::array>(obj).size())
             : -1;
}

void bind(pyb::module_& m) {
  pyb::class_<PyRfft>(m, "Rfft", "Real FFT of size n (numpy.fft.rfft / irfft), twiddles computed once.")
      .def(pyb::init<long>(), pyb::arg("n"))
      .def("forward", &PyRfft::forward, pyb::arg("x"),
           "rfft(x): float32[n] -> complex64[n/2 + 1], unscaled.")
      .def("inverse", &PyRfft::inverse, pyb::arg("X"),
           "irfft(X, n): complex64[n/2 + 1] -> float32[n], scaled by 1/n; Im of bins 0 "
           "and n/2 ignored.")
      .def_property_readonly("n", &PyRfft::n)
      .def_property_readonly("bins", &PyRfft::bins);

  pyb::class_<PyComplexFft>(m, "ComplexFft", "Complex FFT of size n (numpy.fft.fft / ifft).")
      .def(pyb::init<long>(), pyb::arg("n"))
      .def("forward", &PyComplexFft::forward, pyb::arg("x"), "fft(x): complex64[n] -> complex64[n].")
      .def("inverse", &PyComplexFft::inverse, pyb::arg("X"),
           "ifft(X): complex64[n] -> complex64[n], scaled by 1/n.")
      .def_property_readonly("n", &PyComplexFft::n);

  pyb::class_<PyRfftQ15>(m, "RfftQ15", "Q15 real FFT of size n: bins = rfft(x) / n in Q15.")
      .def(pyb::init<long>(), pyb::arg("n"))
      .def("forward", &PyRfftQ15::forward, pyb::arg("x"),
           "int16[n] -> int16[n/2 + 1, 2] (re, im) equal to rfft(x) / n, block scaled.")
      .def("twiddles", &PyRfftQ15::twiddles, "The Q15 twiddle table, int16[n/2, 2].")
      .def_property_readonly("n", &PyRfftQ15::n)
      .def_property_readonly("bins", &PyRfftQ15::bins);

  m.def(
      "rfft",
      [](const pyb::handle& x) {
        require_1d<float>(x, "rfft: x");
        return PyRfft(array_len(x)).forward(x);
      },
      pyb::arg("x"), "numpy.fft.rfft of a float32 array (length a power of two in [16, 4096]).");
  m.def(
      "irfft",
      [](const pyb::handle& spec, const pyb::object& n_obj) {
        const auto in = require_1d<cf32>(spec, "irfft: X");
        const long n = n_obj.is_none() ? 2 * (static_cast<long>(in.size()) - 1) : n_obj.cast<long>();
        const PyRfft f(n);
        if (static_cast<std::size_t>(in.size()) != f.bins()) {
          throw pyb::value_error("irfft: X must have n/2 + 1 = " + std::to_string(f.bins()) +
                                 " bins, got " + std::to_string(in.size()));
        }
        return f.inverse(spec);
      },
      pyb::arg("X"), pyb::arg("n") = pyb::none(),
      "numpy.fft.irfft(X, n) of complex64 bins (n defaults to 2 * (len(X) - 1)); float32.");
  m.def(
      "fft",
      [](const pyb::handle& x) {
        require_1d<cf32>(x, "fft: x");
        return PyComplexFft(array_len(x)).forward(x);
      },
      pyb::arg("x"), "numpy.fft.fft of a complex64 array.");
  m.def(
      "ifft",
      [](const pyb::handle& x) {
        require_1d<cf32>(x, "ifft: X");
        return PyComplexFft(array_len(x)).inverse(x);
      },
      pyb::arg("X"), "numpy.fft.ifft of a complex64 array.");
  m.def(
      "rfft_q15",
      [](const pyb::handle& x) {
        require_1d<std::int16_t>(x, "rfft_q15: x");
        return PyRfftQ15(array_len(x)).forward(x);
      },
      pyb::arg("x"), "Q15 real FFT: int16[n] -> int16[n/2 + 1, 2], rfft(x) / n.");
  m.def(
      "power_spectrum",
      [](const pyb::handle& spec) {
        const auto in = require_1d<cf32>(spec, "power_spectrum: X");
        pyb::array_t<float> out(in.size());
        dsp::power_spectrum(cspan_c(in), mspan(out));
        return out;
      },
      pyb::arg("X"), "abs(X)**2 of complex64 bins, float32.");
  m.def(
      "magnitude",
      [](const pyb::handle& spec) {
        const auto in = require_1d<cf32>(spec, "magnitude: X");
        pyb::array_t<float> out(in.size());
        dsp::magnitude(cspan_c(in), mspan(out));
        return out;
      },
      pyb::arg("X"), "abs(X) of complex64 bins, float32.");
  m.def(
      "power_spectrum_q15",
      [](const pyb::handle& spec) {
        const auto in = require_q15_bins(spec, "power_spectrum_q15: X");
        const auto k = static_cast<std::size_t>(in.shape(0));
        pyb::array_t<std::int32_t> out(static_cast<pyb::ssize_t>(k));
        dsp::power_spectrum_q15(
            Span<const dsp::ComplexQ15>(reinterpret_cast<const dsp::ComplexQ15*>(in.data()), k),
            Span<std::int32_t>(out.mutable_data(), k));
        return out;
      },
      pyb::arg("X"), "re^2 + im^2 of int16 (bins, 2) Q15 bins as int32 Q30 ((-1,-1) saturates).");
}

const Binder registered("fft", bind);

}  // namespace
}  // namespace tinysense::py
