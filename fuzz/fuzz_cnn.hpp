// Fuzz harness of the CNN loader and runner (tinysense/nn/cnn.hpp), shared by
// the libFuzzer target fuzz/fuzz_cnn.cpp and by tests/cpp/test_cnn.cpp, which
// replays every file of fuzz/corpus/fuzz_cnn/ on every target without libFuzzer.
//
// Input: a model file WITHOUT its 4-byte CRC field (header bytes 0..27, then
// the payload), the format of fuzz_targets.hpp: the harness writes the payload
// size and a correct CRC, so the fuzzer explores the CNN payload validation
// instead of stopping at the checksum. A model that loads is run on an input
// taken from the fuzz bytes (float inputs include NaN / inf bit patterns) in an
// arena of exactly arena_bytes() followed by a canary; the runner must succeed,
// leave the canary intact, refuse a one-byte-shorter arena, and (int8 models
// with a float softmax) produce probabilities in [0, 1]. A violation traps.
#ifndef TINYSENSE_FUZZ_FUZZ_CNN_HPP
#define TINYSENSE_FUZZ_FUZZ_CNN_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinysense/core/crc32.hpp"
#include "tinysense/ml/model.hpp"
#include "tinysense/nn/cnn.hpp"

namespace tinysense::fuzz {

constexpr std::size_t kCnnMaxModel = 64 * 1024;   // larger inputs are skipped
constexpr std::size_t kCnnMaxArena = 128 * 1024;  // models needing more are loaded, not run
constexpr std::size_t kCnnCanary = 64;

struct CnnBuffers {
  alignas(8) std::uint8_t model[kCnnMaxModel];
  alignas(8) std::uint8_t arena[kCnnMaxArena + kCnnCanary];
};
inline CnnBuffers g_cnn;  // zero-initialised, no constructor

inline void cnn_require(bool ok) noexcept {
  if (!ok) __builtin_trap();
}

// Signs "file without CRC" input into g_cnn.model; returns the file size or 0.
inline std::size_t cnn_build_signed(const std::uint8_t* data, std::size_t size) noexcept {
  if (size < 28 || size + 4 > kCnnMaxModel) return 0;
  std::uint8_t* m = g_cnn.model;
  std::memcpy(m, data, 28);
  if (size > 28) std::memcpy(m + ml::kModelHeaderSize, data + 28, size - 28);
  const std::size_t n = size + 4;
  const auto put = [](std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  put(m + 8, static_cast<std::uint32_t>(n - ml::kModelHeaderSize));
  std::uint32_t crc = crc32(Span<const std::uint8_t>(m, 28));
  crc = crc32(Span<const std::uint8_t>(m + ml::kModelHeaderSize, n - ml::kModelHeaderSize), crc);
  put(m + 28, crc);
  return n;
}

inline int run_cnn(const std::uint8_t* data, std::size_t size) noexcept {
  const std::size_t n = cnn_build_signed(data, size);
  if (n == 0) return 0;
  nn::Cnn cnn;
  if (cnn.load(Span<const std::uint8_t>(g_cnn.model, n)) != Status::kOk) {
    cnn_require(!cnn.loaded() && cnn.arena_bytes() == 0);
    return 0;
  }
  const std::size_t need = cnn.arena_bytes();
  cnn_require(need >= 1);
  for (std::size_t i = 0; i <= cnn.num_ops(); ++i) {
    const nn::TensorInfo t = cnn.tensor(i);
    cnn_require(t.offset + t.bytes() <= need);
  }
  if (need > kCnnMaxArena) return 1;
  std::uint8_t* arena = g_cnn.arena;
  // Input bytes from the fuzz data (every bit pattern, so NaN and inf for float models).
  const nn::TensorInfo in = cnn.input();
  for (std::size_t i = 0; i < in.bytes(); ++i) {
    arena[in.offset + i] = data[(i * 7 + 3) % size];
  }
  std::memset(arena + need, 0xa5, kCnnCanary);
  cnn_require(cnn.invoke(Span<std::uint8_t>(arena, need - 1)) == Status::kNoMemory);
  cnn_require(cnn.invoke(Span<std::uint8_t>(arena, need)) == Status::kOk);
  for (std::size_t i = 0; i < kCnnCanary; ++i) cnn_require(arena[need + i] == 0xa5);
  if (!cnn.is_float() && cnn.output().dtype == ml::ModelDtype::kFloat32) {
    const Span<const float> p = cnn.output_f32(Span<const std::uint8_t>(arena, need));
    for (std::size_t i = 0; i < p.size(); ++i) cnn_require(p[i] >= 0.0f && p[i] <= 1.0f);
  }
  return 1;
}

}  // namespace tinysense::fuzz

#endif  // TINYSENSE_FUZZ_FUZZ_CNN_HPP
