// Image pre-processing in front of a CNN: pixel-format conversion, crop,
// resize, normalisation and quantisation to the model's int8 input.
//
// Images are views of caller memory (no allocation, no scratch): `pixels`
// holds `height` rows of `width` pixels, row r starting at byte r * stride.
// Formats and their conventions (checked against Pillow in tests/python):
//   kGray8     1 byte per pixel.
//   kRgb888    3 bytes R, G, B (PIL "RGB").
//   kRgb565Le  uint16 RRRRRGGGGGGBBBBB stored little-endian (PIL raw mode
//              "BGR;16"); kRgb565Be the same uint16 big-endian (the byte
//              order of OV7670 / OV2640 class camera sensors).
// Every function validates its arguments and returns a Status (these are
// per-frame calls, so the checks cost nothing measurable); sources and
// destinations must not overlap.
#ifndef TINYSENSE_IMG_IMAGE_HPP
#define TINYSENSE_IMG_IMAGE_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::img {

enum class PixelFormat : std::uint8_t { kGray8 = 0, kRgb888 = 1, kRgb565Le = 2, kRgb565Be = 3 };

constexpr std::size_t bytes_per_pixel(PixelFormat f) noexcept {
  return f == PixelFormat::kGray8 ? 1u : (f == PixelFormat::kRgb888 ? 3u : 2u);
}

// Largest width / height accepted (keeps all index and weight arithmetic in 32 bits).
constexpr int kMaxImageDim = 4096;

// Read-only image view. Valid when 1 <= width, height <= kMaxImageDim,
// stride >= width * bytes_per_pixel and pixels holds (height - 1) * stride +
// width * bytes_per_pixel bytes.
struct Image {
  Span<const std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;
  PixelFormat format = PixelFormat::kGray8;
};

// Writable image view, same rules.
struct MutableImage {
  Span<std::uint8_t> pixels;
  int width = 0;
  int height = 0;
  std::size_t stride = 0;
  PixelFormat format = PixelFormat::kGray8;
  operator Image() const noexcept { return Image{pixels, width, height, stride, format}; }  // NOLINT
};

// Bytes of a tightly packed image (stride = width * bytes_per_pixel).
constexpr std::size_t image_bytes(int width, int height, PixelFormat f) noexcept {
  return static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * bytes_per_pixel(f);
}

// Tightly packed views over a buffer (validity is checked by the functions using them).
inline Image make_image(Span<const std::uint8_t> pixels, int width, int height,
                        PixelFormat f) noexcept {
  return Image{pixels, width, height, static_cast<std::size_t>(width) * bytes_per_pixel(f), f};
}
inline MutableImage make_image(Span<std::uint8_t> pixels, int width, int height,
                               PixelFormat f) noexcept {
  return MutableImage{pixels, width, height, static_cast<std::size_t>(width) * bytes_per_pixel(f),
                      f};
}

// kOk when the view is valid; kInvalidArgument (dimensions, stride or format)
// or kSizeMismatch (pixels too short) otherwise.
[[nodiscard]] Status check(const Image& image) noexcept;

// Luma of PIL's convert("L"): (R*299 + G*587 + B*114) / 1000 computed as
// (R*19595 + G*38470 + B*7471 + 0x8000) >> 16, exactly as Pillow does.
constexpr std::uint8_t luma(std::uint32_t r, std::uint32_t g, std::uint32_t b) noexcept {
  return static_cast<std::uint8_t>((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

// RGB565 value -> 8-bit channels, Pillow's "BGR;16" unpacking: c5 * 255 / 31
// and c6 * 255 / 63 with truncating division (0 -> 0, max -> 255).
constexpr std::uint8_t expand5(std::uint32_t c5) noexcept {
  return static_cast<std::uint8_t>(c5 * 255u / 31u);
}
constexpr std::uint8_t expand6(std::uint32_t c6) noexcept {
  return static_cast<std::uint8_t>(c6 * 255u / 63u);
}
// 8-bit channels -> RGB565 value by truncation (r >> 3, g >> 2, b >> 3), the
// exact inverse of the expansion: RGB565 -> RGB888 -> RGB565 is lossless.
constexpr std::uint16_t pack565(std::uint32_t r, std::uint32_t g, std::uint32_t b) noexcept {
  return static_cast<std::uint16_t>(((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3));
}

// Converts between any two formats (same width and height; a same-format
// call copies). Gray -> colour replicates the value; colour -> gray uses
// luma(); RGB565 is expanded as above first. Errors: check() of either view,
// kSizeMismatch when the dimensions differ.
[[nodiscard]] Status convert(const Image& src, const MutableImage& dst) noexcept;

// Sub-view of the rectangle (x, y, width, height), no copy. kOutOfRange when
// the rectangle is empty or not inside the image.
[[nodiscard]] Status crop(const Image& src, int x, int y, int width, int height,
                          Image* out) noexcept;
[[nodiscard]] Status crop(const MutableImage& src, int x, int y, int width, int height,
                          MutableImage* out) noexcept;

enum class Interpolation : std::uint8_t {
  // Source pixel floor((x + 0.5) * src / dst), computed exactly in integers.
  // Pillow's NEAREST uses the same rule but accumulates it in double, so on
  // exact ties (output centre on a source pixel boundary) it sometimes picks
  // the pixel on the left instead.
  kNearest,
  // Bilinear with half-pixel centres, sx = (x + 0.5) * src / dst - 0.5,
  // clamped at the borders (OpenCV INTER_LINEAR, TF half_pixel_centers);
  // weights rounded to 1/2048, result rounded half up. No antialiasing: use
  // kArea to downscale. (Pillow's BILINEAR is a separable filter whose support
  // widens when downscaling, with 8-bit rounding between its two passes: equal
  // within 1 for upscaling, different for downscaling.)
  kBilinear,
  // Area average: each output pixel is the mean of the source area it covers,
  // partial pixels weighted by their covered fraction (OpenCV INTER_AREA when
  // downscaling), computed exactly and rounded half up. For integer factors
  // this is the block mean of Pillow's reduce() / BOX.
  kArea,
};

// Resizes src into dst (any sizes, same format, kGray8 or kRgb888; each
// channel independently). Errors: check() of either view, kInvalidArgument
// for other or differing formats.
[[nodiscard]] Status resize(const Image& src, const MutableImage& dst,
                            Interpolation method) noexcept;

// Pixel -> int8 model input: real = (p - mean) / std, q = clamp(round(real /
// scale) + zero_point, -128, 127), in fixed point: q = (p * m + a) >> 16 with
// m = round(65536 / (std * scale)) and a = round(65536 * (zero_point - mean /
// (std * scale))) + 32768, both computed once by init() in double. Exact when
// 1 / (std * scale) is a multiple of 2^-16 (e.g. pixel / 255 with scale 1/255:
// q = p - 128), otherwise within 1 of the float formula.
class PixelQuantizer {
 public:
  // Errors: kInvalidArgument when std * scale is not finite and positive,
  // when |1 / (std * scale)| > 64 (more than 64 int8 steps per pixel step) or
  // when the offset exceeds 2^14 steps; zero_point outside [-128, 127].
  [[nodiscard]] Status init(float mean, float std, float scale, std::int32_t zero_point) noexcept;
  // out[i] = quantised in[i]; sizes must match (checked in debug builds only).
  void process(Span<const std::uint8_t> in, Span<std::int8_t> out) const noexcept;
  // Quantises a kGray8 / kRgb888 image row by row (honours stride) into
  // out (width * height * channels, HWC). Errors: check(), kInvalidArgument
  // (format), kSizeMismatch (out size), kNotInitialized.
  [[nodiscard]] Status process(const Image& src, Span<std::int8_t> out) const noexcept;
  std::int32_t multiplier() const noexcept { return mul_; }
  std::int32_t offset() const noexcept { return add_; }

 private:
  std::int32_t mul_ = 0;
  std::int32_t add_ = 0;
  bool ready_ = false;
};

// Pixel -> float model input: out[i] = (in[i] - mean) / std in float32.
// kInvalidArgument when std is not finite and nonzero, kSizeMismatch on sizes.
[[nodiscard]] Status normalize(Span<const std::uint8_t> in, float mean, float std,
                               Span<float> out) noexcept;

}  // namespace tinysense::img

#endif  // TINYSENSE_IMG_IMAGE_HPP
