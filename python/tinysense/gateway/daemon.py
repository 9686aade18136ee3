"""The tinysense gateway: MQTT in, validated measurements out to SQL.

Subscribes (QoS 1, persistent session, so nothing queued while it is away is
lost) to
  tinysense/<node>/rec   record envelopes from nodes (payload.py)
  tinysense/<relay>/ble  BLE adverts relayed as JSON + hex (payload.py)
and for each message:
  * record: the envelope's node id must equal the topic's (the broker's ACL
    already ties the topic to the authenticated user), the record must decode;
    stored under (node, seq).
  * BLE: BTHome v2 or the compact layout. A device with a key (keys file) must
    send encrypted frames whose MIC verifies (else "forged"; a plain frame
    from it is a downgrade, rejected) and whose counter grows (else "replay";
    the same frame heard again by a second relay is a duplicate). Stored under
    node "ble-<mac>" with seq = the counter, or the unwrapped packet id /
    compact sequence number for plain frames.
Every message is stored (committed) before paho acknowledges it, so a crash
of the gateway loses nothing the broker considers delivered. Duplicates are
dropped by the store's UNIQUE (node, seq).

Run: python3 -m tinysense.gateway.daemon --port 1883 --user gateway
     --password-file pw.txt --db gateway.sqlite [--keys keys.json]
"""
import argparse
import json
import logging
import signal
import threading
import time

from . import bthome, payload
from .store import open_store

log = logging.getLogger("tinysense.gateway")


class SeqUnwrapper:
    """Extends a wrapping sequence number (8 or 16 bits) to a monotonic one per
    node: the candidate nearest to the last value seen, so reordering by less
    than half the range and repeats map to the same extended number."""

    def __init__(self):
        self.last = {}

    def unwrap(self, key, raw, bits):
        mod = 1 << bits
        last = self.last.get(key)
        if last is None:
            ext = raw
        else:
            ext = last - (last % mod) + raw
            if ext < last - mod // 2:
                ext += mod
            elif ext > last + mod // 2 and ext >= mod:
                ext -= mod
        self.last[key] = max(ext, last if last is not None else ext)
        return ext


class ReplayGuard:
    """BTHome encrypted-frame counters per MAC: a frame must carry a counter
    above the last accepted one. Persisted through the store so a gateway
    restart does not reopen the replay window."""

    def __init__(self, store):
        self.store = store
        self.last = store.counters()
        self.last_frame = {}

    def check(self, mac, counter, frame):
        """'new', 'duplicate' (the last accepted frame again) or 'replay'."""
        last = self.last.get(mac)
        if last is None or counter > last:
            return "new"
        if counter == last and self.last_frame.get(mac) == frame:
            return "duplicate"
        return "replay"

    def accept(self, mac, counter, frame):
        self.last[mac] = counter
        self.last_frame[mac] = frame
        self.store.set_counter(mac, counter)


class Gateway:
    def __init__(self, store, host="127.0.0.1", port=1883, username="gateway", password=None,
                 keys=None, client_id="tinysense-gateway", keepalive=30):
        self.store = store
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.keys = {k.upper(): bytes.fromhex(v) if isinstance(v, str) else bytes(v)
                     for k, v in (keys or {}).items()}
        self.client_id = client_id
        self.keepalive = keepalive
        self.replay = ReplayGuard(store)
        self.unwrap = SeqUnwrapper()
        self.stats = {"received": 0, "stored": 0, "duplicates": 0, "rejected": 0, "connects": 0}
        self.stats.update({k: v for k, v in store.load_stats().items() if k in self.stats})
        self.connected = threading.Event()  # CONNACK accepted
        self.subscribed = threading.Event()  # SUBACK received: the session has its subscriptions
        self._lock = threading.Lock()

    # ---- message handling (no network: unit-testable) ----
    def _count(self, key, n=1):
        self.stats[key] = self.stats.get(key, 0) + n

    def _reject(self, topic, reason, data):
        self._count("rejected")
        self._count(f"rejected_{reason}")
        self.store.reject(topic, reason, data)
        log.warning("rejected %s from %s", reason, topic)
        return f"rejected:{reason}"

    def _store(self, node, seq, values, source, kind=0, node_time=None):
        if self.store.add(node, seq, values, source, kind, node_time):
            self._count("stored")
            return "stored"
        self._count("duplicates")
        return "duplicate"

    def handle(self, topic, data):
        """Processes one MQTT message; returns 'stored', 'duplicate' or
        'rejected:<reason>'. Commits before returning."""
        with self._lock:
            self._count("received")
            try:
                out = self._handle(topic, bytes(data))
            finally:
                self.store.commit()
            return out

    def _handle(self, topic, data):
        parsed = payload.parse_topic(topic)
        if parsed is None:
            return self._reject(topic, "topic", data)
        node, leaf = parsed
        if leaf == "rec":
            try:
                env_node, rec = payload.decode_envelope(data)
                r = payload.decode_record(rec)
            except payload.PayloadError:
                return self._reject(topic, "malformed", data)
            if env_node != node:  # a node naming another in its payload
                return self._reject(topic, "node_mismatch", data)
            return self._store(node, r["seq"], r["values"], "mqtt", r["kind"], r["timestamp"])
        return self._handle_ble(topic, node, data)

    def _handle_ble(self, topic, relay, data):
        try:
            mac, adv, rssi = payload.decode_ble_relay(data)
        except payload.PayloadError:
            return self._reject(topic, "malformed", data)
        mac_s = ":".join(f"{b:02X}" for b in mac)
        node = "ble-" + mac.hex()
        key = self.keys.get(mac_s)
        try:
            ad = bthome.decode_advert(adv, mac, key)
        except bthome.ForgedError:
            return self._reject(topic, "forged", data)
        except bthome.AdvertError:
            return self._reject(topic, "malformed", data)
        extra = {"relay": relay}
        if rssi is not None:
            extra["rssi"] = rssi
        if ad.bthome is not None:
            f = ad.bthome
            values = {**f.values(), **extra}
            if f.encrypted:
                verdict = self.replay.check(mac_s, f.counter, adv)
                if verdict == "replay":
                    return self._reject(topic, "replay", data)
                if verdict == "duplicate":
                    self._count("duplicates")
                    return "duplicate"
                self.replay.accept(mac_s, f.counter, adv)
                return self._store(node, f.counter, values, "ble")
            if key is not None:  # a keyed device never sends in the clear
                return self._reject(topic, "downgrade", data)
            pid = next((r.raw for r in f.readings if r.object_id == 0x00), None)
            seq = self.unwrap.unwrap(node, pid, 8) if pid is not None else int(time.time() * 1000)
            return self._store(node, seq, values, "ble")
        if ad.compact is not None:
            if key is not None:
                return self._reject(topic, "downgrade", data)
            c = ad.compact
            seq = self.unwrap.unwrap(node, c.sequence, 16)
            return self._store(node, seq, {"temperature": c.temperature_c, **extra}, "ble")
        return self._reject(topic, "no_sensor_data", data)

    def save_stats(self):
        with self._lock:
            self.store.save_stats(self.stats)
            self.store.commit()

    # ---- MQTT ----
    def _make_client(self):
        import paho.mqtt.client as mqtt

        kwargs = dict(client_id=self.client_id, clean_session=False, protocol=mqtt.MQTTv311)
        if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt >= 2
            c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kwargs)
        else:
            c = mqtt.Client(**kwargs)
        if self.username:
            c.username_pw_set(self.username, self.password)

        def on_connect(client, userdata, flags, rc):
            if rc != 0:
                log.error("broker refused the gateway: %s", mqtt.connack_string(rc))
                return
            self._count("connects")
            client.subscribe([("tinysense/+/rec", 1), ("tinysense/+/ble", 1)])
            self.connected.set()
            log.info("connected to %s:%d", self.host, self.port)

        def on_disconnect(client, userdata, rc):
            self.connected.clear()
            self.subscribed.clear()

        def on_subscribe(client, userdata, mid, granted_qos):
            self.subscribed.set()

        def on_message(client, userdata, msg):
            self.handle(msg.topic, msg.payload)

        c.on_connect, c.on_disconnect, c.on_message = on_connect, on_disconnect, on_message
        c.on_subscribe = on_subscribe
        return c

    def run(self, stop):
        """Serves until stop (a threading.Event) is set; reconnects with backoff."""
        client = self._make_client()
        backoff, first, last_stats = 0.05, True, time.monotonic()
        up = False
        while not stop.is_set():
            if not up:
                try:
                    if first:
                        client.connect(self.host, self.port, self.keepalive)
                        first = False
                    else:
                        client.reconnect()
                    up = True
                except OSError:
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 1.0)
                    continue
            rc = client.loop(timeout=0.05)
            if rc != 0:
                up = False
                self.connected.clear()
                self.subscribed.clear()
                stop.wait(backoff)
                backoff = min(backoff * 2, 1.0)
            elif self.connected.is_set():
                backoff = 0.05
            if time.monotonic() - last_stats > 1.0:
                self.save_stats()
                last_stats = time.monotonic()
        try:
            client.disconnect()
        except Exception:  # noqa: BLE001 - already gone
            pass
        self.save_stats()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=1883)
    ap.add_argument("--user", default="gateway")
    ap.add_argument("--password-file", help="file whose first line is the gateway's password")
    ap.add_argument("--db", default="gateway.sqlite", help="SQLite path or postgresql:// URL")
    ap.add_argument("--keys", help='JSON {"54:48:E6:8F:80:A5": "<32 hex digits>"} of BTHome keys')
    ap.add_argument("--client-id", default="tinysense-gateway")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    password = None
    if a.password_file:
        with open(a.password_file) as f:
            password = f.readline().rstrip("\n")
    keys = {}
    if a.keys:
        with open(a.keys) as f:
            keys = json.load(f)
    store = open_store(a.db)
    gw = Gateway(store, a.host, a.port, a.user, password, keys, a.client_id)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    gw.run(stop)
    store.close()
    print(json.dumps(gw.stats, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
