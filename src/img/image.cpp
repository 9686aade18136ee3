#include "tinysense/img/image.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "tinysense/core/check.hpp"

namespace tinysense::img {
namespace {

constexpr int kFracBits = 11;  // bilinear weight resolution: 1/2048
constexpr std::uint32_t kFracOne = 1u << kFracBits;

struct Rgb {
  std::uint32_t r, g, b;
};

template <PixelFormat F>
inline Rgb load(const std::uint8_t* p) noexcept {
  if constexpr (F == PixelFormat::kGray8) {
    return {p[0], p[0], p[0]};
  } else if constexpr (F == PixelFormat::kRgb888) {
    return {p[0], p[1], p[2]};
  } else {
    const std::uint32_t u = F == PixelFormat::kRgb565Le ? (p[0] | (std::uint32_t{p[1]} << 8))
                                                        : ((std::uint32_t{p[0]} << 8) | p[1]);
    return {expand5(u >> 11), expand6((u >> 5) & 63u), expand5(u & 31u)};
  }
}

template <PixelFormat F>
inline void store(std::uint8_t* p, Rgb c) noexcept {
  if constexpr (F == PixelFormat::kGray8) {
    p[0] = luma(c.r, c.g, c.b);
  } else if constexpr (F == PixelFormat::kRgb888) {
    p[0] = static_cast<std::uint8_t>(c.r);
    p[1] = static_cast<std::uint8_t>(c.g);
    p[2] = static_cast<std::uint8_t>(c.b);
  } else {
    const std::uint16_t u = pack565(c.r, c.g, c.b);
    const std::uint8_t lo = static_cast<std::uint8_t>(u & 0xffu);
    const std::uint8_t hi = static_cast<std::uint8_t>(u >> 8);
    p[0] = F == PixelFormat::kRgb565Le ? lo : hi;
    p[1] = F == PixelFormat::kRgb565Le ? hi : lo;
  }
}

template <PixelFormat S, PixelFormat D>
void convert_rows(const Image& src, const MutableImage& dst) noexcept {
  constexpr std::size_t sb = bytes_per_pixel(S);
  constexpr std::size_t db = bytes_per_pixel(D);
  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* s = src.pixels.data() + static_cast<std::size_t>(y) * src.stride;
    std::uint8_t* d = dst.pixels.data() + static_cast<std::size_t>(y) * dst.stride;
    if constexpr (S == D) {
      std::memcpy(d, s, static_cast<std::size_t>(src.width) * sb);
    } else {
      for (int x = 0; x < src.width; ++x) store<D>(d + x * db, load<S>(s + x * sb));
    }
  }
}

template <PixelFormat S>
void convert_from(const Image& src, const MutableImage& dst) noexcept {
  switch (dst.format) {
    case PixelFormat::kGray8:
      convert_rows<S, PixelFormat::kGray8>(src, dst);
      break;
    case PixelFormat::kRgb888:
      convert_rows<S, PixelFormat::kRgb888>(src, dst);
      break;
    case PixelFormat::kRgb565Le:
      convert_rows<S, PixelFormat::kRgb565Le>(src, dst);
      break;
    case PixelFormat::kRgb565Be:
      convert_rows<S, PixelFormat::kRgb565Be>(src, dst);
      break;
  }
}

// Bilinear taps of output index o: source pixels i0, i1 and the weight of i1 in 1/2048.
struct Tap {
  int i0;
  int i1;
  std::uint32_t f;
};

Tap bilinear_tap(int o, int src, int dst) noexcept {
  // sx = ((2o + 1) * src - dst) / (2 * dst), exactly.
  const std::int32_t num = (2 * o + 1) * src - dst;
  if (num <= 0) return {0, 0, 0};
  const std::int32_t den = 2 * dst;
  int i0 = num / den;
  std::uint32_t f = (static_cast<std::uint32_t>(num % den) * kFracOne +
                     static_cast<std::uint32_t>(dst)) / static_cast<std::uint32_t>(den);
  if (f == kFracOne) {
    ++i0;
    f = 0;
  }
  if (i0 >= src - 1) return {src - 1, src - 1, 0};
  return {i0, i0 + 1, f};
}

void resize_nearest(const Image& src, const MutableImage& dst, int ch) noexcept {
  for (int oy = 0; oy < dst.height; ++oy) {
    const int sy = ((2 * oy + 1) * src.height) / (2 * dst.height);
    const std::uint8_t* s = src.pixels.data() + static_cast<std::size_t>(sy) * src.stride;
    std::uint8_t* d = dst.pixels.data() + static_cast<std::size_t>(oy) * dst.stride;
    for (int ox = 0; ox < dst.width; ++ox) {
      const int sx = ((2 * ox + 1) * src.width) / (2 * dst.width);
      for (int c = 0; c < ch; ++c) d[ox * ch + c] = s[sx * ch + c];
    }
  }
}

void resize_bilinear(const Image& src, const MutableImage& dst, int ch) noexcept {
  for (int oy = 0; oy < dst.height; ++oy) {
    const Tap ty = bilinear_tap(oy, src.height, dst.height);
    const std::uint8_t* r0 = src.pixels.data() + static_cast<std::size_t>(ty.i0) * src.stride;
    const std::uint8_t* r1 = src.pixels.data() + static_cast<std::size_t>(ty.i1) * src.stride;
    std::uint8_t* d = dst.pixels.data() + static_cast<std::size_t>(oy) * dst.stride;
    const std::uint32_t wy1 = ty.f, wy0 = kFracOne - ty.f;
    for (int ox = 0; ox < dst.width; ++ox) {
      const Tap tx = bilinear_tap(ox, src.width, dst.width);
      const std::uint32_t wx1 = tx.f, wx0 = kFracOne - tx.f;
      for (int c = 0; c < ch; ++c) {
        const std::uint32_t top = wx0 * r0[tx.i0 * ch + c] + wx1 * r0[tx.i1 * ch + c];
        const std::uint32_t bottom = wx0 * r1[tx.i0 * ch + c] + wx1 * r1[tx.i1 * ch + c];
        const std::uint32_t v = (wy0 * top + wy1 * bottom + (1u << (2 * kFracBits - 1))) >>
                                (2 * kFracBits);
        d[ox * ch + c] = static_cast<std::uint8_t>(v);
      }
    }
  }
}

void resize_area(const Image& src, const MutableImage& dst, int ch) noexcept {
  // Output pixel o covers [o * src, (o + 1) * src) in units where a source
  // pixel i spans [i * dst, (i + 1) * dst): overlaps are exact integers.
  const std::uint32_t total = static_cast<std::uint32_t>(src.width) *
                              static_cast<std::uint32_t>(src.height);
  for (int oy = 0; oy < dst.height; ++oy) {
    const int y_lo = oy * src.height, y_hi = (oy + 1) * src.height;
    const int iy_first = y_lo / dst.height, iy_last = (y_hi - 1) / dst.height;
    std::uint8_t* d = dst.pixels.data() + static_cast<std::size_t>(oy) * dst.stride;
    for (int ox = 0; ox < dst.width; ++ox) {
      const int x_lo = ox * src.width, x_hi = (ox + 1) * src.width;
      const int ix_first = x_lo / dst.width, ix_last = (x_hi - 1) / dst.width;
      std::uint32_t acc[3] = {0, 0, 0};
      for (int iy = iy_first; iy <= iy_last; ++iy) {
        const int a = iy * dst.height > y_lo ? iy * dst.height : y_lo;
        const int b = (iy + 1) * dst.height < y_hi ? (iy + 1) * dst.height : y_hi;
        const std::uint32_t wy = static_cast<std::uint32_t>(b - a);
        const std::uint8_t* s = src.pixels.data() + static_cast<std::size_t>(iy) * src.stride;
        for (int ix = ix_first; ix <= ix_last; ++ix) {
          const int l = ix * dst.width > x_lo ? ix * dst.width : x_lo;
          const int r = (ix + 1) * dst.width < x_hi ? (ix + 1) * dst.width : x_hi;
          const std::uint32_t w = wy * static_cast<std::uint32_t>(r - l);
          for (int c = 0; c < ch; ++c) acc[c] += w * s[ix * ch + c];
        }
      }
      for (int c = 0; c < ch; ++c) {
        d[ox * ch + c] = static_cast<std::uint8_t>((acc[c] + total / 2) / total);
      }
    }
  }
}

}  // namespace

Status check(const Image& image) noexcept {
  if (image.width < 1 || image.height < 1 || image.width > kMaxImageDim ||
      image.height > kMaxImageDim) {
    return Status::kInvalidArgument;
  }
  if (static_cast<std::uint8_t>(image.format) > static_cast<std::uint8_t>(PixelFormat::kRgb565Be)) {
    return Status::kInvalidArgument;
  }
  const std::size_t row = static_cast<std::size_t>(image.width) * bytes_per_pixel(image.format);
  if (image.stride < row) return Status::kInvalidArgument;
  if (image.pixels.data() == nullptr || image.pixels.size() < row) return Status::kSizeMismatch;
  const std::size_t rows_before_last = static_cast<std::size_t>(image.height - 1);
  if (rows_before_last != 0 && image.stride > (image.pixels.size() - row) / rows_before_last) {
    return Status::kSizeMismatch;
  }
  return Status::kOk;
}

Status convert(const Image& src, const MutableImage& dst) noexcept {
  TINYSENSE_TRY(check(src));
  TINYSENSE_TRY(check(dst));
  if (src.width != dst.width || src.height != dst.height) return Status::kSizeMismatch;
  switch (src.format) {
    case PixelFormat::kGray8:
      convert_from<PixelFormat::kGray8>(src, dst);
      break;
    case PixelFormat::kRgb888:
      convert_from<PixelFormat::kRgb888>(src, dst);
      break;
    case PixelFormat::kRgb565Le:
      convert_from<PixelFormat::kRgb565Le>(src, dst);
      break;
    case PixelFormat::kRgb565Be:
      convert_from<PixelFormat::kRgb565Be>(src, dst);
      break;
  }
  return Status::kOk;
}

namespace {
template <class View>
Status crop_impl(const View& src, int x, int y, int width, int height, View* out) noexcept {
  if (out == nullptr) return Status::kInvalidArgument;
  TINYSENSE_TRY(check(Image(src)));
  if (x < 0 || y < 0 || width < 1 || height < 1 || width > src.width - x ||
      height > src.height - y) {
    return Status::kOutOfRange;
  }
  const std::size_t bpp = bytes_per_pixel(src.format);
  const std::size_t start = static_cast<std::size_t>(y) * src.stride + static_cast<std::size_t>(x) * bpp;
  const std::size_t len = static_cast<std::size_t>(height - 1) * src.stride +
                          static_cast<std::size_t>(width) * bpp;
  *out = View{src.pixels.subspan(start, len), width, height, src.stride, src.format};
  return Status::kOk;
}
}  // namespace

Status crop(const Image& src, int x, int y, int width, int height, Image* out) noexcept {
  return crop_impl(src, x, y, width, height, out);
}

Status crop(const MutableImage& src, int x, int y, int width, int height,
            MutableImage* out) noexcept {
  return crop_impl(src, x, y, width, height, out);
}

Status resize(const Image& src, const MutableImage& dst, Interpolation method) noexcept {
  TINYSENSE_TRY(check(src));
  TINYSENSE_TRY(check(dst));
  if (src.format != dst.format ||
      (src.format != PixelFormat::kGray8 && src.format != PixelFormat::kRgb888)) {
    return Status::kInvalidArgument;
  }
  const int ch = static_cast<int>(bytes_per_pixel(src.format));
  switch (method) {
    case Interpolation::kNearest:
      resize_nearest(src, dst, ch);
      return Status::kOk;
    case Interpolation::kBilinear:
      resize_bilinear(src, dst, ch);
      return Status::kOk;
    case Interpolation::kArea:
      resize_area(src, dst, ch);
      return Status::kOk;
  }
  return Status::kInvalidArgument;
}

Status PixelQuantizer::init(float mean, float std, float scale, std::int32_t zero_point) noexcept {
  ready_ = false;
  const double step = static_cast<double>(std) * static_cast<double>(scale);
  if (!(step > 0.0) || !std::isfinite(step) || !std::isfinite(mean)) {
    return Status::kInvalidArgument;
  }
  if (zero_point < -128 || zero_point > 127) return Status::kInvalidArgument;
  const double inv = 1.0 / step;
  const double off = static_cast<double>(zero_point) - static_cast<double>(mean) * inv;
  if (inv > 64.0 || std::fabs(off) > 16384.0) return Status::kInvalidArgument;
  mul_ = static_cast<std::int32_t>(std::floor(inv * 65536.0 + 0.5));
  add_ = static_cast<std::int32_t>(std::floor(off * 65536.0 + 0.5)) + 32768;
  ready_ = true;
  return Status::kOk;
}

void PixelQuantizer::process(Span<const std::uint8_t> in, Span<std::int8_t> out) const noexcept {
  TINYSENSE_DCHECK(ready_ && in.size() == out.size());
  const std::int32_t m = mul_, a = add_;
  for (std::size_t i = 0; i < in.size(); ++i) {
    std::int32_t q = (static_cast<std::int32_t>(in[i]) * m + a) >> 16;
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    out[i] = static_cast<std::int8_t>(q);
  }
}

Status PixelQuantizer::process(const Image& src, Span<std::int8_t> out) const noexcept {
  if (!ready_) return Status::kNotInitialized;
  TINYSENSE_TRY(check(src));
  if (src.format != PixelFormat::kGray8 && src.format != PixelFormat::kRgb888) {
    return Status::kInvalidArgument;
  }
  const std::size_t row = static_cast<std::size_t>(src.width) * bytes_per_pixel(src.format);
  if (out.size() != row * static_cast<std::size_t>(src.height)) return Status::kSizeMismatch;
  for (int y = 0; y < src.height; ++y) {
    process(src.pixels.subspan(static_cast<std::size_t>(y) * src.stride, row),
            out.subspan(static_cast<std::size_t>(y) * row, row));
  }
  return Status::kOk;
}

Status normalize(Span<const std::uint8_t> in, float mean, float std, Span<float> out) noexcept {
  if (!std::isfinite(std) || std == 0.0f || !std::isfinite(mean)) return Status::kInvalidArgument;
  if (in.size() != out.size()) return Status::kSizeMismatch;
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = (static_cast<float>(in[i]) - mean) / std;
  return Status::kOk;
}

}  // namespace tinysense::img
