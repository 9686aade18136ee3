// int8 CNN inference (tinysense/nn/cnn.hpp) on the two shipped models, and
// the camera path in front of it (tinysense/img/image.hpp). Model load
// (validation + CRC) is init and not counted; one warm-up, one counted
// invoke(). RAM = the arena the converter planned (arena_bytes); the model
// stays in flash (zero-copy). Reference: TinyMaix's MNIST int8 CNN, 143,703
// instructions per inference (124,809 with float exp in its softmax): a
// different, smaller network (see references.json), so compare per MAC too.
//
// The models are embedded with .incbin: the path is relative to this
// directory, which is on the include path of every benchmark object.
#include <cstring>

#include "bench.hpp"
#include "tinysense/img/image.hpp"
#include "tinysense/nn/cnn.hpp"

// bench-requires: nn/cnn nn/kernels img/image

__asm__(
    ".section .rodata.ts_bench_models,\"a\"\n"
    ".balign 4\n"
    "ts_bench_digits_model:\n"
    ".incbin \"../../models/digits_cnn.tsm\"\n"
    "ts_bench_digits_model_end:\n"
    ".balign 4\n"
    "ts_bench_fashion_model:\n"
    ".incbin \"../../models/fashion_cnn.tsm\"\n"
    "ts_bench_fashion_model_end:\n"
    ".balign 4\n"
    ".global ts_bench_models_table\n"
    "ts_bench_models_table:\n"
    ".word ts_bench_digits_model, ts_bench_digits_model_end\n"
    ".word ts_bench_fashion_model, ts_bench_fashion_model_end\n"
    ".text\n");
extern "C" const std::uint8_t* const ts_bench_models_table[4];

namespace {
namespace ts = tinysense;
namespace tb = tinysense::bench;

constexpr std::size_t kArenaMax = 16 * 1024;
alignas(8) std::uint8_t g_arena[kArenaMax];

// Camera frame (QQVGA RGB565, sensor byte order) -> gray -> centre crop -> 28x28 -> int8.
constexpr int kCamW = 160, kCamH = 120;
std::uint8_t g_frame[kCamW * kCamH * 2];
std::uint8_t g_gray[kCamW * kCamH];
std::uint8_t g_small[28 * 28];

ts::Span<const std::uint8_t> model(int i) noexcept {
  const std::uint8_t* begin = ts_bench_models_table[2 * i];
  const std::uint8_t* end = ts_bench_models_table[2 * i + 1];
  return ts::Span<const std::uint8_t>(begin, static_cast<std::size_t>(end - begin));
}

// A deterministic pseudo-image, copied into the input tensor before every
// invoke() (invoke() reuses the input's memory for later tensors).
std::int8_t g_input[28 * 28];

void make_input() noexcept {
  std::uint32_t s = 12345u;
  for (std::int8_t& v : g_input) {
    s = s * 1664525u + 1013904223u;
    v = static_cast<std::int8_t>(static_cast<int>(s >> 24) - 128);
  }
}

__attribute__((noinline)) void bench_model(int i, const char* kernel, const char* param) noexcept {
  ts::nn::Cnn cnn;
  if (cnn.load(model(i)) != ts::Status::kOk) tb::fail("Cnn::load");
  if (cnn.arena_bytes() > kArenaMax) tb::fail("arena");
  const ts::Span<std::uint8_t> arena(g_arena, cnn.arena_bytes());
  const ts::Span<std::int8_t> in = cnn.input_s8(arena);
  tb::measure(tb::Info{kernel, param, "call", 1, static_cast<std::uint32_t>(cnn.arena_bytes())},
              [&] {
                std::memcpy(in.data(), g_input, in.size());
                if (cnn.invoke(arena) != ts::Status::kOk) tb::fail("Cnn::invoke");
              });
  // The input copy alone, to subtract.
  tb::measure(tb::Info{"cnn_input_copy", param, "call", 1, 0},
              [&] { std::memcpy(in.data(), g_input, in.size()); });
}

void camera_path(const ts::img::PixelQuantizer& q, std::int8_t* out) noexcept {
  using namespace ts::img;
  (void)convert(make_image(ts::Span<const std::uint8_t>(g_frame, sizeof g_frame), kCamW, kCamH,
                           PixelFormat::kRgb565Be),
                make_image(ts::Span<std::uint8_t>(g_gray, sizeof g_gray), kCamW, kCamH,
                           PixelFormat::kGray8));
  Image centre;
  (void)crop(make_image(ts::Span<const std::uint8_t>(g_gray, sizeof g_gray), kCamW, kCamH,
                        PixelFormat::kGray8),
             (kCamW - kCamH) / 2, 0, kCamH, kCamH, &centre);
  (void)resize(centre, make_image(ts::Span<std::uint8_t>(g_small, sizeof g_small), 28, 28,
                                  PixelFormat::kGray8),
               Interpolation::kArea);
  q.process(ts::Span<const std::uint8_t>(g_small, sizeof g_small), ts::Span<std::int8_t>(out, 784));
}

}  // namespace

TS_BENCH_PROBE(cnn_int8) {
  ts::nn::Cnn cnn;
  if (cnn.load(model(1)) != ts::Status::kOk) return;
  (void)cnn.invoke(ts::Span<std::uint8_t>(g_arena, kArenaMax));
}

TS_BENCH_PROBE(img_camera_path) {
  ts::img::PixelQuantizer q;
  if (q.init(0.0f, 255.0f, 1.0f / 255.0f, -128) != ts::Status::kOk) return;
  camera_path(q, reinterpret_cast<std::int8_t*>(g_arena));
}

TS_BENCH_RUN(cnn) {
  // Counted: copying the input into the arena + invoke() (every op); the
  // cnn_input_copy entries give the copy alone.
  make_input();
  bench_model(0, "cnn_int8", "digits_8x8x1,25600_MACs");
  bench_model(1, "cnn_int8", "fashion_28x28x1,356576_MACs");
  for (std::size_t i = 0; i < sizeof g_frame; ++i) g_frame[i] = static_cast<std::uint8_t>(i * 37u);
  ts::img::PixelQuantizer q;
  if (q.init(0.0f, 255.0f, 1.0f / 255.0f, -128) != ts::Status::kOk) tb::fail("PixelQuantizer");
  std::int8_t* in = reinterpret_cast<std::int8_t*>(g_arena);
  tb::measure(tb::Info{"img_camera_path", "160x120_rgb565_to_28x28_int8", "call", 1, 0},
              [&] { camera_path(q, in); });
}
