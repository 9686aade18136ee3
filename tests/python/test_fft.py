"""tinysense FFT bindings vs numpy.fft, on random signals and on real speech."""
import glob
import os
import sys

import numpy as np
import pytest
from scipy.io import wavfile

import tinysense as ts

SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
WAVS = sorted(glob.glob("/usr/share/pocketsphinx/test/data/librivox/*.wav"))
REL_RMS = 2e-6  # tests/cpp/harness/tolerances.hpp kFftRelRms


def rel_rms(got, ref):
    got = np.asarray(got, dtype=np.complex128)
    ref = np.asarray(ref, dtype=np.complex128)
    return np.sqrt(np.sum(np.abs(got - ref) ** 2) / np.sum(np.abs(ref) ** 2))


def load_gen_fft():
    """The bit-exact numpy model of RfftQ15 (tests/golden/gen_fft.py), imported without running it."""
    golden = os.path.join(os.path.dirname(__file__), "..", "golden")
    sys.path.insert(0, golden)
    try:
        src = open(os.path.join(golden, "gen_fft.py")).read()
        head = src[: src.index("arrays = {}")]  # definitions only
        mod = type(sys)("gen_fft_model")
        exec(compile(head, "gen_fft.py", "exec"), mod.__dict__)
        return mod
    finally:
        sys.path.remove(golden)


def speech_frames(n, count=8):
    """`count` frames of n int16 samples spread over the pocketsphinx LibriVox recordings."""
    frames = []
    for path in WAVS:
        rate, data = wavfile.read(path)
        assert rate == 16000 and data.dtype == np.int16
        if data.ndim > 1:
            data = data[:, 0]
        starts = np.linspace(0, len(data) - n, count // len(WAVS) + 1).astype(int)
        frames += [data[s : s + n] for s in starts]
    return frames[:count]


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(1234)


@pytest.mark.parametrize("n", SIZES)
def test_rfft_irfft_match_numpy(n, rng):
    x = rng.standard_normal(n).astype(np.float32)
    got = ts.rfft(x)
    assert got.dtype == np.complex64 and got.shape == (n // 2 + 1,)
    ref = np.fft.rfft(x.astype(np.float64))
    assert rel_rms(got, ref) < REL_RMS
    spec = (rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)).astype(np.complex64)
    back = ts.irfft(spec)
    assert back.dtype == np.float32 and back.shape == (n,)
    assert rel_rms(back, np.fft.irfft(spec.astype(np.complex128), n)) < REL_RMS
    assert rel_rms(ts.irfft(got, n), x) < REL_RMS


@pytest.mark.parametrize("n", SIZES)
def test_fft_ifft_match_numpy(n, rng):
    z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    got = ts.fft(z)
    assert got.dtype == np.complex64
    assert rel_rms(got, np.fft.fft(z.astype(np.complex128))) < REL_RMS
    assert rel_rms(ts.ifft(z), np.fft.ifft(z.astype(np.complex128))) < REL_RMS


def test_objects_reuse_twiddles(rng):
    f = ts.Rfft(512)
    assert (f.n, f.bins) == (512, 257)
    for _ in range(3):
        x = rng.uniform(-1, 1, 512).astype(np.float32)
        X = f.forward(x)
        assert rel_rms(X, np.fft.rfft(x.astype(np.float64))) < REL_RMS
        assert rel_rms(f.inverse(X), x) < REL_RMS
    c = ts.ComplexFft(64)
    z = (rng.standard_normal(64) + 1j * rng.standard_normal(64)).astype(np.complex64)
    assert rel_rms(c.inverse(c.forward(z)), z) < REL_RMS


def test_input_not_modified(rng):
    x = rng.standard_normal(256).astype(np.float32)
    keep = x.copy()
    ts.rfft(x)
    np.testing.assert_array_equal(x, keep)
    X = ts.rfft(x)
    keepX = X.copy()
    ts.irfft(X)
    np.testing.assert_array_equal(X, keepX)


@pytest.mark.skipif(not WAVS, reason="pocketsphinx test WAVs not installed")
@pytest.mark.parametrize("n", [256, 512, 1024, 4096])
def test_speech_frames_match_numpy(n):
    window = np.hanning(n).astype(np.float32)
    for frame in speech_frames(n):
        x = (frame.astype(np.float32) / 32768.0) * window
        X = ts.rfft(x)
        ref = np.fft.rfft(x.astype(np.float64))
        assert rel_rms(X, ref) < REL_RMS
        np.testing.assert_allclose(ts.power_spectrum(X), np.abs(ref) ** 2, rtol=1e-5, atol=1e-6 * np.max(np.abs(ref) ** 2))
        np.testing.assert_allclose(ts.magnitude(X), np.abs(ref), rtol=1e-5, atol=1e-6 * np.max(np.abs(ref)))
        assert rel_rms(ts.irfft(X, n), x) < REL_RMS


@pytest.mark.skipif(not WAVS, reason="pocketsphinx test WAVs not installed")
@pytest.mark.parametrize("n", [256, 1024])
def test_speech_q15_bit_exact_and_close(n):
    model = load_gen_fft()
    f = ts.RfftQ15(n)
    re, im = model.twiddles_q15(n)
    np.testing.assert_array_equal(f.twiddles(), np.stack([re, im], axis=1))
    for frame in speech_frames(n):
        got = f.forward(frame)
        assert got.dtype == np.int16 and got.shape == (n // 2 + 1, 2)
        mre, mim = model.q15_rfft(frame)
        np.testing.assert_array_equal(got[:, 0], mre)
        np.testing.assert_array_equal(got[:, 1], mim)
        # Block-scaled Q15 vs float64: error of a few LSB on rfft / n.
        ref = np.fft.rfft(frame.astype(np.float64)) / n
        err = np.abs((got[:, 0] + 1j * got[:, 1]) - ref)
        assert np.sqrt(np.mean(err**2)) < 2.0


def test_rfft_q15_random_and_full_scale(rng):
    model = load_gen_fft()
    for n in (16, 64, 512, 2048):
        for x in (rng.integers(-32768, 32768, n).astype(np.int16), np.full(n, -32768, np.int16),
                  np.where(np.arange(n) % 2 == 0, 32767, -32768).astype(np.int16)):
            got = ts.rfft_q15(x)
            mre, mim = model.q15_rfft(x)
            np.testing.assert_array_equal(got[:, 0], mre)
            np.testing.assert_array_equal(got[:, 1], mim)
    assert ts.rfft_q15(np.full(64, -32768, np.int16))[0, 0] == -32768


def test_power_spectrum_q15():
    X = np.array([[3, 4], [-32768, -32768], [-32768, 0], [0, 0]], dtype=np.int16)
    np.testing.assert_array_equal(ts.power_spectrum_q15(X), [25, 2**31 - 1, 2**30, 0])


def test_wrong_dtype_is_type_error():
    with pytest.raises(TypeError):
        ts.rfft(np.zeros(64, np.float64))
    with pytest.raises(TypeError):
        ts.rfft([0.0] * 64)
    with pytest.raises(TypeError):
        ts.irfft(np.zeros(33, np.complex128))
    with pytest.raises(TypeError):
        ts.fft(np.zeros(64, np.float32))
    with pytest.raises(TypeError):
        ts.ifft(np.zeros(64, np.complex128))
    with pytest.raises(TypeError):
        ts.rfft_q15(np.zeros(64, np.int32))
    with pytest.raises(TypeError):
        ts.power_spectrum(np.zeros(8, np.float32))
    with pytest.raises(TypeError):
        ts.power_spectrum_q15(np.zeros((8, 2), np.int32))
    with pytest.raises(TypeError):
        ts.Rfft(64).forward(np.zeros(64, np.float64))


def test_wrong_size_or_shape_is_value_error():
    for n in (0, 8, 15, 100, 8192):
        with pytest.raises(ValueError):
            ts.rfft(np.zeros(n, np.float32))
        with pytest.raises(ValueError):
            ts.fft(np.zeros(n, np.complex64))
        with pytest.raises(ValueError):
            ts.rfft_q15(np.zeros(n, np.int16))
    for n in (0, 8, 100, 8192, -16):
        with pytest.raises(ValueError):
            ts.Rfft(n)
        with pytest.raises(ValueError):
            ts.ComplexFft(n)
        with pytest.raises(ValueError):
            ts.RfftQ15(n)
    with pytest.raises(ValueError):
        ts.irfft(np.zeros(33, np.complex64), 128)  # 33 bins do not make n = 128
    with pytest.raises(ValueError):
        ts.rfft(np.zeros((8, 8), np.float32))
    with pytest.raises(ValueError):
        ts.Rfft(64).forward(np.zeros(128, np.float32))
    with pytest.raises(ValueError):
        ts.Rfft(64).inverse(np.zeros(32, np.complex64))
    with pytest.raises(ValueError):
        ts.power_spectrum_q15(np.zeros((8, 3), np.int16))
    with pytest.raises(ValueError):
        ts.rfft(np.zeros(128, np.float32)[::2])  # not contiguous
