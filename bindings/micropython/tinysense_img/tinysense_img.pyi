"""tinysense_img: image pre-processing for CNN inputs (Pillow / OpenCV conventions).

Images are tightly packed byte buffers; formats 'gray', 'rgb888', 'rgb565le'
(PIL "BGR;16"), 'rgb565be' (camera sensors)."""
from array import array
from typing import Optional, Tuple, Union

Buffer = Union[bytes, bytearray, memoryview, array]

def convert(src: Buffer, width: int, height: int, src_format: str, dst: Buffer,
            dst_format: str) -> Buffer:
    """Any format to any format (colour -> gray: Pillow's luma)."""
def resize(src: Buffer, width: int, height: int, dst: Buffer, dst_width: int, dst_height: int,
           format: str = "gray", method: str = "bilinear",
           roi: Optional[Tuple[int, int, int, int]] = None) -> Buffer:
    """'gray' or 'rgb888'; 'nearest', 'bilinear' (half-pixel centres) or 'area';
    roi = (x, y, w, h) crops src first."""
def normalize(src: Buffer, out: array, mean: float = 0.0, std: float = 1.0) -> array:
    """out (array('f')) = (pixel - mean) / std."""

class PixelQuantizer:
    def __init__(self, mean: float, std: float, scale: float, zero_point: int) -> None:
        """Pixel -> int8 model input: round((p - mean) / std / scale) + zero_point,
        in 16.16 fixed point (within 1 of the float formula)."""
    def process(self, src: Buffer, out: array) -> array:
        """out: array('b') of len(src)."""
