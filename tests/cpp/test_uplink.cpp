// Record envelope and topic of a node's MQTT uplink.
#include <cstdint>
#include <cstring>

#include "tinysense/node/uplink.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;

TT_TEST(envelope_bytes_exact) {
  const std::uint8_t record[] = {0x20, 0x05, 0x10, 0x01, 0x34, 0x12};
  std::uint8_t out[32];
  out[13] = 0xEE;
  std::size_t n = 0;
  TT_CHECK(encode_envelope("n-07", Span<const std::uint8_t>(record), Span<std::uint8_t>(out, 13), &n) ==
           Status::kOk);
  const std::uint8_t expect[] = {0x54, 0x01, 4, 'n', '-', '0', '7', 0x20, 0x05, 0x10, 0x01, 0x34, 0x12};
  TT_CHECK_EQ(n, sizeof expect);
  TT_CHECK_EQ(envelope_bytes("n-07", sizeof record), sizeof expect);
  TT_CHECK(std::memcmp(out, expect, n) == 0);
  TT_CHECK_EQ(out[13], 0xEE);
  TT_CHECK(encode_envelope("n-07", Span<const std::uint8_t>(record), Span<std::uint8_t>(out, 12), &n) ==
           Status::kNoSpace);
}

TT_TEST(node_ids_and_topics) {
  TT_CHECK(valid_node_id("node_1.a-B"));
  TT_CHECK(!valid_node_id(""));
  TT_CHECK(!valid_node_id(nullptr));
  TT_CHECK(!valid_node_id("a/b"));  // would escape its topic subtree
  TT_CHECK(!valid_node_id("a+"));
  TT_CHECK(!valid_node_id("a#"));
  TT_CHECK(!valid_node_id("a b"));
  char id[66];
  std::memset(id, 'x', 65);
  id[64] = '\0';
  TT_CHECK(valid_node_id(id));
  id[64] = 'x';
  id[65] = '\0';
  TT_CHECK(!valid_node_id(id));
  const std::uint8_t rec[1] = {0};
  std::uint8_t out[128];
  std::size_t n = 0;
  TT_CHECK(encode_envelope(id, Span<const std::uint8_t>(rec), Span<std::uint8_t>(out), &n) ==
           Status::kInvalidArgument);
  TT_CHECK(encode_envelope("a", Span<const std::uint8_t>(), Span<std::uint8_t>(out), &n) ==
           Status::kInvalidArgument);
  char topic[24];
  TT_CHECK(make_topic("node-1", "rec", Span<char>(topic)) == Status::kOk);
  TT_CHECK(std::strcmp(topic, "tinysense/node-1/rec") == 0);
  TT_CHECK(make_topic("node-1", "rec", Span<char>(topic, 20)) == Status::kNoSpace);
  TT_CHECK(make_topic("node-1", "rec", Span<char>(topic, 21)) == Status::kOk);
  TT_CHECK(make_topic("node/1", "rec", Span<char>(topic)) == Status::kInvalidArgument);
  TT_CHECK(make_topic("node-1", "#", Span<char>(topic)) == Status::kInvalidArgument);
}
