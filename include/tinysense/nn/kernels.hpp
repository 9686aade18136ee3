// Reference CNN kernels: int8 (TFLite's quantisation scheme) and float32.
//
// Layout NHWC with N = 1: element (y, x, c) of an h x w x c tensor is at
// (y * w + x) * c + c. Weights: conv2d OHWI [cout][kh][kw][cin], depthwise
// HWC [kh][kw][cout] (output channel oc reads input channel oc / multiplier,
// as PyTorch groups=in_channels and TFLite depth_multiplier), dense
// [cout][n_in] over the flattened NHWC input.
//
// int8 arithmetic (bit-exact with TFLite's reference kernels and with the
// numpy model in python/tinysense/convert_cnn.py):
//   real = scale * (q - zero_point); weights symmetric per output channel;
//   acc  = bias[oc] + sum (x - in_zp) * w   (int32; padding contributes 0)
//   y    = clamp(multiply_by_quantized_multiplier(acc, mult[oc], shift[oc]) + out_zp,
//                act_min, act_max)
// ReLU / ReLU6 are fused as act_min / act_max. Pooling keeps the input's scale
// and zero point. These are trusted hot-path functions: shapes, windows and
// quantisation parameters are preconditions (Cnn::load() validates every
// model before its kernels run; TINYSENSE_DCHECK checks sizes in debug builds).
// No kernel allocates or needs caller scratch (conv2d_s8 gathers one window,
// at most 512 bytes, and depthwise_conv2d_s8 32 int32 accumulators on the
// stack); inputs and outputs must not overlap. On Armv7E-M (Cortex-M4/M7/M33
// with DSP) the int8 dot products use SXTAB16/SMLAD, two MACs per instruction;
// elsewhere plain C. Integer sums do not depend on order, so both are exact.
#ifndef TINYSENSE_NN_KERNELS_HPP
#define TINYSENSE_NN_KERNELS_HPP

#include <cstdint>

#include "tinysense/core/span.hpp"

namespace tinysense::nn {

// Tensor shape, height x width x channels (batch 1).
struct Shape {
  int h;
  int w;
  int c;
  constexpr int size() const noexcept { return h * w * c; }
};

// Sliding window of conv / pooling: kernel, stride, top/left zero padding.
// Output size must equal (in + pad_before + pad_after - k) / stride + 1 for
// some pad_after in [0, k); windows never lie wholly in the padding.
struct Window {
  int kh;
  int kw;
  int stride_h;
  int stride_w;
  int pad_top;
  int pad_left;
};

// TensorFlow's SAME / VALID output size: SAME -> ceil(in / stride),
// VALID -> (in - k) / stride + 1 (0 if k > in).
enum class Padding : std::uint8_t { kValid, kSame };
constexpr int output_size(int in, int k, int stride, Padding p) noexcept {
  return p == Padding::kSame ? (in + stride - 1) / stride : (in >= k ? (in - k) / stride + 1 : 0);
}
// Top (or left) padding of TensorFlow's SAME (the extra pixel goes bottom/right); 0 for VALID.
constexpr int pad_before(int in, int k, int stride, Padding p) noexcept {
  if (p == Padding::kValid) return 0;
  const int total = (output_size(in, k, stride, p) - 1) * stride + k - in;
  return total > 0 ? total / 2 : 0;
}

// ---- fixed point (gemmlowp / TFLite) ----------------------------------------

// a * b / 2^31 rounded to nearest, ties toward +infinity; saturates the single
// overflow case a == b == INT32_MIN. gemmlowp adds a nudge of 2^30 (ab >= 0)
// or 1 - 2^30 (ab < 0) and divides by 2^31 truncating toward zero; for ab < 0
// that equals flooring (ab + 2^30) / 2^31, so one arithmetic shift covers both.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a,
                                                             std::int32_t b) noexcept {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  return static_cast<std::int32_t>((static_cast<std::int64_t>(a) * b + (std::int64_t{1} << 30)) >>
                                   31);
}

// x / 2^exponent rounded half away from zero; exponent in [0, 31].
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) noexcept {
  const std::int32_t mask = static_cast<std::int32_t>((std::uint32_t{1} << exponent) - 1u);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * multiplier * 2^(shift - 31), multiplier a Q31 value in [2^30, 2^31) (or 0),
// shift in [-31, kMaxShift]. A positive shift is applied first and saturates
// to int32 (TFLite leaves that overflow undefined).
constexpr int kMaxShift = 7;
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, std::int32_t multiplier,
                                                        int shift) noexcept {
  if (shift > 0) {
    std::int64_t xs = static_cast<std::int64_t>(x) * (std::int64_t{1} << shift);
    xs = xs > INT32_MAX ? INT32_MAX : (xs < INT32_MIN ? INT32_MIN : xs);
    return saturating_rounding_doubling_high_mul(static_cast<std::int32_t>(xs), multiplier);
  }
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -shift);
}

// Requantisation of one layer: per-output-channel multiplier/shift arrays
// (length cout), zero points, and the fused activation clamp (int8 range).
struct Requant {
  const std::int32_t* multiplier;
  const std::int32_t* shift;
  std::int32_t input_zero_point;
  std::int32_t output_zero_point;
  std::int32_t act_min;
  std::int32_t act_max;
};

// ---- int8 kernels --------------------------------------------------------------

// 2-D convolution. w: cout*kh*kw*cin (OHWI), bias: cout.
void conv2d_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
               const Window& win, Span<const std::int8_t> w, Span<const std::int32_t> bias,
               const Requant& rq) noexcept;

// Depthwise convolution, out.c == in.c * multiplier. w: kh*kw*cout (HWC), bias: cout.
void depthwise_conv2d_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                         const Window& win, int multiplier, Span<const std::int8_t> w,
                         Span<const std::int32_t> bias, const Requant& rq) noexcept;

// Fully connected: y[o] over the n_in = x.size() inputs. w: cout*n_in, bias: cout.
void dense_s8(Span<const std::int8_t> x, Span<std::int8_t> y, Span<const std::int8_t> w,
              Span<const std::int32_t> bias, const Requant& rq) noexcept;

// Max pooling (padding ignored), then clamp to [act_min, act_max]. out.c == in.c.
void max_pool_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                 const Window& win, std::int32_t act_min, std::int32_t act_max) noexcept;

// Average pooling over the valid (non-padding) taps of each window, TFLite
// rounding (half away from zero), then clamp. Same scale/zero point in and out.
void avg_pool_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                 const Window& win, std::int32_t act_min, std::int32_t act_max) noexcept;

// Global average pooling: y[c] = average over h*w of x[., ., c] (avg_pool rounding).
void global_avg_pool_s8(Shape in, Span<const std::int8_t> x, Span<std::int8_t> y,
                        std::int32_t act_min, std::int32_t act_max) noexcept;

// Softmax over the channels of each of the rows = x.size() / n pixels, int8
// output with scale 1/256 and zero point -128 (TFLite's convention).
// exp_table[d] = round(32768 * exp(-input_scale * d)), d = 0..255
// (exp_table[0] == 32768, non-increasing); n <= 65535 so the sum fits.
// y = clamp(round_half_up(256 * exp_table[max - x] / sum) - 128, -128, 127).
void softmax_s8(Span<const std::int8_t> x, int n, const std::uint16_t* exp_table,
                Span<std::int8_t> y) noexcept;

// Softmax over the channels with float output: expf(input_scale * (x - max)) / sum.
void softmax_s8_f32(Span<const std::int8_t> x, int n, float input_scale, Span<float> y) noexcept;

// ---- float32 kernels (the reference graph) ----------------------------------------

// act_min / act_max: -inf/inf (none), 0/inf (ReLU), 0/6 (ReLU6).
void conv2d_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                Span<const float> w, Span<const float> bias, float act_min,
                float act_max) noexcept;
void depthwise_conv2d_f32(Shape in, Span<const float> x, Shape out, Span<float> y,
                          const Window& win, int multiplier, Span<const float> w,
                          Span<const float> bias, float act_min, float act_max) noexcept;
void dense_f32(Span<const float> x, Span<float> y, Span<const float> w, Span<const float> bias,
               float act_min, float act_max) noexcept;
void max_pool_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                  float act_min, float act_max) noexcept;
void avg_pool_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                  float act_min, float act_max) noexcept;
void global_avg_pool_f32(Shape in, Span<const float> x, Span<float> y, float act_min,
                         float act_max) noexcept;
// Softmax over the n channels of each pixel (numerically stable: x - max).
void softmax_f32(Span<const float> x, int n, Span<float> y) noexcept;

}  // namespace tinysense::nn

#endif  // TINYSENSE_NN_KERNELS_HPP
