// Tree ensembles (tinysense/ml/trees.hpp) against scikit-learn: predict equal on
// every row, probabilities/values bit-exact with the numpy model of the runner
// (python/tinysense/convert_trees.py) and within the leaf quantisation of
// sklearn; load() rejecting every kind of damaged payload; the fuzz corpus.
#include <cmath>
#include <cstring>
#include <limits>

#include "../../fuzz/fuzz_targets.hpp"
#include "golden_trees.hpp"
#include "tinysense/core/crc32.hpp"
#include "tinysense/ml/trees.hpp"
#include "tolerances.hpp"
#include "model_bytes.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::ml;
namespace g = golden::trees;

namespace {

constexpr std::size_t kMaxOut = 16;
Forest::Accumulator g_acc[kMaxOut];

Span<const std::uint8_t> bytes(const std::uint8_t* p, std::size_t n) { return {p, n}; }

struct ClassifierCase {
  const char* name;
  const std::uint8_t* model;
  std::size_t model_len;
  const float* xf;          // float32 rows, or
  const std::int16_t* xi;   // int16 rows
  std::size_t rows;
  const std::int32_t* sk_cls;
  const double* sk_proba;
  const float* proba;       // numpy model of the runner
  const std::int32_t* hard_cls;
  const float* hard_proba;
  long long leaf;
};

#define TREES_CASE_F(n) \
  ClassifierCase{#n, g::n##_model, g::n##_model_len, g::n##_x, nullptr, g::n##_rows, g::n##_sk_cls, \
                 g::n##_sk_proba, g::n##_proba, g::n##_hard_cls, g::n##_hard_proba, g::n##_leaf}
#define TREES_CASE_I(n) \
  ClassifierCase{#n, g::n##_model, g::n##_model_len, nullptr, g::n##_x, g::n##_rows, g::n##_sk_cls, \
                 g::n##_sk_proba, g::n##_proba, g::n##_hard_cls, g::n##_hard_proba, g::n##_leaf}

const ClassifierCase kClassifiers[] = {
    TREES_CASE_F(iris_dt), TREES_CASE_F(iris_rf), TREES_CASE_I(wine_et16), TREES_CASE_F(bc_rf),
    TREES_CASE_I(digits_rf16), TREES_CASE_F(big), TREES_CASE_F(edge),
};

// Row i of a case as the overload the model takes.
Status predict_row(Forest& f, const ClassifierCase& c, std::size_t i, std::int32_t* cls, Voting v) {
  const std::size_t nf = f.n_features();
  if (c.xi != nullptr) return f.predict(Span<const std::int16_t>(c.xi + i * nf, nf), cls, v);
  return f.predict(Span<const float>(c.xf + i * nf, nf), cls, v);
}
Status proba_row(Forest& f, const ClassifierCase& c, std::size_t i, Span<float> out, Voting v) {
  const std::size_t nf = f.n_features();
  if (c.xi != nullptr) return f.predict_proba(Span<const std::int16_t>(c.xi + i * nf, nf), out, v);
  return f.predict_proba(Span<const float>(c.xf + i * nf, nf), out, v);
}

double proba_tolerance(long long leaf) {
  if (leaf == static_cast<long long>(TreeLeaf::kU16)) return tt::tol::kTreesProbaU16Abs;
  if (leaf == static_cast<long long>(TreeLeaf::kF32)) return tt::tol::kTreesProbaF32Abs;
  return 0.0;  // f64: float32 rounding of sklearn's own float64 result, compared exactly
}

// Mutable copy of a model for damage tests; resign() re-signs it so the
// payload checks (not the CRC) must catch the damage.
tt::ModelBytes<4096> g_model;
Status load_buf(Forest& f, std::size_t scratch = kMaxOut) {
  return f.load(Span<const std::uint8_t>(g_model.buf, g_model.len), Span<Forest::Accumulator>(g_acc, scratch));
}

// Payload offsets of a model in g_model.buf (format: docs/design/model-trees.md).
struct Layout {
  std::size_t roots, nodes, leaves, stride, children;
  std::uint32_t n_trees, n_nodes, n_leaves;
};
Layout layout_of_buf() {
  const std::size_t p = kModelHeaderSize;
  Layout l{};
  l.n_trees = read_u32(g_model.buf + p + 4);
  l.n_nodes = read_u32(g_model.buf + p + 8);
  l.n_leaves = read_u32(g_model.buf + p + 12);
  const bool f32 = read_u16(g_model.buf + 16) == static_cast<std::uint16_t>(ModelDtype::kFloat32);
  const bool c16 = g_model.buf[p + 2] == 2;
  l.stride = f32 ? (c16 ? 12 : 16) : (c16 ? 8 : 12);
  l.children = f32 ? 8 : 4;
  l.roots = p + kTreesPayloadHeader;
  l.nodes = l.roots + 4u * l.n_trees;
  l.leaves = l.nodes + l.stride * l.n_nodes;
  return l;
}

}  // namespace

TT_TEST(classifiers_match_sklearn_on_every_row) {
  for (const ClassifierCase& c : kClassifiers) {
    Forest f;
    TT_CHECK(f.load(bytes(c.model, c.model_len), g_acc) == Status::kOk);
    TT_CHECK(f.is_classifier());
    TT_CHECK_EQ(static_cast<long long>(f.leaf_type()), c.leaf);
    const std::size_t nc = f.n_outputs();
    const double tol = proba_tolerance(c.leaf);
    int wrong = 0, wrong_numpy = 0, wrong_hard = 0, proba_not_exact = 0;
    double max_err = 0.0;
    for (std::size_t i = 0; i < c.rows; ++i) {
      std::int32_t cls = -1, hard = -1;
      float p[kMaxOut], hp[kMaxOut];
      TT_CHECK(predict_row(f, c, i, &cls, Voting::kSoft) == Status::kOk);
      TT_CHECK(predict_row(f, c, i, &hard, Voting::kHard) == Status::kOk);
      TT_CHECK(proba_row(f, c, i, Span<float>(p, nc), Voting::kSoft) == Status::kOk);
      TT_CHECK(proba_row(f, c, i, Span<float>(hp, nc), Voting::kHard) == Status::kOk);
      if (cls != c.sk_cls[i]) ++wrong;
      if (hard != c.hard_cls[i]) ++wrong_hard;
      for (std::size_t k = 0; k < nc; ++k) {
        // Bit-exact with the numpy model (same operations in the same order).
        if (p[k] != c.proba[i * nc + k] || hp[k] != c.hard_proba[i * nc + k]) ++wrong_numpy;
        const double ref = c.sk_proba[i * nc + k];
        const double err = std::fabs(static_cast<double>(p[k]) - ref);
        if (err > max_err) max_err = err;
        if (tol == 0.0 && p[k] != static_cast<float>(ref)) ++proba_not_exact;
      }
    }
    if (wrong != 0 || wrong_numpy != 0 || wrong_hard != 0 || proba_not_exact != 0 || max_err > tol + 6e-8) {
      std::printf("    case %s: %d predict mismatches, %d numpy mismatches, %d hard mismatches, "
                  "%d inexact f64 probabilities, max |proba - sklearn| %.3g\n",
                  c.name, wrong, wrong_numpy, wrong_hard, proba_not_exact, max_err);
    }
    TT_CHECK_EQ(wrong, 0);
    TT_CHECK_EQ(wrong_numpy, 0);
    TT_CHECK_EQ(wrong_hard, 0);
    TT_CHECK_EQ(proba_not_exact, 0);
    TT_CHECK_LE(max_err, tol + 6e-8);  // + float32 rounding of the result
  }
}

TT_TEST(big_model_beyond_emlearn_limits) {
  // > 127 features and > 32768 sklearn nodes, 4-byte child references.
  TT_CHECK(g::big_sk_nodes > 32768);
  Forest f;
  TT_CHECK(f.load(bytes(g::big_model, g::big_model_len), g_acc) == Status::kOk);
  TT_CHECK_EQ(f.n_features(), 300u);
  TT_CHECK_EQ(f.child_bytes(), 4u);
  TT_CHECK_EQ(f.n_nodes(), static_cast<std::uint32_t>(g::big_nodes));
  // Duplicate leaves merged: a fully grown forest has pure leaves, one per class.
  TT_CHECK_EQ(f.n_leaves(), 3u);
}

TT_TEST(regressors_match_sklearn) {
  struct Case {
    const char* name;
    const std::uint8_t* model;
    std::size_t len;
    const float* xf;
    const std::int16_t* xi;
    std::size_t rows;
    const double* sk;
    const float* values;
    long long leaf;
  };
  const Case cases[] = {
      {"reg_rf", g::reg_rf_model, g::reg_rf_model_len, g::reg_rf_x, nullptr, g::reg_rf_rows,
       g::reg_rf_sk_values, g::reg_rf_values, g::reg_rf_leaf},
      {"reg_dt16", g::reg_dt16_model, g::reg_dt16_model_len, nullptr, g::reg_dt16_x, g::reg_dt16_rows,
       g::reg_dt16_sk_values, g::reg_dt16_values, g::reg_dt16_leaf},
  };
  for (const Case& c : cases) {
    Forest f;
    TT_CHECK(f.load(bytes(c.model, c.len), g_acc) == Status::kOk);
    TT_CHECK(!f.is_classifier());
    const std::size_t nf = f.n_features(), no = f.n_outputs();
    double max_err = 0.0, max_ref = 0.0;
    int not_numpy = 0, not_exact = 0;
    for (std::size_t i = 0; i < c.rows; ++i) {
      float out[kMaxOut];
      const Status s = c.xi != nullptr
                           ? f.regress(Span<const std::int16_t>(c.xi + i * nf, nf), Span<float>(out, no))
                           : f.regress(Span<const float>(c.xf + i * nf, nf), Span<float>(out, no));
      TT_CHECK(s == Status::kOk);
      for (std::size_t k = 0; k < no; ++k) {
        const double ref = c.sk[i * no + k];
        if (out[k] != c.values[i * no + k]) ++not_numpy;
        if (c.leaf == static_cast<long long>(TreeLeaf::kF64) && out[k] != static_cast<float>(ref)) ++not_exact;
        max_err = std::fmax(max_err, std::fabs(static_cast<double>(out[k]) - ref));
        max_ref = std::fmax(max_ref, std::fabs(ref));
      }
    }
    TT_CHECK_EQ(not_numpy, 0);
    TT_CHECK_EQ(not_exact, 0);  // f64 leaves: sklearn's float64 result rounded to float32
    TT_CHECK_LE(max_err / max_ref, tt::tol::kTreesRegressF32Rel);
  }
}

TT_TEST(threshold_rounds_down_and_nan_goes_right) {
  // sklearn split at (a + b) / 2 between float32 neighbours a < b; the
  // nearest float32 of that threshold is b, which would send b left.
  Forest f;
  TT_CHECK(f.load(bytes(g::edge_model, g::edge_model_len), g_acc) == Status::kOk);
  const float a = static_cast<float>(g::edge_a), b = static_cast<float>(g::edge_b);
  const float inputs[] = {a, b, -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()};
  const std::int32_t expect[] = {0, 1, 0, 1, 1};
  for (std::size_t i = 0; i < 5; ++i) {
    std::int32_t cls = -1;
    TT_CHECK(f.predict(Span<const float>(&inputs[i], 1), &cls) == Status::kOk);
    TT_CHECK_EQ(cls, expect[i]);
  }
}

TT_TEST(leaf_indices_in_range) {
  Forest f;
  TT_CHECK(f.load(bytes(g::digits_rf16_model, g::digits_rf16_model_len), g_acc) == Status::kOk);
  const std::size_t nf = f.n_features();
  int bad = 0;
  for (std::size_t i = 0; i < g::digits_rf16_rows; ++i) {
    for (std::uint32_t t = 0; t < f.n_trees(); ++t) {
      std::uint32_t leaf = 0xFFFFFFFFu;
      TT_CHECK(f.leaf_index(Span<const std::int16_t>(g::digits_rf16_x + i * nf, nf), t, &leaf) ==
               Status::kOk);
      if (leaf >= f.n_leaves()) ++bad;
    }
  }
  TT_CHECK_EQ(bad, 0);
  std::uint32_t leaf = 0;
  TT_CHECK(f.leaf_index(Span<const std::int16_t>(g::digits_rf16_x, nf), f.n_trees(), &leaf) ==
           Status::kOutOfRange);
}

TT_TEST(api_misuse_is_reported) {
  Forest f;
  float xf[4] = {1, 2, 3, 4};
  std::int16_t xi[4] = {1, 2, 3, 4};
  std::int32_t cls = 0;
  float p[4];
  TT_CHECK(f.predict(Span<const float>(xf, 4), &cls) == Status::kNotInitialized);
  TT_CHECK(f.load(bytes(g::iris_dt_model, g::iris_dt_model_len), Span<Forest::Accumulator>(g_acc, 2)) ==
           Status::kNoMemory);
  TT_CHECK(!f.loaded());
  TT_CHECK(f.load(bytes(g::iris_dt_model, g::iris_dt_model_len), g_acc) == Status::kOk);
  TT_CHECK(f.predict(Span<const std::int16_t>(xi, 4), &cls) == Status::kInvalidArgument);  // dtype
  TT_CHECK(f.predict(Span<const float>(xf, 3), &cls) == Status::kSizeMismatch);
  TT_CHECK(f.predict(Span<const float>(xf, 4), nullptr) == Status::kInvalidArgument);
  TT_CHECK(f.regress(Span<const float>(xf, 4), Span<float>(p, 3)) == Status::kInvalidArgument);
  TT_CHECK(f.predict_proba(Span<const float>(xf, 4), Span<float>(p, 4)) == Status::kSizeMismatch);
  // Tail canary: exactly n_outputs values are written.
  float out[4] = {-7.0f, -7.0f, -7.0f, -7.0f};
  TT_CHECK(f.predict_proba(Span<const float>(xf, 4), Span<float>(out, 3)) == Status::kOk);
  TT_CHECK_EQ(out[3], -7.0f);
  TT_CHECK_NEAR(out[0] + out[1] + out[2], 1.0, 1e-4);
  // A regressor refuses classification.
  TT_CHECK(f.load(bytes(g::reg_rf_model, g::reg_rf_model_len), g_acc) == Status::kOk);
  float x8[8] = {};
  TT_CHECK(f.predict(Span<const float>(x8, 8), &cls) == Status::kInvalidArgument);
  TT_CHECK(f.predict_proba(Span<const float>(x8, 8), Span<float>(p, 3)) == Status::kInvalidArgument);
  // The owning variant.
  ForestN<3> owned;
  TT_CHECK(owned.load(bytes(g::iris_rf_model, g::iris_rf_model_len)) == Status::kOk);
  TT_CHECK(owned.predict(Span<const float>(g::iris_rf_x, 4), &cls) == Status::kOk);
  TT_CHECK_EQ(cls, g::iris_rf_sk_cls[0]);
  ForestN<2> too_small;
  TT_CHECK(too_small.load(bytes(g::iris_rf_model, g::iris_rf_model_len)) == Status::kNoMemory);
}

TT_TEST(load_rejects_damaged_payloads) {
  Forest f;
  struct Edit {
    const char* what;
    std::size_t off;
    int width;  // bytes written: 1, 2, 4 or 8
    std::uint64_t value;
    Status expect;
  };
  const std::size_t p = kModelHeaderSize;
  // iris_rf: float32, 2-byte children, f64 leaves, 10 trees.
  g_model.copy(g::iris_rf_model, g::iris_rf_model_len);
  const Layout l = layout_of_buf();
  const Edit edits[] = {
      {"task", p + 0, 1, 2, Status::kCorrupt},
      {"task regressor", p + 0, 1, 1, Status::kCorrupt},  // output dtype says classifier
      {"leaf type", p + 1, 1, 3, Status::kCorrupt},
      {"child bytes", p + 2, 1, 3, Status::kCorrupt},
      {"reserved", p + 3, 1, 1, Status::kCorrupt},
      {"no trees", p + 4, 4, 0, Status::kCorrupt},
      {"too many trees", p + 4, 4, 70000, Status::kNotSupported},
      {"one node more", p + 8, 4, l.n_nodes + 1, Status::kCorrupt},
      {"one node less", p + 8, 4, l.n_nodes - 1, Status::kCorrupt},
      {"no leaves", p + 12, 4, 0, Status::kCorrupt},
      {"2^32-1 leaves", p + 12, 4, 0xFFFFFFFFu, Status::kCorrupt},
      {"root out of range", l.roots + 4, 4, l.n_nodes + l.n_leaves, Status::kCorrupt},
      {"left child loops to itself", l.nodes + l.children, 2, 0, Status::kCorrupt},
      {"right child points back", l.nodes + l.stride + l.children + 2, 2, 0, Status::kCorrupt},
      {"child out of range", l.nodes + l.children, 2, static_cast<std::uint32_t>(l.n_nodes + l.n_leaves),
       Status::kCorrupt},
      {"feature out of range", l.nodes, 2, 4, Status::kCorrupt},
      {"nonzero pad", l.nodes + 2, 2, 1, Status::kCorrupt},
      {"NaN threshold", l.nodes + 4, 4, 0x7FC00000u, Status::kCorrupt},
      {"probability above 1", l.leaves, 8, 0x3FF0000000000001ull, Status::kCorrupt},
      {"negative zero probability", l.leaves + 8, 8, 0x8000000000000000ull, Status::kCorrupt},
      {"NaN probability", l.leaves, 8, 0x7FF8000000000000ull, Status::kCorrupt},
      {"infinite probability", l.leaves, 8, 0x7FF0000000000000ull, Status::kCorrupt},
      {"arena bytes", 12, 4, 16, Status::kCorrupt},
      {"output dtype", 18, 2, static_cast<std::uint16_t>(ModelDtype::kFloat32), Status::kCorrupt},
      {"input dtype int8", 16, 2, static_cast<std::uint16_t>(ModelDtype::kInt8), Status::kNotSupported},
      {"no features", 20, 4, 0, Status::kCorrupt},
      {"too many features", 20, 4, 70000, Status::kNotSupported},
      {"no outputs", 24, 4, 0, Status::kCorrupt},
  };
  for (const Edit& e : edits) {
    g_model.copy(g::iris_rf_model, g::iris_rf_model_len);
    if (e.width == 1) g_model.buf[e.off] = static_cast<std::uint8_t>(e.value);
    if (e.width == 2) g_model.put_u16(e.off, static_cast<std::uint16_t>(e.value));
    if (e.width >= 4) g_model.put_u32(e.off, static_cast<std::uint32_t>(e.value));
    if (e.width == 8) g_model.put_u32(e.off + 4, static_cast<std::uint32_t>(e.value >> 32));
    g_model.resign();
    const Status s = load_buf(f);
    if (s != e.expect) std::printf("    %s: got %s\n", e.what, to_string(s));
    TT_CHECK(s == e.expect);
    TT_CHECK(!f.loaded());
  }
  // Unsigned CRC, wrong kind.
  g_model.copy(g::iris_rf_model, g::iris_rf_model_len);
  g_model.buf[l.nodes + 4] ^= 1;
  TT_CHECK(load_buf(f) == Status::kCorrupt);
  g_model.copy(g::iris_rf_model, g::iris_rf_model_len);
  g_model.put_u16(6, static_cast<std::uint16_t>(ModelKind::kKnn));
  g_model.resign();
  TT_CHECK(load_buf(f) == Status::kInvalidArgument);
  // Nonzero padding after the leaves (iris_dt: 18 bytes of u16 leaves + 2).
  g_model.copy(g::iris_dt_model, g::iris_dt_model_len);
  TT_CHECK_EQ(g_model.buf[g_model.len - 1], 0);
  g_model.buf[g_model.len - 1] = 1;
  g_model.resign();
  TT_CHECK(load_buf(f) == Status::kCorrupt);
  // int16 model with 4-byte children: backward and out-of-range references.
  g_model.copy(g::wine_et16_model, g::wine_et16_model_len);
  const Layout w = layout_of_buf();
  g_model.put_u32(w.nodes + w.stride + 4, 1);  // node 1's left child is itself
  g_model.resign();
  TT_CHECK(load_buf(f) == Status::kCorrupt);
  g_model.copy(g::wine_et16_model, g::wine_et16_model_len);
  g_model.put_u32(w.nodes + 8, w.n_nodes + w.n_leaves);
  g_model.resign();
  TT_CHECK(load_buf(f) == Status::kCorrupt);
  g_model.copy(g::wine_et16_model, g::wine_et16_model_len);
  g_model.put_u32(p + 12, 0xFFFFFFFFu);  // n_nodes + n_leaves overflows 32 bits
  g_model.resign();
  TT_CHECK(load_buf(f) == Status::kCorrupt);
}

TT_TEST(every_truncation_is_rejected) {
  // Payload cut at every length, header size and CRC made consistent: the
  // payload's own sizes must disagree.
  Forest f;
  int accepted = 0;
  for (std::size_t n = kModelHeaderSize; n < g::iris_rf_model_len; ++n) {
    g_model.copy(g::iris_rf_model, n);
    g_model.resign();
    if (load_buf(f) == Status::kOk) ++accepted;
  }
  TT_CHECK_EQ(accepted, 0);
}

TT_TEST(byte_mutations_never_break_predict) {
  // Every payload byte set to a few values, CRC re-signed: load() either
  // rejects the model or predict() works with every leaf in range (ASan and
  // the DCHECKs watch the memory accesses).
  const ClassifierCase* cases[] = {&kClassifiers[0], &kClassifiers[1], &kClassifiers[2]};
  int loaded = 0, bad_leaf = 0;
  for (const ClassifierCase* c : cases) {
    for (std::size_t pos = kModelHeaderSize; pos < c->model_len; ++pos) {
      const std::uint8_t orig = c->model[pos];
      const std::uint8_t values[] = {0, 0xFF, static_cast<std::uint8_t>(orig ^ 1),
                                     static_cast<std::uint8_t>(orig ^ 0x80)};
      for (std::uint8_t v : values) {
        if (v == orig) continue;
        g_model.copy(c->model, c->model_len);
        g_model.buf[pos] = v;
        g_model.resign();
        Forest f;
        if (load_buf(f) != Status::kOk) continue;
        ++loaded;
        for (std::size_t i = 0; i < 8; ++i) {
          std::int32_t cls = -1;
          float pr[kMaxOut];
          TT_CHECK(predict_row(f, *c, i, &cls, Voting::kSoft) == Status::kOk);
          TT_CHECK(predict_row(f, *c, i, &cls, Voting::kHard) == Status::kOk);
          TT_CHECK(proba_row(f, *c, i, Span<float>(pr, f.n_outputs()), Voting::kSoft) == Status::kOk);
          if (cls < 0 || static_cast<std::uint32_t>(cls) >= f.n_outputs()) ++bad_leaf;
        }
      }
    }
  }
  TT_CHECK_EQ(bad_leaf, 0);
  TT_CHECK(loaded > 0);  // thresholds and leaf values may change and stay valid
}

TT_TEST(fuzz_corpus_runs_clean) {
  // Every seed of fuzz/corpus/fuzz_trees and fuzz_model through the fuzz
  // harness (fuzz/fuzz_targets.hpp): must not crash, leak or trip a sanitizer.
  int files = 0, loaded = 0;
  for (std::size_t i = 0; i + 1 < g::corpus_fuzz_trees_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_fuzz_trees_offsets[i], b = g::corpus_fuzz_trees_offsets[i + 1];
    loaded += tinysense::fuzz::run_trees(g::corpus_fuzz_trees + a, b - a);
    ++files;
  }
  for (std::size_t i = 0; i + 1 < g::corpus_fuzz_model_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_fuzz_model_offsets[i], b = g::corpus_fuzz_model_offsets[i + 1];
    loaded += tinysense::fuzz::run_model(g::corpus_fuzz_model + a, b - a);
    ++files;
  }
  std::printf("    fuzz corpus: %d files, %d loaded\n", files, loaded);
  TT_CHECK(files > 0);
  TT_CHECK(loaded > 0);
}
