"""Golden data of the record codec and of RecordLog images, from python/tinysense/records.py.

* Records encoded by the Python encoder (hand-written cases, fixed-seed random
  ones, every field type and the varint extremes), with the decoded fields the
  C++ decoder must report and the bytes its encoder must reproduce.
* Invalid records with the Status the C++ decoder must return.
* Two flash images laid out by an independent Python writer of the storage.md
  format (wrap-around, markers, a CRC-damaged frame, a damaged frame header, a
  torn tail, a dead spare full of old records, a lost head header), with what
  records.decode_log() reads from them: the C++ mount() + read() must agree.
* The fuzz seed corpus fuzz/corpus/fuzz_record, replayed by the C++ test.

`gen_record.py --corpus` (re)writes that corpus (records and log images).
Pure Python + numpy; run with /usr/bin/python3.
"""
import os
import random
import struct
import sys
import zlib

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
sys.path.insert(0, os.path.join(ROOT, "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense import records as R  # noqa: E402

K_CORRUPT, K_NOT_SUPPORTED = -84, -95
TYPE = {"temperature": 1, "humidity": 2, "sound_level": 3, "class": 4, "features": 5,
        "battery": 6, "value": 7, "ext": 0x80}

# ---- records ----------------------------------------------------------------

# Case 0 is rebuilt field by field with the typed C++ API in test_record.cpp.
HAND = [
    ("measurement", 1234, 86400, [("temperature", -1234), ("humidity", 4567), ("battery", 2950)]),
    ("classification", 0xFFFFFFFF, 0, [("class", 3, 250), ("features", (-32768, 0, 32767, -1))]),
    ("event", 0, 0xFFFFFFFF, [("sound_level", R.sound_metric("A", "eq"), 6543),
                              ("sound_level", R.sound_metric("C", "max"), -100),
                              ("value", 0, -(1 << 31)), ("value", 255, (1 << 31) - 1)]),
    ("status", 127, 128, [("ext", 0x80, b""), ("ext", 0xFF, bytes(range(255)))]),
    (31, 128, 16383, []),
    (4, 16384, 2097151, [("value", 1, 0), ("value", 2, -1), ("value", 3, 63), ("value", 4, -64),
                         ("value", 5, 64), ("humidity", 0), ("humidity", 10000)]),
]


def random_fields(rng):
    out = []
    for _ in range(rng.randrange(0, 7)):
        t = rng.choice(list(TYPE))
        if t == "temperature":
            out.append((t, rng.randrange(-32768, 32768)))
        elif t == "humidity":
            out.append((t, rng.randrange(0, 10001)))
        elif t == "sound_level":
            out.append((t, rng.randrange(256), rng.randrange(-32768, 32768)))
        elif t == "class":
            out.append((t, rng.randrange(256), rng.randrange(256)))
        elif t == "features":
            out.append((t, tuple(rng.randrange(-32768, 32768) for _ in range(rng.randrange(1, 40)))))
        elif t == "battery":
            out.append((t, rng.randrange(65536)))
        elif t == "value":
            out.append((t, rng.randrange(256), rng.randrange(-(1 << 31), 1 << 31) >> rng.randrange(32)))
        else:
            out.append((t, rng.randrange(0x80, 0x100), bytes(rng.randrange(256) for _ in range(rng.randrange(20)))))
    return out


def all_records():
    rng = random.Random(1234)
    recs = list(HAND)
    for _ in range(60):
        recs.append((rng.randrange(32), rng.randrange(1 << 32) >> rng.randrange(32),
                     rng.randrange(1 << 32) >> rng.randrange(32), random_fields(rng)))
    return [(R.encode_record(k, s, t, f), k, s, t, f) for k, s, t, f in recs]


BAD = [
    (b"", K_CORRUPT),
    (bytes([0x00, 1, 1]), K_NOT_SUPPORTED),     # version 0
    (bytes([0x40, 1, 1]), K_NOT_SUPPORTED),     # version 2
    (bytes([0x20]), K_CORRUPT),                 # no seq
    (bytes([0x20, 0x80]), K_CORRUPT),           # truncated varint
    (bytes([0x20, 0x05]), K_CORRUPT),           # no timestamp
    (bytes([0x20, 0x80, 0x00, 0x00]), K_CORRUPT),               # non-minimal varint
    (bytes([0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x00]), K_CORRUPT),  # above 2^32 - 1
    (bytes([0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0x8F, 0x01, 0x00]), K_CORRUPT),  # 6-byte varint
    (bytes([0x20, 1, 1, 0x00]), K_CORRUPT),     # tag 0
    (bytes([0x20, 1, 1, 0x08, 0, 0]), K_CORRUPT),  # unknown fixed tag
    (bytes([0x20, 1, 1, 0x7F, 0, 0]), K_CORRUPT),
    (bytes([0x20, 1, 1, 0x01, 0x10]), K_CORRUPT),  # temperature cut short
    (bytes([0x20, 1, 1, 0x02, 0x11, 0x27]), K_CORRUPT),  # humidity 10001
    (bytes([0x20, 1, 1, 0x03, 0x11, 0x00]), K_CORRUPT),  # sound level cut short
    (bytes([0x20, 1, 1, 0x04, 0x01]), K_CORRUPT),  # class cut short
    (bytes([0x20, 1, 1, 0x05, 0x00]), K_CORRUPT),  # zero features
    (bytes([0x20, 1, 1, 0x05, 0x03, 1, 0, 2, 0, 3]), K_CORRUPT),  # 3 features, 5 bytes
    (bytes([0x20, 1, 1, 0x05]), K_CORRUPT),
    (bytes([0x20, 1, 1, 0x06, 0x01]), K_CORRUPT),
    (bytes([0x20, 1, 1, 0x07]), K_CORRUPT),      # value without channel
    (bytes([0x20, 1, 1, 0x07, 0x01]), K_CORRUPT),  # value without varint
    (bytes([0x20, 1, 1, 0x07, 0x01, 0x80]), K_CORRUPT),
    (bytes([0x20, 1, 1, 0x07, 0x01, 0x80, 0x00]), K_CORRUPT),  # non-minimal zigzag
    (bytes([0x20, 1, 1, 0x90]), K_CORRUPT),      # extension without length
    (bytes([0x20, 1, 1, 0x90, 5, 1, 2, 3]), K_CORRUPT),  # extension cut short
    (bytes([0x20, 1, 1, 0x01, 0x10, 0x00, 0x09]), K_CORRUPT),  # good field then bad tag
]

# ---- log images: an independent writer of the storage.md layout -------------


def _round_up(x, a):
    return (x + a - 1) // a * a


def frame_bytes(seq, payload, ps, marker=False):
    info = (0x8000 if marker else 0) | len(payload)
    h = struct.pack("<IH", seq, info)
    h += struct.pack("<H", zlib.crc32(h) & 0xFFFF)
    f = h + payload + struct.pack("<I", zlib.crc32(payload, zlib.crc32(h)))
    return f + b"\xff" * (_round_up(len(f), ps) - len(f))


def block_bytes(bs, bc, ps, block_seq, first_seq, sent_end, frames, header_ok=True):
    h = struct.pack("<IHHIIIII", 0x474C5354, 1, ps, bs, bc, block_seq, first_seq, sent_end)
    h += struct.pack("<I", zlib.crc32(h))
    if not header_ok:
        h = h[:20] + bytes([h[20] ^ 0x04]) + h[21:]
    out = bytearray(h + b"\xff" * (_round_up(32, ps) - 32))
    for f in frames:
        out += f
    assert len(out) <= bs, (len(out), bs)
    return bytes(out + b"\xff" * (bs - len(out)))


def payload(seq):
    return R.encode_record("measurement", seq, 60 * seq, [("temperature", 2000 + seq)])


def image_wrapped():
    """4 x 256 B, prog 4. Block seqs 2, 3, 4 live (physical 2, 3, 0), block 1
    (physical 1) the dead spare full of old records."""
    bs, bc, ps = 256, 4, 4
    fb = lambda s, p=None, m=False: frame_bytes(s, payload(s) if p is None else p, ps, m)  # noqa: E731
    dead = block_bytes(bs, bc, ps, 1, 5, 0, [fb(s) for s in range(5, 10)])
    b2 = block_bytes(bs, bc, ps, 2, 10, 4, [fb(10), fb(11), fb(12), fb(13, b"", True), fb(13),
                                            fb(14)])
    f17 = bytearray(fb(17))
    f17[4] ^= 0x01  # damaged frame header: 17, 18, 19 unreadable
    b3 = block_bytes(bs, bc, ps, 3, 15, 13, [fb(15), fb(16), bytes(f17), fb(18), fb(19)])
    f22 = bytearray(fb(22))
    f22[10] ^= 0x40  # damaged payload: only 22 is skipped
    torn = fb(24)[:5] + b"\xff" * 3  # power cut inside the next frame header
    b4 = block_bytes(bs, bc, ps, 4, 20, 13, [fb(20), fb(21), fb(18, b"", True), bytes(f22),
                                             fb(23), torn])
    return (bs, bc, ps), b4 + dead + b2 + b3


def image_lost_head():
    """2 x 128 B, prog 1: the only block's header is damaged; its records are
    lost but their numbers must not be reused."""
    bs, bc, ps = 128, 2, 1
    b0 = block_bytes(bs, bc, ps, 0, 7, 0, [frame_bytes(7, b"abc", ps), frame_bytes(8, b"", ps)],
                     header_ok=False)
    return (bs, bc, ps), b0 + b"\xff" * bs


def image_seed(geom, img):
    """Fuzz input: a geometry byte (see fuzz_record.hpp) then the image."""
    bs, bc, ps = geom
    sel = {128: 0, 256: 1, 512: 2, 1024: 3}[bs] | ((bc - 2) << 2) | ({1: 0, 4: 1, 16: 2, 64: 3}[ps] << 4)
    return bytes([sel]) + img


def write_corpus():
    d = os.path.join(ROOT, "fuzz", "corpus", "fuzz_record")
    os.makedirs(d, exist_ok=True)
    recs = all_records()
    seeds = {f"record_{i}": recs[i][0] for i in range(6)}
    seeds["record_random"] = recs[10][0]
    seeds["log_wrapped"] = image_seed(*image_wrapped())
    seeds["log_lost_head"] = image_seed(*image_lost_head())
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def corpus(target):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    blobs = [open(os.path.join(d, n), "rb").read() for n in names]
    return np.frombuffer(b"".join(blobs) or b"\0", np.uint8), np.cumsum([0] + [len(b) for b in blobs]).astype(np.uint32)


def u8(b):
    return np.frombuffer(bytes(b) or b"\0", np.uint8)


def main():
    if sys.argv[1:] == ["--corpus"]:
        write_corpus()
        return
    arrays, scalars = {}, {}
    recs = all_records()
    blob, offs, hdr, flds, fdata = b"", [0], [], [], b""
    for data, kind, seq, ts, fields in recs:
        dec = R.decode_record(data)
        assert (dec.kind, dec.seq, dec.timestamp) == (R.KINDS.get(kind, kind), seq, ts)
        blob += data
        offs.append(len(blob))
        hdr += [dec.kind, dec.seq, dec.timestamp, len(dec.fields)]
        for f in dec.fields:
            t = TYPE[f[0]]
            if f[0] == "features":
                raw = struct.pack(f"<{len(f[1])}h", *f[1])
                flds += [t, len(f[1]), 0, len(raw)]
            elif f[0] == "ext":
                raw = f[2]
                flds += [t, f[1], 0, len(raw)]
            elif len(f) == 3:
                raw = b""
                flds += [t, f[1], f[2], 0]
            else:
                raw = b""
                flds += [t, 0, f[1], 0]
            fdata += raw
    arrays["rec_bytes"] = u8(blob)
    arrays["rec_offsets"] = np.array(offs, np.uint32)
    arrays["rec_header"] = np.array(hdr, np.uint32)
    arrays["rec_fields"] = np.array(flds, np.int64)
    arrays["rec_field_data"] = u8(fdata)
    bad = b"".join(b for b, _ in BAD)
    arrays["bad_bytes"] = u8(bad)
    arrays["bad_offsets"] = np.cumsum([0] + [len(b) for b, _ in BAD]).astype(np.uint32)
    arrays["bad_status"] = np.array([s for _, s in BAD], np.int32)
    for b, s in BAD:
        try:
            R.decode_record(b)
            raise AssertionError(f"python accepted bad record {b.hex()}")
        except R.RecordError:
            pass

    for name, (geom, img) in (("wrapped", image_wrapped()), ("lost_head", image_lost_head())):
        log = R.decode_log(img, *geom)
        arrays[f"img_{name}"] = u8(img)
        arrays[f"img_{name}_geom"] = np.array(geom, np.uint32)
        arrays[f"img_{name}_seqs"] = np.array([s for s, _ in log.records] or [0], np.uint32)
        arrays[f"img_{name}_payloads"] = u8(b"".join(p for _, p in log.records))
        arrays[f"img_{name}_sizes"] = np.array([len(p) for _, p in log.records] or [0], np.uint32)
        scalars[f"img_{name}_count"] = len(log.records)
        scalars[f"img_{name}_sent_end"] = log.sent_end
        scalars[f"img_{name}_next_seq"] = log.next_seq
        scalars[f"img_{name}_has_head"] = int(log.head_block is not None)
        scalars[f"img_{name}_head"] = log.head_block or 0
        scalars[f"img_{name}_oldest"] = log.oldest_block
    # What the wrapped image must read as (independent of the decoder).
    w = R.decode_log(image_wrapped()[1], 256, 4, 4)
    assert [s for s, _ in w.records] == [10, 11, 12, 13, 14, 15, 16, 20, 21, 23], w.records
    torn_at = 32 + sum(len(frame_bytes(q, payload(q), 4)) for q in (20, 21, 22, 23)) + 12
    assert w.sent_end == 18 and w.sealed and w.next_seq == 24 + (256 - torn_at) // 12, w
    assert w.damaged_frames == 1 and w.damaged_blocks == 1
    lh = R.decode_log(image_lost_head()[1], 128, 2, 1)
    assert lh.records == [] and lh.next_seq == 9 and lh.head_block is None

    data, offsets = corpus("fuzz_record")
    arrays["corpus_fuzz_record"] = data
    arrays["corpus_fuzz_record_offsets"] = offsets
    write_header(output_path(), "record", arrays, scalars)


if __name__ == "__main__":
    main()
