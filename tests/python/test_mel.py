import os
import sys

import numpy as np
import pytest

import tinysense as ts

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "golden"))
import gen_mel as ref  # noqa: E402  (the numpy port of librosa's formulas)

LOG_MEL_ABS = 1e-3  # tests/cpp/harness/tolerances.hpp kLogMelAbs
LOG_MEL_QUIET_ABS = 1e-2  # kLogMelQuietAbs: bands > 60 dB below the frame's loudest band
MEL_REL = 1e-6  # kMelRel
WAVS = sorted(f for f in os.listdir(ref.WAV_DIR) if f.endswith(".wav")) if os.path.isdir(ref.WAV_DIR) else []


@pytest.mark.parametrize("cfg", ref.FB_CONFIGS, ids=[str(c) for c in ref.FB_CONFIGS])
def test_filterbank_matches_reference(cfg):
    sr, n_fft, n_mels, fmin, fmax, htk, norm = cfg
    got = ts.mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    want = ref.mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    assert got.dtype == np.float32 and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=0, atol=MEL_REL * want.max())
    fb = ts.MelFilterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    assert fb.num_weights == np.count_nonzero(want) <= 2 * (n_fft // 2 + 1)
    first, count = fb.bands()
    for m in range(n_mels):
        nz = np.flatnonzero(want[m])
        assert count[m] == len(nz) and (len(nz) == 0 or first[m] == nz[0])


@pytest.mark.parametrize("htk", [False, True])
def test_mel_scale_functions(htk):
    hz = np.array([0.0, 100.0, 999.0, 1000.0, 1001.0, 4000.0, 11025.0])
    for f in hz:
        assert ts.hz_to_mel(f, htk) == pytest.approx(float(ref.hz_to_mel(f, htk)), rel=1e-13, abs=1e-13)
        assert ts.mel_to_hz(ts.hz_to_mel(f, htk), htk) == pytest.approx(f, rel=1e-12, abs=1e-9)
    np.testing.assert_allclose(ts.mel_frequencies(42, 20.0, 7600.0, htk),
                               ref.mel_frequencies(42, 20.0, 7600.0, htk), rtol=1e-13)


def test_mel_energies_of_random_spectra():
    rng = np.random.default_rng(11)
    fb = ts.MelFilterbank(16000, 512, 40)
    w = ref.mel_filterbank(16000, 512, 40)
    p = (rng.exponential(1.0, (5, 257)) * 10.0 ** rng.uniform(-4, 4, (5, 257))).astype(np.float32)
    got = fb.apply(p)
    assert got.shape == (5, 40) and got.dtype == np.float32
    np.testing.assert_allclose(got, p.astype(np.float64) @ w.T, rtol=MEL_REL)
    np.testing.assert_allclose(fb.apply(p[2]), got[2], rtol=0, atol=0)


@pytest.mark.skipif(not WAVS, reason="pocketsphinx test audio not installed")
@pytest.mark.parametrize("wav", WAVS)
@pytest.mark.parametrize("mode", ["db-slaney", "ln-htk"])
def test_log_mel_of_real_audio(wav, mode):
    sr, x16 = ref.read_wav_int16(os.path.join(ref.WAV_DIR, wav))
    x = x16.astype(np.float32) / np.float32(32768)  # exact in float32
    if mode == "db-slaney":
        kw = dict(n_mels=40, fmin=0.0, fmax=None, htk=False, norm="slaney")
        fe = ts.LogMelFrontend(sr, 512, **kw)
        want = ref.log_mel(x.astype(np.float64), sr, 512, 160, **kw)
    else:
        kw = dict(n_mels=40, fmin=20.0, fmax=7600.0, htk=True, norm=None)
        fe = ts.LogMelFrontend(sr, 512, **kw, log="ln", floor=1e-6)
        want = ref.log_mel(x.astype(np.float64), sr, 512, 160, **kw, log="ln", floor=1e-6)
    got = fe.process_frames(x, 160)
    assert got.shape == want.shape == (1 + (len(x) - 512) // 160, 40)
    # float32 FFT rounding noise sits ~140 dB below a frame's peak: bands far
    # below the frame's loudest one get the looser bound.
    below_db = (want.max(axis=1, keepdims=True) - want) * (1.0 if mode.startswith("db") else 10 / np.log(10))
    tol = np.where(below_db > 60.0, LOG_MEL_QUIET_ABS, LOG_MEL_ABS)
    assert np.all(np.abs(got - want) <= tol), np.max(np.abs(got - want) - tol)
    # Streaming frame by frame gives the same result.
    for t in (0, 57, got.shape[0] - 1):
        np.testing.assert_array_equal(fe.process(np.ascontiguousarray(x[t * 160:t * 160 + 512])), got[t])


def test_power_to_db_matches_librosa_formula():
    s = np.array([0.0, 1e-12, 1e-3, 1.0, 123.0], np.float32)
    for kw in ({}, {"ref": 10.0, "amin": 1e-5}):
        np.testing.assert_allclose(ts.power_to_db(s, **kw), ref.power_to_db(s.astype(np.float64), **kw),
                                   atol=1e-4)


def test_bad_parameters_raise():
    with pytest.raises(ValueError):
        ts.mel_filterbank(16000, 512, 40, fmax=9000.0)  # above Nyquist
    with pytest.raises(ValueError):
        ts.mel_filterbank(16000, 512, 0)
    with pytest.raises(ValueError):
        ts.mel_filterbank(16000, 512, 40, fmin=4000.0, fmax=3000.0)
    with pytest.raises(ValueError):
        ts.mel_filterbank(16000, 500, 40)  # not a power of two
    with pytest.raises(ValueError):
        ts.mel_filterbank(16000, 512, 40, norm="l2")
    with pytest.raises(ValueError):
        ts.LogMelFrontend(16000, 512, window="kaiser")
    with pytest.raises(ValueError):
        ts.LogMelFrontend(16000, 512, log="log2")
    with pytest.raises(ValueError):
        ts.LogMelFrontend(16000, 512, floor=0.0)
    fe = ts.LogMelFrontend(16000, 512)
    with pytest.raises(ValueError):
        fe.process(np.zeros(511, np.float32))
    with pytest.raises(TypeError):
        fe.process(np.zeros(512, np.float64))
    with pytest.raises(ValueError):
        fe.process_frames(np.zeros(1000, np.float32), 0)
    assert fe.process_frames(np.zeros(100, np.float32), 160).shape == (0, 40)
    fb = ts.MelFilterbank(16000, 512, 40)
    with pytest.raises(ValueError):
        fb.apply(np.zeros(256, np.float32))
    with pytest.raises(TypeError):
        fb.apply(np.zeros(257, np.float64))
    with pytest.raises(TypeError):
        ts.power_to_db(np.zeros(3, np.int16))
