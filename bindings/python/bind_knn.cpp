// Python: tinysense.Knn(model_bytes, capacity=0) runs a k-NN model file through
// the C++ runner (tinysense/ml/knn.hpp), with on-device style add();
// Knn.empty(n_features, n_classes, k, capacity) starts without a file.
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "tinysense/ml/knn.hpp"

namespace tinysense::py {
namespace {

pyb::array_t<std::int16_t> require_rows(const pyb::handle& obj, std::size_t cols) {
  if (!pyb::isinstance<pyb::array>(obj)) throw pyb::type_error("X: expected a numpy array of dtype int16");
  auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!arr.dtype().is(pyb::dtype::of<std::int16_t>())) {
    throw pyb::type_error("X: expected dtype int16, got " + std::string(pyb::str(arr.dtype())));
  }
  if (arr.ndim() != 2 || static_cast<std::size_t>(arr.shape(1)) != cols) {
    throw pyb::value_error("X: expected shape (n, " + std::to_string(cols) + ")");
  }
  if (!(arr.flags() & pyb::array::c_style)) throw pyb::value_error("X: array must be C-contiguous");
  return pyb::reinterpret_borrow<pyb::array_t<std::int16_t>>(arr);
}

class PyKnn {
 public:
  // From a model file.
  PyKnn(const pyb::bytes& model, std::size_t capacity, std::size_t max_k) {
    std::string data = model;
    buf_.resize((data.size() + 3) / 4);
    if (!data.empty()) std::memcpy(buf_.data(), data.data(), data.size());
    std::size_t nf = 0, k = 1;
    if (data.size() >= ml::kModelHeaderSize + ml::kKnnPayloadHeader) {
      const auto* b = reinterpret_cast<const std::uint8_t*>(buf_.data());
      nf = ml::read_u32(b + 20);
      k = ml::read_u16(b + ml::kModelHeaderSize + 4);
    }
    if (nf == 0 || nf > ml::kKnnMaxFeatures) capacity = 0;  // load() reports the bad header
    allocate(capacity, nf, max_k > k ? max_k : k);
    check(knn_.load(Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(buf_.data()),
                                             data.size()),
                    storage(), labels(), scratch()),
          "Knn");
  }
  // Empty, for on-device learning.
  PyKnn(std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k, std::size_t capacity,
        std::size_t max_k) {
    if (n_features == 0 || n_features > ml::kKnnMaxFeatures) throw pyb::value_error("Knn: bad n_features");
    allocate(capacity, n_features, max_k > k ? max_k : k);
    check(knn_.init(n_features, n_classes, k, storage(), labels(), scratch()), "Knn");
  }

  void add(const pyb::handle& x, int label) {
    auto a = require_1d<std::int16_t>(x, "x", knn_.n_features());
    if (label < 0 || label > 0xFFFF) throw pyb::value_error("Knn.add: label out of range");
    check(knn_.add(cspan(a), static_cast<std::uint16_t>(label)), "Knn.add");
  }

  pyb::array_t<std::int32_t> predict(const pyb::handle& x) {
    const auto a = require_rows(x, knn_.n_features());
    const auto n = static_cast<std::size_t>(a.shape(0));
    pyb::array_t<std::int32_t> out(static_cast<pyb::ssize_t>(n));
    for (std::size_t i = 0; i < n; ++i) check(knn_.predict(row(a, i), out.mutable_data() + i), "Knn.predict");
    return out;
  }

  pyb::array_t<float> predict_proba(const pyb::handle& x) {
    const auto a = require_rows(x, knn_.n_features());
    const auto n = static_cast<std::size_t>(a.shape(0));
    const std::size_t c = knn_.n_classes();
    pyb::array_t<float> out({static_cast<pyb::ssize_t>(n), static_cast<pyb::ssize_t>(c)});
    for (std::size_t i = 0; i < n; ++i) {
      check(knn_.predict_proba(row(a, i), Span<float>(out.mutable_data() + i * c, c)), "Knn.predict_proba");
    }
    return out;
  }

  std::pair<pyb::array_t<std::uint64_t>, pyb::array_t<std::uint32_t>> kneighbors(const pyb::handle& x) {
    const auto a = require_rows(x, knn_.n_features());
    const auto n = static_cast<std::size_t>(a.shape(0));
    const std::size_t k = knn_.size() < knn_.k() ? knn_.size() : knn_.k();
    pyb::array_t<std::uint64_t> dist({static_cast<pyb::ssize_t>(n), static_cast<pyb::ssize_t>(k)});
    pyb::array_t<std::uint32_t> index({static_cast<pyb::ssize_t>(n), static_cast<pyb::ssize_t>(k)});
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t count = 0;
      check(knn_.kneighbors(row(a, i), Span<std::uint32_t>(index.mutable_data() + i * k, k),
                            Span<std::uint64_t>(dist.mutable_data() + i * k, k), &count),
            "Knn.kneighbors");
    }
    return {dist, index};
  }

  void set_k(std::uint32_t k) { check(knn_.set_k(k), "Knn.set_k"); }
  const ml::Knn& knn() const { return knn_; }
  void clear_added() { knn_.clear_added(); }

 private:
  void allocate(std::size_t capacity, std::size_t nf, std::size_t max_k) {
    storage_.assign(capacity * nf, 0);
    labels_.assign(capacity, 0);
    scratch_.assign(max_k, ml::Knn::Neighbor{0, 0});
  }
  Span<std::int16_t> storage() { return {storage_.data(), storage_.size()}; }
  Span<std::uint16_t> labels() { return {labels_.data(), labels_.size()}; }
  Span<ml::Knn::Neighbor> scratch() { return {scratch_.data(), scratch_.size()}; }
  Span<const std::int16_t> row(const pyb::array_t<std::int16_t>& a, std::size_t i) const {
    const std::size_t nf = knn_.n_features();
    return {a.data() + i * nf, nf};
  }

  std::vector<std::uint32_t> buf_;
  std::vector<std::int16_t> storage_;
  std::vector<std::uint16_t> labels_;
  std::vector<ml::Knn::Neighbor> scratch_;
  ml::Knn knn_;
};

void bind(pyb::module_& m) {
  pyb::class_<PyKnn>(m, "Knn",
                     "A k-NN model file (bytes) loaded by the C++ runner, with room for `capacity` "
                     "items added at run time; X is a 2-D int16 array.")
      .def(pyb::init<const pyb::bytes&, std::size_t, std::size_t>(), pyb::arg("model"),
           pyb::arg("capacity") = 0, pyb::arg("max_k") = 0)
      .def_static(
          "empty",
          [](std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k, std::size_t capacity) {
            return new PyKnn(n_features, n_classes, k, capacity, k);
          },
          pyb::arg("n_features"), pyb::arg("n_classes"), pyb::arg("k"), pyb::arg("capacity"),
          "An empty classifier for on-device learning.")
      .def("add", &PyKnn::add, pyb::arg("x"), pyb::arg("label"), "Adds one labelled int16 item.")
      .def("clear_added", &PyKnn::clear_added)
      .def("set_k", &PyKnn::set_k, pyb::arg("k"))
      .def("predict", &PyKnn::predict, pyb::arg("X"), "Class index per row, int32.")
      .def("predict_proba", &PyKnn::predict_proba, pyb::arg("X"), "Neighbour fraction per class, float32.")
      .def("kneighbors", &PyKnn::kneighbors, pyb::arg("X"),
           "(squared distances uint64, item indices uint32), nearest first.")
      .def_property_readonly("size", [](const PyKnn& k) { return k.knn().size(); })
      .def_property_readonly("capacity", [](const PyKnn& k) { return k.knn().capacity(); })
      .def_property_readonly("k", [](const PyKnn& k) { return k.knn().k(); })
      .def_property_readonly("n_features", [](const PyKnn& k) { return k.knn().n_features(); })
      .def_property_readonly("n_classes", [](const PyKnn& k) { return k.knn().n_classes(); });
}

const Binder registered("knn", bind);

}  // namespace
}  // namespace tinysense::py
