"""Gateway logic without a broker: payload formats, storage idempotency,
forged / replayed / downgraded BLE frames, sequence unwrapping, status view."""
import json
import os
import subprocess
import sys

import pytest

import tinysense as ts
from tinysense.gateway import payload as pl
from tinysense.gateway import status
from tinysense.gateway.daemon import Gateway, SeqUnwrapper
from tinysense.gateway.store import open_store

KEY = bytes.fromhex("231d39c1d7cc1ab1aee224cd096db932")
MAC = bytes.fromhex("5448E68F80A5")
MAC_S = "54:48:E6:8F:80:A5"


@pytest.fixture
def gw(tmp_path):
    store = open_store(str(tmp_path / "gw.sqlite"))
    g = Gateway(store, keys={MAC_S: KEY.hex()})
    yield g
    store.close()


def rec(node, seq, **kw):
    return pl.encode_envelope(node, pl.encode_record(seq, **kw))


def test_envelope_layout_matches_the_node_side():
    # Same bytes as tests/cpp/test_uplink.cpp (envelope_bytes_exact).
    record = bytes([0x20, 0x05, 0x10, 0x01, 0x34, 0x12])
    env = pl.encode_envelope("n-07", record)
    assert env == bytes([0x54, 0x01, 4]) + b"n-07" + record
    assert pl.decode_envelope(env) == ("n-07", record)
    for bad in (b"", b"T", bytes([0x55, 1, 1, 65, 0]), bytes([0x54, 2, 1, 65, 0]),
                bytes([0x54, 1, 0, 0]), bytes([0x54, 1, 5, 65]), bytes([0x54, 1, 1, 0x2F, 0])):
        with pytest.raises(pl.PayloadError):
            pl.decode_envelope(bad)
    with pytest.raises(pl.PayloadError):
        pl.encode_envelope("a/b", record)


def test_record_codec_is_strict():
    r = pl.encode_record(300, timestamp=7, temperature_centi=-1234, humidity_centi=5055, battery_mv=2950)
    assert pl.decode_record(r) == {"kind": 0, "seq": 300, "timestamp": 7, "values": {
        "temperature": -12.34, "humidity": 50.55, "battery_mv": 2950}}
    for bad in (b"", bytes([0x40, 0, 0]),  # version 2
                bytes([0x20, 0x80, 0x00, 0x00]),  # non-minimal varint
                bytes([0x20, 0x01]),  # truncated header
                bytes([0x20, 0x01, 0x00, 0x01, 0x00]),  # truncated field
                bytes([0x20, 0x01, 0x00, 0x08]),  # invalid tag
                bytes([0x20, 0x01, 0x00, 0x02, 0x11, 0x27])):  # humidity 100.01 %
        with pytest.raises(pl.PayloadError):
            pl.decode_record(bad)
    # Extensions (tags >= 0x80) are skipped.
    assert pl.decode_record(bytes([0x20, 0x01, 0x00, 0x90, 0x02, 0xAA, 0xBB]))["values"] == {}


def test_records_stored_once_and_mismatch_rejected(gw):
    assert gw.handle("tinysense/n1/rec", rec("n1", 0, temperature_centi=2000)) == "stored"
    assert gw.handle("tinysense/n1/rec", rec("n1", 0, temperature_centi=2000)) == "duplicate"
    assert gw.handle("tinysense/n1/rec", rec("n1", 1)) == "stored"
    assert gw.handle("tinysense/n1/rec", rec("n2", 2)) == "rejected:node_mismatch"
    assert gw.handle("tinysense/n1/rec", b"\x54\x01garbage") == "rejected:malformed"
    assert gw.handle("other/n1/rec", rec("n1", 3)) == "rejected:topic"
    db = gw.store.db
    assert db.execute("SELECT COUNT(*) FROM measurements").fetchone()[0] == 2
    assert gw.stats["duplicates"] == 1 and gw.stats["rejected"] == 3
    assert db.execute("SELECT COUNT(*) FROM rejects").fetchone()[0] == 3


def relay(adv, mac=MAC_S, rssi=-60):
    return pl.encode_ble_relay(mac, adv, rssi)


def test_encrypted_ble_replay_forgery_downgrade(gw, tmp_path):
    def adv(counter, temp=2100):
        return ts.ble_advert(bthome=[(0x02, temp)], key=KEY, mac=MAC, counter=counter)

    assert gw.handle("tinysense/r1/ble", relay(adv(10))) == "stored"
    assert gw.handle("tinysense/r2/ble", relay(adv(10))) == "duplicate"  # heard by a 2nd relay
    assert gw.handle("tinysense/r1/ble", relay(adv(10, 2200))) == "rejected:replay"
    assert gw.handle("tinysense/r1/ble", relay(adv(9))) == "rejected:replay"
    forged = bytearray(adv(11))
    forged[-1] ^= 0x01
    assert gw.handle("tinysense/r1/ble", relay(bytes(forged))) == "rejected:forged"
    assert gw.handle("tinysense/r1/ble", relay(ts.ble_advert(bthome=[(0x02, 1)]))) == "rejected:downgrade"
    assert gw.handle("tinysense/r1/ble", relay(adv(11))) == "stored"
    rows = gw.store.db.execute("SELECT node, seq, vals FROM measurements ORDER BY seq").fetchall()
    assert [(n, s) for n, s, _ in rows] == [("ble-5448e68f80a5", 10), ("ble-5448e68f80a5", 11)]
    assert json.loads(rows[0][2]) == {"temperature": 21.0, "relay": "r1", "rssi": -60}
    # The counter survives a gateway restart: an old frame stays a replay.
    gw.store.commit()
    g2 = Gateway(open_store(gw.store.path), keys={MAC_S: KEY.hex()})
    assert g2.handle("tinysense/r1/ble", relay(adv(11))) == "rejected:replay"
    assert g2.handle("tinysense/r1/ble", relay(adv(12))) == "stored"


def test_same_counter_different_frame_is_a_replay(gw):
    a = ts.ble_advert(bthome=[(0x02, 1)], key=KEY, mac=MAC, counter=5)
    b = ts.ble_advert(bthome=[(0x02, 2)], key=KEY, mac=MAC, counter=5)
    assert gw.handle("tinysense/r1/ble", relay(a)) == "stored"
    assert gw.handle("tinysense/r1/ble", relay(b)) == "rejected:replay"


def test_plain_ble_compact_and_packet_id_unwrap(gw):
    other = "11:22:33:44:55:66"
    for seq in (65534, 65535, 0, 1, 1):
        out = gw.handle("tinysense/r1/ble", relay(ts.ble_advert(compact=(seq, 2345)), other))
    assert out == "duplicate"
    seqs = [s for (s,) in gw.store.db.execute(
        "SELECT seq FROM measurements WHERE node = 'ble-112233445566' ORDER BY seq")]
    assert seqs == [65534, 65535, 65536, 65537]
    u = SeqUnwrapper()
    assert [u.unwrap("x", r, 8) for r in (250, 255, 3, 2, 254, 10)] == [250, 255, 259, 258, 254, 266]
    assert gw.handle("tinysense/r1/ble", b"{not json") == "rejected:malformed"
    assert gw.handle("tinysense/r1/ble", relay(bytes.fromhex("020106"), other)) == \
        "rejected:no_sensor_data"
    assert gw.handle("tinysense/r1/ble", relay(bytes.fromhex("0516d2fc4006"), other)) == \
        "rejected:malformed"


def test_status_view(gw, tmp_path):
    for s in (0, 1, 2, 5, 6, 9):
        gw.handle("tinysense/a/rec", rec("a", s, temperature_centi=2000 + s))
    for s in range(3):
        gw.handle("tinysense/b/rec", rec("b", s, humidity_centi=4000))
    gw.save_stats()
    nodes, stats = status.summarize(gw.store.path)
    a = nodes[0]
    assert a["node"] == "a" and a["records"] == 6 and a["missing"] == 4
    assert a["gaps"] == [(3, 4), (7, 8)] and a["values"]["temperature"] == 20.09
    assert nodes[1]["missing"] == 0 and stats["stored"] == 9
    text = status.table(nodes, stats)
    assert "3-4,7-8" in text and "2 nodes, 9 records, 4 missing" in text
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    cli = subprocess.run([sys.executable, "-m", "tinysense.gateway.status", gw.store.path],
                         capture_output=True, text=True, env=env, check=True)
    assert "temperature=20.09" in cli.stdout
    page = tmp_path / "s.html"
    subprocess.run([sys.executable, "-m", "tinysense.gateway.status", gw.store.path, "--html",
                    str(page)], env=env, check=True)
    assert "<table>" in page.read_text() and 'class="gap"' in page.read_text()
