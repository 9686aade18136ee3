// The fuzz harnesses of the model loaders, shared by the libFuzzer targets
// (fuzz/fuzz_*.cpp, clang -fsanitize=fuzzer) and by the C++ unit tests, which
// run every file of fuzz/corpus/ through the same code on every target
// (host, ASan/UBSan, Cortex-M4F in QEMU) without libFuzzer.
//
// Input formats:
//  * run_trees / run_knn: a model file WITHOUT its 4-byte CRC field (bytes
//    0..27 of the header, then the payload). The harness writes the payload
//    size and a correct CRC, so the fuzzer explores the payload validation
//    instead of stopping at the checksum.
//  * run_model: a complete file as is (container parsing, CRC included), then
//    the loader of whatever kind it declares.
// After a successful load the model is exercised (every prediction API, with
// features taken from the input, NaN and infinities included) and the results
// are checked for range; a violation traps. Each function returns 1 when a
// model loaded, else 0.
#ifndef TINYSENSE_FUZZ_FUZZ_TARGETS_HPP
#define TINYSENSE_FUZZ_FUZZ_TARGETS_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinysense/core/crc32.hpp"
#include "tinysense/ml/knn.hpp"
#include "tinysense/ml/model.hpp"
#include "tinysense/ml/trees.hpp"

namespace tinysense::fuzz {

constexpr std::size_t kMaxModel = 256 * 1024;  // larger inputs are skipped
constexpr std::size_t kMaxFeatures = 1024;     // models with more are loaded, not run
constexpr std::size_t kMaxOutputs = 256;
constexpr std::size_t kKnnCapacity = 8;
constexpr std::size_t kKnnMaxK = 32;

struct Buffers {
  alignas(8) std::uint8_t model[kMaxModel];
  float xf[kMaxFeatures];
  std::int16_t xi[kMaxFeatures];
  float out[kMaxOutputs];
  std::uint32_t index[kKnnMaxK];
  std::uint64_t dist[kKnnMaxK];
  ml::Forest::Accumulator acc[kMaxOutputs];
  std::int16_t storage[kKnnCapacity * kMaxFeatures];
  std::uint16_t labels[kKnnCapacity];
  ml::Knn::Neighbor heap[kKnnMaxK];
};
inline Buffers g_buffers;  // zero-initialised, no constructor

inline void require(bool ok) noexcept {
  if (!ok) __builtin_trap();
}

inline void put_u32(std::uint8_t* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Builds a signed model file from "file without CRC" input; returns its size or 0.
inline std::size_t build_signed(const std::uint8_t* data, std::size_t size) noexcept {
  if (size < 28 || size + 4 > kMaxModel) return 0;
  std::uint8_t* m = g_buffers.model;
  std::memcpy(m, data, 28);
  if (size > 28) std::memcpy(m + ml::kModelHeaderSize, data + 28, size - 28);
  const std::size_t n = size + 4;
  put_u32(m + 8, static_cast<std::uint32_t>(n - ml::kModelHeaderSize));
  std::uint32_t crc = crc32(Span<const std::uint8_t>(m, 28));
  crc = crc32(Span<const std::uint8_t>(m + ml::kModelHeaderSize, n - ml::kModelHeaderSize), crc);
  put_u32(m + 28, crc);
  return n;
}

// Feature vectors from the input bytes: raw float bit patterns (NaN, inf,
// denormals) and int16 values, then a few fixed extremes.
inline void fill_features(const std::uint8_t* data, std::size_t size, std::size_t n,
                          std::uint32_t salt) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    std::uint32_t bits = salt * 2654435761u + static_cast<std::uint32_t>(i) * 40503u;
    for (std::size_t b = 0; b < 4 && size > 0; ++b) {
      bits = (bits << 8) ^ data[(i * 4 + b + salt) % size];
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    g_buffers.xf[i] = f;
    g_buffers.xi[i] = static_cast<std::int16_t>(bits & 0xFFFFu);
  }
  if (salt == 1 && n > 0) {
    g_buffers.xf[0] = __builtin_nanf("");
    g_buffers.xi[0] = -32768;
  }
  if (salt == 2 && n > 0) {
    g_buffers.xf[n - 1] = -__builtin_inff();
    g_buffers.xi[n - 1] = 32767;
  }
}

inline void exercise_forest(ml::Forest& f, const std::uint8_t* data, std::size_t size) noexcept {
  const std::size_t nf = f.n_features(), no = f.n_outputs();
  if (nf > kMaxFeatures || no > kMaxOutputs) return;
  const bool i16 = f.input_dtype() == ml::ModelDtype::kInt16;
  const Span<const float> xf(g_buffers.xf, nf);
  const Span<const std::int16_t> xi(g_buffers.xi, nf);
  const Span<float> out(g_buffers.out, no);
  for (std::uint32_t salt = 0; salt < 3; ++salt) {
    fill_features(data, size, nf, salt);
    const std::uint32_t trees = f.n_trees() < 64 ? f.n_trees() : 64;
    for (std::uint32_t t = 0; t < trees; ++t) {
      std::uint32_t leaf = 0;
      const Status s = i16 ? f.leaf_index(xi, t, &leaf) : f.leaf_index(xf, t, &leaf);
      require(s == Status::kOk && leaf < f.n_leaves());
    }
    if (!f.is_classifier()) {
      require((i16 ? f.regress(xi, out) : f.regress(xf, out)) == Status::kOk);
      continue;
    }
    for (const ml::Voting v : {ml::Voting::kSoft, ml::Voting::kHard}) {
      std::int32_t cls = -1;
      require((i16 ? f.predict(xi, &cls, v) : f.predict(xf, &cls, v)) == Status::kOk);
      require(cls >= 0 && static_cast<std::uint32_t>(cls) < no);
      require((i16 ? f.predict_proba(xi, out, v) : f.predict_proba(xf, out, v)) == Status::kOk);
      for (std::size_t k = 0; k < no; ++k) require(out[k] >= 0.0f && out[k] <= 1.0001f);
    }
  }
}

inline void exercise_knn(ml::Knn& knn, const std::uint8_t* data, std::size_t size) noexcept {
  const std::size_t nf = knn.n_features(), nc = knn.n_classes();
  if (nf > kMaxFeatures || nc > kMaxOutputs) return;
  const Span<const std::int16_t> x(g_buffers.xi, nf);
  for (std::uint32_t salt = 0; salt < 4; ++salt) {
    fill_features(data, size, nf, salt);
    if (salt > 0) {
      const auto label = static_cast<std::uint16_t>(size > 0 ? data[salt % size] % nc : 0);
      const Status s = knn.add(x, label);
      require(s == Status::kOk || s == Status::kNoSpace);
    }
    std::int32_t cls = -1;
    const Status s = knn.predict(x, &cls);
    if (knn.size() == 0) {
      require(s == Status::kNoData);
      continue;
    }
    require(s == Status::kOk && cls >= 0 && static_cast<std::size_t>(cls) < nc);
    require(knn.predict_proba(x, Span<float>(g_buffers.out, nc)) == Status::kOk);
    std::size_t count = 0;
    require(knn.kneighbors(x, Span<std::uint32_t>(g_buffers.index, kKnnMaxK),
                           Span<std::uint64_t>(g_buffers.dist, kKnnMaxK), &count) == Status::kOk);
    require(count >= 1 && count <= knn.k());
    for (std::size_t i = 0; i < count; ++i) require(g_buffers.index[i] < knn.size());
  }
}

inline int load_and_run(ml::ModelKind kind, std::size_t n, const std::uint8_t* data,
                        std::size_t size) noexcept {
  const Span<const std::uint8_t> file(g_buffers.model, n);
  if (kind == ml::ModelKind::kTrees) {
    ml::Forest f;
    if (f.load(file, Span<ml::Forest::Accumulator>(g_buffers.acc, kMaxOutputs)) != Status::kOk) {
      require(!f.loaded());
      return 0;
    }
    exercise_forest(f, data, size);
    return 1;
  }
  // Storage for added items only when the feature count fits the buffer.
  const std::uint32_t nf = n >= 24 ? ml::read_u32(g_buffers.model + 20) : 0;
  const bool room = nf >= 1 && nf <= kMaxFeatures;
  ml::Knn knn;
  const Status s = knn.load(
      file, Span<std::int16_t>(g_buffers.storage, room ? kKnnCapacity * nf : 0),
      Span<std::uint16_t>(g_buffers.labels, room ? kKnnCapacity : 0),
      Span<ml::Knn::Neighbor>(g_buffers.heap, kKnnMaxK));
  if (s != Status::kOk) {
    require(!knn.ready());
    return 0;
  }
  exercise_knn(knn, data, size);
  return 1;
}

inline int run_trees(const std::uint8_t* data, std::size_t size) noexcept {
  const std::size_t n = build_signed(data, size);
  return n == 0 ? 0 : load_and_run(ml::ModelKind::kTrees, n, data, size);
}

inline int run_knn(const std::uint8_t* data, std::size_t size) noexcept {
  const std::size_t n = build_signed(data, size);
  return n == 0 ? 0 : load_and_run(ml::ModelKind::kKnn, n, data, size);
}

inline int run_model(const std::uint8_t* data, std::size_t size) noexcept {
  if (size > kMaxModel) return 0;
  if (size > 0) std::memcpy(g_buffers.model, data, size);
  const Span<const std::uint8_t> file(g_buffers.model, size);
  ml::ModelInfo info{};
  int loaded = 0;
  for (const ml::ModelKind kind : {ml::ModelKind::kTrees, ml::ModelKind::kKnn}) {
    if (ml::parse_model(file, kind, &info) == Status::kOk) {
      require(info.payload.data() == g_buffers.model + ml::kModelHeaderSize &&
              info.payload.size() == size - ml::kModelHeaderSize);
      loaded += load_and_run(kind, size, data, size);
    }
  }
  return loaded;
}

}  // namespace tinysense::fuzz

#endif  // TINYSENSE_FUZZ_FUZZ_TARGETS_HPP
