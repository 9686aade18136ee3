#include "tinysense/node/aes_ccm.hpp"

#include <array>

namespace tinysense::node {
namespace {

constexpr std::uint8_t xtime(std::uint8_t x) noexcept {
  return static_cast<std::uint8_t>((static_cast<unsigned>(x) << 1u) ^ ((x & 0x80u) != 0 ? 0x1Bu : 0x00u));
}

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) noexcept {
  std::uint8_t r = 0;
  for (int i = 0; i < 8; ++i) {
    if ((b & 1u) != 0) r = static_cast<std::uint8_t>(r ^ a);
    a = xtime(a);
    b = static_cast<std::uint8_t>(b >> 1);
  }
  return r;
}

constexpr std::uint8_t rotl8(std::uint8_t x, int s) noexcept {
  return static_cast<std::uint8_t>((x << s) | (x >> (8 - s)));
}

// S-box from its definition (FIPS-197 5.1.1): multiplicative inverse in
// GF(2^8) (x^254), then the affine map. Computed by the compiler, so no
// 256-byte literal to mistype; the test checks it against the standard.
constexpr std::array<std::uint8_t, 256> make_sbox() noexcept {
  std::array<std::uint8_t, 256> s{};
  for (int i = 0; i < 256; ++i) {
    const auto x = static_cast<std::uint8_t>(i);
    std::uint8_t inv = 1, base = x;
    for (int e = 254; e > 0; e >>= 1) {  // square-and-multiply; 0 maps to 0
      if ((e & 1) != 0) inv = gf_mul(inv, base);
      base = gf_mul(base, base);
    }
    if (x == 0) inv = 0;
    s[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(
        inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^ rotl8(inv, 4) ^ 0x63u);
  }
  return s;
}

constexpr std::array<std::uint8_t, 256> kSbox = make_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xED && kSbox[0xFF] == 0x16,
              "AES S-box differs from FIPS-197 Figure 7");

void xor_block(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<std::uint8_t>(dst[i] ^ src[i]);
}

}  // namespace

Status Aes128::init(Span<const std::uint8_t> key) noexcept {
  ready_ = false;
  if (key.size() != kKeyBytes || key.data() == nullptr) return Status::kInvalidArgument;
  for (std::size_t i = 0; i < 16; ++i) round_keys_[i] = key[i];
  std::uint8_t rcon = 0x01;
  for (std::size_t i = 16; i < 176; i += 4) {
    std::uint8_t t[4] = {round_keys_[i - 4], round_keys_[i - 3], round_keys_[i - 2],
                         round_keys_[i - 1]};
    if (i % 16 == 0) {  // RotWord, SubWord, Rcon
      const std::uint8_t t0 = t[0];
      t[0] = static_cast<std::uint8_t>(kSbox[t[1]] ^ rcon);
      t[1] = kSbox[t[2]];
      t[2] = kSbox[t[3]];
      t[3] = kSbox[t0];
      rcon = xtime(rcon);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      round_keys_[i + k] = static_cast<std::uint8_t>(round_keys_[i + k - 16] ^ t[k]);
    }
  }
  ready_ = true;
  return Status::kOk;
}

void Aes128::wipe() noexcept {
  volatile std::uint8_t* p = round_keys_;
  for (std::size_t i = 0; i < sizeof round_keys_; ++i) p[i] = 0;
  ready_ = false;
}

void Aes128::encrypt_block(const std::uint8_t in[16], std::uint8_t out[16]) const noexcept {
  // State in column-major order as FIPS-197: s[r + 4c].
  std::uint8_t s[16];
  for (std::size_t i = 0; i < 16; ++i) s[i] = static_cast<std::uint8_t>(in[i] ^ round_keys_[i]);
  for (std::size_t round = 1; round <= 10; ++round) {
    std::uint8_t t[16];
    // SubBytes + ShiftRows: row r rotates left by r columns.
    for (std::size_t c = 0; c < 4; ++c) {
      for (std::size_t r = 0; r < 4; ++r) t[r + 4 * c] = kSbox[s[r + 4 * ((c + r) % 4)]];
    }
    if (round != 10) {  // MixColumns
      for (std::size_t c = 0; c < 4; ++c) {
        const std::uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
        const auto all = static_cast<std::uint8_t>(a0 ^ a1 ^ a2 ^ a3);
        t[4 * c] = static_cast<std::uint8_t>(a0 ^ all ^ xtime(static_cast<std::uint8_t>(a0 ^ a1)));
        t[4 * c + 1] = static_cast<std::uint8_t>(a1 ^ all ^ xtime(static_cast<std::uint8_t>(a1 ^ a2)));
        t[4 * c + 2] = static_cast<std::uint8_t>(a2 ^ all ^ xtime(static_cast<std::uint8_t>(a2 ^ a3)));
        t[4 * c + 3] = static_cast<std::uint8_t>(a3 ^ all ^ xtime(static_cast<std::uint8_t>(a3 ^ a0)));
      }
    }
    const std::uint8_t* rk = round_keys_ + 16 * round;
    for (std::size_t i = 0; i < 16; ++i) s[i] = static_cast<std::uint8_t>(t[i] ^ rk[i]);
  }
  for (std::size_t i = 0; i < 16; ++i) out[i] = s[i];
}

namespace {

// Shared checks of ccm_encrypt / ccm_decrypt.
Status check_ccm(const Aes128& aes, Span<const std::uint8_t> nonce,
                 Span<const std::uint8_t> aad, std::size_t msg_len, std::size_t out_len,
                 std::size_t tag_len) noexcept {
  if (!aes.ready()) return Status::kInvalidArgument;
  if (nonce.size() < kCcmMinNonce || nonce.size() > kCcmMaxNonce) return Status::kInvalidArgument;
  if (tag_len < 4 || tag_len > 16 || (tag_len % 2) != 0) return Status::kInvalidArgument;
  if (aad.size() > kCcmMaxAad) return Status::kInvalidArgument;
  if (out_len != msg_len) return Status::kSizeMismatch;
  const std::size_t l = 15 - nonce.size();  // bytes of the length field
  if (l < sizeof(std::size_t) && (static_cast<unsigned long long>(msg_len) >> (8 * l)) != 0) {
    return Status::kOutOfRange;
  }
  return Status::kOk;
}

// Counter block A_i = flags(L-1) || nonce || i (big-endian in L bytes).
void counter_block(Span<const std::uint8_t> nonce, std::uint32_t i, std::uint8_t a[16]) noexcept {
  const std::size_t l = 15 - nonce.size();
  a[0] = static_cast<std::uint8_t>(l - 1);
  for (std::size_t k = 0; k < nonce.size(); ++k) a[1 + k] = nonce[k];
  for (std::size_t k = 0; k < l; ++k) {
    const std::size_t shift = 8 * k;
    a[15 - k] = static_cast<std::uint8_t>(shift < 32 ? (i >> shift) : 0u);
  }
}

// CBC-MAC state after B_0 and the associated data.
void mac_start(const Aes128& aes, Span<const std::uint8_t> nonce, Span<const std::uint8_t> aad,
               std::size_t msg_len, std::size_t tag_len, std::uint8_t x[16]) noexcept {
  const std::size_t l = 15 - nonce.size();
  std::uint8_t b[16];
  b[0] = static_cast<std::uint8_t>((aad.size() > 0 ? 0x40 : 0x00) | (((tag_len - 2) / 2) << 3) |
                                   (l - 1));
  for (std::size_t k = 0; k < nonce.size(); ++k) b[1 + k] = nonce[k];
  unsigned long long len = msg_len;
  for (std::size_t k = 0; k < l; ++k) {
    b[15 - k] = static_cast<std::uint8_t>(len & 0xFFu);
    len >>= 8;
  }
  aes.encrypt_block(b, x);
  if (aad.size() == 0) return;
  // First AAD block: 2-byte length, then up to 14 bytes of data; zero padding.
  std::uint8_t blk[16] = {};
  blk[0] = static_cast<std::uint8_t>(aad.size() >> 8);
  blk[1] = static_cast<std::uint8_t>(aad.size());
  std::size_t used = 2, pos = 0;
  while (pos < aad.size()) {
    while (used < 16 && pos < aad.size()) blk[used++] = aad[pos++];
    xor_block(x, blk, 16);
    aes.encrypt_block(x, x);
    for (std::size_t k = 0; k < 16; ++k) blk[k] = 0;
    used = 0;
  }
}

// Message pass shared by both directions: CTR with A_1.., CBC-MAC over the plaintext.
void ccm_crypt(const Aes128& aes, Span<const std::uint8_t> nonce, const std::uint8_t* in,
               std::uint8_t* out, std::size_t n, bool encrypting, std::uint8_t x[16]) noexcept {
  std::uint8_t a[16], s[16], p[16];
  for (std::size_t off = 0, i = 1; off < n; off += 16, ++i) {
    const std::size_t m = n - off < 16 ? n - off : 16;
    counter_block(nonce, static_cast<std::uint32_t>(i), a);
    aes.encrypt_block(a, s);
    for (std::size_t k = 0; k < 16; ++k) p[k] = 0;
    if (encrypting) {
      for (std::size_t k = 0; k < m; ++k) p[k] = in[off + k];  // read before an in-place write
      for (std::size_t k = 0; k < m; ++k) out[off + k] = static_cast<std::uint8_t>(p[k] ^ s[k]);
    } else {
      for (std::size_t k = 0; k < m; ++k) p[k] = static_cast<std::uint8_t>(in[off + k] ^ s[k]);
      for (std::size_t k = 0; k < m; ++k) out[off + k] = p[k];
    }
    xor_block(x, p, 16);
    aes.encrypt_block(x, x);
  }
}

}  // namespace

Status ccm_encrypt(const Aes128& aes, Span<const std::uint8_t> nonce,
                   Span<const std::uint8_t> aad, Span<const std::uint8_t> plaintext,
                   Span<std::uint8_t> out, Span<std::uint8_t> tag) noexcept {
  TINYSENSE_TRY(check_ccm(aes, nonce, aad, plaintext.size(), out.size(), tag.size()));
  std::uint8_t x[16], a[16], s0[16];
  mac_start(aes, nonce, aad, plaintext.size(), tag.size(), x);
  ccm_crypt(aes, nonce, plaintext.data(), out.data(), plaintext.size(), true, x);
  counter_block(nonce, 0, a);
  aes.encrypt_block(a, s0);
  for (std::size_t k = 0; k < tag.size(); ++k) tag[k] = static_cast<std::uint8_t>(x[k] ^ s0[k]);
  return Status::kOk;
}

Status ccm_decrypt(const Aes128& aes, Span<const std::uint8_t> nonce,
                   Span<const std::uint8_t> aad, Span<const std::uint8_t> ciphertext,
                   Span<const std::uint8_t> tag, Span<std::uint8_t> out) noexcept {
  TINYSENSE_TRY(check_ccm(aes, nonce, aad, ciphertext.size(), out.size(), tag.size()));
  std::uint8_t x[16], a[16], s0[16];
  mac_start(aes, nonce, aad, ciphertext.size(), tag.size(), x);
  ccm_crypt(aes, nonce, ciphertext.data(), out.data(), ciphertext.size(), false, x);
  counter_block(nonce, 0, a);
  aes.encrypt_block(a, s0);
  std::uint8_t diff = 0;  // constant time: no early exit on the first wrong byte
  for (std::size_t k = 0; k < tag.size(); ++k) {
    diff = static_cast<std::uint8_t>(diff | (tag[k] ^ x[k] ^ s0[k]));
  }
  if (diff != 0) {
    for (std::size_t k = 0; k < out.size(); ++k) out[k] = 0;
    return Status::kCorrupt;
  }
  return Status::kOk;
}

}  // namespace tinysense::node
