"""Sound level meter on real speech vs a float64 numpy/scipy model that uses
the same sos (scipy.signal.sosfilt + the exponential recursion)."""
import glob
import wave

import numpy as np
import pytest
from scipy.signal import lfilter, sosfilt

import tinysense as ts
from tinysense import design

WAVS = sorted(glob.glob("/usr/share/pocketsphinx/test/data/librivox/*.wav"))
TOL_DB = 0.01


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def model(x, sos, fs, tau, cal, interval_s):
    """Level trace, Leq, Lmax, Lmin and the sampled levels (float64)."""
    x = x.astype(np.float64)
    w = x if sos is None else sosfilt(sos.astype(np.float64), x)
    e = w * w
    alpha = float(np.float32(-np.expm1(-1.0 / (fs * tau))))
    y = lfilter([alpha], [1.0, alpha - 1.0], e)
    with np.errstate(divide="ignore"):
        level = 10 * np.log10(y) + cal
    period = int(np.floor(fs * interval_s + 0.5))
    return level, 10 * np.log10(np.mean(e)) + cal, level[period - 1::period]


def ln(samples, p):
    desc = np.sort(samples)[::-1]
    return desc[max(1, int(np.ceil(p / 100 * len(samples)))) - 1]


@pytest.mark.parametrize("path", WAVS[:3])
@pytest.mark.parametrize("kind,tau,cal", [("A", 0.125, 0.0), ("C", 1.0, 94.0), ("Z", 0.125, 20.0)])
def test_speech_matches_numpy_model(path, kind, tau, cal):
    fs, x16 = read_wav(path)
    assert fs == 16000
    x = (x16 / 32768.0).astype(np.float32)
    bin_db = 0.1
    m = ts.SoundLevelMeter(fs, kind, tau, calibration_db=cal, histogram_min_db=cal - 120,
                           histogram_bin_db=bin_db, histogram_bins=1400, histogram_interval_s=0.01)
    sos = None if kind == "Z" else ts.Weighting(kind, fs).sos
    level, leq, samples = model(x, sos, fs, tau, cal, 0.01)
    trace = []
    for start in range(0, len(x), 1600):
        m.process(x[start:start + 1600])
        trace.append(m.level_db())
    idx = np.minimum(np.arange(1600, len(x) + 1600, 1600), len(x)) - 1
    np.testing.assert_allclose(trace, level[idx], atol=TOL_DB)
    assert m.interval_samples == len(x)
    assert abs(m.leq_db() - leq) <= TOL_DB
    assert abs(m.lmax_db() - level.max()) <= TOL_DB
    assert abs(m.lmin_db() - level.min()) <= TOL_DB
    assert m.histogram_samples == len(samples) == m.histogram.sum()
    for p in (10, 50, 90):
        assert abs(m.percentile_db(p) - ln(samples, p)) <= bin_db / 2 + TOL_DB
    assert m.l90_db() <= m.l50_db() <= m.l10_db()
    assert m.lmin_db() <= m.leq_db() <= m.lmax_db()
    # A new interval: the time weighting carries on.
    m.reset_interval()
    assert np.isnan(m.leq_db()) and np.isnan(m.l50_db())
    m.process(x[:8000])
    assert m.interval_samples == 8000


def test_leq_is_chunking_invariant_on_speech():
    fs, x16 = read_wav(WAVS[-1])
    x = (x16 / 32768.0).astype(np.float32)
    a = ts.SoundLevelMeter(fs, "A")
    b = ts.SoundLevelMeter(fs, "A")
    a.process(x)
    rng = np.random.default_rng(3)
    cuts = np.sort(rng.integers(0, len(x), 200))
    for part in np.split(x, cuts):
        b.process(np.ascontiguousarray(part))
    for f in ("level_db", "leq_db", "lmax_db", "lmin_db", "l10_db", "l50_db", "l90_db"):
        assert getattr(a, f)() == getattr(b, f)()
    np.testing.assert_array_equal(a.histogram, b.histogram)


def test_sine_levels_and_designed_rate():
    # 1 kHz sine at 24 kHz with a host-designed A-weighting (no built-in table).
    fs = 24000
    sos = design.weighting_sos("A", fs).astype(np.float32)
    m = ts.SoundLevelMeter(fs, "A", ts.TIME_WEIGHTING_FAST, sos=sos)
    t = np.arange(2 * fs) / fs
    x = (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    m.process(x[:fs])
    m.reset_interval()
    m.process(x[fs:])
    expected = 20 * np.log10(0.25 / np.sqrt(2))
    assert abs(m.leq_db() - expected) < TOL_DB
    assert abs(m.level_db() - expected) < TOL_DB
    # Full-scale sine: -3.01 dBFS.
    m = ts.SoundLevelMeter(48000, "Z")
    m.process(np.sin(2 * np.pi * 1000 * np.arange(48000) / 48000).astype(np.float32))
    assert abs(m.leq_db() + 3.0103) < 1e-3


def test_bad_input():
    with pytest.raises(ValueError, match="not built in"):
        ts.SoundLevelMeter(24000, "A")
    with pytest.raises(ValueError, match="unknown weighting"):
        ts.SoundLevelMeter(48000, "B")
    with pytest.raises(TypeError):
        ts.SoundLevelMeter(48000, 5)
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(48000, "A", tau=0.0)
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(48000, "A", tau=float("nan"))
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(0, "A")
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(48000, "A", histogram_bins=1)
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(48000, "A", histogram_bin_db=0.0)
    with pytest.raises(ValueError):
        ts.SoundLevelMeter(48000, "A", histogram_interval_s=0.0)
    with pytest.raises(TypeError, match="float32"):
        ts.SoundLevelMeter(48000, "A", sos=np.zeros((2, 6)))
    m = ts.SoundLevelMeter(48000, "A")
    with pytest.raises(TypeError, match="float32"):
        m.process(np.zeros(10, np.int16))
    with pytest.raises(TypeError):
        m.process([0.0, 1.0])
    with pytest.raises(ValueError):
        m.process(np.zeros((2, 2), np.float32))
    assert np.isnan(m.percentile_db(150.0))
