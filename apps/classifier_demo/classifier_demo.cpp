// Image classifier demo firmware (Cortex-M4F, QEMU): camera-style 8-bit
// grayscale frames -> int8 quantisation -> int8 CNN -> class, with the
// instructions of one classification counted.
//
// Reads over semihosting: cls_model.tsm (a tinysense CNN model file) and
// cls_images.u8 (16-byte header "TSIM", u32 count, u32 height, u32 width;
// then count * height * width pixels, 0..255). Writes cls_pred.u8 (one class
// per image) for the host to score (apps/classifier_demo/run.py).
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../../bench/target/bench.hpp"
#include "tinysense/img/image.hpp"
#include "tinysense/nn/cnn.hpp"

using namespace tinysense;

namespace {

constexpr std::size_t kMaxModel = 64 * 1024;
constexpr std::size_t kMaxArena = 64 * 1024;
constexpr std::size_t kMaxImages = 1000;
constexpr std::size_t kMaxPixels = 28 * 28;

alignas(8) std::uint8_t g_model[kMaxModel];
alignas(8) std::uint8_t g_arena[kMaxArena];
std::uint8_t g_images[kMaxImages * kMaxPixels];
std::uint8_t g_pred[kMaxImages];
nn::Cnn g_cnn;
img::PixelQuantizer g_quant;

std::size_t read_file(const char* name, std::uint8_t* dst, std::size_t cap) {
  std::FILE* f = std::fopen(name, "rb");
  if (f == nullptr) return 0;
  const std::size_t n = std::fread(dst, 1, cap, f);
  std::fclose(f);
  return n;
}

// One classification: pixels -> int8 input in the arena -> invoke -> argmax.
std::uint8_t classify(const std::uint8_t* pixels, std::size_t n_pixels) {
  const Span<std::uint8_t> arena(g_arena, g_cnn.arena_bytes());
  g_quant.process(Span<const std::uint8_t>(pixels, n_pixels), g_cnn.input_s8(arena));
  if (g_cnn.invoke(arena) != Status::kOk) return 255;
  return static_cast<std::uint8_t>(nn::argmax(g_cnn.output_s8(arena)));
}

__attribute__((noinline)) void measure_empty() noexcept {
  bench::measure(bench::Info{"_empty", "-"}, [] {});
}

}  // namespace

int main() {
  for (int i = 0; i < 3; ++i) measure_empty();
  const std::size_t model_bytes = read_file("cls_model.tsm", g_model, kMaxModel);
  Status s = g_cnn.load(Span<const std::uint8_t>(g_model, model_bytes));
  if (s != Status::kOk || g_cnn.arena_bytes() > kMaxArena) {
    std::printf("classifier_demo: model rejected: %s\n", to_string(s));
    return 2;
  }
  unsigned char head[16];
  std::FILE* f = std::fopen("cls_images.u8", "rb");
  if (f == nullptr || std::fread(head, 1, 16, f) != 16 || std::memcmp(head, "TSIM", 4) != 0) {
    std::printf("classifier_demo: cannot read cls_images.u8\n");
    return 3;
  }
  std::uint32_t count = 0, h = 0, w = 0;
  std::memcpy(&count, head + 4, 4);
  std::memcpy(&h, head + 8, 4);
  std::memcpy(&w, head + 12, 4);
  const nn::TensorInfo in = g_cnn.input();
  const std::size_t pixels = static_cast<std::size_t>(h) * w;
  if (count == 0 || count > kMaxImages || pixels > kMaxPixels || in.size() != pixels) {
    std::printf("classifier_demo: images do not fit the model input\n");
    return 4;
  }
  const bool got = std::fread(g_images, pixels, count, f) == count;
  std::fclose(f);
  // The models were trained on pixel / 255: mean 0, std 255, then the input's int8 scale.
  if (!got || g_quant.init(0.0f, 255.0f, in.scale, in.zero_point) != Status::kOk) return 5;

  bench::Info info{"classify_cnn_int8", "quantize+invoke+argmax", "image", 1,
                   static_cast<std::uint32_t>(g_cnn.arena_bytes())};
  bench::measure(info, [&] { g_pred[0] = classify(g_images, pixels); });
  for (std::size_t i = 0; i < count; ++i) g_pred[i] = classify(g_images + i * pixels, pixels);

  f = std::fopen("cls_pred.u8", "wb");
  if (f == nullptr || std::fwrite(g_pred, 1, count, f) != count) return 6;
  std::fclose(f);
  std::printf("classifier_demo: %u images classified, model %u bytes, arena %u bytes\n",
              static_cast<unsigned>(count), static_cast<unsigned>(model_bytes),
              static_cast<unsigned>(g_cnn.arena_bytes()));
  std::printf("@bench-end\n");
  return 0;
}
