"""Golden data for the .npy and WAV readers (tinysense/node/recording.hpp).

npy: two real recordings of the har_exercise_1 data set as raw file bytes,
one complete and one truncated (the header claims 1000 rows, 650 are
stored), plus numpy's decoding of the rows present; and synthetic files
written by numpy.lib.format (version 2.0, 1-D, empty, and the kinds the
reader must refuse: float32, big-endian, Fortran order, 3-D).
wav: files written with Python's `wave` module and by hand (struct) for
WAVE_FORMAT_EXTENSIBLE, IEEE float, a LIST chunk with an odd size (pad
byte) and a truncated data chunk, with the expected samples MSB-aligned in
int32 (sample << (32 - bits)).
The data set directory is TINYSENSE_HAR_DIR or ../shared/data/har_exercise_1 beside the checkout.
"""
import io
import os
import struct
import wave

import numpy as np

from goldenlib import output_path, write_header, har_dir

HAR_DIR = har_dir()
FULL = "2024-12-01T160535_jumpingjack.npy"   # 1000 rows, saturates at -32768
TRUNC = "2024-12-01T154446_other.npy"        # header: 1000 rows, 650 stored

rng = np.random.default_rng(7)
arrays = {}
scalars = {}


def u8(b):
    return np.frombuffer(bytes(b), dtype=np.uint8).copy()


def rows_present(raw):
    """numpy's view of the complete rows present in a possibly truncated file."""
    f = io.BytesIO(raw)
    version = np.lib.format.read_magic(f)
    shape, fortran, dtype = np.lib.format._read_array_header(f, version)
    data = raw[f.tell():]
    cols = shape[1] if len(shape) == 2 else 1
    n = len(data) // (2 * cols)
    return np.frombuffer(data[: n * 2 * cols], dtype=dtype).reshape(n, cols), shape


def npy_bytes(arr, version=None, fortran=False):
    f = io.BytesIO()
    np.lib.format.write_array(f, np.asfortranarray(arr) if fortran else arr, version=version)
    return f.getvalue()


def load(name):
    path = os.path.join(HAR_DIR, name)
    if not os.path.exists(path):
        raise SystemExit(f"gen_recording.py: {path} not found (set TINYSENSE_HAR_DIR)")
    with open(path, "rb") as fh:
        return fh.read()


full = load(FULL)
trunc = load(TRUNC)
full_rows, full_shape = rows_present(full)
trunc_rows, trunc_shape = rows_present(trunc)
assert full_rows.shape == (1000, 3) and trunc_rows.shape[0] < trunc_shape[0]
arrays["npy_full"] = u8(full)
arrays["npy_full_rows"] = full_rows.astype(np.int16)
arrays["npy_trunc"] = u8(trunc)
arrays["npy_trunc_rows"] = trunc_rows.astype(np.int16)
scalars["npy_trunc_declared"] = trunc_shape[0]
scalars["npy_trunc_present"] = trunc_rows.shape[0]

v2 = rng.integers(-32768, 32768, 37).astype("<i2")
arrays["npy_v2"] = u8(npy_bytes(v2, version=(2, 0)))
arrays["npy_v2_values"] = v2.astype(np.int16)
arrays["npy_empty"] = u8(npy_bytes(np.zeros((0, 3), "<i2")))
arrays["npy_f4"] = u8(npy_bytes(np.zeros((4, 3), "<f4")))
arrays["npy_be"] = u8(npy_bytes(np.zeros((4, 3), ">i2")))
arrays["npy_fortran"] = u8(npy_bytes(np.arange(12, dtype="<i2").reshape(4, 3), fortran=True))
arrays["npy_3d"] = u8(npy_bytes(np.zeros((2, 2, 3), "<i2")))


# ---- WAV ---------------------------------------------------------------------

def wav_bytes(samples, bits, channels, rate):
    f = io.BytesIO()
    with wave.open(f, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(bits // 8)
        w.setframerate(rate)
        if bits == 24:
            s = samples.astype("<i4").reshape(-1)
            raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in s)
        else:
            raw = samples.astype(f"<i{bits // 8}").tobytes()
        w.writeframes(raw)
    return f.getvalue()


def msb_aligned(samples, bits):
    return (samples.astype(np.int64) << (32 - bits)).astype(np.int64).astype(np.int32)


def chunk(cid, body):
    pad = b"\0" if len(body) % 2 else b""
    return cid + struct.pack("<I", len(body)) + body + pad


def riff(chunks):
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


s16 = rng.integers(-32768, 32768, 300).astype(np.int16)
arrays["wav16"] = u8(wav_bytes(s16, 16, 1, 16000))
arrays["wav16_ref"] = msb_aligned(s16, 16)

s24 = rng.integers(-(1 << 23), 1 << 23, (120, 2)).astype(np.int32)
arrays["wav24s"] = u8(wav_bytes(s24, 24, 2, 48000))
arrays["wav24s_ref"] = msb_aligned(s24, 24).reshape(-1)

s32 = rng.integers(-(1 << 31), 1 << 31, 90, dtype=np.int64).astype(np.int32)
arrays["wav32"] = u8(wav_bytes(s32, 32, 1, 8000))
arrays["wav32_ref"] = s32

# WAVE_FORMAT_EXTENSIBLE, 24-bit mono, PCM sub-format GUID.
guid_pcm = struct.pack("<IHH", 1, 0x0000, 0x0010) + bytes([0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])
s24m = rng.integers(-(1 << 23), 1 << 23, 64).astype(np.int32)
fmt_ext = struct.pack("<HHIIHHHHI", 0xFFFE, 1, 44100, 44100 * 3, 3, 24, 22, 24, 0x4) + guid_pcm
data24 = b"".join(int(v).to_bytes(3, "little", signed=True) for v in s24m)
arrays["wav_ext"] = u8(riff([chunk(b"fmt ", fmt_ext), chunk(b"data", data24)]))
arrays["wav_ext_ref"] = msb_aligned(s24m, 24)

# IEEE float: valid WAV, not supported.
fmt_float = struct.pack("<HHIIHH", 3, 1, 8000, 32000, 4, 32)
arrays["wav_float"] = u8(riff([chunk(b"fmt ", fmt_float), chunk(b"data", np.zeros(8, "<f4").tobytes())]))

# A LIST chunk of odd size (with its pad byte) between fmt and data.
fmt16 = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
s16b = rng.integers(-32768, 32768, 50).astype(np.int16)
arrays["wav_list"] = u8(riff([chunk(b"fmt ", fmt16), chunk(b"LIST", b"INFOISFT\x05\x00\x00\x00abcd\x00"),
                              chunk(b"data", s16b.astype("<i2").tobytes())]))
arrays["wav_list_ref"] = msb_aligned(s16b, 16)

# Truncated: the data chunk declares 200 frames, 77 and a half are present.
s16c = rng.integers(-32768, 32768, 200).astype(np.int16)
full_wav = riff([chunk(b"fmt ", fmt16), chunk(b"data", s16c.astype("<i2").tobytes())])
arrays["wav_trunc"] = u8(full_wav[: 44 + 77 * 2 + 1])
arrays["wav_trunc_ref"] = msb_aligned(s16c[:77], 16)

write_header(output_path(), "recording", arrays, scalars)
