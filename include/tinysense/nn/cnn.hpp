// CNN runner: loads a tinysense CNN model (ModelKind::kCnn) and runs it over
// a caller-provided arena.
//
// A model is a chain: tensor[i] -> op[i] -> tensor[i + 1], i = 0..n_ops-1.
// Ops: conv2d, depthwise conv2d, max / average / global-average pooling,
// dense, softmax, with ReLU / ReLU6 fused into conv, depthwise and dense.
// Either every tensor is int8 (TFLite's int8 scheme, see nn/kernels.hpp; a
// final softmax may output float32) or every tensor is float32 (the float
// reference of the same graph). Payload layout and rationale:
// docs/design/model-cnn.md; writer: python/tinysense/convert_cnn.py.
//
// RAM: every tensor lives at an offset inside one arena whose size the
// converter planned offline (reusing memory between tensors whose lifetimes
// do not overlap) and recorded in the container header (arena_bytes()). The
// caller provides the arena (4-byte aligned, at least arena_bytes() long);
// nothing is allocated and no other scratch is used. The model itself is used
// in place (zero-copy): keep its buffer alive and unchanged while the Cnn is used.
//
// load() validates everything (container, CRC, shapes chaining op to op,
// windows, tensor ranges inside the arena, in/out tensors of an op never
// overlapping, weight blobs inside the payload, quantisation parameters,
// int32 accumulator bounds); invoke() then trusts the model and only checks
// the arena.
#ifndef TINYSENSE_NN_CNN_HPP
#define TINYSENSE_NN_CNN_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/ml/model.hpp"
#include "tinysense/nn/kernels.hpp"

namespace tinysense::nn {

// Op codes and fused activations as stored in the model.
enum class OpType : std::uint8_t {
  kConv2d = 1,
  kDepthwiseConv2d = 2,
  kMaxPool = 3,
  kAvgPool = 4,
  kGlobalAvgPool = 5,
  kDense = 6,
  kSoftmax = 7,
};
enum class Activation : std::uint8_t { kNone = 0, kRelu = 1, kRelu6 = 2 };

// Limits enforced by load().
constexpr std::size_t kCnnMaxOps = 255;
constexpr std::uint32_t kCnnMaxArenaBytes = 0x7fffffffu;  // keeps every index inside int
constexpr std::size_t kCnnArenaAlign = 4;

// Sizes of the payload's fixed records (docs/design/model-cnn.md).
constexpr std::size_t kCnnHeaderBytes = 8;
constexpr std::size_t kCnnTensorBytes = 20;
constexpr std::size_t kCnnOpBytes = 24;

// One activation tensor: shape, dtype (kInt8 or kFloat32), byte offset in the
// arena, and for int8 its quantisation real = scale * (q - zero_point).
struct TensorInfo {
  Shape shape;
  ml::ModelDtype dtype;
  std::uint32_t offset;
  float scale;
  std::int32_t zero_point;
  std::size_t size() const noexcept { return static_cast<std::size_t>(shape.size()); }
  std::size_t bytes() const noexcept {
    return size() * (dtype == ml::ModelDtype::kFloat32 ? 4u : 1u);
  }
};

// A loaded CNN model. Cheap to copy (a few pointers); const after load().
class Cnn {
 public:
  // Validates `model` (a whole .tsm file, 4-byte aligned) and keeps a view of
  // it. Errors: kCorrupt (any inconsistency in the payload), plus those of
  // ml::parse_model (kCorrupt, kSizeMismatch, kNotSupported, kInvalidArgument).
  // On failure the Cnn is left unloaded.
  [[nodiscard]] Status load(Span<const std::uint8_t> model) noexcept;

  bool loaded() const noexcept { return payload_ != nullptr; }
  bool is_float() const noexcept { return float_; }
  // RAM the runner needs (bytes), from the model header; 0 when not loaded.
  std::size_t arena_bytes() const noexcept { return arena_bytes_; }
  std::size_t num_ops() const noexcept { return n_ops_; }
  // Tensor i in 0..num_ops() (0 = input, num_ops() = output); loaded models only.
  TensorInfo tensor(std::size_t i) const noexcept;
  TensorInfo input() const noexcept { return tensor(0); }
  TensorInfo output() const noexcept { return tensor(n_ops_); }
  OpType op_type(std::size_t i) const noexcept;

  // Views of the input / output tensor inside `arena`: fill the input in
  // place (e.g. straight from the camera pre-processing), invoke(), read the
  // output. Empty when not loaded, when the dtype differs, or when the arena
  // is smaller than arena_bytes() or not 4-byte aligned. invoke() overwrites
  // the input (its memory is reused by later tensors).
  Span<std::int8_t> input_s8(Span<std::uint8_t> arena) const noexcept;
  Span<float> input_f32(Span<std::uint8_t> arena) const noexcept;
  Span<const std::int8_t> output_s8(Span<const std::uint8_t> arena) const noexcept;
  Span<const float> output_f32(Span<const std::uint8_t> arena) const noexcept;

  // Runs every op on the input already in the arena. Errors: kNotInitialized
  // (not loaded), kNoMemory (arena shorter than arena_bytes()),
  // kInvalidArgument (arena not 4-byte aligned).
  [[nodiscard]] Status invoke(Span<std::uint8_t> arena) const noexcept;

  // Copy in, invoke, copy out. Sizes must equal the input / output tensor
  // sizes and dtypes must match the model (kSizeMismatch / kInvalidArgument).
  // `in` and `out` must not lie inside `arena`.
  [[nodiscard]] Status run(Span<const std::int8_t> in, Span<std::int8_t> out,
                           Span<std::uint8_t> arena) const noexcept;
  [[nodiscard]] Status run(Span<const std::int8_t> in, Span<float> out,
                           Span<std::uint8_t> arena) const noexcept;
  [[nodiscard]] Status run(Span<const float> in, Span<float> out,
                           Span<std::uint8_t> arena) const noexcept;

 private:
  Status validate() const noexcept;
  Status check_arena(Span<const std::uint8_t> arena) const noexcept;
  void run_op(std::size_t i, std::uint8_t* arena) const noexcept;

  const std::uint8_t* payload_ = nullptr;
  std::uint32_t payload_size_ = 0;
  std::uint32_t arena_bytes_ = 0;
  std::uint32_t n_ops_ = 0;
  bool float_ = false;
};

// Index of the largest element (the first one on ties): the predicted class.
std::size_t argmax(Span<const std::int8_t> x) noexcept;
std::size_t argmax(Span<const float> x) noexcept;

}  // namespace tinysense::nn

#endif  // TINYSENSE_NN_CNN_HPP
