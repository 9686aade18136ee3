"""MQTT payloads of tinysense nodes (see include/tinysense/node/uplink.hpp).

Record envelope, topic tinysense/<node>/rec:
    0x54 'T' | 0x01 | n (1..64) | node id (n bytes, [A-Za-z0-9._-]) | record
where `record` is the compact record encoding (include/tinysense/node/record.hpp;
python/tinysense/records.py when present): u8 version<<5|kind, varint seq,
varint timestamp, then tagged fields.

Relayed BLE advert, topic tinysense/<relay>/ble, JSON:
    {"mac": "54:48:E6:8F:80:A5", "adv": "<hex of the advertising data>", "rssi": -60}

Everything here validates its input and raises PayloadError (a ValueError).
"""
import json
import re

from .. import records

ENVELOPE_MAGIC = 0x54
ENVELOPE_VERSION = 0x01
NODE_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
TOPIC_RE = re.compile(r"^tinysense/([A-Za-z0-9._-]{1,64})/(rec|ble)$")


class PayloadError(ValueError):
    """A payload that does not follow its format."""


def valid_node_id(node_id):
    return isinstance(node_id, str) and NODE_ID_RE.match(node_id) is not None


def parse_topic(topic):
    """'tinysense/<node>/<leaf>' -> (node, leaf) or None."""
    m = TOPIC_RE.match(topic)
    return (m.group(1), m.group(2)) if m else None


def encode_envelope(node_id, record):
    if not valid_node_id(node_id):
        raise PayloadError(f"bad node id {node_id!r}")
    if not record:
        raise PayloadError("empty record")
    nid = node_id.encode("ascii")
    return bytes([ENVELOPE_MAGIC, ENVELOPE_VERSION, len(nid)]) + nid + bytes(record)


def decode_envelope(payload):
    """-> (node_id, record bytes)."""
    p = bytes(payload)
    if len(p) < 4 or p[0] != ENVELOPE_MAGIC:
        raise PayloadError("not a tinysense record envelope")
    if p[1] != ENVELOPE_VERSION:
        raise PayloadError(f"envelope version {p[1]} not supported")
    n = p[2]
    if n < 1 or n > 64 or len(p) < 3 + n + 1:
        raise PayloadError("envelope truncated or bad node id length")
    node_id = p[3:3 + n].decode("ascii", "replace")
    if not valid_node_id(node_id):
        raise PayloadError(f"bad node id {node_id!r}")
    return node_id, p[3 + n:]


# ---- compact record (include/tinysense/node/record.hpp, tinysense.records) --------

def encode_record(seq, timestamp=0, kind=0, temperature_centi=None, humidity_centi=None,
                  battery_mv=None):
    """A version-1 record with the common measurement fields (tinysense.records)."""
    fields = []
    if temperature_centi is not None:
        fields.append(("temperature", temperature_centi))
    if humidity_centi is not None:
        fields.append(("humidity", humidity_centi))
    if battery_mv is not None:
        fields.append(("battery", battery_mv))
    return records.encode_record(kind, seq, timestamp, fields)


def _values(fields):
    """Decoded record fields -> {name: value} in physical units."""
    v = {}
    for f in fields:
        name = f[0]
        if name in ("temperature", "humidity"):
            v[name] = f[1] / 100.0
        elif name == "battery":
            v["battery_mv"] = f[1]
        elif name == "sound_level":
            v[f"sound_level_{f[1]:02x}"] = f[2] / 100.0
        elif name == "class":
            v["class"], v["confidence"] = f[1], round(f[2] / 255.0, 4)
        elif name == "features":
            v["features"] = list(f[1])
        elif name == "value":
            v[f"value_{f[1]}"] = f[2]
        # "ext": extension fields are opaque to the gateway
    return v


def decode_record(rec):
    """-> {"kind", "seq", "timestamp", "values": {name: value}}; PayloadError if invalid."""
    try:
        r = records.decode_record(rec)
    except records.RecordError as exc:
        raise PayloadError(str(exc)) from exc
    return {"kind": r.kind, "seq": r.seq, "timestamp": r.timestamp, "values": _values(r.fields)}


# ---- relayed BLE adverts -------------------------------------------------------------

MAC_RE = re.compile(r"^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$")


def encode_ble_relay(mac, adv, rssi=None):
    d = {"mac": mac.upper(), "adv": bytes(adv).hex()}
    if rssi is not None:
        d["rssi"] = int(rssi)
    return json.dumps(d, separators=(",", ":")).encode()


def decode_ble_relay(payload):
    """-> (mac bytes (6, display order), advert bytes, rssi or None)."""
    try:
        d = json.loads(bytes(payload).decode("utf-8"))
        mac, adv = d["mac"], bytes.fromhex(d["adv"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise PayloadError(f"bad BLE relay payload: {exc}") from exc
    if not isinstance(mac, str) or not MAC_RE.match(mac):
        raise PayloadError(f"bad MAC {mac!r}")
    if len(adv) > 255:
        raise PayloadError("advert longer than 255 bytes")
    rssi = d.get("rssi")
    if rssi is not None and not isinstance(rssi, int):
        raise PayloadError("rssi must be an integer")
    return bytes.fromhex(mac.replace(":", "")), adv, rssi
