"""tinysense_iir: second-order-section IIR filters, scipy.signal.sosfilt conventions.

sos rows are [b0 b1 b2 a0 a1 a2] with a0 == 1 (scipy's signs), flattened:
6 * sections items (array('f') or a flat list/tuple). State carries over
process() calls; nothing is allocated per call.
"""
from array import array
from typing import Optional, Sequence, Union, overload

Buffer = Union[array, memoryview]

class IIR:
    """float32 cascade (transposed direct form II); the coefficients are copied."""
    sections: int
    def __init__(self, sos: Union[Buffer, Sequence[float]]) -> None: ...
    @overload
    def process(self, buf: Buffer) -> Buffer:
        """Filters array('f') buf in place."""
    @overload
    def process(self, x: Buffer, out: Buffer) -> Buffer:
        """Filters x into out (same length; out may be x, no partial overlap)."""
    def reset(self) -> None:
        """Zeroes the state (sosfilt with zi = 0)."""

class IIRQ15:
    """Q15 cascade (direct form I, 64-bit accumulator, rounding, saturation) on array('h')."""
    sections: int
    post_shift: int
    def __init__(self, sos: Union[Buffer, Sequence[float]], post_shift: Optional[int] = None) -> None:
        """float sos: converted with tinysense's sos_to_q15 (post_shift chosen, must be None);
        array('h') sos: Q(15 - post_shift) coefficients, post_shift in [1, 7] required."""
    @overload
    def process(self, buf: Buffer) -> Buffer: ...
    @overload
    def process(self, x: Buffer, out: Buffer) -> Buffer: ...
    def reset(self) -> None: ...
