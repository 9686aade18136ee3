// Decision-tree ensembles: scikit-learn DecisionTree, RandomForest and
// ExtraTrees, classifiers and (multi-output) regressors, run from a tinysense
// model file (ModelKind::kTrees) in place, without copying it.
//
// Conventions (the same as scikit-learn, so predictions match it exactly):
//  * a split sends x to the left child when x[feature] <= threshold. float32
//    models store sklearn's float64 threshold rounded DOWN to float32, which
//    gives the same decision for every float32 x; int16 models store
//    floor(threshold), the same decision for every integer x. A NaN feature
//    goes right (sklearn < 1.3 rejects NaN; >= 1.3 routes it per node, which
//    the format does not store: impute NaN first).
//  * classifiers return the class index, i.e. the position in the estimator's
//    `classes_`; probabilities come in `classes_` order.
//  * Voting::kSoft (default) is sklearn's predict: argmax of the mean of the
//    per-tree class probabilities; ties go to the smallest class index.
//    Voting::kHard is a majority vote of each tree's argmax class.
//  * regression returns the mean of the trees' leaf values (n_outputs of them).
//
// Leaf storage is chosen per model (see docs/design/model-trees.md):
//  * kU16: class probabilities as uint16 fractions of 65535, summed in uint32
//    (integer only: with int16 features no floating point is used at all).
//  * kF32: float32 values, summed in float32.
//  * kF64: float64 values summed in double in tree order, then divided by the
//    number of trees: the same operations as sklearn, so predict() and the
//    float32-rounded predict_proba()/regress() are bit-exact with sklearn.
//
// load() validates the whole payload (sizes, every child reference in range
// and pointing forward so every walk ends, feature indices, leaf values);
// predict() trusts it and only checks the caller's spans.
#ifndef TINYSENSE_ML_TREES_HPP
#define TINYSENSE_ML_TREES_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/ml/model.hpp"

namespace tinysense::ml {

// How a forest classifier combines its trees.
enum class Voting : std::uint8_t {
  kSoft = 0,  // mean probability (sklearn's predict and predict_proba)
  kHard = 1,  // one vote per tree for its most probable class
};

// What a leaf stores; the value in the payload header.
enum class TreeLeaf : std::uint8_t {
  kU16 = 0,  // classifier probability * 65535, uint16
  kF32 = 1,  // float32 probability or regression value
  kF64 = 2,  // float64 probability or regression value
};

// Limits of the trees payload (checked by load()).
constexpr std::uint32_t kTreesMaxFeatures = 65536;  // feature index is 16-bit
constexpr std::uint32_t kTreesMaxOutputs = 65535;
constexpr std::uint32_t kTreesMaxTrees = 65535;     // uint32 sums of uint16 leaves cannot overflow
constexpr std::size_t kTreesPayloadHeader = 16;

// A loaded tree ensemble. Holds pointers into the caller's model buffer,
// which must stay alive and unchanged while the Forest is used.
class Forest {
 public:
  // Per-output accumulator; predict() keeps its running sums here.
  union Accumulator {
    std::uint32_t u32;
    float f32;
    double f64;
  };

  // Accumulators load() needs for a model with n_outputs classes or targets
  // (the header's n_outputs).
  static constexpr std::size_t scratch_len(std::size_t n_outputs) noexcept { return n_outputs; }
  // Bytes the file's arena_bytes field must hold for n_outputs.
  static constexpr std::uint32_t arena_bytes(std::uint32_t n_outputs) noexcept {
    return 8u * n_outputs;
  }

  // Validates a complete model file (container + payload) and keeps views of
  // it. `scratch` needs scratch_len(n_outputs) entries (kNoMemory otherwise).
  // Errors: those of parse_model(), kCorrupt for any inconsistent field,
  // reference, index or value, kNotSupported for limits above. On failure the
  // Forest is left unloaded.
  [[nodiscard]] Status load(Span<const std::uint8_t> model, Span<Accumulator> scratch) noexcept;

  // Class index for one sample of n_features() values. The overload must
  // match input_dtype() (kInvalidArgument otherwise); kSizeMismatch when x
  // has the wrong length; kInvalidArgument for a regressor or null `cls`.
  [[nodiscard]] Status predict(Span<const float> x, std::int32_t* cls,
                               Voting voting = Voting::kSoft) noexcept;
  [[nodiscard]] Status predict(Span<const std::int16_t> x, std::int32_t* cls,
                               Voting voting = Voting::kSoft) noexcept;

  // Class probabilities (n_outputs() values, sklearn's classes_ order). With
  // kHard: the fraction of trees voting for each class.
  [[nodiscard]] Status predict_proba(Span<const float> x, Span<float> proba,
                                     Voting voting = Voting::kSoft) noexcept;
  [[nodiscard]] Status predict_proba(Span<const std::int16_t> x, Span<float> proba,
                                     Voting voting = Voting::kSoft) noexcept;

  // Regression targets (n_outputs() values), sklearn's predict of a regressor.
  [[nodiscard]] Status regress(Span<const float> x, Span<float> out) noexcept;
  [[nodiscard]] Status regress(Span<const std::int16_t> x, Span<float> out) noexcept;

  // Index of the leaf tree `tree` reaches (into the model's leaf table, after
  // duplicate leaves were merged); for debugging and tests. Same checks as
  // predict(); kOutOfRange for a bad tree index.
  [[nodiscard]] Status leaf_index(Span<const float> x, std::uint32_t tree,
                                  std::uint32_t* leaf) const noexcept;
  [[nodiscard]] Status leaf_index(Span<const std::int16_t> x, std::uint32_t tree,
                                  std::uint32_t* leaf) const noexcept;

  bool loaded() const noexcept { return nodes_ != nullptr; }
  bool is_classifier() const noexcept { return classifier_; }
  ModelDtype input_dtype() const noexcept { return dtype_; }
  TreeLeaf leaf_type() const noexcept { return leaf_; }
  std::uint32_t n_features() const noexcept { return n_features_; }
  std::uint32_t n_outputs() const noexcept { return n_outputs_; }
  std::uint32_t n_trees() const noexcept { return n_trees_; }
  std::uint32_t n_nodes() const noexcept { return n_nodes_; }    // split nodes
  std::uint32_t n_leaves() const noexcept { return n_leaves_; }  // distinct leaves
  std::uint32_t child_bytes() const noexcept { return child_bytes_; }

 private:
  enum class Sum : std::uint8_t { kU16, kF32, kF64, kVotes };
  template <class X>
  Status check_input(Span<const X> x, ModelDtype want) const noexcept;
  template <class X>
  void accumulate(const X* x, Sum sum) noexcept;
  template <class Layout, class X>
  void accumulate_layout(const X* x, Sum sum) noexcept;
  template <class X>
  std::uint32_t walk(const X* x, std::uint32_t tree) const noexcept;
  template <class X>
  Status predict_impl(Span<const X> x, ModelDtype want, std::int32_t* cls, Voting voting) noexcept;
  template <class X>
  Status proba_impl(Span<const X> x, ModelDtype want, Span<float> proba, Voting voting) noexcept;
  template <class X>
  Status regress_impl(Span<const X> x, ModelDtype want, Span<float> out) noexcept;
  template <class X>
  Status leaf_impl(Span<const X> x, ModelDtype want, std::uint32_t tree,
                   std::uint32_t* leaf) const noexcept;
  Sum sum_for(Voting voting) const noexcept;
  std::uint32_t argmax_acc(Sum sum) const noexcept;

  const std::uint8_t* roots_ = nullptr;
  const std::uint8_t* nodes_ = nullptr;
  const std::uint8_t* leaves_ = nullptr;
  Accumulator* acc_ = nullptr;
  std::uint32_t n_features_ = 0;
  std::uint32_t n_outputs_ = 0;
  std::uint32_t n_trees_ = 0;
  std::uint32_t n_nodes_ = 0;
  std::uint32_t n_leaves_ = 0;
  std::uint32_t child_bytes_ = 0;
  ModelDtype dtype_ = ModelDtype::kFloat32;
  TreeLeaf leaf_ = TreeLeaf::kF32;
  bool classifier_ = false;
};

// Forest with its accumulators inside, for models of up to kMaxOutputs
// classes or targets (load() returns kNoMemory for more).
template <std::size_t kMaxOutputs>
class ForestN : public Forest {
  static_assert(kMaxOutputs >= 1, "a model has at least one output");

 public:
  using Forest::load;
  [[nodiscard]] Status load(Span<const std::uint8_t> model) noexcept {
    return Forest::load(model, Span<Accumulator>(scratch_));
  }

 private:
  Accumulator scratch_[kMaxOutputs] = {};
};

}  // namespace tinysense::ml

#endif  // TINYSENSE_ML_TREES_HPP
