"""Golden data for the LIS3DH driver: a real recording (MPU6886 counts at
+-2 g, 16384 counts/g) as the acceleration the simulated LIS3DH measures,
and numpy's model of what the driver must return for several settings:
digits = clip(floor(g * 1000 / So + 0.5), -2^(b-1), 2^(b-1) - 1) with the
data sheet's sensitivity So (mg/digit) and resolution b:
  hr2:  high resolution (12 bit), +-2 g,  So = 1
  nm4:  normal (10 bit),          +-4 g,  So = 8
  lp8:  low power (8 bit),        +-8 g,  So = 64
  hr16: high resolution,          +-16 g, So = 12
"""
import io
import os

import numpy as np

from goldenlib import output_path, write_header, har_dir

HAR_DIR = har_dir()
path = os.path.join(HAR_DIR, "2024-12-01T160554_jumpingjack.npy")  # saturates at +-2 g
if not os.path.exists(path):
    raise SystemExit(f"gen_lis3dh.py: {path} not found (set TINYSENSE_HAR_DIR)")
rows = np.load(path).astype(np.int16)
assert rows.shape == (1000, 3)
g = rows.astype(np.float64) / 16384.0


def digits(so_mg, bits):
    d = np.floor(g * 1000.0 / so_mg + 0.5)
    return np.clip(d, -(1 << (bits - 1)), (1 << (bits - 1)) - 1).astype(np.int16)


arrays = {
    "rows": rows,
    "g": g,
    "hr2": digits(1, 12),
    "nm4": digits(8, 10),
    "lp8": digits(64, 8),
    "hr16": digits(12, 12),
}
write_header(output_path(), "lis3dh", arrays)
