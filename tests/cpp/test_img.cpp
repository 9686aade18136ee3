// Image pre-processing: conversions, resizes and quantiser bit-exact against
// numpy integer models (tests/golden/gen_img.py); bilinear within 1 of float64;
// crop views; strides; tail canaries; argument validation; the camera path.
#include <cmath>
#include <cstring>

#include "golden_img.hpp"
#include "tinysense/img/image.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::img;
namespace g = golden::img;

namespace {

constexpr std::size_t kCanary = 16;
constexpr std::uint8_t kSentinel = 0xc3;
std::uint8_t g_out[8192 + kCanary];

Span<std::uint8_t> out_buf(std::size_t n) {
  std::memset(g_out, kSentinel, sizeof g_out);
  return Span<std::uint8_t>(g_out, n);
}
bool canary(std::size_t n) {
  for (std::size_t i = n; i < n + kCanary; ++i) {
    if (g_out[i] != kSentinel) return false;
  }
  return true;
}
int diff(const std::uint8_t* a, const std::uint8_t* b, std::size_t n) {
  int d = 0;
  for (std::size_t i = 0; i < n; ++i) d += a[i] != b[i] ? 1 : 0;
  return d;
}
Span<const std::uint8_t> cs(const std::uint8_t* p, std::size_t n) {
  return Span<const std::uint8_t>(p, n);
}

// Converts a 13x7 golden image and compares with the expected bytes.
int convert_case(const std::uint8_t* src, std::size_t src_len, PixelFormat sf,
                 const std::uint8_t* expect, std::size_t expect_len, PixelFormat df) {
  const Image in = make_image(cs(src, src_len), 13, 7, sf);
  const MutableImage out = make_image(out_buf(expect_len), 13, 7, df);
  TT_CHECK(convert(in, out) == Status::kOk);
  TT_CHECK(canary(expect_len));
  return diff(g_out, expect, expect_len);
}

}  // namespace

TT_TEST(conversions_match_numpy_and_pillow_conventions) {
  TT_CHECK_EQ(convert_case(g::rgb, g::rgb_len, PixelFormat::kRgb888, g::rgb_to_gray,
                           g::rgb_to_gray_len, PixelFormat::kGray8), 0);
  TT_CHECK_EQ(convert_case(g::rgb, g::rgb_len, PixelFormat::kRgb888, g::rgb_to_565le,
                           g::rgb_to_565le_len, PixelFormat::kRgb565Le), 0);
  TT_CHECK_EQ(convert_case(g::rgb, g::rgb_len, PixelFormat::kRgb888, g::rgb_to_565be,
                           g::rgb_to_565be_len, PixelFormat::kRgb565Be), 0);
  TT_CHECK_EQ(convert_case(g::c565le, g::c565le_len, PixelFormat::kRgb565Le, g::c565_to_rgb,
                           g::c565_to_rgb_len, PixelFormat::kRgb888), 0);
  TT_CHECK_EQ(convert_case(g::c565be, g::c565be_len, PixelFormat::kRgb565Be, g::c565_to_rgb,
                           g::c565_to_rgb_len, PixelFormat::kRgb888), 0);
  TT_CHECK_EQ(convert_case(g::c565le, g::c565le_len, PixelFormat::kRgb565Le, g::c565_to_gray,
                           g::c565_to_gray_len, PixelFormat::kGray8), 0);
  TT_CHECK_EQ(convert_case(g::c565be, g::c565be_len, PixelFormat::kRgb565Be, g::c565le,
                           g::c565le_len, PixelFormat::kRgb565Le), 0);  // byte swap
  TT_CHECK_EQ(convert_case(g::gray, g::gray_len, PixelFormat::kGray8, g::gray_to_565,
                           g::gray_to_565_len, PixelFormat::kRgb565Le), 0);
  TT_CHECK_EQ(convert_case(g::gray, g::gray_len, PixelFormat::kGray8, g::gray, g::gray_len,
                           PixelFormat::kGray8), 0);
}

TT_TEST(rgb565_round_trip_is_lossless_and_luma_is_exact) {
  int bad = 0;
  for (std::uint32_t u = 0; u < 65536; ++u) {
    const std::uint8_t r = expand5(u >> 11), gg = expand6((u >> 5) & 63), b = expand5(u & 31);
    bad += pack565(r, gg, b) != u ? 1 : 0;
  }
  TT_CHECK_EQ(bad, 0);
  TT_CHECK_EQ(expand5(31), 255);
  TT_CHECK_EQ(expand6(63), 255);
  TT_CHECK_EQ(expand5(4), 32);  // 4 * 255 / 31 = 32.9, truncated like Pillow
  // Gray through luma is the identity for every value (R = G = B).
  for (std::uint32_t v = 0; v < 256; ++v) bad += luma(v, v, v) != v ? 1 : 0;
  TT_CHECK_EQ(bad, 0);
  TT_CHECK_EQ(luma(255, 0, 0), 76);
  TT_CHECK_EQ(luma(0, 255, 0), 150);
  TT_CHECK_EQ(luma(0, 0, 255), 29);
}

TT_TEST(resizes_match_numpy_integer_models) {
  const Image src = make_image(cs(g::src_gray, g::src_gray_len), 17, 13, PixelFormat::kGray8);
  const Interpolation methods[3] = {Interpolation::kNearest, Interpolation::kBilinear,
                                    Interpolation::kArea};
  const std::uint8_t* expect[3] = {g::nearest_gray, g::bilinear_gray, g::area_gray};
  for (int m = 0; m < 3; ++m) {
    std::size_t pos = 0;
    for (std::size_t k = 0; k < static_cast<std::size_t>(g::n_sizes); ++k) {
      const int h = g::sizes[2 * k], w = g::sizes[2 * k + 1];
      const std::size_t n = static_cast<std::size_t>(h * w);
      const MutableImage dst = make_image(out_buf(n), w, h, PixelFormat::kGray8);
      TT_CHECK(resize(src, dst, methods[m]) == Status::kOk);
      TT_CHECK_EQ(diff(g_out, expect[m] + pos, n), 0);
      TT_CHECK(canary(n));
      if (m == 1) {  // bilinear vs float64: rounding of the 1/2048 weights only
        double worst = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          const double e = std::fabs(g_out[i] - g::bilinear_gray_float[pos + i]);
          worst = e > worst ? e : worst;
        }
        TT_CHECK_LE(worst, tt::tol::kImgBilinearAbs);
      }
      pos += n;
    }
  }
  const Image rgb = make_image(cs(g::src_rgb, g::src_rgb_len), 9, 7, PixelFormat::kRgb888);
  const std::uint8_t* expect_rgb[3] = {g::nearest_rgb, g::bilinear_rgb, g::area_rgb};
  for (int m = 0; m < 3; ++m) {
    const MutableImage dst = make_image(out_buf(60), 4, 5, PixelFormat::kRgb888);
    TT_CHECK(resize(rgb, dst, methods[m]) == Status::kOk);
    TT_CHECK_EQ(diff(g_out, expect_rgb[m], 60), 0);
    TT_CHECK(canary(60));
  }
}

TT_TEST(resize_analytic_cases) {
  // Same size: every method is the identity.
  const Image src = make_image(cs(g::src_gray, g::src_gray_len), 17, 13, PixelFormat::kGray8);
  for (Interpolation m : {Interpolation::kNearest, Interpolation::kBilinear, Interpolation::kArea}) {
    const MutableImage dst = make_image(out_buf(221), 17, 13, PixelFormat::kGray8);
    TT_CHECK(resize(src, dst, m) == Status::kOk);
    TT_CHECK_EQ(diff(g_out, g::src_gray, 221), 0);
  }
  // 2x2 block means (area) of a 4x2 image, rounded half up.
  const std::uint8_t px[8] = {0, 1, 10, 20, 2, 3, 30, 41};
  const MutableImage dst = make_image(out_buf(2), 2, 1, PixelFormat::kGray8);
  TT_CHECK(resize(make_image(cs(px, 8), 4, 2, PixelFormat::kGray8), dst, Interpolation::kArea) ==
           Status::kOk);
  TT_CHECK_EQ(g_out[0], 2);   // 6 / 4 = 1.5 -> 2
  TT_CHECK_EQ(g_out[1], 25);  // 101 / 4 = 25.25
}

TT_TEST(crop_is_a_view_and_respects_stride) {
  // Crop a 5x3 window at (4, 2) of the 17x13 image, then resize the view.
  const Image src = make_image(cs(g::src_gray, g::src_gray_len), 17, 13, PixelFormat::kGray8);
  Image view;
  TT_CHECK(crop(src, 4, 2, 5, 3, &view) == Status::kOk);
  TT_CHECK(view.pixels.data() == g::src_gray + 2 * 17 + 4);
  TT_CHECK_EQ(view.stride, 17u);
  const MutableImage dst = make_image(out_buf(15), 5, 3, PixelFormat::kGray8);
  TT_CHECK(convert(view, dst) == Status::kOk);
  int bad = 0;
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 5; ++x) bad += g_out[y * 5 + x] != g::src_gray[(2 + y) * 17 + 4 + x];
  }
  TT_CHECK_EQ(bad, 0);
  TT_CHECK(canary(15));
  TT_CHECK(crop(src, 13, 0, 5, 1, &view) == Status::kOutOfRange);
  TT_CHECK(crop(src, -1, 0, 5, 1, &view) == Status::kOutOfRange);
  TT_CHECK(crop(src, 0, 0, 0, 1, &view) == Status::kOutOfRange);
  TT_CHECK(crop(src, 0, 12, 17, 2, &view) == Status::kOutOfRange);
  TT_CHECK(crop(src, 0, 0, 17, 13, nullptr) == Status::kInvalidArgument);
  // Writable crop: write into the middle of a buffer, the rest untouched.
  std::uint8_t buf[6 * 4];
  std::memset(buf, 0, sizeof buf);
  const MutableImage whole = make_image(Span<std::uint8_t>(buf, 24), 6, 4, PixelFormat::kGray8);
  MutableImage inner;
  TT_CHECK(crop(whole, 1, 1, 4, 2, &inner) == Status::kOk);
  const std::uint8_t ones[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  TT_CHECK(convert(make_image(cs(ones, 8), 4, 2, PixelFormat::kGray8), inner) == Status::kOk);
  int sum = 0;
  for (std::uint8_t b : buf) sum += b;
  TT_CHECK_EQ(sum, 8);
  TT_CHECK_EQ(buf[0], 0);
  TT_CHECK_EQ(buf[7], 1);
  TT_CHECK_EQ(buf[11], 0);
}

TT_TEST(rejects_bad_views_and_formats) {
  std::uint8_t buf[64] = {};
  const Span<const std::uint8_t> s(buf, 64);
  const MutableImage dst = make_image(Span<std::uint8_t>(g_out, 64), 8, 8, PixelFormat::kGray8);
  TT_CHECK(check(make_image(s, 8, 8, PixelFormat::kGray8)) == Status::kOk);
  TT_CHECK(check(make_image(s, 0, 8, PixelFormat::kGray8)) == Status::kInvalidArgument);
  TT_CHECK(check(make_image(s, 8, 9, PixelFormat::kGray8)) == Status::kSizeMismatch);
  TT_CHECK(check(make_image(s, 8, 8, PixelFormat::kRgb888)) == Status::kSizeMismatch);
  TT_CHECK(check(make_image(s, kMaxImageDim + 1, 1, PixelFormat::kGray8)) == Status::kInvalidArgument);
  TT_CHECK(check(Image{s, 8, 4, 7, PixelFormat::kGray8}) == Status::kInvalidArgument);  // stride
  TT_CHECK(check(Image{s, 8, 4, 16, PixelFormat::kGray8}) == Status::kOk);   // 3 * 16 + 8 <= 64
  TT_CHECK(check(Image{s, 8, 5, 16, PixelFormat::kGray8}) == Status::kSizeMismatch);
  TT_CHECK(check(Image{s, 8, 2, ~std::size_t{0} / 2, PixelFormat::kGray8}) == Status::kSizeMismatch);
  TT_CHECK(check(Image{s, 8, 8, 8, static_cast<PixelFormat>(9)}) == Status::kInvalidArgument);
  TT_CHECK(convert(make_image(s, 4, 4, PixelFormat::kGray8), dst) == Status::kSizeMismatch);
  const Image src565 = make_image(s, 4, 4, PixelFormat::kRgb565Le);
  const MutableImage dst565 = make_image(Span<std::uint8_t>(g_out, 32), 4, 4, PixelFormat::kRgb565Le);
  TT_CHECK(resize(src565, dst565, Interpolation::kArea) == Status::kInvalidArgument);
  TT_CHECK(resize(make_image(s, 8, 8, PixelFormat::kGray8),
                  make_image(Span<std::uint8_t>(g_out, 48), 4, 4, PixelFormat::kRgb888),
                  Interpolation::kNearest) == Status::kInvalidArgument);
  TT_CHECK(resize(make_image(s, 8, 8, PixelFormat::kGray8), dst, static_cast<Interpolation>(7)) ==
           Status::kInvalidArgument);
}

TT_TEST(quantizer_is_exact_and_within_one_of_float) {
  std::uint8_t p[256];
  for (int i = 0; i < 256; ++i) p[i] = static_cast<std::uint8_t>(i);
  const std::int8_t* expect[4] = {g::quant0_y, g::quant1_y, g::quant2_y, g::quant3_y};
  const std::int8_t* flt[4] = {g::quant0_float, g::quant1_float, g::quant2_float, g::quant3_float};
  const float* par[4] = {g::quant0_params, g::quant1_params, g::quant2_params, g::quant3_params};
  const long long mul[4] = {g::quant0_mul, g::quant1_mul, g::quant2_mul, g::quant3_mul};
  for (int k = 0; k < 4; ++k) {
    PixelQuantizer q;
    TT_CHECK(q.init(par[k][0], par[k][1], par[k][2], static_cast<std::int32_t>(par[k][3])) ==
             Status::kOk);
    TT_CHECK_EQ(q.multiplier(), mul[k]);
    std::int8_t out[256 + 4];
    std::memset(out, 0x11, sizeof out);
    q.process(Span<const std::uint8_t>(p, 256), Span<std::int8_t>(out, 256));
    int bad = 0, far = 0;
    for (int i = 0; i < 256; ++i) {
      bad += out[i] != expect[k][i];
      far += std::abs(out[i] - flt[k][i]) > 1;
    }
    TT_CHECK_EQ(bad, 0);
    TT_CHECK_EQ(far, 0);
    TT_CHECK_EQ(out[256], 0x11);
  }
  // pixel / 255 with the models' input scale 1/255, zero point -128: q = p - 128 exactly.
  PixelQuantizer q;
  TT_CHECK(q.init(0.0f, 255.0f, 1.0f / 255.0f, -128) == Status::kOk);
  std::int8_t out[256];
  q.process(Span<const std::uint8_t>(p, 256), Span<std::int8_t>(out, 256));
  int bad = 0;
  for (int i = 0; i < 256; ++i) bad += out[i] != i - 128;
  TT_CHECK_EQ(bad, 0);
  // Invalid parameters.
  TT_CHECK(q.init(0.0f, 0.0f, 0.1f, 0) == Status::kInvalidArgument);
  TT_CHECK(q.init(0.0f, -1.0f, 0.1f, 0) == Status::kInvalidArgument);
  TT_CHECK(q.init(0.0f, 1.0f, NAN, 0) == Status::kInvalidArgument);
  TT_CHECK(q.init(0.0f, 1.0f, 0.001f, 0) == Status::kInvalidArgument);  // 1000 steps per pixel
  TT_CHECK(q.init(1e6f, 1.0f, 1.0f, 0) == Status::kInvalidArgument);    // offset too large
  TT_CHECK(q.init(0.0f, 1.0f, 1.0f, 128) == Status::kInvalidArgument);
  TT_CHECK(q.process(make_image(Span<const std::uint8_t>(p, 16), 4, 4, PixelFormat::kGray8),
                     Span<std::int8_t>(out, 16)) == Status::kNotInitialized);
}

TT_TEST(normalize_matches_float64) {
  std::uint8_t p[256];
  for (int i = 0; i < 256; ++i) p[i] = static_cast<std::uint8_t>(i);
  float out[256];
  TT_CHECK(normalize(Span<const std::uint8_t>(p, 256), 33.0f, 58.5f, Span<float>(out, 256)) ==
           Status::kOk);
  TT_CHECK_LE(tt::max_abs_error(out, g::normalize_y, 256), 1e-6);
  TT_CHECK(normalize(Span<const std::uint8_t>(p, 256), 0.0f, 0.0f, Span<float>(out, 256)) ==
           Status::kInvalidArgument);
  TT_CHECK(normalize(Span<const std::uint8_t>(p, 256), 0.0f, 1.0f, Span<float>(out, 255)) ==
           Status::kSizeMismatch);
}

TT_TEST(camera_path_rgb565_to_int8_model_input) {
  // A 32x24 RGB565 (big-endian) frame -> gray -> centre crop 24x24 -> area
  // 8x8 -> int8 (scale 1/255, zero point -128), checked against the same
  // steps on the golden models composed by hand.
  static std::uint8_t frame[32 * 24 * 2];
  for (int i = 0; i < 32 * 24; ++i) {
    const std::uint16_t u = static_cast<std::uint16_t>(i * 2654435761u >> 16);
    frame[2 * i] = static_cast<std::uint8_t>(u >> 8);
    frame[2 * i + 1] = static_cast<std::uint8_t>(u);
  }
  static std::uint8_t gray[32 * 24];
  TT_CHECK(convert(make_image(Span<const std::uint8_t>(frame, sizeof frame), 32, 24,
                              PixelFormat::kRgb565Be),
                   make_image(Span<std::uint8_t>(gray, sizeof gray), 32, 24, PixelFormat::kGray8)) ==
           Status::kOk);
  Image centre;
  TT_CHECK(crop(make_image(Span<const std::uint8_t>(gray, sizeof gray), 32, 24, PixelFormat::kGray8),
                4, 0, 24, 24, &centre) == Status::kOk);
  std::uint8_t small[64];
  TT_CHECK(resize(centre, make_image(Span<std::uint8_t>(small, 64), 8, 8, PixelFormat::kGray8),
                  Interpolation::kArea) == Status::kOk);
  PixelQuantizer q;
  TT_CHECK(q.init(0.0f, 255.0f, 1.0f / 255.0f, -128) == Status::kOk);
  std::int8_t input[64];
  TT_CHECK(q.process(make_image(Span<const std::uint8_t>(small, 64), 8, 8, PixelFormat::kGray8),
                     Span<std::int8_t>(input, 64)) == Status::kOk);
  int bad = 0;
  for (int oy = 0; oy < 8; ++oy) {
    for (int ox = 0; ox < 8; ++ox) {
      std::uint32_t sum = 0;
      for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
          const int i = (oy * 3 + y) * 32 + 4 + ox * 3 + x;
          const std::uint32_t u = (std::uint32_t{frame[2 * i]} << 8) | frame[2 * i + 1];
          sum += luma(expand5(u >> 11), expand6((u >> 5) & 63), expand5(u & 31));
        }
      }
      bad += input[oy * 8 + ox] != static_cast<int>((sum + 4) / 9) - 128;
    }
  }
  TT_CHECK_EQ(bad, 0);
}
