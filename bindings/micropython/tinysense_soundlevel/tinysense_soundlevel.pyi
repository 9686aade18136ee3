"""tinysense_soundlevel: IEC 61672-1 A/C/Z weighting and a sound level meter.

Levels are in dB: 10 log10(mean square) + calibration, with full scale +-1.0
(array('f')) or +-32768 (array('h')); 0 dBFS = mean square 1.0, so a
full-scale sine reads -3.01 dB. Built-in A/C coefficients for 16000, 22050,
32000, 44100, 48000 and 96000 Hz; other rates: pass sos= from
`python3 -m tinysense.design weighting A <rate>` (host).
"""
from array import array
from typing import Optional, Union, overload

Buffer = Union[array, memoryview]

class Meter:
    samples: int            # samples in the current interval
    histogram_samples: int  # level samples in the Ln histogram
    alpha: float            # time-weighting coefficient 1 - exp(-1 / (rate * tau))
    def __init__(self, rate: float, weighting: str = "A", tau: float = 0.125, *,
                 calibration: float = 0.0, sos: Optional[Buffer] = None,
                 hist_bins: int = 1200, hist_bin_db: float = 0.1,
                 hist_min_db: Optional[float] = None, hist_interval: float = 0.01) -> None:
        """tau 0.125 = Fast, 1.0 = Slow; hist_min_db defaults to calibration - 120."""
    def process(self, buf: Buffer) -> None:
        """Feeds array('f') or array('h') samples."""
    def level(self) -> float:
        """Time-weighted level now (e.g. LAF)."""
    def leq(self) -> float: ...
    def lmax(self) -> float: ...
    def lmin(self) -> float: ...
    def percentile(self, p: float) -> float:
        """Level exceeded p % of the time (histogram; one bin of precision)."""
    def l10(self) -> float: ...
    def l50(self) -> float: ...
    def l90(self) -> float: ...
    def reset(self) -> None: ...
    def reset_interval(self) -> None:
        """New Leq/Lmax/Lmin/Ln interval; filter and time weighting keep running."""

class Weighting:
    sections: int
    def __init__(self, rate: float, weighting: str = "A", *, sos: Optional[Buffer] = None) -> None: ...
    @overload
    def process(self, buf: Buffer) -> Buffer: ...
    @overload
    def process(self, x: Buffer, out: Buffer) -> Buffer: ...
    def reset(self) -> None: ...
    def sos(self, out: Buffer) -> Buffer:
        """Coefficients in use (6 * sections floats) into out."""
