// Python: tinysense.Forest(model_bytes) runs a trees model file through the
// C++ runner (tinysense/ml/trees.hpp); used by convert_trees.TreesModel.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/ml/trees.hpp"

namespace tinysense::py {
namespace {

ml::Voting parse_voting(const std::string& v) {
  if (v == "soft") return ml::Voting::kSoft;
  if (v == "hard") return ml::Voting::kHard;
  throw pyb::value_error("voting must be 'soft' or 'hard'");
}

// Owns an aligned copy of the model file and the accumulators.
class PyForest {
 public:
  explicit PyForest(const pyb::bytes& model) {
    std::string data = model;
    buf_.resize((data.size() + 3) / 4);
    if (!data.empty()) std::memcpy(buf_.data(), data.data(), data.size());
    const Span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(buf_.data()),
                                         data.size());
    // The header's n_outputs bounds the scratch; read it only if present.
    std::size_t outputs = 1;
    if (data.size() >= ml::kModelHeaderSize) outputs = ml::read_u32(bytes.data() + 24);
    scratch_.resize(outputs > ml::kTreesMaxOutputs ? 1 : (outputs == 0 ? 1 : outputs));
    check(forest_.load(bytes, Span<ml::Forest::Accumulator>(scratch_.data(), scratch_.size())),
          "Forest");
  }

  pyb::array_t<std::int32_t> predict(const pyb::handle& x, const std::string& voting) {
    const ml::Voting v = parse_voting(voting);
    return rows<std::int32_t>(x, 1, [&](auto row, std::int32_t* out) {
      return forest_.predict(row, out, v);
    }, true);
  }

  pyb::array_t<float> predict_proba(const pyb::handle& x, const std::string& voting) {
    const ml::Voting v = parse_voting(voting);
    return rows<float>(x, forest_.n_outputs(), [&](auto row, float* out) {
      return forest_.predict_proba(row, Span<float>(out, forest_.n_outputs()), v);
    });
  }

  pyb::array_t<float> regress(const pyb::handle& x) {
    return rows<float>(x, forest_.n_outputs(), [&](auto row, float* out) {
      return forest_.regress(row, Span<float>(out, forest_.n_outputs()));
    });
  }

  pyb::array_t<std::uint32_t> apply(const pyb::handle& x) {
    return rows<std::uint32_t>(x, forest_.n_trees(), [&](auto row, std::uint32_t* out) {
      for (std::uint32_t t = 0; t < forest_.n_trees(); ++t) {
        const Status s = forest_.leaf_index(row, t, out + t);
        if (s != Status::kOk) return s;
      }
      return Status::kOk;
    });
  }

  const ml::Forest& forest() const { return forest_; }

 private:
  // Runs fn(row span, output pointer) for each row of x (float32 or int16,
  // whichever the model takes); out has `cols` values per row.
  template <class Out, class Fn>
  pyb::array_t<Out> rows(const pyb::handle& x, std::size_t cols, Fn fn, bool flat = false) {
    const std::size_t nf = forest_.n_features();
    if (forest_.input_dtype() == ml::ModelDtype::kInt16) {
      return run<std::int16_t, Out>(require_2d<std::int16_t>(x, "X", nf), cols, fn, flat);
    }
    return run<float, Out>(require_2d<float>(x, "X", nf), cols, fn, flat);
  }

  template <class In, class Out, class Fn>
  pyb::array_t<Out> run(const pyb::array_t<In>& x, std::size_t cols, Fn fn, bool flat) {
    const auto n = static_cast<std::size_t>(x.shape(0));
    const std::size_t nf = forest_.n_features();
    pyb::array_t<Out> out = flat ? pyb::array_t<Out>(static_cast<pyb::ssize_t>(n))
                                 : pyb::array_t<Out>({static_cast<pyb::ssize_t>(n),
                                                      static_cast<pyb::ssize_t>(cols)});
    Out* o = out.mutable_data();
    const In* in = x.data();
    for (std::size_t i = 0; i < n; ++i) {
      check(fn(Span<const In>(in + i * nf, nf), o + i * cols), "Forest");
    }
    return out;
  }

  std::vector<std::uint32_t> buf_;
  std::vector<ml::Forest::Accumulator> scratch_;
  ml::Forest forest_;
};

const char* leaf_name(ml::TreeLeaf l) {
  switch (l) {
    case ml::TreeLeaf::kU16: return "u16";
    case ml::TreeLeaf::kF32: return "f32";
    case ml::TreeLeaf::kF64: return "f64";
  }
  return "?";
}

void bind(pyb::module_& m) {
  pyb::class_<PyForest>(m, "Forest",
                        "A trees model file (bytes) loaded by the C++ runner; "
                        "X is a 2-D array of the model's input dtype (float32 or int16).")
      .def(pyb::init<const pyb::bytes&>(), pyb::arg("model"))
      .def("predict", &PyForest::predict, pyb::arg("X"), pyb::arg("voting") = "soft",
           "Class index (into sklearn's classes_) per row, int32.")
      .def("predict_proba", &PyForest::predict_proba, pyb::arg("X"), pyb::arg("voting") = "soft",
           "Class probabilities (n, n_classes), float32.")
      .def("regress", &PyForest::regress, pyb::arg("X"), "Regression outputs (n, n_outputs), float32.")
      .def("apply", &PyForest::apply, pyb::arg("X"), "Leaf index per row and tree, uint32.")
      .def_property_readonly("n_features", [](const PyForest& f) { return f.forest().n_features(); })
      .def_property_readonly("n_outputs", [](const PyForest& f) { return f.forest().n_outputs(); })
      .def_property_readonly("n_trees", [](const PyForest& f) { return f.forest().n_trees(); })
      .def_property_readonly("n_nodes", [](const PyForest& f) { return f.forest().n_nodes(); })
      .def_property_readonly("n_leaves", [](const PyForest& f) { return f.forest().n_leaves(); })
      .def_property_readonly("child_bytes", [](const PyForest& f) { return f.forest().child_bytes(); })
      .def_property_readonly("is_classifier",
                             [](const PyForest& f) { return f.forest().is_classifier(); })
      .def_property_readonly("input_dtype",
                             [](const PyForest& f) {
                               return f.forest().input_dtype() == ml::ModelDtype::kInt16 ? "int16"
                                                                                        : "float32";
                             })
      .def_property_readonly("leaf_type",
                             [](const PyForest& f) { return leaf_name(f.forest().leaf_type()); });
}

const Binder registered("trees", bind);

}  // namespace
}  // namespace tinysense::py
