#include "tinysense/node/bthome.hpp"

namespace tinysense::node {
namespace {

struct ObjectInfo {
  std::uint8_t id;
  std::uint8_t bytes;
  bool is_signed;
};

// Sorted by id; must list exactly the enumerators of BthomeObject.
constexpr ObjectInfo kObjects[] = {
    {0x00, 1, false}, {0x01, 1, false}, {0x02, 2, true},  {0x03, 2, false}, {0x04, 3, false},
    {0x05, 3, false}, {0x08, 2, true},  {0x09, 1, false}, {0x0A, 3, false}, {0x0B, 3, false},
    {0x0C, 2, false}, {0x0D, 2, false}, {0x0E, 2, false}, {0x12, 2, false}, {0x14, 2, false},
    {0x2E, 1, false}, {0x2F, 1, false}, {0x3D, 2, false}, {0x3E, 4, false}, {0x3F, 2, true},
    {0x40, 2, false}, {0x43, 2, false}, {0x45, 2, true},
};

const ObjectInfo* find_object(std::uint8_t id) noexcept {
  for (const ObjectInfo& o : kObjects) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

}  // namespace

std::size_t bthome_value_bytes(std::uint8_t object_id) noexcept {
  const ObjectInfo* o = find_object(object_id);
  return o == nullptr ? 0 : o->bytes;
}

bool bthome_value_signed(std::uint8_t object_id) noexcept {
  const ObjectInfo* o = find_object(object_id);
  return o != nullptr && o->is_signed;
}

Status BthomeEncoder::add(BthomeObject id, std::int64_t raw) noexcept {
  const auto key = static_cast<std::uint8_t>(id);
  const ObjectInfo* o = find_object(key);
  if (o == nullptr) return Status::kNotSupported;
  const unsigned bits = 8u * o->bytes;
  if (o->is_signed) {
    const std::int64_t lim = std::int64_t{1} << (bits - 1);
    if (raw < -lim || raw >= lim) return Status::kOutOfRange;
  } else if (raw < 0 || raw >= (std::int64_t{1} << bits)) {
    return Status::kOutOfRange;
  }
  if (count_ == kMaxObjects) return Status::kNoSpace;
  // Insertion keeps the list sorted by id and stable for equal ids.
  std::size_t pos = count_;
  while (pos > 0 && ids_[pos - 1] > key) {
    ids_[pos] = ids_[pos - 1];
    raw_[pos] = raw_[pos - 1];
    --pos;
  }
  ids_[pos] = key;
  raw_[pos] = raw;
  ++count_;
  return Status::kOk;
}

std::size_t BthomeEncoder::objects_bytes() const noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) n += 1 + bthome_value_bytes(ids_[i]);
  return n;
}

void BthomeEncoder::write_objects(std::uint8_t* out) const noexcept {
  std::size_t p = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const std::size_t nb = bthome_value_bytes(ids_[i]);
    const auto v = static_cast<std::uint64_t>(raw_[i]);  // two's complement for signed values
    out[p++] = ids_[i];
    for (std::size_t b = 0; b < nb; ++b) out[p++] = static_cast<std::uint8_t>(v >> (8 * b));
  }
}

void bthome_nonce(Span<const std::uint8_t> mac, std::uint8_t device_info, std::uint32_t counter,
                  std::uint8_t out[kBthomeNonceBytes]) noexcept {
  for (std::size_t i = 0; i < 6; ++i) out[i] = mac[i];
  out[6] = static_cast<std::uint8_t>(kBthomeUuid & 0xFFu);
  out[7] = static_cast<std::uint8_t>(kBthomeUuid >> 8);
  out[8] = device_info;
  for (std::size_t i = 0; i < 4; ++i) out[9 + i] = static_cast<std::uint8_t>(counter >> (8 * i));
}

Status BthomeEncoder::encode(Span<std::uint8_t> out, std::size_t* len,
                             bool trigger_based) const noexcept {
  if (len == nullptr) return Status::kInvalidArgument;
  const std::size_t n = service_data_bytes(false);
  if (out.size() < n) return Status::kNoSpace;
  out[0] = static_cast<std::uint8_t>(kBthomeUuid & 0xFFu);
  out[1] = static_cast<std::uint8_t>(kBthomeUuid >> 8);
  out[2] = static_cast<std::uint8_t>(kBthomeVersion2 | (trigger_based ? kBthomeTrigger : 0));
  write_objects(out.data() + 3);
  *len = n;
  return Status::kOk;
}

Status BthomeEncoder::encode_encrypted(const Aes128& key, Span<const std::uint8_t> mac,
                                       std::uint32_t counter, Span<std::uint8_t> out,
                                       std::size_t* len, bool trigger_based) const noexcept {
  if (len == nullptr || mac.size() != 6 || !key.ready()) return Status::kInvalidArgument;
  const std::size_t n = service_data_bytes(true);
  if (out.size() < n) return Status::kNoSpace;
  const std::size_t nobj = objects_bytes();
  const auto info = static_cast<std::uint8_t>(kBthomeVersion2 | kBthomeEncrypted |
                                              (trigger_based ? kBthomeTrigger : 0));
  out[0] = static_cast<std::uint8_t>(kBthomeUuid & 0xFFu);
  out[1] = static_cast<std::uint8_t>(kBthomeUuid >> 8);
  out[2] = info;
  std::uint8_t* body = out.data() + 3;
  write_objects(body);  // plaintext in place, then encrypted in place
  std::uint8_t nonce[kBthomeNonceBytes];
  bthome_nonce(mac, info, counter, nonce);
  std::uint8_t* ctr = body + nobj;
  for (std::size_t i = 0; i < 4; ++i) ctr[i] = static_cast<std::uint8_t>(counter >> (8 * i));
  TINYSENSE_TRY(ccm_encrypt(key, Span<const std::uint8_t>(nonce), Span<const std::uint8_t>(),
                            Span<const std::uint8_t>(body, nobj), Span<std::uint8_t>(body, nobj),
                            Span<std::uint8_t>(ctr + kBthomeCounterBytes, kBthomeMicBytes)));
  *len = n;
  return Status::kOk;
}

Status BthomeEncoder::add_to(AdvBuilder& adv, bool trigger_based) const noexcept {
  Span<std::uint8_t> dst;
  TINYSENSE_TRY(adv.reserve(kAdServiceData16, service_data_bytes(false), &dst));
  std::size_t n = 0;
  return encode(dst, &n, trigger_based);
}

Status BthomeEncoder::add_encrypted_to(AdvBuilder& adv, const Aes128& key,
                                       Span<const std::uint8_t> mac, std::uint32_t counter,
                                       bool trigger_based) const noexcept {
  if (mac.size() != 6 || !key.ready()) return Status::kInvalidArgument;
  Span<std::uint8_t> dst;
  TINYSENSE_TRY(adv.reserve(kAdServiceData16, service_data_bytes(true), &dst));
  std::size_t n = 0;
  return encode_encrypted(key, mac, counter, dst, &n, trigger_based);
}

}  // namespace tinysense::node
