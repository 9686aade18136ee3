"""scikit-learn KNeighborsClassifier -> tinysense k-NN model (ModelKind 2).

The device runner is include/tinysense/ml/knn.hpp: int16 features, exact
squared Euclidean distances, sklearn's k-nearest heap and uniform vote, plus
on-device `add()` of labelled items. Train on int16 features (quantise first,
e.g. ``Xq = np.round(X * s).astype(np.int16)``); the converter refuses
non-integer training data because predictions could not match.

    from tinysense import convert_knn
    m = convert_knn.convert(KNeighborsClassifier(5, algorithm="brute").fit(Xq, y))
    m.save("knn.tsm")
    assert (m.predict(Xq_test) == clf.predict(Xq_test)).all()   # runs the C++

Payload layout: docs/design/model-knn.md. `KnnModel.run` is a numpy model of
the runner (same heap, same tie rules) that needs no compiled module.
"""
import struct
import warnings

import numpy as np

try:  # package import (tinysense.convert_knn) or a plain path import
    from .model_format import DTYPE_INT16, DTYPE_INT32, KIND_KNN, pack_model, unpack_model
    from .convert_trees import bytes_to_header
except ImportError:  # pragma: no cover
    from model_format import DTYPE_INT16, DTYPE_INT32, KIND_KNN, pack_model, unpack_model
    from convert_trees import bytes_to_header

PAYLOAD_HEADER = struct.Struct("<IHH")  # n_items, k, reserved
MAX_FEATURES = MAX_CLASSES = MAX_K = 65535


class KnnModel:
    """Items (int16 X, class-index y), k, number of classes, sklearn's classes_."""

    def __init__(self, X, y, k, n_classes, classes=None, source=""):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] < 1:
            raise ValueError("X must be (n_items, n_features) with n_features >= 1")
        if X.size and (not np.array_equal(X, np.round(X)) or X.min() < -32768 or X.max() > 32767):
            raise ValueError("k-NN items must be integers in int16 range: quantise the features "
                             "(e.g. np.round(X * scale)) before fitting")
        self.X = np.ascontiguousarray(X, np.int16)
        self.y = np.ascontiguousarray(y, np.uint16).reshape(-1)
        self.k, self.n_classes = int(k), int(n_classes)
        if len(self.y) != len(self.X):
            raise ValueError("X and y lengths differ")
        if not 1 <= self.k <= MAX_K or not 1 <= self.n_classes <= MAX_CLASSES:
            raise ValueError("k and n_classes must be in [1, 65535]")
        if self.X.shape[1] > MAX_FEATURES:
            raise ValueError(f"at most {MAX_FEATURES} features")
        if len(self.y) and self.y.max() >= self.n_classes:
            raise ValueError("a label is >= n_classes")
        self.classes_ = None if classes is None else np.asarray(classes)
        self.source = source
        self._ext = None

    n_items = property(lambda self: len(self.X))
    n_features = property(lambda self: self.X.shape[1])

    def __repr__(self):
        return (f"<KnnModel {self.source} items={self.n_items} features={self.n_features} "
                f"classes={self.n_classes} k={self.k} size={len(self.to_bytes())}B>")

    def payload(self):
        xb = self.X.astype("<i2").tobytes()
        yb = self.y.astype("<u2").tobytes()
        return (PAYLOAD_HEADER.pack(self.n_items, self.k, 0) + xb + b"\0" * (-len(xb) % 4) + yb +
                b"\0" * (-len(yb) % 4))

    def to_bytes(self):
        """The complete model file (container header + payload)."""
        return pack_model(KIND_KNN, self.payload(), input_dtype=DTYPE_INT16, output_dtype=DTYPE_INT32,
                          n_inputs=self.n_features, n_outputs=self.n_classes, arena_bytes=16 * self.k)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.to_bytes())

    def to_header(self, name, *, namespace=None):
        """C++ header holding the file bytes: `alignas(4) inline constexpr std::uint8_t name[]`."""
        return bytes_to_header(self.to_bytes(), name, namespace=namespace, comment=repr(self))

    # ---- inference through the C++ -------------------------------------------------
    def runner(self, capacity=0):
        """A fresh tinysense._ext.Knn on this model, with room for `capacity` added items."""
        from . import _ext
        return _ext.Knn(self.to_bytes(), capacity)

    def _knn(self):
        if self._ext is None:
            self._ext = self.runner(0)
        return self._ext

    def _input(self, X):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n, {self.n_features}), got {X.shape}")
        if X.dtype != np.int16:
            if not np.array_equal(X, np.round(X)) or X.min(initial=0) < -32768 or X.max(initial=0) > 32767:
                raise ValueError("k-NN features must be integers in int16 range")
        return np.ascontiguousarray(X, np.int16)

    def predict(self, X):
        """Labels (through classes_), via the C++."""
        idx = self._knn().predict(self._input(X))
        return idx if self.classes_ is None else self.classes_[idx]

    def predict_proba(self, X):
        return self._knn().predict_proba(self._input(X))

    def kneighbors(self, X):
        """(squared distances uint64, indices uint32), each (n, k), nearest first, via the C++."""
        return self._knn().kneighbors(self._input(X))

    # ---- numpy model ------------------------------------------------------------------
    def run(self, X, extra_X=None, extra_y=None):
        """numpy model of the runner: (class index, proba float32, neighbour index sets).

        extra_X/extra_y: items added on the device after the file's items.
        """
        X = self._input(X)
        items = self.X if extra_X is None else np.concatenate([self.X, np.asarray(extra_X, np.int16)])
        labels = self.y if extra_y is None else np.concatenate([self.y, np.asarray(extra_y, np.uint16)])
        n = len(items)
        if n == 0:
            raise ValueError("no items")
        k = min(self.k, n)
        cls = np.empty(len(X), np.int64)
        proba = np.zeros((len(X), self.n_classes), np.float32)
        chosen = np.empty((len(X), k), np.int64)
        it = items.astype(np.int64)
        for q, x in enumerate(X.astype(np.int64)):
            d = ((it - x) ** 2).sum(axis=1)
            order = np.argsort(d, kind="stable")
            if k < n and d[order[k - 1]] == d[order[k]]:
                idx = np.array(heap_select(d, k))  # a tie at the k-th distance: sklearn's heap decides
            else:
                idx = order[:k]
            chosen[q] = np.sort(idx)
            counts = np.bincount(labels[idx], minlength=self.n_classes)
            cls[q] = np.argmax(counts)
            proba[q] = counts.astype(np.float32) / np.float32(k)
        return cls, proba, chosen


def heap_select(dist, k):
    """Indices kept by sklearn's bounded max-heap (utils/_heap.pyx heap_push) fed in order."""
    vals, idx = [np.inf] * k, [-1] * k
    for j, v in enumerate(dist):
        if v >= vals[0]:
            continue
        cur = 0
        while True:
            left = 2 * cur + 1
            right = left + 1
            if left >= k:
                break
            if right >= k:
                if vals[left] > v:
                    swap = left
                else:
                    break
            elif vals[left] >= vals[right]:
                if v < vals[left]:
                    swap = left
                else:
                    break
            else:
                if v < vals[right]:
                    swap = right
                else:
                    break
            vals[cur], idx[cur] = vals[swap], idx[swap]
            cur = swap
        vals[cur], idx[cur] = v, j
    return idx


def convert(estimator, k=None, **_ignored):
    """Fitted sklearn KNeighborsClassifier -> KnnModel (k defaults to n_neighbors)."""
    name = type(estimator).__name__
    if name != "KNeighborsClassifier":
        raise TypeError(f"convert_knn supports KNeighborsClassifier, not {name}")
    if not hasattr(estimator, "_fit_X"):
        raise ValueError("KNeighborsClassifier is not fitted")
    if estimator.weights != "uniform":
        raise ValueError("only weights='uniform' is supported")
    if getattr(estimator, "effective_metric_", None) != "euclidean":
        raise ValueError("only the Euclidean metric (minkowski p=2) is supported")
    if getattr(estimator, "outputs_2d_", False):
        raise ValueError("multi-output k-NN is not supported")
    X = np.asarray(estimator._fit_X)
    y = np.asarray(estimator._y)
    if X.dtype.kind != "f":
        # sklearn only uses its heap-based search (which we reproduce) for float
        # data; integer-typed data goes through np.argpartition, whose choice
        # among equally distant neighbours no device can reproduce.
        warnings.warn("KNeighborsClassifier was fitted on integer-typed data: sklearn then breaks "
                      "distance ties with np.argpartition; fit (and predict) with float64 copies of "
                      "the int16 values for predictions that match the device exactly", stacklevel=2)
    return KnnModel(X, y, k if k is not None else estimator.n_neighbors, len(estimator.classes_),
                    classes=estimator.classes_, source=name)


def from_arrays(X, y, k, n_classes):
    """A k-NN model from int16 items and class indices (e.g. a device's starting set)."""
    return KnnModel(X, y, k, n_classes, source="arrays")


def load(data, classes=None):
    """Parses and validates a k-NN model file (as the C++ load() does) -> KnnModel."""
    header, p = unpack_model(data)
    if header["kind"] != KIND_KNN:
        raise ValueError(f"not a k-NN model (kind {header['kind']})")
    if header["input_dtype"] != DTYPE_INT16 or header["output_dtype"] != DTYPE_INT32:
        raise ValueError("k-NN models take int16 and give int32")
    if len(p) < PAYLOAD_HEADER.size:
        raise ValueError("k-NN payload shorter than its header")
    n, k, zero = PAYLOAD_HEADER.unpack_from(p)
    F, C = header["n_inputs"], header["n_outputs"]
    if zero or k == 0 or not 1 <= F <= MAX_FEATURES or not 1 <= C <= MAX_CLASSES:
        raise ValueError("bad k-NN header")
    if header["arena_bytes"] != 16 * k:
        raise ValueError("arena_bytes must be 16 * k")
    xb, yb = 2 * n * F, 2 * n
    y_off = 8 + xb + (-xb % 4)
    if y_off + yb + (-yb % 4) != len(p):
        raise ValueError("k-NN payload size does not match its header")
    X = np.frombuffer(p, "<i2", n * F, 8).reshape(n, F)
    y = np.frombuffer(p, "<u2", n, y_off)
    return KnnModel(X, y, k, C, classes=classes, source="file")
