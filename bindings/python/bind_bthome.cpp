// Python: the node-side BLE encoders (BTHome v2, compact manufacturer layout,
// AD builder) and AES-128 / AES-CCM, as bytes in, bytes out, so the host
// decoders (tinysense.gateway.bthome) and Python's cryptography can check them.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "tinysense/node/aes_ccm.hpp"
#include "tinysense/node/ble_adv.hpp"
#include "tinysense/node/bthome.hpp"

namespace tinysense::py {
namespace {

Span<const std::uint8_t> view(const pyb::bytes& b) {
  const std::string_view s = b;
  return Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

node::Aes128 make_key(const pyb::bytes& key) {
  node::Aes128 aes;
  if (aes.init(view(key)) != Status::kOk) throw pyb::value_error("key: 16 bytes expected");
  return aes;
}

node::BthomeEncoder make_encoder(const std::vector<std::pair<int, long long>>& objects) {
  node::BthomeEncoder enc;
  for (const auto& [id, raw] : objects) {
    if (id < 0 || id > 255) throw pyb::value_error("object id: 0..255");
    check(enc.add(static_cast<node::BthomeObject>(id), raw), "bthome object");
  }
  return enc;
}

void bind(pyb::module_& m) {
  m.def(
      "aes128_encrypt_block",
      [](const pyb::bytes& key, const pyb::bytes& block) {
        const node::Aes128 aes = make_key(key);
        const auto b = view(block);
        if (b.size() != 16) throw pyb::value_error("block: 16 bytes expected");
        std::uint8_t out[16];
        aes.encrypt_block(b.data(), out);
        return pyb::bytes(reinterpret_cast<const char*>(out), 16);
      },
      pyb::arg("key"), pyb::arg("block"), "AES-128 of one block (FIPS-197).");
  m.def(
      "aes_ccm_encrypt",
      [](const pyb::bytes& key, const pyb::bytes& nonce, const pyb::bytes& plaintext,
         const pyb::bytes& aad, int tag_length) {
        const node::Aes128 aes = make_key(key);
        const auto pt = view(plaintext);
        if (tag_length < 0 || tag_length > 16) throw pyb::value_error("tag_length: 4..16, even");
        std::string out(pt.size() + static_cast<std::size_t>(tag_length), '\0');
        auto* o = reinterpret_cast<std::uint8_t*>(out.data());
        check(node::ccm_encrypt(aes, view(nonce), view(aad), pt, Span<std::uint8_t>(o, pt.size()),
                                Span<std::uint8_t>(o + pt.size(), static_cast<std::size_t>(tag_length))),
              "aes_ccm_encrypt");
        return pyb::bytes(out);
      },
      pyb::arg("key"), pyb::arg("nonce"), pyb::arg("plaintext"), pyb::arg("aad") = pyb::bytes(),
      pyb::arg("tag_length") = 4,
      "ciphertext || tag, like cryptography's AESCCM(key, tag_length).encrypt(nonce, pt, aad).");
  m.def(
      "aes_ccm_decrypt",
      [](const pyb::bytes& key, const pyb::bytes& nonce, const pyb::bytes& data,
         const pyb::bytes& aad, int tag_length) {
        const node::Aes128 aes = make_key(key);
        const auto d = view(data);
        if (tag_length < 4 || static_cast<std::size_t>(tag_length) > d.size()) {
          throw pyb::value_error("data shorter than the tag");
        }
        const std::size_t n = d.size() - static_cast<std::size_t>(tag_length);
        std::string out(n, '\0');
        check(node::ccm_decrypt(aes, view(nonce), view(aad), d.first(n), d.subspan(n),
                                Span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), n)),
              "aes_ccm_decrypt");
        return pyb::bytes(out);
      },
      pyb::arg("key"), pyb::arg("nonce"), pyb::arg("data"), pyb::arg("aad") = pyb::bytes(),
      pyb::arg("tag_length") = 4, "Plaintext; ValueError ('corrupt') when the tag does not match.");
  m.def(
      "bthome_service_data",
      [](const std::vector<std::pair<int, long long>>& objects, std::optional<pyb::bytes> key,
         std::optional<pyb::bytes> mac, std::uint32_t counter, bool trigger_based) {
        const node::BthomeEncoder enc = make_encoder(objects);
        std::uint8_t out[512];
        std::size_t n = 0;
        if (key) {
          if (!mac) throw pyb::value_error("encrypted BTHome needs the MAC");
          const node::Aes128 aes = make_key(*key);
          check(enc.encode_encrypted(aes, view(*mac), counter, Span<std::uint8_t>(out), &n,
                                     trigger_based),
                "bthome_service_data");
        } else {
          check(enc.encode(Span<std::uint8_t>(out), &n, trigger_based), "bthome_service_data");
        }
        return pyb::bytes(reinterpret_cast<const char*>(out), n);
      },
      pyb::arg("objects"), pyb::arg("key") = pyb::none(), pyb::arg("mac") = pyb::none(),
      pyb::arg("counter") = 0, pyb::arg("trigger_based") = false,
      "BTHome v2 service data (UUID D2 FC .. end) from [(object_id, raw_int), ...]; encrypted "
      "when key (16 bytes) and mac (6 bytes, display order) are given.");
  m.def(
      "ble_advert",
      [](std::optional<std::vector<std::pair<int, long long>>> bthome, std::optional<pyb::bytes> key,
         std::optional<pyb::bytes> mac, std::uint32_t counter,
         std::optional<std::pair<int, int>> compact, std::optional<std::string> name, bool flags) {
        std::uint8_t buf[node::kLegacyAdvBytes];
        node::AdvBuilder adv{Span<std::uint8_t>(buf)};
        if (flags) check(adv.add_flags(), "ble_advert flags");
        if (compact) {
          const auto [seq, temp] = *compact;
          if (seq < 0 || seq > 65535 || temp < -32768 || temp > 32767) {
            throw pyb::value_error("compact: (seq 0..65535, centi-degC int16)");
          }
          check(node::add_compact(adv, static_cast<std::uint16_t>(seq), static_cast<std::int16_t>(temp)),
                "ble_advert compact");
        }
        if (bthome) {
          const node::BthomeEncoder enc = make_encoder(*bthome);
          if (key) {
            if (!mac) throw pyb::value_error("encrypted BTHome needs the MAC");
            const node::Aes128 aes = make_key(*key);
            check(enc.add_encrypted_to(adv, aes, view(*mac), counter), "ble_advert bthome");
          } else {
            check(enc.add_to(adv), "ble_advert bthome");
          }
        }
        if (name) check(adv.add_name(name->c_str()), "ble_advert name");
        return pyb::bytes(reinterpret_cast<const char*>(buf), adv.size());
      },
      pyb::arg("bthome") = pyb::none(), pyb::arg("key") = pyb::none(), pyb::arg("mac") = pyb::none(),
      pyb::arg("counter") = 0, pyb::arg("compact") = pyb::none(), pyb::arg("name") = pyb::none(),
      pyb::arg("flags") = true,
      "A legacy advert (<= 31 bytes): flags, compact layout (seq, centi-degC), BTHome service "
      "data, name, in that order. OSError ('no space') when it does not fit.");
}

const Binder registered("bthome", bind);

}  // namespace
}  // namespace tinysense::py
