// CNN runner: the shipped int8 models equal the numpy integer model bit for
// bit; a synthetic graph with every op (int8 with float softmax output, and
// float32); the arena contract; the loader rejects every damaged payload and
// survives random damage (run under ASan in CI).
#include <cstring>

#include "../../fuzz/fuzz_cnn.hpp"
#include "golden_cnn.hpp"
#include "tinysense/core/crc32.hpp"
#include "tinysense/nn/cnn.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::nn;
namespace g = golden::cnn;

namespace {

// Models are copied into 4-byte aligned RAM (as after reading a file).
alignas(8) std::uint8_t g_model[16384];
constexpr std::size_t kArenaMax = 32768;
constexpr std::size_t kCanary = 16;
alignas(8) std::uint8_t g_arena[kArenaMax + kCanary + 8];

Span<const std::uint8_t> copy_model(const std::uint8_t* data, std::size_t n) {
  TT_CHECK(n <= sizeof g_model);
  std::memcpy(g_model, data, n);
  return Span<const std::uint8_t>(g_model, n);
}

// Arena of exactly `n` bytes followed by a canary.
Span<std::uint8_t> arena(std::size_t n) {
  std::memset(g_arena, 0xa5, sizeof g_arena);
  return Span<std::uint8_t>(g_arena, n);
}
bool arena_canary_intact(std::size_t n) {
  for (std::size_t i = n; i < n + kCanary; ++i) {
    if (g_arena[i] != 0xa5) return false;
  }
  return true;
}

// Runs the shipped model `name` on its golden images; returns failures.
int check_shipped(const std::uint8_t* model, std::size_t model_len, const std::int8_t* x,
                  const std::int8_t* y, const std::int32_t* labels, std::size_t images,
                  std::size_t expect_arena) {
  Cnn cnn;
  TT_CHECK(cnn.load(copy_model(model, model_len)) == Status::kOk);
  if (!cnn.loaded()) return 1;
  TT_CHECK(!cnn.is_float());
  TT_CHECK_EQ(cnn.arena_bytes(), expect_arena);
  TT_CHECK(cnn.arena_bytes() <= kArenaMax);
  const std::size_t n_in = cnn.input().size();
  const std::size_t n_out = cnn.output().size();
  TT_CHECK_EQ(n_out, 10u);
  int mismatches = 0, correct = 0;
  std::int8_t out[10];
  for (std::size_t k = 0; k < images; ++k) {
    Span<std::uint8_t> a = arena(cnn.arena_bytes());
    TT_CHECK(cnn.run(Span<const std::int8_t>(x + k * n_in, n_in), Span<std::int8_t>(out, 10), a) ==
             Status::kOk);
    TT_CHECK(arena_canary_intact(cnn.arena_bytes()));
    for (std::size_t i = 0; i < n_out; ++i) mismatches += out[i] != y[k * n_out + i] ? 1 : 0;
    correct += argmax(Span<const std::int8_t>(out, 10)) == static_cast<std::size_t>(labels[k]);
  }
  TT_CHECK_EQ(mismatches, 0);
  // The golden images are the first test images; the models get nearly all right.
  TT_CHECK_GE(correct, static_cast<int>(images) - 2);
  return mismatches;
}

}  // namespace

TT_TEST(digits_model_is_bit_exact_with_numpy) {
  check_shipped(g::digits_model, g::digits_model_len, g::digits_x, g::digits_y, g::digits_labels,
                static_cast<std::size_t>(g::digits_images),
                static_cast<std::size_t>(g::digits_arena));
}

TT_TEST(fashion_model_is_bit_exact_with_numpy) {
  check_shipped(g::fashion_model, g::fashion_model_len, g::fashion_x, g::fashion_y,
                g::fashion_labels, static_cast<std::size_t>(g::fashion_images),
                static_cast<std::size_t>(g::fashion_arena));
}

TT_TEST(zero_copy_input_view_equals_run_and_is_repeatable) {
  Cnn cnn;
  TT_CHECK(cnn.load(copy_model(g::fashion_model, g::fashion_model_len)) == Status::kOk);
  const std::size_t n_in = cnn.input().size();
  for (int rep = 0; rep < 2; ++rep) {
    Span<std::uint8_t> a = arena(cnn.arena_bytes());
    Span<std::int8_t> in = cnn.input_s8(a);
    TT_CHECK_EQ(in.size(), n_in);
    std::memcpy(in.data(), g::fashion_x + n_in, n_in);  // image 1
    TT_CHECK(cnn.invoke(a) == Status::kOk);
    Span<const std::int8_t> out = cnn.output_s8(a);
    TT_CHECK_EQ(out.size(), 10u);
    for (std::size_t i = 0; i < out.size(); ++i) TT_CHECK_EQ(out[i], g::fashion_y[10 + i]);
    TT_CHECK(cnn.input_f32(a).empty());   // wrong dtype -> empty view
    TT_CHECK(cnn.output_f32(a).empty());
  }
}

TT_TEST(arena_contract) {
  Cnn cnn;
  std::int8_t in[64] = {};
  std::int8_t out[10];
  float outf[10];
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 64), Span<std::int8_t>(out, 10), arena(4096)) ==
           Status::kNotInitialized);
  TT_CHECK(cnn.invoke(arena(4096)) == Status::kNotInitialized);
  TT_CHECK(cnn.load(copy_model(g::digits_model, g::digits_model_len)) == Status::kOk);
  const std::size_t need = cnn.arena_bytes();
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 64), Span<std::int8_t>(out, 10), arena(need - 1)) ==
           Status::kNoMemory);
  TT_CHECK(cnn.invoke(arena(need - 1)) == Status::kNoMemory);
  TT_CHECK(cnn.input_s8(arena(need - 1)).empty());
  TT_CHECK(cnn.invoke(Span<std::uint8_t>(g_arena + 2, need)) == Status::kInvalidArgument);
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 63), Span<std::int8_t>(out, 10), arena(need)) ==
           Status::kSizeMismatch);
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 64), Span<std::int8_t>(out, 9), arena(need)) ==
           Status::kSizeMismatch);
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 64), Span<float>(outf, 10), arena(need)) ==
           Status::kInvalidArgument);  // the digits model outputs int8
  TT_CHECK(cnn.run(Span<const std::int8_t>(in, 64), Span<std::int8_t>(out, 10), arena(need)) ==
           Status::kOk);
  TT_CHECK(arena_canary_intact(need));
  // A model buffer that is not 4-byte aligned is refused (zero-copy tables).
  std::memcpy(g_model + 1, g::digits_model, g::digits_model_len);
  TT_CHECK(cnn.load(Span<const std::uint8_t>(g_model + 1, g::digits_model_len)) ==
           Status::kInvalidArgument);
  TT_CHECK(!cnn.loaded());
}

TT_TEST(synthetic_int8_graph_every_op_float_softmax_out) {
  Cnn cnn;
  TT_CHECK(cnn.load(copy_model(g::syn_q_model, g::syn_q_model_len)) == Status::kOk);
  TT_CHECK(cnn.num_ops() == 8u);
  TT_CHECK(cnn.output().dtype == ml::ModelDtype::kFloat32);
  TT_CHECK(cnn.op_type(1) == OpType::kDepthwiseConv2d);
  const std::size_t n_in = cnn.input().size();
  TT_CHECK_EQ(n_in, 162u);
  for (std::size_t k = 0; k < static_cast<std::size_t>(g::syn_images); ++k) {
    float out[5];
    Span<std::uint8_t> a = arena(cnn.arena_bytes());
    TT_CHECK(cnn.run(Span<const std::int8_t>(g::syn_q_x + k * n_in, n_in), Span<float>(out, 5), a) ==
             Status::kOk);
    TT_CHECK(arena_canary_intact(cnn.arena_bytes()));
    // The int8 logits (input of the softmax) are exact.
    const TensorInfo logits = cnn.tensor(cnn.num_ops() - 1);
    for (std::size_t i = 0; i < 5; ++i) {
      TT_CHECK_EQ(static_cast<std::int8_t>(a[logits.offset + i]), g::syn_q_logits[k * 5 + i]);
    }
    TT_CHECK_LE(tt::max_abs_error(out, g::syn_q_y + k * 5, 5), tt::tol::kCnnSoftmaxAbs);
  }
}

TT_TEST(synthetic_float_graph_matches_numpy) {
  Cnn cnn;
  TT_CHECK(cnn.load(copy_model(g::syn_f_model, g::syn_f_model_len)) == Status::kOk);
  TT_CHECK(cnn.is_float());
  const std::size_t n_in = cnn.input().size();
  for (std::size_t k = 0; k < static_cast<std::size_t>(g::syn_images); ++k) {
    float out[5];
    Span<std::uint8_t> a = arena(cnn.arena_bytes());
    TT_CHECK(cnn.run(Span<const float>(g::syn_f_x + k * n_in, n_in), Span<float>(out, 5), a) ==
             Status::kOk);
    TT_CHECK(arena_canary_intact(cnn.arena_bytes()));
    TT_CHECK_LE(tt::max_abs_error(out, g::syn_f_y + k * 5, 5), tt::tol::kCnnModelFloatAbs);
  }
  std::int8_t in8[162] = {};
  std::int8_t out8[5];
  TT_CHECK(cnn.run(Span<const std::int8_t>(in8, 162), Span<std::int8_t>(out8, 5),
                   arena(cnn.arena_bytes())) == Status::kInvalidArgument);
}

TT_TEST(loader_rejects_every_damaged_payload) {
  const std::uint8_t* p = g::bad_blob;
  const char* name = reinterpret_cast<const char*>(g::bad_names);
  int accepted = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(g::bad_count); ++i) {
    Cnn cnn;
    const Status s = cnn.load(copy_model(p, g::bad_sizes[i]));
    if (s != Status::kCorrupt || cnn.loaded()) {
      ++accepted;
      const char* end = std::strchr(name, '\n');
      std::printf("    damaged model '%.*s' gave status %s\n",
                  static_cast<int>(end != nullptr ? end - name : 40), name, to_string(s));
    }
    p += g::bad_sizes[i];
    const char* nl = std::strchr(name, '\n');
    name = nl != nullptr ? nl + 1 : name;
  }
  TT_CHECK_EQ(accepted, 0);
  // A failed load leaves a previously loaded model unloaded, not half-loaded.
  Cnn cnn;
  TT_CHECK(cnn.load(copy_model(g::digits_model, g::digits_model_len)) == Status::kOk);
  TT_CHECK(cnn.load(copy_model(g::bad_blob, g::bad_sizes[0])) == Status::kCorrupt);
  TT_CHECK(!cnn.loaded());
  TT_CHECK_EQ(cnn.arena_bytes(), 0u);
  // Container-level damage keeps parse_model's statuses.
  TT_CHECK(cnn.load(copy_model(g::digits_model, g::digits_model_len - 1)) == Status::kSizeMismatch);
  TT_CHECK(cnn.load(copy_model(g::digits_model, 20)) == Status::kSizeMismatch);
}

TT_TEST(random_damage_with_valid_crc_never_reads_outside) {
  // Random byte changes in the payload, CRC recomputed so the CNN validator
  // (not the CRC) must catch them. Whatever loads must run inside its arena.
  std::uint32_t state = 12345u;
  auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  const std::size_t n = g::digits_model_len;
  const std::size_t header = static_cast<std::size_t>(g::header_size);
  int loaded = 0, rejected = 0, arena_damage = 0;
  for (int iter = 0; iter < 300; ++iter) {
    std::memcpy(g_model, g::digits_model, n);
    const int changes = 1 + static_cast<int>(next() % 4);
    for (int c = 0; c < changes; ++c) {
      // Mostly the tables (first ~300 payload bytes), sometimes anywhere.
      const std::size_t span = (next() % 4 != 0) ? 300 : n - header;
      const std::size_t pos = header + next() % span;
      g_model[pos] = static_cast<std::uint8_t>(next());
    }
    std::uint32_t crc = crc32(Span<const std::uint8_t>(g_model, 28));
    crc = crc32(Span<const std::uint8_t>(g_model + header, n - header), crc);
    for (int b = 0; b < 4; ++b) g_model[28 + b] = static_cast<std::uint8_t>(crc >> (8 * b));
    Cnn cnn;
    if (cnn.load(Span<const std::uint8_t>(g_model, n)) != Status::kOk) {
      ++rejected;
      continue;
    }
    ++loaded;
    if (cnn.arena_bytes() > kArenaMax) continue;
    Span<std::uint8_t> a = arena(cnn.arena_bytes());
    TT_CHECK(cnn.invoke(a) == Status::kOk);
    arena_damage += arena_canary_intact(cnn.arena_bytes()) ? 0 : 1;
  }
  TT_CHECK_EQ(arena_damage, 0);
  TT_CHECK(rejected > 0);
  TT_CHECK(loaded > 0);  // changes to weights stay loadable: the loop exercised invoke
}

TT_TEST(fuzz_corpus_runs_clean) {
  int files = 0, loaded = 0;
  for (std::size_t i = 0; i + 1 < g::corpus_fuzz_cnn_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_fuzz_cnn_offsets[i], b = g::corpus_fuzz_cnn_offsets[i + 1];
    loaded += tinysense::fuzz::run_cnn(g::corpus_fuzz_cnn + a, b - a);
    ++files;
  }
  std::printf("    fuzz corpus: %d files, %d loaded\n", files, loaded);
  TT_CHECK(files >= 4);
  TT_CHECK_EQ(loaded, files);  // the seeds are valid models
}
