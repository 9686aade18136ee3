// Shim for tinysense_knn: k-nearest neighbours on int16 features, from a model
// file and/or items added on the device (storage inside the instance).
#include <cmath>

#include "model_shim.hpp"
#include "shim_util.hpp"
#include "tinysense/ml/knn.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace ml = tinysense::ml;

namespace {

struct KnnInstance {
  ml::Knn knn;
  std::size_t max_k;
  std::uint64_t* dist2;  // max_k squared distances for kneighbors()
};

struct KnnParts {
  KnnInstance* inst;
  Span<ml::Knn::Neighbor> scratch;
  Span<std::int16_t> storage;
  Span<std::uint16_t> labels;
};

std::size_t layout(void* base, std::size_t n_features, std::size_t max_k, std::size_t capacity,
                   KnnParts* p) noexcept {
  Carver c(base);
  p->inst = c.make<KnnInstance>();
  const std::size_t ns = ml::Knn::scratch_len(max_k);
  p->scratch = Span<ml::Knn::Neighbor>(c.take<ml::Knn::Neighbor>(ns), ns);
  std::uint64_t* dist2 = c.take<std::uint64_t>(max_k);
  if (p->inst != nullptr) p->inst->dist2 = dist2;
  const std::size_t st = ml::Knn::storage_len(capacity, n_features);
  p->storage = Span<std::int16_t>(c.take<std::int16_t>(st), st);
  p->labels = Span<std::uint16_t>(c.take<std::uint16_t>(capacity), capacity);
  return c.size();
}

ml::Knn& get(void* mem) noexcept { return static_cast<KnnInstance*>(mem)->knn; }

}  // namespace

extern "C" {

size_t ts_knn_bytes(size_t n_features, size_t max_k, size_t capacity) {
  KnnParts p{};
  return layout(nullptr, n_features, max_k, capacity, &p);
}

int ts_knn_model_info(const uint8_t* model, size_t len, uint32_t* n_features, uint32_t* k) {
  if (!tinysense::mp::header_ok(model, len, ml::ModelKind::kKnn)) return to_int(Status::kCorrupt);
  *n_features = ml::read_u32(model + tinysense::mp::kOffInputs);
  *k = ml::read_u32(model + tinysense::mp::kOffArenaBytes) / 16u;  // arena_bytes = 16 k
  if (*n_features == 0 || *n_features > ml::kKnnMaxFeatures || *k == 0 || *k > 65535u) {
    return to_int(Status::kCorrupt);
  }
  return TS_OK;
}

int ts_knn_init(void* mem, uint32_t n_features, uint32_t n_classes, uint32_t k, size_t max_k,
                size_t capacity) {
  KnnParts p{};
  layout(mem, n_features, max_k, capacity, &p);
  p.inst->max_k = max_k;
  return to_int(p.inst->knn.init(n_features, n_classes, k, p.storage, p.labels, p.scratch));
}

int ts_knn_load(void* mem, const uint8_t* model, size_t len, size_t n_features, size_t max_k,
                size_t capacity) {
  KnnParts p{};
  layout(mem, n_features, max_k, capacity, &p);
  p.inst->max_k = max_k;
  return to_int(
      p.inst->knn.load(Span<const std::uint8_t>(model, len), p.storage, p.labels, p.scratch));
}

int ts_knn_add(void* mem, const int16_t* x, size_t n, uint16_t label) {
  return to_int(get(mem).add(Span<const std::int16_t>(x, n), label));
}

void ts_knn_clear_added(void* mem) { get(mem).clear_added(); }

int ts_knn_set_k(void* mem, uint32_t k) { return to_int(get(mem).set_k(k)); }

int ts_knn_predict(void* mem, const int16_t* x, size_t n, int32_t* cls) {
  return to_int(get(mem).predict(Span<const std::int16_t>(x, n), cls));
}

int ts_knn_proba(void* mem, const int16_t* x, size_t n, float* out, size_t out_len) {
  return to_int(get(mem).predict_proba(Span<const std::int16_t>(x, n), Span<float>(out, out_len)));
}

int ts_knn_kneighbors(void* mem, const int16_t* x, size_t n, uint32_t* index, float* dist,
                      size_t len, size_t* count) {
  auto* inst = static_cast<KnnInstance*>(mem);
  std::size_t found = 0;
  TS_TRY(inst->knn.kneighbors(Span<const std::int16_t>(x, n), Span<std::uint32_t>(index, len),
                              Span<std::uint64_t>(inst->dist2, inst->max_k), &found));
  if (dist != nullptr) {
    for (std::size_t i = 0; i < found; ++i) {
      dist[i] = static_cast<float>(std::sqrt(static_cast<double>(inst->dist2[i])));
    }
  }
  *count = found;
  return TS_OK;
}

void ts_knn_info_get(const void* mem, ts_knn_info* info) {
  const auto* inst = static_cast<const KnnInstance*>(mem);
  info->n_features = inst->knn.n_features();
  info->n_classes = inst->knn.n_classes();
  info->k = inst->knn.k();
  info->size = inst->knn.size();
  info->model_items = inst->knn.model_items();
  info->capacity = inst->knn.capacity();
  info->max_k = inst->max_k;
}

}  // extern "C"
