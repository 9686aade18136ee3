// Python: mel filterbank and log-mel frontend (tinysense/dsp/mel.hpp), librosa names.
//
//   tinysense.hz_to_mel(hz, htk=False), mel_to_hz(mel, htk=False)
//   tinysense.mel_frequencies(n_mels=128, fmin=0.0, fmax=11025.0, htk=False) -> float64
//   tinysense.mel_filterbank(sr, n_fft, n_mels=128, fmin=0.0, fmax=None, htk=False,
//                            norm="slaney") -> float32 (n_mels, n_fft // 2 + 1), as
//                            librosa.filters.mel
//   tinysense.MelFilterbank(...same...).apply(power) -> float32 mel energies
//   tinysense.power_to_db(S, ref=1.0, amin=1e-10)   -> librosa.power_to_db(top_db=None)
//   tinysense.LogMelFrontend(sr, n_fft, n_mels=40, fmin=0.0, fmax=None, htk=False,
//                            norm="slaney", window="hann", log="db", floor=1e-10, ref=1.0)
//       .process(frame) -> (n_mels,), .process_frames(x, hop) -> (n_frames, n_mels)
// Bad parameters -> ValueError (through the library's Status); wrong dtype -> TypeError.
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/mel.hpp"
#include "tinysense/dsp/window.hpp"

namespace tinysense::py {
namespace {

using dsp::MelConfig;

MelConfig make_config(double sr, long n_fft, long n_mels, double fmin, const pyb::object& fmax,
                      bool htk, const pyb::object& norm) {
  if (n_fft <= 0 || n_mels <= 0) throw pyb::value_error("n_fft and n_mels must be positive");
  MelConfig cfg;
  cfg.sample_rate = static_cast<float>(sr);
  cfg.n_fft = static_cast<std::size_t>(n_fft);
  cfg.n_mels = static_cast<std::size_t>(n_mels);
  cfg.fmin = static_cast<float>(fmin);
  cfg.fmax = fmax.is_none() ? 0.0f : fmax.cast<float>();
  if (!fmax.is_none() && cfg.fmax == 0.0f) throw pyb::value_error("fmax must be > 0 or None");
  cfg.scale = htk ? dsp::MelScale::kHtk : dsp::MelScale::kSlaney;
  if (norm.is_none()) {
    cfg.norm = dsp::MelNorm::kNone;
  } else if (pyb::isinstance<pyb::str>(norm) && norm.cast<std::string>() == "slaney") {
    cfg.norm = dsp::MelNorm::kSlaney;
  } else {
    throw pyb::value_error("norm must be 'slaney' or None");
  }
  return cfg;
}

// Filterbank with its own storage (bindings may use the heap; the library never does).
class PyMelFilterbank {
 public:
  explicit PyMelFilterbank(const MelConfig& cfg) {
    std::size_t len = 0;
    check(dsp::MelFilterbank::weights_len(cfg, &len), "MelFilterbank");
    bands_.resize(cfg.n_mels);
    weights_.resize(len > 0 ? len : 1);
    check(fb_.init(cfg, Span<dsp::MelBand>(bands_.data(), bands_.size()),
                   Span<float>(weights_.data(), weights_.size())),
          "MelFilterbank");
  }
  PyMelFilterbank(const PyMelFilterbank&) = delete;
  PyMelFilterbank& operator=(const PyMelFilterbank&) = delete;

  const dsp::MelFilterbank& fb() const { return fb_; }

  pyb::array_t<float> dense() const {
    const auto n_mels = static_cast<pyb::ssize_t>(fb_.n_mels());
    const auto n_bins = static_cast<pyb::ssize_t>(fb_.n_bins());
    pyb::array_t<float> out({n_mels, n_bins});
    for (std::size_t m = 0; m < fb_.n_mels(); ++m) {
      fb_.dense_row(m, Span<float>(out.mutable_data(static_cast<pyb::ssize_t>(m), 0), fb_.n_bins()));
    }
    return out;
  }

  // power: (n_bins,) or (frames, n_bins) float32.
  pyb::array_t<float> apply(const pyb::handle& power) const {
    if (!pyb::isinstance<pyb::array>(power)) throw pyb::type_error("apply: expected a float32 array");
    auto arr = pyb::reinterpret_borrow<pyb::array>(power);
    if (!arr.dtype().is(pyb::dtype::of<float>())) {
      throw pyb::type_error("apply: expected dtype float32, got " + std::string(pyb::str(arr.dtype())));
    }
    if (!(arr.flags() & pyb::array::c_style)) throw pyb::value_error("apply: array must be C-contiguous");
    const std::size_t bins = fb_.n_bins(), nm = fb_.n_mels();
    if (arr.ndim() == 1) {
      auto p = require_1d<float>(power, "apply", bins);
      pyb::array_t<float> out(static_cast<pyb::ssize_t>(nm));
      fb_.apply(cspan(p), mspan(out));
      return out;
    }
    if (arr.ndim() != 2 || static_cast<std::size_t>(arr.shape(1)) != bins) {
      throw pyb::value_error("apply: expected shape (n_bins,) or (frames, n_bins) with n_bins = " +
                             std::to_string(bins));
    }
    const auto p = pyb::reinterpret_borrow<pyb::array_t<float>>(arr);
    const pyb::ssize_t frames = arr.shape(0);
    pyb::array_t<float> out({frames, static_cast<pyb::ssize_t>(nm)});
    for (pyb::ssize_t t = 0; t < frames; ++t) {
      fb_.apply(Span<const float>(p.data(t, 0), bins), Span<float>(out.mutable_data(t, 0), nm));
    }
    return out;
  }

  pyb::tuple band_layout() const {
    pyb::array_t<std::int32_t> first(static_cast<pyb::ssize_t>(fb_.n_mels()));
    pyb::array_t<std::int32_t> count(static_cast<pyb::ssize_t>(fb_.n_mels()));
    for (std::size_t m = 0; m < fb_.n_mels(); ++m) {
      first.mutable_at(static_cast<pyb::ssize_t>(m)) = fb_.bands()[m].first_bin;
      count.mutable_at(static_cast<pyb::ssize_t>(m)) = fb_.bands()[m].num_weights;
    }
    return pyb::make_tuple(first, count);
  }

 private:
  std::vector<dsp::MelBand> bands_;
  std::vector<float> weights_;
  dsp::MelFilterbank fb_;
};

dsp::WindowType parse_window(const std::string& name) {
  if (name == "hann") return dsp::WindowType::kHann;
  if (name == "hamming") return dsp::WindowType::kHamming;
  if (name == "boxcar" || name == "rectangular") return dsp::WindowType::kRectangular;
  throw pyb::value_error("unknown window '" + name + "' (expected hann, hamming or boxcar)");
}

class PyLogMelFrontend {
 public:
  PyLogMelFrontend(const MelConfig& cfg, const std::string& window, const std::string& log,
                   float floor, float ref)
      : fb_(cfg) {
    twiddles_.resize(dsp::Rfft::twiddle_len(cfg.n_fft));
    check(fft_.init(cfg.n_fft, Span<dsp::Complex32>(twiddles_.data(), twiddles_.size())),
          "LogMelFrontend");
    window_.resize(cfg.n_fft);
    check(dsp::make_window(parse_window(window), dsp::WindowSymmetry::kPeriodic,
                           Span<float>(window_.data(), window_.size())),
          "LogMelFrontend");
    dsp::LogConfig lc;
    if (log == "db") {
      lc.type = dsp::LogType::kDecibel;
    } else if (log == "ln" || log == "log") {
      lc.type = dsp::LogType::kNatural;
    } else {
      throw pyb::value_error("log must be 'db' or 'ln'");
    }
    lc.floor = floor;
    lc.ref = ref;
    scratch_.resize(dsp::LogMelFrontend::scratch_floats(cfg.n_fft));
    spectrum_.resize(dsp::LogMelFrontend::scratch_bins(cfg.n_fft));
    check(fe_.init(fft_, Span<const float>(window_.data(), window_.size()), fb_.fb(), lc,
                   Span<float>(scratch_.data(), scratch_.size()),
                   Span<dsp::Complex32>(spectrum_.data(), spectrum_.size())),
          "LogMelFrontend");
  }
  PyLogMelFrontend(const PyLogMelFrontend&) = delete;
  PyLogMelFrontend& operator=(const PyLogMelFrontend&) = delete;

  pyb::array_t<float> process(const pyb::handle& frame) {
    auto x = require_1d<float>(frame, "process", fe_.n_fft());
    pyb::array_t<float> out(static_cast<pyb::ssize_t>(fe_.n_mels()));
    fe_.process(cspan(x), mspan(out));
    return out;
  }

  pyb::array_t<float> process_frames(const pyb::handle& signal, long hop) {
    auto x = require_1d<float>(signal, "process_frames");
    if (hop <= 0) throw pyb::value_error("process_frames: hop must be >= 1");
    const std::size_t frames = dsp::LogMelFrontend::num_frames(
        static_cast<std::size_t>(x.size()), fe_.n_fft(), static_cast<std::size_t>(hop));
    pyb::array_t<float> out(
        {static_cast<pyb::ssize_t>(frames), static_cast<pyb::ssize_t>(fe_.n_mels())});
    check(fe_.process_frames(cspan(x), static_cast<std::size_t>(hop),
                             Span<float>(out.mutable_data(), frames * fe_.n_mels())),
          "process_frames");
    return out;
  }

  const PyMelFilterbank& filterbank() const { return fb_; }
  std::size_t n_fft() const { return fe_.n_fft(); }
  std::size_t n_mels() const { return fe_.n_mels(); }

 private:
  PyMelFilterbank fb_;
  std::vector<dsp::Complex32> twiddles_;
  std::vector<float> window_;
  std::vector<float> scratch_;
  std::vector<dsp::Complex32> spectrum_;
  dsp::Rfft fft_;
  dsp::LogMelFrontend fe_;
};

void bind(pyb::module_& m) {
  m.def(
      "hz_to_mel",
      [](double hz, bool htk) { return dsp::hz_to_mel(hz, htk ? dsp::MelScale::kHtk : dsp::MelScale::kSlaney); },
      pyb::arg("hz"), pyb::arg("htk") = false, "librosa.hz_to_mel for one value.");
  m.def(
      "mel_to_hz",
      [](double mel, bool htk) { return dsp::mel_to_hz(mel, htk ? dsp::MelScale::kHtk : dsp::MelScale::kSlaney); },
      pyb::arg("mel"), pyb::arg("htk") = false, "librosa.mel_to_hz for one value.");
  m.def(
      "mel_frequencies",
      [](long n_mels, double fmin, double fmax, bool htk) {
        if (n_mels < 0) throw pyb::value_error("mel_frequencies: n_mels must be >= 0");
        pyb::array_t<double> out(n_mels);
        dsp::mel_frequencies(fmin, fmax, htk ? dsp::MelScale::kHtk : dsp::MelScale::kSlaney,
                             mspan(out));
        return out;
      },
      pyb::arg("n_mels") = 128, pyb::arg("fmin") = 0.0, pyb::arg("fmax") = 11025.0,
      pyb::arg("htk") = false, "librosa.mel_frequencies (float64).");
  m.def(
      "mel_filterbank",
      [](double sr, long n_fft, long n_mels, double fmin, const pyb::object& fmax, bool htk,
         const pyb::object& norm) {
        return PyMelFilterbank(make_config(sr, n_fft, n_mels, fmin, fmax, htk, norm)).dense();
      },
      pyb::arg("sr"), pyb::arg("n_fft"), pyb::arg("n_mels") = 128, pyb::arg("fmin") = 0.0,
      pyb::arg("fmax") = pyb::none(), pyb::arg("htk") = false, pyb::arg("norm") = "slaney",
      "Dense float32 weights (n_mels, n_fft // 2 + 1), as librosa.filters.mel.");
  m.def(
      "power_to_db",
      [](const pyb::handle& s, float ref, float amin) {
        if (!(amin > 0.0f)) throw pyb::value_error("power_to_db: amin must be > 0");
        auto x = require_1d<float>(s, "power_to_db");
        pyb::array_t<float> out(x.size());
        dsp::power_to_db(cspan(x), mspan(out), amin, ref);
        return out;
      },
      pyb::arg("S"), pyb::arg("ref") = 1.0f, pyb::arg("amin") = 1e-10f,
      "librosa.power_to_db(S, ref=ref, amin=amin, top_db=None) on a 1-D float32 array.");

  pyb::class_<PyMelFilterbank>(m, "MelFilterbank",
                               "Sparse librosa.filters.mel; apply(power) = W @ power.")
      .def(pyb::init([](double sr, long n_fft, long n_mels, double fmin, const pyb::object& fmax,
                        bool htk, const pyb::object& norm) {
             return std::make_unique<PyMelFilterbank>(
                 make_config(sr, n_fft, n_mels, fmin, fmax, htk, norm));
           }),
           pyb::arg("sr"), pyb::arg("n_fft"), pyb::arg("n_mels") = 128, pyb::arg("fmin") = 0.0,
           pyb::arg("fmax") = pyb::none(), pyb::arg("htk") = false, pyb::arg("norm") = "slaney")
      .def("apply", &PyMelFilterbank::apply, pyb::arg("power"),
           "Mel energies of a float32 power spectrum (n_bins,) or (frames, n_bins).")
      .def("dense", &PyMelFilterbank::dense, "Dense float32 weight matrix (n_mels, n_bins).")
      .def("bands", &PyMelFilterbank::band_layout, "(first_bin, num_weights) int32 arrays.")
      .def_property_readonly("n_mels", [](const PyMelFilterbank& f) { return f.fb().n_mels(); })
      .def_property_readonly("n_bins", [](const PyMelFilterbank& f) { return f.fb().n_bins(); })
      .def_property_readonly("num_weights",
                             [](const PyMelFilterbank& f) { return f.fb().num_weights(); });

  pyb::class_<PyLogMelFrontend>(m, "LogMelFrontend",
                                "window -> rfft -> |.|^2 -> mel -> log, one frame of n_fft samples.")
      .def(pyb::init([](double sr, long n_fft, long n_mels, double fmin, const pyb::object& fmax,
                        bool htk, const pyb::object& norm, const std::string& window,
                        const std::string& log, float floor, float ref) {
             return std::make_unique<PyLogMelFrontend>(
                 make_config(sr, n_fft, n_mels, fmin, fmax, htk, norm), window, log, floor, ref);
           }),
           pyb::arg("sr"), pyb::arg("n_fft"), pyb::arg("n_mels") = 40, pyb::arg("fmin") = 0.0,
           pyb::arg("fmax") = pyb::none(), pyb::arg("htk") = false, pyb::arg("norm") = "slaney",
           pyb::arg("window") = "hann", pyb::arg("log") = "db", pyb::arg("floor") = 1e-10f,
           pyb::arg("ref") = 1.0f)
      .def("process", &PyLogMelFrontend::process, pyb::arg("frame"),
           "Log-mel of one float32 frame of n_fft samples.")
      .def("process_frames", &PyLogMelFrontend::process_frames, pyb::arg("x"), pyb::arg("hop"),
           "Log-mel of frames x[t*hop : t*hop + n_fft] (center=False), (n_frames, n_mels).")
      .def("filterbank", [](const PyLogMelFrontend& f) { return f.filterbank().dense(); })
      .def_property_readonly("n_fft", &PyLogMelFrontend::n_fft)
      .def_property_readonly("n_mels", &PyLogMelFrontend::n_mels);
}

const Binder registered("mel", bind);

}  // namespace
}  // namespace tinysense::py
