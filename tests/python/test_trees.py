"""Trees: tinysense.convert_trees + the C++ runner (tinysense._ext.Forest) vs scikit-learn.

predict() must equal sklearn's predict on every row of every dataset; the C++
must equal the numpy model of the runner bit for bit; probabilities within the
leaf quantisation (or exactly sklearn's float64 rounded to float32 with f64
leaves). Also: >127 features, >32768 nodes, emlearn CSV import, file checks.
"""
import os
import shutil
import subprocess

import numpy as np
import pytest
from sklearn import datasets
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                              RandomForestRegressor)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier

import tinysense as ts
from tinysense import convert_trees as ct
from tinysense.model_format import pack_model, unpack_model

U16_TOL = 1.5 / 65535 + 1e-7
F32_TOL = 1e-6


def int16_features(X, scale=20000):
    m = np.abs(X).max(axis=0)
    m[m == 0] = 1
    return np.round(X / m * scale).astype(np.int16)


_DATA = {}


def dataset(name):
    if name not in _DATA:
        X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
        _DATA[name] = (X.astype(np.float32), y)
    return _DATA[name]


def check_classifier(model, est, X, leaves):
    """Every row: labels equal sklearn; C++ == numpy model; probabilities close/exact."""
    Xs = X.astype(np.float32)  # what sklearn sees (it casts to float32 itself)
    assert np.array_equal(model.predict(X), est.predict(Xs))
    proba = model.predict_proba(X)
    ref = est.predict_proba(Xs)
    cls, np_proba = model.run(X)
    assert np.array_equal(est.classes_[cls], est.predict(Xs))
    assert np.array_equal(proba, np_proba)
    if leaves == "f64":
        assert np.array_equal(proba, ref.astype(np.float32))
    else:
        assert np.abs(proba - ref).max() <= (U16_TOL if leaves == "u16" else F32_TOL)
    # Hard voting: majority of the per-tree predictions, ties to the smallest class.
    trees = est.estimators_ if hasattr(est, "estimators_") else [est]
    votes = np.zeros((len(X), len(est.classes_)), np.int64)
    for t in trees:
        per_tree = t.predict(Xs).astype(np.int64)
        if not hasattr(est, "estimators_"):
            per_tree = np.searchsorted(est.classes_, t.predict(Xs))
        np.add.at(votes, (np.arange(len(X)), per_tree), 1)
    assert np.array_equal(model.predict(X, voting="hard"), est.classes_[np.argmax(votes, axis=1)])
    assert np.array_equal(model.predict_proba(X, voting="hard"), model.run(X, "hard")[1])


ESTIMATORS = {
    "dt": lambda: DecisionTreeClassifier(random_state=0),
    "dt_depth4": lambda: DecisionTreeClassifier(max_depth=4, random_state=0),
    "extra_tree": lambda: ExtraTreeClassifier(random_state=0),
    "rf": lambda: RandomForestClassifier(15, random_state=0),
    "rf_depth5": lambda: RandomForestClassifier(15, max_depth=5, random_state=0),
    "et": lambda: ExtraTreesClassifier(15, random_state=0),
    "et_leaf5": lambda: ExtraTreesClassifier(15, min_samples_leaf=5, random_state=0),
}


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("kind", sorted(ESTIMATORS))
def test_float32_classifiers_equal_sklearn_on_every_row(name, kind):
    X, y = dataset(name)
    est = ESTIMATORS[kind]().fit(X[::2], y[::2])
    model = ct.convert(est)
    check_classifier(model, est, X, model.leaf_name)


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("kind", ["dt", "rf_depth5", "et"])
def test_int16_classifiers_equal_sklearn_on_every_row(name, kind):
    X, y = dataset(name)
    Xq = X.astype(np.int16) if name == "digits" else int16_features(X)
    est = ESTIMATORS[kind]().fit(Xq[1::2], y[1::2])
    model = ct.convert(est, dtype="int16")
    assert model.dtype == "int16"
    check_classifier(model, est, Xq, model.leaf_name)


@pytest.mark.parametrize("leaves", ["u16", "f32", "f64"])
@pytest.mark.parametrize("child_bytes", [2, 4])
def test_leaf_types_and_reference_widths(leaves, child_bytes):
    X, y = dataset("digits")
    est = RandomForestClassifier(10, max_depth=6, random_state=3).fit(X[::2], y[::2])
    model = ct.convert(est, leaves=leaves, child_bytes=child_bytes)
    assert (model.leaf_name, model.child_bytes) == (leaves, child_bytes)
    check_classifier(model, est, X, leaves)


def test_auto_leaves_are_exact_where_quantisation_is_not():
    # Few shallow trees with min_samples_leaf: fractions like 1/3 + 2/3 tie
    # exactly in rationals and sklearn's float64 rounding decides; only f64
    # leaves (auto's choice here) reproduce every decision.
    X, y = datasets.make_classification(n_samples=3000, n_features=20, n_informative=6, n_classes=4,
                                        flip_y=0.3, random_state=1)
    X = X.astype(np.float32)
    est = ExtraTreesClassifier(3, min_samples_leaf=3, random_state=1).fit(X[:1000], y[:1000])
    auto = ct.convert(est)
    assert auto.leaf_name == "f64"
    assert np.array_equal(auto.predict(X[1000:]), est.predict(X[1000:]))
    assert np.array_equal(auto.predict_proba(X[1000:]), est.predict_proba(X[1000:]).astype(np.float32))
    u16 = ct.convert(est, leaves="u16")
    assert (u16.predict(X[1000:]) != est.predict(X[1000:])).sum() > 0  # why f64 is the default here


def test_single_tree_u16_keeps_argmax_of_near_ties():
    # Weighted counts 100000 : 100001 : 50000 both round to 26214/65535 for the
    # first two classes; the converter nudges the winner (class 1) so that
    # predict stays exact, within one quantisation step of the probability.
    X = np.zeros((3, 1), np.float32)
    est = DecisionTreeClassifier().fit(X, [0, 1, 2], sample_weight=[100000, 100001, 50000])
    p = est.predict_proba(X[:1])[0]
    assert round(p[0] * 65535) == round(p[1] * 65535)
    model = ct.convert(est)
    assert model.leaf_name == "u16"
    assert model.leaves[0, 1] == model.leaves[0, 0] + 1
    assert model.predict(X[:1])[0] == est.predict(X[:1])[0] == 1
    assert np.abs(model.predict_proba(X[:1])[0] - p).max() <= U16_TOL


@pytest.mark.parametrize("est", [DecisionTreeRegressor(random_state=0),
                                 RandomForestRegressor(10, max_depth=8, random_state=0),
                                 ExtraTreesRegressor(10, random_state=0)],
                         ids=["dt", "rf", "et"])
@pytest.mark.parametrize("targets", [1, 3])
def test_regressors(est, targets):
    X, Y = datasets.make_regression(n_samples=800, n_features=12, n_targets=targets, noise=2.0,
                                    random_state=targets)
    X = X.astype(np.float32)
    est.fit(X[:500], Y[:500])
    ref = est.predict(X)
    f32 = ct.convert(est)
    assert f32.leaf_name == "f32"
    got = f32.predict(X)
    assert got.shape == ref.shape
    assert np.abs(got - ref).max() <= 1e-6 * np.abs(ref).max()
    assert np.array_equal(got.reshape(len(X), -1), f32.run(X))
    f64 = ct.convert(est, leaves="f64")
    assert np.array_equal(f64.predict(X), ref.astype(np.float32))  # sklearn's float64, rounded once


def test_beyond_emlearn_limits():
    # 300 features (> 127) and far more than 32768 nodes; more than 65536
    # node + leaf references, so the converter picks 4-byte children.
    X, y = datasets.make_classification(n_samples=8000, n_features=300, n_informative=40, n_classes=3,
                                        flip_y=0.3, random_state=7)
    X = X.astype(np.float32)
    est = ExtraTreesClassifier(24, random_state=7).fit(X[:7000], y[:7000])
    assert sum(t.tree_.node_count for t in est.estimators_) > 131072
    model = ct.convert(est)
    assert model.n_nodes + model.n_leaves > 65536 and model.child_bytes == 4
    assert model.n_leaves == 3  # pure leaves merged to one per class
    assert np.array_equal(model.predict(X), est.predict(X))


def test_int16_constant_splits_are_pruned():
    # Trained on values beyond int16: splits at |t| > 32767 can only go one
    # way for int16 inputs, and are replaced by the child they always take.
    rng = np.random.default_rng(0)
    X = rng.integers(-60000, 60000, (2000, 3)).astype(np.float32)
    y = (X[:, 0] > 40000).astype(int) + (X[:, 1] < -35000) * 2 + (X[:, 2] > 0)
    est = DecisionTreeClassifier(max_depth=6, random_state=0).fit(X, y)
    model = ct.convert(est, dtype="int16")
    assert model.n_nodes < int((est.tree_.children_left != -1).sum())
    Xq = rng.integers(-32768, 32768, (5000, 3)).astype(np.int16)
    Xq[:4] = [[-32768, -32768, -32768], [32767, 32767, 32767], [0, 0, 0], [-1, 1, -1]]
    assert np.array_equal(model.predict(Xq), est.predict(Xq.astype(np.float32)))


def test_threshold_rounding_down():
    a = np.nextafter(np.float32(1024), np.float32(2048))
    b = np.nextafter(a, np.float32(2048))
    est = DecisionTreeClassifier().fit(np.array([[a], [b]], np.float32), [0, 1])
    t64 = est.tree_.threshold[0]
    assert np.float32(t64) == b  # round-to-nearest would send b to the left
    model = ct.convert(est)
    assert model.threshold[0] == a
    q = np.array([[a], [b], [-np.inf], [np.inf], [np.nan]], np.float32)
    assert model.predict(q).tolist() == [0, 1, 0, 1, 1]  # NaN goes right
    # Every float32 between the neighbours of the threshold decides as sklearn.
    xs = np.array([np.nextafter(a, np.float32(0)), a, b, np.nextafter(b, np.float32(4096))], np.float32)
    assert np.array_equal(model.predict(xs[:, None]), est.predict(xs[:, None]))


# ---- emlearn CSV import --------------------------------------------------------------

def emlearn_csv(est, leaf_bits=0):
    """A model in emlearn's CSV format, written from its documented structure (see
    convert_trees.from_emlearn_csv): decision nodes of all trees, relative
    child offsets, leaves by negative reference, duplicates merged."""
    trees = [e.tree_ for e in est.estimators_] if hasattr(est, "estimators_") else [est.tree_]
    classifier = hasattr(est, "classes_")
    nodes, leaves, roots = [], [], []
    for tree in trees:
        base = len(nodes)
        split = np.flatnonzero(tree.children_left != -1)
        index = {int(s): base + i for i, s in enumerate(split)}

        def leaf_ref(i):
            v = tree.value[i, 0]
            if not classifier:
                val = repr(float(v[0]))
            elif leaf_bits == 0:
                val = str(int(np.argmax(v)))
            else:
                p = v / v.sum()
                val = str(np.round(p * 255).astype(np.uint8))
            if val not in leaves:
                leaves.append(val)
            return -leaves.index(val) - 1

        if len(split) == 0:  # a single-leaf tree gets a dummy split, as emlearn does
            ref = leaf_ref(0)
            nodes.append([0, 0.0, ref, ref])
        for s in split:
            kids = []
            for c in (tree.children_left[s], tree.children_right[s]):
                kids.append(leaf_ref(c) if tree.children_left[c] == -1 else index[int(c)])
            nodes.append([int(tree.feature[s]), float(np.round(tree.threshold[s], 6)), kids[0], kids[1]])
        roots.append(base)
    lines = [f"f,{est.n_features_in_}", f"c,{len(est.classes_) if classifier else 0}",
             f"lb,{leaf_bits if classifier else 32}"]
    lines += [f"l,{v}" for v in leaves] + [f"r,{r}" for r in roots]
    for i, (f, v, lc, rc) in enumerate(nodes):
        rel = [c - i if c >= 0 else c for c in (lc, rc)]
        lines.append(f"n,{f},{v},{rel[0]},{rel[1]}")
    return "\r\n".join(lines), (nodes, roots, leaves, classifier, leaf_bits)


def emlearn_predict(structure, X, n_classes):
    """emlearn's own device arithmetic: int16 `x < (int)value`, votes or proportions."""
    nodes, roots, leaves, classifier, leaf_bits = structure
    out = []
    for x in X.astype(np.int64):
        acc = np.zeros(max(n_classes, 1))
        for r in roots:
            i = r
            while i >= 0:
                f, v, lc, rc = nodes[i]
                i = lc if x[f] < int(v) else rc
            leaf = leaves[-i - 1]
            if not classifier:
                acc[0] += float(leaf)
            elif leaf_bits == 0:
                acc[int(leaf)] += 1
            else:
                acc += np.array(leaf.strip("[]").split(), float) / 255
        out.append(np.argmax(acc) if classifier else acc[0] / len(roots))
    return np.array(out)


@pytest.mark.parametrize("leaf_bits", [0, 8])
def test_emlearn_csv_import(leaf_bits):
    X, y = dataset("digits")
    Xq = X.astype(np.int16)
    est = RandomForestClassifier(8, max_depth=7, random_state=0).fit(Xq[::2], y[::2])
    text, structure = emlearn_csv(est, leaf_bits)
    model = ct.from_emlearn_csv(text)  # emlearn's decision x < trunc(value)
    assert np.array_equal(model.predict(Xq), emlearn_predict(structure, Xq, 10))
    # Read as sklearn's split (x <= value), the same file gives sklearn's answers
    # for hard votes (leaf_bits 0) = majority of tree predictions.
    exact = ct.from_emlearn_csv(text, comparison="sklearn")
    per_tree = np.stack([t.predict(Xq.astype(np.float32)) for t in est.estimators_]).astype(int)
    if leaf_bits == 0:
        votes = np.apply_along_axis(lambda c: np.bincount(c, minlength=10), 0, per_tree).T
        assert np.array_equal(exact.predict(Xq), np.argmax(votes, axis=1))
    # emlearn's truncation differs from sklearn's split at boundary values.
    assert (model.predict(Xq) != exact.predict(Xq)).sum() > 0


def test_emlearn_csv_regressor_and_single_leaf_tree():
    X, y = dataset("iris")
    Xq = (X * 10).astype(np.int16)
    est = RandomForestRegressor(4, max_depth=4, random_state=0).fit(Xq[:, :3], Xq[:, 3])
    text, structure = emlearn_csv(est)
    model = ct.from_emlearn_csv(text)
    assert not model.is_classifier
    np.testing.assert_allclose(model.predict(Xq[:, :3]), emlearn_predict(structure, Xq[:, :3], 0), rtol=1e-6)
    one = DecisionTreeClassifier().fit(Xq[:5], y[:5])  # every label 0: a single leaf
    text, structure = emlearn_csv(one)
    assert np.array_equal(ct.from_emlearn_csv(text).predict(Xq), np.zeros(len(Xq)))


def test_emlearn_csv_multiline_leaf_and_errors():
    text = "f,2\nc,12\nlb,8\nl,[  0 255   0   0   0   0   0   0   0   0   0   0\n   0]\nl,[0 0 0 0 0 0 0 0 0 0 0 0 0]\nr,0\nn,1,4.5,-1,-2\n"
    text = text.replace("c,12", "c,13").replace("l,[0 0 0 0 0 0 0 0 0 0 0 0 0]",
                                                "l,[0 0 0 0 0 0 0 0 0 0 0 0 255]")
    model = ct.from_emlearn_csv(text)
    # emlearn decides x < (int)4.5, i.e. x < 4
    assert model.predict(np.array([[0, 3], [0, 4]], np.int16)).tolist() == [1, 12]
    bad = {
        "child offset": "f,1\nc,2\nlb,0\nl,0\nr,0\nn,0,1.0,0,-1",
        "leaf range": "f,1\nc,2\nlb,0\nl,0\nr,0\nn,0,1.0,-1,-2",
        "feature range": "f,1\nc,2\nlb,0\nl,0\nr,0\nn,1,1.0,-1,-1",
        "class range": "f,1\nc,2\nlb,0\nl,2\nr,0\nn,0,1.0,-1,-1",
        "unknown item": "f,1\nc,2\nlb,0\nl,0\nr,0\nn,0,1.0,-1,-1\nx,1",
        "root range": "f,1\nc,2\nlb,0\nl,0\nr,1\nn,0,1.0,-1,-1",
        "missing f": "c,2\nlb,0\nl,0\nr,0\nn,0,1.0,-1,-1",
    }
    for what, t in bad.items():
        with pytest.raises(ValueError):
            ct.from_emlearn_csv(t)


# ---- files, headers, errors --------------------------------------------------------------

def small_model():
    X, y = dataset("iris")
    return ct.convert(RandomForestClassifier(3, max_depth=3, random_state=0).fit(X, y)), X


def test_file_round_trip_and_save(tmp_path):
    model, X = small_model()
    data = model.to_bytes()
    back = ct.load(data, classes=model.classes_)
    assert back.to_bytes() == data
    assert np.array_equal(back.predict(X), model.predict(X))
    path = tmp_path / "m.tsm"
    model.save(path)
    assert path.read_bytes() == data
    header, payload = unpack_model(data)
    assert header["kind"] == 1 and header["n_inputs"] == 4 and header["n_outputs"] == 3


def test_corrupt_files_are_rejected_by_both_loaders():
    model, _ = small_model()
    header, payload = unpack_model(model.to_bytes())

    def repack(p):
        return pack_model(1, p, input_dtype=header["input_dtype"], output_dtype=header["output_dtype"],
                          n_inputs=header["n_inputs"], n_outputs=header["n_outputs"],
                          arena_bytes=header["arena_bytes"])

    p = bytearray(payload)
    roots_end = 16 + 4 * model.n_trees
    p[roots_end + 8:roots_end + 10] = (0).to_bytes(2, "little")  # node 0's left child -> itself
    variants = [bytes(p), payload[:-4], payload + b"\0\0\0\0"]
    for v in variants:
        with pytest.raises(ValueError):
            ct.load(repack(v))
        with pytest.raises(ValueError, match="corrupt"):
            ts.Forest(repack(v))
    with pytest.raises(ValueError, match="CRC"):
        ct.load(model.to_bytes()[:-1] + b"\1")


def test_wrong_dtypes_and_shapes():
    model, X = small_model()
    f = ts.Forest(model.to_bytes())
    with pytest.raises(TypeError):
        f.predict(X.astype(np.float64))
    with pytest.raises(ValueError):
        f.predict(X[:, :3].copy())
    with pytest.raises(ValueError):
        f.regress(X)  # a classifier
    with pytest.raises(ValueError):
        f.predict(X, "majority")
    with pytest.raises(TypeError):
        ct.convert(object())
    with pytest.raises(ValueError):
        ct.convert(RandomForestRegressor(2).fit(X, X[:, 0]), leaves="u16")
    with pytest.raises(ValueError):
        ct.convert(DecisionTreeClassifier().fit(X, np.c_[X[:, 0] > 5, X[:, 1] > 3]))
    with pytest.raises(ValueError):
        ct.convert(DecisionTreeClassifier().fit(X, X[:, 0] > 5), dtype="int8")


def test_header_compiles(tmp_path):
    model, _ = small_model()
    hdr = model.to_header("forest_model", namespace="demo")
    assert "alignas(4) inline constexpr std::uint8_t forest_model" in hdr
    with pytest.raises(ValueError):
        model.to_header("not an identifier")
    cxx = shutil.which("g++")
    if cxx is None:
        pytest.skip("no g++")
    (tmp_path / "forest_model.hpp").write_text(hdr)
    src = tmp_path / "use.cpp"
    src.write_text('#include "forest_model.hpp"\n'
                   f"static_assert(sizeof(demo::forest_model) == {len(model.to_bytes())});\n"
                   "#include <cstdint>\n"
                   "int main() {\n"
                   "  const auto addr = reinterpret_cast<std::uintptr_t>(demo::forest_model);\n"
                   "  return addr % 4 == 0 && demo::forest_model[0] == 'T' ? 0 : 1;\n"
                   "}\n")
    subprocess.run([cxx, "-std=c++17", "-Wall", "-Werror", "-o", str(tmp_path / "use"), str(src)], check=True)
    assert subprocess.run([str(tmp_path / "use")]).returncode == 0


def test_apply_matches_numpy_walk():
    model, X = small_model()
    assert np.array_equal(model.apply(X), model.walk(X))
    assert ts.Forest(model.to_bytes()).n_trees == 3
