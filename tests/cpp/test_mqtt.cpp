// MQTT 3.1.1 codec vs the spec's examples, byte for byte, and the QoS 1
// client against a scripted fake broker: exact bytes sent, PUBACK handling,
// DUP resends with exponential backoff, resume after reconnect, keep-alive,
// timeouts, protocol violations, chunking invariance, bad configurations.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "../../fuzz/fuzz_mqtt.hpp"
#include "golden_mqtt.hpp"
#include "tinysense/node/mqtt.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;

namespace {

using U8 = Span<const std::uint8_t>;

std::size_t hex(const char* s, std::uint8_t* out) {
  std::size_t n = 0;
  auto nib = [](char c) {
    return static_cast<std::uint8_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  };
  while (s[0] != '\0') {
    if (s[0] == ' ') {
      ++s;
      continue;
    }
    out[n++] = static_cast<std::uint8_t>(nib(s[0]) << 4 | nib(s[1]));
    s += 2;
  }
  return n;
}

// The fake network: records what the client sends; optionally fails sends;
// serves scripted bytes through recv.
struct FakeNet {
  std::uint8_t sent[16384];
  std::size_t sent_len = 0;
  int fail_sends = 0;  // > 0: the next N sends fail
  std::uint8_t script[256];
  std::size_t script_len = 0, script_pos = 0;
  bool closed = false;
  std::uint16_t acked_ids[64];
  std::uint32_t acked_tags[64];
  std::size_t acks = 0;

  void clear() { sent_len = 0; }
  bool sent_is(const char* h) const {
    std::uint8_t e[512];
    const std::size_t n = hex(h, e);
    if (n != sent_len || std::memcmp(e, sent, n) != 0) {
      std::printf("    sent:");
      for (std::size_t i = 0; i < sent_len; ++i) std::printf(" %02x", sent[i]);
      std::printf("\n");
      return false;
    }
    return true;
  }
};

Status net_send(void* ctx, const std::uint8_t* data, std::size_t n) {
  auto* net = static_cast<FakeNet*>(ctx);
  if (net->fail_sends > 0) {
    --net->fail_sends;
    return Status::kIoError;
  }
  if (net->sent_len + n > sizeof net->sent) return Status::kIoError;
  std::memcpy(net->sent + net->sent_len, data, n);
  net->sent_len += n;
  return Status::kOk;
}

Status net_recv(void* ctx, std::uint8_t* buf, std::size_t cap, std::size_t* got) {
  auto* net = static_cast<FakeNet*>(ctx);
  if (net->closed) return Status::kIoError;
  std::size_t n = net->script_len - net->script_pos;
  if (n > cap) n = cap;
  if (n > 3) n = 3;  // dribble: packets arrive split
  std::memcpy(buf, net->script + net->script_pos, n);
  net->script_pos += n;
  *got = n;
  return Status::kOk;
}

void net_ack(void* ctx, std::uint16_t id, std::uint32_t tag) {
  auto* net = static_cast<FakeNet*>(ctx);
  if (net->acks < 64) {
    net->acked_ids[net->acks] = id;
    net->acked_tags[net->acks] = tag;
  }
  ++net->acks;
}

MqttConfig test_config() {
  MqttConfig c;
  c.connect.client_id = "node-1";
  c.connect.username = "node-1";
  c.connect.password = "s3cret";
  c.connect.keep_alive_s = 60;
  c.ack_timeout_ms = 1000;
  c.ack_timeout_max_ms = 8000;
  c.connack_timeout_ms = 5000;
  c.reconnect_min_ms = 500;
  c.reconnect_max_ms = 4000;
  return c;
}

MqttTransport transport(FakeNet* net, bool with_recv = false) {
  MqttTransport t;
  t.ctx = net;
  t.send = net_send;
  t.recv = with_recv ? net_recv : nullptr;
  t.on_ack = net_ack;
  return t;
}

Status feed_hex(MqttClient& c, const char* h, std::uint32_t now) {
  std::uint8_t b[256];
  const std::size_t n = hex(h, b);
  return c.feed(U8(b, n), now);
}

const char* const kConnect =  // client id, user "node-1", password "s3cret", keep-alive 60
    "10 22 0004 4d515454 04 c0 003c 0006 6e6f64652d31 0006 6e6f64652d31 0006 733363726574";
const std::uint8_t kPayload[2] = {'h', 'i'};

// A client connected to the fake broker (CONNECT sent, CONNACK fed).
struct Connected {
  FakeNet net;
  MqttClientN<4, 64, 32> client;
  explicit Connected(bool session_present = false) {
    TT_CHECK(client.init(test_config(), transport(&net)) == Status::kOk);
    TT_CHECK(client.connect(0) == Status::kOk);
    TT_CHECK(net.sent_is(kConnect));
    TT_CHECK(feed_hex(client, session_present ? "20020100" : "20020000", 0) == Status::kOk);
    TT_CHECK(client.state() == MqttState::kConnected);
    net.clear();
  }
};

}  // namespace

// ---- Codec -------------------------------------------------------------------

TT_TEST(remaining_length_spec_table) {
  // MQTT 3.1.1 Table 2.4 boundaries.
  struct V {
    std::uint32_t value;
    const char* bytes;
  } const vs[] = {{0, "00"},         {127, "7f"},         {128, "8001"},
                  {16383, "ff7f"},   {16384, "808001"},   {2097151, "ffff7f"},
                  {2097152, "80808001"}, {268435455, "ffffff7f"}};
  for (const V& v : vs) {
    std::uint8_t out[4], e[4];
    const std::size_t n = mqtt_encode_remaining_length(v.value, out);
    const std::size_t en = hex(v.bytes, e);
    TT_CHECK_EQ(n, en);
    TT_CHECK(std::memcmp(out, e, en) == 0);
    std::uint32_t back = 0;
    std::size_t used = 0;
    TT_CHECK(mqtt_decode_remaining_length(U8(e, en), &back, &used) == Status::kOk);
    TT_CHECK_EQ(back, v.value);
    TT_CHECK_EQ(used, en);
    for (std::size_t k = 0; k < en; ++k) {  // every proper prefix is incomplete
      TT_CHECK(mqtt_decode_remaining_length(U8(e, k), &back, &used) == Status::kNoData);
    }
  }
  std::uint8_t out[4] = {0xAB, 0xAB, 0xAB, 0xAB};
  TT_CHECK_EQ(mqtt_encode_remaining_length(268435456u, out), 0u);
  TT_CHECK_EQ(out[0], 0xAB);
  const std::uint8_t five[5] = {0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  std::uint32_t v = 0;
  std::size_t used = 0;
  TT_CHECK(mqtt_decode_remaining_length(U8(five), &v, &used) == Status::kCorrupt);
}

TT_TEST(utf8_rules) {
  std::uint8_t b[16];
  // Spec 1.5.3 example: "A" U+2A6D4 -> 41 F0 AA 9B 94 (string 00 05 41 F0 AA 9B 94).
  TT_CHECK(mqtt_valid_utf8(U8(b, hex("41f0aa9b94", b))));
  TT_CHECK(mqtt_valid_utf8(U8(b, hex("c3a9e282ac", b))));   // e-acute, euro sign
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("4100", b))));        // U+0000
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("c080", b))));        // overlong NUL
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("eda080", b))));      // surrogate U+D800
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("f4908080", b))));    // > U+10FFFF
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("e282", b))));        // truncated
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("80", b))));          // lone continuation
  TT_CHECK(!mqtt_valid_utf8(U8(b, hex("ff", b))));
}

TT_TEST(connect_bytes) {
  MqttConnectOptions o;
  o.client_id = "node-1";
  o.username = "node-1";
  o.password = "s3cret";
  o.keep_alive_s = 60;
  std::uint8_t out[64], e[64];
  std::size_t n = 0;
  TT_CHECK(mqtt_encode_connect(o, Span<std::uint8_t>(out), &n) == Status::kOk);
  const std::size_t en = hex(kConnect, e);
  TT_CHECK_EQ(n, en);
  TT_CHECK_EQ(mqtt_connect_bytes(o), en);
  TT_CHECK(std::memcmp(out, e, en) == 0);
  // Spec 3.1.2.10 example header: keep alive 10 (00 0A); clean session, no credentials.
  o.username = o.password = nullptr;
  o.keep_alive_s = 10;
  o.clean_session = true;
  o.client_id = "";
  TT_CHECK(mqtt_encode_connect(o, Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK_EQ(n, hex("100c 00044d515454 04 02 000a 0000", e));
  TT_CHECK(std::memcmp(out, e, n) == 0);
  TT_CHECK(mqtt_encode_connect(o, Span<std::uint8_t>(out, 13), &n) == Status::kNoSpace);
  // Invalid options.
  o.clean_session = false;  // empty client id needs a clean session (MQTT-3.1.3-7)
  TT_CHECK(mqtt_check_connect(o) == Status::kInvalidArgument);
  TT_CHECK_EQ(mqtt_connect_bytes(o), 0u);
  o.client_id = "x";
  o.password = "pw";  // password without user name (MQTT-3.1.2-22)
  TT_CHECK(mqtt_check_connect(o) == Status::kInvalidArgument);
  o.password = nullptr;
  o.username = "\xc0\x80";
  TT_CHECK(mqtt_check_connect(o) == Status::kInvalidArgument);
  o.username = nullptr;
  o.client_id = nullptr;
  TT_CHECK(mqtt_check_connect(o) == Status::kInvalidArgument);
}

TT_TEST(publish_bytes) {
  // Spec 3.3.2.3 example: topic "a/b", packet id 10 -> 00 03 61 2F 62 00 0A.
  std::uint8_t out[32];
  std::size_t n = 0;
  TT_CHECK(mqtt_encode_publish(Span<const char>("a/b", 3), U8(kPayload), 1, false, false, 10,
                               Span<std::uint8_t>(out), &n) == Status::kOk);
  std::uint8_t e[32];
  TT_CHECK_EQ(n, hex("3209 0003612f62 000a 6869", e));
  TT_CHECK(std::memcmp(out, e, n) == 0);
  TT_CHECK_EQ(mqtt_publish_bytes(3, 2, 1), n);
  // QoS 0 retained, no packet id; DUP + QoS 1.
  TT_CHECK(mqtt_encode_publish(Span<const char>("a/b", 3), U8(kPayload), 0, true, false, 0,
                               Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK_EQ(n, hex("3107 0003612f62 6869", e));
  TT_CHECK(std::memcmp(out, e, n) == 0);
  TT_CHECK(mqtt_encode_publish(Span<const char>("a/b", 3), U8(), 1, false, true, 0x1234,
                               Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK_EQ(n, hex("3a07 0003612f62 1234", e));
  TT_CHECK(std::memcmp(out, e, n) == 0);
  // Rejections.
  const auto pub = [&](const char* t, std::uint8_t qos, bool dup, std::uint16_t id, std::size_t cap) {
    return mqtt_encode_publish(Span<const char>(t, std::strlen(t)), U8(kPayload), qos, false, dup, id,
                               Span<std::uint8_t>(out, cap), &n);
  };
  TT_CHECK(pub("a/+", 1, false, 1, 32) == Status::kInvalidArgument);
  TT_CHECK(pub("a/#", 1, false, 1, 32) == Status::kInvalidArgument);
  TT_CHECK(pub("", 1, false, 1, 32) == Status::kInvalidArgument);
  TT_CHECK(pub("a", 1, false, 0, 32) == Status::kInvalidArgument);  // QoS 1 needs an id
  TT_CHECK(pub("a", 0, true, 0, 32) == Status::kInvalidArgument);   // DUP needs QoS > 0
  TT_CHECK(pub("a", 2, false, 1, 32) == Status::kInvalidArgument);  // QoS 2 not offered
  TT_CHECK(pub("a/b", 1, false, 1, 10) == Status::kNoSpace);
  TT_CHECK(mqtt_encode_puback(10, Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(n == 4 && out[0] == 0x40 && out[1] == 2 && out[2] == 0 && out[3] == 10);
  TT_CHECK(mqtt_encode_puback(0, Span<std::uint8_t>(out), &n) == Status::kInvalidArgument);
  TT_CHECK(mqtt_encode_pingreq(Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(n == 2 && out[0] == 0xC0 && out[1] == 0);
  TT_CHECK(mqtt_encode_disconnect(Span<std::uint8_t>(out), &n) == Status::kOk);
  TT_CHECK(n == 2 && out[0] == 0xE0 && out[1] == 0);
}

TT_TEST(parser_accepts_valid_server_packets) {
  std::uint8_t b[64];
  MqttPacket p;
  std::size_t n = hex("20020100", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kConnack && p.session_present && p.return_code == 0 && p.size == 4);
  n = hex("20020005", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(!p.session_present && p.return_code == 5);
  n = hex("4002abcd", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kPuback && p.packet_id == 0xABCD);
  n = hex("d000", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kPingresp && p.size == 2);
  n = hex("3b09 0003612f62 000a 6869", b);  // DUP, QoS 1, retain
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kPublish && p.qos == 1 && p.dup && p.retain && p.packet_id == 10);
  TT_CHECK(p.topic.size() == 3 && std::memcmp(p.topic.data(), "a/b", 3) == 0);
  TT_CHECK(p.payload.size() == 2 && p.payload[0] == 'h');
  n = hex("9004 0001 0180", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kSuback && p.suback_codes.size() == 2 && p.suback_codes[1] == 0x80);
  n = hex("62020007", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.type == MqttType::kPubrel && p.packet_id == 7);
  // Every proper prefix of a valid packet asks for more bytes.
  n = hex("3209 0003612f62 000a 6869", b);
  for (std::size_t k = 0; k < n; ++k) {
    TT_CHECK(mqtt_parse_server_packet(U8(b, k), &p) == Status::kNoData);
  }
  // A packet followed by more bytes: only the first is consumed.
  n = hex("40020001 40020002", b);
  TT_CHECK(mqtt_parse_server_packet(U8(b, n), &p) == Status::kOk);
  TT_CHECK(p.size == 4 && p.packet_id == 1);
}

TT_TEST(parser_rejects_malformed_packets) {
  const char* const bad[] = {
      "00",                  // reserved type 0
      "f000",                // reserved type 15
      "100c00044d51545404020000",  // CONNECT: client only
      "c000", "e000",        // PINGREQ, DISCONNECT: client only
      "8206000100016100",    // SUBSCRIBE: client only
      "21020000",            // CONNACK with flags
      "20030000",            // CONNACK wrong length
      "20020200",            // CONNACK reserved ack flag
      "20020006",            // CONNACK unknown return code
      "20020101",            // session present with a refusal (MQTT-3.2.2-4)
      "40020000",            // PUBACK packet id 0
      "40030001",            // PUBACK wrong length
      "60020001",            // PUBREL without its 0010 flags
      "d00100",              // PINGRESP with a body
      "3600",                // PUBLISH QoS 3
      "38050003612f62",      // PUBLISH DUP with QoS 0
      "30050003612f2b",      // wildcard '+' in a topic name
      "30050003612f23",      // wildcard '#'
      "300400006868",        // empty topic
      "30040005612f",        // topic longer than the packet
      "32050003612f62",      // QoS 1 without room for the packet id
      "3207 0003612f62 0000",  // QoS 1 with packet id 0
      "30050003c08061",      // overlong UTF-8 in the topic
      "9003000103",          // SUBACK invalid return code
      "30ffffffff01",        // 5-byte remaining length
  };
  for (const char* h : bad) {
    std::uint8_t b[64];
    const std::size_t n = hex(h, b);
    MqttPacket p;
    const Status s = mqtt_parse_server_packet(U8(b, n), &p);
    if (s != Status::kCorrupt) std::printf("    accepted: %s\n", h);
    TT_CHECK(s == Status::kCorrupt);
  }
  MqttPacket p;
  TT_CHECK(mqtt_parse_server_packet(U8(), &p) == Status::kNoData);
  TT_CHECK(mqtt_parse_server_packet(U8(), nullptr) == Status::kInvalidArgument);
}

// ---- Client vs scripted broker --------------------------------------------------

TT_TEST(publish_ack_and_tags) {
  Connected c;
  std::uint16_t id = 0;
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 100, 10, &id) == Status::kOk);
  TT_CHECK_EQ(id, 1);
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 101, 10, &id) == Status::kOk);
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 102, 10, &id) == Status::kOk);
  TT_CHECK(c.net.sent_is("3209 0003612f62 0001 6869  3209 0003612f62 0002 6869  3209 0003612f62 0003 6869"));
  TT_CHECK_EQ(c.client.in_flight(), 3u);
  TT_CHECK(feed_hex(c.client, "40020002", 20) == Status::kOk);
  TT_CHECK_EQ(c.client.in_flight(), 2u);
  TT_CHECK(c.net.acks == 1 && c.net.acked_ids[0] == 2 && c.net.acked_tags[0] == 101);
  TT_CHECK(feed_hex(c.client, "40020002 40020009", 20) == Status::kOk);  // duplicate + unknown
  TT_CHECK_EQ(c.client.stats().stray_acks, 2u);
  TT_CHECK_EQ(c.client.in_flight(), 2u);
  TT_CHECK(feed_hex(c.client, "40020003 40020001", 20) == Status::kOk);
  TT_CHECK_EQ(c.client.in_flight(), 0u);
  TT_CHECK(c.net.acks == 3 && c.net.acked_tags[1] == 102 && c.net.acked_tags[2] == 100);
  TT_CHECK_EQ(c.client.stats().publishes, 3u);
  TT_CHECK_EQ(c.client.stats().acks, 3u);
}

TT_TEST(window_full_size_and_topic_checks) {
  Connected c;
  for (std::uint32_t i = 0; i < 4; ++i) TT_CHECK(c.client.publish("t", U8(kPayload), i, 0) == Status::kOk);
  TT_CHECK(c.client.publish("t", U8(kPayload), 4, 0) == Status::kBusy);
  TT_CHECK(feed_hex(c.client, "40020001", 0) == Status::kOk);
  TT_CHECK(c.client.publish("t", U8(kPayload), 4, 0) == Status::kOk);
  std::uint8_t big[64] = {};
  TT_CHECK(feed_hex(c.client, "40020002", 0) == Status::kOk);
  // 64-byte slots: topic "t" + QoS 1 = 7 bytes overhead with a 1-byte length.
  TT_CHECK(c.client.publish("t", U8(big, 57), 0, 0) == Status::kOk);
  TT_CHECK(feed_hex(c.client, "40020003", 0) == Status::kOk);
  TT_CHECK(c.client.publish("t", U8(big, 58), 0, 0) == Status::kNoMemory);
  TT_CHECK(c.client.publish("t/#", U8(kPayload), 0, 0) == Status::kInvalidArgument);
  TT_CHECK(c.client.publish("", U8(kPayload), 0, 0) == Status::kInvalidArgument);
  TT_CHECK(c.client.publish(nullptr, U8(kPayload), 0, 0) == Status::kInvalidArgument);
}

TT_TEST(resend_with_dup_and_exponential_backoff) {
  Connected c;
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 0, 0) == Status::kOk);    // id 1 at t=0
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 1, 500) == Status::kOk);  // id 2 at t=500
  c.net.clear();
  TT_CHECK(c.client.poll(999) == Status::kOk);
  TT_CHECK(c.net.sent_is(""));
  TT_CHECK(c.client.poll(1000) == Status::kOk);  // id 1 due (1000 ms ack timeout)
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0001 6869"));
  c.net.clear();
  TT_CHECK(c.client.poll(1500) == Status::kOk);  // id 2 due
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0002 6869"));
  c.net.clear();
  TT_CHECK(c.client.poll(2999) == Status::kOk);  // id 1 next due at 1000 + 2000
  TT_CHECK(c.net.sent_is(""));
  TT_CHECK(c.client.poll(3000) == Status::kOk);
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0001 6869"));
  c.net.clear();
  TT_CHECK(feed_hex(c.client, "40020002", 3000) == Status::kOk);
  // Backoff doubles to the 8000 ms cap: resends at 3000+4000, then +8000, +8000.
  TT_CHECK(c.client.poll(6999) == Status::kOk);
  TT_CHECK(c.client.poll(7000) == Status::kOk);
  TT_CHECK(c.client.poll(14999) == Status::kOk);
  TT_CHECK(c.client.poll(15000) == Status::kOk);
  TT_CHECK(c.client.poll(22999) == Status::kOk);
  TT_CHECK(c.client.poll(23000) == Status::kOk);
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0001 6869 3a09 0003612f62 0001 6869 3a09 0003612f62 0001 6869"));
  TT_CHECK_EQ(c.client.stats().resends, 6u);
  TT_CHECK_EQ(c.client.stats().pings, 0u);  // resends count as traffic
}

TT_TEST(resume_after_reconnect_resends_in_order) {
  Connected c;
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 0, 0) == Status::kOk);  // id 1, sent
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 1, 0) == Status::kOk);  // id 2, sent
  TT_CHECK(feed_hex(c.client, "40020001", 0) == Status::kOk);
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 2, 0) == Status::kOk);  // id 3, sent
  c.client.on_disconnect(100);
  TT_CHECK(c.client.state() == MqttState::kDisconnected);
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 3, 150) == Status::kOk);  // id 4, queued
  TT_CHECK_EQ(c.client.in_flight(), 3u);
  c.net.clear();
  TT_CHECK(c.client.poll(200) == Status::kOk);
  TT_CHECK(c.net.sent_is(""));  // nothing goes out while disconnected
  TT_CHECK(!c.client.connect_due(599));
  TT_CHECK(c.client.connect_due(600));  // reconnect_min_ms after the drop
  TT_CHECK(c.client.connect(600) == Status::kOk);
  TT_CHECK(c.net.sent_is(kConnect));
  c.net.clear();
  // Broker bytes of the old connection are not processed before the CONNACK.
  TT_CHECK(feed_hex(c.client, "40020002", 600) == Status::kCorrupt);
  TT_CHECK(c.client.state() == MqttState::kDisconnected);
  TT_CHECK_EQ(c.client.in_flight(), 3u);
  TT_CHECK(c.client.connect_due(600 + 1000));  // second drop in a row: 1000 ms
  TT_CHECK(!c.client.connect_due(600 + 999));
  TT_CHECK(c.client.connect(1600) == Status::kOk);
  c.net.clear();
  TT_CHECK(feed_hex(c.client, "20020100", 1600) == Status::kOk);
  TT_CHECK(c.client.session_present());
  // Unacked 2, 3 re-sent with DUP; 4 never went out, so DUP=0; publish order.
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0002 6869  3a09 0003612f62 0003 6869  3209 0003612f62 0004 6869"));
  TT_CHECK(feed_hex(c.client, "40020003 40020002 40020004", 1700) == Status::kOk);
  TT_CHECK_EQ(c.client.in_flight(), 0u);
  TT_CHECK_EQ(c.net.acks, 4u);
  // A successful CONNACK resets the reconnect backoff.
  c.client.on_disconnect(2000);
  TT_CHECK(c.client.connect_due(2500));
}

TT_TEST(keep_alive_ping_and_timeouts) {
  Connected c;
  TT_CHECK(c.client.poll(59999) == Status::kOk);
  TT_CHECK(c.net.sent_is(""));
  TT_CHECK(c.client.poll(60000) == Status::kOk);
  TT_CHECK(c.net.sent_is("c000"));
  TT_CHECK(feed_hex(c.client, "d000", 60010) == Status::kOk);
  c.net.clear();
  TT_CHECK(c.client.poll(120000) == Status::kOk);
  TT_CHECK(c.net.sent_is("c000"));
  TT_CHECK(c.client.poll(179999) == Status::kOk);  // ping timeout = keep-alive
  TT_CHECK(c.client.state() == MqttState::kConnected);
  TT_CHECK(c.client.poll(180000) == Status::kTimeout);
  TT_CHECK(c.client.state() == MqttState::kDisconnected);
  TT_CHECK_EQ(c.client.stats().timeouts, 1u);
  // CONNACK timeout.
  TT_CHECK(c.client.connect(200000) == Status::kOk);
  TT_CHECK(c.client.poll(204999) == Status::kOk);
  TT_CHECK(c.client.poll(205000) == Status::kTimeout);
  TT_CHECK_EQ(c.client.stats().timeouts, 2u);
}

TT_TEST(clock_wraps_around) {
  FakeNet net;
  MqttClientN<2, 32> client;
  TT_CHECK(client.init(test_config(), transport(&net)) == Status::kOk);
  const std::uint32_t t0 = 0xFFFFFF00u;
  TT_CHECK(client.connect(t0) == Status::kOk);
  TT_CHECK(feed_hex(client, "20020000", t0) == Status::kOk);
  TT_CHECK(client.publish("t", U8(kPayload), 0, t0) == Status::kOk);
  net.clear();
  TT_CHECK(client.poll(t0 + 999) == Status::kOk);  // wrapped, not yet due
  TT_CHECK(net.sent_is(""));
  TT_CHECK(client.poll(t0 + 1000) == Status::kOk);
  TT_CHECK(net.sent_is("3a07 000174 0001 6869"));
}

TT_TEST(refused_and_protocol_violations_drop_the_connection) {
  struct Case {
    const char* bytes;
    Status expect;
  } const cases[] = {
      {"20020004", Status::kInvalidArgument},  // bad user name or password
      {"20020005", Status::kInvalidArgument},  // not authorised
      {"20020003", Status::kBusy},             // server unavailable
      {"20020001", Status::kNotSupported},     // protocol version
      {"d000", Status::kCorrupt},              // anything before CONNACK
      {"20020000 20020000", Status::kCorrupt}, // second CONNACK
      {"20020000 9003000100", Status::kCorrupt},  // SUBACK never asked for
      {"20020000 50020001", Status::kCorrupt},    // QoS 2 flow
      {"20020000 3405 0001 74 0001", Status::kCorrupt},  // inbound QoS 2
      {"20020000 30ffffff7f", Status::kCorrupt},  // larger than the receive buffer
      {"20020000 3020", Status::kCorrupt},        // 34 bytes > the 32-byte receive buffer
  };
  for (const Case& k : cases) {
    FakeNet net;
    MqttClientN<2, 32, 32> client;
    TT_CHECK(client.init(test_config(), transport(&net)) == Status::kOk);
    TT_CHECK(client.connect(0) == Status::kOk);
    const Status s = feed_hex(client, k.bytes, 0);
    if (s != k.expect) std::printf("    %s -> %s\n", k.bytes, to_string(s));
    TT_CHECK(s == k.expect);
    TT_CHECK(client.state() == MqttState::kDisconnected);
  }
}

TT_TEST(inbound_publish_is_acked) {
  Connected c;
  TT_CHECK(feed_hex(c.client, "3209 0003612f62 000a 6869  3007 0003612f62 6869", 0) == Status::kOk);
  TT_CHECK(c.net.sent_is("4002000a"));
  TT_CHECK_EQ(c.client.stats().inbound, 2u);
}

TT_TEST(chunking_invariance) {
  // The same broker stream, whole and byte by byte, gives the same output and state.
  const char* stream = "20020000 40020001 d000 3209 0003612f62 000a 6869 40020003 40020002";
  std::uint8_t b[64];
  const std::size_t n = hex(stream, b);
  FakeNet whole_net, bytes_net;
  MqttClientN<4, 64, 16> whole, bytes;
  TT_CHECK(whole.init(test_config(), transport(&whole_net)) == Status::kOk);
  TT_CHECK(bytes.init(test_config(), transport(&bytes_net)) == Status::kOk);
  for (MqttClient* cl : {static_cast<MqttClient*>(&whole), static_cast<MqttClient*>(&bytes)}) {
    TT_CHECK(cl->publish("a/b", U8(kPayload), 0, 0) == Status::kOk);
    TT_CHECK(cl->publish("a/b", U8(kPayload), 1, 0) == Status::kOk);
    TT_CHECK(cl->publish("a/b", U8(kPayload), 2, 0) == Status::kOk);
    TT_CHECK(cl->connect(0) == Status::kOk);
  }
  TT_CHECK(whole.feed(U8(b, n), 5) == Status::kOk);
  for (std::size_t i = 0; i < n; ++i) TT_CHECK(bytes.feed(U8(b + i, 1), 5) == Status::kOk);
  TT_CHECK_EQ(whole_net.sent_len, bytes_net.sent_len);
  TT_CHECK(std::memcmp(whole_net.sent, bytes_net.sent, whole_net.sent_len) == 0);
  TT_CHECK_EQ(whole.in_flight(), 0u);
  TT_CHECK_EQ(bytes.in_flight(), 0u);
  TT_CHECK_EQ(whole_net.acks, 3u);
  TT_CHECK_EQ(bytes_net.acks, 3u);
}

TT_TEST(recv_callback_path) {
  FakeNet net;
  MqttClientN<4, 64, 16> client;
  TT_CHECK(client.init(test_config(), transport(&net, true)) == Status::kOk);
  TT_CHECK(client.connect(0) == Status::kOk);
  TT_CHECK(client.publish("a/b", U8(kPayload), 7, 0) == Status::kOk);
  net.script_len = hex("20020000 40020001 d000", net.script);
  TT_CHECK(client.poll(1) == Status::kOk);
  TT_CHECK(client.state() == MqttState::kConnected);
  TT_CHECK_EQ(client.in_flight(), 0u);
  TT_CHECK(net.acks == 1 && net.acked_tags[0] == 7);
  net.closed = true;
  TT_CHECK(client.poll(2) == Status::kIoError);
  TT_CHECK(client.state() == MqttState::kDisconnected);
}

TT_TEST(send_failures_keep_publishes) {
  Connected c;
  c.net.fail_sends = 1;
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 0, 0) == Status::kOk);  // accepted, not sent
  TT_CHECK(c.client.state() == MqttState::kDisconnected);
  TT_CHECK_EQ(c.client.in_flight(), 1u);
  c.net.fail_sends = 1;  // CONNECT fails too
  TT_CHECK(c.client.connect(500) == Status::kIoError);
  TT_CHECK(c.client.state() == MqttState::kDisconnected);
  TT_CHECK(c.client.connect(2000) == Status::kOk);
  c.net.clear();
  TT_CHECK(feed_hex(c.client, "20020000", 2000) == Status::kOk);
  // It may have left before the failure was seen: re-sent with DUP.
  TT_CHECK(c.net.sent_is("3a09 0003612f62 0001 6869"));
}

TT_TEST(graceful_disconnect) {
  Connected c;
  TT_CHECK(c.client.publish("a/b", U8(kPayload), 0, 0) == Status::kOk);
  c.net.clear();
  TT_CHECK(c.client.disconnect(10) == Status::kOk);
  TT_CHECK(c.net.sent_is("e000"));
  TT_CHECK(c.client.connect_due(10));  // no backoff after a chosen disconnect
  TT_CHECK_EQ(c.client.in_flight(), 1u);
  TT_CHECK(c.client.connect(10) == Status::kOk);
}

TT_TEST(packet_ids_wrap_and_skip_zero_and_in_use) {
  Connected c;
  std::uint16_t first = 0, id = 0;
  TT_CHECK(c.client.publish("t", U8(), 0, 0, &first) == Status::kOk);  // id 1 stays in flight
  for (std::uint32_t i = 0; i < 70000; ++i) {
    TT_CHECK(c.client.publish("t", U8(), i, 0, &id) == Status::kOk);
    TT_CHECK(id != 0 && id != first);
    const std::uint8_t ack[4] = {0x40, 0x02, static_cast<std::uint8_t>(id >> 8),
                                 static_cast<std::uint8_t>(id & 0xFF)};
    TT_CHECK(c.client.feed(U8(ack), 0) == Status::kOk);
    if (i == 65533) TT_CHECK_EQ(id, 65535);  // ids 2..65535, then wrap past 0 and 1
    if (i == 65534) TT_CHECK_EQ(id, 2);
    c.net.clear();
  }
  TT_CHECK_EQ(c.client.in_flight(), 1u);
}

TT_TEST(init_rejects_bad_config) {
  FakeNet net;
  MqttSlot slots[2];
  std::uint8_t storage[128], rx[32];
  MqttClient c;
  const auto init = [&](const MqttConfig& cfg, const MqttTransport& t, std::size_t ns,
                        std::size_t nstore, std::size_t nrx) {
    return c.init(cfg, t, Span<MqttSlot>(slots, ns), Span<std::uint8_t>(storage, nstore),
                  Span<std::uint8_t>(rx, nrx));
  };
  const MqttTransport t = transport(&net);
  TT_CHECK(init(test_config(), t, 2, 128, 32) == Status::kOk);
  TT_CHECK_EQ(c.max_packet(), 64u);
  TT_CHECK(c.connect(0) == Status::kOk);
  MqttConfig cfg = test_config();
  cfg.connect.client_id = nullptr;
  TT_CHECK(init(cfg, t, 2, 128, 32) == Status::kInvalidArgument);
  TT_CHECK(c.connect(0) == Status::kNotInitialized);  // a failed init leaves it unusable
  TT_CHECK(c.publish("t", U8(), 0, 0) == Status::kNotInitialized);
  TT_CHECK(c.poll(0) == Status::kNotInitialized);
  cfg = test_config();
  cfg.ack_timeout_ms = 0;
  TT_CHECK(init(cfg, t, 2, 128, 32) == Status::kInvalidArgument);
  cfg = test_config();
  cfg.ack_timeout_max_ms = 10;
  TT_CHECK(init(cfg, t, 2, 128, 32) == Status::kInvalidArgument);
  cfg = test_config();
  cfg.connack_timeout_ms = 0;
  TT_CHECK(init(cfg, t, 2, 128, 32) == Status::kInvalidArgument);
  cfg = test_config();
  cfg.reconnect_max_ms = 1;
  TT_CHECK(init(cfg, t, 2, 128, 32) == Status::kInvalidArgument);
  MqttTransport no_send = t;
  no_send.send = nullptr;
  TT_CHECK(init(test_config(), no_send, 2, 128, 32) == Status::kInvalidArgument);
  TT_CHECK(init(test_config(), t, 0, 128, 32) == Status::kInvalidArgument);
  TT_CHECK(init(test_config(), t, 2, 31, 32) == Status::kNoMemory);
  TT_CHECK(init(test_config(), t, 2, 128, 15) == Status::kNoMemory);
}

TT_TEST(fuzz_corpus_runs_clean) {
  namespace g = golden::mqtt;
  int files = 0, parsed = 0;
  for (std::size_t i = 0; i + 1 < g::corpus_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_offsets[i], b = g::corpus_offsets[i + 1];
    parsed += tinysense::fuzz::run_mqtt(g::corpus + a, b - a);
    ++files;
  }
  std::printf("    fuzz corpus: %d files, %d packets parsed\n", files, parsed);
  TT_CHECK(files >= 5 && parsed >= 8);
}
