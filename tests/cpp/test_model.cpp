// Model container: what python/tinysense/model_format.py writes, parse_model accepts;
// every damaged variant is rejected with the right Status.
#include <cstring>

#include "golden_model.hpp"
#include "tinysense/ml/model.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::ml;

namespace {
alignas(8) std::uint8_t g_buf[256];

Status parse_copy(const std::uint8_t* data, std::size_t n, ModelKind kind, ModelInfo* info,
                  std::size_t offset = 0) {
  std::memcpy(g_buf + offset, data, n);
  return parse_model(Span<const std::uint8_t>(g_buf + offset, n), kind, info);
}
}  // namespace

TT_TEST(parses_valid_container) {
  ModelInfo info{};
  TT_CHECK(parse_copy(golden::model::good, golden::model::good_len, ModelKind::kTrees, &info) ==
           Status::kOk);
  TT_CHECK(info.kind == ModelKind::kTrees);
  TT_CHECK(info.input_dtype == ModelDtype::kFloat32);
  TT_CHECK(info.output_dtype == ModelDtype::kInt16);
  TT_CHECK_EQ(info.n_inputs, 5u);
  TT_CHECK_EQ(info.n_outputs, 3u);
  TT_CHECK_EQ(info.arena_bytes, 128u);
  TT_CHECK_EQ(info.payload.size(), static_cast<std::size_t>(golden::model::payload_len));
  TT_CHECK(info.payload.data() == g_buf + kModelHeaderSize);
}

TT_TEST(rejects_damaged_containers) {
  ModelInfo info{};
  using golden::model::bad_magic;
  TT_CHECK(parse_copy(bad_magic, golden::model::bad_magic_len, ModelKind::kTrees, &info) ==
           Status::kCorrupt);
  TT_CHECK(parse_copy(golden::model::bad_version, golden::model::bad_version_len,
                      ModelKind::kTrees, &info) == Status::kNotSupported);
  TT_CHECK(parse_copy(golden::model::payload_bitflip, golden::model::payload_bitflip_len,
                      ModelKind::kTrees, &info) == Status::kCorrupt);
  TT_CHECK(parse_copy(golden::model::header_bitflip, golden::model::header_bitflip_len,
                      ModelKind::kTrees, &info) == Status::kCorrupt);
  TT_CHECK(parse_copy(golden::model::truncated, golden::model::truncated_len, ModelKind::kTrees,
                      &info) == Status::kSizeMismatch);
  TT_CHECK(parse_copy(golden::model::trailing, golden::model::trailing_len, ModelKind::kTrees,
                      &info) == Status::kCorrupt);
  TT_CHECK(parse_copy(golden::model::short_, golden::model::short__len, ModelKind::kTrees, &info) ==
           Status::kSizeMismatch);
}

TT_TEST(rejects_wrong_kind_alignment_and_null) {
  ModelInfo info{};
  TT_CHECK(parse_copy(golden::model::good, golden::model::good_len, ModelKind::kCnn, &info) ==
           Status::kInvalidArgument);
  TT_CHECK(parse_copy(golden::model::good, golden::model::good_len, ModelKind::kTrees, &info, 1) ==
           Status::kInvalidArgument);
  TT_CHECK(parse_copy(golden::model::good, golden::model::good_len, ModelKind::kTrees, nullptr) ==
           Status::kInvalidArgument);
}

TT_TEST(every_single_bit_flip_is_detected) {
  // CRC-32 detects all single-bit errors; every flip must be rejected, never accepted.
  const std::size_t n = golden::model::good_len;
  int accepted = 0;
  for (std::size_t i = 0; i < n * 8; ++i) {
    std::memcpy(g_buf, golden::model::good, n);
    g_buf[i / 8] = static_cast<std::uint8_t>(g_buf[i / 8] ^ (1u << (i % 8)));
    ModelInfo info{};
    if (parse_model(Span<const std::uint8_t>(g_buf, n), ModelKind::kTrees, &info) == Status::kOk) {
      ++accepted;
    }
  }
  TT_CHECK_EQ(accepted, 0);
}
