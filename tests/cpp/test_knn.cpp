// k-NN (tinysense/ml/knn.hpp) against scikit-learn KNeighborsClassifier(brute):
// predictions, probabilities and neighbour sets equal on every row, on-device
// add() equal to sklearn fitted on the same items, sklearn's tie rules, and
// load() rejecting damaged files; the fuzz corpus.
#include <cstring>

#include "../../fuzz/fuzz_targets.hpp"
#include "golden_knn.hpp"
#include "tinysense/core/crc32.hpp"
#include "tinysense/ml/knn.hpp"
#include "model_bytes.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::ml;
namespace g = golden::knn;

namespace {

constexpr std::size_t kMaxK = 16;
Knn::Neighbor g_heap[kMaxK];
std::int16_t g_storage[200 * 64];
std::uint16_t g_labels[200];

Span<const std::uint8_t> bytes(const std::uint8_t* p, std::size_t n) { return {p, n}; }

struct Case {
  const char* name;
  const std::uint8_t* model;
  std::size_t model_len;
  const std::int16_t* x;
  std::size_t rows;
  const std::int32_t* sk_cls;
  const float* sk_proba;
  const std::uint32_t* neighbors;  // sorted index sets, k per row
  long long k;
};
#define KNN_CASE(n) \
  Case { #n, g::n##_model, g::n##_model_len, g::n##_x, g::n##_rows, g::n##_sk_cls, g::n##_sk_proba, \
         g::n##_neighbors, g::n##_k }
const Case kCases[] = {KNN_CASE(iris), KNN_CASE(wine), KNN_CASE(digits)};

// Checks every row of c against sklearn with a loaded/trained classifier.
void check_case(Knn& knn, const Case& c, int* wrong, int* wrong_proba, int* wrong_set) {
  const std::size_t nf = knn.n_features(), nc = knn.n_classes();
  for (std::size_t i = 0; i < c.rows; ++i) {
    const Span<const std::int16_t> x(c.x + i * nf, nf);
    std::int32_t cls = -1;
    TT_CHECK(knn.predict(x, &cls) == Status::kOk);
    if (cls != c.sk_cls[i]) ++*wrong;
    float p[16];
    TT_CHECK(knn.predict_proba(x, Span<float>(p, nc)) == Status::kOk);
    for (std::size_t j = 0; j < nc; ++j) {
      if (p[j] != c.sk_proba[i * nc + j]) ++*wrong_proba;
    }
    std::uint32_t idx[kMaxK];
    std::uint64_t dist[kMaxK];
    std::size_t count = 0;
    TT_CHECK(knn.kneighbors(x, Span<std::uint32_t>(idx, kMaxK), Span<std::uint64_t>(dist, kMaxK), &count) ==
             Status::kOk);
    TT_CHECK_EQ(count, static_cast<std::size_t>(c.k));
    // Nearest first; compare as a set with sklearn's.
    bool sorted = true;
    for (std::size_t j = 1; j < count; ++j) sorted = sorted && dist[j - 1] <= dist[j];
    TT_CHECK(sorted);
    for (std::size_t j = 0; j < count; ++j) {
      bool found = false;
      for (std::size_t m = 0; m < count; ++m) found = found || idx[m] == c.neighbors[i * count + j];
      if (!found) ++*wrong_set;
    }
  }
}

tt::ModelBytes<16384> g_model;
Status load_buf(Knn& knn) {
  return knn.load(Span<const std::uint8_t>(g_model.buf, g_model.len), Span<std::int16_t>(), Span<std::uint16_t>(),
                  Span<Knn::Neighbor>(g_heap));
}

}  // namespace

TT_TEST(matches_sklearn_on_every_row) {
  for (const Case& c : kCases) {
    Knn knn;
    TT_CHECK(knn.load(bytes(c.model, c.model_len), Span<std::int16_t>(), Span<std::uint16_t>(),
                      Span<Knn::Neighbor>(g_heap)) == Status::kOk);
    TT_CHECK_EQ(knn.k(), static_cast<std::uint32_t>(c.k));
    int wrong = 0, wrong_proba = 0, wrong_set = 0;
    check_case(knn, c, &wrong, &wrong_proba, &wrong_set);
    if (wrong + wrong_proba + wrong_set != 0) {
      std::printf("    case %s: %d predict, %d proba, %d neighbour mismatches\n", c.name, wrong, wrong_proba,
                  wrong_set);
    }
    TT_CHECK_EQ(wrong, 0);
    TT_CHECK_EQ(wrong_proba, 0);
    TT_CHECK_EQ(wrong_set, 0);
  }
}

TT_TEST(on_device_learning_equals_sklearn) {
  const Case& c = kCases[0];
  const std::size_t nf = 4, n = g::iris_train_y_len;
  // Empty classifier, every training item added in order.
  Knn knn;
  TT_CHECK(knn.init(4, 3, 5, Span<std::int16_t>(g_storage, n * nf), Span<std::uint16_t>(g_labels, n),
                    Span<Knn::Neighbor>(g_heap)) == Status::kOk);
  std::int32_t cls = 0;
  TT_CHECK(knn.predict(Span<const std::int16_t>(c.x, nf), &cls) == Status::kNoData);
  for (std::size_t i = 0; i < n; ++i) {
    TT_CHECK(knn.add(Span<const std::int16_t>(g::iris_train_x + i * nf, nf), g::iris_train_y[i]) == Status::kOk);
  }
  TT_CHECK(knn.add(Span<const std::int16_t>(g::iris_train_x, nf), 0) == Status::kNoSpace);
  int wrong = 0, wrong_proba = 0, wrong_set = 0;
  check_case(knn, c, &wrong, &wrong_proba, &wrong_set);
  TT_CHECK_EQ(wrong + wrong_proba + wrong_set, 0);
  // Half of the items in the file (zero-copy), the other half added.
  const std::size_t half = static_cast<std::size_t>(g::iris_half);
  TT_CHECK(knn.load(bytes(g::iris_half_model, g::iris_half_model_len),
                    Span<std::int16_t>(g_storage, (n - half) * nf), Span<std::uint16_t>(g_labels, n - half),
                    Span<Knn::Neighbor>(g_heap)) == Status::kOk);
  TT_CHECK_EQ(knn.model_items(), half);
  for (std::size_t i = half; i < n; ++i) {
    TT_CHECK(knn.add(Span<const std::int16_t>(g::iris_train_x + i * nf, nf), g::iris_train_y[i]) == Status::kOk);
  }
  wrong = wrong_proba = wrong_set = 0;
  check_case(knn, c, &wrong, &wrong_proba, &wrong_set);
  TT_CHECK_EQ(wrong + wrong_proba + wrong_set, 0);
  // Forgetting the added items leaves the file's.
  knn.clear_added();
  TT_CHECK_EQ(knn.size(), half);
}

TT_TEST(sklearn_heap_tie_rule) {
  // Items at distances [8, 0, 2, 8, 2, 0] from (0, 0), k = 5: sklearn keeps
  // items 1..5 (the later of the two at distance 8); a stable sort would keep 0.
  Knn knn;
  TT_CHECK(knn.load(bytes(g::tie_model, g::tie_model_len), Span<std::int16_t>(), Span<std::uint16_t>(),
                    Span<Knn::Neighbor>(g_heap)) == Status::kOk);
  const std::int16_t q[2] = {0, 0};
  std::uint32_t idx[5];
  std::uint64_t dist[5];
  std::size_t count = 0;
  TT_CHECK(knn.kneighbors(Span<const std::int16_t>(q, 2), Span<std::uint32_t>(idx), Span<std::uint64_t>(dist),
                          &count) == Status::kOk);
  TT_CHECK_EQ(count, 5u);
  const std::uint32_t want_idx[5] = {1, 5, 2, 4, 3};  // by (distance, index)
  const std::uint64_t want_dist[5] = {0, 0, 2, 2, 8};
  for (std::size_t i = 0; i < 5; ++i) {
    TT_CHECK_EQ(idx[i], want_idx[i]);
    TT_CHECK_EQ(dist[i], want_dist[i]);
  }
}

TT_TEST(vote_ties_pick_smallest_class_and_k_adapts) {
  KnnN<4, 1, 4> knn;
  TT_CHECK(knn.init(3, 2) == Status::kOk);
  const std::int16_t a = 10, b = -10, q = 0;
  TT_CHECK(knn.add(Span<const std::int16_t>(&a, 1), 2) == Status::kOk);
  std::int32_t cls = -1;
  TT_CHECK(knn.predict(Span<const std::int16_t>(&q, 1), &cls) == Status::kOk);  // k = 1 item
  TT_CHECK_EQ(cls, 2);
  TT_CHECK(knn.add(Span<const std::int16_t>(&b, 1), 1) == Status::kOk);
  TT_CHECK(knn.predict(Span<const std::int16_t>(&q, 1), &cls) == Status::kOk);  // 1 vote each
  TT_CHECK_EQ(cls, 1);
  float p[3];
  TT_CHECK(knn.predict_proba(Span<const std::int16_t>(&q, 1), Span<float>(p)) == Status::kOk);
  TT_CHECK(p[0] == 0.0f && p[1] == 0.5f && p[2] == 0.5f);
  TT_CHECK(knn.set_k(4) == Status::kOk);
  TT_CHECK(knn.set_k(5) == Status::kInvalidArgument);  // scratch holds 4
  TT_CHECK(knn.set_k(0) == Status::kInvalidArgument);
}

TT_TEST(extreme_distances_are_exact) {
  // Every difference 65535: 8 * 65535^2 overflows 32 bits, not the uint64 sum.
  KnnN<1, 8, 1> knn;
  TT_CHECK(knn.init(2, 1) == Status::kOk);
  std::int16_t lo[8], hi[8];
  for (int i = 0; i < 8; ++i) {
    lo[i] = -32768;
    hi[i] = 32767;
  }
  TT_CHECK(knn.add(Span<const std::int16_t>(lo), 1) == Status::kOk);
  std::uint32_t idx[1];
  std::uint64_t dist[1];
  std::size_t count = 0;
  TT_CHECK(knn.kneighbors(Span<const std::int16_t>(hi), Span<std::uint32_t>(idx), Span<std::uint64_t>(dist),
                          &count) == Status::kOk);
  TT_CHECK_EQ(dist[0], 8ull * 65535ull * 65535ull);
}

TT_TEST(api_misuse_is_reported) {
  Knn knn;
  const std::int16_t x[4] = {1, 2, 3, 4};
  std::int32_t cls = 0;
  TT_CHECK(knn.predict(Span<const std::int16_t>(x), &cls) == Status::kNotInitialized);
  TT_CHECK(knn.add(Span<const std::int16_t>(x), 0) == Status::kNotInitialized);
  const auto st = Span<std::int16_t>(g_storage, 8);
  const auto lb = Span<std::uint16_t>(g_labels, 2);
  TT_CHECK(knn.init(0, 3, 1, st, lb, Span<Knn::Neighbor>(g_heap)) == Status::kInvalidArgument);
  TT_CHECK(knn.init(4, 0, 1, st, lb, Span<Knn::Neighbor>(g_heap)) == Status::kInvalidArgument);
  TT_CHECK(knn.init(4, 3, 0, st, lb, Span<Knn::Neighbor>(g_heap)) == Status::kInvalidArgument);
  TT_CHECK(knn.init(4, 3, 3, st, lb, Span<Knn::Neighbor>(g_heap, 2)) == Status::kNoMemory);
  TT_CHECK(knn.init(4, 3, 1, Span<std::int16_t>(g_storage, 7), lb, Span<Knn::Neighbor>(g_heap)) ==
           Status::kSizeMismatch);
  TT_CHECK(!knn.ready());
  TT_CHECK(knn.init(4, 3, 1, st, lb, Span<Knn::Neighbor>(g_heap)) == Status::kOk);
  TT_CHECK(knn.add(Span<const std::int16_t>(x, 3), 0) == Status::kSizeMismatch);
  TT_CHECK(knn.add(Span<const std::int16_t>(x), 3) == Status::kInvalidArgument);
  TT_CHECK(knn.add(Span<const std::int16_t>(x), 2) == Status::kOk);
  TT_CHECK(knn.predict(Span<const std::int16_t>(x, 5), &cls) == Status::kSizeMismatch);
  TT_CHECK(knn.predict(Span<const std::int16_t>(x), nullptr) == Status::kInvalidArgument);
  // Tail canary on predict_proba.
  float p[4] = {-1, -1, -1, -1};
  TT_CHECK(knn.predict_proba(Span<const std::int16_t>(x), Span<float>(p, 4)) == Status::kSizeMismatch);
  TT_CHECK(knn.predict_proba(Span<const std::int16_t>(x), Span<float>(p, 3)) == Status::kOk);
  TT_CHECK(p[2] == 1.0f && p[3] == -1.0f);
  std::uint32_t idx[1];
  std::uint64_t dist[1];
  std::size_t count = 0;
  TT_CHECK(knn.kneighbors(Span<const std::int16_t>(x), Span<std::uint32_t>(idx, 0), Span<std::uint64_t>(dist),
                          &count) == Status::kSizeMismatch);
}

TT_TEST(load_rejects_damaged_files) {
  Knn knn;
  const std::size_t p = kModelHeaderSize;
  // iris: 75 items x 4 features, k = 5 -> x ends at p + 8 + 600, labels 150 bytes + 2 pad.
  struct Edit {
    const char* what;
    std::size_t off;
    int width;
    std::uint32_t value;
    Status expect;
  };
  const std::uint32_t n_items = read_u32(g::iris_model + p);
  const std::size_t y_off = p + 8 + 2 * 4 * n_items;
  const Edit edits[] = {
      {"input dtype float", 16, 2, static_cast<std::uint16_t>(ModelDtype::kFloat32), Status::kNotSupported},
      {"output dtype", 18, 2, static_cast<std::uint16_t>(ModelDtype::kFloat32), Status::kCorrupt},
      {"no features", 20, 4, 0, Status::kCorrupt},
      {"features 65536", 20, 4, 65536, Status::kNotSupported},
      {"no classes", 24, 4, 0, Status::kCorrupt},
      {"arena bytes", 12, 4, 0, Status::kCorrupt},
      {"k = 0", p + 4, 2, 0, Status::kCorrupt},
      {"reserved", p + 6, 2, 1, Status::kCorrupt},
      {"one item more", p, 4, n_items + 1, Status::kCorrupt},
      {"one item less", p, 4, n_items - 1, Status::kCorrupt},
      {"2^32-1 items", p, 4, 0xFFFFFFFFu, Status::kCorrupt},
      {"label out of range", y_off, 2, 3, Status::kCorrupt},
      {"label padding", y_off + 2 * n_items, 2, 1, Status::kCorrupt},
  };
  for (const Edit& e : edits) {
    g_model.copy(g::iris_model, g::iris_model_len);
    if (e.width == 2) g_model.put_u16(e.off, static_cast<std::uint16_t>(e.value));
    if (e.width == 4) g_model.put_u32(e.off, e.value);
    g_model.resign();
    const Status s = load_buf(knn);
    if (s != e.expect) std::printf("    %s: got %s\n", e.what, to_string(s));
    TT_CHECK(s == e.expect);
    TT_CHECK(!knn.ready());
  }
  // k larger than the scratch; storage not matching the feature count.
  g_model.copy(g::iris_model, g::iris_model_len);
  g_model.put_u16(p + 4, static_cast<std::uint16_t>(kMaxK + 1));
  g_model.put_u32(12, Knn::arena_bytes(kMaxK + 1));
  g_model.resign();
  TT_CHECK(load_buf(knn) == Status::kNoMemory);
  TT_CHECK(knn.load(bytes(g::iris_model, g::iris_model_len), Span<std::int16_t>(g_storage, 5),
                    Span<std::uint16_t>(g_labels, 1), Span<Knn::Neighbor>(g_heap)) == Status::kSizeMismatch);
  // Feature padding (wine: 89 x 13 int16 = 2314 bytes + 2 pad).
  g_model.copy(g::wine_model, g::wine_model_len);
  const std::uint32_t wn = read_u32(g_model.buf + p);
  TT_CHECK_EQ((2u * 13u * wn) % 4u, 2u);
  g_model.buf[p + 8 + 2 * 13 * wn] = 1;
  g_model.resign();
  TT_CHECK(load_buf(knn) == Status::kCorrupt);
  // Every truncation, re-signed.
  int accepted = 0;
  for (std::size_t n = kModelHeaderSize; n < g::iris_model_len; ++n) {
    g_model.copy(g::iris_model, n);
    g_model.resign();
    if (load_buf(knn) == Status::kOk) ++accepted;
  }
  TT_CHECK_EQ(accepted, 0);
}

TT_TEST(byte_mutations_never_break_predict) {
  int loaded = 0, bad = 0;
  for (std::size_t pos = kModelHeaderSize; pos < g::iris_model_len; ++pos) {
    const std::uint8_t orig = g::iris_model[pos];
    const std::uint8_t values[] = {0, 0xFF, static_cast<std::uint8_t>(orig ^ 1)};
    for (std::uint8_t v : values) {
      if (v == orig) continue;
      g_model.copy(g::iris_model, g::iris_model_len);
      g_model.buf[pos] = v;
      g_model.resign();
      Knn knn;
      if (load_buf(knn) != Status::kOk) continue;
      ++loaded;
      std::int32_t cls = -1;
      TT_CHECK(knn.predict(Span<const std::int16_t>(g::iris_x, 4), &cls) == Status::kOk);
      if (cls < 0 || cls >= 3) ++bad;
    }
  }
  TT_CHECK(loaded > 0);
  TT_CHECK_EQ(bad, 0);
}

TT_TEST(fuzz_corpus_runs_clean) {
  int files = 0, loaded = 0;
  for (std::size_t i = 0; i + 1 < g::corpus_fuzz_knn_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_fuzz_knn_offsets[i], b = g::corpus_fuzz_knn_offsets[i + 1];
    loaded += tinysense::fuzz::run_knn(g::corpus_fuzz_knn + a, b - a);
    ++files;
  }
  std::printf("    fuzz corpus: %d files, %d loaded\n", files, loaded);
  TT_CHECK(files > 0);
  TT_CHECK(loaded > 0);
}
