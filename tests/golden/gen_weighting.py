"""Golden data for A/C weighting: the analog IEC 61672-1 response on dense
frequency grids, and scipy.signal.sosfilt of noise through the built-in
coefficients.

The built-in float32 coefficients are read from src/dsp/weighting_table.inc
(what the firmware compiles) and copied into the header: the C++ test first
checks that they still equal the library's table, so golden data generated
from an older table fails loudly instead of testing the wrong filter.
"""
import os
import re

import numpy as np
from scipy.signal import sosfilt

from goldenlib import output_path, write_header

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TABLE = os.path.join(ROOT, "src", "dsp", "weighting_table.inc")
RATES = (16000, 22050, 32000, 44100, 48000, 96000)
GRID_POINTS = 1600
NOISE_LEN = 1500

# IEC 61672-1 Annex E pole frequencies (Hz), independent of python/tinysense/design.py.
F1, F2, F3, F4 = 20.598997, 107.65265, 737.86223, 12194.217


def analog_db(kind, f):
    """IEC 61672-1 closed form, normalised to 0 dB at 1 kHz."""
    def raw(f2):
        if kind == "A":
            r = F4**2 * f2**2 / ((f2 + F1**2) * np.sqrt((f2 + F2**2) * (f2 + F3**2)) * (f2 + F4**2))
        else:
            r = F4**2 * f2 / ((f2 + F1**2) * (f2 + F4**2))
        return 20.0 * np.log10(r)
    f2 = np.asarray(f, dtype=np.float64) ** 2
    return raw(f2) - raw(1.0e6)


def load_builtin_sos():
    """{(kind, rate): float32 array (sections, 6)} parsed from weighting_table.inc."""
    text = open(TABLE).read()
    out = {}
    for kind, rate, body in re.findall(r"constexpr float k([AC])(\d+)\[\d+ \* 6\] = \{(.*?)\};",
                                       text, re.S):
        vals = [float(v.rstrip("f")) for v in re.findall(r"[-+0-9.eE]+f", body)]
        out[(kind, int(rate))] = np.array(vals, dtype=np.float32).reshape(-1, 6)
    return out


def main():
    sos = load_builtin_sos()
    rng = np.random.default_rng(61672)
    x = (0.5 * rng.standard_normal(NOISE_LEN)).astype(np.float32)
    arrays = {"noise": x}
    for fs in RATES:
        hi = min(20000.0, 0.4 * fs)
        f = np.geomspace(10.0, hi, GRID_POINTS)
        arrays[f"freq_{fs}"] = f
        for kind in "AC":
            s = sos[(kind, fs)]
            arrays[f"analog_{kind}_{fs}"] = analog_db(kind, f)
            arrays[f"sos_{kind}_{fs}"] = s.ravel()
            arrays[f"sosfilt_{kind}_{fs}"] = sosfilt(s.astype(np.float64), x.astype(np.float64))
    write_header(output_path(), "weighting", arrays,
                 {"grid_points": GRID_POINTS})


if __name__ == "__main__":
    main()
