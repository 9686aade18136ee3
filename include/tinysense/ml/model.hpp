// The tinysense model container: one versioned, CRC-protected binary format
// for every model kind (trees, k-NN, CNN). See docs/model-format.md.
//
// Layout (all integers little-endian), 32-byte header then the payload:
//   off size field
//    0   4   magic "TSMD"
//    4   2   version (kModelVersion)
//    6   2   kind (ModelKind)
//    8   4   payload_size in bytes
//   12   4   arena_bytes: RAM the runner needs (planned offline; 0 if none)
//   16   2   input_dtype (ModelDtype)
//   18   2   output_dtype (ModelDtype)
//   20   4   n_inputs  (features, or input tensor elements)
//   24   4   n_outputs (classes, regression targets, or output elements)
//   28   4   crc32 (zlib.crc32) of bytes [0, 28) followed by the payload
// The payload starts at offset 32 and its layout belongs to the kind; every
// kind's load() validates it completely before predict() may trust it.
// Files are untrusted: parse_model() checks magic, version, sizes and CRC and
// never reads outside `bytes`.
#ifndef TINYSENSE_ML_MODEL_HPP
#define TINYSENSE_ML_MODEL_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::ml {

constexpr std::uint16_t kModelVersion = 1;
constexpr std::size_t kModelHeaderSize = 32;
// Payload alignment the runners rely on for direct (zero-copy) table access:
// the model buffer itself must start at a 4-byte aligned address.
constexpr std::size_t kModelAlign = 4;

enum class ModelKind : std::uint16_t {
  kTrees = 1,  // decision tree / random forest / extra trees
  kKnn = 2,    // k-nearest neighbours
  kCnn = 3,    // int8 / float32 convolutional network
};

enum class ModelDtype : std::uint16_t {
  kFloat32 = 0,
  kInt16 = 1,
  kInt8 = 2,
  kInt32 = 3,
};

struct ModelInfo {
  ModelKind kind;
  ModelDtype input_dtype;
  ModelDtype output_dtype;
  std::uint32_t arena_bytes;
  std::uint32_t n_inputs;
  std::uint32_t n_outputs;
  Span<const std::uint8_t> payload;  // inside the caller's buffer
};

// Validates the container and fills `info`. Errors: kCorrupt (bad magic,
// CRC, or sizes that do not add up), kNotSupported (unknown version),
// kInvalidArgument (buffer not 4-byte aligned, null info, or `expected`
// kind differs from the file's), kSizeMismatch (truncated file).
[[nodiscard]] Status parse_model(Span<const std::uint8_t> bytes, ModelKind expected,
                                 ModelInfo* info) noexcept;

// Little-endian readers for payload parsing; `p` needs no alignment.
inline std::uint16_t read_u16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t read_u32(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

}  // namespace tinysense::ml

#endif  // TINYSENSE_ML_MODEL_HPP
