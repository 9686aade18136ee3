// FFT kernels: float complex / real and Q15 real transforms (API in fft.hpp).
//
// Float complex FFT engine (size m, power of two, 8..4096), used directly by
// ComplexFft and as the half-size engine of Rfft:
//   * iterative decimation in time; the bit-reversal permutation is fused into
//     the first pass, which reads its inputs straight from the bit-reversed
//     positions of the source (out of place) or, in place, after a swap pass;
//   * the first pass is a twiddle-free radix-8 (log2 m odd) or radix-4 (even)
//     butterfly, every later pass is radix-4, so there is never a radix-2 pass;
//   * twiddles come from one table tw[j] = exp(-2 pi i j / T), j < T/2, read
//     with a stride (T = m for ComplexFft, T = 2m for Rfft, which shares the
//     table with its split post-processing). W^3k beyond T/2 is -tw[3k - T/2],
//     handled by a second copy of the inner loop with the sign folded into the
//     butterfly, so the table stays T/2 long and nothing else is stored;
//   * inverse transforms use ifft(x) = swap(fft(swap(x))) / n, where swap
//     exchanges re and im: the swap and the 1/n scaling are folded into the
//     first pass loads and the last pass stores, so there is one forward engine.
// Real FFT of n = 2m points: the m-point complex FFT of z[j] = x[2j] + i x[2j+1]
// followed by the usual split (even/odd) post-processing, in place in `out`;
// irfft runs the split backwards into `out`, then the inverse engine in place.
//
// Two code paths, one arithmetic contract (tested by the same unit tests):
//   * scalar (Cortex-M and every target without 128-bit SIMD): tuned for
//     instruction count on Cortex-M4F (radix-4 loop unrolled twice; the small
//     passes get their length as a constant so the legs use immediate
//     offsets). QEMU mps2-an386, GCC 12 -O3, warm forward call, init excluded:
//     Rfft n = 256 / 1024 / 4096: 7,502 / 36,072 / 173,135 instructions
//     (CMSIS-DSP arm_rfft_fast_f32: 11,329 / 44,683 / 229,518).
//   * SIMD (TINYSENSE_FFT_SIMD: GCC/Clang vector extensions on SSE2 or NEON hosts,
//     out-of-place transforms with m >= 64): see "SIMD path" below. About 4.7x
//     fewer instructions than KissFFT kiss_fftr on x86-64 (callgrind, n = 256..4096).
// Accuracy (float32 vs numpy float64, random input): relative RMS error
// 0.6e-7 .. 1.3e-7 for n = 16 .. 4096 (the test bound is kFftRelRms = 2e-6).
//
// Q15 real FFT (RfftQ15): same structure (bit-reversed radix-2 or radix-4 first
// pass, radix-4 passes, split post-processing) on packed (re | im << 16) words
// with the Arm DSP-extension SIMD instructions (ACLE intrinsics on v7E-M, exact
// portable equivalents elsewhere). Scaling and rounding, step by step:
//   * first pass: (a +- b) >> 1 per lane (floor), then (x + 1) >> 1 (the extra
//     1/2 keeps all later values within +-23170, so nothing can overflow);
//   * radix-4 pass: leg 0 (x + 1) >> 1; legs 1..3 (x * W) / 2 as
//     (x.re W.re - x.im W.im + 2^15) >> 16 and (x.re W.im + x.im W.re + 2^15) >> 16;
//     then halving sums (floor) and saturating final sums (never reached);
//   * split step: (a + b*) / 2 and (a - b*) / 2 with halving instructions (floor),
//     the W product rounded half up ((p + 2^14) >> 15), final saturating sums.
// Output = rfft(x) / n with about 1.2 LSB RMS error for n = 16..4096 (RfftQ15
// n = 1024 on Cortex-M4F: 36,101 instructions; CMSIS-DSP arm_rfft_q15: 44,608).
#include "tinysense/dsp/fft.hpp"

#include <cmath>
#include <cstring>

#if defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#endif

// Host SIMD path: GCC/Clang vector extensions on 128-bit SIMD targets.
// TINYSENSE_FFT_NO_SIMD forces the scalar engine (as on Cortex-M).
#if !defined(TINYSENSE_FFT_NO_SIMD) && defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON))
#define TINYSENSE_FFT_SIMD 1
#else
#define TINYSENSE_FFT_SIMD 0
#endif

#if defined(__GNUC__)
#define TINYSENSE_FFT_INLINE inline __attribute__((always_inline))
#else
#define TINYSENSE_FFT_INLINE inline
#endif

namespace tinysense::dsp {
namespace {

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

unsigned log2_exact(std::size_t n) noexcept {
  unsigned l = 0;
  while ((std::size_t{1} << l) < n) ++l;
  return l;
}

// Reverses the low `bits` bits of x (bits >= 1).
TINYSENSE_FFT_INLINE std::uint32_t reverse_bits(std::uint32_t x, unsigned bits) noexcept {
#if defined(__arm__) && defined(__ARM_ARCH_ISA_THUMB) && (__ARM_ARCH_ISA_THUMB >= 2)
  std::uint32_t r;
  __asm__("rbit %0, %1" : "=r"(r) : "r"(x));
  return r >> (32u - bits);
#else
  x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
  x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
  x = ((x >> 4) & 0x0F0F0F0Fu) | ((x & 0x0F0F0F0Fu) << 4);
  x = ((x >> 8) & 0x00FF00FFu) | ((x & 0x00FF00FFu) << 8);
  x = (x >> 16) | (x << 16);
  return x >> (32u - bits);
#endif
}

// Calls put(k, c, s) with c = cos(2 pi k / n), s = sin(2 pi k / n) in double
// for every k < count (count <= n / 2, n a multiple of 8). Only the first
// octant is computed, by a trigonometric recurrence in double (error growth
// ~k * 1e-16, far below float or Q15 resolution); the rest follows from exact
// symmetries, so every table entry is the correctly rounded value up to that
// error. tests/golden/gen_fft.py repeats the same recurrence for the Q15 table.
template <class Put>
void for_each_twiddle(std::size_t n, std::size_t count, Put put) noexcept {
  const std::size_t n8 = n / 8, n4 = n / 4, n2 = n / 2;
  const double theta = 6.283185307179586476925286766559 / static_cast<double>(n);
  const double sh = std::sin(0.5 * theta);
  const double alpha = 2.0 * sh * sh;  // 1 - cos(theta), without cancellation
  const double beta = std::sin(theta);
  double c = 1.0, s = 0.0;
  for (std::size_t k = 0; k <= n8; ++k) {
    if (k < count) put(k, c, s);
    if (n4 - k < count) put(n4 - k, s, c);
    if (n4 + k < count) put(n4 + k, -s, c);
    if (k > 0 && n2 - k < count) put(n2 - k, -c, s);
    const double dc = alpha * c + beta * s;
    const double ds = alpha * s - beta * c;
    c -= dc;
    s -= ds;
  }
}

// ---------------------------------------------------------------------------
// Float complex FFT engine
// ---------------------------------------------------------------------------

constexpr float kSqrtHalf = 0.70710678118654752440f;

// A complex value whose parts are T: float (one value) or, in the SIMD path,
// a 4-lane vector (four independent values).
template <class T>
struct Cx {
  T re;
  T im;
};
template <class T>
TINYSENSE_FFT_INLINE Cx<T> operator+(const Cx<T>& a, const Cx<T>& b) noexcept {
  return {a.re + b.re, a.im + b.im};
}
template <class T>
TINYSENSE_FFT_INLINE Cx<T> operator-(const Cx<T>& a, const Cx<T>& b) noexcept {
  return {a.re - b.re, a.im - b.im};
}
template <class T>
TINYSENSE_FFT_INLINE Cx<T> neg(const Cx<T>& a) noexcept {
  return {-a.re, -a.im};
}
// -i * a (the compiler folds the negation into the following add/sub).
template <class T>
TINYSENSE_FFT_INLINE Cx<T> mul_mi(const Cx<T>& a) noexcept {
  return {a.im, -a.re};
}
// a * (wr + i wi); W is float or a vector.
template <class T, class W>
TINYSENSE_FFT_INLINE Cx<T> cmul(const Cx<T>& a, W wr, W wi) noexcept {
  return {a.re * wr - a.im * wi, a.re * wi + a.im * wr};
}

// 4-point DFT, natural order in and out.
template <class T>
TINYSENSE_FFT_INLINE void dft4(const Cx<T>* x, Cx<T>* y) noexcept {
  const Cx<T> s0 = x[0] + x[2], s1 = x[0] - x[2];
  const Cx<T> t0 = x[1] + x[3], t1 = x[1] - x[3];
  y[0] = s0 + t0;
  y[2] = s0 - t0;
  y[1] = s1 + mul_mi(t1);
  y[3] = s1 - mul_mi(t1);
}

// 8-point DFT, natural order in and out: radix 2 on (u, u + 4), then two
// 4-point DFTs; the 1/sqrt2 of W8 and W8^3 is applied once, after the sums.
template <class T>
TINYSENSE_FFT_INLINE void dft8(const Cx<T>* x, Cx<T>* y) noexcept {
  const Cx<T> a0 = x[0] + x[4], b0 = x[0] - x[4];
  const Cx<T> a1 = x[1] + x[5], b1 = x[1] - x[5];
  const Cx<T> a2 = x[2] + x[6], b2 = x[2] - x[6];
  const Cx<T> a3 = x[3] + x[7], b3 = x[3] - x[7];
  const Cx<T> e0 = a0 + a2, e1 = a0 - a2, f0 = a1 + a3, f1 = a1 - a3;
  y[0] = e0 + f0;
  y[4] = e0 - f0;
  y[2] = e1 + mul_mi(f1);
  y[6] = e1 - mul_mi(f1);
  const Cx<T> g0 = b0 + mul_mi(b2), g1 = b0 - mul_mi(b2);  // b0 +- b2 W8^2
  const Cx<T> u1 = {b1.re + b1.im, b1.im - b1.re};          // b1 W8 sqrt2
  const Cx<T> u3 = {b3.im - b3.re, -(b3.re + b3.im)};       // b3 W8^3 sqrt2
  const Cx<T> h0 = u1 + u3, h1 = u1 - u3;
  y[1] = {g0.re + kSqrtHalf * h0.re, g0.im + kSqrtHalf * h0.im};
  y[5] = {g0.re - kSqrtHalf * h0.re, g0.im - kSqrtHalf * h0.im};
  y[3] = {g1.re + kSqrtHalf * h1.im, g1.im - kSqrtHalf * h1.re};  // g1 - i h1 / sqrt2
  y[7] = {g1.re - kSqrtHalf * h1.im, g1.im + kSqrtHalf * h1.re};
}

template <unsigned R, class T>
TINYSENSE_FFT_INLINE void dft(const Cx<T>* x, Cx<T>* y) noexcept {
  if (R == 8) {
    dft8(x, y);
  } else {
    dft4(x, y);
  }
}

// Bit reversal of u within a group of R = 4 or 8.
constexpr unsigned group_rev(unsigned u, unsigned r) noexcept {
  return r == 8 ? ((u & 1u) << 2 | (u & 2u) | (u >> 2)) : ((u & 1u) << 1 | (u >> 1));
}

// Element access of the engine. An element is one complex value (ScalarMem:
// re, im interleaved) or, in the SIMD path, a block of 4 (BlockMem: 4 re then
// 4 im), on which the same butterflies run lane-wise.
struct ScalarMem {
  using T = float;
  static constexpr std::size_t kFloats = 2;
  static TINYSENSE_FFT_INLINE Cx<float> load(const float* p) noexcept { return {p[0], p[1]}; }
  static TINYSENSE_FFT_INLINE void store(float* p, const Cx<float>& v) noexcept {
    p[0] = v.re;
    p[1] = v.im;
  }
  // The last pass writes the result in natural interleaved layout, swapped
  // (im, re) for inverse transforms.
  template <bool kSwap>
  static TINYSENSE_FFT_INLINE void store_out(float* p, const Cx<float>& v) noexcept {
    p[kSwap ? 1 : 0] = v.re;
    p[kSwap ? 0 : 1] = v.im;
  }
};

// First pass on data already in bit-reversed order (in place): each group of
// R consecutive elements becomes its R-point DFT. No twiddles. kSwap reads
// (im, re) * scale (inverse transforms).
template <class Mem, unsigned R, bool kSwap>
void first_pass_local(float* d, std::size_t count, float scale) noexcept {
  constexpr std::size_t F = Mem::kFloats;
  for (std::size_t j = 0; j < count; j += R) {
    float* g = d + F * j;
    Cx<typename Mem::T> x[R], y[R];
    for (unsigned u = 0; u < R; ++u) {
      const auto v = Mem::load(g + F * group_rev(u, R));
      x[u] = kSwap ? decltype(v){v.im * scale, v.re * scale} : v;
    }
    dft<R>(x, y);
    for (unsigned t = 0; t < R; ++t) Mem::store(g + F * t, y[t]);
  }
}

// First pass from a separate source with the bit-reversal permutation fused:
// group j of dst = R-point DFT of src[r + u * m/R], u < R, r = bit-reverse(j).
template <unsigned R, bool kSwap>
void first_pass_gather(const float* src, float* dst, std::size_t m, float scale) noexcept {
  const std::size_t groups = m / R;
  const unsigned gbits = log2_exact(groups);
  const std::size_t stride = 2 * groups;  // floats between the group's inputs
  for (std::size_t j = 0; j < groups; ++j) {
    const std::size_t r = groups > 1 ? reverse_bits(static_cast<std::uint32_t>(j), gbits) : 0;
    const float* p = src + 2 * r;
    Cx<float> x[R], y[R];
    for (unsigned u = 0; u < R; ++u, p += stride) {  // one pointer walk, not R address products
      x[u] = kSwap ? Cx<float>{p[1] * scale, p[0] * scale} : Cx<float>{p[0], p[1]};
    }
    dft<R>(x, y);
    float* o = dst + 2 * R * j;
    for (unsigned t = 0; t < R; ++t) ScalarMem::store(o + 2 * t, y[t]);
  }
}

// One radix-4 DIT butterfly. p0..p3 hold F0, F2, F1, F3 (sub-DFTs in
// bit-reversed block order); w1, w2, w3 are W^k, W^2k and (kNeg3 ? -1 : 1) W^3k.
// Writes X[k], X[k + q], X[k + 2q], X[k + 3q] back to p0..p3.
template <class Mem, bool kNeg3, bool kFinal, bool kSwapOut, class W>
TINYSENSE_FFT_INLINE void radix4_butterfly(float* p0, float* p1, float* p2, float* p3, W w1r, W w1i, W w2r,
                                W w2i, W w3r, W w3i) noexcept {
  using C = Cx<typename Mem::T>;
  const C a = Mem::load(p0);
  const C b = cmul(Mem::load(p1), w2r, w2i);
  const C c = cmul(Mem::load(p2), w1r, w1i);
  const C d = cmul(Mem::load(p3), w3r, w3i);
  const C s0 = a + b, s1 = a - b;
  const C t0 = kNeg3 ? c - d : c + d;
  const C t1 = kNeg3 ? c + d : c - d;
  if (kFinal) {
    Mem::template store_out<kSwapOut>(p0, s0 + t0);
    Mem::template store_out<kSwapOut>(p2, s0 - t0);
    Mem::template store_out<kSwapOut>(p1, s1 + mul_mi(t1));
    Mem::template store_out<kSwapOut>(p3, s1 - mul_mi(t1));
  } else {
    Mem::store(p0, s0 + t0);
    Mem::store(p2, s0 - t0);
    Mem::store(p1, s1 + mul_mi(t1));
    Mem::store(p3, s1 - mul_mi(t1));
  }
}

// One radix-4 pass over `count` elements combining sub-DFTs of length len/4
// into DFTs of length len. W_len^k = tw[k * s] with s = T / len, where the
// table holds T / 2 entries (k >= len/6 reads W^3k as -tw[3ks - T/2]).
// Scalar: groups outer, k inner, two butterflies (k, k + 1) per iteration so
// the data pointers advance once per pair (q = len/4 is even here).
// kLen != 0: len is that compile-time constant, so the four legs are one
// pointer plus immediate offsets (Cortex-M: 3 fewer live registers).
template <bool kFinal, bool kSwapOut, std::size_t kLen = 0>
void radix4_pass(float* d, std::size_t count, std::size_t runtime_len, const float* tw,
                 std::size_t table_n) noexcept {
  const std::size_t len = kLen != 0 ? kLen : runtime_len;
  const std::size_t q = len / 4;
  const std::size_t s = table_n / len;
  const std::size_t k_split = (len + 5) / 6;  // first k with 3 k s >= T / 2
  const float* tw3_neg = tw + 2 * (3 * k_split * s - table_n / 2);
  const std::size_t s2 = 2 * s, s4 = 4 * s;
  for (std::size_t g = 0; g < count; g += len) {
    float* p0 = d + 2 * g;
    float* p1 = p0 + 2 * q;
    float* p2 = p1 + 2 * q;
    float* p3 = p2 + 2 * q;
    const float* w1 = tw;
    const float* w2 = tw;
    const float* w3 = tw;
    std::size_t k = 0;
    for (; k + 2 <= k_split; k += 2) {
      radix4_butterfly<ScalarMem, false, kFinal, kSwapOut>(p0, p1, p2, p3, w1[0], w1[1], w2[0],
                                                           w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 += 3 * s2;
      radix4_butterfly<ScalarMem, false, kFinal, kSwapOut>(p0 + 2, p1 + 2, p2 + 2, p3 + 2, w1[0],
                                                           w1[1], w2[0], w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 += 3 * s2;
      p0 += 4, p1 += 4, p2 += 4, p3 += 4;
    }
    if (k < k_split) {  // odd split: the pair straddles it
      radix4_butterfly<ScalarMem, false, kFinal, kSwapOut>(p0, p1, p2, p3, w1[0], w1[1], w2[0],
                                                           w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 = tw3_neg;
      radix4_butterfly<ScalarMem, true, kFinal, kSwapOut>(p0 + 2, p1 + 2, p2 + 2, p3 + 2, w1[0],
                                                          w1[1], w2[0], w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 += 3 * s2;
      p0 += 4, p1 += 4, p2 += 4, p3 += 4;
      k += 2;
    } else {
      w3 = tw3_neg;
    }
    for (; k < q; k += 2) {
      radix4_butterfly<ScalarMem, true, kFinal, kSwapOut>(p0, p1, p2, p3, w1[0], w1[1], w2[0],
                                                          w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 += 3 * s2;
      radix4_butterfly<ScalarMem, true, kFinal, kSwapOut>(p0 + 2, p1 + 2, p2 + 2, p3 + 2, w1[0],
                                                          w1[1], w2[0], w2[1], w3[0], w3[1]);
      w1 += s2, w2 += s4, w3 += 3 * s2;
      p0 += 4, p1 += 4, p2 += 4, p3 += 4;
    }
  }
}

// Swaps elements i and bit-reverse(i) of m complex values in place.
void bit_reverse_permute(float* d, std::size_t m) noexcept {
  const unsigned bits = log2_exact(m);
  for (std::size_t i = 1; i + 1 < m; ++i) {
    const std::size_t r = reverse_bits(static_cast<std::uint32_t>(i), bits);
    if (i < r) {
      const float tr = d[2 * i], ti = d[2 * i + 1];
      d[2 * i] = d[2 * r];
      d[2 * i + 1] = d[2 * r + 1];
      d[2 * r] = tr;
      d[2 * r + 1] = ti;
    }
  }
}

// Scalar complex DFT of m points: dst = fft(src), or with kInverse
// swap(fft(swap(src) * scale)). src == dst: in place; otherwise no overlap.
// kPermuted: src == dst already holds swap(input) * scale in bit-reversed order.
// tw/table_n: see radix4_pass; table_n is a multiple of m.
template <bool kInverse, bool kPermuted>
void cfft_scalar(const float* src, float* dst, std::size_t m, const float* tw,
                 std::size_t table_n, float scale) noexcept {
  const bool in_place = src == dst;
  const unsigned lg = log2_exact(m);
  constexpr bool kSwapIn = kInverse && !kPermuted;
  if (!kPermuted && in_place) bit_reverse_permute(dst, m);
  const bool local = kPermuted || in_place;
  std::size_t len;
  if (lg & 1u) {
    if (local) {
      first_pass_local<ScalarMem, 8, kSwapIn>(dst, m, scale);
    } else {
      first_pass_gather<8, kSwapIn>(src, dst, m, scale);
    }
    len = 8;
  } else {
    if (local) {
      first_pass_local<ScalarMem, 4, kSwapIn>(dst, m, scale);
    } else {
      first_pass_gather<4, kSwapIn>(src, dst, m, scale);
    }
    len = 4;
  }
  if (len == m) {  // m == 8 (Rfft of 16): no radix-4 pass to fold the output swap into
    if (kInverse) {
      for (std::size_t i = 0; i < m; ++i) {
        const float t = dst[2 * i];
        dst[2 * i] = dst[2 * i + 1];
        dst[2 * i + 1] = t;
      }
    }
    return;
  }
  for (len *= 4; len < m; len *= 4) {
    switch (len) {  // the small passes with their length as a constant
      case 16: radix4_pass<false, false, 16>(dst, m, len, tw, table_n); break;
      case 32: radix4_pass<false, false, 32>(dst, m, len, tw, table_n); break;
      case 64: radix4_pass<false, false, 64>(dst, m, len, tw, table_n); break;
      case 128: radix4_pass<false, false, 128>(dst, m, len, tw, table_n); break;
      default: radix4_pass<false, false>(dst, m, len, tw, table_n); break;
    }
  }
  radix4_pass<true, kInverse>(dst, m, m, tw, table_n);
}

// Rfft post-processing: turns Z = fft(z) (m complex in d) into the m + 1 bins
// of rfft(x) in place; tw[k] = exp(-2 pi i k / (2m)).
// X[k] = ((a + b*) - i W (a - b*)) / 2, X[m - k] = ((a + b*) + i W (a - b*))* / 2
// with a = Z[k], b = Z[m - k], W = tw[k].
void rfft_post_dc(float* d, std::size_t m) noexcept {
  const float z0r = d[0], z0i = d[1];
  d[0] = z0r + z0i;
  d[1] = 0.0f;
  d[2 * m] = z0r - z0i;
  d[2 * m + 1] = 0.0f;
}

// One pair (k, m - k) of the split; a = &Z[k], b = &Z[m - k], w = &tw[k]. Written
// with the 1/2 applied last so that no fused multiply-add needs a register copy.
TINYSENSE_FFT_INLINE void rfft_post_pair(float* a, float* b, const float* w) noexcept {
  const float ar = a[0], ai = a[1], br = b[0], bi = b[1];
  const float wr = w[0], wi = w[1];
  const float sr = ar + br, si = ai - bi, dr = ar - br, di = ai + bi;
  const float p = wr * di + wi * dr;
  const float q = wr * dr - wi * di;
  a[0] = 0.5f * (sr + p);
  a[1] = 0.5f * (si - q);
  b[0] = 0.5f * (sr - p);
  b[1] = -0.5f * (si + q);
}

void rfft_post(float* d, std::size_t m, const float* tw) noexcept {
  rfft_post_dc(d, m);
  const float* w = tw + 2;
  float* a = d + 2;
  float* b = d + 2 * (m - 1);
  // k = 1 .. m/2 in pairs (m/2 is even for m >= 4); at k = m/2, a == b and
  // both writes store the same value.
  for (std::size_t k = 1; k <= m / 2; k += 2) {
    rfft_post_pair(a, b, w);
    rfft_post_pair(a + 2, b - 2, w + 2);
    a += 4, b -= 4, w += 4;
  }
}

// Irfft pre-processing: from the m + 1 bins X, writes swap(Z / m) where
// Z = fft(z), z[j] = x[2j] + i x[2j + 1], into d at bit-reversed positions,
// ready for cfft_scalar<true, true>. With S = a + b*, D = a - b* (a = X[k],
// b = X[m - k]): Z[k] / m = (S + i W^-k D) / n, Z[m - k] / m = (S - i W^-k D)* / n.
void irfft_pre(const float* x, float* d, std::size_t m, const float* tw) noexcept {
  const unsigned bits = log2_exact(m);
  const float inv_n = 0.5f / static_cast<float>(m);
  {
    const float x0 = x[0], xm = x[2 * m];  // imaginary parts ignored, as numpy
    d[0] = inv_n * (x0 - xm);
    d[1] = inv_n * (x0 + xm);
  }
  const float* w = tw + 2;
  for (std::size_t k = 1; k <= m / 2; ++k) {
    const float ar = x[2 * k], ai = x[2 * k + 1];
    const float br = x[2 * (m - k)], bi = x[2 * (m - k) + 1];
    const float wr = w[0], wi = -w[1];  // W^-k
    const float sr = ar + br, si = ai - bi, dr = ar - br, di = ai + bi;
    const float tr = wr * dr - wi * di, ti = wr * di + wi * dr;  // W^-k D
    const float zkr = inv_n * (sr - ti), zki = inv_n * (si + tr);
    const float zmr = inv_n * (sr + ti), zmi = -inv_n * (si - tr);
    const std::size_t rk = reverse_bits(static_cast<std::uint32_t>(k), bits);
    const std::size_t rm = reverse_bits(static_cast<std::uint32_t>(m - k), bits);
    d[2 * rk] = zki;
    d[2 * rk + 1] = zkr;
    d[2 * rm] = zmi;
    d[2 * rm + 1] = zmr;
    w += 2;
  }
}

#if TINYSENSE_FFT_SIMD
// ---------------------------------------------------------------------------
// SIMD path (hosts with 128-bit vectors: SSE2, NEON), GCC/Clang vector
// extensions, out-of-place transforms of m >= kLaneMinSize points.
//
// "Lane" algorithm, so that the vectors never need twiddles gathered per lane
// in the inner passes: one decimation-in-frequency radix-4 step splits the
// m-point DFT into 4 DFTs of M = m/4 points, y_t[j] = W_m^tj sum_r
// x[j + rM] (-i)^rt, whose outputs interleave: X[4k + t] = DFT_M(y_t)[k]. The
// 4 sub-DFTs then run side by side, one per vector lane: block j (4 re, then
// 4 im) holds y_0..y_3[j], stored at bit-reversed position, and the same DIT
// passes as the scalar engine run on blocks with broadcast twiddles. The last
// pass writes block k, i.e. X[4k..4k+3], interleaved at its own place.
// ---------------------------------------------------------------------------

typedef float v4 __attribute__((vector_size(16)));
typedef float v4u __attribute__((vector_size(16), aligned(4), may_alias));
typedef std::int32_t v4i __attribute__((vector_size(16)));

constexpr std::size_t kLaneMinSize = 64;

TINYSENSE_FFT_INLINE v4 vld(const float* p) noexcept { return *reinterpret_cast<const v4u*>(p); }
TINYSENSE_FFT_INLINE void vst(float* p, v4 v) noexcept { *reinterpret_cast<v4u*>(p) = v; }
TINYSENSE_FFT_INLINE v4 splat(float x) noexcept { return v4{x, x, x, x}; }
template <int A, int B, int C, int D>
TINYSENSE_FFT_INLINE v4 shuf(v4 a, v4 b) noexcept {
#if defined(__clang__)
  return __builtin_shufflevector(a, b, A, B, C, D);
#else
  return __builtin_shuffle(a, b, v4i{A, B, C, D});
#endif
}
TINYSENSE_FFT_INLINE v4 reverse(v4 a) noexcept { return shuf<3, 2, 1, 0>(a, a); }

// 4 consecutive interleaved complex values <-> (re lanes, im lanes).
TINYSENSE_FFT_INLINE Cx<v4> load4(const float* p) noexcept {
  const v4 a = vld(p), b = vld(p + 4);
  return {shuf<0, 2, 4, 6>(a, b), shuf<1, 3, 5, 7>(a, b)};
}
TINYSENSE_FFT_INLINE void store4(float* p, v4 re, v4 im) noexcept {
  vst(p, shuf<0, 4, 1, 5>(re, im));
  vst(p + 4, shuf<2, 6, 3, 7>(re, im));
}
// tw[idx + i * step], i < 4, as lanes.
TINYSENSE_FFT_INLINE Cx<v4> load_tw4(const float* tw, std::size_t idx, std::size_t step) noexcept {
  const float* p = tw + 2 * idx;
  const std::size_t s = 2 * step;
  const v4 a = {p[0], p[1], p[s], p[s + 1]};
  const v4 b = {p[2 * s], p[2 * s + 1], p[3 * s], p[3 * s + 1]};
  return {shuf<0, 2, 4, 6>(a, b), shuf<1, 3, 5, 7>(a, b)};
}
TINYSENSE_FFT_INLINE void transpose4(v4& a, v4& b, v4& c, v4& d) noexcept {
  const v4 t0 = shuf<0, 4, 1, 5>(a, b), t1 = shuf<2, 6, 3, 7>(a, b);
  const v4 t2 = shuf<0, 4, 1, 5>(c, d), t3 = shuf<2, 6, 3, 7>(c, d);
  a = shuf<0, 1, 4, 5>(t0, t2);
  b = shuf<2, 3, 6, 7>(t0, t2);
  c = shuf<0, 1, 4, 5>(t1, t3);
  d = shuf<2, 3, 6, 7>(t1, t3);
}

struct BlockMem {
  using T = v4;
  static constexpr std::size_t kFloats = 8;
  static TINYSENSE_FFT_INLINE Cx<v4> load(const float* p) noexcept { return {vld(p), vld(p + 4)}; }
  static TINYSENSE_FFT_INLINE void store(float* p, const Cx<v4>& v) noexcept {
    vst(p, v.re);
    vst(p + 4, v.im);
  }
  template <bool kSwap>
  static TINYSENSE_FFT_INLINE void store_out(float* p, const Cx<v4>& v) noexcept {
    if (kSwap) {
      store4(p, v.im, v.re);
    } else {
      store4(p, v.re, v.im);
    }
  }
};

// Radix-4 pass on blocks: k outer (twiddles broadcast once), groups inner.
template <bool kFinal, bool kSwapOut>
void radix4_pass_blocks(float* d, std::size_t count, std::size_t len, const float* tw,
                        std::size_t table_n) noexcept {
  const std::size_t q = len / 4;
  const std::size_t s = table_n / len;
  const std::size_t k_split = (len + 5) / 6;
  for (std::size_t k = 0; k < q; ++k) {
    const float* w1 = tw + 2 * k * s;
    const float* w2 = tw + 4 * k * s;
    const bool neg3 = k >= k_split;
    const float* w3 = tw + 2 * (3 * k * s - (neg3 ? table_n / 2 : 0));
    const v4 w1r = splat(w1[0]), w1i = splat(w1[1]), w2r = splat(w2[0]), w2i = splat(w2[1]);
    const v4 w3r = splat(w3[0]), w3i = splat(w3[1]);
    for (std::size_t g = 0; g < count; g += len) {
      float* p0 = d + 8 * (g + k);
      if (neg3) {
        radix4_butterfly<BlockMem, true, kFinal, kSwapOut>(p0, p0 + 8 * q, p0 + 16 * q, p0 + 24 * q,
                                                           w1r, w1i, w2r, w2i, w3r, w3i);
      } else {
        radix4_butterfly<BlockMem, false, kFinal, kSwapOut>(p0, p0 + 8 * q, p0 + 16 * q,
                                                            p0 + 24 * q, w1r, w1i, w2r, w2i, w3r,
                                                            w3i);
      }
    }
  }
}

// Leg loaders for lane_split: load(r, j) = x[j + r M .. j + r M + 3] as lanes.
template <bool kSwap>
struct InterleavedLegs {
  const float* src;
  std::size_t quarter;
  float scale;
  TINYSENSE_FFT_INLINE Cx<v4> operator()(unsigned r, std::size_t j) const noexcept {
    const Cx<v4> x = load4(src + 2 * (j + r * quarter));
    if (kSwap) return {x.im * scale, x.re * scale};
    return x;
  }
};

// Irfft: the legs are swap(Z / m), computed on the fly from the bins (see irfft_pre).
struct IrfftLegs {
  const float* bins;
  const float* tw;
  std::size_t m;
  std::size_t quarter;
  float inv_n;
  TINYSENSE_FFT_INLINE Cx<v4> operator()(unsigned r, std::size_t j) const noexcept {
    const std::size_t k = j + r * quarter;
    Cx<v4> a = load4(bins + 2 * k);
    const Cx<v4> bl = load4(bins + 2 * (m - k - 3));
    Cx<v4> b = {reverse(bl.re), reverse(bl.im)};  // lane i: X[m - k - i]
    if (k == 0) {  // numpy ignores Im X[0] and Im X[m]
      const v4 keep = {0.0f, 1.0f, 1.0f, 1.0f};
      a.im *= keep;
      b.im *= keep;
    }
    const Cx<v4> w = load4(tw + 2 * k);  // W^k; W^-k = (w.re, -w.im)
    const v4 sr = a.re + b.re, si = a.im - b.im, dr = a.re - b.re, di = a.im + b.im;
    const v4 tr = w.re * dr + w.im * di, ti = w.re * di - w.im * dr;
    const v4 s = splat(inv_n);
    return {s * (si + tr), s * (sr - ti)};
  }
};

// DIF radix-4 split of m points into the 4 lanes (see above); dst blocks at
// bit-reversed positions. dst must not overlap the legs' source.
template <class Legs>
void lane_split(const Legs& legs, float* dst, std::size_t m, const float* tw,
                std::size_t table_n) noexcept {
  const std::size_t quarter = m / 4;
  const unsigned bits = log2_exact(quarter);
  const std::size_t ts = table_n / m;  // table stride of W_m
  const std::size_t rq = quarter / 4;  // reverse_bits(j + i) = reverse_bits(j) + rev2(i) * rq
  for (std::size_t j = 0; j < quarter; j += 4) {
    const Cx<v4> x0 = legs(0, j), x1 = legs(1, j), x2 = legs(2, j), x3 = legs(3, j);
    const Cx<v4> s0 = x0 + x2, s1 = x0 - x2, t0 = x1 + x3, t1 = x1 - x3;
    Cx<v4> y0 = s0 + t0;
    const Cx<v4> u2 = s0 - t0, u1 = s1 + mul_mi(t1), u3 = s1 - mul_mi(t1);
    const Cx<v4> w1 = load_tw4(tw, j * ts, ts);
    const Cx<v4> w2 = load_tw4(tw, 2 * j * ts, 2 * ts);
    const Cx<v4> w3 = cmul(w1, w2.re, w2.im);
    Cx<v4> y1 = cmul(u1, w1.re, w1.im);
    Cx<v4> y2 = cmul(u2, w2.re, w2.im);
    Cx<v4> y3 = cmul(u3, w3.re, w3.im);
    transpose4(y0.re, y1.re, y2.re, y3.re);
    transpose4(y0.im, y1.im, y2.im, y3.im);
    const std::size_t rj = reverse_bits(static_cast<std::uint32_t>(j), bits);
    BlockMem::store(dst + 8 * rj, y0);
    BlockMem::store(dst + 8 * (rj + 2 * rq), y1);
    BlockMem::store(dst + 8 * (rj + rq), y2);
    BlockMem::store(dst + 8 * (rj + 3 * rq), y3);
  }
}

// The 4 lane DFTs of M = m/4 points on blocks in bit-reversed order; writes
// the natural interleaved result (swapped if kSwapOut) in place.
template <bool kSwapOut>
void lane_dit(float* d, std::size_t quarter, const float* tw, std::size_t table_n) noexcept {
  std::size_t len;
  if (log2_exact(quarter) & 1u) {
    first_pass_local<BlockMem, 8, false>(d, quarter, 1.0f);
    len = 8;
  } else {
    first_pass_local<BlockMem, 4, false>(d, quarter, 1.0f);
    len = 4;
  }
  for (len *= 4; len < quarter; len *= 4) {
    radix4_pass_blocks<false, false>(d, quarter, len, tw, table_n);
  }
  radix4_pass_blocks<true, kSwapOut>(d, quarter, quarter, tw, table_n);
}

void rfft_post_simd(float* d, std::size_t m, const float* tw) noexcept {
  rfft_post_dc(d, m);
  const v4 h = splat(0.5f);
  for (std::size_t k = 1; k <= m / 2; k += 4) {
    const Cx<v4> a = load4(d + 2 * k);
    const Cx<v4> bl = load4(d + 2 * (m - k - 3));
    const v4 br = reverse(bl.re), bi = reverse(bl.im);  // lane i: Z[m - k - i]
    const Cx<v4> w = load4(tw + 2 * k);
    const v4 sr = h * (a.re + br), si = h * (a.im - bi);
    const v4 dr = a.re - br, di = a.im + bi;
    const v4 p = h * (w.re * di + w.im * dr);
    const v4 q = h * (w.re * dr - w.im * di);
    store4(d + 2 * k, sr + p, si - q);
    store4(d + 2 * (m - k - 3), reverse(sr - p), reverse(-si - q));
  }
}
#endif  // TINYSENSE_FFT_SIMD

// Complex DFT of m points (see cfft_scalar for the contract).
template <bool kInverse>
void cfft_f32(const float* src, float* dst, std::size_t m, const float* tw, std::size_t table_n,
              float scale) noexcept {
#if TINYSENSE_FFT_SIMD
  if (src != dst && m >= kLaneMinSize) {
    lane_split(InterleavedLegs<kInverse>{src, m / 4, scale}, dst, m, tw, table_n);
    lane_dit<kInverse>(dst, m / 4, tw, table_n);
    return;
  }
#endif
  cfft_scalar<kInverse, false>(src, dst, m, tw, table_n, scale);
}

// ---------------------------------------------------------------------------
// Q15 engine. Packed complex: one 32-bit word, re in the low half, im in the
// high half (the memory layout of ComplexQ15 on little-endian targets).
// Lane operations follow the Arm DSP extension exactly; on Arm v7E-M they are
// the instructions themselves, elsewhere the portable equivalents below.
// tests/golden/gen_fft.py models every rounding in numpy.
// ---------------------------------------------------------------------------

using u32 = std::uint32_t;
// The engine works on `out` and the twiddle table through this type: it may
// alias ComplexQ15 storage and needs only its 2-byte alignment.
#if defined(__GNUC__)
typedef std::uint32_t Word __attribute__((may_alias, aligned(2)));
#else
typedef std::uint32_t Word;
#endif

TINYSENSE_FFT_INLINE std::int32_t lo16(u32 x) noexcept { return static_cast<std::int16_t>(x & 0xFFFFu); }
TINYSENSE_FFT_INLINE std::int32_t hi16(u32 x) noexcept { return static_cast<std::int16_t>(x >> 16); }
TINYSENSE_FFT_INLINE u32 pack16(std::int32_t lo, std::int32_t hi) noexcept {
  return (static_cast<u32>(lo) & 0xFFFFu) | (static_cast<u32>(hi) << 16);
}
TINYSENSE_FFT_INLINE std::int32_t sat16(std::int32_t x) noexcept {
  return x > 32767 ? 32767 : (x < -32768 ? -32768 : x);
}

#if defined(__ARM_FEATURE_SIMD32) && defined(__ARM_FEATURE_DSP)
TINYSENSE_FFT_INLINE u32 shadd16(u32 a, u32 b) noexcept { return static_cast<u32>(__shadd16(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 shsub16(u32 a, u32 b) noexcept { return static_cast<u32>(__shsub16(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 shasx(u32 a, u32 b) noexcept { return static_cast<u32>(__shasx(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 shsax(u32 a, u32 b) noexcept { return static_cast<u32>(__shsax(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 qadd16(u32 a, u32 b) noexcept { return static_cast<u32>(__qadd16(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 qsub16(u32 a, u32 b) noexcept { return static_cast<u32>(__qsub16(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 qasx(u32 a, u32 b) noexcept { return static_cast<u32>(__qasx(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
TINYSENSE_FFT_INLINE u32 qsax(u32 a, u32 b) noexcept { return static_cast<u32>(__qsax(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b))); }
// acc + a.lo * b.lo - a.hi * b.hi
TINYSENSE_FFT_INLINE std::int32_t smlsd(u32 a, u32 b, std::int32_t acc) noexcept { return __smlsd(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b), acc); }
// acc + a.lo * b.hi + a.hi * b.lo
TINYSENSE_FFT_INLINE std::int32_t smladx(u32 a, u32 b, std::int32_t acc) noexcept { return __smladx(static_cast<int16x2_t>(a), static_cast<int16x2_t>(b), acc); }
#else
TINYSENSE_FFT_INLINE u32 shadd16(u32 a, u32 b) noexcept { return pack16((lo16(a) + lo16(b)) >> 1, (hi16(a) + hi16(b)) >> 1); }
TINYSENSE_FFT_INLINE u32 shsub16(u32 a, u32 b) noexcept { return pack16((lo16(a) - lo16(b)) >> 1, (hi16(a) - hi16(b)) >> 1); }
// hi = (a.hi + b.lo) / 2, lo = (a.lo - b.hi) / 2
TINYSENSE_FFT_INLINE u32 shasx(u32 a, u32 b) noexcept { return pack16((lo16(a) - hi16(b)) >> 1, (hi16(a) + lo16(b)) >> 1); }
// hi = (a.hi - b.lo) / 2, lo = (a.lo + b.hi) / 2
TINYSENSE_FFT_INLINE u32 shsax(u32 a, u32 b) noexcept { return pack16((lo16(a) + hi16(b)) >> 1, (hi16(a) - lo16(b)) >> 1); }
TINYSENSE_FFT_INLINE u32 qadd16(u32 a, u32 b) noexcept { return pack16(sat16(lo16(a) + lo16(b)), sat16(hi16(a) + hi16(b))); }
TINYSENSE_FFT_INLINE u32 qsub16(u32 a, u32 b) noexcept { return pack16(sat16(lo16(a) - lo16(b)), sat16(hi16(a) - hi16(b))); }
TINYSENSE_FFT_INLINE u32 qasx(u32 a, u32 b) noexcept { return pack16(sat16(lo16(a) - hi16(b)), sat16(hi16(a) + lo16(b))); }
TINYSENSE_FFT_INLINE u32 qsax(u32 a, u32 b) noexcept { return pack16(sat16(lo16(a) + hi16(b)), sat16(hi16(a) - lo16(b))); }
TINYSENSE_FFT_INLINE std::int32_t smlsd(u32 a, u32 b, std::int32_t acc) noexcept { return acc + lo16(a) * lo16(b) - hi16(a) * hi16(b); }
TINYSENSE_FFT_INLINE std::int32_t smladx(u32 a, u32 b, std::int32_t acc) noexcept { return acc + lo16(a) * hi16(b) + hi16(a) * lo16(b); }
#endif

// Both halves +1 before a halving add: shadd16(x, kOnes) = round-half-up(x / 2).
constexpr u32 kOnes = 0x00010001u;

// (b * w) / 2 in Q15, each part rounded half up: re = (br wr - bi wi + 2^15) >> 16,
// im = (br wi + bi wr + 2^15) >> 16. Cannot overflow for any int16 inputs.
TINYSENSE_FFT_INLINE u32 cmul_half(u32 b, u32 w) noexcept {
  const std::int32_t re = smlsd(b, w, 0x8000);
  const std::int32_t im = smladx(b, w, 0x8000);
#if defined(__ARM_FEATURE_SIMD32) && defined(__ARM_FEATURE_DSP)
  u32 r;  // GCC does not match this pattern to PKHTB by itself (3 instructions instead of 1)
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(im), "r"(re));
  return r;
#else
  return (static_cast<u32>(im) & 0xFFFF0000u) | (static_cast<u32>(re) >> 16);
#endif
}

TINYSENSE_FFT_INLINE u32 load_word(const void* p) noexcept {
  u32 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
TINYSENSE_FFT_INLINE void store_word(void* p, u32 v) noexcept { std::memcpy(p, &v, sizeof v); }

// First pass, Q15, scaled by 1/(2 * radix): the extra 1/2 keeps every later
// value within +-23170, so no complex rotation can overflow int16.
// Radix 2 (log2 m odd): out = ((a +- b) >> 1 + 1) >> 1.
void q15_first_r2(const q15_t* in, Word* d, std::size_t m) noexcept {
  const std::size_t pairs = m / 2;
  const unsigned bits = log2_exact(pairs);
  const q15_t* hi = in + 2 * pairs;
  for (std::size_t j = 0; j < pairs; ++j) {
    const std::size_t r = pairs > 1 ? reverse_bits(static_cast<std::uint32_t>(j), bits) : 0;
    const u32 a = load_word(in + 2 * r);
    const u32 b = load_word(hi + 2 * r);
    d[2 * j] = shadd16(shadd16(a, b), kOnes);
    d[2 * j + 1] = shadd16(shsub16(a, b), kOnes);
  }
}

// Radix 4 (log2 m even): out = DFT4 with halving adds, then (x + 1) >> 1.
void q15_first_r4(const q15_t* in, Word* d, std::size_t m) noexcept {
  const std::size_t groups = m / 4;
  const unsigned bits = log2_exact(groups);
  const std::size_t stride = 2 * groups;  // q15 values between the group's inputs
  for (std::size_t j = 0; j < groups; ++j) {
    const q15_t* g = in + 2 * reverse_bits(static_cast<std::uint32_t>(j), bits);
    const u32 x0 = load_word(g), x1 = load_word(g + stride);
    const u32 x2 = load_word(g + 2 * stride), x3 = load_word(g + 3 * stride);
    const u32 s0 = shadd16(x0, x2), s1 = shsub16(x0, x2);
    const u32 t0 = shadd16(x1, x3), t1 = shsub16(x1, x3);
    Word* o = d + 4 * j;
    o[0] = shadd16(shadd16(s0, t0), kOnes);
    o[2] = shadd16(shsub16(s0, t0), kOnes);
    o[1] = shadd16(shsax(s1, t1), kOnes);  // (s1 - i t1) / 2
    o[3] = shadd16(shasx(s1, t1), kOnes);  // (s1 + i t1) / 2
  }
}

// One Q15 radix-4 DIT butterfly, output = (sum of the four legs) / 4.
template <bool kNeg3>
TINYSENSE_FFT_INLINE void q15_butterfly(Word* p0, Word* p1, Word* p2, Word* p3, u32 w1, u32 w2, u32 w3) noexcept {
  const u32 a = shadd16(*p0, kOnes);  // a / 2, rounded
  const u32 b = cmul_half(*p1, w2);
  const u32 c = cmul_half(*p2, w1);
  const u32 dd = cmul_half(*p3, w3);
  const u32 s0 = shadd16(a, b), s1 = shsub16(a, b);
  const u32 t0 = kNeg3 ? shsub16(c, dd) : shadd16(c, dd);
  const u32 t1 = kNeg3 ? shadd16(c, dd) : shsub16(c, dd);
  *p0 = qadd16(s0, t0);
  *p2 = qsub16(s0, t0);
  *p1 = qsax(s1, t1);  // s1 - i t1
  *p3 = qasx(s1, t1);  // s1 + i t1
}

void q15_radix4_pass(Word* d, std::size_t m, std::size_t len, const Word* tw,
                     std::size_t table_n) noexcept {
  const std::size_t q = len / 4;
  const std::size_t s = table_n / len;
  const std::size_t k_split = (len + 5) / 6;
  const Word* tw3_neg = tw + (3 * k_split * s - table_n / 2);
  for (std::size_t g = 0; g < m; g += len) {
    Word* p0 = d + g;
    Word* p2 = p0 + 2 * q;
    const Word* w1 = tw;
    const Word* w2 = tw;
    const Word* w3 = tw;
    Word* const split = p0 + k_split;
    Word* const end = p0 + q;
    for (; p0 < split; ++p0, ++p2, w1 += s, w2 += 2 * s, w3 += 3 * s) {
      q15_butterfly<false>(p0, p0 + q, p2, p2 + q, *w1, *w2, *w3);
    }
    for (w3 = tw3_neg; p0 < end; ++p0, ++p2, w1 += s, w2 += 2 * s, w3 += 3 * s) {
      q15_butterfly<true>(p0, p0 + q, p2, p2 + q, *w1, *w2, *w3);
    }
  }
}

// Q15 split post-processing on Y = fft(z) / (2m): X[k] / n for k = 0..m.
void q15_rfft_post(Word* d, std::size_t m, const Word* tw) noexcept {
  {
    const u32 y0 = d[0];
    d[0] = pack16(sat16(lo16(y0) + hi16(y0)), 0);
    d[m] = pack16(sat16(lo16(y0) - hi16(y0)), 0);
  }
  for (std::size_t k = 1; k <= m / 2; ++k) {
    const u32 a = d[k], b = d[m - k], w = tw[k];
    const u32 rb = (b >> 16) | (b << 16);
    const u32 ra = (a >> 16) | (a << 16);
    const u32 sh = shsax(a, rb);   // (a + b*) / 2
    const u32 shc = shsax(b, ra);  // (b + a*) / 2, the conjugate, rounded the same way
    const u32 dh = shasx(a, rb);   // (a - b*) / 2
    // -i W dh = p - i q with p = wr dh.im + wi dh.re, q = wr dh.re - wi dh.im (Q15, rounded).
    const std::int32_t p = (smladx(dh, w, 0x4000)) >> 15;
    const std::int32_t q = (smlsd(dh, w, 0x4000)) >> 15;
    const u32 pq = pack16(q, p);  // lo = q, hi = p
    const u32 pp = pack16(p, q);  // lo = p, hi = q
    d[k] = qsax(sh, pq);          // (sh.re + p, sh.im - q)
    d[m - k] = qsub16(shc, pp);   // (shc.re - p, shc.im - q)
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

Status ComplexFft::init(std::size_t n, Span<Complex32> twiddles) noexcept {
  twiddles_ = nullptr;
  n_ = 0;
  if (!is_valid_fft_size(n)) return Status::kInvalidArgument;
  if (twiddles.size() < twiddle_len(n)) return Status::kNoMemory;
  Complex32* tw = twiddles.data();
  for_each_twiddle(n, n / 2, [tw](std::size_t k, double c, double s) {
    tw[k] = Complex32{static_cast<float>(c), static_cast<float>(-s)};
  });
  twiddles_ = tw;
  n_ = n;
  return Status::kOk;
}

void ComplexFft::forward(Span<const Complex32> in, Span<Complex32> out) const noexcept {
  TINYSENSE_DCHECK(n_ != 0 && in.size() == n_ && out.size() == n_);
  cfft_f32<false>(reinterpret_cast<const float*>(in.data()), reinterpret_cast<float*>(out.data()),
                  n_, reinterpret_cast<const float*>(twiddles_), n_, 1.0f);
}

void ComplexFft::inverse(Span<const Complex32> in, Span<Complex32> out) const noexcept {
  TINYSENSE_DCHECK(n_ != 0 && in.size() == n_ && out.size() == n_);
  cfft_f32<true>(reinterpret_cast<const float*>(in.data()), reinterpret_cast<float*>(out.data()),
                 n_, reinterpret_cast<const float*>(twiddles_), n_, 1.0f / static_cast<float>(n_));
}

Status Rfft::init(std::size_t n, Span<Complex32> twiddles) noexcept {
  twiddles_ = nullptr;
  n_ = 0;
  if (!is_valid_fft_size(n)) return Status::kInvalidArgument;
  if (twiddles.size() < twiddle_len(n)) return Status::kNoMemory;
  Complex32* tw = twiddles.data();
  for_each_twiddle(n, n / 2, [tw](std::size_t k, double c, double s) {
    tw[k] = Complex32{static_cast<float>(c), static_cast<float>(-s)};
  });
  twiddles_ = tw;
  n_ = n;
  return Status::kOk;
}

void Rfft::forward(Span<const float> in, Span<Complex32> out) const noexcept {
  TINYSENSE_DCHECK(n_ != 0 && in.size() == n_ && out.size() == n_ / 2 + 1);
  const std::size_t m = n_ / 2;
  float* d = reinterpret_cast<float*>(out.data());
  const float* tw = reinterpret_cast<const float*>(twiddles_);
  cfft_f32<false>(in.data(), d, m, tw, n_, 1.0f);
#if TINYSENSE_FFT_SIMD
  if (m >= kLaneMinSize) {
    rfft_post_simd(d, m, tw);
    return;
  }
#endif
  rfft_post(d, m, tw);
}

void Rfft::inverse(Span<const Complex32> in, Span<float> out) const noexcept {
  TINYSENSE_DCHECK(n_ != 0 && in.size() == n_ / 2 + 1 && out.size() == n_);
  const std::size_t m = n_ / 2;
  float* d = out.data();
  const float* bins = reinterpret_cast<const float*>(in.data());
  const float* tw = reinterpret_cast<const float*>(twiddles_);
#if TINYSENSE_FFT_SIMD
  if (m >= kLaneMinSize) {
    lane_split(IrfftLegs{bins, tw, m, m / 4, 0.5f / static_cast<float>(m)}, d, m, tw, n_);
    lane_dit<true>(d, m / 4, tw, n_);
    return;
  }
#endif
  irfft_pre(bins, d, m, tw);
  cfft_scalar<true, true>(d, d, m, tw, n_, 1.0f);
}

Status RfftQ15::init(std::size_t n, Span<ComplexQ15> twiddles) noexcept {
  twiddles_ = nullptr;
  n_ = 0;
  if (!is_valid_fft_size(n)) return Status::kInvalidArgument;
  if (twiddles.size() < twiddle_len(n)) return Status::kNoMemory;
  ComplexQ15* tw = twiddles.data();
  for_each_twiddle(n, n / 2, [tw](std::size_t k, double c, double s) {
    // Round half up, as the numpy model: floor(v * 32768 + 0.5), saturated.
    const double re = std::floor(c * 32768.0 + 0.5);
    const double im = std::floor(-s * 32768.0 + 0.5);
    tw[k] = ComplexQ15{static_cast<q15_t>(re > 32767.0 ? 32767.0 : re),
                       static_cast<q15_t>(im > 32767.0 ? 32767.0 : im)};
  });
  twiddles_ = tw;
  n_ = n;
  return Status::kOk;
}

void RfftQ15::forward(Span<const q15_t> in, Span<ComplexQ15> out) const noexcept {
  TINYSENSE_DCHECK(n_ != 0 && in.size() == n_ && out.size() == n_ / 2 + 1);
  const std::size_t m = n_ / 2;
  // ComplexQ15 is two packed int16 (re low), so a u32 view of `out` is the
  // packed layout of the engine; the table is read the same way.
  Word* d = reinterpret_cast<Word*>(out.data());
  const Word* tw = reinterpret_cast<const Word*>(twiddles_);
  const unsigned lg = log2_exact(m);
  std::size_t len;
  if (lg & 1u) {
    q15_first_r2(in.data(), d, m);
    len = 2;
  } else {
    q15_first_r4(in.data(), d, m);
    len = 4;
  }
  for (len *= 4; len <= m; len *= 4) q15_radix4_pass(d, m, len, tw, n_);
  q15_rfft_post(d, m, tw);
}

void power_spectrum(Span<const Complex32> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(out.size() == in.size());
  const float* x = reinterpret_cast<const float*>(in.data());
  float* y = out.data();
  for (std::size_t k = 0, n = in.size(); k < n; ++k) {
    const float re = x[2 * k], im = x[2 * k + 1];
    y[k] = re * re + im * im;
  }
}

void magnitude(Span<const Complex32> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(out.size() == in.size());
  const float* x = reinterpret_cast<const float*>(in.data());
  float* y = out.data();
  for (std::size_t k = 0, n = in.size(); k < n; ++k) {
    const float re = x[2 * k], im = x[2 * k + 1];
    y[k] = std::sqrt(re * re + im * im);
  }
}

void power_spectrum_q15(Span<const ComplexQ15> in, Span<std::int32_t> out) noexcept {
  TINYSENSE_DCHECK(out.size() == in.size());
  for (std::size_t k = 0, n = in.size(); k < n; ++k) {
    const std::int32_t re = in[k].re, im = in[k].im;
    // Sum in uint32 so (-1, -1) -> 2^31 wraps predictably; it is the only overflow.
    const std::uint32_t p = static_cast<std::uint32_t>(re * re) + static_cast<std::uint32_t>(im * im);
    out[k] = p > 0x7FFFFFFFu ? 0x7FFFFFFF : static_cast<std::int32_t>(p);
  }
}

}  // namespace tinysense::dsp
