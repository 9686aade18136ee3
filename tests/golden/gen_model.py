"""Model container files written by python/tinysense/model_format.py, valid and damaged."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense.model_format import DTYPE_FLOAT32, DTYPE_INT16, KIND_TREES, pack_model  # noqa: E402

rng = np.random.default_rng(7)
payload = rng.integers(0, 256, 40, dtype=np.uint8).tobytes()
good = pack_model(KIND_TREES, payload, input_dtype=DTYPE_FLOAT32, output_dtype=DTYPE_INT16,
                  n_inputs=5, n_outputs=3, arena_bytes=128)


def arr(b):
    return np.frombuffer(bytes(b), dtype=np.uint8)


def flipped(b, index, bit=0):
    m = bytearray(b)
    m[index] ^= 1 << bit
    return m


bad_version = bytearray(good)
bad_version[4] = 2
write_header(output_path(), "model", {
    "good": arr(good),
    "bad_magic": arr(flipped(good, 0)),
    "bad_version": arr(bad_version),       # CRC is checked after the version
    "payload_bitflip": arr(flipped(good, 40, 3)),
    "header_bitflip": arr(flipped(good, 21, 5)),  # n_inputs changed, CRC now wrong
    "truncated": arr(good[:-1]),
    "trailing": arr(good + b"\0"),
    "short_": arr(good[:20]),
}, scalars={"payload_len": len(payload)})
