"""tinysense_mel: mel filterbank and log-mel frontend, librosa conventions."""
from array import array
from typing import Optional, Union

Buffer = Union[array, memoryview]

class Mel:
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk, norm) behind a periodic
    window and an rfft of n_fft; log 'db' = power_to_db(ref, amin, top_db=None),
    'ln' = log(max(S, amin)). All buffers array('f')."""
    n_fft: int
    n_mels: int
    n_bins: int
    num_weights: int
    def __init__(self, sr: float, n_fft: int, n_mels: int, fmin: float = 0.0,
                 fmax: Optional[float] = None, htk: bool = False, norm: Optional[str] = "slaney",
                 window: str = "hann", log: str = "db", *, amin: float = 1e-10,
                 ref: float = 1.0) -> None: ...
    def process(self, frame: Buffer, out: Buffer) -> Buffer:
        """n_fft samples -> n_mels log-mel values."""
    def frames(self, x: Buffer, hop: int, out: Buffer) -> int:
        """Frames x[t*hop : t*hop + n_fft] (center=False) -> out (frame-major); returns the count."""
    def apply(self, power: Buffer, out: Buffer) -> Buffer:
        """Mel energies W @ power: n_fft/2 + 1 -> n_mels (no log)."""

def num_frames(n: int, n_fft: int, hop: int) -> int: ...
def power_to_db(x: Buffer, out: Optional[Buffer] = None, *, amin: float = 1e-10,
                ref: float = 1.0) -> Buffer:
    """librosa.power_to_db(top_db=None); in place when out is None."""
