#include "tinysense/ml/model.hpp"

#include <cstdint>

#include "tinysense/core/crc32.hpp"

namespace tinysense::ml {
namespace {

bool known_dtype(std::uint16_t d) noexcept { return d <= static_cast<std::uint16_t>(ModelDtype::kInt32); }

}  // namespace

Status parse_model(Span<const std::uint8_t> bytes, ModelKind expected, ModelInfo* info) noexcept {
  if (info == nullptr) return Status::kInvalidArgument;
  if (bytes.size() < kModelHeaderSize) return Status::kSizeMismatch;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % kModelAlign != 0) {
    return Status::kInvalidArgument;
  }
  const std::uint8_t* h = bytes.data();
  if (h[0] != 'T' || h[1] != 'S' || h[2] != 'M' || h[3] != 'D') return Status::kCorrupt;
  if (read_u16(h + 4) != kModelVersion) return Status::kNotSupported;
  const std::uint32_t payload_size = read_u32(h + 8);
  if (payload_size > bytes.size() - kModelHeaderSize) return Status::kSizeMismatch;
  if (payload_size < bytes.size() - kModelHeaderSize) return Status::kCorrupt;  // trailing bytes
  std::uint32_t crc = crc32(Span<const std::uint8_t>(h, 28));
  crc = crc32(bytes.subspan(kModelHeaderSize, payload_size), crc);
  if (crc != read_u32(h + 28)) return Status::kCorrupt;
  const std::uint16_t kind = read_u16(h + 6);
  const std::uint16_t in_dtype = read_u16(h + 16);
  const std::uint16_t out_dtype = read_u16(h + 18);
  if (!known_dtype(in_dtype) || !known_dtype(out_dtype)) return Status::kCorrupt;
  if (kind != static_cast<std::uint16_t>(expected)) return Status::kInvalidArgument;
  info->kind = expected;
  info->input_dtype = static_cast<ModelDtype>(in_dtype);
  info->output_dtype = static_cast<ModelDtype>(out_dtype);
  info->arena_bytes = read_u32(h + 12);
  info->n_inputs = read_u32(h + 20);
  info->n_outputs = read_u32(h + 24);
  info->payload = bytes.subspan(kModelHeaderSize, payload_size);
  return Status::kOk;
}

}  // namespace tinysense::ml
