// Fuzz harness of the MQTT packet parser and client (tinysense/node/mqtt.hpp),
// shared by the libFuzzer target fuzz/fuzz_mqtt.cpp and by
// tests/cpp/test_mqtt.cpp, which replays every file of fuzz/corpus/fuzz_mqtt/
// on every target without libFuzzer.
//
// Input: bytes "from the broker". (1) The parser walks the input packet by
// packet; every parsed view must lie inside the input. (2) A client connects,
// publishes, then receives the input in chunks whose sizes come from the
// input, with the clock advanced between chunks; whenever it drops the
// connection it reconnects. Invariants (checked, a violation traps): the
// in-flight count never exceeds the window and equals the occupied slots,
// every byte the client sends is a well-formed client packet sequence, and
// publishes are never lost: at the end, in-flight + acknowledged == accepted.
#ifndef TINYSENSE_FUZZ_FUZZ_MQTT_HPP
#define TINYSENSE_FUZZ_FUZZ_MQTT_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/node/mqtt.hpp"

namespace tinysense::fuzz {

inline void mqtt_require(bool ok) noexcept {
  if (!ok) __builtin_trap();
}

// Checks the client's output stream packet by packet: each packet starts
// with a client packet type and valid flags, and its length varint is sane.
struct MqttFuzzNet {
  std::uint32_t sends = 0;
  std::uint32_t fail_every = 0;  // 0: never fail
  std::uint32_t acked = 0;
  std::uint32_t packets = 0;
  std::uint8_t hdr[5] = {};
  std::size_t hdr_len = 0;
  std::uint32_t body_left = 0;

  void reset_stream() noexcept { hdr_len = 0, body_left = 0; }
  void check_byte(std::uint8_t b) noexcept {
    if (body_left > 0) {
      --body_left;
      return;
    }
    hdr[hdr_len++] = b;
    if (hdr_len == 1) {
      const auto type = static_cast<std::uint8_t>(b >> 4), flags = static_cast<std::uint8_t>(b & 0xFu);
      mqtt_require(type == 1 || type == 3 || type == 4 || type == 12 || type == 14);
      mqtt_require(type == 3 ? (flags & 0x6u) == 0x2u : flags == 0);  // our publishes are QoS 1
      return;
    }
    std::uint32_t rl = 0;
    std::size_t used = 0;
    const Status s = node::mqtt_decode_remaining_length(Span<const std::uint8_t>(hdr + 1, hdr_len - 1), &rl, &used);
    mqtt_require(s == Status::kOk || s == Status::kNoData);
    if (s == Status::kOk) {
      body_left = rl;
      hdr_len = 0;
      ++packets;
    }
  }
};

inline Status mqtt_fuzz_send(void* ctx, const std::uint8_t* data, std::size_t n) {
  auto* net = static_cast<MqttFuzzNet*>(ctx);
  mqtt_require(n >= 1);
  ++net->sends;
  if (net->fail_every != 0 && net->sends % net->fail_every == 0) return Status::kIoError;
  for (std::size_t i = 0; i < n; ++i) net->check_byte(data[i]);
  return Status::kOk;
}

inline void mqtt_fuzz_ack(void* ctx, std::uint16_t packet_id, std::uint32_t) {
  mqtt_require(packet_id != 0);
  ++static_cast<MqttFuzzNet*>(ctx)->acked;
}

inline int run_mqtt(const std::uint8_t* data, std::size_t size) noexcept {
  using namespace tinysense::node;
  const Span<const std::uint8_t> in(data, size);
  // (1) Parser.
  int parsed = 0;
  for (std::size_t off = 0; off < size;) {
    MqttPacket p;
    const Status s = mqtt_parse_server_packet(in.subspan(off), &p);
    if (s != Status::kOk) {
      mqtt_require(s == Status::kNoData || s == Status::kCorrupt);
      break;
    }
    mqtt_require(p.size >= 2 && p.size <= size - off);
    const std::uint8_t* lo = data + off;
    const std::uint8_t* hi = data + off + p.size;
    if (p.type == MqttType::kPublish) {
      mqtt_require(p.topic.size() >= 1 && p.topic.data() >= lo && p.topic.end() <= hi);
      mqtt_require(p.payload.data() >= lo && p.payload.end() <= hi);
      mqtt_require(p.qos <= 2 && (p.qos == 0 || p.packet_id != 0));
    }
    off += p.size;
    ++parsed;
  }
  // (2) Client.
  MqttFuzzNet net;
  net.fail_every = size > 0 ? data[0] % 7 : 0;  // some runs see failing sends
  MqttConfig cfg;
  cfg.connect.client_id = "fuzz";
  cfg.connect.username = "fuzz";
  cfg.connect.password = "pw";
  cfg.connect.keep_alive_s = 2;
  cfg.ack_timeout_ms = 300;
  cfg.ack_timeout_max_ms = 2000;
  cfg.connack_timeout_ms = 1000;
  cfg.reconnect_min_ms = 10;
  cfg.reconnect_max_ms = 100;
  MqttTransport tr;
  tr.ctx = &net;
  tr.send = mqtt_fuzz_send;
  tr.on_ack = mqtt_fuzz_ack;
  MqttClientN<4, 64, 48> client;
  mqtt_require(client.init(cfg, tr) == Status::kOk);
  std::uint32_t now = 0, accepted = 0;
  const std::uint8_t payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  std::size_t off = 0;
  for (int round = 0; round < 256 && off < size; ++round) {
    if (client.state() == MqttState::kDisconnected) {
      if (!client.connect_due(now)) {
        now += 50;
        continue;
      }
      net.reset_stream();  // a new connection starts a new packet stream
      (void)client.connect(now);
    }
    const std::uint8_t ctl = data[off++];
    if ((ctl & 0x03u) == 0 &&
        client.publish("t/fuzz", Span<const std::uint8_t>(payload, ctl % 9), accepted, now) ==
            Status::kOk) {
      ++accepted;
    }
    const std::size_t chunk = static_cast<std::size_t>(ctl >> 3) + 1;
    const std::size_t n = size - off < chunk ? size - off : chunk;
    (void)client.feed(in.subspan(off, n), now);
    off += n;
    now += static_cast<std::uint32_t>(ctl & 0x07u) * 150u;
    (void)client.poll(now);
    mqtt_require(client.in_flight() <= client.window());
    if (client.state() != MqttState::kConnected && (ctl & 0x04u) != 0) client.on_disconnect(now);
  }
  mqtt_require(client.in_flight() + net.acked == accepted);
  return parsed;
}

}  // namespace tinysense::fuzz

#endif  // TINYSENSE_FUZZ_FUZZ_MQTT_HPP
