// Python: tinysense.Cnn(model_bytes) runs a CNN model file (.tsm) through the
// C++ runner (tinysense/nn/cnn.hpp). run(x) takes one input (int8 for int8
// models, float32 for float models; any shape with the input's element
// count), run_batch(X) a 2-D array (n, input elements).
#include <cstring>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/nn/cnn.hpp"

namespace tinysense::py {
namespace {

pyb::dtype dtype_of(ml::ModelDtype d) {
  return d == ml::ModelDtype::kFloat32 ? pyb::dtype::of<float>() : pyb::dtype::of<std::int8_t>();
}

// Exact dtype (TypeError), C-contiguous, `ndim` dims if > 0, and the size.
pyb::array require_array(const pyb::handle& obj, const pyb::dtype& dt, const char* name, int ndim,
                         std::size_t row_len) {
  if (!pyb::isinstance<pyb::array>(obj)) {
    throw pyb::type_error(std::string(name) + ": expected a numpy array of dtype " +
                          std::string(pyb::str(static_cast<pyb::handle>(dt))));
  }
  auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!arr.dtype().is(dt)) {
    throw pyb::type_error(std::string(name) + ": expected dtype " + std::string(pyb::str(static_cast<pyb::handle>(dt))) +
                          ", got " + std::string(pyb::str(arr.dtype())));
  }
  if (!(arr.flags() & pyb::array::c_style)) {
    throw pyb::value_error(std::string(name) + ": array must be C-contiguous");
  }
  if (ndim == 2) {
    if (arr.ndim() != 2 || static_cast<std::size_t>(arr.shape(1)) != row_len) {
      throw pyb::value_error(std::string(name) + ": expected shape (n, " + std::to_string(row_len) +
                             ")");
    }
  } else if (static_cast<std::size_t>(arr.size()) != row_len) {
    throw pyb::value_error(std::string(name) + ": expected " + std::to_string(row_len) +
                           " elements, got " + std::to_string(arr.size()));
  }
  return arr;
}

class PyCnn {
 public:
  explicit PyCnn(const pyb::bytes& model) {
    const std::string data = model;
    model_.resize((data.size() + 3) / 4 + 1);
    if (!data.empty()) std::memcpy(model_.data(), data.data(), data.size());
    check(cnn_.load(Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(model_.data()),
                                              data.size())),
          "Cnn");
    arena_.assign((cnn_.arena_bytes() + 3) / 4, 0);
  }
  PyCnn(const PyCnn&) = delete;  // cnn_ points into model_
  PyCnn& operator=(const PyCnn&) = delete;

  pyb::array run(const pyb::handle& x) {
    auto in = require_array(x, dtype_of(cnn_.input().dtype), "x", 0, cnn_.input().size());
    pyb::array out(dtype_of(cnn_.output().dtype),
                   std::vector<pyb::ssize_t>{static_cast<pyb::ssize_t>(cnn_.output().size())});
    run_one(in.data(), out.mutable_data());
    return out;
  }

  pyb::array run_batch(const pyb::handle& x) {
    const std::size_t n_in = cnn_.input().size(), n_out = cnn_.output().size();
    auto in = require_array(x, dtype_of(cnn_.input().dtype), "X", 2, n_in);
    const auto n = static_cast<std::size_t>(in.shape(0));
    pyb::array out(dtype_of(cnn_.output().dtype),
                   std::vector<pyb::ssize_t>{static_cast<pyb::ssize_t>(n),
                                             static_cast<pyb::ssize_t>(n_out)});
    const std::size_t in_bytes = cnn_.input().bytes(), out_bytes = cnn_.output().bytes();
    const auto* src = static_cast<const std::uint8_t*>(in.data());
    auto* dst = static_cast<std::uint8_t*>(out.mutable_data());
    {
      pyb::gil_scoped_release release;
      for (std::size_t i = 0; i < n; ++i) run_one(src + i * in_bytes, dst + i * out_bytes);
    }
    return out;
  }

  pyb::dict tensor(std::size_t i) const {
    if (i > cnn_.num_ops()) throw pyb::index_error("Cnn.tensor: index out of range");
    const nn::TensorInfo t = cnn_.tensor(i);
    pyb::dict d;
    d["shape"] = pyb::make_tuple(t.shape.h, t.shape.w, t.shape.c);
    d["dtype"] = dtype_of(t.dtype);
    d["offset"] = t.offset;
    d["scale"] = t.scale;
    d["zero_point"] = t.zero_point;
    return d;
  }

  const nn::Cnn& cnn() const { return cnn_; }

 private:
  void run_one(const void* in, void* out) {
    Span<std::uint8_t> arena(reinterpret_cast<std::uint8_t*>(arena_.data()), cnn_.arena_bytes());
    std::memcpy(arena.data() + cnn_.input().offset, in, cnn_.input().bytes());
    const Status s = cnn_.invoke(arena);
    if (s != Status::kOk) {
      pyb::gil_scoped_acquire acquire;
      check(s, "Cnn.run");
    }
    std::memcpy(out, arena.data() + cnn_.output().offset, cnn_.output().bytes());
  }

  std::vector<std::uint32_t> model_;
  std::vector<std::uint32_t> arena_;
  nn::Cnn cnn_;
};

pyb::tuple shape_of(const nn::TensorInfo& t) { return pyb::make_tuple(t.shape.h, t.shape.w, t.shape.c); }

void bind(pyb::module_& m) {
  pyb::class_<PyCnn>(m, "Cnn",
                     "A CNN model file (bytes, .tsm) validated and run by the C++ runner; "
                     "int8 models take int8 input, float models float32.")
      .def(pyb::init<const pyb::bytes&>(), pyb::arg("model"))
      .def("run", &PyCnn::run, pyb::arg("x"),
           "One inference; x has the input's element count (NHWC order); returns a 1-D array.")
      .def("run_batch", &PyCnn::run_batch, pyb::arg("X"),
           "Inference per row of a 2-D array (n, input elements); returns (n, outputs).")
      .def("tensor", &PyCnn::tensor, pyb::arg("i"),
           "Tensor i (0 = input, num_ops = output): shape, dtype, arena offset, scale, zero_point.")
      .def_property_readonly("arena_bytes", [](const PyCnn& c) { return c.cnn().arena_bytes(); })
      .def_property_readonly("is_float", [](const PyCnn& c) { return c.cnn().is_float(); })
      .def_property_readonly("num_ops", [](const PyCnn& c) { return c.cnn().num_ops(); })
      .def_property_readonly("input_shape", [](const PyCnn& c) { return shape_of(c.cnn().input()); })
      .def_property_readonly("output_shape", [](const PyCnn& c) { return shape_of(c.cnn().output()); })
      .def_property_readonly("input_scale", [](const PyCnn& c) { return c.cnn().input().scale; })
      .def_property_readonly("input_zero_point",
                             [](const PyCnn& c) { return c.cnn().input().zero_point; })
      .def_property_readonly("output_scale", [](const PyCnn& c) { return c.cnn().output().scale; })
      .def_property_readonly("output_zero_point",
                             [](const PyCnn& c) { return c.cnn().output().zero_point; });
}

const Binder registered("cnn", bind);

}  // namespace
}  // namespace tinysense::py
