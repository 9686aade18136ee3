# tinysense_knn on MicroPython vs scikit-learn KNeighborsClassifier (predict,
# exact) and the numpy model of python/tinysense/convert_knn.py (probabilities
# and the neighbour sets, exact: sklearn's own tie rule).
import harness
from harness import check, equal_seq, farr, harr, raises, zeros

import tinysense_knn as tk

D = harness.data("knn")


def rows(flat, n):
    return [harr(flat[i:i + n]) for i in range(0, len(flat), n)]


def test_model_predictions_match_sklearn():
    m = tk.Knn(harness.model_bytes("knn_wine.tsm"))
    check(m.k == D["k"] and m.n_features == D["n_features"] and m.n_classes == D["n_classes"], "attrs")
    check(m.size == D["n_items"] and m.model_items == D["n_items"] and m.capacity == 0, "sizes")
    k, nc = D["k"], D["n_classes"]
    proba = zeros("f", nc)
    index = zeros("I", k)
    dist = zeros("f", k)
    for i, x in enumerate(rows(D["x"], D["n_features"])):
        check(m.predict(x) == D["sk_cls"][i], "row %d class" % i)
        m.predict_proba(x, proba)
        equal_seq(proba, D["proba"][i * nc:(i + 1) * nc], "row %d proba" % i)
        check(m.kneighbors(x, index, dist) == k, "row %d count" % i)
        equal_seq(sorted(index), D["neighbors"][i * k:(i + 1) * k], "row %d neighbours" % i)
        check(harness.max_abs(dist, D["sk_dist"][i * k:(i + 1) * k]) <= 1e-3, "row %d distances" % i)
        for j in range(1, k):
            check(dist[j - 1] <= dist[j], "row %d: nearest first" % i)


def test_on_device_learning():
    nf, k = D["n_features"], D["k"]
    tr = rows(D["train_x"], nf)
    ty = D["train_y"]
    half = D["half"]
    # File with the first half + the second half added == the full model.
    m = tk.Knn(harness.model_bytes("knn_wine_half.tsm"), capacity=len(tr) - half)
    for x, y in zip(tr[half:], ty[half:]):
        m.add(x, y)
    raises(OSError, m.add, tr[0], 0)  # full
    # An empty classifier that learns everything.
    e = tk.Knn(n_features=nf, n_classes=3, k=k, capacity=len(tr))
    raises(ValueError, e.predict, tr[0])  # no items yet
    for x, y in zip(tr, ty):
        e.add(x, y)
    check(m.size == e.size == len(tr), "sizes after add")
    for i, x in enumerate(rows(D["x"], nf)):
        check(m.predict(x) == D["sk_cls"][i], "file + added, row %d" % i)
        check(e.predict(x) == D["sk_cls"][i], "all added, row %d" % i)
    e.clear_added()
    check(e.size == 0, "clear_added")
    m.clear_added()
    check(m.size == half, "clear_added keeps the file's items")


def test_set_k():
    m = tk.Knn(harness.model_bytes("knn_wine.tsm"), max_k=9)
    check(m.max_k == 9, "max_k")
    m.set_k(1)
    check(m.k == 1, "k")
    index = zeros("I", 1)
    x = rows(D["x"], D["n_features"])[0]
    check(m.kneighbors(x, index) == 1, "one neighbour")
    m.set_k(9)
    raises(ValueError, m.set_k, 10)
    raises(ValueError, m.set_k, 0)
    raises(ValueError, m.kneighbors, x, zeros("I", 8))  # index too short for k = 9


def test_bad_inputs_raise():
    data = harness.model_bytes("knn_wine.tsm")
    raises(ValueError, tk.Knn, data[:40])
    bad = bytearray(data)
    bad[60] ^= 1
    raises(ValueError, tk.Knn, bad)
    raises(ValueError, tk.Knn, harness.model_bytes("trees_rf_iris_f32.tsm"))
    raises(ValueError, tk.Knn)                                  # neither model nor sizes
    raises(ValueError, tk.Knn, n_features=3, n_classes=0)
    raises(ValueError, tk.Knn, n_features=3, n_classes=2, k=0)
    raises(ValueError, tk.Knn, n_features=3, n_classes=2, capacity=-1)
    m = tk.Knn(data, capacity=2)
    nf = D["n_features"]
    raises(TypeError, m.predict, farr([0.0] * nf))
    raises(ValueError, m.predict, harr([0] * (nf - 1)))
    raises(ValueError, m.add, harr([0] * nf), 3)                # label >= n_classes
    raises(ValueError, m.add, harr([0] * nf), -1)
    raises(ValueError, m.predict_proba, harr([0] * nf), zeros("f", 2))
    raises(TypeError, m.kneighbors, harr([0] * nf), zeros("f", 5))
    for i in range(0, len(data), 5):
        b = bytearray(data)
        b[i] ^= 0x5A
        try:
            tk.Knn(b)
        except ValueError:
            pass


def test_no_leaks():
    data = harness.model_bytes("knn_wine.tsm")
    harness.no_leak(lambda: tk.Knn(data, capacity=10))
    harness.no_leak(lambda: tk.Knn(n_features=8, n_classes=4, capacity=50))


harness.main(globals())
