// AES-128 vs FIPS-197 and OpenSSL; AES-CCM vs RFC 3610 and Python's
// cryptography AESCCM (golden_aes_ccm.hpp), tamper detection, in-place use.
#include <cstdint>
#include <cstring>

#include "golden_aes_ccm.hpp"
#include "tinysense/node/aes_ccm.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::aes_ccm;

namespace {

using U8 = Span<const std::uint8_t>;

std::size_t hex(const char* s, std::uint8_t* out) {
  std::size_t n = 0;
  auto nib = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  for (; s[0] != '\0' && s[1] != '\0'; s += 2) out[n++] = static_cast<std::uint8_t>(nib(s[0]) << 4 | nib(s[1]));
  return n;
}

U8 field(const std::uint8_t* blob, const std::uint32_t* off, std::size_t i) {
  return U8(blob + off[i], off[i + 1] - off[i]);
}

}  // namespace

TT_TEST(fips197_appendix_vectors) {
  // Appendix B (cipher example) and C.1 (AES-128 example vector).
  struct V {
    const char *key, *pt, *ct;
  } const vs[] = {
      {"2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734",
       "3925841d02dc09fbdc118597196a0b32"},
      {"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff",
       "69c4e0d86a7b0430d8cdb78070b4c55a"},
  };
  for (const V& v : vs) {
    std::uint8_t key[16], pt[16], ct[16], out[16];
    hex(v.key, key);
    hex(v.pt, pt);
    hex(v.ct, ct);
    Aes128 aes;
    TT_CHECK(aes.init(U8(key)) == Status::kOk);
    aes.encrypt_block(pt, out);
    TT_CHECK(std::memcmp(out, ct, 16) == 0);
    aes.encrypt_block(pt, pt);  // in place
    TT_CHECK(std::memcmp(pt, ct, 16) == 0);
  }
}

TT_TEST(key_lifecycle) {
  std::uint8_t key[16] = {};
  Aes128 aes;
  TT_CHECK(!aes.ready());
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  TT_CHECK(aes.ready());
  aes.wipe();
  TT_CHECK(!aes.ready());
  TT_CHECK(aes.init(U8(key, 17)) == Status::kInvalidArgument);
  TT_CHECK(!aes.ready());
}

TT_TEST(ecb_matches_openssl) {
  for (std::size_t i = 0; i < static_cast<std::size_t>(g::ecb_count); ++i) {
    Aes128 aes;
    TT_CHECK(aes.init(U8(g::ecb_key + 16 * i, 16)) == Status::kOk);
    std::uint8_t out[16];
    aes.encrypt_block(g::ecb_pt + 16 * i, out);
    TT_CHECK(std::memcmp(out, g::ecb_ct + 16 * i, 16) == 0);
  }
}

TT_TEST(rfc3610_packet_vector_1) {
  std::uint8_t key[16], nonce[13], msg[31], expect[39];
  hex("c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", key);
  hex("00000003020100a0a1a2a3a4a5", nonce);
  hex("08090a0b0c0d0e0f101112131415161718191a1b1c1d1e", msg + 8);
  hex("0001020304050607", msg);
  // Output: 8 header bytes, then ciphertext and an 8-byte tag.
  hex("588c979a61c663d2f066d0c2c0f989806d5f6b61dac38417e8d12cfdf926e0", expect);
  Aes128 aes;
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  std::uint8_t ct[23], tag[8];
  TT_CHECK(ccm_encrypt(aes, U8(nonce), U8(msg, 8), U8(msg + 8, 23), Span<std::uint8_t>(ct),
                       Span<std::uint8_t>(tag)) == Status::kOk);
  TT_CHECK(std::memcmp(ct, expect, 23) == 0);
  TT_CHECK(std::memcmp(tag, expect + 23, 8) == 0);
}

TT_TEST(ccm_matches_cryptography_and_round_trips) {
  std::uint8_t buf[128], tag[16], back[128];
  for (std::size_t i = 0; i < static_cast<std::size_t>(g::ccm_count); ++i) {
    const U8 key = field(g::ccm_key, g::ccm_key_off, i);
    const U8 nonce = field(g::ccm_nonce, g::ccm_nonce_off, i);
    const U8 aad = field(g::ccm_aad, g::ccm_aad_off, i);
    const U8 pt = field(g::ccm_pt, g::ccm_pt_off, i);
    const U8 ct = field(g::ccm_ct, g::ccm_ct_off, i);
    const U8 etag = field(g::ccm_tag, g::ccm_tag_off, i);
    Aes128 aes;
    TT_CHECK(aes.init(key) == Status::kOk);
    const std::size_t n = pt.size();
    buf[n] = 0xA5;  // canary
    TT_CHECK(ccm_encrypt(aes, nonce, aad, pt, Span<std::uint8_t>(buf, n),
                         Span<std::uint8_t>(tag, etag.size())) == Status::kOk);
    TT_CHECK(n == 0 || std::memcmp(buf, ct.data(), n) == 0);
    TT_CHECK(std::memcmp(tag, etag.data(), etag.size()) == 0);
    TT_CHECK_EQ(buf[n], 0xA5);
    // Decrypt, and in place.
    TT_CHECK(ccm_decrypt(aes, nonce, aad, ct, etag, Span<std::uint8_t>(back, n)) == Status::kOk);
    TT_CHECK(n == 0 || std::memcmp(back, pt.data(), n) == 0);
    std::memcpy(buf, ct.data(), n);
    TT_CHECK(ccm_decrypt(aes, nonce, aad, U8(buf, n), etag, Span<std::uint8_t>(buf, n)) ==
             Status::kOk);
    TT_CHECK(n == 0 || std::memcmp(buf, pt.data(), n) == 0);
    std::memcpy(buf, pt.data(), n);
    TT_CHECK(ccm_encrypt(aes, nonce, aad, U8(buf, n), Span<std::uint8_t>(buf, n),
                         Span<std::uint8_t>(tag, etag.size())) == Status::kOk);
    TT_CHECK(n == 0 || std::memcmp(buf, ct.data(), n) == 0);
  }
}

TT_TEST(ccm_rejects_every_single_bit_flip) {
  // Case 0 of the golden set; flip each bit of ciphertext, tag, nonce and aad.
  for (std::size_t i = 0; i < static_cast<std::size_t>(g::ccm_count); ++i) {
    const U8 key = field(g::ccm_key, g::ccm_key_off, i);
    const U8 nonce = field(g::ccm_nonce, g::ccm_nonce_off, i);
    const U8 aad = field(g::ccm_aad, g::ccm_aad_off, i);
    const U8 ct = field(g::ccm_ct, g::ccm_ct_off, i);
    const U8 tag = field(g::ccm_tag, g::ccm_tag_off, i);
    if (ct.size() == 0 || aad.size() == 0 || ct.size() > 40) continue;
    Aes128 aes;
    TT_CHECK(aes.init(key) == Status::kOk);
    std::uint8_t c[64], t[16], nn[13], a[64], out[64];
    const std::size_t total_bits = 8 * (ct.size() + tag.size() + nonce.size() + aad.size());
    for (std::size_t bit = 0; bit < total_bits; ++bit) {
      std::memcpy(c, ct.data(), ct.size());
      std::memcpy(t, tag.data(), tag.size());
      std::memcpy(nn, nonce.data(), nonce.size());
      std::memcpy(a, aad.data(), aad.size());
      std::size_t byte = bit / 8;
      const auto mask = static_cast<std::uint8_t>(1u << (bit % 8));
      if (byte < ct.size()) {
        c[byte] ^= mask;
      } else if ((byte -= ct.size()) < tag.size()) {
        t[byte] ^= mask;
      } else if ((byte -= tag.size()) < nonce.size()) {
        nn[byte] ^= mask;
      } else {
        a[byte - nonce.size()] ^= mask;
      }
      std::memset(out, 0x5A, sizeof out);
      TT_CHECK(ccm_decrypt(aes, U8(nn, nonce.size()), U8(a, aad.size()), U8(c, ct.size()),
                           U8(t, tag.size()), Span<std::uint8_t>(out, ct.size())) == Status::kCorrupt);
      for (std::size_t k = 0; k < ct.size(); ++k) TT_CHECK_EQ(out[k], 0);  // nothing leaks
    }
    return;  // one case with every field present is enough
  }
  TT_CHECK(false);  // the golden set must contain such a case
}

TT_TEST(ccm_rejects_bad_parameters) {
  std::uint8_t key[16] = {}, nonce[14] = {}, msg[8] = {}, out[8], tag[18];
  Aes128 aes;
  TT_CHECK(aes.init(U8(key, 15)) == Status::kInvalidArgument);
  TT_CHECK(ccm_encrypt(aes, U8(nonce, 13), U8(), U8(msg), Span<std::uint8_t>(out),
                       Span<std::uint8_t>(tag, 4)) == Status::kInvalidArgument);  // no key
  TT_CHECK(aes.init(U8(key)) == Status::kOk);
  const auto enc = [&](std::size_t nl, std::size_t tl, std::size_t ol) {
    return ccm_encrypt(aes, U8(nonce, nl), U8(), U8(msg), Span<std::uint8_t>(out, ol),
                       Span<std::uint8_t>(tag, tl));
  };
  TT_CHECK(enc(13, 4, 8) == Status::kOk);
  TT_CHECK(enc(6, 4, 8) == Status::kInvalidArgument);
  TT_CHECK(enc(14, 4, 8) == Status::kInvalidArgument);
  TT_CHECK(enc(13, 2, 8) == Status::kInvalidArgument);
  TT_CHECK(enc(13, 5, 8) == Status::kInvalidArgument);
  TT_CHECK(enc(13, 18, 8) == Status::kInvalidArgument);
  TT_CHECK(enc(13, 4, 7) == Status::kSizeMismatch);
  TT_CHECK(ccm_decrypt(aes, U8(nonce, 13), U8(), U8(msg), U8(tag, 4), Span<std::uint8_t>(out, 7)) ==
           Status::kSizeMismatch);
}
