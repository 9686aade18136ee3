"""A/C weighting: the host design tool and the built-in table vs the IEC
61672-1 analog weighting, and the C++ filter vs scipy.signal.sosfilt.

The analog reference here is independent of design.py: scipy.signal.freqs_zpk
of the analog poles and zeros, normalised at 1 kHz.
"""
import glob
import os
import re
import subprocess
import wave

import numpy as np
import pytest
from scipy.signal import freqs_zpk, sosfilt, sosfreqz

import tinysense as ts
from tinysense import design

BUILTIN_RATES = (16000, 22050, 32000, 44100, 48000, 96000)
ODD_RATES = (24000, 11025 * 2 + 1000)  # 24 kHz and 23.05 kHz: neither is built in
BOUND_DB = 0.1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WAVS = sorted(glob.glob("/usr/share/pocketsphinx/test/data/librivox/*.wav"))

# IEC 61672-1 Annex E poles (Hz).
POLES_HZ = {"A": (20.598997, 20.598997, 107.65265, 737.86223, 12194.217, 12194.217),
            "C": (20.598997, 20.598997, 12194.217, 12194.217)}
ZEROS = {"A": 4, "C": 2}


def analog_db(kind, f):
    p = -2 * np.pi * np.array(POLES_HZ[kind])
    w = 2 * np.pi * np.concatenate([[1000.0], f])
    _, h = freqs_zpk(np.zeros(ZEROS[kind]), p, 1.0, worN=w)
    db = 20 * np.log10(np.abs(h))
    return db[1:] - db[0]


def grid(fs, n=3000):
    return np.geomspace(10.0, min(20000.0, 0.4 * fs), n)


def max_error_db(sos, kind, fs):
    f = grid(fs)
    _, h = sosfreqz(np.asarray(sos, np.float64), worN=f, fs=fs)
    return float(np.max(np.abs(20 * np.log10(np.abs(h)) - analog_db(kind, f))))


_designs = {}


def designed(kind, fs):
    if (kind, fs) not in _designs:
        _designs[(kind, fs)] = design.weighting_sos(kind, fs)
    return _designs[(kind, fs)]


def read_wav(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)


def test_analog_reference_agrees_with_design_formula():
    f = grid(48000)
    for kind in "AC":
        np.testing.assert_allclose(design.analog_weighting_db(kind, f), analog_db(kind, f),
                                   atol=1e-9)
    # IEC 61672-1 Table 3 (rounded to 0.1 dB) at the exact base-10 frequencies
    # 10^(n/10) Hz behind the nominal 10, 100, 400, 1k, 4k, 10k, 20k.
    f = 10.0 ** (np.array([10, 20, 26, 30, 36, 40, 43]) / 10.0)
    table = {"A": [-70.4, -19.1, -4.8, 0.0, 1.0, -2.5, -9.3],
             "C": [-14.3, -0.3, 0.0, 0.0, -0.8, -4.4, -11.2]}
    for kind, expected in table.items():
        np.testing.assert_allclose(analog_db(kind, f), expected, atol=0.05 + 1e-9)


@pytest.mark.parametrize("kind", ["A", "C"])
@pytest.mark.parametrize("fs", BUILTIN_RATES + ODD_RATES)
def test_design_tool_within_bound(kind, fs):
    sos = designed(kind, fs)
    assert sos.dtype == np.float64 and sos.shape[1] == 6
    np.testing.assert_array_equal(sos[:, 3], 1.0)
    # stable and minimum phase
    for row in sos:
        assert np.all(np.abs(np.roots(row[3:])) < 1.0)
        assert np.all(np.abs(np.roots(row[:3])) <= 1.0 + 1e-12)
    err64 = max_error_db(sos, kind, fs)
    err32 = max_error_db(sos.astype(np.float32), kind, fs)
    print(f"{kind} {fs} Hz: max error {err64:.4f} dB (float64), {err32:.4f} dB (float32)")
    assert err64 <= BOUND_DB
    assert err32 <= BOUND_DB
    assert abs(design.max_error_db(sos, kind, fs) - err64) < 1e-3
    # Bilinear alone misses badly (the reason for the correction sections).
    if fs in (16000, 48000) and kind == "A":
        base = design._bilinear_sos(kind, fs)
        f = np.array([min(0.4 * fs, 19000.0)])
        _, h = sosfreqz(base, worN=np.concatenate([[1000.0], f]), fs=fs)
        miss = 20 * np.log10(np.abs(h[1]) / np.abs(h[0])) - analog_db(kind, f)[0]
        assert miss < -5.0


@pytest.mark.parametrize("kind", ["A", "C"])
@pytest.mark.parametrize("fs", BUILTIN_RATES)
def test_builtin_table_within_bound(kind, fs):
    sos = ts.builtin_weighting_sos(kind, fs)
    assert sos.dtype == np.float32
    assert max_error_db(sos, kind, fs) <= BOUND_DB
    np.testing.assert_array_equal(ts.Weighting(kind, fs).sos, sos)
    # The table comes from the design tool: same response within float32 rounding.
    f = grid(fs, 500)
    _, h_tab = sosfreqz(sos.astype(np.float64), worN=f, fs=fs)
    _, h_tool = sosfreqz(designed(kind, fs), worN=f, fs=fs)
    assert np.max(np.abs(20 * np.log10(np.abs(h_tab / h_tool)))) < 0.03


@pytest.mark.parametrize("kind", ["A", "C"])
def test_filter_matches_sosfilt_on_speech(kind):
    fs, x16 = read_wav(WAVS[0])
    x = (x16 / 32768.0).astype(np.float32)
    w = ts.Weighting(kind, fs)
    got = np.concatenate([w.process(x[:1000]), w.process(x[1000:1001]), w.process(x[1001:])])
    ref = sosfilt(w.sos.astype(np.float64), x.astype(np.float64))
    assert got.dtype == np.float32
    assert np.linalg.norm(got - ref) / np.linalg.norm(ref) < 1e-5
    w.reset()
    np.testing.assert_array_equal(w.process(x), got)


def test_z_weighting_is_identity():
    x = np.random.default_rng(0).standard_normal(100).astype(np.float32)
    w = ts.Weighting("z", 12345.0)
    np.testing.assert_array_equal(w.process(x), x)
    assert w.sections == 0


def test_cli_prints_usable_cpp(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ts.__file__)))
    out = subprocess.run(["/usr/bin/python3", "-m", "tinysense.design", "weighting", "A", "24000"],
                         check=True, capture_output=True, text=True, env=env).stdout
    assert "constexpr float kAWeighting24000[5 * 6]" in out
    body = out[out.index("{") + 1:out.index("}")]
    sos = np.array([float(v.rstrip("f")) for v in re.findall(r"[-+0-9.eE]+f", body)],
                   dtype=np.float32).reshape(-1, 6)
    assert max_error_db(sos, "A", 24000) <= BOUND_DB
    # Same numbers as the Python API, rounded to float32.
    np.testing.assert_array_equal(sos, designed("A", 24000).astype(np.float32))
    # The printed array compiles against the library header and feeds Weighting.
    src = tmp_path / "use.cpp"
    src.write_text('#include "tinysense/dsp/weighting.hpp"\n' + out +
                   "tinysense::Status f(tinysense::dsp::WeightingN& w) {\n"
                   "  return w.init(tinysense::Span<const float>(kAWeighting24000));\n}\n")
    subprocess.run(["c++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                    "-I", os.path.join(ROOT, "include"), str(src)], check=True)
    w = ts.Weighting(sos=sos)
    x = np.random.default_rng(1).standard_normal(2000).astype(np.float32)
    ref = sosfilt(sos.astype(np.float64), x.astype(np.float64))
    assert np.linalg.norm(w.process(x) - ref) / np.linalg.norm(ref) < 1e-5


def test_cli_rejects_bad_input():
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(ts.__file__)))
    r = subprocess.run(["/usr/bin/python3", "-m", "tinysense.design", "weighting", "B", "24000"],
                       capture_output=True, text=True, env=env)
    assert r.returncode != 0 and "kind" in r.stderr


def test_bad_input():
    with pytest.raises(ValueError, match="not built in.*tinysense.design"):
        ts.Weighting("A", 24000)
    with pytest.raises(ValueError, match="not built in"):
        ts.builtin_weighting_sos("C", 8000)
    with pytest.raises(ValueError, match="unknown weighting"):
        ts.Weighting("B", 48000)
    with pytest.raises(TypeError):
        ts.Weighting(1, 48000)
    with pytest.raises(ValueError):
        ts.Weighting("A", -1.0)
    w = ts.Weighting("A", 48000)
    with pytest.raises(TypeError, match="float32"):
        w.process(np.zeros(8))
    with pytest.raises(ValueError, match="1-D"):
        w.process(np.zeros((2, 4), np.float32))
    with pytest.raises(TypeError, match="float32"):
        ts.Weighting(sos=designed("A", 48000))  # float64
    with pytest.raises(ValueError, match="sections, 6"):
        ts.Weighting(sos=np.zeros((2, 5), np.float32))
    bad = np.zeros((1, 6), np.float32)
    with pytest.raises(ValueError):  # a0 = 0
        ts.Weighting(sos=bad)
    with pytest.raises(ValueError, match="kind"):
        design.weighting_sos("B", 48000)
    with pytest.raises(TypeError):
        design.weighting_sos(3, 48000)
    with pytest.raises(TypeError):
        design.weighting_sos("A", "48000")
    with pytest.raises(ValueError, match="fs"):
        design.weighting_sos("A", 1000)
    with pytest.raises(ValueError, match="fs"):
        design.weighting_sos("A", float("nan"))
    with pytest.raises(ValueError, match="n_correction"):
        design.weighting_sos("A", 48000, n_correction=0)
