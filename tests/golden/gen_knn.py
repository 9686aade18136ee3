"""k-NN models converted by python/tinysense/convert_knn.py, with scikit-learn's answers.

sklearn is fitted and queried with float64 copies of int16 data (its exact
heap-based search; see convert_knn), single-threaded. Every case: the model
file, query rows, sklearn's predict (class index) and predict_proba, and the
neighbour sets of the numpy model (which equal sklearn's kneighbors). Also the
fuzz seed corpus fuzz/corpus/fuzz_knn, run by the C++ test on every target.
"""
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
from goldenlib import output_path, write_header  # noqa: E402
from tinysense import convert_knn as ck  # noqa: E402

ROOT = os.path.join(HERE, "..", "..")
arrays, scalars = {}, {}


def to_int16(X, scale):
    """Per-feature scaling to integers; a coarse scale makes many equal distances."""
    m = np.abs(X).max(axis=0)
    m[m == 0] = 1
    return np.round(X / m * scale).astype(np.int16)


def add_case(name, Xtr, ytr, Xq, k):
    clf = KNeighborsClassifier(k, algorithm="brute").fit(Xtr.astype(np.float64), ytr)
    model = ck.convert(clf)
    Xf = Xq.astype(np.float64)
    idx = np.searchsorted(clf.classes_, clf.predict(Xf)).astype(np.int32)
    cls, proba, chosen = model.run(Xq)
    _, sk_ind = clf.kneighbors(Xf)
    assert np.array_equal(cls, idx), name
    assert np.array_equal(np.sort(sk_ind, axis=1), chosen), name
    assert np.array_equal(proba, clf.predict_proba(Xf).astype(np.float32)), name
    arrays[f"{name}_model"] = np.frombuffer(model.to_bytes(), np.uint8)
    arrays[f"{name}_x"] = np.ascontiguousarray(Xq, np.int16)
    arrays[f"{name}_sk_cls"] = idx
    arrays[f"{name}_sk_proba"] = clf.predict_proba(Xf).astype(np.float32)
    arrays[f"{name}_neighbors"] = chosen.astype(np.uint32)  # sorted index sets
    scalars[f"{name}_rows"] = len(Xq)
    scalars[f"{name}_k"] = k
    return clf


with threadpool_limits(1):
    X, y = datasets.load_iris(return_X_y=True)
    Xq = to_int16(X, 20)
    add_case("iris", Xq[::2], y[::2], Xq, 5)
    # On-device learning: the same training rows added one by one to an empty
    # classifier, or the first half in the file and the second half added.
    arrays["iris_train_x"] = Xq[::2]
    arrays["iris_train_y"] = y[::2].astype(np.uint16)
    half = len(Xq[::2]) // 2
    model = ck.from_arrays(Xq[::2][:half], y[::2][:half], 5, 3)
    arrays["iris_half_model"] = np.frombuffer(model.to_bytes(), np.uint8)
    scalars["iris_half"] = half

    X, y = datasets.load_wine(return_X_y=True)
    Xq = to_int16(X, 2000)
    add_case("wine", Xq[1::2], y[1::2], Xq, 3)

    X, y = datasets.load_digits(return_X_y=True)
    Xq = X.astype(np.int16)
    add_case("digits", Xq[:900], y[:900], Xq[900:1200], 7)

# sklearn's heap keeps item 3, not item 0 (both at distance 8): "stable sort,
# first k" would differ. Query (0, 0), k = 5, labels = item index.
tie_x = np.array([[-2, 2], [0, 0], [1, -1], [2, -2], [-1, -1], [0, 0]], np.int16)
clf = KNeighborsClassifier(5, algorithm="brute").fit(tie_x.astype(np.float64), np.arange(6))
_, ind = clf.kneighbors(np.zeros((1, 2)))
assert sorted(ind[0]) == [1, 2, 3, 4, 5]
arrays["tie_model"] = np.frombuffer(ck.convert(clf).to_bytes(), np.uint8)


def corpus(target):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    names = sorted(os.listdir(d)) if os.path.isdir(d) else []
    blobs = [open(os.path.join(d, n), "rb").read() for n in names]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.uint32)
    return np.frombuffer(b"".join(blobs), np.uint8), offsets


data, offsets = corpus("fuzz_knn")
arrays["corpus_fuzz_knn"] = data
arrays["corpus_fuzz_knn_offsets"] = offsets

write_header(output_path(), "knn", arrays, scalars)
