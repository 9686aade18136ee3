// Python: tinysense.Biquad / BiquadQ15 (streaming IIR cascades), sosfilt, sos_to_q15.
//
// sos arrays follow scipy: shape (sections, 6), rows [b0 b1 b2 a0 a1 a2].
// Exact dtypes (TypeError otherwise): float32 for Biquad/sosfilt/sos_to_q15,
// int16 for BiquadQ15. Each filter object keeps its own copy of the sos and
// its state, so the array passed in may be changed or freed afterwards.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/dsp/biquad.hpp"

namespace tinysense::py {
namespace {

// Copies a (sections, 6) array of exactly dtype T (any strides) into a flat
// row-major vector. TypeError on a non-array or another dtype, ValueError on
// another shape or zero sections.
template <class T>
std::vector<T> copy_sos(const pyb::handle& obj, const char* name) {
  auto arr = require_dtype<T>(obj, name);
  if (arr.ndim() != 2 || arr.shape(1) != static_cast<pyb::ssize_t>(dsp::kSosRowLen)) {
    throw pyb::value_error(std::string(name) + ": expected shape (sections, 6)");
  }
  if (arr.shape(0) < 1) throw pyb::value_error(std::string(name) + ": needs at least one section");
  auto view = pyb::reinterpret_borrow<pyb::array_t<T>>(arr).template unchecked<2>();
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(view.shape(0)) * dsp::kSosRowLen);
  for (pyb::ssize_t r = 0; r < view.shape(0); ++r) {
    for (pyb::ssize_t c = 0; c < view.shape(1); ++c) out.push_back(view(r, c));
  }
  return out;
}

// A flat vector as a new (rows, cols) array.
template <class T>
pyb::array_t<T> as_2d(const std::vector<T>& v, std::size_t cols) {
  pyb::array_t<T> out(
      {static_cast<pyb::ssize_t>(v.size() / cols), static_cast<pyb::ssize_t>(cols)});
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

// Owns the sos copy and the state the C++ filter points into; never copied or
// moved, so those pointers stay valid for the object's life.
class PyBiquad {
 public:
  explicit PyBiquad(const pyb::handle& sos) : sos_(copy_sos<float>(sos, "Biquad: sos")) {
    state_.assign(dsp::Biquad::state_len(sos_.size() / dsp::kSosRowLen), 0.0f);
    check(filt_.init(Span<const float>(sos_.data(), sos_.size()),
                     Span<float>(state_.data(), state_.size())),
          "Biquad: sos (a0 must be 1, coefficients finite)");
  }
  PyBiquad(const PyBiquad&) = delete;
  PyBiquad& operator=(const PyBiquad&) = delete;

  pyb::array_t<float> process(const pyb::handle& x) {
    const auto in = require_1d<float>(x, "Biquad.process: x");
    pyb::array_t<float> out(in.size());
    filt_.process(cspan(in), mspan(out));
    return out;
  }
  void reset() { filt_.reset(); }
  std::size_t sections() const { return filt_.sections(); }
  pyb::array_t<float> sos() const { return as_2d(sos_, dsp::kSosRowLen); }
  pyb::array_t<float> state() const { return as_2d(state_, 2); }

 private:
  std::vector<float> sos_;
  std::vector<float> state_;
  dsp::Biquad filt_;
};

class PyBiquadQ15 {
 public:
  PyBiquadQ15(const pyb::handle& sos, int post_shift)
      : sos_(copy_sos<q15_t>(sos, "BiquadQ15: sos")) {
    state_.assign(dsp::BiquadQ15::state_len(sos_.size() / dsp::kSosRowLen), 0);
    check(filt_.init(Span<const q15_t>(sos_.data(), sos_.size()), post_shift,
                     Span<q15_t>(state_.data(), state_.size())),
          "BiquadQ15: sos/post_shift (post_shift in [1, 7], a0 == 2**(15 - post_shift))");
  }
  PyBiquadQ15(const PyBiquadQ15&) = delete;
  PyBiquadQ15& operator=(const PyBiquadQ15&) = delete;

  pyb::array_t<q15_t> process(const pyb::handle& x) {
    const auto in = require_1d<q15_t>(x, "BiquadQ15.process: x");
    pyb::array_t<q15_t> out(in.size());
    filt_.process(cspan(in), mspan(out));
    return out;
  }
  void reset() { filt_.reset(); }
  std::size_t sections() const { return filt_.sections(); }
  int post_shift() const { return filt_.post_shift(); }
  pyb::array_t<q15_t> sos() const { return as_2d(sos_, dsp::kSosRowLen); }
  pyb::array_t<q15_t> state() const { return as_2d(state_, 4); }

 private:
  std::vector<q15_t> sos_;
  std::vector<q15_t> state_;
  dsp::BiquadQ15 filt_;
};

void bind(pyb::module_& m) {
  pyb::class_<PyBiquad>(m, "Biquad",
                        "Streaming float32 IIR cascade (transposed direct form II), like\n"
                        "scipy.signal.sosfilt with the state carried from call to call.\n"
                        "sos: float32 array (sections, 6), scipy layout, a0 == 1.")
      .def(pyb::init<const pyb::handle&>(), pyb::arg("sos"))
      .def("process", &PyBiquad::process, pyb::arg("x"),
           "Filters a 1-D float32 array; returns a new float32 array. The state carries "
           "over, so filtering in pieces equals filtering at once.")
      .def("reset", &PyBiquad::reset, "Zeroes the state (scipy's zi = 0).")
      .def_property_readonly("sections", &PyBiquad::sections)
      .def_property_readonly("sos", &PyBiquad::sos, "Copy of the coefficients, (sections, 6).")
      .def_property_readonly("state", &PyBiquad::state,
                             "Copy of the state, (sections, 2), the layout of scipy's zi/zf.");

  pyb::class_<PyBiquadQ15>(m, "BiquadQ15",
                           "Streaming Q15 IIR cascade (direct form I, 64-bit accumulator,\n"
                           "rounded and saturated per section). sos: int16 array (sections, 6)\n"
                           "in Q(15 - post_shift), e.g. from sos_to_q15().")
      .def(pyb::init<const pyb::handle&, int>(), pyb::arg("sos"), pyb::arg("post_shift"))
      .def("process", &PyBiquadQ15::process, pyb::arg("x"),
           "Filters a 1-D int16 array; returns a new int16 array; the state carries over.")
      .def("reset", &PyBiquadQ15::reset, "Zeroes the state.")
      .def_property_readonly("sections", &PyBiquadQ15::sections)
      .def_property_readonly("post_shift", &PyBiquadQ15::post_shift)
      .def_property_readonly("sos", &PyBiquadQ15::sos, "Copy of the coefficients, (sections, 6).")
      .def_property_readonly("state", &PyBiquadQ15::state,
                             "Copy of the state, (sections, 4): x[n-1], x[n-2], y[n-1], y[n-2].");

  m.def(
      "sosfilt",
      [](const pyb::handle& sos, const pyb::handle& x) {
        PyBiquad filt(sos);
        return filt.process(x);
      },
      pyb::arg("sos"), pyb::arg("x"),
      "One-shot float32 filtering from rest, like scipy.signal.sosfilt(sos, x) for 1-D x.");

  m.def(
      "sos_to_q15",
      [](const pyb::handle& sos) {
        const std::vector<float> s = copy_sos<float>(sos, "sos_to_q15: sos");
        std::vector<q15_t> out(s.size());
        int post_shift = 0;
        check(dsp::sos_to_q15(Span<const float>(s.data(), s.size()),
                              Span<q15_t>(out.data(), out.size()), &post_shift),
              "sos_to_q15: sos (a0 must be 1, coefficients finite and below 128)");
        return pyb::make_tuple(as_2d(out, dsp::kSosRowLen), post_shift);
      },
      pyb::arg("sos"),
      "Converts float32 sos (sections, 6) to (int16 sos, post_shift) for BiquadQ15, with the\n"
      "smallest post_shift in [1, 7] that holds every coefficient rounded to nearest.");
}

const Binder registered("biquad", bind);

}  // namespace
}  // namespace tinysense::py
