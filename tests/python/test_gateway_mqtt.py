"""The node's C++ MQTT client (tinysense._ext.MqttClient) against a real
Mosquitto started here (random 127.0.0.1 port, temp dir, auth + ACLs), with
the gateway storing into SQLite. The socket adapter below is test code: the
library itself opens no socket."""
import select
import socket
import threading
import time

import paho.mqtt.client as mqtt
import pytest

import tinysense as ts
from tinysense.gateway import payload as pl
from tinysense.gateway.broker import Mosquitto
from tinysense.gateway.daemon import Gateway
from tinysense.gateway.store import open_store

USERS = {"gateway": "gw-pw", "nodeA": "pw-A", "nodeB": "pw-B", "relay1": "pw-R"}
KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
MAC = bytes.fromhex("5448E68F80A5")


def now_ms():
    return int(time.monotonic() * 1000) & 0xFFFFFFFF


class SocketNode:
    """Host socket adapter: moves the C++ client's bytes over TCP."""

    def __init__(self, broker, user, password, **kw):
        self.broker = broker
        self.client = ts.MqttClient(user, username=user, password=password, **kw)
        self.sock = None
        self.acked = []
        self.reconnects = 0

    def connect(self, timeout=5.0):
        self.sock = socket.create_connection((self.broker.host, self.broker.port), timeout=2)
        self.sock.setblocking(False)
        assert self.client.connect(now_ms()) == 0
        return self.pump_until(lambda: self.client.state != "connecting", timeout)

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None
            self.client.on_disconnect(now_ms())

    def pump(self, wait=0.01, reconnect=False):
        if reconnect and self.sock is None and self.client.connect_due(now_ms()):
            self.sock = socket.create_connection((self.broker.host, self.broker.port), timeout=2)
            self.sock.setblocking(False)
            self.client.connect(now_ms())
            self.reconnects += 1
        out = self.client.take_output()
        try:
            if out and self.sock:
                self.sock.setblocking(True)
                self.sock.sendall(out)
                self.sock.setblocking(False)
            if self.sock:
                r, _, _ = select.select([self.sock], [], [], wait)
                if r:
                    data = self.sock.recv(65536)
                    if not data:
                        self.close()
                    elif self.client.feed(data, now_ms()) != 0:
                        self.close()
        except OSError:  # reset by the broker
            self.close()
        if self.sock and self.client.poll(now_ms()) != 0:
            self.close()
        self.acked += self.client.take_acks()
        if self.sock is None:
            time.sleep(wait)

    def pump_until(self, cond, timeout=5.0, reconnect=False):
        deadline = time.monotonic() + timeout
        while not cond() and time.monotonic() < deadline:
            self.pump(reconnect=reconnect)
        return cond()

    def publish(self, topic, data, tag):
        pid = self.client.publish(topic, data, tag, now_ms())
        assert pid > 0
        return pid


@pytest.fixture
def broker():
    with Mosquitto(USERS, verbose=True) as b:
        yield b


@pytest.fixture
def gateway(broker, tmp_path):
    store = open_store(str(tmp_path / "gw.sqlite"))
    gw = Gateway(store, broker.host, broker.port, "gateway", USERS["gateway"],
                 keys={"54:48:E6:8F:80:A5": KEY.hex()})
    stop = threading.Event()
    t = threading.Thread(target=gw.run, args=(stop,), daemon=True)
    t.start()
    assert gw.subscribed.wait(10), broker.log_tail()
    yield gw
    stop.set()
    t.join(10)
    store.close()


def rows(gw):
    with gw._lock:
        return gw.store.db.execute("SELECT node, seq FROM measurements ORDER BY node, seq").fetchall()


def wait_rows(gw, n, timeout=10.0):
    deadline = time.monotonic() + timeout
    while len(rows(gw)) < n and time.monotonic() < deadline:
        time.sleep(0.02)
    return rows(gw)


def test_cpp_client_publishes_through_mosquitto(broker, gateway):
    node = SocketNode(broker, "nodeA", USERS["nodeA"], window=8)
    assert node.connect(), broker.log_tail()
    assert node.client.state == "connected" and node.client.connack_code == 0
    for seq in range(50):
        node.pump_until(lambda: node.client.in_flight < node.client.window)
        node.publish("tinysense/nodeA/rec", pl.encode_envelope("nodeA", pl.encode_record(seq)), seq)
    assert node.pump_until(lambda: len(node.acked) == 50)
    assert sorted(node.acked) == list(range(50))
    assert wait_rows(gateway, 50) == [("nodeA", s) for s in range(50)]
    st = node.client.stats
    assert st["publishes"] == 50 and st["acks"] == 50 and st["protocol_errors"] == 0
    assert node.client.disconnect(now_ms()) == 0
    node.pump()
    node.close()


def test_resume_after_cut_resends_with_dup_and_nothing_is_lost(broker, gateway):
    node = SocketNode(broker, "nodeA", USERS["nodeA"], window=16, reconnect_min_ms=10)
    assert node.connect()
    for seq in range(16):
        node.publish("tinysense/nodeA/rec", pl.encode_envelope("nodeA", pl.encode_record(seq)), seq)
    out = node.client.take_output()
    node.sock.sendall(out[:len(out) // 2 + 3])  # cut in the middle of a packet
    node.close()
    time.sleep(0.05)
    assert node.connect()  # CONNACK (session present) -> the window is re-sent, DUP set
    assert node.client.session_present
    assert node.pump_until(lambda: len(node.acked) == 16)
    assert node.client.stats["resends"] >= 8
    assert wait_rows(gateway, 16) == [("nodeA", s) for s in range(16)]


def test_acl_node_cannot_publish_as_another(broker, gateway):
    a = SocketNode(broker, "nodeA", USERS["nodeA"], reconnect_min_ms=10)
    assert a.connect()
    # A's credentials, B's topic: the broker denies and drops it; Mosquitto 2.0
    # PUBACKs it, then closes the connection (MQTT-3.3.5-2 allows either).
    a.publish("tinysense/nodeB/rec", pl.encode_envelope("nodeB", pl.encode_record(1)), 1)
    # A's own topic but B's id inside: the gateway rejects the mismatch.
    a.publish("tinysense/nodeA/rec", pl.encode_envelope("nodeB", pl.encode_record(2)), 2)
    a.publish("tinysense/nodeA/rec", pl.encode_envelope("nodeA", pl.encode_record(3)), 3)
    # The client resumes after the broker's close; nothing of A's is lost.
    assert a.pump_until(lambda: sorted(a.acked) == [1, 2, 3], reconnect=True), a.acked
    assert wait_rows(gateway, 1) == [("nodeA", 3)]
    time.sleep(0.3)  # in-order delivery: anything else would have arrived by now
    assert rows(gateway) == [("nodeA", 3)]
    assert gateway.stats.get("rejected_node_mismatch") == 1
    assert "Denied PUBLISH from nodeA" in open(broker.log_path).read()
    # Wrong password: CONNACK 5 (not authorised) -> EINVAL, disconnected.
    bad = SocketNode(broker, "nodeB", "wrong")
    bad.connect()
    assert bad.client.state == "disconnected" and bad.client.connack_code == 5
    # B cannot read A's data either: only the gateway user may subscribe.
    b = SocketNode(broker, "nodeB", USERS["nodeB"])
    assert b.connect() and b.client.state == "connected"
    b.close()


def test_gateway_offline_loses_nothing(broker, tmp_path):
    store = open_store(str(tmp_path / "gw.sqlite"))
    gw = Gateway(store, broker.host, broker.port, "gateway", USERS["gateway"])
    stop = threading.Event()
    t = threading.Thread(target=gw.run, args=(stop,), daemon=True)
    t.start()
    assert gw.subscribed.wait(10)  # session + subscription created
    stop.set()
    t.join(10)
    node = SocketNode(broker, "nodeA", USERS["nodeA"], window=32)
    assert node.connect()
    for seq in range(20):
        node.publish("tinysense/nodeA/rec", pl.encode_envelope("nodeA", pl.encode_record(seq)), seq)
    assert node.pump_until(lambda: len(node.acked) == 20)
    broker.restart()  # queued for the gateway, saved across the restart
    stop2 = threading.Event()
    t2 = threading.Thread(target=gw.run, args=(stop2,), daemon=True)
    t2.start()
    try:
        assert wait_rows(gw, 20) == [("nodeA", s) for s in range(20)]
    finally:
        stop2.set()
        t2.join(10)
        store.close()


def test_ble_relay_over_mqtt_rejects_replay(broker, gateway):
    r = SocketNode(broker, "relay1", USERS["relay1"])
    assert r.connect()
    adv = ts.ble_advert(bthome=[(0x02, 2506), (0x03, 5055)], key=KEY, mac=MAC, counter=100)
    old = ts.ble_advert(bthome=[(0x02, 2506)], key=KEY, mac=MAC, counter=99)
    for i, a in enumerate((adv, adv, old)):
        r.publish("tinysense/relay1/ble", pl.encode_ble_relay("54:48:E6:8F:80:A5", a, -70), i)
    assert r.pump_until(lambda: len(r.acked) == 3)
    assert wait_rows(gateway, 1) == [("ble-5448e68f80a5", 100)]
    deadline = time.monotonic() + 5
    while gateway.stats.get("rejected_replay", 0) < 1 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gateway.stats["rejected_replay"] == 1 and gateway.stats["duplicates"] >= 1


def _paho_client(client_id, user, pw):
    kw = dict(client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311)
    if hasattr(mqtt, "CallbackAPIVersion"):
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kw)
    else:
        c = mqtt.Client(**kw)
    c.username_pw_set(user, pw)
    return c


def test_connect_and_publish_bytes_equal_paho():
    """Byte-for-byte: our CONNECT and QoS 1 PUBLISH vs paho-mqtt's for the same options."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    c = _paho_client("node-1", "node-1", "s3cret")
    c.connect("127.0.0.1", port, keepalive=60)
    conn, _ = srv.accept()
    conn.settimeout(2)
    got = b""
    while len(got) < 2 or len(got) < 2 + got[1]:
        got += conn.recv(1024)
    assert got == ts.mqtt_encode_connect("node-1", "node-1", "s3cret", 60, False)
    conn.sendall(bytes.fromhex("20020000"))
    c.loop(0.2)
    c.publish("tinysense/node-1/rec", b"\x54\x01payload", qos=1)
    c.loop(0.2)
    data = conn.recv(1024)
    assert data == ts.mqtt_encode_publish("tinysense/node-1/rec", b"\x54\x01payload", 1, False,
                                          False, 1)
    conn.close()
    srv.close()
