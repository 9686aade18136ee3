// MQTT 3.1.1 (OASIS standard, 2014) for sensor nodes: a bounds-checked packet
// codec and a QoS 1 publishing client. Transport-agnostic: the client talks to
// the network only through the callbacks in MqttTransport (a TCP socket, a TLS
// session, a modem's AT channel, a test script); the library opens no socket.
//
// Delivery guarantee: a publish stays in its window slot (the whole encoded
// PUBLISH packet is kept) until the broker's PUBACK for its packet id arrives.
// Unacknowledged publishes are re-sent with DUP=1, in their original order,
// after every (re)connect (clean session off, so the broker keeps the session
// across connections, MQTT-4.4.0-1), and within a connection after an ack
// timeout that doubles on each retry. So nothing handed to publish() is lost
// while the node keeps power, and a re-sent record can arrive twice: payloads
// carry (node id, sequence number) so the receiver drops duplicates.
//
// Nothing received is trusted: every server packet is checked against the
// spec (fixed-header flags, exact remaining lengths, 4-byte varint limit,
// packet ids != 0, UTF-8 topics without wildcards, packet types a server may
// send in the current state). A violation drops the connection (kCorrupt).
#ifndef TINYSENSE_NODE_MQTT_HPP
#define TINYSENSE_NODE_MQTT_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

// ---- Packet codec -------------------------------------------------------------

enum class MqttType : std::uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kPubrec = 5,
  kPubrel = 6,
  kPubcomp = 7,
  kSubscribe = 8,
  kSuback = 9,
  kUnsubscribe = 10,
  kUnsuback = 11,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

constexpr std::uint32_t kMqttMaxRemaining = 268435455;  // 4-byte varint limit (MQTT 2.2.3)
constexpr std::uint8_t kMqttFlagDup = 0x08;             // fixed-header byte 0 of PUBLISH

// Remaining-length varint: 7 bits per byte, least significant group first.
// Writes 1..4 bytes and returns the count; 0 (nothing written) above kMqttMaxRemaining.
std::size_t mqtt_encode_remaining_length(std::uint32_t value, std::uint8_t out[4]) noexcept;
// Reads a varint at the start of `in`: kOk (*value, *used set), kNoData when
// `in` ends inside it, kCorrupt when a fifth byte would be needed.
[[nodiscard]] Status mqtt_decode_remaining_length(Span<const std::uint8_t> in, std::uint32_t* value,
                                                  std::size_t* used) noexcept;

// True for well-formed UTF-8 without U+0000 and without surrogates (MQTT 1.5.3).
bool mqtt_valid_utf8(Span<const std::uint8_t> s) noexcept;

// CONNECT fields. Strings are NUL-terminated, owned by the caller and must
// outlive every connect(); nullptr username/password = absent. MQTT 3.1.1
// forbids a password without a username.
struct MqttConnectOptions {
  const char* client_id = nullptr;  // 1..65535 bytes (brokers must accept 1..23 of [0-9a-zA-Z])
  const char* username = nullptr;
  const char* password = nullptr;
  std::uint16_t keep_alive_s = 60;  // 0 disables keep-alive
  bool clean_session = false;       // false: the broker keeps QoS 1 state across connections
};

// Size of the CONNECT packet for these options (0 when they are invalid).
std::size_t mqtt_connect_bytes(const MqttConnectOptions& opt) noexcept;
// Checks the options: kInvalidArgument for a missing or empty client id with
// clean_session off, a password without username, a string over 65535 bytes
// or not valid UTF-8.
[[nodiscard]] Status mqtt_check_connect(const MqttConnectOptions& opt) noexcept;

// Encoders: write one packet into out, *len = its size. kNoSpace when out is
// too small (out may then hold a partial packet), kInvalidArgument on invalid fields.
[[nodiscard]] Status mqtt_encode_connect(const MqttConnectOptions& opt, Span<std::uint8_t> out,
                                         std::size_t* len) noexcept;
// PUBLISH; topic: 1..65535 bytes UTF-8, no '+' / '#'. qos 0 or 1 (packet_id
// != 0 for qos 1, ignored for 0); dup only with qos 1.
[[nodiscard]] Status mqtt_encode_publish(Span<const char> topic, Span<const std::uint8_t> payload,
                                         std::uint8_t qos, bool retain, bool dup,
                                         std::uint16_t packet_id, Span<std::uint8_t> out,
                                         std::size_t* len) noexcept;
// Size of a PUBLISH packet (0 when it would exceed the protocol's limit).
std::size_t mqtt_publish_bytes(std::size_t topic_len, std::size_t payload_len,
                               std::uint8_t qos) noexcept;
[[nodiscard]] Status mqtt_encode_puback(std::uint16_t packet_id, Span<std::uint8_t> out,
                                        std::size_t* len) noexcept;
[[nodiscard]] Status mqtt_encode_pingreq(Span<std::uint8_t> out, std::size_t* len) noexcept;
[[nodiscard]] Status mqtt_encode_disconnect(Span<std::uint8_t> out, std::size_t* len) noexcept;

// One packet received from a server, as views into the input buffer.
struct MqttPacket {
  MqttType type = MqttType::kConnect;
  std::uint8_t flags = 0;       // low nibble of the fixed header
  std::size_t size = 0;         // bytes of the whole packet (fixed header included)
  std::uint16_t packet_id = 0;  // PUBLISH qos 1/2, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK
  // CONNACK
  bool session_present = false;
  std::uint8_t return_code = 0;  // 0 accepted, 1..5 refused (MQTT 3.2.2.3)
  // PUBLISH
  std::uint8_t qos = 0;
  bool dup = false;
  bool retain = false;
  Span<const std::uint8_t> topic;
  Span<const std::uint8_t> payload;
  // SUBACK return codes (0, 1, 2 or 0x80 each)
  Span<const std::uint8_t> suback_codes;
};

// Parses the server packet at the start of `in` (MQTT 3.1.1 section 3, server
// to client direction). kOk: *out filled, out->size bytes form the packet.
// kNoData: `in` holds an incomplete packet (read more). kCorrupt: malformed or
// a client-only packet type. Never reads outside `in`.
[[nodiscard]] Status mqtt_parse_server_packet(Span<const std::uint8_t> in, MqttPacket* out) noexcept;

// ---- Client --------------------------------------------------------------------

// The byte pipe under the client. Callbacks get `ctx` back.
struct MqttTransport {
  void* ctx = nullptr;
  // Queues all n bytes for sending. Return kOk only when every byte was
  // accepted; any other value marks the connection broken (the client drops it).
  Status (*send)(void* ctx, const std::uint8_t* data, std::size_t n) = nullptr;
  // Optional (nullptr: push bytes with feed()). Reads up to cap bytes without
  // blocking into buf, *got = count (0: nothing now). Non-kOk: connection closed.
  Status (*recv)(void* ctx, std::uint8_t* buf, std::size_t cap, std::size_t* got) = nullptr;
  // Optional: called when the broker acknowledged the publish made with `tag`
  // (e.g. a record's sequence number, so the node can release it from flash).
  void (*on_ack)(void* ctx, std::uint16_t packet_id, std::uint32_t tag) = nullptr;
};

struct MqttConfig {
  MqttConnectOptions connect;
  std::uint32_t ack_timeout_ms = 5000;       // first in-connection resend of an unacked PUBLISH
  std::uint32_t ack_timeout_max_ms = 60000;  // cap of the doubling ack timeout
  std::uint32_t connack_timeout_ms = 10000;  // CONNECT sent, no CONNACK -> kTimeout
  std::uint32_t ping_timeout_ms = 0;         // PINGREQ unanswered -> kTimeout; 0: keep_alive
  std::uint32_t reconnect_min_ms = 500;      // first reconnect delay after a drop
  std::uint32_t reconnect_max_ms = 30000;    // cap of the doubling reconnect delay
};

// One window slot: a publish waiting for its PUBACK. Storage owned by the caller.
struct MqttSlot {
  std::uint32_t order;       // publish order (resends keep it)
  std::uint32_t tag;         // caller's tag, reported by on_ack
  std::uint32_t due_ms;      // next in-connection resend
  std::uint32_t backoff_ms;  // current ack timeout
  std::uint16_t packet_id;   // 0 = free
  std::uint16_t len;         // encoded packet bytes
  std::uint8_t sent;         // 1 once handed to the transport (resends carry DUP=1)
  std::uint8_t pad[3];
};

struct MqttStats {
  std::uint32_t connects = 0;       // CONNECT packets sent
  std::uint32_t connacks = 0;       // accepted CONNACKs
  std::uint32_t publishes = 0;      // PUBLISH packets sent for the first time
  std::uint32_t resends = 0;        // PUBLISH re-sent with DUP=1
  std::uint32_t acks = 0;           // PUBACKs that released a slot
  std::uint32_t stray_acks = 0;     // PUBACKs for no outstanding packet id (ignored)
  std::uint32_t pings = 0;          // PINGREQ sent
  std::uint32_t drops = 0;          // connections dropped (any reason)
  std::uint32_t protocol_errors = 0;
  std::uint32_t timeouts = 0;
  std::uint32_t inbound = 0;        // PUBLISH received from the broker
};

enum class MqttState : std::uint8_t { kDisconnected, kConnecting, kConnected };

// QoS 1 publisher. Usage: open the transport, connect(now); feed()/poll(now)
// as bytes and time go by; publish() any time (queued while disconnected).
// Any non-kOk return from connect/feed/poll means the client has dropped the
// connection (publish reports a drop through state() only): close the
// transport, then call connect() again once connect_due(now) (exponential
// backoff). Call on_disconnect(now) when the transport itself reports the
// connection lost. Times are milliseconds from any free-running uint32 clock
// (wrap-around safe). Sizes (Cortex-M4, GCC): the object 164 bytes, a slot
// 24 bytes + its packet storage; code ~7.8 KB.
class MqttClient {
 public:
  // Smallest usable receive buffer (CONNACK/PUBACK/PINGRESP need <= 4 bytes).
  static constexpr std::size_t kMinRx = 16;

  // Validates everything: config (see mqtt_check_connect; every timeout > 0),
  // transport.send set, >= 1 slot, packet_storage split evenly into
  // slots.size() packets of >= 16 bytes each (at most 65535), rx >= kMinRx.
  [[nodiscard]] Status init(const MqttConfig& config, const MqttTransport& transport,
                            Span<MqttSlot> slots, Span<std::uint8_t> packet_storage,
                            Span<std::uint8_t> rx) noexcept;

  // Sends CONNECT on a freshly opened transport. kBusy unless disconnected.
  [[nodiscard]] Status connect(std::uint32_t now_ms) noexcept;
  // Queues a QoS 1 PUBLISH (sent now when connected). kOk means accepted: it
  // stays in the window until acknowledged, even when sending it just failed
  // (the connection is then dropped, see state(); it goes out after the next
  // connect). *packet_id (may be null) gets its id. kBusy: window full (retry
  // after acks); kNoMemory: the packet exceeds a slot; kInvalidArgument: bad topic.
  [[nodiscard]] Status publish(const char* topic, Span<const std::uint8_t> payload,
                               std::uint32_t tag, std::uint32_t now_ms,
                               std::uint16_t* packet_id = nullptr) noexcept;
  // Processes received bytes (any split: byte by byte or many packets at once).
  [[nodiscard]] Status feed(Span<const std::uint8_t> bytes, std::uint32_t now_ms) noexcept;
  // Reads through transport.recv (if set), then runs the timers: CONNACK and
  // ping timeouts, keep-alive PINGREQ, ack-timeout resends.
  [[nodiscard]] Status poll(std::uint32_t now_ms) noexcept;
  // Sends DISCONNECT (when connected) and drops the connection. In-flight
  // publishes stay and are re-sent after the next connect.
  [[nodiscard]] Status disconnect(std::uint32_t now_ms) noexcept;
  // The transport lost the connection.
  void on_disconnect(std::uint32_t now_ms) noexcept;

  // Disconnected and the reconnect backoff has elapsed.
  bool connect_due(std::uint32_t now_ms) const noexcept;
  MqttState state() const noexcept { return state_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t window() const noexcept { return slots_.size(); }
  std::size_t max_packet() const noexcept { return slot_bytes_; }
  // Return code of the last CONNACK (0 accepted; 0xFF none yet).
  std::uint8_t connack_code() const noexcept { return connack_code_; }
  bool session_present() const noexcept { return session_present_; }
  const MqttStats& stats() const noexcept { return stats_; }

 private:
  Status send(const std::uint8_t* data, std::size_t n, std::uint32_t now_ms) noexcept;
  Status send_slot(MqttSlot& s, std::uint32_t now_ms) noexcept;
  Status handle(const MqttPacket& p, std::uint32_t now_ms) noexcept;
  Status process_rx(std::uint32_t now_ms) noexcept;
  Status resend_all(std::uint32_t now_ms, bool only_due) noexcept;
  Status fail(Status s, std::uint32_t now_ms) noexcept;  // drops the connection, returns s
  void drop(std::uint32_t now_ms) noexcept;
  std::uint8_t* slot_data(const MqttSlot& s) noexcept;

  MqttConfig config_{};
  MqttTransport transport_{};
  Span<MqttSlot> slots_;
  Span<std::uint8_t> storage_;
  Span<std::uint8_t> rx_;
  std::size_t slot_bytes_ = 0;
  std::size_t rx_len_ = 0;
  std::size_t in_flight_ = 0;
  std::uint32_t next_order_ = 0;
  std::uint32_t last_tx_ms_ = 0;
  std::uint32_t deadline_ms_ = 0;      // CONNACK or PINGRESP deadline
  std::uint32_t reconnect_at_ms_ = 0;
  std::uint32_t reconnect_delay_ms_ = 0;
  std::uint16_t next_id_ = 1;
  std::uint8_t connack_code_ = 0xFF;
  bool session_present_ = false;
  bool ping_outstanding_ = false;
  bool ready_ = false;
  MqttState state_ = MqttState::kDisconnected;
  MqttStats stats_{};
};

// MqttClient with its own storage: Window slots of MaxPacket bytes each.
template <std::size_t Window, std::size_t MaxPacket, std::size_t RxBytes = 64>
class MqttClientN : public MqttClient {
  static_assert(Window >= 1 && MaxPacket >= 16 && MaxPacket <= 65535 && RxBytes >= kMinRx,
                "MqttClientN: bad sizes");

 public:
  [[nodiscard]] Status init(const MqttConfig& config, const MqttTransport& transport) noexcept {
    return MqttClient::init(config, transport, Span<MqttSlot>(slots_),
                            Span<std::uint8_t>(storage_), Span<std::uint8_t>(rx_));
  }

 private:
  MqttSlot slots_[Window] = {};
  std::uint8_t storage_[Window * MaxPacket] = {};
  std::uint8_t rx_[RxBytes] = {};
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_MQTT_HPP
