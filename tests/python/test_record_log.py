"""Host tools of the node storage (python/tinysense/records.py) against the C++.

The C++ RecordLog (tinysense.RecordLog, on an emulated NOR flash) writes logs
under random workloads, power cuts, bit flips and garbage; the pure-Python
decode_log() must read every image exactly as the C++ mount() + read() do.
The record codec: Python and C++ encoders produce the same bytes, both
decoders the same fields, and both refuse the same damaged records.
"""
import random
import struct
import subprocess
import sys

import numpy as np
import pytest

import tinysense as ts
from tinysense import records as R

GEOMETRIES = [  # block_size, block_count, prog_size, drop_oldest
    (256, 4, 4, False),
    (512, 3, 1, True),
    (128, 2, 8, False),
    (1024, 6, 16, True),
    (4096, 3, 256, False),
]


def same(log, image=None):
    """decode_log(image) agrees with the C++ log on everything it exposes."""
    img = log.image() if image is None else image
    d = R.decode_log(img, *geom_of(log))
    assert d.records == log.records()
    assert d.unsent() == log.records(unsent=True)
    assert d.sent_end == log.sent_end
    assert d.next_seq == log.next_seq
    assert d.head_block == log.head_block
    if log.head_block is not None:
        assert d.oldest_block == log.oldest_block
    return d


_GEOM = {}


def geom_of(log):
    return _GEOM[id(log)]


def make_log(bs, bc, ps, drop, **kw):
    log = ts.RecordLog(bs, bc, ps, drop_oldest=drop, **kw)
    _GEOM[id(log)] = (bs, bc, ps)
    return log


def workload(log, rng, steps, acks=True):
    """Random appends (record-format payloads and raw bytes) and acks; returns seqs."""
    seqs = []
    for _ in range(steps):
        r = rng.random()
        if r < 0.7:
            if rng.random() < 0.5:
                data = R.encode_record("measurement", len(seqs), rng.randrange(1 << 20),
                                       [("temperature", rng.randrange(-4000, 4000)),
                                        ("humidity", rng.randrange(10001))])
            else:
                data = bytes(rng.randrange(256) for _ in range(rng.randrange(min(log.max_payload, 80) + 1)))
            try:
                seqs.append(log.append(data))
            except OSError:  # full of unsent records (drop_oldest off)
                pass
        elif acks and seqs:
            log.mark_sent(rng.choice(seqs))
        if rng.random() < 0.03:
            log.remount()
    return seqs


@pytest.mark.parametrize("bs,bc,ps,drop", GEOMETRIES)
def test_decoder_equals_cpp_on_random_workloads(bs, bc, ps, drop):
    rng = random.Random(bs * 31 + bc)
    log = make_log(bs, bc, ps, drop)
    same(log)  # blank flash
    for _ in range(6):
        workload(log, rng, 80)
        same(log)
    log.remount()
    same(log)
    assert log.violations == 0
    counts = log.erase_counts()
    assert counts.dtype == np.uint32 and counts.max() - counts.min() <= 1


@pytest.mark.parametrize("bs,bc,ps,drop", GEOMETRIES[:4])
@pytest.mark.parametrize("mode", ["clean", "prefix", "scatter"])
def test_decoder_equals_cpp_after_power_cuts(bs, bc, ps, drop, mode):
    rng = random.Random(hash((bs, mode)) & 0xFFFF)
    for trial in range(25):
        log = make_log(bs, bc, ps, drop)
        workload(log, rng, rng.randrange(10, 120))
        log.cut_power(rng.randrange(30), mode, seed=trial)
        try:
            workload(log, rng, 60)
        except OSError:
            pass  # the cut
        log.power_on()
        log.remount()
        same(log)
        workload(log, rng, 20)  # and it carries on
        log.remount()
        same(log)
        assert log.violations == 0


def test_decoder_equals_cpp_after_bit_flips_and_garbage():
    rng = random.Random(7)
    log = make_log(512, 5, 4, False)
    workload(log, rng, 200)
    pristine = log.image()
    base = same(log)
    flips = 0
    for _ in range(400):
        img = bytearray(pristine)
        for _ in range(rng.choice([1, 1, 2, 8])):
            img[rng.randrange(len(img))] ^= 1 << rng.randrange(8)
        log.load_image(bytes(img))
        d = same(log, bytes(img))
        got = dict(d.records)
        for seq, payload in base.records:  # nothing altered is returned
            assert got.get(seq, payload) == payload
        flips += 1
    garbage = bytes(rng.randrange(256) for _ in range(len(pristine)))
    log.load_image(garbage)
    assert same(log, garbage).records == []
    assert flips == 400


def test_decoder_refuses_what_mount_refuses():
    log = make_log(256, 4, 4, False)
    for i in range(20):
        log.append(bytes([i]) * 10)
    img = log.image()
    with pytest.raises(ValueError, match="another geometry"):
        R.decode_log(img, 256, 4, 8)
    with pytest.raises(ValueError):
        make_log(256, 4, 8, False).load_image(img)
    # Geometry detection from the headers.
    assert R.detect_geometry(img) == (256, 4, 4)
    assert R.decode_log(img).records == log.records()
    with pytest.raises(ValueError, match="no valid RecordLog"):
        R.detect_geometry(b"\xff" * 1024)


def test_full_log_and_acks_through_the_binding():
    log = make_log(256, 4, 4, False)
    n = 0
    with pytest.raises(OSError, match="no space"):
        for _ in range(1000):
            log.append(b"x" * 20)
            n += 1
    assert n == 18
    assert log.mark_sent(0) and log.mark_sent(1)
    assert log.mark_sent(2) is False and not log.sent_durable  # kept in RAM
    assert log.sent_end == 3
    same_d = R.decode_log(log.image(), 256, 4, 4)
    assert same_d.sent_end == 2  # what a reboot would see
    assert log.mark_sent(5) is True
    log.append(b"y")
    same(log)
    with pytest.raises(TypeError):
        log.append("text")
    with pytest.raises(TypeError):
        log.append(np.zeros(3, np.uint8))
    with pytest.raises(ValueError):
        log.mark_sent(10**6)
    with pytest.raises(ValueError):
        log.append(b"z" * (log.max_payload + 1))
    with pytest.raises(ValueError):
        ts.RecordLog(64, 4, 4)  # no room for a record
    with pytest.raises(ValueError):
        ts.RecordLog(256, 4, 3)


# ---- record codec -----------------------------------------------------------


def random_record(rng):
    fields = []
    for _ in range(rng.randrange(8)):
        t = rng.randrange(8)
        if t == 0:
            fields.append(("temperature", rng.randrange(-32768, 32768)))
        elif t == 1:
            fields.append(("humidity", rng.randrange(10001)))
        elif t == 2:
            fields.append(("sound_level", rng.randrange(256), rng.randrange(-32768, 32768)))
        elif t == 3:
            fields.append(("class", rng.randrange(256), rng.randrange(256)))
        elif t == 4:
            fields.append(("features", tuple(rng.randrange(-32768, 32768) for _ in range(rng.randrange(1, 256)))))
        elif t == 5:
            fields.append(("battery", rng.randrange(65536)))
        elif t == 6:
            fields.append(("value", rng.randrange(256), rng.randrange(-(1 << 31), 1 << 31) >> rng.randrange(32)))
        else:
            fields.append(("ext", rng.randrange(0x80, 0x100), bytes(rng.randrange(256) for _ in range(rng.randrange(256)))))
    return (rng.randrange(32), rng.randrange(1 << 32) >> rng.randrange(32),
            rng.randrange(1 << 32) >> rng.randrange(32), fields)


def test_python_and_cpp_codecs_agree():
    rng = random.Random(99)
    for _ in range(500):
        kind, seq, t, fields = random_record(rng)
        py = R.encode_record(kind, seq, t, fields)
        assert ts.record_encode(kind, seq, t, fields) == py
        assert ts.record_decode(py) == (kind, seq, t, fields)
        rec = R.decode_record(py)
        assert (rec.kind, rec.seq, rec.timestamp, rec.fields) == (kind, seq, t, fields)


def test_damaged_records_get_the_same_verdict():
    rng = random.Random(5)
    accepted = refused = 0
    for _ in range(3000):
        data = bytearray(R.encode_record(*random_record(rng)))
        for _ in range(rng.randrange(1, 4)):
            op = rng.randrange(3)
            if op == 0 and data:
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            elif op == 1:
                del data[rng.randrange(len(data) + 1):]
            else:
                data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
        data = bytes(data)
        try:
            want = R.decode_record(data)
        except R.RecordError:
            want = None
        if want is None:
            with pytest.raises(ValueError):
                ts.record_decode(data)
            refused += 1
        else:
            assert ts.record_decode(data) == (want.kind, want.seq, want.timestamp, want.fields)
            # canonical: re-encoding gives back the same bytes
            assert R.encode_record(want.kind, want.seq, want.timestamp, want.fields) == data
            accepted += 1
    assert accepted > 100 and refused > 100


def test_encoder_rejects_what_the_format_cannot_carry():
    for bad in [("humidity", 10001), ("temperature", 40000), ("features", ()),
                ("features", (0,) * 256), ("ext", 0x7F, b""), ("ext", 0x80, b"x" * 256),
                ("class", 256, 0), ("value", 0, 1 << 31), ("pressure", 1)]:
        with pytest.raises(ValueError):
            R.encode_record(0, 0, 0, [bad])
        with pytest.raises(ValueError):
            ts.record_encode(0, 0, 0, [bad])
    with pytest.raises(ValueError):
        R.encode_record(32, 0, 0)
    with pytest.raises(ValueError):
        R.encode_record(0, 1 << 32, 0)
    # A typical measurement is 16 bytes.
    m = R.encode_record("measurement", 1000, 3600 * 24 * 7, [("temperature", 2315),
                                                             ("humidity", 4550), ("battery", 3010)])
    assert len(m) == 15
    assert R.confidence_u8(0.98) == 250 and R.sound_metric("A", "90") == 0x15


def test_cli_prints_a_dump(tmp_path):
    log = make_log(512, 4, 4, False)
    for i in range(12):
        log.append(R.encode_record("measurement", i, 60 * i, [("temperature", 2000 + i)]))
    log.append(b"\x00raw")
    log.mark_sent(3)
    path = tmp_path / "flash.bin"
    path.write_bytes(log.image())
    out = subprocess.run([sys.executable, "-m", "tinysense.records", str(path)],
                         capture_output=True, text=True, check=True, env=_env()).stdout
    lines = out.strip().splitlines()
    assert lines[0].startswith("# 4 blocks x 512 B") and len(lines) == 14
    assert "3\tsent\tmeasurement seq=3 t=180s temperature=2003" in out
    assert "12\tunsent\t00726177" in out
    out = subprocess.run([sys.executable, "-m", "tinysense.records", str(path), "--unsent", "--raw"],
                         capture_output=True, text=True, check=True, env=_env()).stdout
    assert len(out.strip().splitlines()) == 1 + 9


def _env():
    import os
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.dirname(os.path.dirname(R.__file__)) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_struct_layout_matches_the_design_doc():
    log = make_log(256, 4, 4, False)
    seq = log.append(b"hello")
    img = log.image()
    magic, version, ps, bs, bc, bseq, first, sent, crc = struct.unpack_from("<IHHIIIIII", img)
    assert (magic, version, ps, bs, bc, bseq, first, sent) == (0x474C5354, 1, 4, 256, 4, 0, 0, 0)
    assert img[:4] == b"TSLG"
    fseq, info, check = struct.unpack_from("<IHH", img, 32)
    assert (fseq, info) == (seq, 5) and img[40:45] == b"hello"
    assert img[49:52] == b"\xff" * 3  # padding to the 4-byte write unit
