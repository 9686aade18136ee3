#include "tinysense/nn/cnn.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace tinysense::nn {
namespace {

using ml::ModelDtype;
using ml::read_u16;
using ml::read_u32;

constexpr std::uint16_t kFlagFloat = 1;
constexpr std::uint16_t kExpOne = 32768;  // softmax exp table value of exp(0), Q15

float read_f32(const std::uint8_t* p) noexcept {
  const std::uint32_t u = read_u32(p);
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Decoded op record (docs/design/model-cnn.md).
struct OpRecord {
  OpType type;
  Activation act;
  Window win;
  int pad_bottom;
  int pad_right;
  int depth_multiplier;
  std::int32_t act_min;
  std::int32_t act_max;
  std::uint32_t data_offset;
  std::uint32_t data_bytes;
};

OpRecord decode_op(const std::uint8_t* p) noexcept {
  OpRecord r{};
  r.type = static_cast<OpType>(p[0]);
  r.act = static_cast<Activation>(p[1]);
  r.win = Window{p[2], p[3], p[4], p[5], p[6], p[7]};
  r.pad_bottom = p[8];
  r.pad_right = p[9];
  r.depth_multiplier = p[10];
  r.act_min = static_cast<std::int16_t>(read_u16(p + 12));
  r.act_max = static_cast<std::int16_t>(read_u16(p + 14));
  r.data_offset = read_u32(p + 16);
  r.data_bytes = read_u32(p + 20);
  return r;
}

constexpr std::size_t kTensorTable = kCnnHeaderBytes;
std::size_t op_table(std::size_t n_ops) noexcept {
  return kCnnHeaderBytes + (n_ops + 1) * kCnnTensorBytes;
}

bool same_quant(const TensorInfo& a, const TensorInfo& b) noexcept {
  return std::memcmp(&a.scale, &b.scale, sizeof a.scale) == 0 && a.zero_point == b.zero_point;
}

// Float clamp bounds of a fused activation.
void float_bounds(Activation act, float* lo, float* hi) noexcept {
  *lo = act == Activation::kNone ? -INFINITY : 0.0f;
  *hi = act == Activation::kRelu6 ? 6.0f : INFINITY;
}

// Output size of a window op, or -1 when the window does not fit.
std::int64_t window_out(int in, int k, int stride, int pad_a, int pad_b) noexcept {
  const std::int64_t span = std::int64_t{in} + pad_a + pad_b - k;
  return span < 0 ? -1 : span / stride + 1;
}

bool valid_multiplier(std::int32_t m, std::int32_t shift) noexcept {
  if (m == 0) return shift == 0;
  return m >= (std::int32_t{1} << 30) && shift >= -31 && shift <= kMaxShift;
}

}  // namespace

TensorInfo Cnn::tensor(std::size_t i) const noexcept {
  TINYSENSE_DCHECK(loaded() && i <= n_ops_);
  const std::uint8_t* p = payload_ + kTensorTable + i * kCnnTensorBytes;
  TensorInfo t{};
  t.shape = Shape{read_u16(p), read_u16(p + 2), read_u16(p + 4)};
  t.dtype = static_cast<ModelDtype>(read_u16(p + 6));
  t.offset = read_u32(p + 8);
  t.scale = read_f32(p + 12);
  t.zero_point = static_cast<std::int32_t>(read_u32(p + 16));
  return t;
}

OpType Cnn::op_type(std::size_t i) const noexcept {
  TINYSENSE_DCHECK(loaded() && i < n_ops_);
  return static_cast<OpType>(payload_[op_table(n_ops_) + i * kCnnOpBytes]);
}

Status Cnn::load(Span<const std::uint8_t> model) noexcept {
  *this = Cnn{};
  ml::ModelInfo info{};
  TINYSENSE_TRY(ml::parse_model(model, ml::ModelKind::kCnn, &info));
  const Span<const std::uint8_t> pl = info.payload;
  if (pl.size() < kCnnHeaderBytes) return Status::kCorrupt;
  const std::uint32_t n_ops = read_u16(pl.data());
  const std::uint16_t flags = read_u16(pl.data() + 2);
  if (n_ops == 0 || n_ops > kCnnMaxOps) return Status::kCorrupt;
  if ((flags & ~kFlagFloat) != 0 || read_u32(pl.data() + 4) != 0) return Status::kCorrupt;
  if (pl.size() < op_table(n_ops) + n_ops * kCnnOpBytes) return Status::kCorrupt;
  if (info.arena_bytes == 0 || info.arena_bytes > kCnnMaxArenaBytes) return Status::kCorrupt;
  Cnn c;
  c.payload_ = pl.data();
  c.payload_size_ = static_cast<std::uint32_t>(pl.size());
  c.arena_bytes_ = info.arena_bytes;
  c.n_ops_ = n_ops;
  c.float_ = (flags & kFlagFloat) != 0;
  TINYSENSE_TRY(c.validate());
  const TensorInfo in = c.input();
  const TensorInfo out = c.output();
  if (info.n_inputs != in.size() || info.n_outputs != out.size() ||
      info.input_dtype != in.dtype || info.output_dtype != out.dtype) {
    return Status::kCorrupt;
  }
  *this = c;
  return Status::kOk;
}

Status Cnn::validate() const noexcept {
  const ModelDtype act_dtype = float_ ? ModelDtype::kFloat32 : ModelDtype::kInt8;
  // Tensors: shapes, dtypes, quantisation, inside the arena.
  for (std::size_t i = 0; i <= n_ops_; ++i) {
    const TensorInfo t = tensor(i);
    if (t.shape.h < 1 || t.shape.w < 1 || t.shape.c < 1) return Status::kCorrupt;
    const bool float_softmax_out = !float_ && i == n_ops_ && t.dtype == ModelDtype::kFloat32 &&
                                   op_type(n_ops_ - 1) == OpType::kSoftmax;
    if (t.dtype != act_dtype && !float_softmax_out) return Status::kCorrupt;
    const std::uint64_t bytes = std::uint64_t{static_cast<std::uint32_t>(t.shape.h)} *
                                static_cast<std::uint32_t>(t.shape.w) *
                                static_cast<std::uint32_t>(t.shape.c) *
                                (t.dtype == ModelDtype::kFloat32 ? 4u : 1u);
    if (bytes > arena_bytes_ || t.offset > arena_bytes_ - bytes) return Status::kCorrupt;
    if (t.dtype == ModelDtype::kFloat32 && t.offset % 4 != 0) return Status::kCorrupt;
    if (t.dtype == ModelDtype::kInt8) {
      if (!(t.scale > 0.0f) || !std::isfinite(t.scale)) return Status::kCorrupt;
      if (t.zero_point < -128 || t.zero_point > 127) return Status::kCorrupt;
    }
  }
  // Ops: kind, window, shapes chaining, data blob, quantisation.
  for (std::size_t i = 0; i < n_ops_; ++i) {
    const OpRecord r = decode_op(payload_ + op_table(n_ops_) + i * kCnnOpBytes);
    const TensorInfo in = tensor(i);
    const TensorInfo out = tensor(i + 1);
    if (payload_[op_table(n_ops_) + i * kCnnOpBytes + 11] != 0) return Status::kCorrupt;
    if (static_cast<std::uint8_t>(r.act) > static_cast<std::uint8_t>(Activation::kRelu6)) {
      return Status::kCorrupt;
    }
    // The op's input and output must not share arena bytes.
    if (in.offset < out.offset + out.bytes() && out.offset < in.offset + in.bytes()) {
      return Status::kCorrupt;
    }
    if (r.data_offset % 4 != 0 || r.data_offset > payload_size_ ||
        r.data_bytes > payload_size_ - r.data_offset) {
      return Status::kCorrupt;
    }
    if (!float_) {
      if (r.act_min < -128 || r.act_max > 127 || r.act_min > r.act_max) return Status::kCorrupt;
    }
    if (out.dtype == ModelDtype::kFloat32 && !float_ && r.type != OpType::kSoftmax) {
      return Status::kCorrupt;
    }
    const bool windowed = r.type == OpType::kConv2d || r.type == OpType::kDepthwiseConv2d ||
                          r.type == OpType::kMaxPool || r.type == OpType::kAvgPool;
    if (windowed) {
      const Window& w = r.win;
      if (w.kh < 1 || w.kw < 1 || w.stride_h < 1 || w.stride_w < 1) return Status::kCorrupt;
      // Padding narrower than the kernel: every window overlaps the input.
      if (w.pad_top >= w.kh || r.pad_bottom >= w.kh || w.pad_left >= w.kw || r.pad_right >= w.kw) {
        return Status::kCorrupt;
      }
      if (window_out(in.shape.h, w.kh, w.stride_h, w.pad_top, r.pad_bottom) != out.shape.h ||
          window_out(in.shape.w, w.kw, w.stride_w, w.pad_left, r.pad_right) != out.shape.w) {
        return Status::kCorrupt;
      }
    } else if (r.win.kh != 1 || r.win.kw != 1 || r.win.stride_h != 1 || r.win.stride_w != 1 ||
               r.win.pad_top != 0 || r.win.pad_left != 0 || r.pad_bottom != 0 ||
               r.pad_right != 0) {
      return Status::kCorrupt;
    }
    if (r.type != OpType::kDepthwiseConv2d && r.depth_multiplier != 1) return Status::kCorrupt;
    std::uint64_t cout = 0, weights = 0, taps = 0;
    switch (r.type) {
      case OpType::kConv2d:
        cout = static_cast<std::uint64_t>(out.shape.c);
        taps = std::uint64_t{static_cast<std::uint32_t>(r.win.kh * r.win.kw)} *
               static_cast<std::uint32_t>(in.shape.c);
        weights = cout * taps;
        break;
      case OpType::kDepthwiseConv2d:
        if (r.depth_multiplier < 1 ||
            std::int64_t{in.shape.c} * r.depth_multiplier != out.shape.c) {
          return Status::kCorrupt;
        }
        cout = static_cast<std::uint64_t>(out.shape.c);
        taps = static_cast<std::uint64_t>(r.win.kh * r.win.kw);
        weights = cout * taps;
        break;
      case OpType::kDense:
        if (out.shape.h != 1 || out.shape.w != 1) return Status::kCorrupt;
        cout = static_cast<std::uint64_t>(out.shape.c);
        taps = in.size();
        weights = cout * taps;
        break;
      case OpType::kMaxPool:
      case OpType::kAvgPool:
        if (out.shape.c != in.shape.c) return Status::kCorrupt;
        break;
      case OpType::kGlobalAvgPool:
        if (out.shape.h != 1 || out.shape.w != 1 || out.shape.c != in.shape.c) {
          return Status::kCorrupt;
        }
        break;
      case OpType::kSoftmax:
        if (out.shape.h != in.shape.h || out.shape.w != in.shape.w || out.shape.c != in.shape.c ||
            r.act != Activation::kNone) {
          return Status::kCorrupt;
        }
        break;
      default:
        return Status::kCorrupt;
    }
    const std::uint8_t* data = payload_ + r.data_offset;
    if (cout != 0) {  // conv, depthwise, dense
      if (float_) {
        if (r.data_bytes != 4 * cout + 4 * weights) return Status::kCorrupt;
      } else {
        if (r.data_bytes != 12 * cout + weights) return Status::kCorrupt;
        // |sum (x - zp) * w| <= taps * 255 * 128; with the bias it must fit int32.
        const std::int64_t acc_bound = static_cast<std::int64_t>(taps) * 255 * 128;
        if (acc_bound > INT32_MAX) return Status::kCorrupt;
        for (std::uint64_t c = 0; c < cout; ++c) {
          const std::int64_t bias = static_cast<std::int32_t>(read_u32(data + 4 * c));
          const std::int32_t mult = static_cast<std::int32_t>(read_u32(data + 4 * (cout + c)));
          const std::int32_t shift = static_cast<std::int32_t>(read_u32(data + 4 * (2 * cout + c)));
          if ((bias < 0 ? -bias : bias) + acc_bound > INT32_MAX) return Status::kCorrupt;
          if (!valid_multiplier(mult, shift)) return Status::kCorrupt;
        }
      }
    } else if (r.type == OpType::kSoftmax && !float_ && out.dtype == ModelDtype::kInt8) {
      if (r.data_bytes != 512) return Status::kCorrupt;
      if (out.scale != 1.0f / 256.0f || out.zero_point != -128) return Status::kCorrupt;
      if (read_u16(data) != kExpOne) return Status::kCorrupt;
      for (std::size_t d = 1; d < 256; ++d) {
        if (read_u16(data + 2 * d) > read_u16(data + 2 * (d - 1))) return Status::kCorrupt;
      }
    } else {
      if (r.data_bytes != 0) return Status::kCorrupt;
      if (!float_ && r.type != OpType::kSoftmax && !same_quant(in, out)) return Status::kCorrupt;
    }
  }
  return Status::kOk;
}

Status Cnn::check_arena(Span<const std::uint8_t> arena) const noexcept {
  if (!loaded()) return Status::kNotInitialized;
  if (arena.size() < arena_bytes_) return Status::kNoMemory;
  if (reinterpret_cast<std::uintptr_t>(arena.data()) % kCnnArenaAlign != 0) {
    return Status::kInvalidArgument;
  }
  return Status::kOk;
}

Span<std::int8_t> Cnn::input_s8(Span<std::uint8_t> arena) const noexcept {
  if (check_arena(arena) != Status::kOk || input().dtype != ModelDtype::kInt8) return {};
  const TensorInfo t = input();
  return Span<std::int8_t>(reinterpret_cast<std::int8_t*>(arena.data() + t.offset), t.size());
}

Span<float> Cnn::input_f32(Span<std::uint8_t> arena) const noexcept {
  if (check_arena(arena) != Status::kOk || input().dtype != ModelDtype::kFloat32) return {};
  const TensorInfo t = input();
  return Span<float>(reinterpret_cast<float*>(arena.data() + t.offset), t.size());
}

Span<const std::int8_t> Cnn::output_s8(Span<const std::uint8_t> arena) const noexcept {
  if (check_arena(arena) != Status::kOk || output().dtype != ModelDtype::kInt8) return {};
  const TensorInfo t = output();
  return Span<const std::int8_t>(reinterpret_cast<const std::int8_t*>(arena.data() + t.offset),
                                 t.size());
}

Span<const float> Cnn::output_f32(Span<const std::uint8_t> arena) const noexcept {
  if (check_arena(arena) != Status::kOk || output().dtype != ModelDtype::kFloat32) return {};
  const TensorInfo t = output();
  return Span<const float>(reinterpret_cast<const float*>(arena.data() + t.offset), t.size());
}

void Cnn::run_op(std::size_t i, std::uint8_t* arena) const noexcept {
  const OpRecord r = decode_op(payload_ + op_table(n_ops_) + i * kCnnOpBytes);
  const TensorInfo ti = tensor(i);
  const TensorInfo to = tensor(i + 1);
  const std::uint8_t* data = payload_ + r.data_offset;
  const std::size_t cout = static_cast<std::size_t>(to.shape.c);
  if (float_) {
    const Span<const float> x(reinterpret_cast<const float*>(arena + ti.offset), ti.size());
    const Span<float> y(reinterpret_cast<float*>(arena + to.offset), to.size());
    float lo = 0.0f, hi = 0.0f;
    float_bounds(r.act, &lo, &hi);
    // Blob: float bias[cout], then the weights (4-byte aligned, validated).
    const float* bias = reinterpret_cast<const float*>(data);
    const float* w = bias + cout;
    const std::size_t nw = r.data_bytes / 4 - cout;
    switch (r.type) {
      case OpType::kConv2d:
        conv2d_f32(ti.shape, x, to.shape, y, r.win, Span<const float>(w, nw),
                   Span<const float>(bias, cout), lo, hi);
        break;
      case OpType::kDepthwiseConv2d:
        depthwise_conv2d_f32(ti.shape, x, to.shape, y, r.win, r.depth_multiplier,
                             Span<const float>(w, nw), Span<const float>(bias, cout), lo, hi);
        break;
      case OpType::kDense:
        dense_f32(x, y, Span<const float>(w, nw), Span<const float>(bias, cout), lo, hi);
        break;
      case OpType::kMaxPool:
        max_pool_f32(ti.shape, x, to.shape, y, r.win, lo, hi);
        break;
      case OpType::kAvgPool:
        avg_pool_f32(ti.shape, x, to.shape, y, r.win, lo, hi);
        break;
      case OpType::kGlobalAvgPool:
        global_avg_pool_f32(ti.shape, x, y, lo, hi);
        break;
      case OpType::kSoftmax:
        softmax_f32(x, ti.shape.c, y);
        break;
    }
    return;
  }
  const Span<const std::int8_t> x(reinterpret_cast<const std::int8_t*>(arena + ti.offset),
                                  ti.size());
  const Span<std::int8_t> y(reinterpret_cast<std::int8_t*>(arena + to.offset), to.size());
  // Blob: int32 bias[cout], multiplier[cout], shift[cout], then int8 weights.
  const std::int32_t* bias = reinterpret_cast<const std::int32_t*>(data);
  const Requant rq{bias + cout, bias + 2 * cout, ti.zero_point, to.zero_point, r.act_min,
                   r.act_max};
  const Span<const std::int8_t> w(reinterpret_cast<const std::int8_t*>(data + 12 * cout),
                                  r.data_bytes >= 12 * cout ? r.data_bytes - 12 * cout : 0);
  const Span<const std::int32_t> b(bias, cout);
  switch (r.type) {
    case OpType::kConv2d:
      conv2d_s8(ti.shape, x, to.shape, y, r.win, w, b, rq);
      break;
    case OpType::kDepthwiseConv2d:
      depthwise_conv2d_s8(ti.shape, x, to.shape, y, r.win, r.depth_multiplier, w, b, rq);
      break;
    case OpType::kDense:
      dense_s8(x, y, w, b, rq);
      break;
    case OpType::kMaxPool:
      max_pool_s8(ti.shape, x, to.shape, y, r.win, r.act_min, r.act_max);
      break;
    case OpType::kAvgPool:
      avg_pool_s8(ti.shape, x, to.shape, y, r.win, r.act_min, r.act_max);
      break;
    case OpType::kGlobalAvgPool:
      global_avg_pool_s8(ti.shape, x, y, r.act_min, r.act_max);
      break;
    case OpType::kSoftmax:
      if (to.dtype == ModelDtype::kFloat32) {
        softmax_s8_f32(x, ti.shape.c, ti.scale,
                       Span<float>(reinterpret_cast<float*>(arena + to.offset), to.size()));
      } else {
        softmax_s8(x, ti.shape.c, reinterpret_cast<const std::uint16_t*>(data), y);
      }
      break;
  }
}

Status Cnn::invoke(Span<std::uint8_t> arena) const noexcept {
  TINYSENSE_TRY(check_arena(arena));
  for (std::size_t i = 0; i < n_ops_; ++i) run_op(i, arena.data());
  return Status::kOk;
}

namespace {

template <class In, class Out>
Status run_impl(const Cnn& cnn, Span<const In> in, Span<Out> out, Span<std::uint8_t> arena,
                ModelDtype in_dtype, ModelDtype out_dtype) noexcept {
  if (!cnn.loaded()) return Status::kNotInitialized;
  if (cnn.input().dtype != in_dtype || cnn.output().dtype != out_dtype) {
    return Status::kInvalidArgument;
  }
  if (in.size() != cnn.input().size() || out.size() != cnn.output().size()) {
    return Status::kSizeMismatch;
  }
  if (arena.size() < cnn.arena_bytes()) return Status::kNoMemory;
  if (reinterpret_cast<std::uintptr_t>(arena.data()) % kCnnArenaAlign != 0) {
    return Status::kInvalidArgument;
  }
  std::memcpy(arena.data() + cnn.input().offset, in.data(), in.size_bytes());
  TINYSENSE_TRY(cnn.invoke(arena));
  std::memcpy(out.data(), arena.data() + cnn.output().offset, out.size_bytes());
  return Status::kOk;
}

}  // namespace

Status Cnn::run(Span<const std::int8_t> in, Span<std::int8_t> out,
                Span<std::uint8_t> arena) const noexcept {
  return run_impl(*this, in, out, arena, ModelDtype::kInt8, ModelDtype::kInt8);
}

Status Cnn::run(Span<const std::int8_t> in, Span<float> out,
                Span<std::uint8_t> arena) const noexcept {
  return run_impl(*this, in, out, arena, ModelDtype::kInt8, ModelDtype::kFloat32);
}

Status Cnn::run(Span<const float> in, Span<float> out, Span<std::uint8_t> arena) const noexcept {
  return run_impl(*this, in, out, arena, ModelDtype::kFloat32, ModelDtype::kFloat32);
}

std::size_t argmax(Span<const std::int8_t> x) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) best = x[i] > x[best] ? i : best;
  return best;
}

std::size_t argmax(Span<const float> x) noexcept {
  std::size_t best = 0;
  for (std::size_t i = 1; i < x.size(); ++i) best = x[i] > x[best] ? i : best;
  return best;
}

}  // namespace tinysense::nn
