// Python: tinysense.MqttClient, the C++ QoS 1 client (tinysense/node/mqtt.hpp)
// behind a byte-buffer transport, plus the packet codec functions.
//
// The adapter owns no socket: bytes the client sends accumulate in an outbox
// (take_output()), received bytes go in through feed(). The fleet simulator
// and the integration tests move them over real sockets, so the node-side
// code is what talks to the broker.
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "tinysense/node/mqtt.hpp"

namespace tinysense::py {
namespace {

using node::MqttClient;
using node::MqttConfig;
using node::MqttSlot;
using node::MqttState;

class PyMqttClient {
 public:
  PyMqttClient(std::string client_id, std::optional<std::string> username,
               std::optional<std::string> password, int keep_alive, bool clean_session,
               std::size_t window, std::size_t max_packet, std::size_t rx_bytes,
               std::uint32_t ack_timeout_ms, std::uint32_t ack_timeout_max_ms,
               std::uint32_t connack_timeout_ms, std::uint32_t reconnect_min_ms,
               std::uint32_t reconnect_max_ms)
      : client_id_(std::move(client_id)), username_(std::move(username)),
        password_(std::move(password)) {
    if (keep_alive < 0 || keep_alive > 65535) throw pyb::value_error("keep_alive: 0..65535 s");
    if (window < 1 || window > 4096) throw pyb::value_error("window: 1..4096");
    if (max_packet < 16 || max_packet > 65535) throw pyb::value_error("max_packet: 16..65535");
    slots_.resize(window);
    storage_.resize(window * max_packet);
    rx_.resize(rx_bytes);
    MqttConfig cfg;
    cfg.connect.client_id = client_id_.c_str();
    cfg.connect.username = username_ ? username_->c_str() : nullptr;
    cfg.connect.password = password_ ? password_->c_str() : nullptr;
    cfg.connect.keep_alive_s = static_cast<std::uint16_t>(keep_alive);
    cfg.connect.clean_session = clean_session;
    cfg.ack_timeout_ms = ack_timeout_ms;
    cfg.ack_timeout_max_ms = ack_timeout_max_ms;
    cfg.connack_timeout_ms = connack_timeout_ms;
    cfg.reconnect_min_ms = reconnect_min_ms;
    cfg.reconnect_max_ms = reconnect_max_ms;
    node::MqttTransport t;
    t.ctx = this;
    t.send = [](void* ctx, const std::uint8_t* d, std::size_t n) {
      auto* self = static_cast<PyMqttClient*>(ctx);
      if (self->fail_sends_ > 0) {
        --self->fail_sends_;
        return Status::kIoError;
      }
      self->out_.append(reinterpret_cast<const char*>(d), n);
      return Status::kOk;
    };
    t.on_ack = [](void* ctx, std::uint16_t, std::uint32_t tag) {
      static_cast<PyMqttClient*>(ctx)->acks_.push_back(tag);
    };
    check(client_.init(cfg, t, Span<MqttSlot>(slots_.data(), slots_.size()),
                       Span<std::uint8_t>(storage_.data(), storage_.size()),
                       Span<std::uint8_t>(rx_.data(), rx_.size())),
          "MqttClient");
  }
  PyMqttClient(const PyMqttClient&) = delete;
  PyMqttClient& operator=(const PyMqttClient&) = delete;

  int connect(std::uint32_t now) { return static_cast<int>(client_.connect(now)); }
  // Returns the packet id, or 0 when the window is full.
  int publish(const std::string& topic, const pyb::bytes& payload, std::uint32_t tag,
              std::uint32_t now) {
    const std::string_view p = payload;
    std::uint16_t id = 0;
    const Status s = client_.publish(
        topic.c_str(), Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(p.data()), p.size()),
        tag, now, &id);
    if (s == Status::kBusy) return 0;
    check(s, "MqttClient.publish");
    return id;
  }
  int feed(const pyb::bytes& data, std::uint32_t now) {
    const std::string_view d = data;
    return static_cast<int>(client_.feed(
        Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(d.data()), d.size()), now));
  }
  int poll(std::uint32_t now) { return static_cast<int>(client_.poll(now)); }
  int disconnect(std::uint32_t now) { return static_cast<int>(client_.disconnect(now)); }
  void on_disconnect(std::uint32_t now) { client_.on_disconnect(now); }
  bool connect_due(std::uint32_t now) const { return client_.connect_due(now); }
  pyb::bytes take_output() {
    pyb::bytes b(out_);
    out_.clear();
    return b;
  }
  std::vector<std::uint32_t> take_acks() {
    std::vector<std::uint32_t> a;
    a.swap(acks_);
    return a;
  }
  std::string state() const {
    switch (client_.state()) {
      case MqttState::kDisconnected: return "disconnected";
      case MqttState::kConnecting: return "connecting";
      case MqttState::kConnected: return "connected";
    }
    return "?";
  }
  pyb::dict stats() const {
    const node::MqttStats& s = client_.stats();
    pyb::dict d;
    d["connects"] = s.connects;
    d["connacks"] = s.connacks;
    d["publishes"] = s.publishes;
    d["resends"] = s.resends;
    d["acks"] = s.acks;
    d["stray_acks"] = s.stray_acks;
    d["pings"] = s.pings;
    d["drops"] = s.drops;
    d["protocol_errors"] = s.protocol_errors;
    d["timeouts"] = s.timeouts;
    d["inbound"] = s.inbound;
    return d;
  }

  MqttClient client_;
  int fail_sends_ = 0;

 private:
  std::string client_id_;
  std::optional<std::string> username_, password_;
  std::vector<MqttSlot> slots_;
  std::vector<std::uint8_t> storage_, rx_;
  std::string out_;
  std::vector<std::uint32_t> acks_;
};

pyb::dict packet_dict(const node::MqttPacket& p) {
  pyb::dict d;
  d["type"] = static_cast<int>(p.type);
  d["flags"] = p.flags;
  d["size"] = p.size;
  d["packet_id"] = p.packet_id;
  d["session_present"] = p.session_present;
  d["return_code"] = p.return_code;
  d["qos"] = p.qos;
  d["dup"] = p.dup;
  d["retain"] = p.retain;
  d["topic"] = pyb::bytes(reinterpret_cast<const char*>(p.topic.data()), p.topic.size());
  d["payload"] = pyb::bytes(reinterpret_cast<const char*>(p.payload.data()), p.payload.size());
  return d;
}

void bind(pyb::module_& m) {
  pyb::class_<PyMqttClient>(m, "MqttClient",
                            "MQTT 3.1.1 QoS 1 client (C++, tinysense/node/mqtt.hpp) over a byte "
                            "outbox: take_output() -> bytes to send, feed(bytes) <- received. "
                            "connect/feed/poll/disconnect return a Status value (0 ok; non-zero: "
                            "the client dropped the connection, close the socket). Times in ms.")
      .def(pyb::init<std::string, std::optional<std::string>, std::optional<std::string>, int,
                     bool, std::size_t, std::size_t, std::size_t, std::uint32_t, std::uint32_t,
                     std::uint32_t, std::uint32_t, std::uint32_t>(),
           pyb::arg("client_id"), pyb::arg("username") = pyb::none(),
           pyb::arg("password") = pyb::none(), pyb::arg("keep_alive") = 60,
           pyb::arg("clean_session") = false, pyb::arg("window") = 16,
           pyb::arg("max_packet") = 256, pyb::arg("rx_bytes") = 256,
           pyb::arg("ack_timeout_ms") = 5000, pyb::arg("ack_timeout_max_ms") = 60000,
           pyb::arg("connack_timeout_ms") = 10000, pyb::arg("reconnect_min_ms") = 500,
           pyb::arg("reconnect_max_ms") = 30000)
      .def("connect", &PyMqttClient::connect, pyb::arg("now_ms"))
      .def("publish", &PyMqttClient::publish, pyb::arg("topic"), pyb::arg("payload"),
           pyb::arg("tag"), pyb::arg("now_ms"),
           "QoS 1 publish; returns the packet id, 0 when the window is full.")
      .def("feed", &PyMqttClient::feed, pyb::arg("data"), pyb::arg("now_ms"))
      .def("poll", &PyMqttClient::poll, pyb::arg("now_ms"))
      .def("disconnect", &PyMqttClient::disconnect, pyb::arg("now_ms"))
      .def("on_disconnect", &PyMqttClient::on_disconnect, pyb::arg("now_ms"))
      .def("connect_due", &PyMqttClient::connect_due, pyb::arg("now_ms"))
      .def("take_output", &PyMqttClient::take_output)
      .def("take_acks", &PyMqttClient::take_acks, "Tags of publishes acknowledged since the last call.")
      .def_property_readonly("state", &PyMqttClient::state)
      .def_property_readonly("in_flight", [](const PyMqttClient& c) { return c.client_.in_flight(); })
      .def_property_readonly("window", [](const PyMqttClient& c) { return c.client_.window(); })
      .def_property_readonly("connack_code", [](const PyMqttClient& c) { return c.client_.connack_code(); })
      .def_property_readonly("session_present",
                             [](const PyMqttClient& c) { return c.client_.session_present(); })
      .def_property_readonly("stats", &PyMqttClient::stats)
      .def_readwrite("fail_sends", &PyMqttClient::fail_sends_,
                     "Test hook: the next N transport sends fail.");

  m.def(
      "mqtt_encode_connect",
      [](const std::string& client_id, std::optional<std::string> username,
         std::optional<std::string> password, int keep_alive, bool clean_session) {
        node::MqttConnectOptions o;
        o.client_id = client_id.c_str();
        o.username = username ? username->c_str() : nullptr;
        o.password = password ? password->c_str() : nullptr;
        if (keep_alive < 0 || keep_alive > 65535) throw pyb::value_error("keep_alive: 0..65535");
        o.keep_alive_s = static_cast<std::uint16_t>(keep_alive);
        o.clean_session = clean_session;
        std::string out(node::mqtt_connect_bytes(o), '\0');
        std::size_t n = 0;
        check(node::mqtt_encode_connect(
                  o, Span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()), &n),
              "mqtt_encode_connect");
        return pyb::bytes(out.data(), n);
      },
      pyb::arg("client_id"), pyb::arg("username") = pyb::none(), pyb::arg("password") = pyb::none(),
      pyb::arg("keep_alive") = 60, pyb::arg("clean_session") = false, "CONNECT packet bytes.");
  m.def(
      "mqtt_encode_publish",
      [](const std::string& topic, const pyb::bytes& payload, int qos, bool retain, bool dup,
         int packet_id) {
        const std::string_view p = payload;
        if (qos < 0 || qos > 1 || packet_id < 0 || packet_id > 65535) {
          throw pyb::value_error("mqtt_encode_publish: qos 0/1, packet_id 0..65535");
        }
        std::string out(node::mqtt_publish_bytes(topic.size(), p.size(), static_cast<std::uint8_t>(qos)) + 1, '\0');
        std::size_t n = 0;
        check(node::mqtt_encode_publish(
                  Span<const char>(topic.data(), topic.size()),
                  Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(p.data()), p.size()),
                  static_cast<std::uint8_t>(qos), retain, dup, static_cast<std::uint16_t>(packet_id),
                  Span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(out.data()), out.size()), &n),
              "mqtt_encode_publish");
        return pyb::bytes(out.data(), n);
      },
      pyb::arg("topic"), pyb::arg("payload"), pyb::arg("qos") = 1, pyb::arg("retain") = false,
      pyb::arg("dup") = false, pyb::arg("packet_id") = 1, "PUBLISH packet bytes.");
  m.def(
      "mqtt_parse_server_packet",
      [](const pyb::bytes& data) -> pyb::object {
        const std::string_view d = data;
        node::MqttPacket p;
        const Status s = node::mqtt_parse_server_packet(
            Span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(d.data()), d.size()), &p);
        if (s == Status::kNoData) return pyb::none();
        check(s, "mqtt_parse_server_packet");
        return packet_dict(p);
      },
      pyb::arg("data"),
      "Parses the server packet at the start of data: a dict, None when incomplete, ValueError "
      "when malformed.");
}

const Binder registered("mqtt", bind);

}  // namespace
}  // namespace tinysense::py
