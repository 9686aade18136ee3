// Python: statistics, features and int16 <-> float conversion (tinysense/dsp/stats.hpp).
//
// Every statistic takes a 1-D C-contiguous numpy array of dtype float32 or
// int16 (TypeError otherwise, no silent conversion) and follows the numpy
// function of the same name: mean, var, std, rms, min_value, max_value, ptp,
// median, percentile, total (numpy.sum), energy, zero_crossings,
// zero_crossing_rate, features. Empty input -> ValueError.
#include <cstdint>
#include <vector>

#include "common.hpp"
#include "tinysense/dsp/stats.hpp"

namespace tinysense::py {
namespace {

using dsp::Features;

bool is_int16(const pyb::handle& obj, const char* name) {
  if (!pyb::isinstance<pyb::array>(obj)) {
    throw pyb::type_error(std::string(name) + ": expected a numpy array of dtype float32 or int16");
  }
  const auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (arr.dtype().is(pyb::dtype::of<std::int16_t>())) return true;
  if (arr.dtype().is(pyb::dtype::of<float>())) return false;
  throw pyb::type_error(std::string(name) + ": expected dtype float32 or int16, got " +
                        std::string(pyb::str(arr.dtype())));
}

std::size_t ddof_of(long ddof) {
  if (ddof < 0) throw pyb::value_error("ddof must be >= 0");
  return static_cast<std::size_t>(ddof);
}

// Calls fn(Span<const float>) or fn(Span<const int16_t>) by the array's dtype.
template <class Fn>
auto dispatch(const pyb::handle& x, const char* name, Fn fn) {
  if (is_int16(x, name)) return fn(cspan(require_1d<std::int16_t>(x, name)));
  return fn(cspan(require_1d<float>(x, name)));
}

template <class T>
float stat(Status (*f)(Span<const T>, float*), Span<const T> x, const char* name) {
  float v = 0.0f;
  check(f(x, &v), name);
  return v;
}

pyb::object percentile_py(const pyb::handle& x, const pyb::handle& q) {
  const bool scalar = !pyb::isinstance<pyb::array>(q) && !pyb::isinstance<pyb::sequence>(q);
  std::vector<float> qs;
  if (scalar) {
    qs.push_back(q.cast<float>());
  } else {
    const auto qa = pyb::array_t<double, pyb::array::forcecast | pyb::array::c_style>::ensure(q);
    if (!qa || qa.ndim() != 1) throw pyb::value_error("percentile: q must be a number or 1-D");
    for (pyb::ssize_t i = 0; i < qa.size(); ++i) qs.push_back(static_cast<float>(qa.data()[i]));
  }
  pyb::array_t<float> out(static_cast<pyb::ssize_t>(qs.size()));
  const Span<const float> qspan(qs.data(), qs.size());
  if (is_int16(x, "percentile")) {
    auto a = require_1d<std::int16_t>(x, "percentile");
    std::vector<std::int16_t> scratch(static_cast<std::size_t>(a.size()));
    check(dsp::percentiles(cspan(a), qspan, Span<std::int16_t>(scratch.data(), scratch.size()),
                           mspan(out)),
          "percentile");
  } else {
    auto a = require_1d<float>(x, "percentile");
    std::vector<float> scratch(static_cast<std::size_t>(a.size()));
    check(dsp::percentiles(cspan(a), qspan, Span<float>(scratch.data(), scratch.size()),
                           mspan(out)),
          "percentile");
  }
  if (scalar) return pyb::float_(static_cast<double>(out.at(0)));
  return std::move(out);
}

void bind(pyb::module_& m) {
  m.def(
      "mean",
      [](const pyb::handle& x) {
        return dispatch(x, "mean", [](auto s) { return stat(dsp::mean, s, "mean"); });
      },
      pyb::arg("x"), "numpy.mean(x) of a float32 or int16 array (int16: exact sum).");
  m.def(
      "var",
      [](const pyb::handle& x, long ddof) {
        const std::size_t d = ddof_of(ddof);
        return dispatch(x, "var", [d](auto s) {
          float v = 0.0f;
          check(dsp::variance(s, &v, d), "var");
          return v;
        });
      },
      pyb::arg("x"), pyb::arg("ddof") = 0, "numpy.var(x, ddof=ddof); ValueError if len(x) <= ddof.");
  m.def(
      "std",
      [](const pyb::handle& x, long ddof) {
        const std::size_t d = ddof_of(ddof);
        return dispatch(x, "std", [d](auto s) {
          float v = 0.0f;
          check(dsp::stddev(s, &v, d), "std");
          return v;
        });
      },
      pyb::arg("x"), pyb::arg("ddof") = 0, "numpy.std(x, ddof=ddof).");
  m.def(
      "rms",
      [](const pyb::handle& x) {
        return dispatch(x, "rms", [](auto s) { return stat(dsp::rms, s, "rms"); });
      },
      pyb::arg("x"), "sqrt(numpy.mean(x**2)).");
  m.def(
      "zero_crossing_rate",
      [](const pyb::handle& x) {
        return dispatch(x, "zero_crossing_rate",
                        [](auto s) { return stat(dsp::zero_crossing_rate, s, "zero_crossing_rate"); });
      },
      pyb::arg("x"),
      "numpy.mean((x[:-1] < 0) != (x[1:] < 0)) (zero counts as positive); 0.0 for len(x) == 1.");
  m.def(
      "zero_crossings",
      [](const pyb::handle& x) {
        return dispatch(x, "zero_crossings", [](auto s) { return dsp::zero_crossings(s); });
      },
      pyb::arg("x"), "numpy.count_nonzero((x[:-1] < 0) != (x[1:] < 0)).");
  m.def(
      "min_value",
      [](const pyb::handle& x) -> pyb::object {
        if (is_int16(x, "min_value")) {
          std::int16_t v = 0;
          check(dsp::min_value(cspan(require_1d<std::int16_t>(x, "min_value")), &v), "min_value");
          return pyb::int_(v);
        }
        return pyb::float_(stat(dsp::min_value, cspan(require_1d<float>(x, "min_value")), "min_value"));
      },
      pyb::arg("x"), "numpy.min(x) (int for int16 input).");
  m.def(
      "max_value",
      [](const pyb::handle& x) -> pyb::object {
        if (is_int16(x, "max_value")) {
          std::int16_t v = 0;
          check(dsp::max_value(cspan(require_1d<std::int16_t>(x, "max_value")), &v), "max_value");
          return pyb::int_(v);
        }
        return pyb::float_(stat(dsp::max_value, cspan(require_1d<float>(x, "max_value")), "max_value"));
      },
      pyb::arg("x"), "numpy.max(x) (int for int16 input).");
  m.def(
      "ptp",
      [](const pyb::handle& x) -> pyb::object {
        if (is_int16(x, "ptp")) {
          std::int32_t v = 0;
          check(dsp::ptp(cspan(require_1d<std::int16_t>(x, "ptp")), &v), "ptp");
          return pyb::int_(v);
        }
        return pyb::float_(stat(dsp::ptp, cspan(require_1d<float>(x, "ptp")), "ptp"));
      },
      pyb::arg("x"), "max(x) - min(x); int16 input gives an int that never wraps (numpy.ptp does).");
  m.def(
      "total",
      [](const pyb::handle& x) -> pyb::object {
        if (is_int16(x, "total")) return pyb::int_(dsp::sum(cspan(require_1d<std::int16_t>(x, "total"))));
        return pyb::float_(dsp::sum(cspan(require_1d<float>(x, "total"))));
      },
      pyb::arg("x"), "numpy.sum(x): exact int for int16 input, 0 for an empty array.");
  m.def(
      "energy",
      [](const pyb::handle& x) -> pyb::object {
        if (is_int16(x, "energy")) {
          return pyb::int_(dsp::energy(cspan(require_1d<std::int16_t>(x, "energy"))));
        }
        return pyb::float_(dsp::energy(cspan(require_1d<float>(x, "energy"))));
      },
      pyb::arg("x"), "numpy.sum(x**2): exact int for int16 input, 0 for an empty array.");
  m.def(
      "median",
      [](const pyb::handle& x) { return percentile_py(x, pyb::float_(50.0)); }, pyb::arg("x"),
      "numpy.median(x).");
  m.def("percentile", &percentile_py, pyb::arg("x"), pyb::arg("q"),
        "numpy.percentile(x, q) with method='linear'; q a number (-> float) or a sequence/array "
        "(-> float32 array), each in [0, 100] (q is rounded to float32). NaN in x gives NaN.");
  m.def(
      "features",
      [](const pyb::handle& x) {
        Features f{};
        if (is_int16(x, "features")) {
          check(dsp::features(cspan(require_1d<std::int16_t>(x, "features")), &f), "features");
        } else {
          check(dsp::features(cspan(require_1d<float>(x, "features")), &f), "features");
        }
        pyb::dict d;
        d["mean"] = f.mean;
        d["std"] = f.stddev;
        d["min"] = f.min;
        d["max"] = f.max;
        d["rms"] = f.rms;
        d["ptp"] = f.ptp;
        d["zcr"] = f.zcr;
        d["energy"] = f.energy;
        return d;
      },
      pyb::arg("x"),
      "One-pass dict of mean, std, min, max, rms, ptp, zcr, energy (population, as float).");
  m.def(
      "int16_to_float",
      [](const pyb::handle& x, float scale) {
        auto a = require_1d<std::int16_t>(x, "int16_to_float");
        pyb::array_t<float> out(a.size());
        dsp::int16_to_float(cspan(a), scale, mspan(out));
        return out;
      },
      pyb::arg("x"), pyb::arg("scale") = 1.0f / 32768.0f,
      "x.astype(float32) * float32(scale) (default: Q15 to [-1, 1)).");
  m.def(
      "float_to_int16",
      [](const pyb::handle& x, float scale) {
        auto a = require_1d<float>(x, "float_to_int16");
        pyb::array_t<std::int16_t> out(a.size());
        dsp::float_to_int16(cspan(a), scale, mspan(out));
        return out;
      },
      pyb::arg("x"), pyb::arg("scale") = 32768.0f,
      "clip(rint(x * float32(scale)), -32768, 32767) as int16 (float32 product, ties to even, "
      "NaN -> 0).");
}

const Binder registered("stats", bind);

}  // namespace
}  // namespace tinysense::py
