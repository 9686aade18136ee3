"""k-NN: tinysense.convert_knn + the C++ runner (tinysense._ext.Knn) vs scikit-learn.

sklearn is fitted and queried with float64 copies of int16 data: its exact
heap-based search (see convert_knn). Predictions, probabilities (float32 of
sklearn's float64) and neighbour sets must be equal on every row, also after
on-device add().
"""
import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

import tinysense as ts
from tinysense import convert_knn as ck
from tinysense.model_format import pack_model, unpack_model


def int16_features(X, scale):
    m = np.abs(X).max(axis=0)
    m[m == 0] = 1
    return np.round(X / m * scale).astype(np.int16)


def load(name, scale):
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return (X.astype(np.int16) if name == "digits" else int16_features(X, scale)), y


def check(model, clf, Xq):
    Xf = Xq.astype(np.float64)
    with threadpool_limits(1):
        ref = clf.predict(Xf)
        ref_proba = clf.predict_proba(Xf)
        sk_dist, sk_ind = clf.kneighbors(Xf)
    assert np.array_equal(model.predict(Xq), ref)
    assert np.array_equal(model.predict_proba(Xq), ref_proba.astype(np.float32))
    dist, ind = model.kneighbors(Xq)
    assert np.array_equal(np.sort(ind, axis=1), np.sort(sk_ind, axis=1))
    items = model.X.astype(np.int64)
    exact = ((items[ind] - Xq.astype(np.int64)[:, None, :]) ** 2).sum(axis=2)
    assert np.array_equal(dist, exact)  # exact squared distances, nearest first
    assert np.allclose(np.sqrt(dist), np.sort(sk_dist, axis=1))
    cls, proba, chosen = model.run(Xq)
    assert np.array_equal(clf.classes_[cls], ref) and np.array_equal(proba, model.predict_proba(Xq))
    assert np.array_equal(chosen, np.sort(ind, axis=1))


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("scale", [12, 3000])  # coarse: many equal distances
@pytest.mark.parametrize("k", [1, 4, 7])
def test_equals_sklearn_on_every_row(name, scale, k):
    Xq, y = load(name, scale)
    clf = KNeighborsClassifier(k, algorithm="brute").fit(Xq[::2].astype(np.float64), y[::2])
    model = ck.convert(clf)
    assert model.n_items == len(Xq[::2]) and model.k == k
    check(model, clf, Xq)


def test_on_device_learning():
    Xq, y = load("wine", 30)
    Xtr, ytr = Xq[::2], y[::2]
    clf = KNeighborsClassifier(5, algorithm="brute").fit(Xtr.astype(np.float64), ytr)
    # Empty classifier, items added one by one.
    knn = ts.Knn.empty(Xq.shape[1], 3, 5, len(Xtr))
    for x, label in zip(Xtr, ytr):
        knn.add(x, int(label))
    assert knn.size == len(Xtr)
    with threadpool_limits(1):
        ref = clf.predict(Xq.astype(np.float64))
    assert np.array_equal(knn.predict(Xq), ref)
    with pytest.raises(OSError):  # storage full
        knn.add(Xtr[0], 0)
    # Half the items in the file, the rest added: same index order, same answers.
    half = len(Xtr) // 2
    knn = ck.from_arrays(Xtr[:half], ytr[:half], 5, 3).runner(capacity=len(Xtr) - half)
    for x, label in zip(Xtr[half:], ytr[half:]):
        knn.add(x, int(label))
    assert np.array_equal(knn.predict(Xq), ref)
    knn.clear_added()
    assert knn.size == half


def test_tie_rule_is_sklearns_heap_not_a_stable_sort():
    X = np.array([[-2, 2], [0, 0], [1, -1], [2, -2], [-1, -1], [0, 0]], np.int16)
    clf = KNeighborsClassifier(5, algorithm="brute").fit(X.astype(np.float64), np.arange(6))
    _, sk = clf.kneighbors(np.zeros((1, 2)))
    model = ck.convert(clf)
    _, ind = model.kneighbors(np.zeros((1, 2), np.int16))
    assert sorted(ind[0]) == sorted(sk[0]) == [1, 2, 3, 4, 5]
    dist = (X.astype(int) ** 2).sum(1)
    assert sorted(np.argsort(dist, kind="stable")[:5]) == [0, 1, 2, 4, 5]


def test_k_smaller_set_and_vote_ties():
    knn = ts.Knn.empty(1, 3, 3, 4)
    with pytest.raises(ValueError, match="no data|ENODATA|data"):
        knn.predict(np.zeros((1, 1), np.int16))
    knn.add(np.array([10], np.int16), 2)
    knn.add(np.array([-10], np.int16), 1)
    assert knn.predict(np.zeros((1, 1), np.int16)).tolist() == [1]  # 1 vote each: smallest class
    assert knn.predict_proba(np.zeros((1, 1), np.int16)).tolist() == [[0.0, 0.5, 0.5]]
    knn.set_k(1)
    assert knn.predict(np.array([[9]], np.int16)).tolist() == [2]
    with pytest.raises(ValueError):
        knn.set_k(4)


def test_file_round_trip_and_errors(tmp_path):
    Xq, y = load("iris", 20)
    clf = KNeighborsClassifier(3).fit(Xq.astype(np.float64), y)
    model = ck.convert(clf)
    data = model.to_bytes()
    back = ck.load(data, classes=clf.classes_)
    assert back.to_bytes() == data
    model.save(tmp_path / "k.tsm")
    assert (tmp_path / "k.tsm").read_bytes() == data
    assert "inline constexpr std::uint8_t iris_knn" in model.to_header("iris_knn")
    header, payload = unpack_model(data)
    p = bytearray(payload)
    p[-2] = 7  # label padding... last label slot or padding: make a label out of range
    y_off = 8 + 2 * model.n_items * 4
    p[y_off:y_off + 2] = (3).to_bytes(2, "little")
    bad = pack_model(2, bytes(p), input_dtype=1, output_dtype=3, n_inputs=4, n_outputs=3,
                     arena_bytes=header["arena_bytes"])
    with pytest.raises(ValueError, match="corrupt"):
        ts.Knn(bad)
    with pytest.raises(ValueError):
        ts.Knn(data[:-2])
    knn = ts.Knn(data)
    with pytest.raises(TypeError):
        knn.predict(Xq.astype(np.int32))
    with pytest.raises(ValueError):
        knn.predict(Xq[:, :3].copy())


def test_converter_checks():
    Xq, y = load("iris", 20)
    with pytest.raises(ValueError):
        ck.convert(KNeighborsClassifier(3, weights="distance").fit(Xq.astype(float), y))
    with pytest.raises(ValueError):
        ck.convert(KNeighborsClassifier(3, metric="manhattan").fit(Xq.astype(float), y))
    with pytest.raises(ValueError, match="int16"):
        ck.convert(KNeighborsClassifier(3).fit(Xq / 3.0, y))
    with pytest.raises(TypeError):
        ck.convert(object())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ck.convert(KNeighborsClassifier(3).fit(Xq, y))  # integer-typed: sklearn's ties differ
    assert any("argpartition" in str(x.message) for x in w)
