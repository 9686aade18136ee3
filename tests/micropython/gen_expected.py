#!/usr/bin/python3
"""Inputs and numpy/scipy references for the MicroPython tests.

    /usr/bin/python3 tests/micropython/gen_expected.py OUT_DIR

writes OUT_DIR/<stem>.json for each tests/micropython/test_<stem>.py: fixed-seed
inputs and float64 numpy/scipy references (float kernels, compared with the
tolerances of tests/cpp/harness/tolerances.hpp) or exact integer models (Q15
and int16 paths, compared bit for bit). The integer and library models are
the ones the C++ golden data uses: the Q15 FFT model of tests/golden/gen_fft.py,
the Q15 biquad models of gen_biquad.py, librosa's formulas of gen_mel.py and
the sound level model of gen_sound_level.py (the functions are loaded from
those files, not copied). JSON keeps float32 values exactly (a float64 repr
round-trips) and MicroPython reads it with the json module.
"""
import ast
import json
import os
import sys

import numpy as np
from scipy import signal

ROOT_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       "python")
sys.path.insert(0, ROOT_PY)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN = os.path.join(ROOT, "tests", "golden")
sys.path.insert(0, GOLDEN)

import gen_mel  # noqa: E402  (main() is guarded)
import gen_sound_level  # noqa: E402
from gen_weighting import load_builtin_sos  # noqa: E402
from tinysense import convert_cnn, convert_knn, convert_trees  # noqa: E402  (pure Python)


def load_defs(filename):
    """Imports, functions and UPPER_CASE constants of a golden generator that
    runs its generation at import time (gen_fft.py, gen_biquad.py)."""
    tree = ast.parse(open(os.path.join(GOLDEN, filename)).read(), filename)
    keep = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.FunctionDef)):
            keep.append(node)
        elif isinstance(node, ast.ImportFrom) and node.module != "goldenlib":
            keep.append(node)
        elif isinstance(node, ast.Assign) and all(
                isinstance(t, ast.Name) and t.id.isupper() for t in node.targets):
            keep.append(node)
    ns = {"__name__": "golden_" + filename[:-3]}
    exec(compile(ast.Module(body=keep, type_ignores=[]), filename, "exec"), ns)
    return ns


def f32(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).ravel()]


def f64(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def ints(a):
    return [int(v) for v in np.asarray(a).ravel()]


def interleave(z):
    return np.stack([z.real, z.imag], axis=-1).ravel()


def gen_fft():
    fft_model = load_defs("gen_fft.py")
    rng = np.random.default_rng(5150)
    d = {"sizes": [16, 64, 256, 1024, 4096], "cfft_sizes": [16, 256, 1024],
         "q15_sizes": [16, 64, 256, 1024]}
    for n in d["sizes"]:
        x = (0.5 * rng.standard_normal(n)).astype(np.float32)
        d[f"x{n}"] = f32(x)
        d[f"rfft{n}"] = f64(interleave(np.fft.rfft(x.astype(np.float64))))
        spec = (rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1))
        spec32 = interleave(spec).astype(np.float32)
        d[f"spec{n}"] = f32(spec32)
        s = spec32.astype(np.float64).reshape(-1, 2)
        d[f"irfft{n}"] = f64(np.fft.irfft(s[:, 0] + 1j * s[:, 1], n))
    for n in d["cfft_sizes"]:
        z = (rng.standard_normal(2 * n)).astype(np.float32)
        d[f"cx{n}"] = f32(z)
        zc = z.astype(np.float64).reshape(-1, 2)
        zc = zc[:, 0] + 1j * zc[:, 1]
        d[f"cfft{n}"] = f64(interleave(np.fft.fft(zc)))
        d[f"cifft{n}"] = f64(interleave(np.fft.ifft(zc)))
    for n in d["q15_sizes"]:
        xq = np.clip(np.round(rng.standard_normal(n) * 9000), -32768, 32767).astype(np.int16)
        if n == 64:
            xq[::7] = 32767  # full-scale samples
            xq[3::7] = -32768
        re, im = fft_model["q15_rfft"](xq)
        d[f"xq{n}"] = ints(xq)
        d[f"q15_{n}"] = ints(np.stack([re, im], axis=-1).ravel())
        p = re.astype(np.int64) ** 2 + im.astype(np.int64) ** 2
        d[f"q15_power{n}"] = ints(np.minimum(p, 2 ** 31 - 1))
    d["windows"] = []
    for name in ("hann", "hamming", "boxcar"):
        for n, fftbins in ((16, True), (16, False), (33, True), (512, True), (1, True)):
            w = signal.get_window(name, n, fftbins=fftbins)
            d["windows"].append([name, n, fftbins, f64(w)])
    return d


def gen_iir():
    bq = load_defs("gen_biquad.py")
    rng = np.random.default_rng(4242)
    n = 3000
    x = (0.5 * rng.standard_normal(n)).astype(np.float32)
    d = {"x": f32(x), "designs": []}
    designs = {
        "butter4_lp": signal.butter(4, 0.1, output="sos"),
        "ellip6_bp": signal.ellip(6, 0.5, 40, [0.1, 0.3], btype="band", output="sos"),
        "cheby1_hp": signal.cheby1(3, 1.0, 0.2, btype="highpass", output="sos"),
    }
    for name, sos in designs.items():
        sos32 = sos.astype(np.float32)
        y = signal.sosfilt(sos32.astype(np.float64), x.astype(np.float64))
        d["designs"].append([name, f32(sos32), f64(y)])
    # Q15: a unit-DC-gain-per-section lowpass, converted by the sos_to_q15 model.
    sos32 = bq["balanced_lowpass"](signal.butter(4, 0.05, output="sos")).astype(np.float32)
    sos16, shift = bq["sos_to_q15_model"](sos32)
    xq = np.clip(np.round(rng.standard_normal(n) * 6000), -32768, 32767).astype(np.int16)
    d["q15_sos_f32"] = f32(sos32)
    d["q15_sos"] = ints(sos16)
    d["q15_shift"] = int(shift)
    d["q15_x"] = ints(xq)
    d["q15_y"] = ints(bq["df1_q15_model"](sos16, shift, xq))
    # A saturating case: gain 1.9 on a loud tone.
    sat32 = np.array([[1.9, 0.0, 0.0, 1.0, -0.5, 0.0]], dtype=np.float32)
    sat16, sat_shift = bq["sos_to_q15_model"](sat32)
    xs = np.round(30000 * np.sin(np.arange(400) * 0.05)).astype(np.int16)
    d["sat_sos"] = ints(sat16)
    d["sat_shift"] = int(sat_shift)
    d["sat_x"] = ints(xs)
    d["sat_y"] = ints(bq["df1_q15_model"](sat16, sat_shift, xs))
    return d


def gen_stats():
    rng = np.random.default_rng(777)
    xf = (3.0 + 0.7 * rng.standard_normal(1001)).astype(np.float32)
    xf[::5] *= -1.0
    xh = np.clip(np.round(rng.standard_normal(1001) * 9000), -32768, 32767).astype(np.int16)
    xh[10], xh[20] = 32767, -32768
    q = [0.0, 10.0, 25.0, 50.0, 75.0, 90.0, 99.5, 100.0]
    d = {"q": q}
    for tag, x in (("f", xf), ("h", xh)):
        v = x.astype(np.float64)
        sb = (x[:-1] < 0) != (x[1:] < 0)
        d[tag] = {
            "x": f32(x) if tag == "f" else ints(x),
            "mean": float(np.mean(v)), "var": float(np.var(v)), "var1": float(np.var(v, ddof=1)),
            "std": float(np.std(v)), "std1": float(np.std(v, ddof=1)),
            "rms": float(np.sqrt(np.mean(v * v))), "min": float(np.min(v)), "max": float(np.max(v)),
            "ptp": float(np.max(v) - np.min(v)), "sum": float(np.sum(v)),
            "energy": float(np.sum(v * v)), "zero_crossings": int(np.count_nonzero(sb)),
            "zcr": float(np.mean(sb)),
            "percentiles": f64(np.percentile(v, q)), "median": float(np.median(v)),
        }
    # Conversions: the numpy models of stats.hpp.
    conv = np.concatenate([np.linspace(-1.2, 1.2, 97), [0.5 / 32768, 1.5 / 32768, -2.5 / 32768]])
    conv = conv.astype(np.float32)
    scale = np.float32(32768.0)
    v = conv * scale
    d["conv_f"] = f32(conv)
    d["conv_f_to_h"] = ints(np.clip(np.rint(v), -32768, 32767).astype(np.int16))
    d["conv_f_to_h_scale100"] = ints(np.clip(np.rint(conv * np.float32(100.0)), -32768, 32767))
    d["conv_h"] = ints(xh[:50])
    d["conv_h_to_f"] = f32(xh[:50].astype(np.float32) * np.float32(1.0 / 32768.0))
    d["conv_h_to_f_scale3"] = f32(xh[:50].astype(np.float32) * np.float32(3.0))
    return d


def gen_mel_data():
    rng = np.random.default_rng(1616)
    sr, n_fft, hop, n_frames = 16000, 512, 160, 12
    x16 = gen_mel.synthetic_speech(rng, 20000, sr)[8000:8000 + n_fft + hop * (n_frames - 1)]
    x = (x16.astype(np.float32) / np.float32(32768.0)).astype(np.float32)
    d = {"x": f32(x), "hop": hop, "configs": []}
    # [kwargs for Mel(), gen_mel.log_mel arguments]
    cfgs = [
        ({"sr": 16000, "n_fft": 512, "n_mels": 40}, dict(fmin=0.0, fmax=None, htk=False,
                                                        norm="slaney", log="db", floor=1e-10)),
        ({"sr": 16000, "n_fft": 512, "n_mels": 40, "fmin": 20.0, "fmax": 7600.0, "htk": True,
          "norm": None, "log": "ln", "amin": 1e-6},
         dict(fmin=20.0, fmax=7600.0, htk=True, norm=None, log="ln", floor=1e-6)),
        ({"sr": 16000, "n_fft": 512, "n_mels": 64, "ref": 0.01, "amin": 1e-8},
         dict(fmin=0.0, fmax=None, htk=False, norm="slaney", log="db", floor=1e-8, ref=0.01)),
    ]
    for kw, lm in cfgs:
        ref = gen_mel.log_mel(x.astype(np.float64), sr, n_fft, hop, kw["n_mels"], **lm)
        w = gen_mel.mel_filterbank(sr, n_fft, kw["n_mels"], lm["fmin"], lm["fmax"], lm["htk"],
                                   lm["norm"])
        power = (rng.random((2, n_fft // 2 + 1)) ** 3).astype(np.float32)
        mel = power.astype(np.float64) @ w.T
        d["configs"].append({"kwargs": kw, "log_mel": f64(ref), "frames": int(ref.shape[0]),
                             "power": f32(power), "mel": f64(mel),
                             "num_weights": int(np.count_nonzero(w))})
    p = np.array([0.0, 1e-12, 1e-10, 1e-3, 1.0, 10.0, 12345.0], dtype=np.float32)
    d["db_in"] = f32(p)
    d["db_out"] = f64(gen_mel.power_to_db(p.astype(np.float64)))
    d["db_out_ref"] = f64(gen_mel.power_to_db(p.astype(np.float64), ref=2.0, amin=1e-5))
    return d


def gen_soundlevel():
    table = load_builtin_sos()
    rng = np.random.default_rng(61672)
    d = {"trace_step": gen_sound_level.TRACE_STEP, "cases": []}
    # name, fs, weighting, tau, calibration, interval s, seconds, split s
    cases = [
        ("a16_fast", 16000, "A", 0.125, 0.0, 0.01, 2.0, 1.3),
        ("c48_slow", 48000, "C", 1.0, 0.0, 0.02, 1.5, 0.8),
        ("z32_cal", 32000, "Z", 0.125, 94.0, 0.005, 1.0, 0.5),
    ]
    for name, fs, kind, tau, cal, interval, seconds, split_s in cases:
        x16 = gen_sound_level.make_signal(rng, fs, seconds)
        split = int(split_s * fs)
        sos = None if kind == "Z" else table[(kind, fs)]
        res = gen_sound_level.model(x16, fs, sos, tau, cal, interval, split)
        case = {"name": name, "fs": fs, "weighting": kind, "tau": tau, "cal": cal,
                "interval": interval, "split": split, "x": ints(x16),
                "sos": [] if sos is None else f32(sos)}
        for k, v in res.items():
            case[k] = f64(v) if k == "level_trace" else float(v)
        d["cases"].append(case)
    x = (0.3 * rng.standard_normal(2000)).astype(np.float32)
    sos = table[("A", 44100)]
    d["wx"] = f32(x)
    d["w_sos"] = f32(sos)
    d["wy"] = f64(signal.sosfilt(sos.astype(np.float64), x.astype(np.float64)))
    return d


def to_int16(X, scale):
    m = np.abs(X).max(axis=0)
    m[m == 0] = 1
    return np.round(X / m * scale).astype(np.int16)


def gen_trees(out):
    from sklearn import datasets
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier, RandomForestRegressor
    from sklearn.tree import DecisionTreeClassifier
    d = {"cases": []}
    X, y = datasets.load_iris(return_X_y=True)
    Xd, yd = datasets.load_digits(return_X_y=True)
    rng = np.random.default_rng(99)
    Xr = rng.standard_normal((200, 5))
    yr = np.stack([Xr[:, 0] * 2 + np.sin(3 * Xr[:, 1]), Xr[:, 2] * Xr[:, 3]], axis=1)
    cases = [
        ("rf_iris_f32", RandomForestClassifier(12, max_depth=5, random_state=0).fit(X, y), X, "float32"),
        ("et_iris_u16", ExtraTreesClassifier(9, max_depth=6, random_state=1).fit(X, y), X, "float32"),
        ("dt_digits_i16", DecisionTreeClassifier(max_depth=8, random_state=0).fit(Xd[:1200], yd[:1200]),
         Xd[1200:1400], "int16"),
        ("rf_reg", RandomForestRegressor(6, max_depth=6, random_state=0).fit(Xr[:150], yr[:150]),
         Xr[150:], "float32"),
    ]
    for name, est, Xq, dtype in cases:
        opts = {"dtype": dtype}
        if name.endswith("u16"):
            opts["leaves"] = "u16"
        model = convert_trees.convert(est, **opts)
        Xc = model._input(Xq)
        with open(os.path.join(out, f"trees_{name}.tsm"), "wb") as f:
            f.write(model.to_bytes())
        case = {"name": name, "file": f"trees_{name}.tsm", "typecode": "h" if dtype == "int16" else "f",
                "x": (ints(Xc) if dtype == "int16" else f32(Xc)), "n_features": int(Xc.shape[1]),
                "classifier": bool(model.is_classifier), "leaf": str(model.leaf),
                "n_trees": int(model.n_trees)}
        if model.is_classifier:
            sk = np.searchsorted(est.classes_, est.predict(Xc.astype(np.float32)))
            cls, proba = model.run(Xc, "soft")
            hcls, hproba = model.run(Xc, "hard")
            assert np.array_equal(cls, sk)
            case.update(sk_cls=ints(sk), proba=f32(proba), hard_cls=ints(hcls), hard_proba=f32(hproba),
                        n_outputs=int(proba.shape[1]))
        else:
            values = model.run(Xc)
            case.update(values=f32(values), sk_values=f64(est.predict(Xc.astype(np.float32))),
                        n_outputs=int(values.shape[1]))
        d["cases"].append(case)
    return d


def gen_knn(out):
    from sklearn import datasets
    from sklearn.neighbors import KNeighborsClassifier
    d = {}
    X, y = datasets.load_wine(return_X_y=True)
    Xq = to_int16(X, 2000)
    k = 5
    clf = KNeighborsClassifier(k, algorithm="brute").fit(Xq[::2].astype(np.float64), y[::2])
    model = convert_knn.convert(clf)
    with open(os.path.join(out, "knn_wine.tsm"), "wb") as f:
        f.write(model.to_bytes())
    cls, proba, chosen = model.run(Xq)
    sk = np.searchsorted(clf.classes_, clf.predict(Xq.astype(np.float64)))
    assert np.array_equal(cls, sk)
    dist, _ = clf.kneighbors(Xq.astype(np.float64))
    d.update(x=ints(Xq), k=k, n_features=int(Xq.shape[1]), n_classes=3, n_items=int(len(Xq[::2])),
             sk_cls=ints(sk), proba=f32(proba), neighbors=ints(chosen), sk_dist=f64(dist))
    # On-device learning: the file holds the first half of the training rows,
    # the rest is added; and an empty classifier learning everything.
    tr_x, tr_y = Xq[::2], y[::2]
    half = len(tr_x) // 2
    with open(os.path.join(out, "knn_wine_half.tsm"), "wb") as f:
        f.write(convert_knn.from_arrays(tr_x[:half], tr_y[:half], k, 3).to_bytes())
    d.update(train_x=ints(tr_x), train_y=ints(tr_y), half=half)
    return d


def gen_cnn(out):
    from sklearn import datasets
    data = open(os.path.join(ROOT, "models", "digits_cnn.tsm"), "rb").read()
    with open(os.path.join(out, "cnn_digits.tsm"), "wb") as f:
        f.write(data)
    model = convert_cnn.read_model(data)
    X, y = datasets.load_digits(return_X_y=True)
    pix = X[-450:][::15].astype(np.uint8)  # 30 test images, pixels 0..16
    xq = convert_cnn.quantize_input(model, (pix / 16.0).reshape(-1, 8, 8, 1))
    outs = convert_cnn.run(model, xq)
    t = model.input
    return {"pixels": ints(pix), "x": ints(xq), "out": ints(outs.reshape(len(xq), -1)),
            "cls": ints(np.argmax(outs.reshape(len(xq), -1), axis=1)), "labels": ints(y[-450:][::15]),
            "input_scale": float(t.scale), "input_zero_point": int(t.zero_point),
            "out_size": int(np.prod(outs.shape[1:])), "arena_bytes": int(model.arena_bytes)}


def gen_img(out):
    im = load_defs("gen_img.py")
    rng = np.random.default_rng(3141)
    d = {}
    rgb = rng.integers(0, 256, (7, 13, 3), dtype=np.uint8)
    d["rgb"] = ints(rgb)
    d["rgb_to_gray"] = ints(im["luma"](rgb))
    d["rgb_to_565le"] = ints(im["to_bytes565"](im["pack565"](rgb), False))
    d["rgb_to_565be"] = ints(im["to_bytes565"](im["pack565"](rgb), True))
    u = rng.integers(0, 65536, (7, 13)).astype(np.int64)
    d["c565be"] = ints(im["to_bytes565"](u, True))
    d["c565_to_rgb"] = ints(im["unpack565"](u))
    src = rng.integers(0, 256, (13, 17, 1), dtype=np.uint8)
    src_rgb = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    d["src_gray"] = ints(src)
    d["src_rgb"] = ints(src_rgb)
    d["resizes"] = []
    for method, fn in (("nearest", im["resize_nearest"]), ("bilinear", im["resize_bilinear"]),
                       ("area", im["resize_area"])):
        for h, w in ((4, 5), (23, 31), (1, 1)):
            d["resizes"].append([method, "gray", w, h, ints(fn(src, h, w))])
        d["resizes"].append([method, "rgb888", 4, 5, ints(fn(src_rgb, 5, 4))])
    # roi (x=3, y=2, w=10, h=8) of the gray source, then bilinear to 6x5.
    d["roi"] = [3, 2, 10, 8]
    d["roi_out"] = ints(im["resize_bilinear"](src[2:10, 3:13], 5, 6))
    # Pixel quantiser: the fixed-point formula of image.hpp (exact).
    p = np.arange(256)
    d["quant"] = []
    for mean, std, scale, zp in ((0.0, 255.0, np.float32(1 / 255), -128),
                                 (127.5, 63.75, np.float32(0.0157), 3), (0.0, 16.0, np.float32(1 / 255), -128)):
        step = np.float64(np.float32(std)) * np.float64(scale)
        inv = 1.0 / step
        off = zp - np.float64(np.float32(mean)) * inv
        m = int(np.floor(inv * 65536 + 0.5))
        a = int(np.floor(off * 65536 + 0.5)) + 32768
        d["quant"].append([float(mean), float(std), float(scale), int(zp),
                           ints(np.clip((p * m + a) >> 16, -128, 127))])
    d["normalize"] = f64((p - 33.0) / 58.5)
    return d


GENERATORS = {
    "fft": gen_fft,
    "iir": gen_iir,
    "stats": gen_stats,
    "mel": gen_mel_data,
    "soundlevel": gen_soundlevel,
    "trees": gen_trees,
    "knn": gen_knn,
    "cnn": gen_cnn,
    "img": gen_img,
}
# Generators that also write model files into the output directory.
NEEDS_DIR = {"trees", "knn", "cnn", "img"}


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    out = argv[1]
    os.makedirs(out, exist_ok=True)
    for stem, fn in GENERATORS.items():
        data = fn(out) if stem in NEEDS_DIR else fn()
        with open(os.path.join(out, stem + ".json"), "w") as f:
            json.dump(data, f, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
