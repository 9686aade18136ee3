// What a node publishes over MQTT: the record envelope and its topic.
//
// Topic: tinysense/<node id>/rec (the broker's ACL lets user <node id> write
// only under tinysense/<node id>/#, so a node cannot publish as another).
// Payload (envelope version 1):
//   0x54 ('T') | 0x01 | n (1..64) | node id (n bytes, [A-Za-z0-9._-]) | record
// where record is the compact record encoding (tinysense/node/record.hpp:
// version/kind, varint seq, varint timestamp, fields). The node id inside the
// payload, with the record's sequence number, makes every delivery
// identifiable: the gateway stores (node id, seq) once and drops re-sent
// duplicates, and rejects a payload whose node id differs from the topic's.
#ifndef TINYSENSE_NODE_UPLINK_HPP
#define TINYSENSE_NODE_UPLINK_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

constexpr std::uint8_t kEnvelopeMagic = 0x54;
constexpr std::uint8_t kEnvelopeVersion = 0x01;
constexpr std::size_t kMaxNodeId = 64;

// True for 1..64 characters of [A-Za-z0-9._-] (safe in topics and file names).
bool valid_node_id(const char* node_id) noexcept;

// Bytes of the envelope around a record of record_len bytes (0 for a bad id).
std::size_t envelope_bytes(const char* node_id, std::size_t record_len) noexcept;

// Writes the envelope + record into out; *len = size. kInvalidArgument for a
// bad node id or an empty record, kNoSpace when out is too small.
[[nodiscard]] Status encode_envelope(const char* node_id, Span<const std::uint8_t> record,
                                     Span<std::uint8_t> out, std::size_t* len) noexcept;

// Writes "tinysense/<node id>/<leaf>" NUL-terminated into out (leaf: "rec",
// "ble", ...; same character rules as the node id). kNoSpace when it does not fit.
[[nodiscard]] Status make_topic(const char* node_id, const char* leaf, Span<char> out) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_UPLINK_HPP
