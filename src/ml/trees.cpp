#include "tinysense/ml/trees.hpp"

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tinysense::ml {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "model files are little-endian");

// Loads from the (4-byte aligned) model buffer through memcpy: well defined
// for any byte buffer, and a single load instruction once the compiler knows
// the alignment (aligned4 below), also on cores without unaligned access.
template <class T>
inline T ld(const std::uint8_t* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline const std::uint8_t* aligned4(const std::uint8_t* p) noexcept {
  return static_cast<const std::uint8_t*>(__builtin_assume_aligned(p, 4));
}

constexpr std::uint32_t kU16One = 65535;  // probability 1.0 in a kU16 leaf

// Split-node layouts (docs/design/model-trees.md). Every node starts with the
// uint16 feature index; the rest depends on the input dtype and on the width
// of the child references (2 or 4 bytes, chosen per model by the converter).
// A child reference r < n_nodes is a split node (always > the parent's
// index), otherwise leaf r - n_nodes.
struct NodeI16C16 {  // feature u16 | threshold i16 | left u16 | right u16
  using X = std::int16_t;
  static constexpr std::size_t kStride = 8;
  static std::uint32_t next(const std::uint8_t* n, const X* x) noexcept {
    const bool go_left = x[ld<std::uint16_t>(n)] <= ld<std::int16_t>(n + 2);
    return ld<std::uint16_t>(n + (go_left ? 4 : 6));
  }
};
struct NodeI16C32 {  // feature u16 | threshold i16 | left u32 | right u32
  using X = std::int16_t;
  static constexpr std::size_t kStride = 12;
  static std::uint32_t next(const std::uint8_t* n, const X* x) noexcept {
    const bool go_left = x[ld<std::uint16_t>(n)] <= ld<std::int16_t>(n + 2);
    return ld<std::uint32_t>(n + (go_left ? 4 : 8));
  }
};
struct NodeF32C16 {  // feature u16 | zero u16 | threshold f32 | left u16 | right u16
  using X = float;
  static constexpr std::size_t kStride = 12;
  static std::uint32_t next(const std::uint8_t* n, const X* x) noexcept {
    const bool go_left = x[ld<std::uint16_t>(n)] <= ld<float>(n + 4);
    return ld<std::uint16_t>(n + (go_left ? 8 : 10));
  }
};
struct NodeF32C32 {  // feature u16 | zero u16 | threshold f32 | left u32 | right u32
  using X = float;
  static constexpr std::size_t kStride = 16;
  static std::uint32_t next(const std::uint8_t* n, const X* x) noexcept {
    const bool go_left = x[ld<std::uint16_t>(n)] <= ld<float>(n + 4);
    return ld<std::uint32_t>(n + (go_left ? 8 : 12));
  }
};

// Follows one tree from reference `ref` to its leaf. Terminates because load()
// checked that every split node's children lie strictly after it.
template <class Node>
inline std::uint32_t walk_tree(const std::uint8_t* nodes, std::uint32_t n_nodes, std::uint32_t ref,
                               const typename Node::X* x) noexcept {
  while (ref < n_nodes) {
    ref = Node::next(aligned4(nodes + static_cast<std::size_t>(ref) * Node::kStride), x);
  }
  return ref - n_nodes;
}

std::size_t node_stride(ModelDtype dtype, std::uint32_t child_bytes) noexcept {
  if (dtype == ModelDtype::kInt16) return child_bytes == 2 ? NodeI16C16::kStride : NodeI16C32::kStride;
  return child_bytes == 2 ? NodeF32C16::kStride : NodeF32C32::kStride;
}

std::size_t leaf_value_bytes(TreeLeaf leaf) noexcept {
  switch (leaf) {
    case TreeLeaf::kU16: return 2;
    case TreeLeaf::kF32: return 4;
    case TreeLeaf::kF64: return 8;
  }
  return 0;
}

// Index of the first largest of n leaf values read as unsigned integers T
// (uint16 fractions, or float32/float64 bit patterns: load() checked that
// those are non-negative, so integer order is value order; no FPU needed).
template <class T>
inline std::uint32_t first_max(const std::uint8_t* p, std::size_t n) noexcept {
  std::uint32_t best = 0;
  T best_v = ld<T>(p);
  for (std::size_t k = 1; k < n; ++k) {
    const T q = ld<T>(p + sizeof(T) * k);
    if (q > best_v) {
      best_v = q;
      best = static_cast<std::uint32_t>(k);
    }
  }
  return best;
}

// Leaf value checks on the bit patterns (no floating point needed): finite,
// and for classifiers a probability in [+0, 1] (a set sign bit, even -0.0, is
// rejected, so bit patterns order like the values; argmax relies on it).
bool valid_f32(std::uint32_t bits, bool probability) noexcept {
  if (probability) return bits <= 0x3F800000u;
  return (bits & 0x7F800000u) != 0x7F800000u;
}
bool valid_f64(std::uint64_t bits, bool probability) noexcept {
  if (probability) return bits <= 0x3FF0000000000000ull;
  return (bits & 0x7FF0000000000000ull) != 0x7FF0000000000000ull;
}

Status validate_nodes(const std::uint8_t* nodes, std::uint32_t n_nodes, std::uint64_t n_refs,
                      std::uint32_t n_features, ModelDtype dtype, std::uint32_t child_bytes) noexcept {
  const std::size_t stride = node_stride(dtype, child_bytes);
  const bool is_f32 = dtype == ModelDtype::kFloat32;
  // Offset of the children inside a node, after feature and threshold.
  const std::size_t children = is_f32 ? 8 : 4;
  for (std::uint32_t i = 0; i < n_nodes; ++i) {
    const std::uint8_t* n = nodes + static_cast<std::size_t>(i) * stride;
    if (ld<std::uint16_t>(n) >= n_features) return Status::kCorrupt;
    if (is_f32) {
      if (ld<std::uint16_t>(n + 2) != 0) return Status::kCorrupt;
      if ((ld<std::uint32_t>(n + 4) & 0x7FFFFFFFu) > 0x7F800000u) return Status::kCorrupt;  // NaN
    }
    for (std::size_t side = 0; side < 2; ++side) {
      const std::uint8_t* c = n + children + side * child_bytes;
      const std::uint32_t ref = child_bytes == 2 ? ld<std::uint16_t>(c) : ld<std::uint32_t>(c);
      // A split-node child must lie after its parent: walks only move forward.
      if (ref < n_nodes ? ref <= i : ref >= n_refs) return Status::kCorrupt;
    }
  }
  return Status::kOk;
}

Status validate_leaves(const std::uint8_t* leaves, std::size_t count, TreeLeaf leaf,
                       bool classifier) noexcept {
  for (std::size_t i = 0; i < count; ++i) {
    switch (leaf) {
      case TreeLeaf::kU16:
        break;  // every uint16 is a fraction in [0, 1]
      case TreeLeaf::kF32:
        if (!valid_f32(ld<std::uint32_t>(leaves + 4 * i), classifier)) return Status::kCorrupt;
        break;
      case TreeLeaf::kF64:
        if (!valid_f64(ld<std::uint64_t>(leaves + 8 * i), classifier)) return Status::kCorrupt;
        break;
    }
  }
  return Status::kOk;
}

}  // namespace

Status Forest::load(Span<const std::uint8_t> model, Span<Accumulator> scratch) noexcept {
  *this = Forest();
  ModelInfo info{};
  TINYSENSE_TRY(parse_model(model, ModelKind::kTrees, &info));
  const Span<const std::uint8_t> p = info.payload;
  if (p.size() < kTreesPayloadHeader) return Status::kCorrupt;
  const std::uint8_t task = p[0];
  const std::uint8_t leaf = p[1];
  const std::uint8_t child_bytes = p[2];
  if (task > 1 || leaf > 2 || (child_bytes != 2 && child_bytes != 4) || p[3] != 0) {
    return Status::kCorrupt;
  }
  const bool classifier = task == 0;
  const auto leaf_type = static_cast<TreeLeaf>(leaf);
  if (!classifier && leaf_type == TreeLeaf::kU16) return Status::kCorrupt;
  if (info.input_dtype != ModelDtype::kFloat32 && info.input_dtype != ModelDtype::kInt16) {
    return Status::kNotSupported;
  }
  if (info.output_dtype != (classifier ? ModelDtype::kInt32 : ModelDtype::kFloat32)) {
    return Status::kCorrupt;
  }
  if (info.n_inputs == 0 || info.n_outputs == 0) return Status::kCorrupt;
  if (info.n_inputs > kTreesMaxFeatures || info.n_outputs > kTreesMaxOutputs) {
    return Status::kNotSupported;
  }
  if (info.arena_bytes != arena_bytes(info.n_outputs)) return Status::kCorrupt;
  const std::uint32_t n_trees = read_u32(p.data() + 4);
  const std::uint32_t n_nodes = read_u32(p.data() + 8);
  const std::uint32_t n_leaves = read_u32(p.data() + 12);
  if (n_trees == 0 || n_leaves == 0) return Status::kCorrupt;
  if (n_trees > kTreesMaxTrees) return Status::kNotSupported;
  // References address split nodes and leaves in one index space.
  const std::uint64_t n_refs = static_cast<std::uint64_t>(n_nodes) + n_leaves;
  if (n_refs > (child_bytes == 2 ? 0x10000ull : 0xFFFFFFFFull)) return Status::kCorrupt;
  // Sizes in 64 bits: every factor is < 2^32 and the leaf product < 2^51.
  const std::uint64_t stride = node_stride(info.input_dtype, child_bytes);
  const std::uint64_t n_values = static_cast<std::uint64_t>(n_leaves) * info.n_outputs;
  const std::uint64_t leaf_bytes = n_values * leaf_value_bytes(leaf_type);
  const std::uint64_t roots_off = kTreesPayloadHeader;
  const std::uint64_t nodes_off = roots_off + 4ull * n_trees;
  const std::uint64_t leaves_off = nodes_off + stride * n_nodes;
  const std::uint64_t end = leaves_off + ((leaf_bytes + 3) & ~3ull);
  if (end != p.size()) return Status::kCorrupt;
  if (scratch.size() < scratch_len(info.n_outputs)) return Status::kNoMemory;

  const std::uint8_t* roots = p.data() + roots_off;
  for (std::uint32_t t = 0; t < n_trees; ++t) {
    if (read_u32(roots + 4 * t) >= n_refs) return Status::kCorrupt;
  }
  const std::uint8_t* nodes = p.data() + nodes_off;
  TINYSENSE_TRY(validate_nodes(nodes, n_nodes, n_refs, info.n_inputs, info.input_dtype, child_bytes));
  const std::uint8_t* leaves = p.data() + leaves_off;
  TINYSENSE_TRY(validate_leaves(leaves, static_cast<std::size_t>(n_values), leaf_type, classifier));
  for (std::uint64_t i = leaves_off + leaf_bytes; i < end; ++i) {
    if (p[static_cast<std::size_t>(i)] != 0) return Status::kCorrupt;  // padding
  }

  roots_ = roots;
  nodes_ = nodes;
  leaves_ = leaves;
  acc_ = scratch.data();
  n_features_ = info.n_inputs;
  n_outputs_ = info.n_outputs;
  n_trees_ = n_trees;
  n_nodes_ = n_nodes;
  n_leaves_ = n_leaves;
  child_bytes_ = child_bytes;
  dtype_ = info.input_dtype;
  leaf_ = leaf_type;
  classifier_ = classifier;
  return Status::kOk;
}

template <class X>
Status Forest::check_input(Span<const X> x, ModelDtype want) const noexcept {
  if (!loaded()) return Status::kNotInitialized;
  if (dtype_ != want) return Status::kInvalidArgument;
  if (x.size() != n_features_) return Status::kSizeMismatch;
  return Status::kOk;
}

namespace {

// Calls fn(leaf) for the leaf every tree reaches, in tree order.
template <class Node, class Fn>
inline void for_each_leaf(const std::uint8_t* roots, std::uint32_t n_trees, const std::uint8_t* nodes,
                          std::uint32_t n_nodes, const typename Node::X* x, Fn fn) noexcept {
  for (std::uint32_t t = 0; t < n_trees; ++t) {
    fn(walk_tree<Node>(nodes, n_nodes, ld<std::uint32_t>(roots + 4 * static_cast<std::size_t>(t)), x));
  }
}

}  // namespace

template <class Node, class X>
void Forest::accumulate_layout(const X* x, Sum sum) noexcept {
  // One loop per kind of sum (the switch is outside the loop over trees).
  const std::size_t v = n_outputs_;
  Accumulator* acc = acc_;
  const std::uint8_t* leaves = aligned4(leaves_);
  switch (sum) {
    case Sum::kU16:
      for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
        const std::uint8_t* p = leaves + static_cast<std::size_t>(leaf) * v * 2;
        for (std::size_t k = 0; k < v; ++k) acc[k].u32 += ld<std::uint16_t>(p + 2 * k);
      });
      break;
    case Sum::kF32:
      for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
        const std::uint8_t* p = aligned4(leaves + static_cast<std::size_t>(leaf) * v * 4);
        for (std::size_t k = 0; k < v; ++k) acc[k].f32 += ld<float>(p + 4 * k);
      });
      break;
    case Sum::kF64:
      // Same additions, in the same (tree) order, as sklearn's float64 sum.
      for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
        const std::uint8_t* p = aligned4(leaves + static_cast<std::size_t>(leaf) * v * 8);
        for (std::size_t k = 0; k < v; ++k) acc[k].f64 += ld<double>(p + 8 * k);
      });
      break;
    case Sum::kVotes:
      // Each tree votes for its leaf's most probable class.
      if (leaf_ == TreeLeaf::kU16) {
        for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
          acc[first_max<std::uint16_t>(leaves + static_cast<std::size_t>(leaf) * v * 2, v)].u32 += 1;
        });
      } else if (leaf_ == TreeLeaf::kF32) {
        for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
          acc[first_max<std::uint32_t>(leaves + static_cast<std::size_t>(leaf) * v * 4, v)].u32 += 1;
        });
      } else {
        for_each_leaf<Node>(roots_, n_trees_, nodes_, n_nodes_, x, [&](std::uint32_t leaf) {
          acc[first_max<std::uint64_t>(leaves + static_cast<std::size_t>(leaf) * v * 8, v)].u32 += 1;
        });
      }
      break;
  }
}

template <class X>
void Forest::accumulate(const X* x, Sum sum) noexcept {
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    if (sum == Sum::kF32) {
      acc_[k].f32 = 0.0f;
    } else if (sum == Sum::kF64) {
      acc_[k].f64 = 0.0;
    } else {
      acc_[k].u32 = 0;
    }
  }
  if constexpr (std::is_same_v<X, float>) {
    if (child_bytes_ == 2) {
      accumulate_layout<NodeF32C16>(x, sum);
    } else {
      accumulate_layout<NodeF32C32>(x, sum);
    }
  } else {
    if (child_bytes_ == 2) {
      accumulate_layout<NodeI16C16>(x, sum);
    } else {
      accumulate_layout<NodeI16C32>(x, sum);
    }
  }
}

template <class X>
std::uint32_t Forest::walk(const X* x, std::uint32_t tree) const noexcept {
  const std::uint32_t root = ld<std::uint32_t>(roots_ + 4 * static_cast<std::size_t>(tree));
  if constexpr (std::is_same_v<X, float>) {
    return child_bytes_ == 2 ? walk_tree<NodeF32C16>(nodes_, n_nodes_, root, x)
                             : walk_tree<NodeF32C32>(nodes_, n_nodes_, root, x);
  } else {
    return child_bytes_ == 2 ? walk_tree<NodeI16C16>(nodes_, n_nodes_, root, x)
                             : walk_tree<NodeI16C32>(nodes_, n_nodes_, root, x);
  }
}

Forest::Sum Forest::sum_for(Voting voting) const noexcept {
  if (voting == Voting::kHard) return Sum::kVotes;
  switch (leaf_) {
    case TreeLeaf::kU16: return Sum::kU16;
    case TreeLeaf::kF32: return Sum::kF32;
    case TreeLeaf::kF64: return Sum::kF64;
  }
  return Sum::kF32;
}

std::uint32_t Forest::argmax_acc(Sum sum) const noexcept {
  std::uint32_t best = 0;
  for (std::uint32_t k = 1; k < n_outputs_; ++k) {
    bool greater;
    switch (sum) {
      case Sum::kF32: greater = acc_[k].f32 > acc_[best].f32; break;
      case Sum::kF64: greater = acc_[k].f64 > acc_[best].f64; break;
      default: greater = acc_[k].u32 > acc_[best].u32; break;
    }
    if (greater) best = k;  // strict: the first maximum wins, as numpy.argmax
  }
  return best;
}

template <class X>
Status Forest::predict_impl(Span<const X> x, ModelDtype want, std::int32_t* cls,
                            Voting voting) noexcept {
  TINYSENSE_TRY(check_input(x, want));
  if (!classifier_ || cls == nullptr) return Status::kInvalidArgument;
  const Sum sum = sum_for(voting);
  accumulate(x.data(), sum);
  if (sum == Sum::kF64 && n_trees_ > 1) {
    // sklearn divides the sum by the number of trees before its argmax; the
    // rounding of that division can turn two close sums into a tie.
    const double n = static_cast<double>(n_trees_);
    for (std::size_t k = 0; k < n_outputs_; ++k) acc_[k].f64 /= n;
  }
  *cls = static_cast<std::int32_t>(argmax_acc(sum));
  return Status::kOk;
}

template <class X>
Status Forest::proba_impl(Span<const X> x, ModelDtype want, Span<float> proba,
                          Voting voting) noexcept {
  TINYSENSE_TRY(check_input(x, want));
  if (!classifier_) return Status::kInvalidArgument;
  if (proba.size() != n_outputs_) return Status::kSizeMismatch;
  const Sum sum = sum_for(voting);
  accumulate(x.data(), sum);
  const std::uint32_t n = n_trees_;
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    switch (sum) {
      case Sum::kU16:
        proba[k] = static_cast<float>(acc_[k].u32) / static_cast<float>(n * kU16One);
        break;
      case Sum::kF32: proba[k] = acc_[k].f32 / static_cast<float>(n); break;
      case Sum::kF64: proba[k] = static_cast<float>(acc_[k].f64 / static_cast<double>(n)); break;
      case Sum::kVotes: proba[k] = static_cast<float>(acc_[k].u32) / static_cast<float>(n); break;
    }
  }
  return Status::kOk;
}

template <class X>
Status Forest::regress_impl(Span<const X> x, ModelDtype want, Span<float> out) noexcept {
  TINYSENSE_TRY(check_input(x, want));
  if (classifier_) return Status::kInvalidArgument;
  if (out.size() != n_outputs_) return Status::kSizeMismatch;
  const Sum sum = sum_for(Voting::kSoft);
  accumulate(x.data(), sum);
  const std::uint32_t n = n_trees_;
  for (std::size_t k = 0; k < n_outputs_; ++k) {
    out[k] = sum == Sum::kF64 ? static_cast<float>(acc_[k].f64 / static_cast<double>(n))
                              : acc_[k].f32 / static_cast<float>(n);
  }
  return Status::kOk;
}

template <class X>
Status Forest::leaf_impl(Span<const X> x, ModelDtype want, std::uint32_t tree,
                         std::uint32_t* leaf) const noexcept {
  TINYSENSE_TRY(check_input(x, want));
  if (leaf == nullptr) return Status::kInvalidArgument;
  if (tree >= n_trees_) return Status::kOutOfRange;
  *leaf = walk(x.data(), tree);
  return Status::kOk;
}

Status Forest::predict(Span<const float> x, std::int32_t* cls, Voting voting) noexcept {
  return predict_impl(x, ModelDtype::kFloat32, cls, voting);
}
Status Forest::predict(Span<const std::int16_t> x, std::int32_t* cls, Voting voting) noexcept {
  return predict_impl(x, ModelDtype::kInt16, cls, voting);
}
Status Forest::predict_proba(Span<const float> x, Span<float> proba, Voting voting) noexcept {
  return proba_impl(x, ModelDtype::kFloat32, proba, voting);
}
Status Forest::predict_proba(Span<const std::int16_t> x, Span<float> proba, Voting voting) noexcept {
  return proba_impl(x, ModelDtype::kInt16, proba, voting);
}
Status Forest::regress(Span<const float> x, Span<float> out) noexcept {
  return regress_impl(x, ModelDtype::kFloat32, out);
}
Status Forest::regress(Span<const std::int16_t> x, Span<float> out) noexcept {
  return regress_impl(x, ModelDtype::kInt16, out);
}
Status Forest::leaf_index(Span<const float> x, std::uint32_t tree, std::uint32_t* leaf) const noexcept {
  return leaf_impl(x, ModelDtype::kFloat32, tree, leaf);
}
Status Forest::leaf_index(Span<const std::int16_t> x, std::uint32_t tree,
                          std::uint32_t* leaf) const noexcept {
  return leaf_impl(x, ModelDtype::kInt16, tree, leaf);
}

}  // namespace tinysense::ml
