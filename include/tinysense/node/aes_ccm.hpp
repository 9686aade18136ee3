// AES-128 (FIPS-197, encryption direction only) and AES-CCM (NIST SP 800-38C,
// RFC 3610) for authenticated radio payloads such as encrypted BTHome adverts.
//
// Equal to Python's cryptography.hazmat.primitives.ciphers.aead.AESCCM (tests
// compare byte for byte): ciphertext || tag == AESCCM(key, tag_length).encrypt(
// nonce, plaintext, aad). No heap, no tables in RAM: the S-box is a constexpr
// table in flash. Table lookups indexed by secret bytes are not constant-time
// on cores with a data cache; Cortex-M0/M3/M4 without cache are not affected.
#ifndef TINYSENSE_NODE_AES_CCM_HPP
#define TINYSENSE_NODE_AES_CCM_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

// The AES-128 block cipher with an expanded key (176 bytes of round keys).
class Aes128 {
 public:
  static constexpr std::size_t kBlockBytes = 16;
  static constexpr std::size_t kKeyBytes = 16;

  // Expands a 16-byte key. kInvalidArgument unless key.size() == 16.
  [[nodiscard]] Status init(Span<const std::uint8_t> key) noexcept;
  // One block, FIPS-197 Cipher(); in may alias out. Requires a successful init().
  void encrypt_block(const std::uint8_t in[16], std::uint8_t out[16]) const noexcept;
  bool ready() const noexcept { return ready_; }
  // Overwrites the round keys (call when the key is retired).
  void wipe() noexcept;

 private:
  std::uint8_t round_keys_[176] = {};
  bool ready_ = false;
};

// AES-CCM parameters: nonce 7..13 bytes (L = 15 - nonce length), tag 4, 6, ...,
// 16 bytes, associated data up to 65279 bytes, message shorter than 2^(8L).
constexpr std::size_t kCcmMinNonce = 7;
constexpr std::size_t kCcmMaxNonce = 13;
constexpr std::size_t kCcmMaxAad = 0xFEFF;

// Encrypts and authenticates: out = CTR(plaintext), tag = MIC over (aad, plaintext).
// out.size() must equal plaintext.size(); out may alias plaintext exactly (in
// place), no other overlap. kInvalidArgument on a bad nonce/tag/aad size or an
// uninitialised key, kSizeMismatch when out differs in size, kOutOfRange when the
// message does not fit the length field.
[[nodiscard]] Status ccm_encrypt(const Aes128& aes, Span<const std::uint8_t> nonce,
                                 Span<const std::uint8_t> aad,
                                 Span<const std::uint8_t> plaintext, Span<std::uint8_t> out,
                                 Span<std::uint8_t> tag) noexcept;

// Decrypts and verifies: kOk and out = plaintext when the tag matches (compared
// in constant time); kCorrupt when it does not, and then out is zeroed so a
// forged message never reaches the caller. Same size rules as ccm_encrypt.
[[nodiscard]] Status ccm_decrypt(const Aes128& aes, Span<const std::uint8_t> nonce,
                                 Span<const std::uint8_t> aad,
                                 Span<const std::uint8_t> ciphertext,
                                 Span<const std::uint8_t> tag, Span<std::uint8_t> out) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_AES_CCM_HPP
