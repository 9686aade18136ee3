// Python: tinysense.Weighting, builtin_weighting_sos, SoundLevelMeter
// (tinysense/dsp/weighting.hpp and sound_level.hpp).
//
// Kinds are the strings "A", "C", "Z" (case-insensitive; TypeError for a
// non-string, ValueError for another letter). Signals are 1-D float32 arrays,
// full scale +-1.0 (TypeError for another dtype). sos arrays follow scipy:
// float32, shape (sections, 6); each object keeps its own copy. A rate that
// is not built in raises ValueError naming the host design tool.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/dsp/sound_level.hpp"
#include "tinysense/dsp/weighting.hpp"

namespace tinysense::py {
namespace {

using dsp::WeightingType;

WeightingType parse_kind(const std::string& kind) {
  if (kind == "A" || kind == "a") return WeightingType::kA;
  if (kind == "C" || kind == "c") return WeightingType::kC;
  if (kind == "Z" || kind == "z") return WeightingType::kZ;
  throw pyb::value_error("unknown weighting '" + kind + "' (expected 'A', 'C' or 'Z')");
}

// Status of an init with built-in coefficients, with a hint for kNotSupported.
void check_builtin(Status s, const std::string& kind, float fs, const char* what) {
  if (s == Status::kNotSupported) {
    const std::string rate = std::to_string(static_cast<long>(std::lround(fs)));
    throw pyb::value_error(std::string(what) + ": " + kind + "-weighting at " + rate +
                           " Hz is not built in (16000, 22050, 32000, 44100, 48000, 96000): "
                           "design it with tinysense.design.weighting_sos('" + kind + "', " +
                           rate + ") and pass sos=... as float32");
  }
  check(s, what);
}

// Copies a float32 (sections, 6) array into a flat vector. TypeError on a
// non-array or another dtype, ValueError on another shape.
std::vector<float> copy_sos(const pyb::handle& obj, const char* name) {
  if (!pyb::isinstance<pyb::array>(obj)) {
    throw pyb::type_error(std::string(name) + ": expected a numpy array of dtype float32");
  }
  auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!arr.dtype().is(pyb::dtype::of<float>())) {
    throw pyb::type_error(std::string(name) + ": expected dtype float32, got " +
                          std::string(pyb::str(arr.dtype())) +
                          " (convert with .astype(np.float32))");
  }
  if (arr.ndim() != 2 || arr.shape(1) != static_cast<pyb::ssize_t>(dsp::kSosRowLen) ||
      arr.shape(0) < 1) {
    throw pyb::value_error(std::string(name) + ": expected shape (sections, 6), sections >= 1");
  }
  auto view = pyb::reinterpret_borrow<pyb::array_t<float>>(arr).unchecked<2>();
  std::vector<float> out;
  for (pyb::ssize_t r = 0; r < view.shape(0); ++r) {
    for (pyb::ssize_t c = 0; c < view.shape(1); ++c) out.push_back(view(r, c));
  }
  return out;
}

pyb::array_t<float> sos_array(Span<const float> sos) {
  const auto rows = static_cast<pyb::ssize_t>(sos.size() / dsp::kSosRowLen);
  pyb::array_t<float> out({rows, static_cast<pyb::ssize_t>(dsp::kSosRowLen)});
  for (std::size_t i = 0; i < sos.size(); ++i) out.mutable_data()[i] = sos[i];
  return out;
}

// Owns the sos copy and the state the C++ filter points into; held by
// pybind11 through a unique_ptr, never moved.
class PyWeighting {
 public:
  PyWeighting(const std::string& kind, float fs, const pyb::object& sos) {
    if (!sos.is_none()) {
      sos_ = copy_sos(sos, "Weighting: sos");
      check(w_.init(Span<const float>(sos_.data(), sos_.size()), Span<float>(state_)),
            "Weighting");
    } else {
      check_builtin(w_.init(parse_kind(kind), fs, Span<float>(state_)), kind, fs, "Weighting");
    }
  }
  PyWeighting(const PyWeighting&) = delete;
  PyWeighting& operator=(const PyWeighting&) = delete;

  pyb::array_t<float> process(const pyb::handle& x) {
    auto in = require_1d<float>(x, "Weighting.process: x");
    pyb::array_t<float> out(in.size());
    w_.process(cspan(in), mspan(out));
    return out;
  }
  void reset() { w_.reset(); }
  pyb::array_t<float> sos() const { return sos_array(w_.sos()); }
  std::size_t sections() const { return w_.sections(); }

 private:
  dsp::Weighting w_;
  std::vector<float> sos_;
  std::array<float, dsp::Weighting::kMaxStateLen> state_{};
};

class PySoundLevelMeter {
 public:
  PySoundLevelMeter(float fs, const std::string& weighting, float tau, float calibration_db,
                    float histogram_min_db, float histogram_bin_db, long histogram_bins,
                    float histogram_interval_s, const pyb::object& sos) {
    if (histogram_bins < 2 || histogram_bins > 10000000) {
      throw pyb::value_error("SoundLevelMeter: histogram_bins must be in [2, 10000000]");
    }
    dsp::SoundLevelConfig cfg;
    cfg.sample_rate = fs;
    cfg.weighting = parse_kind(weighting);
    cfg.time_constant_s = tau;
    cfg.calibration_db = calibration_db;
    cfg.histogram_min_db = histogram_min_db;
    cfg.histogram_bin_db = histogram_bin_db;
    cfg.histogram_interval_s = histogram_interval_s;
    if (!sos.is_none()) {
      sos_ = copy_sos(sos, "SoundLevelMeter: sos");
      cfg.sos = Span<const float>(sos_.data(), sos_.size());
    }
    hist_.assign(static_cast<std::size_t>(histogram_bins), 0u);
    state_.assign(dsp::Weighting::kMaxStateLen, 0.0f);
    check_builtin(m_.init(cfg, Span<float>(state_.data(), state_.size()),
                          Span<std::uint32_t>(hist_.data(), hist_.size())),
                  weighting, fs, "SoundLevelMeter");
  }
  PySoundLevelMeter(const PySoundLevelMeter&) = delete;
  PySoundLevelMeter& operator=(const PySoundLevelMeter&) = delete;

  void process(const pyb::handle& x) {
    auto in = require_1d<float>(x, "SoundLevelMeter.process: x");
    m_.process(cspan(in));
  }
  dsp::SoundLevelMeter& meter() { return m_; }
  const dsp::SoundLevelMeter& meter() const { return m_; }
  pyb::array_t<std::uint32_t> histogram() const {
    pyb::array_t<std::uint32_t> out(static_cast<pyb::ssize_t>(hist_.size()));
    std::copy(hist_.begin(), hist_.end(), out.mutable_data());
    return out;
  }

 private:
  dsp::SoundLevelMeter m_;
  std::vector<float> sos_;
  std::vector<float> state_;
  std::vector<std::uint32_t> hist_;
};

void bind(pyb::module_& m) {
  m.attr("TIME_WEIGHTING_FAST") = static_cast<double>(dsp::kTimeWeightingFast);
  m.attr("TIME_WEIGHTING_SLOW") = static_cast<double>(dsp::kTimeWeightingSlow);

  m.def(
      "builtin_weighting_sos",
      [](const std::string& kind, float fs) {
        const WeightingType t = parse_kind(kind);
        if (t == WeightingType::kZ) throw pyb::value_error("builtin_weighting_sos: Z has no sos");
        const Span<const float> sos = dsp::builtin_weighting_sos(t, fs);
        if (sos.empty()) check_builtin(Status::kNotSupported, kind, fs, "builtin_weighting_sos");
        return sos_array(sos);
      },
      pyb::arg("kind"), pyb::arg("fs"),
      "The float32 sos (sections, 6) built into the library for 'A' or 'C' at fs Hz\n"
      "(16000, 22050, 32000, 44100, 48000, 96000); ValueError for other rates.");

  pyb::class_<PyWeighting>(m, "Weighting",
                           "IEC 61672-1 A/C (or flat Z) weighting filter, float32, streaming.\n"
                           "Weighting(kind, fs) uses the built-in coefficients;\n"
                           "Weighting(sos=...) takes a float32 (sections, 6) array from\n"
                           "tinysense.design.")
      .def(pyb::init<const std::string&, float, const pyb::object&>(), pyb::arg("kind") = "A",
           pyb::arg("fs") = 48000.0f, pyb::arg("sos") = pyb::none())
      .def("process", &PyWeighting::process, pyb::arg("x"),
           "Filters a 1-D float32 array (state carries over calls); returns float32.")
      .def("reset", &PyWeighting::reset, "Zeroes the filter state.")
      .def_property_readonly("sos", &PyWeighting::sos, "Coefficients in use, (sections, 6).")
      .def_property_readonly("sections", &PyWeighting::sections);

  using M = PySoundLevelMeter;
  pyb::class_<M>(m, "SoundLevelMeter",
                 "Sound level meter: weighting, Fast/Slow time weighting, Leq, Lmax, Lmin,\n"
                 "Ln from a histogram. 0 dBFS = mean square 1.0 (a full-scale sine reads\n"
                 "-3.01 dBFS); readings are dBFS + calibration_db. NaN = no data in the\n"
                 "interval, -inf = silence. See tinysense/dsp/sound_level.hpp.")
      .def(pyb::init<float, const std::string&, float, float, float, float, long, float,
                     const pyb::object&>(),
           pyb::arg("fs") = 48000.0f, pyb::arg("weighting") = "A",
           pyb::arg("tau") = dsp::kTimeWeightingFast, pyb::arg("calibration_db") = 0.0f,
           pyb::arg("histogram_min_db") = -100.0f, pyb::arg("histogram_bin_db") = 0.1f,
           pyb::arg("histogram_bins") = 1200, pyb::arg("histogram_interval_s") = 0.01f,
           pyb::arg("sos") = pyb::none())
      .def("process", &M::process, pyb::arg("x"), "Feeds a 1-D float32 array (full scale +-1).")
      .def("reset", [](M& s) { s.meter().reset(); }, "Restarts filter, time weighting, interval.")
      .def("reset_interval", [](M& s) { s.meter().reset_interval(); },
           "Starts a new Leq/Lmax/Lmin/Ln interval.")
      .def("level_db", [](const M& s) { return s.meter().level_db(); },
           "Current time-weighted level, dB.")
      .def("leq_db", [](const M& s) { return s.meter().leq_db(); })
      .def("lmax_db", [](const M& s) { return s.meter().lmax_db(); })
      .def("lmin_db", [](const M& s) { return s.meter().lmin_db(); })
      .def("percentile_db", [](const M& s, float p) { return s.meter().percentile_db(p); },
           pyb::arg("percent"), "Ln: level exceeded percent % of the time (bin centre).")
      .def("l10_db", [](const M& s) { return s.meter().l10_db(); })
      .def("l50_db", [](const M& s) { return s.meter().l50_db(); })
      .def("l90_db", [](const M& s) { return s.meter().l90_db(); })
      .def_property_readonly("interval_samples",
                             [](const M& s) { return s.meter().interval_samples(); })
      .def_property_readonly("histogram_samples",
                             [](const M& s) { return s.meter().histogram_samples(); })
      .def_property_readonly("histogram_period",
                             [](const M& s) { return s.meter().histogram_period(); })
      .def_property_readonly("alpha", [](const M& s) { return s.meter().alpha(); })
      .def_property_readonly("histogram", &M::histogram, "Copy of the bin counts (uint32).");
}

const Binder registered("weighting", bind);

}  // namespace
}  // namespace tinysense::py
