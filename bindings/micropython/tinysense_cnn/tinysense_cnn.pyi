"""tinysense_cnn: int8 / float32 CNN runner for tinysense model files
(python/tinysense/convert_cnn.py). The activations live in an arena inside
the object (arena_bytes, planned by the converter)."""
from array import array
from typing import Tuple, Union

Buffer = Union[bytes, bytearray, memoryview, array]

class Cnn:
    input_shape: Tuple[int, int, int]   # (h, w, c), HWC order
    input_typecode: str                 # 'b' (int8) or 'f'
    output_typecode: str
    output_size: int
    arena_bytes: int
    input_scale: float                  # int8: real = scale * (q - zero_point)
    input_zero_point: int
    output_scale: float
    output_zero_point: int
    def __init__(self, model: Buffer) -> None: ...
    def run(self, x: array, out: array) -> array:
        """Copies x in, runs every op, copies the output into out."""
    def predict(self, x: array) -> int:
        """Index of the largest output (first on ties)."""
