#include "tinysense/nn/kernels.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__ARM_FEATURE_DSP) && defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#define TINYSENSE_NN_SIMD32 1
#endif

#include "tinysense/core/check.hpp"

namespace tinysense::nn {
namespace {

// Requantises an accumulator of output channel oc. The product is pre-clamped
// to [-256, 255] so adding the zero point cannot overflow; the final clamp to
// [act_min, act_max] (inside int8) gives the same result as int64 arithmetic.
inline std::int8_t requantize(std::int32_t acc, std::int32_t multiplier, std::int32_t shift,
                              const Requant& rq) noexcept {
  std::int32_t v = multiply_by_quantized_multiplier(acc, multiplier, static_cast<int>(shift));
  v = v > 255 ? 255 : (v < -256 ? -256 : v);
  v += rq.output_zero_point;
  v = v < rq.act_min ? rq.act_min : (v > rq.act_max ? rq.act_max : v);
  return static_cast<std::int8_t>(v);
}

inline std::int8_t clamp_s8(std::int32_t v, std::int32_t lo, std::int32_t hi) noexcept {
  return static_cast<std::int8_t>(v < lo ? lo : (v > hi ? hi : v));
}

inline float clamp_f32(float v, float lo, float hi) noexcept {
  return v < lo ? lo : (v > hi ? hi : v);
}

inline int max_int(int a, int b) noexcept { return a > b ? a : b; }
inline int min_int(int a, int b) noexcept { return a < b ? a : b; }

// TFLite's integer average: round half away from zero (count >= 1).
inline std::int32_t int_average(std::int32_t total, std::int32_t count) noexcept {
  return total > 0 ? (total + count / 2) / count : (total - count / 2) / count;
}

// Valid tap range [begin, end) of a window starting at `origin` (may be < 0).
struct TapRange {
  int begin;
  int end;
};
inline TapRange taps(int origin, int k, int in) noexcept {
  return {max_int(0, -origin), min_int(k, in - origin)};
}

// acc + sum over i < n of (x[i] + offset) * w[i]. |x + offset| <= 255, so on
// Armv7E-M two lanes of 16 bits hold it: SXTAB16 adds the offset while sign-
// extending two bytes, SMLAD multiplies and accumulates both lanes (integer
// sums: the result equals the scalar loop's exactly).
inline std::int32_t dot_s8(const std::int8_t* x, const std::int8_t* w, int n, std::int32_t offset,
                           std::int32_t acc) noexcept {
  int i = 0;
#if defined(TINYSENSE_NN_SIMD32)
  const std::int32_t off2 = static_cast<std::int32_t>(
      (static_cast<std::uint32_t>(offset) & 0xffffu) | (static_cast<std::uint32_t>(offset) << 16));
  for (; i + 4 <= n; i += 4) {
    std::uint32_t xv, wv;
    std::memcpy(&xv, x + i, 4);  // unaligned word loads are fine on Armv7-M
    std::memcpy(&wv, w + i, 4);
    const std::uint32_t xr = (xv >> 8) | (xv << 24);
    const std::uint32_t wr = (wv >> 8) | (wv << 24);
    acc = __smlad(__sxtab16(off2, static_cast<std::int32_t>(xv)),
                  __sxtb16(static_cast<std::int32_t>(wv)), acc);
    acc = __smlad(__sxtab16(off2, static_cast<std::int32_t>(xr)),
                  __sxtb16(static_cast<std::int32_t>(wr)), acc);
  }
#endif
  for (; i < n; ++i) acc += (x[i] + offset) * w[i];
  return acc;
}

// One conv window gathered into a contiguous (kh * kw * cin) patch on the
// stack when it fits: padding taps hold the input zero point (contributing 0).
constexpr int kPatchMax = 512;

template <class T, class Acc, class Store>
void conv2d_generic(Shape in, const T* x, Shape out, const Window& win, const T* w, Acc offset,
                    Store store) noexcept {
  const int cin = in.c;
  const int kernel_len = win.kh * win.kw * cin;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      const int run = (rx.end - rx.begin) * cin;  // contiguous in x (NHWC) and in w (OHWI)
      const int out_index = (oy * out.w + ox) * out.c;
      for (int oc = 0; oc < out.c; ++oc) {
        const T* wc = w + oc * kernel_len;
        Acc acc = 0;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const T* xp = x + ((iy0 + ky) * in.w + ix0 + rx.begin) * cin;
          const T* wp = wc + (ky * win.kw + rx.begin) * cin;
          for (int i = 0; i < run; ++i) acc += (static_cast<Acc>(xp[i]) + offset) * wp[i];
        }
        store(out_index + oc, oc, acc);
      }
    }
  }
}

template <class T, class Acc, class Store>
void depthwise_generic(Shape in, const T* x, Shape out, const Window& win, int multiplier,
                       const T* w, Acc offset, Store store) noexcept {
  const int cout = out.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      const int out_index = (oy * out.w + ox) * cout;
      for (int oc = 0; oc < cout; ++oc) {
        const int ic = oc / multiplier;
        Acc acc = 0;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const T* xp = x + ((iy0 + ky) * in.w + ix0) * in.c + ic;
          const T* wp = w + (ky * win.kw) * cout + oc;
          for (int kx = rx.begin; kx < rx.end; ++kx) {
            acc += (static_cast<Acc>(xp[kx * in.c]) + offset) * wp[kx * cout];
          }
        }
        store(out_index + oc, oc, acc);
      }
    }
  }
}

}  // namespace

// ---- int8 ---------------------------------------------------------------------

void conv2d_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
               const Window& win, Span<const std::int8_t> w, Span<const std::int32_t> bias,
               const Requant& rq) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()));
  TINYSENSE_DCHECK(w.size() == static_cast<std::size_t>(out.c * win.kh * win.kw * in.c));
  TINYSENSE_DCHECK(bias.size() == static_cast<std::size_t>(out.c));
  std::int8_t* yp = y.data();
  const std::int32_t* b = bias.data();
  const std::int32_t offset = -rq.input_zero_point;
  const int cin = in.c;
  const int kernel_len = win.kh * win.kw * cin;
  if (kernel_len > kPatchMax) {  // rare: long kernels, one contiguous run per kernel row
    conv2d_generic(in, x.data(), out, win, w.data(), offset,
                   [&](int index, int oc, std::int32_t acc) {
                     yp[index] = requantize(acc + b[oc], rq.multiplier[oc], rq.shift[oc], rq);
                   });
    return;
  }
  std::int8_t patch[kPatchMax];
  const bool pointwise = win.kh == 1 && win.kw == 1;  // the window is the input pixel itself
  const std::int8_t pad = static_cast<std::int8_t>(rq.input_zero_point);
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const std::int8_t* p = patch;
      if (pointwise) {
        p = x.data() + (iy0 * in.w + ix0) * cin;
      } else {
        const TapRange rx = taps(ix0, win.kw, in.w);
        const int row = win.kw * cin;
        for (int ky = 0; ky < win.kh; ++ky) {
          std::int8_t* dst = patch + ky * row;
          const int iy = iy0 + ky;
          if (iy < 0 || iy >= in.h) {
            std::memset(dst, pad, static_cast<std::size_t>(row));
            continue;
          }
          const int before = rx.begin * cin, valid = (rx.end - rx.begin) * cin;
          if (before > 0) std::memset(dst, pad, static_cast<std::size_t>(before));
          std::memcpy(dst + before, x.data() + (iy * in.w + ix0 + rx.begin) * cin,
                      static_cast<std::size_t>(valid));
          if (before + valid < row) {
            std::memset(dst + before + valid, pad, static_cast<std::size_t>(row - before - valid));
          }
        }
      }
      std::int8_t* yo = yp + (oy * out.w + ox) * out.c;
      const std::int8_t* wc = w.data();
      for (int oc = 0; oc < out.c; ++oc, wc += kernel_len) {
        const std::int32_t acc = dot_s8(p, wc, kernel_len, offset, b[oc]);
        yo[oc] = requantize(acc, rq.multiplier[oc], rq.shift[oc], rq);
      }
    }
  }
}

void depthwise_conv2d_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                         const Window& win, int multiplier, Span<const std::int8_t> w,
                         Span<const std::int32_t> bias, const Requant& rq) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()));
  TINYSENSE_DCHECK(out.c == in.c * multiplier);
  TINYSENSE_DCHECK(w.size() == static_cast<std::size_t>(win.kh * win.kw * out.c));
  TINYSENSE_DCHECK(bias.size() == static_cast<std::size_t>(out.c));
  // Channels innermost (contiguous in x and in w), accumulated for a chunk of
  // channels at a time on the stack.
  constexpr int kChunk = 32;
  std::int32_t acc[kChunk];
  const std::int32_t offset = -rq.input_zero_point;
  const int cout = out.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      std::int8_t* yo = y.data() + (oy * out.w + ox) * cout;
      for (int c0 = 0; c0 < cout; c0 += kChunk) {
        const int nc = cout - c0 < kChunk ? cout - c0 : kChunk;
        for (int c = 0; c < nc; ++c) acc[c] = bias[static_cast<std::size_t>(c0 + c)];
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          for (int kx = rx.begin; kx < rx.end; ++kx) {
            const std::int8_t* xp = x.data() + ((iy0 + ky) * in.w + ix0 + kx) * in.c;
            const std::int8_t* wp = w.data() + (ky * win.kw + kx) * cout + c0;
            if (multiplier == 1) {
              xp += c0;
              for (int c = 0; c < nc; ++c) acc[c] += (xp[c] + offset) * wp[c];
            } else {
              for (int c = 0; c < nc; ++c) acc[c] += (xp[(c0 + c) / multiplier] + offset) * wp[c];
            }
          }
        }
        for (int c = 0; c < nc; ++c) {
          yo[c0 + c] = requantize(acc[c], rq.multiplier[c0 + c], rq.shift[c0 + c], rq);
        }
      }
    }
  }
}

void dense_s8(Span<const std::int8_t> x, Span<std::int8_t> y, Span<const std::int8_t> w,
              Span<const std::int32_t> bias, const Requant& rq) noexcept {
  TINYSENSE_DCHECK(w.size() == x.size() * y.size());
  TINYSENSE_DCHECK(bias.size() == y.size());
  const int n_in = static_cast<int>(x.size());
  const int n_out = static_cast<int>(y.size());
  for (int o = 0; o < n_out; ++o) {
    const std::int32_t acc = dot_s8(x.data(), w.data() + o * n_in, n_in, -rq.input_zero_point,
                                    bias[static_cast<std::size_t>(o)]);
    y[static_cast<std::size_t>(o)] = requantize(acc, rq.multiplier[o], rq.shift[o], rq);
  }
}

void max_pool_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                 const Window& win, std::int32_t act_min, std::int32_t act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()) && out.c == in.c);
  const int c = in.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      std::int8_t* yp = y.data() + (oy * out.w + ox) * c;
      for (int ch = 0; ch < c; ++ch) {
        std::int32_t m = -128;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const std::int8_t* xp = x.data() + ((iy0 + ky) * in.w + ix0) * c + ch;
          for (int kx = rx.begin; kx < rx.end; ++kx) {
            const std::int32_t v = xp[kx * c];
            m = v > m ? v : m;
          }
        }
        yp[ch] = clamp_s8(m, act_min, act_max);
      }
    }
  }
}

void avg_pool_s8(Shape in, Span<const std::int8_t> x, Shape out, Span<std::int8_t> y,
                 const Window& win, std::int32_t act_min, std::int32_t act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()) && out.c == in.c);
  const int c = in.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      const std::int32_t count = (ry.end - ry.begin) * (rx.end - rx.begin);
      std::int8_t* yp = y.data() + (oy * out.w + ox) * c;
      for (int ch = 0; ch < c; ++ch) {
        std::int32_t total = 0;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const std::int8_t* xp = x.data() + ((iy0 + ky) * in.w + ix0) * c + ch;
          for (int kx = rx.begin; kx < rx.end; ++kx) total += xp[kx * c];
        }
        yp[ch] = clamp_s8(int_average(total, count), act_min, act_max);
      }
    }
  }
}

void global_avg_pool_s8(Shape in, Span<const std::int8_t> x, Span<std::int8_t> y,
                        std::int32_t act_min, std::int32_t act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(in.c));
  const int c = in.c;
  const int n = in.h * in.w;
  for (int ch = 0; ch < c; ++ch) {
    std::int32_t total = 0;
    const std::int8_t* xp = x.data() + ch;
    for (int i = 0; i < n; ++i) total += xp[i * c];
    y[static_cast<std::size_t>(ch)] = clamp_s8(int_average(total, n), act_min, act_max);
  }
}

void softmax_s8(Span<const std::int8_t> x, int n, const std::uint16_t* exp_table,
                Span<std::int8_t> y) noexcept {
  TINYSENSE_DCHECK(n >= 1 && x.size() % static_cast<std::size_t>(n) == 0 && y.size() == x.size());
  const int rows = static_cast<int>(x.size()) / n;
  for (int r = 0; r < rows; ++r) {
    const std::int8_t* xp = x.data() + r * n;
    std::int8_t* yp = y.data() + r * n;
    std::int32_t mx = -128;
    for (int i = 0; i < n; ++i) mx = xp[i] > mx ? xp[i] : mx;
    std::uint32_t sum = 0;
    for (int i = 0; i < n; ++i) sum += exp_table[mx - xp[i]];
    for (int i = 0; i < n; ++i) {
      const std::uint32_t e = exp_table[mx - xp[i]];
      const std::int32_t p = static_cast<std::int32_t>(((e << 8) + sum / 2) / sum);
      yp[i] = clamp_s8(p - 128, -128, 127);
    }
  }
}

void softmax_s8_f32(Span<const std::int8_t> x, int n, float input_scale, Span<float> y) noexcept {
  TINYSENSE_DCHECK(n >= 1 && x.size() % static_cast<std::size_t>(n) == 0 && y.size() == x.size());
  const int rows = static_cast<int>(x.size()) / n;
  for (int r = 0; r < rows; ++r) {
    const std::int8_t* xp = x.data() + r * n;
    float* yp = y.data() + r * n;
    std::int32_t mx = -128;
    for (int i = 0; i < n; ++i) mx = xp[i] > mx ? xp[i] : mx;
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
      yp[i] = std::exp(input_scale * static_cast<float>(xp[i] - mx));
      sum += yp[i];
    }
    for (int i = 0; i < n; ++i) yp[i] /= sum;
  }
}

// ---- float32 --------------------------------------------------------------------

void conv2d_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                Span<const float> w, Span<const float> bias, float act_min,
                float act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()));
  TINYSENSE_DCHECK(w.size() == static_cast<std::size_t>(out.c * win.kh * win.kw * in.c));
  TINYSENSE_DCHECK(bias.size() == static_cast<std::size_t>(out.c));
  float* yp = y.data();
  const float* b = bias.data();
  conv2d_generic(in, x.data(), out, win, w.data(), 0.0f, [&](int index, int oc, float acc) {
    yp[index] = clamp_f32(acc + b[oc], act_min, act_max);
  });
}

void depthwise_conv2d_f32(Shape in, Span<const float> x, Shape out, Span<float> y,
                          const Window& win, int multiplier, Span<const float> w,
                          Span<const float> bias, float act_min, float act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()));
  TINYSENSE_DCHECK(out.c == in.c * multiplier);
  TINYSENSE_DCHECK(w.size() == static_cast<std::size_t>(win.kh * win.kw * out.c));
  float* yp = y.data();
  const float* b = bias.data();
  depthwise_generic(in, x.data(), out, win, multiplier, w.data(), 0.0f,
                    [&](int index, int oc, float acc) {
                      yp[index] = clamp_f32(acc + b[oc], act_min, act_max);
                    });
}

void dense_f32(Span<const float> x, Span<float> y, Span<const float> w, Span<const float> bias,
               float act_min, float act_max) noexcept {
  TINYSENSE_DCHECK(w.size() == x.size() * y.size() && bias.size() == y.size());
  const std::size_t n_in = x.size();
  for (std::size_t o = 0; o < y.size(); ++o) {
    const float* wp = w.data() + o * n_in;
    float acc = 0.0f;
    for (std::size_t i = 0; i < n_in; ++i) acc += x[i] * wp[i];
    y[o] = clamp_f32(acc + bias[o], act_min, act_max);
  }
}

void max_pool_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                  float act_min, float act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()) && out.c == in.c);
  const int c = in.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      float* yp = y.data() + (oy * out.w + ox) * c;
      for (int ch = 0; ch < c; ++ch) {
        float m = -INFINITY;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const float* xp = x.data() + ((iy0 + ky) * in.w + ix0) * c + ch;
          for (int kx = rx.begin; kx < rx.end; ++kx) m = xp[kx * c] > m ? xp[kx * c] : m;
        }
        yp[ch] = clamp_f32(m, act_min, act_max);
      }
    }
  }
}

void avg_pool_f32(Shape in, Span<const float> x, Shape out, Span<float> y, const Window& win,
                  float act_min, float act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(out.size()) && out.c == in.c);
  const int c = in.c;
  for (int oy = 0; oy < out.h; ++oy) {
    const int iy0 = oy * win.stride_h - win.pad_top;
    const TapRange ry = taps(iy0, win.kh, in.h);
    for (int ox = 0; ox < out.w; ++ox) {
      const int ix0 = ox * win.stride_w - win.pad_left;
      const TapRange rx = taps(ix0, win.kw, in.w);
      const float inv = 1.0f / static_cast<float>((ry.end - ry.begin) * (rx.end - rx.begin));
      float* yp = y.data() + (oy * out.w + ox) * c;
      for (int ch = 0; ch < c; ++ch) {
        float total = 0.0f;
        for (int ky = ry.begin; ky < ry.end; ++ky) {
          const float* xp = x.data() + ((iy0 + ky) * in.w + ix0) * c + ch;
          for (int kx = rx.begin; kx < rx.end; ++kx) total += xp[kx * c];
        }
        yp[ch] = clamp_f32(total * inv, act_min, act_max);
      }
    }
  }
}

void global_avg_pool_f32(Shape in, Span<const float> x, Span<float> y, float act_min,
                         float act_max) noexcept {
  TINYSENSE_DCHECK(x.size() == static_cast<std::size_t>(in.size()));
  TINYSENSE_DCHECK(y.size() == static_cast<std::size_t>(in.c));
  const int c = in.c;
  const int n = in.h * in.w;
  const float inv = 1.0f / static_cast<float>(n);
  for (int ch = 0; ch < c; ++ch) {
    float total = 0.0f;
    for (int i = 0; i < n; ++i) total += x[static_cast<std::size_t>(i * c + ch)];
    y[static_cast<std::size_t>(ch)] = clamp_f32(total * inv, act_min, act_max);
  }
}

void softmax_f32(Span<const float> x, int n, Span<float> y) noexcept {
  TINYSENSE_DCHECK(n >= 1 && x.size() % static_cast<std::size_t>(n) == 0 && y.size() == x.size());
  const int rows = static_cast<int>(x.size()) / n;
  for (int r = 0; r < rows; ++r) {
    const float* xp = x.data() + r * n;
    float* yp = y.data() + r * n;
    float mx = xp[0];
    for (int i = 1; i < n; ++i) mx = xp[i] > mx ? xp[i] : mx;
    float sum = 0.0f;
    for (int i = 0; i < n; ++i) {
      yp[i] = std::exp(xp[i] - mx);
      sum += yp[i];
    }
    for (int i = 0; i < n; ++i) yp[i] /= sum;
  }
}

}  // namespace tinysense::nn
