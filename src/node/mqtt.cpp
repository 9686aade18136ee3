#include "tinysense/node/mqtt.hpp"

#include <cstring>

namespace tinysense::node {
namespace {

constexpr std::size_t kMaxString = 65535;

// Length of a NUL-terminated string, or kMaxString + 1 when longer.
std::size_t bounded_len(const char* s) noexcept {
  std::size_t n = 0;
  while (n <= kMaxString && s[n] != '\0') ++n;
  return n;
}

Span<const std::uint8_t> bytes_of(const char* s, std::size_t n) noexcept {
  return Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(s), n);
}

std::size_t varint_len(std::uint32_t v) noexcept {
  return v < 128u ? 1 : v < 16384u ? 2 : v < 2097152u ? 3 : 4;
}

// Wrap-around-safe "now has reached t".
bool reached(std::uint32_t now, std::uint32_t t) noexcept {
  return static_cast<std::int32_t>(now - t) >= 0;
}

std::uint16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// Output sinks for the CONNECT encoder, so the buffer encoder and the client's
// streaming sender share one implementation.
struct BufferOut {
  Span<std::uint8_t> out;
  std::size_t len = 0;
  bool overflow = false;
  void put(const std::uint8_t* p, std::size_t n) noexcept {
    if (overflow || out.size() - len < n) {
      overflow = true;
      return;
    }
    std::memcpy(out.data() + len, p, n);
    len += n;
  }
};

struct TransportOut {
  const MqttTransport* t;
  std::uint8_t stage[32];
  std::size_t len = 0;
  bool failed = false;
  void flush() noexcept {
    if (!failed && len > 0 && t->send(t->ctx, stage, len) != Status::kOk) failed = true;
    len = 0;
  }
  void put(const std::uint8_t* p, std::size_t n) noexcept {
    while (n > 0 && !failed) {
      std::size_t k = sizeof stage - len < n ? sizeof stage - len : n;
      std::memcpy(stage + len, p, k);
      len += k;
      p += k;
      n -= k;
      if (len == sizeof stage) flush();
    }
  }
};

template <class Out>
void put_u8(Out& o, std::uint8_t v) noexcept {
  o.put(&v, 1);
}
template <class Out>
void put_u16(Out& o, std::size_t v) noexcept {
  const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v & 0xFFu)};
  o.put(b, 2);
}
template <class Out>
void put_str(Out& o, const char* s, std::size_t n) noexcept {
  put_u16(o, n);
  o.put(reinterpret_cast<const std::uint8_t*>(s), n);
}

// CONNECT (MQTT 3.1.1 section 3.1). Options must have passed mqtt_check_connect.
template <class Out>
void emit_connect(const MqttConnectOptions& o, Out& out) noexcept {
  const std::size_t cid = bounded_len(o.client_id);
  const std::size_t user = o.username != nullptr ? bounded_len(o.username) : 0;
  const std::size_t pass = o.password != nullptr ? bounded_len(o.password) : 0;
  const std::size_t rl = 10 + 2 + cid + (o.username != nullptr ? 2 + user : 0) +
                         (o.password != nullptr ? 2 + pass : 0);
  std::uint8_t hdr[5] = {0x10};
  const std::size_t n = mqtt_encode_remaining_length(static_cast<std::uint32_t>(rl), hdr + 1);
  out.put(hdr, 1 + n);
  const std::uint8_t proto[7] = {0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04};  // protocol level 4
  out.put(proto, sizeof proto);
  std::uint8_t flags = 0;
  if (o.username != nullptr) flags |= 0x80;
  if (o.password != nullptr) flags |= 0x40;
  if (o.clean_session) flags |= 0x02;
  put_u8(out, flags);
  put_u16(out, o.keep_alive_s);
  put_str(out, o.client_id, cid);
  if (o.username != nullptr) put_str(out, o.username, user);
  if (o.password != nullptr) put_str(out, o.password, pass);
}

bool valid_topic_name(Span<const std::uint8_t> t) noexcept {
  if (t.size() == 0 || t.size() > kMaxString || !mqtt_valid_utf8(t)) return false;
  for (const std::uint8_t c : t) {
    if (c == '+' || c == '#') return false;  // wildcards belong in filters only
  }
  return true;
}

}  // namespace

// ---- Codec ----------------------------------------------------------------------

std::size_t mqtt_encode_remaining_length(std::uint32_t value, std::uint8_t out[4]) noexcept {
  if (value > kMqttMaxRemaining) return 0;
  std::size_t n = 0;
  do {
    auto b = static_cast<std::uint8_t>(value & 0x7Fu);
    value >>= 7;
    if (value > 0) b = static_cast<std::uint8_t>(b | 0x80u);
    out[n++] = b;
  } while (value > 0);
  return n;
}

Status mqtt_decode_remaining_length(Span<const std::uint8_t> in, std::uint32_t* value,
                                    std::size_t* used) noexcept {
  if (value == nullptr || used == nullptr) return Status::kInvalidArgument;
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i >= in.size()) return Status::kNoData;
    v |= static_cast<std::uint32_t>(in[i] & 0x7Fu) << (7 * i);
    if ((in[i] & 0x80u) == 0) {
      *value = v;
      *used = i + 1;
      return Status::kOk;
    }
  }
  return Status::kCorrupt;  // continuation bit set on the fourth byte
}

bool mqtt_valid_utf8(Span<const std::uint8_t> s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t c = s[i];
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    std::uint32_t cp, min;
    if ((c & 0xE0u) == 0xC0u) {
      n = 1, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0u) == 0xE0u) {
      n = 2, cp = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8u) == 0xF0u) {
      n = 3, cp = c & 0x07u, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const std::uint8_t d = s[i + k];
      if ((d & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (d & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return false;
    i += n + 1;
  }
  return true;
}

Status mqtt_check_connect(const MqttConnectOptions& o) noexcept {
  if (o.client_id == nullptr) return Status::kInvalidArgument;
  const std::size_t cid = bounded_len(o.client_id);
  if (cid > kMaxString || !mqtt_valid_utf8(bytes_of(o.client_id, cid))) {
    return Status::kInvalidArgument;
  }
  if (cid == 0 && !o.clean_session) return Status::kInvalidArgument;  // MQTT-3.1.3-7
  if (o.password != nullptr && o.username == nullptr) return Status::kInvalidArgument;  // MQTT-3.1.2-22
  if (o.username != nullptr) {
    const std::size_t n = bounded_len(o.username);
    if (n > kMaxString || !mqtt_valid_utf8(bytes_of(o.username, n))) return Status::kInvalidArgument;
  }
  if (o.password != nullptr && bounded_len(o.password) > kMaxString) return Status::kInvalidArgument;
  return Status::kOk;
}

std::size_t mqtt_connect_bytes(const MqttConnectOptions& o) noexcept {
  if (mqtt_check_connect(o) != Status::kOk) return 0;
  const std::size_t rl = 12 + bounded_len(o.client_id) +
                         (o.username != nullptr ? 2 + bounded_len(o.username) : 0) +
                         (o.password != nullptr ? 2 + bounded_len(o.password) : 0);
  return 1 + varint_len(static_cast<std::uint32_t>(rl)) + rl;
}

Status mqtt_encode_connect(const MqttConnectOptions& o, Span<std::uint8_t> out,
                           std::size_t* len) noexcept {
  if (len == nullptr) return Status::kInvalidArgument;
  TINYSENSE_TRY(mqtt_check_connect(o));
  BufferOut b{out};
  emit_connect(o, b);
  if (b.overflow) return Status::kNoSpace;
  *len = b.len;
  return Status::kOk;
}

std::size_t mqtt_publish_bytes(std::size_t topic_len, std::size_t payload_len,
                               std::uint8_t qos) noexcept {
  if (topic_len > kMaxString || payload_len > kMqttMaxRemaining) return 0;
  const std::size_t rl = 2 + topic_len + (qos > 0 ? 2 : 0) + payload_len;
  if (rl > kMqttMaxRemaining) return 0;
  return 1 + varint_len(static_cast<std::uint32_t>(rl)) + rl;
}

Status mqtt_encode_publish(Span<const char> topic, Span<const std::uint8_t> payload,
                           std::uint8_t qos, bool retain, bool dup, std::uint16_t packet_id,
                           Span<std::uint8_t> out, std::size_t* len) noexcept {
  if (len == nullptr || qos > 1 || (qos == 1 && packet_id == 0) || (qos == 0 && dup)) {
    return Status::kInvalidArgument;
  }
  const auto t = Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(topic.data()),
                                          topic.size());
  if (!valid_topic_name(t)) return Status::kInvalidArgument;
  const std::size_t total = mqtt_publish_bytes(t.size(), payload.size(), qos);
  if (total == 0) return Status::kInvalidArgument;
  if (out.size() < total) return Status::kNoSpace;
  const std::size_t rl = 2 + t.size() + (qos > 0 ? 2 : 0) + payload.size();
  std::uint8_t* p = out.data();
  p[0] = static_cast<std::uint8_t>(0x30u | (dup ? kMqttFlagDup : 0u) | (static_cast<unsigned>(qos) << 1u) | (retain ? 1u : 0u));
  std::size_t k = 1 + mqtt_encode_remaining_length(static_cast<std::uint32_t>(rl), p + 1);
  p[k++] = static_cast<std::uint8_t>(t.size() >> 8);
  p[k++] = static_cast<std::uint8_t>(t.size() & 0xFFu);
  if (t.size() > 0) std::memcpy(p + k, t.data(), t.size());
  k += t.size();
  if (qos > 0) {
    p[k++] = static_cast<std::uint8_t>(packet_id >> 8);
    p[k++] = static_cast<std::uint8_t>(packet_id & 0xFFu);
  }
  if (payload.size() > 0) std::memcpy(p + k, payload.data(), payload.size());
  *len = total;
  return Status::kOk;
}

Status mqtt_encode_puback(std::uint16_t packet_id, Span<std::uint8_t> out, std::size_t* len) noexcept {
  if (len == nullptr || packet_id == 0) return Status::kInvalidArgument;
  if (out.size() < 4) return Status::kNoSpace;
  out[0] = 0x40;
  out[1] = 0x02;
  out[2] = static_cast<std::uint8_t>(packet_id >> 8);
  out[3] = static_cast<std::uint8_t>(packet_id & 0xFFu);
  *len = 4;
  return Status::kOk;
}

namespace {
Status encode_two(std::uint8_t b0, Span<std::uint8_t> out, std::size_t* len) noexcept {
  if (len == nullptr) return Status::kInvalidArgument;
  if (out.size() < 2) return Status::kNoSpace;
  out[0] = b0;
  out[1] = 0x00;
  *len = 2;
  return Status::kOk;
}
}  // namespace

Status mqtt_encode_pingreq(Span<std::uint8_t> out, std::size_t* len) noexcept {
  return encode_two(0xC0, out, len);
}

Status mqtt_encode_disconnect(Span<std::uint8_t> out, std::size_t* len) noexcept {
  return encode_two(0xE0, out, len);
}

Status mqtt_parse_server_packet(Span<const std::uint8_t> in, MqttPacket* out) noexcept {
  if (out == nullptr) return Status::kInvalidArgument;
  if (in.size() == 0) return Status::kNoData;
  const std::uint8_t b0 = in[0];
  const auto type = static_cast<std::uint8_t>(b0 >> 4);
  const auto flags = static_cast<std::uint8_t>(b0 & 0x0Fu);
  // The first byte alone rejects client-only types and bad flags (MQTT 2.2.2),
  // before any length arrives.
  std::uint32_t min_rl = 0, exact_rl = 0xFFFFFFFFu;
  switch (static_cast<MqttType>(type)) {
    case MqttType::kConnack:
    case MqttType::kPuback:
    case MqttType::kPubrec:
    case MqttType::kPubcomp:
    case MqttType::kUnsuback:
      if (flags != 0) return Status::kCorrupt;
      exact_rl = 2;
      break;
    case MqttType::kPubrel:
      if (flags != 0x02) return Status::kCorrupt;
      exact_rl = 2;
      break;
    case MqttType::kPingresp:
      if (flags != 0) return Status::kCorrupt;
      exact_rl = 0;
      break;
    case MqttType::kSuback:
      if (flags != 0) return Status::kCorrupt;
      min_rl = 3;
      break;
    case MqttType::kPublish: {
      const auto qos = static_cast<std::uint8_t>((flags >> 1) & 0x03u);
      if (qos == 3 || (qos == 0 && (flags & kMqttFlagDup) != 0)) return Status::kCorrupt;
      min_rl = 2 + 1 + (qos > 0 ? 2u : 0u);  // topic length, >= 1 topic byte, packet id
      break;
    }
    default:  // 0, 15 reserved; CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT: client only
      return Status::kCorrupt;
  }
  std::uint32_t rl = 0;
  std::size_t used = 0;
  TINYSENSE_TRY(mqtt_decode_remaining_length(in.subspan(1), &rl, &used));
  if (exact_rl != 0xFFFFFFFFu && rl != exact_rl) return Status::kCorrupt;
  if (rl < min_rl) return Status::kCorrupt;
  const std::size_t total = 1 + used + static_cast<std::size_t>(rl);
  if (in.size() < total) return Status::kNoData;

  const Span<const std::uint8_t> body = in.subspan(1 + used, rl);
  MqttPacket p;
  p.type = static_cast<MqttType>(type);
  p.flags = flags;
  p.size = total;
  switch (p.type) {
    case MqttType::kConnack:
      if ((body[0] & 0xFEu) != 0 || body[1] > 5) return Status::kCorrupt;  // MQTT-3.2.2-1
      p.session_present = (body[0] & 0x01u) != 0;
      p.return_code = body[1];
      if (p.return_code != 0 && p.session_present) return Status::kCorrupt;  // MQTT-3.2.2-4
      break;
    case MqttType::kPuback:
    case MqttType::kPubrec:
    case MqttType::kPubrel:
    case MqttType::kPubcomp:
    case MqttType::kUnsuback:
      p.packet_id = be16(body.data());
      if (p.packet_id == 0) return Status::kCorrupt;
      break;
    case MqttType::kSuback:
      p.packet_id = be16(body.data());
      if (p.packet_id == 0) return Status::kCorrupt;
      p.suback_codes = body.subspan(2);
      for (const std::uint8_t c : p.suback_codes) {
        if (c > 2 && c != 0x80) return Status::kCorrupt;
      }
      break;
    case MqttType::kPublish: {
      p.qos = static_cast<std::uint8_t>((flags >> 1) & 0x03u);
      p.dup = (flags & kMqttFlagDup) != 0;
      p.retain = (flags & 0x01u) != 0;
      const std::size_t tlen = be16(body.data());
      const std::size_t need = 2 + tlen + (p.qos > 0 ? 2 : 0);
      if (need > body.size()) return Status::kCorrupt;
      p.topic = body.subspan(2, tlen);
      if (!valid_topic_name(p.topic)) return Status::kCorrupt;
      if (p.qos > 0) {
        p.packet_id = be16(body.data() + 2 + tlen);
        if (p.packet_id == 0) return Status::kCorrupt;
      }
      p.payload = body.subspan(need);
      break;
    }
    default:
      break;  // PINGRESP: nothing more
  }
  *out = p;
  return Status::kOk;
}

// ---- Client ---------------------------------------------------------------------

Status MqttClient::init(const MqttConfig& config, const MqttTransport& transport,
                        Span<MqttSlot> slots, Span<std::uint8_t> packet_storage,
                        Span<std::uint8_t> rx) noexcept {
  ready_ = false;
  TINYSENSE_TRY(mqtt_check_connect(config.connect));
  if (config.ack_timeout_ms == 0 || config.ack_timeout_max_ms < config.ack_timeout_ms ||
      config.connack_timeout_ms == 0 || config.reconnect_min_ms == 0 ||
      config.reconnect_max_ms < config.reconnect_min_ms || config.ack_timeout_max_ms > 0x7FFFFFFFu ||
      config.reconnect_max_ms > 0x7FFFFFFFu) {
    return Status::kInvalidArgument;
  }
  if (transport.send == nullptr) return Status::kInvalidArgument;
  if (slots.size() == 0 || slots.size() > 65534 || slots.data() == nullptr) {
    return Status::kInvalidArgument;
  }
  if (rx.size() < kMinRx || rx.data() == nullptr) return Status::kNoMemory;
  std::size_t per = packet_storage.size() / slots.size();
  if (per < 16 || packet_storage.data() == nullptr) return Status::kNoMemory;
  if (per > 65535) per = 65535;
  config_ = config;
  transport_ = transport;
  slots_ = slots;
  storage_ = packet_storage;
  rx_ = rx;
  slot_bytes_ = per;
  for (MqttSlot& s : slots_) s = MqttSlot{};
  rx_len_ = 0;
  in_flight_ = 0;
  next_order_ = 0;
  next_id_ = 1;
  reconnect_delay_ms_ = 0;
  connack_code_ = 0xFF;
  session_present_ = false;
  ping_outstanding_ = false;
  state_ = MqttState::kDisconnected;
  stats_ = MqttStats{};
  ready_ = true;
  return Status::kOk;
}

std::uint8_t* MqttClient::slot_data(const MqttSlot& s) noexcept {
  const auto index = static_cast<std::size_t>(&s - slots_.data());
  return storage_.data() + index * slot_bytes_;
}

void MqttClient::drop(std::uint32_t now_ms) noexcept {
  if (state_ == MqttState::kDisconnected) return;
  ++stats_.drops;
  state_ = MqttState::kDisconnected;
  rx_len_ = 0;
  ping_outstanding_ = false;
  reconnect_delay_ms_ = reconnect_delay_ms_ == 0 ? config_.reconnect_min_ms
                        : reconnect_delay_ms_ >= config_.reconnect_max_ms / 2
                            ? config_.reconnect_max_ms
                            : 2 * reconnect_delay_ms_;
  reconnect_at_ms_ = now_ms + reconnect_delay_ms_;
}

Status MqttClient::fail(Status s, std::uint32_t now_ms) noexcept {
  if (s == Status::kCorrupt) ++stats_.protocol_errors;
  if (s == Status::kTimeout) ++stats_.timeouts;
  drop(now_ms);
  return s;
}

void MqttClient::on_disconnect(std::uint32_t now_ms) noexcept { drop(now_ms); }

bool MqttClient::connect_due(std::uint32_t now_ms) const noexcept {
  return ready_ && state_ == MqttState::kDisconnected &&
         (reconnect_delay_ms_ == 0 || reached(now_ms, reconnect_at_ms_));
}

Status MqttClient::send(const std::uint8_t* data, std::size_t n, std::uint32_t now_ms) noexcept {
  if (transport_.send(transport_.ctx, data, n) != Status::kOk) return Status::kIoError;
  last_tx_ms_ = now_ms;
  return Status::kOk;
}

Status MqttClient::send_slot(MqttSlot& s, std::uint32_t now_ms) noexcept {
  std::uint8_t* data = slot_data(s);
  if (s.sent != 0) {
    data[0] = static_cast<std::uint8_t>(data[0] | kMqttFlagDup);  // MQTT-3.3.1-1
    ++stats_.resends;
  } else {
    ++stats_.publishes;
  }
  s.sent = 1;
  s.due_ms = now_ms + s.backoff_ms;
  return send(data, s.len, now_ms);
}

// Sends outstanding publishes oldest first (all of them, or those whose ack
// timeout has expired, doubling their timeout).
Status MqttClient::resend_all(std::uint32_t now_ms, bool only_due) noexcept {
  std::uint32_t done_age = 0xFFFFFFFFu;  // ages strictly below this are still to visit
  for (;;) {
    MqttSlot* pick = nullptr;
    std::uint32_t pick_age = 0;
    for (MqttSlot& s : slots_) {
      if (s.packet_id == 0) continue;
      const std::uint32_t age = next_order_ - s.order;  // larger = older, wrap-safe
      if (age < done_age && (pick == nullptr || age > pick_age)) {
        pick = &s;
        pick_age = age;
      }
    }
    if (pick == nullptr) return Status::kOk;
    done_age = pick_age;
    if (only_due) {
      if (pick->sent == 0 || !reached(now_ms, pick->due_ms)) continue;
      pick->backoff_ms = pick->backoff_ms >= config_.ack_timeout_max_ms / 2
                             ? config_.ack_timeout_max_ms
                             : 2 * pick->backoff_ms;
    } else {
      pick->backoff_ms = config_.ack_timeout_ms;
    }
    TINYSENSE_TRY(send_slot(*pick, now_ms));
  }
}

Status MqttClient::connect(std::uint32_t now_ms) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (state_ != MqttState::kDisconnected) return Status::kBusy;
  rx_len_ = 0;
  ping_outstanding_ = false;
  ++stats_.connects;
  state_ = MqttState::kConnecting;
  deadline_ms_ = now_ms + config_.connack_timeout_ms;
  TransportOut out{&transport_, {}};
  emit_connect(config_.connect, out);
  out.flush();
  if (out.failed) return fail(Status::kIoError, now_ms);
  last_tx_ms_ = now_ms;
  return Status::kOk;
}

Status MqttClient::publish(const char* topic, Span<const std::uint8_t> payload, std::uint32_t tag,
                           std::uint32_t now_ms, std::uint16_t* packet_id) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (topic == nullptr) return Status::kInvalidArgument;
  const std::size_t tlen = bounded_len(topic);
  if (!valid_topic_name(bytes_of(topic, tlen))) return Status::kInvalidArgument;
  const std::size_t total = mqtt_publish_bytes(tlen, payload.size(), 1);
  if (total == 0 || total > slot_bytes_) return Status::kNoMemory;
  MqttSlot* slot = nullptr;
  for (MqttSlot& s : slots_) {
    if (s.packet_id == 0) {
      slot = &s;
      break;
    }
  }
  if (slot == nullptr) return Status::kBusy;
  // Ids advance sequentially so a late duplicate PUBACK (after a DUP resend)
  // cannot match a new publish that reused the id right away.
  std::uint16_t id = next_id_;
  for (bool in_use = true; in_use;) {
    in_use = false;
    for (const MqttSlot& s : slots_) in_use = in_use || s.packet_id == id;
    if (in_use) id = static_cast<std::uint16_t>(id == 65535 ? 1 : id + 1);
  }
  next_id_ = static_cast<std::uint16_t>(id == 65535 ? 1 : id + 1);
  std::size_t len = 0;
  const Status es = mqtt_encode_publish(Span<const char>(topic, tlen), payload, 1, false, false, id,
                                        Span<std::uint8_t>(slot_data(*slot), slot_bytes_), &len);
  if (es != Status::kOk) return es;
  slot->order = next_order_++;
  slot->tag = tag;
  slot->packet_id = id;
  slot->len = static_cast<std::uint16_t>(len);
  slot->sent = 0;
  slot->backoff_ms = config_.ack_timeout_ms;
  slot->due_ms = now_ms;
  ++in_flight_;
  if (packet_id != nullptr) *packet_id = id;
  if (state_ == MqttState::kConnected && send_slot(*slot, now_ms) != Status::kOk) {
    (void)fail(Status::kIoError, now_ms);  // accepted all the same: re-sent after reconnect
  }
  return Status::kOk;
}

Status MqttClient::handle(const MqttPacket& p, std::uint32_t now_ms) noexcept {
  if (state_ == MqttState::kConnecting) {
    if (p.type != MqttType::kConnack) return Status::kCorrupt;  // MQTT-3.2.0-1: CONNACK first
    connack_code_ = p.return_code;
    switch (p.return_code) {
      case 0: break;
      case 1: return Status::kNotSupported;     // unacceptable protocol version
      case 3: return Status::kBusy;             // server unavailable
      default: return Status::kInvalidArgument; // id rejected, bad credentials, not authorised
    }
    ++stats_.connacks;
    state_ = MqttState::kConnected;
    session_present_ = p.session_present;
    reconnect_delay_ms_ = 0;
    return resend_all(now_ms, false);  // MQTT-4.4.0-1, original order
  }
  switch (p.type) {
    case MqttType::kPuback: {
      for (MqttSlot& s : slots_) {
        if (s.packet_id == p.packet_id && s.sent != 0) {
          const std::uint32_t tag = s.tag;
          s.packet_id = 0;
          --in_flight_;
          ++stats_.acks;
          if (transport_.on_ack != nullptr) transport_.on_ack(transport_.ctx, p.packet_id, tag);
          return Status::kOk;
        }
      }
      ++stats_.stray_acks;
      return Status::kOk;
    }
    case MqttType::kPingresp:
      ping_outstanding_ = false;
      return Status::kOk;
    case MqttType::kPublish: {
      if (p.qos > 1) return Status::kCorrupt;  // never subscribed with QoS 2
      ++stats_.inbound;
      if (p.qos == 1) {
        std::uint8_t ack[4];
        std::size_t n = 0;
        TINYSENSE_TRY(mqtt_encode_puback(p.packet_id, Span<std::uint8_t>(ack), &n));
        return send(ack, n, now_ms);
      }
      return Status::kOk;
    }
    default:  // second CONNACK, QoS 2 flow, SUBACK/UNSUBACK without a request
      return Status::kCorrupt;
  }
}

Status MqttClient::process_rx(std::uint32_t now_ms) noexcept {
  std::size_t start = 0;
  while (state_ != MqttState::kDisconnected) {
    const Span<const std::uint8_t> pending(rx_.data() + start, rx_len_ - start);
    MqttPacket p;
    const Status s = mqtt_parse_server_packet(pending, &p);
    if (s == Status::kNoData) {
      // A packet larger than the receive buffer can never complete.
      std::uint32_t rl = 0;
      std::size_t used = 0;
      if (pending.size() >= 2 &&
          mqtt_decode_remaining_length(pending.subspan(1), &rl, &used) == Status::kOk &&
          1 + used + static_cast<std::size_t>(rl) > rx_.size()) {
        return fail(Status::kCorrupt, now_ms);
      }
      if (start == 0 && rx_len_ == rx_.size()) return fail(Status::kCorrupt, now_ms);
      break;
    }
    if (s != Status::kOk) return fail(Status::kCorrupt, now_ms);
    start += p.size;
    const Status h = handle(p, now_ms);
    if (h != Status::kOk) return fail(h, now_ms);
  }
  if (state_ == MqttState::kDisconnected) {
    rx_len_ = 0;
    return Status::kOk;
  }
  if (start > 0) {
    std::memmove(rx_.data(), rx_.data() + start, rx_len_ - start);
    rx_len_ -= start;
  }
  return Status::kOk;
}

Status MqttClient::feed(Span<const std::uint8_t> bytes, std::uint32_t now_ms) noexcept {
  if (!ready_) return Status::kNotInitialized;
  std::size_t off = 0;
  // Bytes arriving while disconnected belong to a dead connection: dropped.
  while (off < bytes.size() && state_ != MqttState::kDisconnected) {
    std::size_t n = rx_.size() - rx_len_;
    if (n > bytes.size() - off) n = bytes.size() - off;
    std::memcpy(rx_.data() + rx_len_, bytes.data() + off, n);
    rx_len_ += n;
    off += n;
    TINYSENSE_TRY(process_rx(now_ms));
  }
  return Status::kOk;
}

Status MqttClient::poll(std::uint32_t now_ms) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (transport_.recv != nullptr) {
    // Bounded: a flood of input cannot keep poll() from returning.
    for (int i = 0; i < 64 && state_ != MqttState::kDisconnected; ++i) {
      std::size_t got = 0;
      const std::size_t cap = rx_.size() - rx_len_;
      if (transport_.recv(transport_.ctx, rx_.data() + rx_len_, cap, &got) != Status::kOk) {
        return fail(Status::kIoError, now_ms);
      }
      if (got == 0) break;
      if (got > cap) return fail(Status::kIoError, now_ms);  // transport broke its contract
      rx_len_ += got;
      TINYSENSE_TRY(process_rx(now_ms));
    }
  }
  if (state_ == MqttState::kConnecting) {
    if (reached(now_ms, deadline_ms_)) return fail(Status::kTimeout, now_ms);
    return Status::kOk;
  }
  if (state_ != MqttState::kConnected) return Status::kOk;
  if (ping_outstanding_ && reached(now_ms, deadline_ms_)) return fail(Status::kTimeout, now_ms);
  if (resend_all(now_ms, true) != Status::kOk) return fail(Status::kIoError, now_ms);
  const std::uint32_t keep_ms = 1000u * config_.connect.keep_alive_s;
  if (keep_ms > 0 && !ping_outstanding_ && reached(now_ms, last_tx_ms_ + keep_ms)) {
    const std::uint8_t ping[2] = {0xC0, 0x00};
    if (send(ping, 2, now_ms) != Status::kOk) return fail(Status::kIoError, now_ms);
    ++stats_.pings;
    ping_outstanding_ = true;
    deadline_ms_ = now_ms + (config_.ping_timeout_ms != 0 ? config_.ping_timeout_ms : keep_ms);
  }
  return Status::kOk;
}

Status MqttClient::disconnect(std::uint32_t now_ms) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (state_ == MqttState::kConnected) {
    const std::uint8_t pkt[2] = {0xE0, 0x00};
    (void)send(pkt, 2, now_ms);  // closing anyway: a failure changes nothing
  }
  drop(now_ms);
  reconnect_delay_ms_ = 0;  // a chosen disconnect needs no backoff
  return Status::kOk;
}

}  // namespace tinysense::node
