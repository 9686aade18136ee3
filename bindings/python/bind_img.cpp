// Python: image pre-processing (tinysense/img/image.hpp) on flat uint8 arrays:
// img_convert, img_resize, img_crop, img_normalize and PixelQuantizer.
// Formats: "gray", "rgb888", "rgb565le", "rgb565be"; images are tightly packed
// rows (width * bytes per pixel), e.g. numpy_image.ravel().
#include <string>

#include "common.hpp"
#include "tinysense/img/image.hpp"

namespace tinysense::py {
namespace {

img::PixelFormat parse_format(const std::string& s) {
  if (s == "gray" || s == "L") return img::PixelFormat::kGray8;
  if (s == "rgb888" || s == "RGB") return img::PixelFormat::kRgb888;
  if (s == "rgb565le") return img::PixelFormat::kRgb565Le;
  if (s == "rgb565be") return img::PixelFormat::kRgb565Be;
  throw pyb::value_error("unknown pixel format '" + s +
                         "' (expected gray, rgb888, rgb565le or rgb565be)");
}

img::Interpolation parse_method(const std::string& s) {
  if (s == "nearest") return img::Interpolation::kNearest;
  if (s == "bilinear") return img::Interpolation::kBilinear;
  if (s == "area") return img::Interpolation::kArea;
  throw pyb::value_error("unknown interpolation '" + s + "' (expected nearest, bilinear or area)");
}

void check_dims(long w, long h, const char* what) {
  if (w < 1 || h < 1 || w > img::kMaxImageDim || h > img::kMaxImageDim) {
    throw pyb::value_error(std::string(what) + ": width and height must be in [1, " +
                           std::to_string(img::kMaxImageDim) + "]");
  }
}

img::Image view(const pyb::array_t<std::uint8_t>& a, long w, long h, img::PixelFormat f) {
  return img::make_image(cspan(a), static_cast<int>(w), static_cast<int>(h), f);
}

pyb::array_t<std::uint8_t> require_image(const pyb::handle& src, long w, long h,
                                         img::PixelFormat f, const char* what) {
  check_dims(w, h, what);
  return require_1d<std::uint8_t>(src, "src", img::image_bytes(static_cast<int>(w),
                                                               static_cast<int>(h), f));
}

void bind(pyb::module_& m) {
  m.def(
      "img_convert",
      [](const pyb::handle& src, long width, long height, const std::string& src_format,
         const std::string& dst_format) {
        const auto sf = parse_format(src_format), df = parse_format(dst_format);
        auto a = require_image(src, width, height, sf, "img_convert");
        pyb::array_t<std::uint8_t> out(static_cast<pyb::ssize_t>(
            img::image_bytes(static_cast<int>(width), static_cast<int>(height), df)));
        check(img::convert(view(a, width, height, sf),
                           img::make_image(mspan(out), static_cast<int>(width),
                                           static_cast<int>(height), df)),
              "img_convert");
        return out;
      },
      pyb::arg("src"), pyb::arg("width"), pyb::arg("height"), pyb::arg("src_format"),
      pyb::arg("dst_format"),
      "Pixel format conversion; gray = Pillow convert('L'), rgb565 = Pillow raw 'BGR;16'.");
  m.def(
      "img_resize",
      [](const pyb::handle& src, long width, long height, const std::string& format,
         long dst_width, long dst_height, const std::string& method) {
        const auto f = parse_format(format);
        auto a = require_image(src, width, height, f, "img_resize");
        check_dims(dst_width, dst_height, "img_resize");
        pyb::array_t<std::uint8_t> out(static_cast<pyb::ssize_t>(
            img::image_bytes(static_cast<int>(dst_width), static_cast<int>(dst_height), f)));
        check(img::resize(view(a, width, height, f),
                          img::make_image(mspan(out), static_cast<int>(dst_width),
                                          static_cast<int>(dst_height), f),
                          parse_method(method)),
              "img_resize");
        return out;
      },
      pyb::arg("src"), pyb::arg("width"), pyb::arg("height"), pyb::arg("format"),
      pyb::arg("dst_width"), pyb::arg("dst_height"), pyb::arg("method") = "area",
      "Resize (gray or rgb888): nearest, bilinear (half-pixel centres) or area average.");
  m.def(
      "img_crop",
      [](const pyb::handle& src, long width, long height, const std::string& format, long x,
         long y, long crop_width, long crop_height) {
        const auto f = parse_format(format);
        auto a = require_image(src, width, height, f, "img_crop");
        img::Image v;
        check(img::crop(view(a, width, height, f), static_cast<int>(x), static_cast<int>(y),
                        static_cast<int>(crop_width), static_cast<int>(crop_height), &v),
              "img_crop");
        pyb::array_t<std::uint8_t> out(static_cast<pyb::ssize_t>(
            img::image_bytes(v.width, v.height, f)));
        check(img::convert(v, img::make_image(mspan(out), v.width, v.height, f)), "img_crop");
        return out;
      },
      pyb::arg("src"), pyb::arg("width"), pyb::arg("height"), pyb::arg("format"), pyb::arg("x"),
      pyb::arg("y"), pyb::arg("crop_width"), pyb::arg("crop_height"),
      "Copy of the rectangle (x, y, crop_width, crop_height).");
  m.def(
      "img_normalize",
      [](const pyb::handle& src, float mean, float std) {
        auto a = require_1d<std::uint8_t>(src, "src");
        pyb::array_t<float> out(a.size());
        check(img::normalize(cspan(a), mean, std, mspan(out)), "img_normalize");
        return out;
      },
      pyb::arg("src"), pyb::arg("mean"), pyb::arg("std"), "(p - mean) / std as float32.");
  pyb::class_<img::PixelQuantizer>(m, "PixelQuantizer",
                                   "uint8 pixels -> int8 model input: clamp(round((p - mean) / "
                                   "std / scale) + zero_point), in 16-bit fixed point.")
      .def(pyb::init([](float mean, float std, float scale, int zero_point) {
             auto q = std::make_unique<img::PixelQuantizer>();
             check(q->init(mean, std, scale, zero_point), "PixelQuantizer");
             return q;
           }),
           pyb::arg("mean"), pyb::arg("std"), pyb::arg("scale"), pyb::arg("zero_point"))
      .def(
          "process",
          [](const img::PixelQuantizer& q, const pyb::handle& src) {
            auto a = require_1d<std::uint8_t>(src, "src");
            pyb::array_t<std::int8_t> out(a.size());
            q.process(cspan(a), mspan(out));
            return out;
          },
          pyb::arg("src"))
      .def_property_readonly("multiplier", &img::PixelQuantizer::multiplier)
      .def_property_readonly("offset", &img::PixelQuantizer::offset);
}

const Binder registered("img", bind);

}  // namespace
}  // namespace tinysense::py
