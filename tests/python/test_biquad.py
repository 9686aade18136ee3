"""tinysense.Biquad / BiquadQ15 / sosfilt / sos_to_q15 vs scipy.signal.sosfilt and an
integer model of the documented Q15 arithmetic."""
import glob

import numpy as np
import pytest
from scipy import signal
from scipy.io import wavfile

import tinysense as ts

WAVS = sorted(glob.glob("/usr/share/pocketsphinx/test/data/librivox/*.wav"))

DESIGNS = {
    "butter_lp1": lambda: signal.butter(2, 0.05, output="sos"),
    "butter_hp2": lambda: signal.butter(4, 0.3, btype="highpass", output="sos"),
    "cheby1_bp3": lambda: signal.cheby1(3, 1.0, [0.1, 0.25], btype="bandpass", output="sos"),
    "ellip_lp4": lambda: signal.ellip(8, 0.5, 60.0, 0.15, output="sos"),
    "butter_bs5": lambda: signal.butter(5, [0.3, 0.45], btype="bandstop", output="sos"),
    "ellip_bp6": lambda: signal.ellip(6, 1.0, 50.0, [0.2, 0.4], btype="bandpass", output="sos"),
}


def rel_rms(got, ref):
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    return np.sqrt(np.sum((got - ref) ** 2) / np.sum(ref ** 2))


def reference(sos32, x32):
    """scipy in float64 on exactly the float32 coefficients and samples."""
    return signal.sosfilt(sos32.astype(np.float64), x32.astype(np.float64))


def q15_model(sos16, post_shift, x16):
    """BiquadQ15's documented arithmetic with python ints."""
    sh = 15 - post_shift
    y = [int(v) for v in x16]
    for b0, b1, b2, _, a1, a2 in (tuple(int(c) for c in row) for row in sos16):
        x1 = x2 = y1 = y2 = 0
        out = []
        for x0 in y:
            acc = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            y0 = max(-32768, min(32767, (acc + (1 << (sh - 1))) >> sh))
            out.append(y0)
            x2, x1, y2, y1 = x1, x0, y1, y0
        y = out
    return np.array(y, dtype=np.int16)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_random_signal_matches_scipy(name):
    sos = DESIGNS[name]().astype(np.float32)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(5000).astype(np.float32)
    y = ts.sosfilt(sos, x)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert rel_rms(y, reference(sos, x)) < 1e-5
    f = ts.Biquad(sos)
    assert f.sections == len(sos)
    np.testing.assert_array_equal(f.process(x), y)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_streaming_equals_one_shot_and_state_is_zf(name):
    sos = DESIGNS[name]().astype(np.float32)
    x = np.random.default_rng(2).standard_normal(3000).astype(np.float32)
    whole = ts.sosfilt(sos, x)
    f = ts.Biquad(sos)
    cuts = np.sort(np.random.default_rng(3).integers(0, len(x), 40))
    parts = [f.process(p) for p in np.split(x, cuts)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)
    # The state is scipy's zf (same layout as sosfilt's zi).
    _, zf = signal.sosfilt(sos.astype(np.float64), x.astype(np.float64),
                           zi=np.zeros((len(sos), 2)))
    assert f.state.shape == (len(sos), 2) and f.state.dtype == np.float32
    np.testing.assert_allclose(f.state, zf, rtol=1e-4, atol=1e-5)
    f.reset()
    assert not f.state.any()
    np.testing.assert_array_equal(f.process(x), whole)


@pytest.mark.skipif(not WAVS, reason="pocketsphinx test audio not installed")
@pytest.mark.parametrize("path", WAVS[:3])
def test_real_audio_matches_scipy(path):
    fs, pcm = wavfile.read(path)
    assert pcm.dtype == np.int16 and fs == 16000
    x = pcm.astype(np.float32) / 32768.0
    # Speech band 300-3400 Hz, and a 100 Hz highpass whose poles sit at radius
    # 0.994: float32 rounding noise grows like 1 / (1 - radius), hence the
    # looser bound (measured 1.9e-6 and 1.5e-5 on these files).
    cases = ((signal.butter(4, [300, 3400], btype="bandpass", fs=fs, output="sos"), 1e-5),
             (signal.cheby1(4, 0.5, 100, btype="highpass", fs=fs, output="sos"), 5e-5))
    for sos, tol in cases:
        sos32 = sos.astype(np.float32)
        f = ts.Biquad(sos32)
        y = np.concatenate([f.process(c) for c in np.array_split(x, 7)])  # streamed
        assert rel_rms(y, reference(sos32, x)) < tol


@pytest.mark.skipif(not WAVS, reason="pocketsphinx test audio not installed")
def test_real_audio_q15_bit_exact_and_close_to_float():
    fs, pcm = wavfile.read(WAVS[0])
    pcm = pcm[:16000]  # 1 s keeps the python model quick
    sos = signal.butter(4, 2000, fs=fs, output="sos").astype(np.float32)
    sos16, shift = ts.sos_to_q15(sos)
    f = ts.BiquadQ15(sos16, shift)
    y = f.process(pcm)
    assert y.dtype == np.int16
    np.testing.assert_array_equal(y, q15_model(sos16, shift, pcm))
    ref = reference(sos, pcm.astype(np.float32) / 32768.0)
    snr = 10 * np.log10(np.sum(ref ** 2) / np.sum((y / 32768.0 - ref) ** 2))
    assert snr > 40.0


def test_q15_saturation_bit_exact():
    sos = (signal.butter(2, 0.25, output="sos") * [12, 12, 12, 1, 1, 1]).astype(np.float32)
    sos16, shift = ts.sos_to_q15(sos)
    assert shift == 2
    x = np.where(np.arange(2000) % 64 < 32, 32767, -32768).astype(np.int16)
    x[::7] = np.random.default_rng(4).integers(-32768, 32768, len(x[::7]))
    f = ts.BiquadQ15(sos16, shift)
    y = np.concatenate([f.process(x[:777]), f.process(x[777:])])
    expect = q15_model(sos16, shift, x)
    assert np.sum(np.abs(expect.astype(int)) == 32767) > 100  # really saturates
    np.testing.assert_array_equal(y, expect)
    assert f.state.shape == (1, 4) and f.state[0, 2] == y[-1] and f.state[0, 0] == x[-1]


def test_sos_to_q15():
    sos = np.array([[0.5, -2.0, 1.99993896484375, 1.0, -1.5, 0.25]], dtype=np.float32)
    sos16, shift = ts.sos_to_q15(sos)
    assert shift == 1 and sos16.dtype == np.int16 and sos16.shape == (1, 6)
    np.testing.assert_array_equal(sos16, [[8192, -32768, 32767, 16384, -24576, 4096]])
    sos16, shift = ts.sos_to_q15(np.array([[100.0, 0, 0, 1, 0, 0]], dtype=np.float32))
    assert shift == 7 and sos16[0, 0] == 25600 and sos16[0, 3] == 256


def test_properties_and_copies():
    sos = signal.butter(4, 0.2, output="sos").astype(np.float32)
    f = ts.Biquad(sos)
    sos[0, 0] = 123.0  # the filter keeps its own copy
    assert f.sos[0, 0] != 123.0
    np.testing.assert_array_equal(ts.Biquad(sos[::-1]).sos, sos[::-1])  # strided input is fine
    q = ts.BiquadQ15(*ts.sos_to_q15(signal.butter(2, 0.2, output="sos").astype(np.float32)))
    assert q.sections == 1 and q.post_shift == 1
    assert ts.sosfilt(sos, np.zeros(0, dtype=np.float32)).shape == (0,)


def test_type_errors():
    sos = signal.butter(2, 0.2, output="sos")
    x = np.zeros(8, dtype=np.float32)
    with pytest.raises(TypeError, match="float32"):
        ts.Biquad(sos)  # float64
    with pytest.raises(TypeError):
        ts.Biquad(sos.tolist())
    with pytest.raises(TypeError, match="float32"):
        ts.sosfilt(sos, x)
    with pytest.raises(TypeError, match="float32"):
        ts.sosfilt(sos.astype(np.float32), x.astype(np.float64))
    with pytest.raises(TypeError, match="float32"):
        ts.Biquad(sos.astype(np.float32)).process(np.zeros(8, dtype=np.int16))
    with pytest.raises(TypeError, match="int16"):
        ts.BiquadQ15(sos.astype(np.int32), 1)
    q = ts.BiquadQ15(*ts.sos_to_q15(sos.astype(np.float32)))
    with pytest.raises(TypeError, match="int16"):
        q.process(x)
    with pytest.raises(TypeError, match="float32"):
        ts.sos_to_q15(sos)


def test_value_errors():
    good = signal.butter(2, 0.2, output="sos").astype(np.float32)
    x = np.zeros(8, dtype=np.float32)
    with pytest.raises(ValueError, match="shape"):
        ts.Biquad(good.ravel())
    with pytest.raises(ValueError, match="shape"):
        ts.Biquad(np.zeros((2, 5), dtype=np.float32))
    with pytest.raises(ValueError, match="at least one section"):
        ts.Biquad(np.zeros((0, 6), dtype=np.float32))
    bad = good.copy()
    bad[0, 3] = 2.0
    with pytest.raises(ValueError, match="invalid argument"):
        ts.Biquad(bad)
    with pytest.raises(ValueError, match="invalid argument"):
        ts.sos_to_q15(bad)
    bad = good.copy()
    bad[0, 1] = np.nan
    with pytest.raises(ValueError, match="invalid argument"):
        ts.sosfilt(bad, x)
    bad[0, 1] = np.inf
    with pytest.raises(ValueError, match="invalid argument"):
        ts.Biquad(bad)
    with pytest.raises(ValueError, match="out of range"):
        ts.sos_to_q15(np.array([[200.0, 0, 0, 1, 0, 0]], dtype=np.float32))
    with pytest.raises(ValueError, match="1-D"):
        ts.Biquad(good).process(np.zeros((2, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="contiguous"):
        ts.Biquad(good).process(np.zeros(16, dtype=np.float32)[::2])
    sos16, shift = ts.sos_to_q15(good)
    for s in (0, 8, -1, 2):  # out of [1, 7], or a0 != 2**(15 - s)
        with pytest.raises(ValueError, match="invalid argument"):
            ts.BiquadQ15(sos16, s)
