"""tinysense_stats: statistics of a 1-D signal (numpy names and conventions).

x is array('f') (float32) or array('h') (int16; integer sums are exact).
Statistics of empty input raise ValueError; nothing is allocated except the
returned Python number (and features() without out).
"""
from array import array
from typing import Tuple, Union, overload

Buffer = Union[array, memoryview]

def mean(x: Buffer) -> float: ...
def var(x: Buffer, ddof: int = 0) -> float: ...
def std(x: Buffer, ddof: int = 0) -> float: ...
def rms(x: Buffer) -> float:
    """sqrt(mean(x**2))."""
def min(x: Buffer) -> Union[float, int]: ...
def max(x: Buffer) -> Union[float, int]: ...
def ptp(x: Buffer) -> Union[float, int]:
    """max - min; int16 input: never wraps."""
def sum(x: Buffer) -> Union[float, int]:
    """0 for empty x; int16 input: exact int."""
def energy(x: Buffer) -> Union[float, int]:
    """sum(x**2); 0 for empty x; int16 input: exact int."""
def zero_crossings(x: Buffer) -> int:
    """Adjacent pairs with different signs (0 counts as positive)."""
def zcr(x: Buffer) -> float:
    """zero_crossings(x) / (len(x) - 1), 0 for one sample."""
@overload
def percentile(x: Buffer, q: float, scratch: Buffer) -> float: ...
@overload
def percentile(x: Buffer, q: Buffer, scratch: Buffer, out: Buffer) -> Buffer:
    """numpy.percentile(x, q) (method='linear'); q in [0, 100]. scratch: array of x's
    typecode with >= len(x) items, or x itself (x is then reordered)."""
def median(x: Buffer, scratch: Buffer) -> float: ...
@overload
def features(x: Buffer) -> Tuple[float, float, float, float, float, float, float, float]: ...
@overload
def features(x: Buffer, out: Buffer) -> Buffer:
    """(mean, std, min, max, rms, ptp, zcr, energy) in one pass; out: array('f') of 8."""
def int16_to_float(x: Buffer, out: Buffer, scale: float = 1 / 32768) -> Buffer:
    """out = float32(x) * scale."""
def float_to_int16(x: Buffer, out: Buffer, scale: float = 32768.0) -> Buffer:
    """out = clip(rint(x * scale), -32768, 32767); NaN -> 0."""
