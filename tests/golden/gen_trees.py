"""Tree ensembles converted by python/tinysense/convert_trees.py, with scikit-learn's answers.

Every case: the model file bytes, test rows, scikit-learn's predict (as class
indices) / predict_proba / regression values, and the numpy model of the
runner (TreesModel.run) whose results the C++ must reproduce bit for bit.
Also embeds the fuzz seed corpora (fuzz/corpus/fuzz_trees, fuzz_model) so the
C++ test runs every corpus file through the loaders on every target.
"""
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.ensemble import (ExtraTreesClassifier, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from threadpoolctl import threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense import convert_trees as ct  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
arrays, scalars = {}, {}


def to_int16(X, scale=20000):
    """Per-feature scaling of a dataset to integers (int16 models train on integers)."""
    m = np.abs(X).max(axis=0)
    m[m == 0] = 1
    return np.round(X / m * scale).astype(np.int16)


def add_case(name, est, X, **opts):
    """Converts est, stores model + rows + sklearn and numpy-model answers under name_*."""
    model = ct.convert(est, **opts)
    Xc = model._input(X)
    arrays[f"{name}_model"] = np.frombuffer(model.to_bytes(), np.uint8)
    arrays[f"{name}_x"] = Xc
    scalars[f"{name}_rows"] = len(Xc)
    scalars[f"{name}_leaf"] = model.leaf
    scalars[f"{name}_child_bytes"] = model.child_bytes
    scalars[f"{name}_trees"] = model.n_trees
    scalars[f"{name}_nodes"] = model.n_nodes
    scalars[f"{name}_leaves"] = model.n_leaves
    scalars[f"{name}_sk_nodes"] = sum(t.node_count for t in ct.estimator_trees(est)[0])
    sk_pred = est.predict(Xc.astype(np.float32))
    if model.is_classifier:
        idx = np.searchsorted(est.classes_, sk_pred).astype(np.int32)
        cls, proba = model.run(Xc, "soft")
        hcls, hproba = model.run(Xc, "hard")
        assert np.array_equal(cls, idx), f"{name}: numpy model differs from sklearn predict"
        arrays[f"{name}_sk_cls"] = idx
        arrays[f"{name}_sk_proba"] = est.predict_proba(Xc.astype(np.float32)).astype(np.float64)
        arrays[f"{name}_proba"] = proba.astype(np.float32)
        arrays[f"{name}_hard_cls"] = hcls.astype(np.int32)
        arrays[f"{name}_hard_proba"] = hproba.astype(np.float32)
    else:
        values = model.run(Xc)
        arrays[f"{name}_sk_values"] = np.asarray(sk_pred, np.float64).reshape(len(Xc), -1)
        arrays[f"{name}_values"] = values.astype(np.float32)
    return model


with threadpool_limits(1):
    # iris, float32: one decision tree (u16 leaves, provably exact) and a
    # depth-limited forest (mixed leaves -> f64, exact soft voting).
    X, y = datasets.load_iris(return_X_y=True)
    X = X.astype(np.float32)
    add_case("iris_dt", DecisionTreeClassifier(random_state=0).fit(X[::2], y[::2]), X)
    add_case("iris_rf", RandomForestClassifier(10, max_depth=4, random_state=0).fit(X[::2], y[::2]), X)

    # wine on int16 features, 4-byte child references forced (int16 node, 12 bytes).
    X, y = datasets.load_wine(return_X_y=True)
    Xq = to_int16(X)
    add_case("wine_et16", ExtraTreesClassifier(10, max_depth=6, random_state=0).fit(Xq[1::2], y[1::2]),
             Xq, dtype="int16", child_bytes=4)

    # breast_cancer, u16 leaves on a forest with mixed leaves (checked: exact here).
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = X.astype(np.float32)
    add_case("bc_rf", RandomForestClassifier(10, max_depth=5, random_state=1).fit(X[::2], y[::2]),
             X, leaves="u16")

    # digits: integer pixels 0..16, int16 model with float32 leaves.
    X, y = datasets.load_digits(return_X_y=True)
    Xq = X.astype(np.int16)
    add_case("digits_rf16", RandomForestClassifier(15, max_depth=8, random_state=2).fit(Xq[::2], y[::2]),
             Xq[1::6], dtype="int16", leaves="f32")

    # multi-output regression: forest with f32 leaves; int16 tree with f64 leaves.
    X, Y = datasets.make_regression(n_samples=600, n_features=8, n_targets=3, noise=3.0, random_state=3)
    X = X.astype(np.float32)
    add_case("reg_rf", RandomForestRegressor(8, max_depth=6, random_state=3).fit(X[:400], Y[:400]), X[400:])
    Xq = to_int16(X, 1000)
    add_case("reg_dt16", DecisionTreeRegressor(max_depth=9, random_state=3).fit(Xq[:400], Y[:400, 0]),
             Xq[400:], dtype="int16", leaves="f64", child_bytes=4)

    # > 127 features and > 32768 sklearn nodes (emlearn's limits), 4-byte references.
    X, y = datasets.make_classification(n_samples=3000, n_features=300, n_informative=40, n_classes=3,
                                        flip_y=0.3, random_state=1)
    X = X.astype(np.float32)
    big = ExtraTreesClassifier(16, random_state=1).fit(X[:2800], y[:2800])
    m = add_case("big", big, X[2800:2864], child_bytes=4)
    assert scalars["big_sk_nodes"] > 32768 and m.n_features > 127

    # Threshold rounding: sklearn splits between float32 a and b at (a + b) / 2,
    # which float32 round-to-nearest rounds UP to b here; we must round down.
    a = np.nextafter(np.float32(1024), np.float32(2048))  # odd last mantissa bit
    b = np.nextafter(a, np.float32(2048))
    edge = DecisionTreeClassifier().fit(np.array([[a], [b]], np.float32), [0, 1])
    assert np.float32(edge.tree_.threshold[0]) == b  # nearest rounding would send b left
    add_case("edge", edge, np.array([[a], [b]], np.float32))
    scalars["edge_a"] = float(a)
    scalars["edge_b"] = float(b)


def corpus(target):
    """All files of fuzz/corpus/<target> concatenated, with start offsets."""
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    blobs = [open(os.path.join(d, n), "rb").read() for n in names]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.uint32)
    return np.frombuffer(b"".join(blobs), np.uint8), offsets


for target in ("fuzz_trees", "fuzz_model"):
    data, offsets = corpus(target)
    arrays[f"corpus_{target}"] = data
    arrays[f"corpus_{target}_offsets"] = offsets

write_header(output_path(), "trees", arrays, scalars)
