"""CPython checks of the pure-MicroPython kernels (kernels.py is valid CPython)
and of the report generator, independent of MicroPython and QEMU:

    /usr/bin/python3 -m pytest -q bench/micropython/test_kernels.py

bench_unix.py checks every variant again on MicroPython before timing it; these
tests pin the algorithms themselves against numpy/scipy/sklearn with models
written independently of kernels.py.
"""
import array
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
import kernels  # noqa: E402
import make_data  # noqa: E402

RNG = np.random.default_rng(1234)


@pytest.mark.parametrize("n", [8, 16, 64, 256, 1024])
@pytest.mark.parametrize("lists", [False, True])
def test_rfft_f32_matches_numpy(n, lists):
    x = RNG.uniform(-1, 1, n).astype(np.float32)
    out = [0.0] * (n + 2) if lists else array.array("f", [0.0] * (n + 2))
    kernels.rfft_f32(array.array("f", x), out, *kernels.rfft_plan(n, lists))
    ref = np.fft.rfft(x.astype(np.float64))
    got = np.array(out[0::2]) + 1j * np.array(out[1::2])
    assert np.abs(got - ref).max() <= 1e-5 * np.abs(ref).max()


@pytest.mark.parametrize("n", [16, 256, 1024])
def test_rfft_q15_close_to_numpy_and_in_range(n):
    x16 = RNG.integers(-32768, 32768, n)
    out = array.array("h", [0] * (n + 2))  # array('h') raises OverflowError on any out-of-range value
    kernels.rfft_q15(array.array("h", x16.tolist()), out, *kernels.rfft_q15_plan(n))
    ref = np.fft.rfft(x16 / 32768.0) / n * 32768.0
    got = np.array(out[0::2]) + 1j * np.array(out[1::2])
    assert np.abs(got - ref).max() <= 6.0  # LSB; full-scale random input (measured <= 5)
    assert out[1] == 0 and out[n + 1] == 0


@pytest.mark.parametrize("pattern", ["square3", "max", "min", "alternate"])
def test_rfft_q15_full_scale_does_not_overflow(pattern):
    n = 256
    gen = {"square3": lambda i: 32767 if (i // 3) % 2 else -32768, "max": lambda i: 32767,
           "min": lambda i: -32768, "alternate": lambda i: 32767 if i % 2 else -32768}[pattern]
    x = array.array("h", [gen(i) for i in range(n)])
    out = array.array("h", [0] * (n + 2))
    kernels.rfft_q15(x, out, *kernels.rfft_q15_plan(n))  # array('h') raises if a bin leaves int16
    ref = np.fft.rfft(np.array(x) / 32768.0) / n * 32768.0
    assert np.abs(np.array(out[0::2]) + 1j * np.array(out[1::2]) - ref).max() <= 6.0


def test_rms():
    x = RNG.uniform(-1, 1, 2000).astype(np.float32)
    xi = RNG.integers(-32768, 32768, 2000)
    assert kernels.rms_f32(array.array("f", x)) == pytest.approx(np.sqrt(np.mean(x.astype(np.float64) ** 2)), rel=1e-12)
    ref = np.sqrt(np.mean(xi.astype(np.float64) ** 2))
    assert kernels.rms_i16(array.array("h", xi.tolist())) == pytest.approx(ref, rel=1e-12)
    assert kernels.rms_i16f(array.array("h", xi.tolist())) == pytest.approx(ref, rel=1e-12)


def _sos():
    sos = scipy.signal.butter(8, 0.25, output="sos")
    sos[:, :3] = sos[:, :3] / sos[:, [0]] * np.prod(sos[:, 0]) ** 0.25
    return sos


def test_biquad_f32_matches_scipy_and_streams():
    sos = _sos().astype(np.float32)
    x = RNG.uniform(-1, 1, 1000).astype(np.float32)
    ref = scipy.signal.sosfilt(sos.astype(np.float64), x.astype(np.float64))
    sos_a = array.array("f", sos.ravel())
    state = array.array("f", [0.0] * 8)
    y = array.array("f", [0.0] * 1000)
    kernels.biquad_f32(sos_a, state, array.array("f", x), y)
    assert np.abs(np.array(y) - ref).max() <= 1e-5
    # Two pieces give the same samples as one call (state carries over), up to
    state2 = array.array("f", [0.0] * 8)
    y1, y2 = array.array("f", [0.0] * 337), array.array("f", [0.0] * 663)
    kernels.biquad_f32(sos_a, state2, array.array("f", x[:337]), y1)
    kernels.biquad_f32(sos_a, state2, array.array("f", x[337:]), y2)
    # float32 state between calls vs the float64 locals inside one call
    assert np.abs(np.array(list(y1) + list(y2)) - np.array(y)).max() <= 1e-6


def _biquad_q15_numpy(sos_q, shift, x):
    """Independent model of tinysense BiquadQ15 (direct form I, int64)."""
    y = np.asarray(x, np.int64)
    for b0, b1, b2, _, a1, a2 in np.asarray(sos_q, np.int64).reshape(-1, 6):
        out = np.zeros_like(y)
        x1 = x2 = y1 = y2 = 0
        for i, x0 in enumerate(y):
            acc = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            v = int(np.clip((acc + (1 << (14 - shift))) >> (15 - shift), -32768, 32767))
            out[i] = v
            x1, x2, y1, y2 = x0, x1, v, y1
        y = out
    return y


def test_biquad_q15_bit_exact_with_independent_model():
    sos_q, shift = make_data.sos_to_q15(_sos())
    x = RNG.integers(-32768, 32768, 500)
    y = array.array("h", [0] * 500)
    kernels.biquad_q15(array.array("h", sos_q.ravel().tolist()), shift, array.array("h", [0] * 16),
                       array.array("h", x.tolist()), y)
    assert list(y) == _biquad_q15_numpy(sos_q.ravel(), shift, x).tolist()


def test_biquad_q15_saturates():
    sos_q = array.array("h", [16383, 16383, 16383, 16384, 0, 0])  # gain 3 at DC, post_shift 1
    y = array.array("h", [0] * 4)
    kernels.biquad_q15(sos_q, 1, array.array("h", [0] * 4), array.array("h", [30000] * 4), y)
    assert list(y)[1:] == [32767] * 3


def test_forest_matches_sklearn():
    _, t = make_data.make_forest()
    feat, child, roots = t["feat"], t["child"], t["roots"]
    acc = [0.0] * t["ncls"]
    got = [kernels.forest_predict([float(v) for v in x], feat, t["thr_f32"], child, roots, t["leafval_f32"],
                                  t["ncls"], acc) for x in t["X_test"]]
    assert got == t["y_sklearn"]


def test_cnn_bit_exact_with_convert_cnn():
    c = make_data.make_cnn()
    layers = kernels.cnn_plan(c["layers"])
    for x, out, cls in zip(c["x"], c["out"], c["cls"]):
        assert kernels.cnn_run(layers, array.array("b", x)) == cls
        assert list(layers[-1][3]) == out


def test_mbqm_matches_convert_cnn():
    from tinysense import convert_cnn as cc
    xs = RNG.integers(-(1 << 31), 1 << 31, 300)
    ms = RNG.integers(1 << 30, (1 << 31) - 1, 300)
    for s in (-12, -1, 0, 1, 3):
        want = cc.multiply_by_quantized_multiplier(xs, ms, np.full(300, s))
        assert [kernels.mbqm(int(x), int(m), s) for x, m in zip(xs, ms)] == want.tolist()


def test_report_without_inputs_says_not_measured(tmp_path):
    work, res = tmp_path / "work", tmp_path / "res"
    work.mkdir()
    subprocess.run([sys.executable, os.path.join(HERE, "report.py"), str(work), str(res)], check=True,
                   capture_output=True)
    text = (res / "mpy.md").read_text()
    assert "Not measured" in text and "micro:bit not measured" in text
    assert json.loads((res / "mpy.json").read_text())["schema"] == "tinysense-bench-mpy/1"
    assert (res / "mpy.png").stat().st_size > 1000
