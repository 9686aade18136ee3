import numpy as np
import pytest
from scipy.signal import get_window

import tinysense as ts


@pytest.mark.parametrize("name", ["hann", "hamming", "boxcar"])
@pytest.mark.parametrize("n", [1, 5, 256, 1000])
@pytest.mark.parametrize("fftbins", [True, False])
def test_matches_scipy(name, n, fftbins):
    got = ts.get_window(name, n, fftbins)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, get_window(name, n, fftbins=fftbins), atol=1e-6)


def test_bad_input():
    with pytest.raises(ValueError, match="unknown window"):
        ts.get_window("kaiser", 8)
    with pytest.raises(ValueError):
        ts.get_window("hann", 0)
