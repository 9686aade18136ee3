#include "tinysense/node/uplink.hpp"

namespace tinysense::node {
namespace {

bool id_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Length of a valid id, 0 when invalid.
std::size_t id_len(const char* s) noexcept {
  if (s == nullptr) return 0;
  std::size_t n = 0;
  while (s[n] != '\0') {
    if (n == kMaxNodeId || !id_char(s[n])) return 0;
    ++n;
  }
  return n;
}

}  // namespace

bool valid_node_id(const char* node_id) noexcept { return id_len(node_id) > 0; }

std::size_t envelope_bytes(const char* node_id, std::size_t record_len) noexcept {
  const std::size_t n = id_len(node_id);
  return n == 0 ? 0 : 3 + n + record_len;
}

Status encode_envelope(const char* node_id, Span<const std::uint8_t> record, Span<std::uint8_t> out,
                       std::size_t* len) noexcept {
  const std::size_t n = id_len(node_id);
  if (n == 0 || len == nullptr || record.size() == 0) return Status::kInvalidArgument;
  const std::size_t total = 3 + n + record.size();
  if (out.size() < total) return Status::kNoSpace;
  out[0] = kEnvelopeMagic;
  out[1] = kEnvelopeVersion;
  out[2] = static_cast<std::uint8_t>(n);
  for (std::size_t i = 0; i < n; ++i) out[3 + i] = static_cast<std::uint8_t>(node_id[i]);
  for (std::size_t i = 0; i < record.size(); ++i) out[3 + n + i] = record[i];
  *len = total;
  return Status::kOk;
}

Status make_topic(const char* node_id, const char* leaf, Span<char> out) noexcept {
  const std::size_t n = id_len(node_id), m = id_len(leaf);
  if (n == 0 || m == 0) return Status::kInvalidArgument;
  static constexpr char kPrefix[] = "tinysense/";
  const std::size_t p = sizeof kPrefix - 1;
  if (out.size() < p + n + 1 + m + 1) return Status::kNoSpace;
  std::size_t k = 0;
  for (std::size_t i = 0; i < p; ++i) out[k++] = kPrefix[i];
  for (std::size_t i = 0; i < n; ++i) out[k++] = node_id[i];
  out[k++] = '/';
  for (std::size_t i = 0; i < m; ++i) out[k++] = leaf[i];
  out[k] = '\0';
  return Status::kOk;
}

}  // namespace tinysense::node
