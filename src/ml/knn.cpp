#include "tinysense/ml/knn.hpp"

#include <cstdint>
#include <cstring>

namespace tinysense::ml {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "model files are little-endian");

template <class T>
inline T ld(const std::uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

constexpr std::uint64_t kNoDistance = ~0ull;  // sklearn's +inf in an empty heap slot

// Exact squared Euclidean distance between x and item y (int16 values read by
// `get`). A difference of int16 values fits 17 bits; its square (< 2^32) and
// the sum of up to 65535 squares fit int64, and each step is one multiply-
// accumulate (SMLAL on Cortex-M4). Unrolled by 4: the loop overhead was a
// third of the instructions.
template <class Get>
inline std::uint64_t sq_dist(const std::int16_t* x, Get get, std::size_t n) noexcept {
  std::int64_t acc = 0;
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::int32_t d0 = static_cast<std::int32_t>(x[i]) - get(i);
    const std::int32_t d1 = static_cast<std::int32_t>(x[i + 1]) - get(i + 1);
    const std::int32_t d2 = static_cast<std::int32_t>(x[i + 2]) - get(i + 2);
    const std::int32_t d3 = static_cast<std::int32_t>(x[i + 3]) - get(i + 3);
    acc += static_cast<std::int64_t>(d0) * d0;
    acc += static_cast<std::int64_t>(d1) * d1;
    acc += static_cast<std::int64_t>(d2) * d2;
    acc += static_cast<std::int64_t>(d3) * d3;
  }
  for (; i < n; ++i) {
    const std::int32_t d = static_cast<std::int32_t>(x[i]) - get(i);
    acc += static_cast<std::int64_t>(d) * d;
  }
  return static_cast<std::uint64_t>(acc);
}

// sklearn's heap_push (sklearn/utils/_heap.pyx): a max-heap of `size`
// entries keyed by distance; a candidate enters only when strictly closer
// than the root, then sifts down past children that are strictly farther.
inline void heap_push(Knn::Neighbor* heap, std::size_t size, std::uint64_t dist,
                      std::uint32_t index) noexcept {
  if (dist >= heap[0].dist) return;
  std::size_t cur = 0;
  for (;;) {
    const std::size_t left = 2 * cur + 1;
    const std::size_t right = left + 1;
    std::size_t swap;
    if (left >= size) {
      break;
    } else if (right >= size) {
      if (heap[left].dist > dist) {
        swap = left;
      } else {
        break;
      }
    } else if (heap[left].dist >= heap[right].dist) {
      if (dist < heap[left].dist) {
        swap = left;
      } else {
        break;
      }
    } else {
      if (dist < heap[right].dist) {
        swap = right;
      } else {
        break;
      }
    }
    heap[cur] = heap[swap];
    cur = swap;
  }
  heap[cur].dist = dist;
  heap[cur].index = index;
}

}  // namespace

Status Knn::setup(std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k,
                  Span<std::int16_t> storage, Span<std::uint16_t> labels,
                  Span<Neighbor> scratch) noexcept {
  if (n_features == 0 || n_features > kKnnMaxFeatures || n_classes == 0 ||
      n_classes > kKnnMaxClasses || k == 0 || k > 0xFFFFu) {
    return Status::kInvalidArgument;
  }
  if (scratch.size() < scratch_len(k)) return Status::kNoMemory;
  // Both sides in 64 bits: the product cannot wrap on a 32-bit size_t.
  if (static_cast<std::uint64_t>(storage.size()) !=
      static_cast<std::uint64_t>(labels.size()) * n_features) {
    return Status::kSizeMismatch;
  }
  if (static_cast<std::uint64_t>(n_model_) + labels.size() > 0xFFFFFFFFull) {
    return Status::kInvalidArgument;  // item indices are 32-bit
  }
  storage_ = storage;
  labels_ = labels;
  heap_ = scratch;
  n_added_ = 0;
  n_features_ = n_features;
  n_classes_ = n_classes;
  k_ = k;
  return Status::kOk;
}

Status Knn::init(std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k,
                 Span<std::int16_t> storage, Span<std::uint16_t> labels,
                 Span<Neighbor> scratch) noexcept {
  *this = Knn();
  const Status s = setup(n_features, n_classes, k, storage, labels, scratch);
  if (s != Status::kOk) *this = Knn();
  return s;
}

Status Knn::load(Span<const std::uint8_t> model, Span<std::int16_t> storage,
                 Span<std::uint16_t> labels, Span<Neighbor> scratch) noexcept {
  *this = Knn();
  ModelInfo info{};
  TINYSENSE_TRY(parse_model(model, ModelKind::kKnn, &info));
  if (info.input_dtype != ModelDtype::kInt16) return Status::kNotSupported;
  if (info.output_dtype != ModelDtype::kInt32) return Status::kCorrupt;
  if (info.n_inputs == 0 || info.n_outputs == 0) return Status::kCorrupt;
  if (info.n_inputs > kKnnMaxFeatures || info.n_outputs > kKnnMaxClasses) return Status::kNotSupported;
  const Span<const std::uint8_t> p = info.payload;
  if (p.size() < kKnnPayloadHeader) return Status::kCorrupt;
  const std::uint32_t n_items = read_u32(p.data());
  const std::uint32_t k = read_u16(p.data() + 4);
  if (read_u16(p.data() + 6) != 0 || k == 0) return Status::kCorrupt;
  if (info.arena_bytes != arena_bytes(k)) return Status::kCorrupt;
  // 64-bit sizes: n_items < 2^32 and n_features < 2^16.
  const std::uint64_t x_bytes = 2ull * n_items * info.n_inputs;
  const std::uint64_t y_bytes = 2ull * n_items;
  const std::uint64_t y_off = kKnnPayloadHeader + ((x_bytes + 3) & ~3ull);
  const std::uint64_t end = y_off + ((y_bytes + 3) & ~3ull);
  if (end != p.size()) return Status::kCorrupt;
  const std::uint8_t* xs = p.data() + kKnnPayloadHeader;
  const std::uint8_t* ys = p.data() + y_off;
  for (std::uint64_t i = kKnnPayloadHeader + x_bytes; i < y_off; ++i) {
    if (p[static_cast<std::size_t>(i)] != 0) return Status::kCorrupt;
  }
  for (std::uint32_t i = 0; i < n_items; ++i) {
    if (ld<std::uint16_t>(ys + 2ull * i) >= info.n_outputs) return Status::kCorrupt;
  }
  for (std::uint64_t i = y_off + y_bytes; i < end; ++i) {
    if (p[static_cast<std::size_t>(i)] != 0) return Status::kCorrupt;
  }
  n_model_ = n_items;
  const Status s = setup(info.n_inputs, info.n_outputs, k, storage, labels, scratch);
  if (s != Status::kOk) {
    *this = Knn();
    return s;
  }
  model_x_ = xs;
  model_y_ = ys;
  return Status::kOk;
}

Status Knn::add(Span<const std::int16_t> x, std::uint16_t label) noexcept {
  if (!ready()) return Status::kNotInitialized;
  if (x.size() != n_features_) return Status::kSizeMismatch;
  if (label >= n_classes_) return Status::kInvalidArgument;
  if (n_added_ >= labels_.size()) return Status::kNoSpace;
  std::memcpy(storage_.data() + n_added_ * n_features_, x.data(), n_features_ * sizeof(std::int16_t));
  labels_[n_added_] = label;
  ++n_added_;
  return Status::kOk;
}

Status Knn::set_k(std::uint32_t k) noexcept {
  if (!ready()) return Status::kNotInitialized;
  if (k == 0 || k > heap_.size() || k > 0xFFFFu) return Status::kInvalidArgument;
  k_ = k;
  return Status::kOk;
}

std::uint16_t Knn::label(std::size_t i) const noexcept {
  TINYSENSE_DCHECK(i < size());
  return i < n_model_ ? ld<std::uint16_t>(model_y_ + 2 * i) : labels_[i - n_model_];
}

Status Knn::search(Span<const std::int16_t> x, std::size_t* found) noexcept {
  if (!ready()) return Status::kNotInitialized;
  if (x.size() != n_features_) return Status::kSizeMismatch;
  const std::size_t n = size();
  if (n == 0) return Status::kNoData;
  const std::size_t k = n < k_ ? n : k_;
  Neighbor* heap = heap_.data();
  for (std::size_t i = 0; i < k; ++i) heap[i] = Neighbor{kNoDistance, 0xFFFFFFFFu};
  const std::size_t nf = n_features_;
  const std::int16_t* q = x.data();
  // Index order (file items, then added ones) decides ties, as in sklearn.
  for (std::size_t i = 0; i < n_model_; ++i) {
    // File items: 4-byte aligned int16 rows inside the model buffer.
    const auto* y = static_cast<const std::uint8_t*>(__builtin_assume_aligned(model_x_ + 2 * i * nf, 2));
    const auto get = [y](std::size_t j) noexcept { return ld<std::int16_t>(y + 2 * j); };
    heap_push(heap, k, sq_dist(q, get, nf), static_cast<std::uint32_t>(i));
  }
  for (std::size_t i = 0; i < n_added_; ++i) {
    const std::int16_t* y = storage_.data() + i * nf;
    const auto get = [y](std::size_t j) noexcept { return y[j]; };
    heap_push(heap, k, sq_dist(q, get, nf), static_cast<std::uint32_t>(n_model_ + i));
  }
  *found = k;
  return Status::kOk;
}

Status Knn::predict(Span<const std::int16_t> x, std::int32_t* cls) noexcept {
  if (cls == nullptr) return Status::kInvalidArgument;
  std::size_t k = 0;
  TINYSENSE_TRY(search(x, &k));
  // Mode of the k labels without a per-class table: O(k^2) on a small k.
  std::uint32_t best = 0, best_count = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const std::uint32_t c = label(heap_[i].index);
    std::uint32_t count = 0;
    for (std::size_t j = 0; j < k; ++j) count += label(heap_[j].index) == c ? 1u : 0u;
    if (count > best_count || (count == best_count && c < best)) {
      best = c;
      best_count = count;
    }
  }
  *cls = static_cast<std::int32_t>(best);
  return Status::kOk;
}

Status Knn::predict_proba(Span<const std::int16_t> x, Span<float> proba) noexcept {
  if (ready() && proba.size() != n_classes_) return Status::kSizeMismatch;
  std::size_t k = 0;
  TINYSENSE_TRY(search(x, &k));
  // Exact counts first, one division each: float32(count / k), like sklearn's
  // float64 count / k rounded to float32.
  for (std::size_t c = 0; c < proba.size(); ++c) proba[c] = 0.0f;
  for (std::size_t i = 0; i < k; ++i) proba[label(heap_[i].index)] += 1.0f;
  const float n = static_cast<float>(k);
  for (std::size_t c = 0; c < proba.size(); ++c) proba[c] /= n;
  return Status::kOk;
}

Status Knn::kneighbors(Span<const std::int16_t> x, Span<std::uint32_t> index,
                       Span<std::uint64_t> dist, std::size_t* count) noexcept {
  if (count == nullptr) return Status::kInvalidArgument;
  const std::size_t want = size() < k_ ? size() : k_;
  if (ready() && (index.size() < want || dist.size() < want)) return Status::kSizeMismatch;
  std::size_t k = 0;
  TINYSENSE_TRY(search(x, &k));
  // Insertion sort of the heap by (distance, index).
  for (std::size_t i = 0; i < k; ++i) {
    const Neighbor v = heap_[i];
    std::size_t j = i;
    while (j > 0 && (dist[j - 1] > v.dist || (dist[j - 1] == v.dist && index[j - 1] > v.index))) {
      dist[j] = dist[j - 1];
      index[j] = index[j - 1];
      --j;
    }
    dist[j] = v.dist;
    index[j] = v.index;
  }
  *count = k;
  return Status::kOk;
}

}  // namespace tinysense::ml
