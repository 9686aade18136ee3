"""Golden windows from scipy.signal.get_window (periodic and symmetric)."""
import numpy as np
from scipy.signal import get_window

from goldenlib import output_path, write_header

arrays = {}
for name in ("boxcar", "hann", "hamming"):
    for n in (1, 2, 7, 64, 400, 1024):
        arrays[f"{name}_periodic_{n}"] = get_window(name, n, fftbins=True).astype(np.float64)
        arrays[f"{name}_symmetric_{n}"] = get_window(name, n, fftbins=False).astype(np.float64)
write_header(output_path(), "window", arrays)
