// Shim for tinysense_cnn: the CNN runner with its arena inside the instance.
#include "model_shim.hpp"
#include "shim_util.hpp"
#include "tinysense/nn/cnn.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace ml = tinysense::ml;
namespace nn = tinysense::nn;

namespace {

// Largest arena accepted from a header before validation (64 MiB): a corrupt
// header must not turn into a huge allocation.
constexpr std::uint32_t kMaxArena = 64u << 20;

struct CnnInstance {
  nn::Cnn cnn;
  std::uint8_t* arena;
  std::size_t arena_len;
};

std::size_t layout(void* base, std::size_t arena_bytes, CnnInstance** inst) noexcept {
  Carver c(base);
  *inst = c.make<CnnInstance>();
  // uint32_t items: the arena must be 4-byte aligned (kCnnArenaAlign).
  std::uint8_t* arena = reinterpret_cast<std::uint8_t*>(c.take<std::uint32_t>((arena_bytes + 3) / 4));
  if (*inst != nullptr) {
    (*inst)->arena = arena;
    (*inst)->arena_len = (arena_bytes + 3) / 4 * 4;
  }
  return c.size();
}

CnnInstance* get(void* mem) noexcept { return static_cast<CnnInstance*>(mem); }
Span<std::uint8_t> arena(CnnInstance* inst) noexcept {
  return Span<std::uint8_t>(inst->arena, inst->arena_len);
}

}  // namespace

extern "C" {

size_t ts_cnn_bytes(const uint8_t* model, size_t len) {
  if (!tinysense::mp::header_ok(model, len, ml::ModelKind::kCnn)) return 0;
  const std::uint32_t a = ml::read_u32(model + tinysense::mp::kOffArenaBytes);
  if (a > kMaxArena) return 0;
  CnnInstance* inst = nullptr;
  return layout(nullptr, a, &inst);
}

int ts_cnn_load(void* mem, const uint8_t* model, size_t len) {
  if (!tinysense::mp::header_ok(model, len, ml::ModelKind::kCnn)) return to_int(Status::kCorrupt);
  const std::uint32_t a = ml::read_u32(model + tinysense::mp::kOffArenaBytes);
  if (a > kMaxArena) return to_int(Status::kNotSupported);
  CnnInstance* inst = nullptr;
  layout(mem, a, &inst);
  return to_int(inst->cnn.load(Span<const std::uint8_t>(model, len)));
}

void ts_cnn_info_get(const void* mem, ts_cnn_info* info) {
  const nn::Cnn& cnn = static_cast<const CnnInstance*>(mem)->cnn;
  const nn::TensorInfo in = cnn.input();
  const nn::TensorInfo out = cnn.output();
  info->in_h = in.shape.h;
  info->in_w = in.shape.w;
  info->in_c = in.shape.c;
  info->in_float = in.dtype == ml::ModelDtype::kFloat32 ? 1 : 0;
  info->in_scale = in.scale;
  info->in_zero_point = in.zero_point;
  info->out_size = out.size();
  info->out_float = out.dtype == ml::ModelDtype::kFloat32 ? 1 : 0;
  info->out_scale = out.scale;
  info->out_zero_point = out.zero_point;
  info->arena_bytes = cnn.arena_bytes();
  info->num_ops = cnn.num_ops();
}

int ts_cnn_run(void* mem, const void* in, size_t in_len, int in_float, void* out, size_t out_len,
               int out_float) {
  CnnInstance* inst = get(mem);
  if (in_float != 0) {
    if (out_float == 0) return to_int(Status::kInvalidArgument);
    return to_int(inst->cnn.run(Span<const float>(static_cast<const float*>(in), in_len),
                                Span<float>(static_cast<float*>(out), out_len), arena(inst)));
  }
  const Span<const std::int8_t> x(static_cast<const std::int8_t*>(in), in_len);
  if (out_float != 0) {
    return to_int(inst->cnn.run(x, Span<float>(static_cast<float*>(out), out_len), arena(inst)));
  }
  return to_int(
      inst->cnn.run(x, Span<std::int8_t>(static_cast<std::int8_t*>(out), out_len), arena(inst)));
}

int ts_cnn_predict(void* mem, const void* in, size_t in_len, int in_float, int32_t* cls) {
  CnnInstance* inst = get(mem);
  const nn::Cnn& cnn = inst->cnn;
  const Span<std::uint8_t> a = arena(inst);
  // Copy into the input tensor, invoke, argmax over the output tensor.
  if (in_float != 0) {
    const Span<float> dst = cnn.input_f32(a);
    if (dst.empty()) return to_int(Status::kInvalidArgument);
    if (dst.size() != in_len) return to_int(Status::kSizeMismatch);
    for (std::size_t i = 0; i < in_len; ++i) dst[i] = static_cast<const float*>(in)[i];
  } else {
    const Span<std::int8_t> dst = cnn.input_s8(a);
    if (dst.empty()) return to_int(Status::kInvalidArgument);
    if (dst.size() != in_len) return to_int(Status::kSizeMismatch);
    for (std::size_t i = 0; i < in_len; ++i) dst[i] = static_cast<const std::int8_t*>(in)[i];
  }
  TS_TRY(cnn.invoke(a));
  const Span<const float> of = cnn.output_f32(a);
  const std::size_t best = of.empty() ? nn::argmax(cnn.output_s8(a)) : nn::argmax(of);
  *cls = static_cast<std::int32_t>(best);
  return TS_OK;
}

}  // extern "C"
