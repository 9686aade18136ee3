#!/usr/bin/python3
"""Inputs, models and reference outputs for the MicroPython benchmark.

Run by scripts/bench-mpy with Debian's /usr/bin/python3 (numpy, scipy,
scikit-learn). Writes into OUT_DIR:
  data.json      inputs, coefficients, forest tables and numpy/scipy/sklearn
                 references, read by bench_unix.py on MicroPython
  forest_f32.tsm, forest_i16.tsm   the same forest as tinysense model files
                 (python/tinysense/convert_trees.py), for tinysense_trees
  m0_data.h      coefficients and forest model for the Cortex-M0 firmware
Everything is deterministic (fixed LCG, fixed seeds).

Usage: make_data.py OUT_DIR
"""
import json
import math
import os
import sys

import numpy as np
import scipy.signal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))
import kernels  # noqa: E402  (the pure-MicroPython kernels are valid CPython too)

SIGNAL_LEN = 2048  # FFT uses the first n, RMS and IIR the first IIR_LEN
IIR_LEN = 2000
FFT_SIZES = (256, 1024)
N_FEATURES = 8
N_CLASSES = 4


def lcg_signal(n, seed=1):
    """int16 test signal, reproduced on the micro:bit by the same 16-bit LCG
    (products stay below 2^31, so MicroPython small ints suffice)."""
    s = seed
    out = []
    for _ in range(n):
        s = (s * 25173 + 13849) & 0xFFFF
        out.append((s >> 1) - 16384)
    return out


def sos_to_q15(sos):
    """tinysense dsp::sos_to_q15: smallest post_shift in [1, 7] at which every
    coefficient * 2^(15 - post_shift), rounded half away from zero, fits int16."""
    for shift in range(1, 8):
        scaled = sos * 2.0 ** (15 - shift)
        q = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)
        if q.min() >= -32768 and q.max() <= 32767:
            return q.astype(np.int16), shift
    raise ValueError("coefficients too large for Q15")


def float32_down(t):
    """Largest float32 <= t (tinysense's threshold rounding for float models)."""
    f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return float(f)


def make_forest():
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    X, y = make_classification(n_samples=1200, n_features=N_FEATURES, n_informative=5, n_redundant=1,
                               n_classes=N_CLASSES, random_state=7)
    # Integer-valued features in int16 range, so one forest serves the float32
    # and the int16 variants with identical decisions.
    X = np.clip(np.round(X * 1000.0), -32768, 32767)
    Xtr, ytr, Xte = X[:1000], y[:1000], X[1000:]
    forest = RandomForestClassifier(n_estimators=10, max_depth=8, random_state=0).fit(Xtr, ytr)
    feat, thr_f, thr_i, child, roots, leafval, leafval_u16 = [], [], [], [], [], [], []
    n_leaves = 0
    depth = 0
    for est in forest.estimators_:
        t = est.tree_
        depth = max(depth, est.get_depth())
        base = len(feat)
        roots.append(base)
        for node in range(t.node_count):
            left, right = t.children_left[node], t.children_right[node]
            if left == -1:
                p = t.value[node][0] / t.value[node][0].sum()
                feat.append(-(n_leaves + 1))
                thr_f.append(0.0)
                thr_i.append(0)
                child += [0, 0]
                leafval += [float(np.float32(v)) for v in p]
                leafval_u16 += [int(round(v * 65535)) for v in p]
                n_leaves += 1
            else:
                feat.append(int(t.feature[node]))
                thr_f.append(float32_down(float(t.threshold[node])))
                thr_i.append(int(np.clip(math.floor(t.threshold[node]), -32768, 32767)))
                child += [base + int(left), base + int(right)]
    assert len(feat) < 65536
    pred = forest.predict(Xte)
    tables = {"feat": feat, "thr_f32": thr_f, "thr_i16": thr_i, "child": child, "roots": roots,
              "leafval_f32": leafval, "leafval_u16": leafval_u16, "ncls": N_CLASSES,
              "n_trees": len(roots), "max_depth": depth, "n_nodes": len(feat),
              "X_test": Xte.astype(int).tolist(), "y_sklearn": pred.astype(int).tolist()}
    return forest, tables


def make_cnn():
    """The digits int8 CNN of models/ as plain lists for kernels.cnn_plan, 20
    quantised test images and the exact int8 outputs of the numpy model of the
    C++ runner (convert_cnn.run)."""
    from sklearn.datasets import load_digits
    from tinysense import convert_cnn as cc
    path = os.path.join(ROOT, "models", "digits_cnn.tsm")
    model = cc.read_model(open(path, "rb").read())
    layers = []
    for i, op in enumerate(model.ops):
        tin, tout = model.tensors[i], model.tensors[i + 1]
        base = {"op": op.op, "h": tin.h, "w": tin.w, "oh": tout.h, "ow": tout.w}
        if op.op == cc.OP_CONV2D:
            base.update(cin=tin.c, cout=tout.c, kh=op.kh, kw=op.kw, sh=op.sh, sw=op.sw, pt=op.pt, pl=op.pl,
                        weights=np.asarray(op.weights).ravel().tolist(), bias=np.asarray(op.bias).tolist(),
                        mult=np.asarray(op.multiplier).tolist(), shift=np.asarray(op.shift).tolist(),
                        zin=int(tin.zero_point), zout=int(tout.zero_point), lo=int(op.act_min), hi=int(op.act_max))
        elif op.op == cc.OP_AVGPOOL:
            base.update(c=tin.c, kh=op.kh, kw=op.kw, sh=op.sh, sw=op.sw, pt=op.pt, pl=op.pl,
                        lo=int(op.act_min), hi=int(op.act_max))
        elif op.op == cc.OP_DENSE:
            base.update(nin=tin.h * tin.w * tin.c, nout=tout.c, weights=np.asarray(op.weights).ravel().tolist(),
                        bias=np.asarray(op.bias).tolist(), mult=np.asarray(op.multiplier).tolist(),
                        shift=np.asarray(op.shift).tolist(), zin=int(tin.zero_point), zout=int(tout.zero_point),
                        lo=int(op.act_min), hi=int(op.act_max))
        elif op.op == cc.OP_SOFTMAX and tout.dtype == cc.DTYPE_INT8:
            base.update(n=tin.c, table=np.asarray(op.table).tolist())
        else:
            raise ValueError("digits CNN: op %s not supported by the pure-MicroPython version" % op)
        layers.append(base)
    images = load_digits().images[-450:][:20] / 16.0
    xq = cc.quantize_input(model, images[..., None])
    out = cc.run(model, xq)
    return {"model": os.path.relpath(path, ROOT), "layers": layers,
            "x": xq.reshape(len(xq), -1).astype(int).tolist(),
            "out": np.asarray(out).reshape(len(xq), -1).astype(int).tolist(),
            "cls": np.argmax(np.asarray(out).reshape(len(xq), -1), axis=1).astype(int).tolist(),
            "macs": json.load(open(os.path.join(ROOT, "models", "models.json")))["digits"]["macs"]}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)

    x16 = lcg_signal(SIGNAL_LEN)
    x = np.array(x16, dtype=np.float64) / 32768.0  # exact in float32 too
    data = {"x16": x16, "iir_len": IIR_LEN, "fft_sizes": list(FFT_SIZES)}

    # FFT references: numpy rfft (float64) and the exact integer result of
    # kernels.rfft_q15 (run here under CPython: same code, same integers).
    import array
    for n in FFT_SIZES:
        ref = np.fft.rfft(x[:n])
        data["rfft_%d" % n] = np.column_stack([ref.real, ref.imag]).ravel().tolist()
        plan = kernels.rfft_q15_plan(n)
        out = array.array("h", [0] * (n + 2))
        kernels.rfft_q15(array.array("h", x16[:n]), out, *plan)
        data["rfft_q15_%d" % n] = list(out)
        err = np.abs(np.array(out[0::2]) + 1j * np.array(out[1::2]) - ref / n * 32768.0).max()
        data["rfft_q15_%d_vs_numpy_lsb" % n] = float(err)

    # RMS references.
    xi = np.array(x16[:IIR_LEN], dtype=np.int64)
    data["rms_f32"] = float(np.sqrt(np.mean(x[:IIR_LEN] ** 2)))
    data["rms_i16"] = float(np.sqrt(np.mean(xi.astype(np.float64) ** 2)))

    # IIR: 8th-order Butterworth low-pass, 4 sections (scipy's sos layout).
    sos = scipy.signal.butter(8, 0.25, output="sos")
    # scipy puts the whole gain (1e-4) in the first section, which Q15 cannot
    # represent; spread it evenly (same filter, every section unity DC gain).
    gain = np.prod(sos[:, 0])
    sos[:, :3] = sos[:, :3] / sos[:, [0]] * gain ** (1.0 / sos.shape[0])
    sos32 = sos.astype(np.float32)
    data["sos"] = [float(v) for v in sos32.ravel()]
    data["biquad_f32"] = scipy.signal.sosfilt(sos32.astype(np.float64), x[:IIR_LEN]).tolist()
    sos_q, shift = sos_to_q15(sos32.astype(np.float64))
    data["sos_q15"] = sos_q.ravel().tolist()
    data["sos_q15_shift"] = shift
    yq = array.array("h", [0] * IIR_LEN)
    kernels.biquad_q15(array.array("h", sos_q.ravel().tolist()), shift, array.array("h", [0] * 16),
                       array.array("h", x16[:IIR_LEN]), yq)
    data["biquad_q15"] = list(yq)
    data["biquad_q15_vs_scipy_lsb"] = float(np.abs(np.array(yq) - np.array(data["biquad_f32"]) * 32768).max())

    # Random forest (sklearn) and its tinysense model files.
    forest, tables = make_forest()
    data["forest"] = tables
    try:
        from tinysense import convert_trees
        for dtype, name in (("float32", "forest_f32.tsm"), ("int16", "forest_i16.tsm")):
            convert_trees.convert(forest, dtype=dtype).save(os.path.join(out_dir, name))
        data["forest_tsm"] = ["forest_f32.tsm", "forest_i16.tsm"]
    except Exception as e:  # the module is optional for the pure benchmark
        print("make_data: no tinysense model files (%s)" % e, file=sys.stderr)
        data["forest_tsm"] = []

    data["cnn"] = make_cnn()

    with open(os.path.join(out_dir, "data.json"), "w") as f:
        json.dump(data, f)

    # Header for the Cortex-M0 firmware (bench/micropython/m0/bench_m0.cpp).
    with open(os.path.join(out_dir, "m0_data.h"), "w") as f:
        f.write("// Generated by bench/micropython/make_data.py: do not edit.\n#pragma once\n#include <cstdint>\n")
        f.write("constexpr int kSosSections = %d;\n" % sos.shape[0])
        f.write("alignas(4) const float kSos[] = {%s};\n" % ", ".join("%.9ef" % v for v in sos32.ravel()))
        f.write("alignas(4) const int16_t kSosQ15[] = {%s};\n" % ", ".join(str(v) for v in sos_q.ravel()))
        f.write("constexpr int kSosQ15Shift = %d;\n" % shift)
    print("make_data: wrote %s (Q15 rfft vs numpy: %.1f / %.1f LSB, Q15 biquad vs scipy: %.1f LSB, "
          "forest %d trees, %d nodes, depth %d)" % (
              out_dir, data["rfft_q15_256_vs_numpy_lsb"], data["rfft_q15_1024_vs_numpy_lsb"],
              data["biquad_q15_vs_scipy_lsb"], tables["n_trees"], tables["n_nodes"], tables["max_depth"]))


if __name__ == "__main__":
    main()
