"""Golden data for the MPU6886 driver: a real recording replayed through the
simulated device (tinysense/node/sim.hpp) and numpy's view of it.

npy: the raw file bytes (parsed on the device side by parse_npy_int16), rows:
numpy's int16 (n, 3) decoding, rows_8g: what the chip reports at +-8 g
(arithmetic shift right by ACCEL_FS_SEL = 2, numpy >> on int16), g: the
recording in g (rows / 16384, float64). trunc_npy / trunc_rows: a truncated
recording (header 1000 rows, 100 stored).
"""
import io
import os

import numpy as np

from goldenlib import output_path, write_header, har_dir

HAR_DIR = har_dir()


def load(name):
    path = os.path.join(HAR_DIR, name)
    if not os.path.exists(path):
        raise SystemExit(f"gen_mpu6886.py: {path} not found (set TINYSENSE_HAR_DIR)")
    with open(path, "rb") as fh:
        raw = fh.read()
    f = io.BytesIO(raw)
    version = np.lib.format.read_magic(f)
    shape, _, dtype = np.lib.format._read_array_header(f, version)
    data = raw[f.tell():]
    n = len(data) // 6
    return raw, np.frombuffer(data[: 6 * n], dtype=dtype).reshape(n, 3)


raw, rows = load("2024-12-01T154118_other.npy")
traw, trows = load("2024-12-01T160514_squat.npy")
assert rows.shape == (1000, 3) and trows.shape == (100, 3)
arrays = {
    "npy": np.frombuffer(raw, np.uint8).copy(),
    "rows": rows.astype(np.int16),
    "rows_8g": (rows >> 2).astype(np.int16),
    "g": rows.astype(np.float64) / 16384.0,
    "trunc_npy": np.frombuffer(traw, np.uint8).copy(),
    "trunc_rows": trows.astype(np.int16),
}
write_header(output_path(), "mpu6886", arrays)
