// Shim for tinysense_img: pixel formats, crop + resize, quantisation to int8.
#include "shim_util.hpp"
#include "tinysense/img/image.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::to_int;
namespace img = tinysense::img;

namespace {

bool format_ok(int f) noexcept { return f >= TS_PIX_GRAY8 && f <= TS_PIX_RGB565BE; }

img::Image view(const uint8_t* p, size_t len, int w, int h, int fmt) noexcept {
  return img::make_image(Span<const std::uint8_t>(p, len), w, h, static_cast<img::PixelFormat>(fmt));
}

img::MutableImage mview(uint8_t* p, size_t len, int w, int h, int fmt) noexcept {
  return img::make_image(Span<std::uint8_t>(p, len), w, h, static_cast<img::PixelFormat>(fmt));
}

}  // namespace

extern "C" {

int ts_img_convert(const uint8_t* src, size_t src_len, int width, int height, int src_fmt,
                   uint8_t* dst, size_t dst_len, int dst_fmt) {
  if (!format_ok(src_fmt) || !format_ok(dst_fmt)) return to_int(Status::kInvalidArgument);
  return to_int(img::convert(view(src, src_len, width, height, src_fmt),
                             mview(dst, dst_len, width, height, dst_fmt)));
}

int ts_img_resize(const uint8_t* src, size_t src_len, int sw, int sh, int fmt, int rx, int ry,
                  int rw, int rh, uint8_t* dst, size_t dst_len, int dw, int dh, int method) {
  if (!format_ok(fmt) || method < TS_INTERP_NEAREST || method > TS_INTERP_AREA) {
    return to_int(Status::kInvalidArgument);
  }
  img::Image s = view(src, src_len, sw, sh, fmt);
  TS_TRY(img::check(s));
  if (rw != 0) TS_TRY(img::crop(s, rx, ry, rw, rh, &s));
  return to_int(img::resize(s, mview(dst, dst_len, dw, dh, fmt),
                            static_cast<img::Interpolation>(method)));
}

size_t ts_quantizer_bytes(void) { return sizeof(img::PixelQuantizer); }

int ts_quantizer_init(void* mem, float mean, float std, float scale, int32_t zero_point) {
  auto* q = new (mem) img::PixelQuantizer();
  return to_int(q->init(mean, std, scale, zero_point));
}

void ts_quantizer_process(const void* mem, const uint8_t* in, int8_t* out, size_t n) {
  static_cast<const img::PixelQuantizer*>(mem)->process(Span<const std::uint8_t>(in, n),
                                                        Span<std::int8_t>(out, n));
}

int ts_img_normalize(const uint8_t* in, size_t n, float mean, float std, float* out) {
  return to_int(img::normalize(Span<const std::uint8_t>(in, n), mean, std, Span<float>(out, n)));
}

}  // extern "C"
