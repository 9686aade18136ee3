// CNN reference kernels: int8 bit-exact against the numpy integer model
// (tests/golden/gen_nn_kernels.py -> python/tinysense/convert_cnn.py), float32
// against float64 numpy; tail canaries on every output.
#include <cmath>
#include <cstring>

#include "golden_nn_kernels.hpp"
#include "tinysense/nn/kernels.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::nn;
namespace g = golden::nn_kernels;

namespace {

constexpr std::size_t kCanary = 8;
constexpr std::int8_t kSentinel8 = 0x5a;
constexpr float kSentinelF = 1234.5f;

std::int8_t g_y8[1024 + kCanary];
float g_yf[1024 + kCanary];

Span<std::int8_t> out8(std::size_t n) {
  for (auto& v : g_y8) v = kSentinel8;
  return Span<std::int8_t>(g_y8, n);
}
Span<float> outf(std::size_t n) {
  for (auto& v : g_yf) v = kSentinelF;
  return Span<float>(g_yf, n);
}
bool canary8(std::size_t n) {
  for (std::size_t i = n; i < n + kCanary; ++i) {
    if (g_y8[i] != kSentinel8) return false;
  }
  return true;
}
bool canaryf(std::size_t n) {
  for (std::size_t i = n; i < n + kCanary; ++i) {
    if (g_yf[i] != kSentinelF) return false;
  }
  return true;
}

int count_diff(const std::int8_t* got, const std::int8_t* ref, std::size_t n) {
  int d = 0;
  for (std::size_t i = 0; i < n; ++i) d += got[i] != ref[i] ? 1 : 0;
  return d;
}

template <class T>
Span<const T> cs(const T* p, std::size_t n) {
  return Span<const T>(p, n);
}

// One windowed case from the golden header: shapes, window and zero points.
struct Case {
  Shape in;
  Shape out;
  Window win;
  int dm;
  std::int32_t in_zp, out_zp, act_min, act_max;
};

#define TS_CASE(name)                                                                         \
  Case {                                                                                      \
    Shape{int(g::name##_in_h), int(g::name##_in_w), int(g::name##_cin)},                         \
        Shape{int(g::name##_ho), int(g::name##_wo), int(g::name##_cout)},                     \
        Window{int(g::name##_kh), int(g::name##_kw), int(g::name##_sh), int(g::name##_sw),    \
               int(g::name##_pt), int(g::name##_pl)},                                         \
        int(g::name##_dm), std::int32_t(g::name##_in_zp), std::int32_t(g::name##_out_zp),    \
        std::int32_t(g::name##_act_min), std::int32_t(g::name##_act_max)                      \
  }

}  // namespace

TT_TEST(fixed_point_primitives_match_gemmlowp) {
  int bad_srdhm = 0, bad_rdpot = 0, bad_mbqm = 0;
  for (std::size_t i = 0; i < g::srdhm_a_len; ++i) {
    bad_srdhm += saturating_rounding_doubling_high_mul(g::srdhm_a[i], g::srdhm_b[i]) !=
                 g::srdhm_out[i];
    bad_rdpot += rounding_divide_by_pot(g::srdhm_a[i], g::rdpot_exp[i]) != g::rdpot_out[i];
    bad_mbqm += multiply_by_quantized_multiplier(g::srdhm_a[i], g::mbqm_m[i], g::mbqm_shift[i]) !=
                g::mbqm_out[i];
  }
  TT_CHECK_EQ(bad_srdhm, 0);
  TT_CHECK_EQ(bad_rdpot, 0);
  TT_CHECK_EQ(bad_mbqm, 0);
  // Analytic: 0.5 * x; the high multiply rounds ties up (toward +inf), the
  // power-of-two division rounds ties away from zero.
  TT_CHECK_EQ(multiply_by_quantized_multiplier(3, 1 << 30, 0), 2);
  TT_CHECK_EQ(multiply_by_quantized_multiplier(-3, 1 << 30, 0), -1);
  TT_CHECK_EQ(multiply_by_quantized_multiplier(1000, 1 << 30, -2), 125);
  TT_CHECK_EQ(multiply_by_quantized_multiplier(20, 1 << 30, -3), 1);    // 1.25 -> 1
  TT_CHECK_EQ(multiply_by_quantized_multiplier(12, 1 << 30, -2), 2);    // 1.5 -> 2
  TT_CHECK_EQ(multiply_by_quantized_multiplier(-12, 1 << 30, -2), -2);  // -1.5 -> -2
  TT_CHECK_EQ(rounding_divide_by_pot(-6, 2), -2);
  TT_CHECK_EQ(rounding_divide_by_pot(6, 2), 2);
  TT_CHECK_EQ(rounding_divide_by_pot(-5, 2), -1);
  TT_CHECK_EQ(saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  // A positive shift saturates instead of overflowing.
  TT_CHECK_EQ(multiply_by_quantized_multiplier(INT32_MAX, INT32_MAX, 7), INT32_MAX - 1);
  TT_CHECK_EQ(multiply_by_quantized_multiplier(INT32_MIN, INT32_MAX, 7), INT32_MIN + 1);
}

TT_TEST(output_size_and_padding_follow_tensorflow) {
  TT_CHECK_EQ(output_size(28, 3, 1, Padding::kSame), 28);
  TT_CHECK_EQ(output_size(28, 3, 2, Padding::kSame), 14);
  TT_CHECK_EQ(output_size(7, 3, 2, Padding::kSame), 4);
  TT_CHECK_EQ(output_size(28, 3, 1, Padding::kValid), 26);
  TT_CHECK_EQ(output_size(2, 3, 1, Padding::kValid), 0);
  TT_CHECK_EQ(pad_before(28, 3, 1, Padding::kSame), 1);
  TT_CHECK_EQ(pad_before(28, 3, 2, Padding::kSame), 0);  // total 1: the extra row goes below
  TT_CHECK_EQ(pad_before(7, 3, 2, Padding::kSame), 1);
  TT_CHECK_EQ(pad_before(28, 3, 1, Padding::kValid), 0);
}

// conv2d / depthwise int8 and float.
#define TS_CONV_CASE(name, is_dw)                                                               \
  TT_TEST(name##_int8_bit_exact_and_float) {                                                    \
    const Case c = TS_CASE(name);                                                               \
    const std::size_t n = static_cast<std::size_t>(c.out.size());                               \
    const Requant rq{g::name##_mult, g::name##_shift, c.in_zp, c.out_zp, c.act_min, c.act_max}; \
    Span<std::int8_t> y = out8(n);                                                              \
    if (is_dw) {                                                                                \
      depthwise_conv2d_s8(c.in, cs(g::name##_x, g::name##_x_len), c.out, y, c.win, c.dm,        \
                          cs(g::name##_w, g::name##_w_len),                                     \
                          cs(g::name##_bias, g::name##_bias_len), rq);                          \
    } else {                                                                                    \
      conv2d_s8(c.in, cs(g::name##_x, g::name##_x_len), c.out, y, c.win,                        \
                cs(g::name##_w, g::name##_w_len), cs(g::name##_bias, g::name##_bias_len), rq);  \
    }                                                                                           \
    TT_CHECK_EQ(n, g::name##_y_len);                                                            \
    TT_CHECK_EQ(count_diff(y.data(), g::name##_y, n), 0);                                       \
    TT_CHECK(canary8(n));                                                                       \
    const float lo = c.act_min == -128 && c.act_max == 127 ? -INFINITY : 0.0f;                  \
    const float hi = c.act_max == 127 ? INFINITY : 6.0f;                                        \
    Span<float> yf = outf(n);                                                                   \
    if (is_dw) {                                                                                \
      depthwise_conv2d_f32(c.in, cs(g::name##_fx, g::name##_fx_len), c.out, yf, c.win, c.dm,    \
                           cs(g::name##_fw, g::name##_fw_len),                                  \
                           cs(g::name##_fbias, g::name##_fbias_len), lo, hi);                   \
    } else {                                                                                    \
      conv2d_f32(c.in, cs(g::name##_fx, g::name##_fx_len), c.out, yf, c.win,                    \
                 cs(g::name##_fw, g::name##_fw_len), cs(g::name##_fbias, g::name##_fbias_len),  \
                 lo, hi);                                                                       \
    }                                                                                           \
    TT_CHECK_LE(tt::max_abs_error(yf.data(), g::name##_fy, n), tt::tol::kCnnFloatAbs);          \
    TT_CHECK(canaryf(n));                                                                       \
  }

TS_CONV_CASE(conv_same, false)
TS_CONV_CASE(conv_s2, false)
TS_CONV_CASE(conv_1x1, false)
TS_CONV_CASE(conv_valid5, false)
TS_CONV_CASE(conv_long, false)
TS_CONV_CASE(dw_same, true)
TS_CONV_CASE(dw_mult2_s2, true)
TS_CONV_CASE(dw_chunks, true)
TS_CONV_CASE(dw_mult3_chunks, true)

#define TS_POOL_CASE(name, fn_s8, fn_f32)                                                   \
  TT_TEST(name##_int8_bit_exact_and_float) {                                                \
    const Case c = TS_CASE(name);                                                           \
    const std::size_t n = static_cast<std::size_t>(c.out.size());                           \
    Span<std::int8_t> y = out8(n);                                                          \
    fn_s8(c.in, cs(g::name##_x, g::name##_x_len), c.out, y, c.win, c.act_min, c.act_max);   \
    TT_CHECK_EQ(n, g::name##_y_len);                                                        \
    TT_CHECK_EQ(count_diff(y.data(), g::name##_y, n), 0);                                   \
    TT_CHECK(canary8(n));                                                                   \
    Span<float> yf = outf(n);                                                               \
    fn_f32(c.in, cs(g::name##_fx, g::name##_fx_len), c.out, yf, c.win, -INFINITY, INFINITY); \
    TT_CHECK_LE(tt::max_abs_error(yf.data(), g::name##_fy, n), tt::tol::kCnnFloatAbs);      \
    TT_CHECK(canaryf(n));                                                                   \
  }

TS_POOL_CASE(maxpool, max_pool_s8, max_pool_f32)
TS_POOL_CASE(maxpool_pad, max_pool_s8, max_pool_f32)
TS_POOL_CASE(avgpool, avg_pool_s8, avg_pool_f32)
TS_POOL_CASE(avgpool_pad, avg_pool_s8, avg_pool_f32)

TT_TEST(dense_int8_bit_exact_and_float) {
  const Requant rq{g::dense_mult, g::dense_shift, 17, -5, -128, 127};
  Span<std::int8_t> y = out8(g::dense_y_len);
  dense_s8(cs(g::dense_x, g::dense_x_len), y, cs(g::dense_w, g::dense_w_len),
           cs(g::dense_bias, g::dense_bias_len), rq);
  TT_CHECK_EQ(count_diff(y.data(), g::dense_y, g::dense_y_len), 0);
  TT_CHECK(canary8(g::dense_y_len));
  Span<float> yf = outf(g::dense_fy_len);
  dense_f32(cs(g::dense_fx, g::dense_fx_len), yf, cs(g::dense_fw, g::dense_fw_len),
            cs(g::dense_fbias, g::dense_fbias_len), 0.0f, INFINITY);
  TT_CHECK_LE(tt::max_abs_error(yf.data(), g::dense_fy, g::dense_fy_len), tt::tol::kCnnFloatAbs);
  TT_CHECK(canaryf(g::dense_fy_len));
}

TT_TEST(global_avg_pool_int8_bit_exact_and_float) {
  const Shape in{5, 6, 7};
  Span<std::int8_t> y = out8(7);
  global_avg_pool_s8(in, cs(g::gap_x, g::gap_x_len), y, -128, 127);
  TT_CHECK_EQ(count_diff(y.data(), g::gap_y, 7), 0);
  TT_CHECK(canary8(7));
  Span<float> yf = outf(7);
  global_avg_pool_f32(in, cs(g::gap_fx, g::gap_fx_len), yf, -INFINITY, INFINITY);
  TT_CHECK_LE(tt::max_abs_error(yf.data(), g::gap_fy, 7), tt::tol::kCnnFloatAbs);
  TT_CHECK(canaryf(7));
}

TT_TEST(softmax_int8_bit_exact_float_out_and_float) {
  Span<std::int8_t> y = out8(30);
  softmax_s8(cs(g::softmax_x, g::softmax_x_len), 10, g::softmax_table, y);
  TT_CHECK_EQ(count_diff(y.data(), g::softmax_y, 30), 0);
  TT_CHECK(canary8(30));
  // Equal logits -> uniform: round(256 / 10) - 128 = -102.
  for (std::size_t i = 10; i < 20; ++i) TT_CHECK_EQ(y[i], -102);

  Span<float> yf = outf(30);
  softmax_s8_f32(cs(g::softmax_x, g::softmax_x_len), 10,
                 static_cast<float>(g::softmax_in_scale), yf);
  TT_CHECK_LE(tt::max_abs_error(yf.data(), g::softmax_fy, 30), tt::tol::kCnnSoftmaxAbs);
  TT_CHECK(canaryf(30));
  float sum = 0.0f;
  for (std::size_t i = 0; i < 10; ++i) sum += yf[i];
  TT_CHECK_NEAR(sum, 1.0, tt::tol::kCnnSoftmaxAbs);

  yf = outf(30);
  softmax_f32(cs(g::softmax_ffx, g::softmax_ffx_len), 10, yf);
  TT_CHECK_LE(tt::max_abs_error(yf.data(), g::softmax_ffy, 30), tt::tol::kCnnSoftmaxAbs);
  TT_CHECK(canaryf(30));
}

TT_TEST(kernels_handle_single_pixel_and_identity) {
  // 1x1 conv with unit weight, multiplier 0.5 * 2^1 = 1: the identity on (x - zp) + out_zp.
  const std::int8_t x[4] = {-128, -1, 0, 127};
  const std::int8_t w[1] = {1};
  const std::int32_t bias[1] = {0};
  const std::int32_t mult[1] = {1 << 30};
  const std::int32_t shift[1] = {1};
  const Requant rq{mult, shift, 0, 0, -128, 127};
  Span<std::int8_t> y = out8(4);
  conv2d_s8(Shape{2, 2, 1}, cs(x, 4), Shape{2, 2, 1}, y, Window{1, 1, 1, 1, 0, 0}, cs(w, 1),
            cs(bias, 1), rq);
  TT_CHECK_EQ(count_diff(y.data(), x, 4), 0);
  TT_CHECK(canary8(4));
  // Max pool over the whole 2x2 image.
  y = out8(1);
  max_pool_s8(Shape{2, 2, 1}, cs(x, 4), Shape{1, 1, 1}, y, Window{2, 2, 2, 2, 0, 0}, -128, 127);
  TT_CHECK_EQ(y[0], 127);
  // Average with rounding half away from zero: (-128 - 1 + 0 + 127) / 4 = -0.5 -> -1.
  y = out8(1);
  avg_pool_s8(Shape{2, 2, 1}, cs(x, 4), Shape{1, 1, 1}, y, Window{2, 2, 2, 2, 0, 0}, -128, 127);
  TT_CHECK_EQ(y[0], -1);
}
