"""tinysense_fft: FFTs with numpy.fft conventions (native MicroPython module).

Buffers are array.array (or memoryviews of them) of the exact typecode; every
call writes into a caller-provided output and allocates nothing. Sizes n are
powers of two in [16, 4096]. Bad typecode -> TypeError; bad length, overlap or
size -> ValueError.
"""
from array import array
from typing import Union

Buffer = Union[array, memoryview]

class FFT:
    """Real FFT of size n; twiddles and a spectrum scratch live in the object (8n + 8 bytes)."""
    n: int
    bins: int  # n // 2 + 1
    def __init__(self, n: int) -> None: ...
    def rfft(self, x: Buffer, out: Buffer) -> Buffer:
        """out[0:n+2] = numpy.fft.rfft(x) as [re0, im0, re1, im1, ...]; x: n floats ('f'), not modified."""
    def irfft(self, spec: Buffer, out: Buffer) -> Buffer:
        """out[0:n] = numpy.fft.irfft(spec, n); spec: n + 2 floats (im of bins 0 and n/2 ignored)."""
    def power(self, x: Buffer, out: Buffer) -> Buffer:
        """out[0:n/2+1] = abs(numpy.fft.rfft(x))**2."""
    def magnitude(self, x: Buffer, out: Buffer) -> Buffer:
        """out[0:n/2+1] = abs(numpy.fft.rfft(x))."""

class CFFT:
    """Complex FFT of size n on interleaved [re, im] float arrays of 2n items."""
    n: int
    bins: int
    def __init__(self, n: int) -> None: ...
    def fft(self, x: Buffer, out: Buffer) -> Buffer:
        """numpy.fft.fft; out may be x (in place)."""
    def ifft(self, x: Buffer, out: Buffer) -> Buffer:
        """numpy.fft.ifft (scaled by 1/n); out may be x (in place)."""

class FFTQ15:
    """Q15 real FFT of size n: input array('h') of n samples."""
    n: int
    bins: int
    def __init__(self, n: int) -> None: ...
    def rfft(self, x: Buffer, out: Buffer) -> Buffer:
        """out: array('h') of n + 2 = rfft(x) / n in Q15 (multiply by n for numpy's scale)."""
    def power(self, x: Buffer, out: Buffer) -> Buffer:
        """out: array('i') of n/2 + 1 = re**2 + im**2 of those bins (Q30)."""

def power(spec: Buffer, out: Buffer) -> Buffer:
    """Interleaved spectrum (2k floats) -> k powers re**2 + im**2."""
def magnitude(spec: Buffer, out: Buffer) -> Buffer:
    """Interleaved spectrum (2k floats) -> k magnitudes."""
def get_window(window: str, out: Buffer, fftbins: bool = True) -> Buffer:
    """scipy.signal.get_window('hann' | 'hamming' | 'boxcar', len(out), fftbins) into out."""
