// k-nearest-neighbour classifier on int16 features, equal to scikit-learn's
// KNeighborsClassifier(algorithm="brute", weights="uniform", metric
// "euclidean"/"minkowski" p=2) on integer data, with on-device learning.
//
// Items come from a model file (ModelKind::kKnn, used in place, zero-copy)
// followed by items added at run time with add() into caller-provided storage
// (fixed capacity, no heap). Item indices run over the file's items first,
// then the added ones, in order.
//
// Exactness: distances are exact squared Euclidean distances (int16
// differences squared in uint32, summed in uint64: no overflow for any input).
// sklearn computes the same integers in float64 exactly (|x|^2 < 2^53). The
// k nearest are chosen with sklearn's own bounded max-heap, fed in index
// order: a candidate enters only if strictly closer than the current worst.
// That rule is not "stable sort, first k" when several neighbours tie at the
// k-th distance; we reproduce the heap so the chosen set matches sklearn's
// (single-threaded; sklearn's multi-threaded merge of per-thread heaps can
// break such ties differently). The vote is uniform; a tie between classes
// goes to the smallest class index (sklearn's mode / argmax).
//
// load()/init() validate everything; predict() only checks the caller's spans.
#ifndef TINYSENSE_ML_KNN_HPP
#define TINYSENSE_ML_KNN_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/ml/model.hpp"

namespace tinysense::ml {

constexpr std::uint32_t kKnnMaxFeatures = 65535;
constexpr std::uint32_t kKnnMaxClasses = 65535;
constexpr std::size_t kKnnPayloadHeader = 8;

class Knn {
 public:
  // One candidate neighbour: squared distance and item index.
  struct Neighbor {
    std::uint64_t dist;
    std::uint32_t index;
  };

  // Neighbours of scratch load()/init() need for k.
  static constexpr std::size_t scratch_len(std::size_t k) noexcept { return k; }
  // int16 values of storage for `capacity` added items of n_features.
  static constexpr std::size_t storage_len(std::size_t capacity, std::size_t n_features) noexcept {
    return capacity * n_features;
  }
  // The file's arena_bytes field for k (16 bytes per neighbour).
  static constexpr std::uint32_t arena_bytes(std::uint32_t k) noexcept { return 16u * k; }

  // Empty classifier: items only come from add(). labels.size() is the
  // capacity; storage needs storage_len(capacity, n_features) values
  // (kSizeMismatch otherwise); scratch needs scratch_len(k) (kNoMemory).
  // kInvalidArgument for n_features, n_classes or k outside [1, 65535].
  [[nodiscard]] Status init(std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k,
                            Span<std::int16_t> storage, Span<std::uint16_t> labels,
                            Span<Neighbor> scratch) noexcept;

  // Validates a model file and uses its items in place (the buffer must stay
  // alive and unchanged); storage/labels (may be empty) take added items.
  // Errors: those of parse_model(), kCorrupt for inconsistent fields, sizes,
  // labels or padding, kNotSupported for non-int16 input, plus init()'s.
  [[nodiscard]] Status load(Span<const std::uint8_t> model, Span<std::int16_t> storage,
                            Span<std::uint16_t> labels, Span<Neighbor> scratch) noexcept;

  // Appends a labelled item (on-device learning). kNoSpace when full,
  // kSizeMismatch for a wrong length, kInvalidArgument for label >= n_classes.
  [[nodiscard]] Status add(Span<const std::int16_t> x, std::uint16_t label) noexcept;
  // Forgets the added items (the file's items stay).
  void clear_added() noexcept { n_added_ = 0; }
  // Changes k: 1 <= k <= the scratch length (kInvalidArgument otherwise).
  [[nodiscard]] Status set_k(std::uint32_t k) noexcept;

  // Majority class of the k nearest items (k or, while fewer items exist, all
  // of them). kNoData without items; kSizeMismatch for a wrong length.
  [[nodiscard]] Status predict(Span<const std::int16_t> x, std::int32_t* cls) noexcept;
  // Fraction of the neighbours in each class (n_classes values), sklearn's
  // predict_proba with uniform weights.
  [[nodiscard]] Status predict_proba(Span<const std::int16_t> x, Span<float> proba) noexcept;
  // The neighbours, nearest first (equal distances: lower index first);
  // writes min(k, size()) entries to index/dist (each at least that long)
  // and their number to *count.
  [[nodiscard]] Status kneighbors(Span<const std::int16_t> x, Span<std::uint32_t> index,
                                  Span<std::uint64_t> dist, std::size_t* count) noexcept;

  bool ready() const noexcept { return n_features_ != 0; }
  std::uint32_t n_features() const noexcept { return n_features_; }
  std::uint32_t n_classes() const noexcept { return n_classes_; }
  std::uint32_t k() const noexcept { return k_; }
  std::size_t size() const noexcept { return n_model_ + n_added_; }      // items searched
  std::size_t model_items() const noexcept { return n_model_; }
  std::size_t capacity() const noexcept { return labels_.size(); }       // for add()
  // Label of item i (i < size()).
  std::uint16_t label(std::size_t i) const noexcept;

 private:
  Status setup(std::uint32_t n_features, std::uint32_t n_classes, std::uint32_t k,
               Span<std::int16_t> storage, Span<std::uint16_t> labels,
               Span<Neighbor> scratch) noexcept;
  Status search(Span<const std::int16_t> x, std::size_t* found) noexcept;

  const std::uint8_t* model_x_ = nullptr;  // n_model_ * n_features_ int16
  const std::uint8_t* model_y_ = nullptr;  // n_model_ uint16
  Span<std::int16_t> storage_;
  Span<std::uint16_t> labels_;
  Span<Neighbor> heap_;
  std::size_t n_model_ = 0;
  std::size_t n_added_ = 0;
  std::uint32_t n_features_ = 0;
  std::uint32_t n_classes_ = 0;
  std::uint32_t k_ = 0;
};

// Knn with its storage inside: up to kCapacity added items of kFeatures
// values, k up to kMaxK.
template <std::size_t kCapacity, std::size_t kFeatures, std::size_t kMaxK>
class KnnN : public Knn {
  static_assert(kFeatures >= 1 && kMaxK >= 1, "need features and k >= 1");

 public:
  [[nodiscard]] Status init(std::uint32_t n_classes, std::uint32_t k) noexcept {
    return Knn::init(static_cast<std::uint32_t>(kFeatures), n_classes, k, storage(), labels(),
                     Span<Neighbor>(scratch_));
  }
  // A model file with kFeatures features.
  [[nodiscard]] Status load(Span<const std::uint8_t> model) noexcept {
    return Knn::load(model, storage(), labels(), Span<Neighbor>(scratch_));
  }

 private:
  Span<std::int16_t> storage() noexcept { return {storage_, kCapacity * kFeatures}; }
  Span<std::uint16_t> labels() noexcept { return {labels_, kCapacity}; }

  std::int16_t storage_[kCapacity * kFeatures > 0 ? kCapacity * kFeatures : 1] = {};
  std::uint16_t labels_[kCapacity > 0 ? kCapacity : 1] = {};
  Neighbor scratch_[kMaxK] = {};
};

}  // namespace tinysense::ml

#endif  // TINYSENSE_ML_KNN_HPP
