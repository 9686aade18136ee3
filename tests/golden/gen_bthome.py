"""Golden BTHome v2 service data: random object sets, plain and encrypted.

The reference encoder below follows https://bthome.io/format/ directly
(object id, then the value little-endian in its width, objects sorted by id,
stable for equal ids); encryption is cryptography's AESCCM with a 4-byte tag
and nonce = MAC || D2 FC || device info || counter LE (bthome.io/encryption).
"""
import struct

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

from goldenlib import output_path, write_header

# id: (bytes, signed) -- the ids tinysense::node::BthomeObject knows.
OBJECTS = {
    0x00: (1, False), 0x01: (1, False), 0x02: (2, True), 0x03: (2, False), 0x04: (3, False),
    0x05: (3, False), 0x08: (2, True), 0x09: (1, False), 0x0A: (3, False), 0x0B: (3, False),
    0x0C: (2, False), 0x0D: (2, False), 0x0E: (2, False), 0x12: (2, False), 0x14: (2, False),
    0x2E: (1, False), 0x2F: (1, False), 0x3D: (2, False), 0x3E: (4, False), 0x3F: (2, True),
    0x40: (2, False), 0x43: (2, False), 0x45: (2, True),
}

rng = np.random.default_rng(7)
ids_blob, raw_blob, ids_off = [], [], [0]
macs, keys, counters, triggers, plain, enc = [], [], [], [], [], []
ids_list = sorted(OBJECTS)
for case in range(40):
    n = int(rng.integers(1, 9)) if case else 2
    ids = [int(rng.choice(ids_list)) for _ in range(n)]
    raws = []
    for i in ids:
        nb, signed = OBJECTS[i]
        lo, hi = (-(1 << (8 * nb - 1)), (1 << (8 * nb - 1)) - 1) if signed else (0, (1 << (8 * nb)) - 1)
        edge = rng.integers(0, 4)
        raws.append(lo if edge == 0 else hi if edge == 1 else int(rng.integers(lo, hi + 1)))
    trigger = bool(rng.integers(0, 2))
    objs = b"".join(
        bytes([i]) + (r & ((1 << (8 * OBJECTS[i][0])) - 1)).to_bytes(OBJECTS[i][0], "little")
        for i, r in sorted(zip(ids, raws), key=lambda t: t[0]))  # sorted() is stable
    info = 0x40 | (0x04 if trigger else 0)
    mac = rng.integers(0, 256, 6, dtype=np.uint8).tobytes()
    key = rng.integers(0, 256, 16, dtype=np.uint8).tobytes()
    counter = int(rng.integers(0, 2**32, dtype=np.uint64))
    nonce = mac + b"\xd2\xfc" + bytes([info | 1]) + struct.pack("<I", counter)
    sealed = AESCCM(key, tag_length=4).encrypt(nonce, objs, None)
    plain.append(b"\xd2\xfc" + bytes([info]) + objs)
    enc.append(b"\xd2\xfc" + bytes([info | 1]) + sealed[:-4] + struct.pack("<I", counter) + sealed[-4:])
    ids_blob += ids
    raw_blob += raws
    ids_off.append(len(ids_blob))
    macs.append(mac)
    keys.append(key)
    counters.append(counter)
    triggers.append(int(trigger))


def blob(parts):
    return (np.frombuffer(b"".join(parts), dtype=np.uint8).copy(),
            np.cumsum([0] + [len(p) for p in parts]).astype(np.uint32))


plain_b, plain_off = blob(plain)
enc_b, enc_off = blob(enc)
write_header(output_path(), "bthome", {
    "ids": np.array(ids_blob, dtype=np.uint8),
    "raw": np.array(raw_blob, dtype=np.int64),
    "ids_off": np.array(ids_off, dtype=np.uint32),
    "mac": np.frombuffer(b"".join(macs), dtype=np.uint8).copy(),
    "key": np.frombuffer(b"".join(keys), dtype=np.uint8).copy(),
    "counter": np.array(counters, dtype=np.uint32),
    "trigger": np.array(triggers, dtype=np.uint8),
    "plain": plain_b, "plain_off": plain_off,
    "enc": enc_b, "enc_off": enc_off,
}, scalars={"count": len(counters)})
