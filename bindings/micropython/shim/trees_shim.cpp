// Shim for tinysense_trees: decision-tree ensembles run from a model file.
#include "model_shim.hpp"
#include "shim_util.hpp"
#include "tinysense/ml/trees.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace ml = tinysense::ml;

namespace {

struct ForestInstance {
  ml::Forest forest;
  std::uint32_t n_acc;
};

std::size_t layout(void* base, std::size_t n_outputs, ForestInstance** inst,
                   ml::Forest::Accumulator** acc) noexcept {
  Carver c(base);
  *inst = c.make<ForestInstance>();
  *acc = c.take<ml::Forest::Accumulator>(ml::Forest::scratch_len(n_outputs));
  return c.size();
}

ForestInstance* get(void* mem) noexcept { return static_cast<ForestInstance*>(mem); }

ml::Voting voting(int hard) noexcept { return hard != 0 ? ml::Voting::kHard : ml::Voting::kSoft; }

}  // namespace

extern "C" {

size_t ts_forest_bytes(const uint8_t* model, size_t len) {
  if (!tinysense::mp::header_ok(model, len, ml::ModelKind::kTrees)) return 0;
  const std::uint32_t n_out = ml::read_u32(model + tinysense::mp::kOffOutputs);
  if (n_out == 0 || n_out > ml::kTreesMaxOutputs) return 0;
  ForestInstance* inst = nullptr;
  ml::Forest::Accumulator* acc = nullptr;
  return layout(nullptr, n_out, &inst, &acc);
}

int ts_forest_load(void* mem, const uint8_t* model, size_t len) {
  if (!tinysense::mp::header_ok(model, len, ml::ModelKind::kTrees)) {
    return to_int(Status::kCorrupt);
  }
  const std::uint32_t n_out = ml::read_u32(model + tinysense::mp::kOffOutputs);
  ForestInstance* inst = nullptr;
  ml::Forest::Accumulator* acc = nullptr;
  layout(mem, n_out, &inst, &acc);
  inst->n_acc = n_out;
  return to_int(inst->forest.load(Span<const std::uint8_t>(model, len),
                                  Span<ml::Forest::Accumulator>(acc, n_out)));
}

void ts_forest_info_get(const void* mem, ts_forest_info* info) {
  const ml::Forest& f = static_cast<const ForestInstance*>(mem)->forest;
  info->n_features = f.n_features();
  info->n_outputs = f.n_outputs();
  info->n_trees = f.n_trees();
  info->classifier = f.is_classifier() ? 1 : 0;
  info->input_int16 = f.input_dtype() == ml::ModelDtype::kInt16 ? 1 : 0;
}

int ts_forest_predict(void* mem, const void* x, size_t n, int x_int16, int hard, int32_t* cls) {
  ml::Forest& f = get(mem)->forest;
  if (x_int16 != 0) {
    return to_int(f.predict(Span<const std::int16_t>(static_cast<const std::int16_t*>(x), n), cls,
                            voting(hard)));
  }
  return to_int(f.predict(Span<const float>(static_cast<const float*>(x), n), cls, voting(hard)));
}

int ts_forest_proba(void* mem, const void* x, size_t n, int x_int16, int hard, float* out,
                    size_t out_len) {
  ml::Forest& f = get(mem)->forest;
  if (x_int16 != 0) {
    return to_int(f.predict_proba(Span<const std::int16_t>(static_cast<const std::int16_t*>(x), n),
                                  Span<float>(out, out_len), voting(hard)));
  }
  return to_int(f.predict_proba(Span<const float>(static_cast<const float*>(x), n),
                                Span<float>(out, out_len), voting(hard)));
}

int ts_forest_regress(void* mem, const void* x, size_t n, int x_int16, float* out, size_t out_len) {
  ml::Forest& f = get(mem)->forest;
  if (x_int16 != 0) {
    return to_int(f.regress(Span<const std::int16_t>(static_cast<const std::int16_t*>(x), n),
                            Span<float>(out, out_len)));
  }
  return to_int(f.regress(Span<const float>(static_cast<const float*>(x), n), Span<float>(out, out_len)));
}

}  // extern "C"
