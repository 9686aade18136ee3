"""Writer and reader of the tinysense model container (see docs/model-format.md).

The C++ side (include/tinysense/ml/model.hpp) validates exactly what this
module writes: 32-byte little-endian header, payload, CRC-32 (zlib.crc32) of
the first 28 header bytes followed by the payload.
"""
import struct
import zlib

MAGIC = b"TSMD"
VERSION = 1
HEADER_SIZE = 32

KIND_TREES, KIND_KNN, KIND_CNN = 1, 2, 3
DTYPE_FLOAT32, DTYPE_INT16, DTYPE_INT8, DTYPE_INT32 = 0, 1, 2, 3

_HEAD = struct.Struct("<4sHHIIHHII")  # 28 bytes, the CRC follows


def pack_model(kind, payload, *, input_dtype, output_dtype, n_inputs, n_outputs, arena_bytes=0):
    """Returns the complete model file (bytes) for a kind-specific payload."""
    payload = bytes(payload)
    head = _HEAD.pack(MAGIC, VERSION, kind, len(payload), arena_bytes, input_dtype, output_dtype,
                      n_inputs, n_outputs)
    crc = zlib.crc32(payload, zlib.crc32(head))
    return head + struct.pack("<I", crc) + payload


def unpack_model(data):
    """Parses and checks a model file; returns (header dict, payload bytes). Raises ValueError."""
    data = bytes(data)
    if len(data) < HEADER_SIZE:
        raise ValueError("model file truncated: shorter than its 32-byte header")
    magic, version, kind, size, arena, in_dt, out_dt, n_in, n_out = _HEAD.unpack_from(data)
    if magic != MAGIC:
        raise ValueError(f"not a tinysense model (magic {magic!r})")
    if version != VERSION:
        raise ValueError(f"unsupported model version {version}")
    if len(data) != HEADER_SIZE + size:
        raise ValueError(f"model size mismatch: header says {size} payload bytes, file has {len(data) - HEADER_SIZE}")
    (crc,) = struct.unpack_from("<I", data, 28)
    if zlib.crc32(data[HEADER_SIZE:], zlib.crc32(data[:28])) != crc:
        raise ValueError("model CRC mismatch: the file is corrupted")
    header = dict(kind=kind, arena_bytes=arena, input_dtype=in_dt, output_dtype=out_dt,
                  n_inputs=n_in, n_outputs=n_out)
    return header, data[HEADER_SIZE:]
