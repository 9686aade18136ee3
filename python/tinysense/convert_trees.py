"""scikit-learn trees -> tinysense trees model (ModelKind 1); emlearn CSV import.

Converts a fitted DecisionTree, ExtraTree, RandomForest or ExtraTrees
classifier or regressor (multi-output regression included) into the payload
documented in docs/design/model-trees.md, run on the device by
include/tinysense/ml/trees.hpp.

    from tinysense import convert_trees
    m = convert_trees.convert(forest)                 # float32 features
    m = convert_trees.convert(forest, dtype="int16")  # model trained on integer features
    m.save("forest.tsm"); open("forest.hpp", "w").write(m.to_header("forest_model"))
    assert (m.predict(X) == forest.predict(X)).all()  # runs the C++ (tinysense._ext)

Exactness (the same decisions and sums as scikit-learn):
  * float32: sklearn compares float32 x with a float64 threshold; we store the
    threshold rounded DOWN to float32, which decides identically for every
    float32 x (nearest rounding could round up and flip x == threshold).
  * int16: x <= floor(threshold), identical for every integer x. A split that
    is constant over the int16 range is replaced by the child it always takes.
  * leaves="f64" repeats sklearn's float64 sums in tree order, so predict() is
    exact always and predict_proba()/regress() equal sklearn's result rounded
    to float32. leaves="u16" stores probabilities as uint16 fractions of
    65535 (integer arithmetic on the device); each leaf keeps its argmax, so a
    single tree and hard voting are exact, and soft voting of forests whose
    leaves are all pure is exact. leaves="auto" picks u16 where that is
    provable and f64 otherwise for classifiers, f32 for regressors.

The module also holds a numpy model of the device runner (TreesModel.run),
bit-exact with the C++, used by the tests; it needs numpy only. `load(bytes)`
parses and validates a model file like the C++ loader does.
"""
import math
import re
import struct

import numpy as np

try:  # package import (tinysense.convert_trees) or a plain path import
    from .model_format import (DTYPE_FLOAT32, DTYPE_INT16, DTYPE_INT32, KIND_TREES, pack_model,
                               unpack_model)
except ImportError:  # pragma: no cover
    from model_format import (DTYPE_FLOAT32, DTYPE_INT16, DTYPE_INT32, KIND_TREES, pack_model,
                              unpack_model)

TASK_CLASSIFIER, TASK_REGRESSOR = 0, 1
LEAF_U16, LEAF_F32, LEAF_F64 = 0, 1, 2
LEAF_NAMES = {"u16": LEAF_U16, "f32": LEAF_F32, "f64": LEAF_F64}
LEAF_DTYPES = {LEAF_U16: np.dtype("<u2"), LEAF_F32: np.dtype("<f4"), LEAF_F64: np.dtype("<f8")}
U16_ONE = 65535
MAX_FEATURES, MAX_OUTPUTS, MAX_TREES = 65536, 65535, 65535
PAYLOAD_HEADER = struct.Struct("<BBBBIII")  # task, leaf, child_bytes, 0, n_trees, n_nodes, n_leaves

SUPPORTED = {
    "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier", "ExtraTreeRegressor",
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
}


def _node_dtype(dtype, child_bytes):
    """numpy layout of one split node (docs/design/model-trees.md)."""
    c = "<u2" if child_bytes == 2 else "<u4"
    if dtype == "int16":
        return np.dtype([("feature", "<u2"), ("threshold", "<i2"), ("left", c), ("right", c)])
    return np.dtype([("feature", "<u2"), ("zero", "<u2"), ("threshold", "<f4"), ("left", c),
                     ("right", c)])


def round_down_f32(t):
    """Largest float32 <= t (float64): (x <= result) == (x <= t) for every float32 x."""
    with np.errstate(over="ignore"):
        f = np.float32(t)
    if float(f) > t:
        f = np.nextafter(f, np.float32(-np.inf))
    return f


class TreesModel:
    """A converted tree ensemble: file bytes, header, and runners (C++ and numpy).

    Arrays (after conversion; references r < n_nodes are split nodes, the
    others leaf r - n_nodes): roots (n_trees,), feature, threshold, left,
    right (n_nodes,), leaves (n_leaves, n_outputs) in the stored dtype.
    `classes_` maps class indices to the estimator's labels (None: indices).
    """

    def __init__(self, *, task, dtype, leaf, child_bytes, n_features, n_outputs, roots, feature,
                 threshold, left, right, leaves, classes=None, source=""):
        self.task, self.dtype, self.leaf, self.child_bytes = task, dtype, leaf, child_bytes
        self.n_features, self.n_outputs = int(n_features), int(n_outputs)
        self.roots = np.asarray(roots, np.uint32)
        self.feature = np.asarray(feature, np.uint16)
        self.threshold = np.asarray(threshold, np.int16 if dtype == "int16" else np.float32)
        self.left = np.asarray(left, np.uint32)
        self.right = np.asarray(right, np.uint32)
        self.leaves = np.ascontiguousarray(leaves, LEAF_DTYPES[leaf]).reshape(-1, self.n_outputs)
        self.classes_ = None if classes is None else np.asarray(classes)
        self.source = source
        self._ext = None

    # ---- description --------------------------------------------------------
    is_classifier = property(lambda self: self.task == TASK_CLASSIFIER)
    n_trees = property(lambda self: len(self.roots))
    n_nodes = property(lambda self: len(self.feature))
    n_leaves = property(lambda self: len(self.leaves))
    leaf_name = property(lambda self: {v: k for k, v in LEAF_NAMES.items()}[self.leaf])

    def __repr__(self):
        kind = "classifier" if self.is_classifier else "regressor"
        return (f"<TreesModel {kind} {self.source} trees={self.n_trees} nodes={self.n_nodes} "
                f"leaves={self.n_leaves} features={self.n_features} outputs={self.n_outputs} "
                f"dtype={self.dtype} leaf={self.leaf_name} child_bytes={self.child_bytes} "
                f"size={len(self.to_bytes())}B>")

    # ---- serialisation --------------------------------------------------------
    def payload(self):
        nodes = np.zeros(self.n_nodes, _node_dtype(self.dtype, self.child_bytes))
        nodes["feature"], nodes["threshold"] = self.feature, self.threshold
        nodes["left"], nodes["right"] = self.left, self.right
        leaf_bytes = self.leaves.astype(LEAF_DTYPES[self.leaf].newbyteorder("<")).tobytes()
        head = PAYLOAD_HEADER.pack(self.task, self.leaf, self.child_bytes, 0, self.n_trees,
                                   self.n_nodes, self.n_leaves)
        pad = b"\0" * (-len(leaf_bytes) % 4)
        return head + self.roots.astype("<u4").tobytes() + nodes.tobytes() + leaf_bytes + pad

    def to_bytes(self):
        """The complete model file (container header + payload)."""
        return pack_model(KIND_TREES, self.payload(),
                          input_dtype=DTYPE_INT16 if self.dtype == "int16" else DTYPE_FLOAT32,
                          output_dtype=DTYPE_INT32 if self.is_classifier else DTYPE_FLOAT32,
                          n_inputs=self.n_features, n_outputs=self.n_outputs,
                          arena_bytes=8 * self.n_outputs)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.to_bytes())

    def to_header(self, name, *, namespace=None):
        """C++ header holding the file bytes: `alignas(4) inline constexpr std::uint8_t name[]`."""
        return bytes_to_header(self.to_bytes(), name, namespace=namespace, comment=repr(self))

    # ---- inference ------------------------------------------------------------
    def _forest(self):
        if self._ext is None:
            try:
                from . import _ext
            except ImportError as exc:  # pragma: no cover
                raise ImportError("TreesModel.predict needs the compiled module tinysense._ext; "
                                  "use TreesModel.run for the numpy model") from exc
            self._ext = _ext.Forest(self.to_bytes())
        return self._ext

    def _input(self, X):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must have shape (n, {self.n_features}), got {X.shape}")
        want = np.int16 if self.dtype == "int16" else np.float32
        if self.dtype == "int16" and X.dtype != np.int16:
            if not np.array_equal(X, np.round(X)) or X.min(initial=0) < -32768 or X.max(initial=0) > 32767:
                raise ValueError("an int16 model needs integer features in [-32768, 32767]")
        return np.ascontiguousarray(X, want)

    def predict(self, X, voting="soft"):
        """Labels (classifier, mapped through classes_) or values (regressor), via the C++."""
        X = self._input(X)
        if not self.is_classifier:
            y = self._forest().regress(X)
            return y[:, 0] if self.n_outputs == 1 else y
        idx = self._forest().predict(X, voting)
        return idx if self.classes_ is None else self.classes_[idx]

    def predict_proba(self, X, voting="soft"):
        """Class probabilities (n, n_classes) float32, via the C++."""
        if not self.is_classifier:
            raise ValueError("predict_proba needs a classifier")
        return self._forest().predict_proba(self._input(X), voting)

    def apply(self, X):
        """Leaf index reached in each tree, (n, n_trees), via the C++."""
        return self._forest().apply(self._input(X))

    def run(self, X, voting="soft"):
        """numpy model of the C++ runner, bit-exact: (class index, proba) or values."""
        X = self._input(X)
        leaf = self.walk(X)
        n, T, V = X.shape[0], self.n_trees, self.n_outputs
        if self.is_classifier and voting == "hard":
            votes = np.zeros((n, V), np.int64)
            best = _argmax_rows(self.leaves)
            for t in range(T):
                np.add.at(votes, (np.arange(n), best[leaf[:, t]]), 1)
            return np.argmax(votes, axis=1), votes.astype(np.float32) / np.float32(T)
        if voting not in ("soft", "hard"):
            raise ValueError("voting must be 'soft' or 'hard'")
        if self.leaf == LEAF_U16:
            acc = np.zeros((n, V), np.int64)
            for t in range(T):
                acc += self.leaves[leaf[:, t]]
            return np.argmax(acc, axis=1), acc.astype(np.float32) / np.float32(T * U16_ONE)
        acc = np.zeros((n, V), np.float32 if self.leaf == LEAF_F32 else np.float64)
        for t in range(T):
            acc += self.leaves[leaf[:, t]]
        if self.leaf == LEAF_F32:
            out = acc / np.float32(T)
            return (np.argmax(acc, axis=1), out) if self.is_classifier else out
        mean = acc / T if T > 1 else acc
        out = mean.astype(np.float32)
        return (np.argmax(mean, axis=1), out) if self.is_classifier else out

    def walk(self, X):
        """Leaf index per row and tree (n, n_trees) (numpy, X already converted)."""
        n, N = X.shape[0], self.n_nodes
        out = np.empty((n, self.n_trees), np.int64)
        feat = self.feature.astype(np.int64)
        left, right = self.left.astype(np.int64), self.right.astype(np.int64)
        rows = np.arange(n)
        for t, root in enumerate(self.roots):
            ref = np.full(n, int(root), np.int64)
            active = rows[ref < N]
            while active.size:
                r = ref[active]
                go = X[active, feat[r]] <= self.threshold[r]
                ref[active] = np.where(go, left[r], right[r])
                active = active[ref[active] < N]
            out[:, t] = ref - N
        return out


def _argmax_rows(values):
    """First maximum per row (as the C++: non-negative values)."""
    return np.argmax(values, axis=1)


def bytes_to_header(data, name, *, namespace=None, comment=""):
    """C++ header with `alignas(4) inline constexpr std::uint8_t name[]` and name_size."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"not a C++ identifier: {name!r}")
    data = bytes(data)
    lines = [f"// Generated by tinysense (tinysense.convert_trees / convert_knn). Do not edit."]
    for c in comment.splitlines():
        lines.append("// " + c)
    lines += ["#pragma once", "#include <cstddef>", "#include <cstdint>", ""]
    if namespace:
        lines.append(f"namespace {namespace} {{")
    lines.append(f"// The model file ({len(data)} bytes): pass it to load() as is.")
    lines.append(f"alignas(4) inline constexpr std::uint8_t {name}[{len(data)}] = {{")
    for i in range(0, len(data), 16):
        lines.append("    " + ", ".join(f"0x{b:02x}" for b in data[i:i + 16]) + ",")
    lines.append("};")
    lines.append(f"inline constexpr std::size_t {name}_size = {len(data)};")
    if namespace:
        lines.append(f"}}  // namespace {namespace}")
    return "\n".join(lines) + "\n"


# ---- building ------------------------------------------------------------------

class _Graph:
    """Trees in one index space before layout: split nodes 0..D-1, leaf ids D.. .

    decide[i]: 0 compare, 1 always left, 2 always right (int16 range).
    """

    def __init__(self, feature, threshold, decide, left, right, leaves, roots):
        self.feature, self.threshold, self.decide = feature, threshold, decide
        self.left, self.right, self.leaves, self.roots = left, right, leaves, roots


def _build(graph, *, task, dtype, leaf, child_bytes, n_features, n_outputs, classes, source):
    """Preorder layout of every tree (children after parents), merged leaves."""
    D = len(graph.feature)
    out_feat, out_thr, out_left, out_right = [], [], [], []
    leaf_ids, leaf_rows = {}, []
    roots = []

    def leaf_ref(g):
        row = np.ascontiguousarray(graph.leaves[g - D], LEAF_DTYPES[leaf])
        key = row.tobytes()
        if key not in leaf_ids:
            leaf_ids[key] = len(leaf_rows)
            leaf_rows.append(row)
        return ("leaf", leaf_ids[key])

    for root in graph.roots:
        slot = [None]
        stack = [(int(root), slot, 0)]
        while stack:
            g, target, index = stack.pop()
            while g < D and graph.decide[g] != 0:  # constant split: take its only path
                g = int(graph.left[g] if graph.decide[g] == 1 else graph.right[g])
            if g >= D:
                target[index] = leaf_ref(g)
                continue
            me = len(out_feat)
            if me > 50_000_000:
                raise ValueError("model too large (more than 50M split nodes)")
            target[index] = ("node", me)
            out_feat.append(int(graph.feature[g]))
            out_thr.append(graph.threshold[g])
            children = [None, None]
            out_left.append(children)
            out_right.append(None)
            stack.append((int(graph.right[g]), children, 1))
            stack.append((int(graph.left[g]), children, 0))
        roots.append(slot[0])
    N = len(out_feat)

    def ref(r):
        return r[1] if r[0] == "node" else N + r[1]

    left = np.array([ref(c[0]) for c in out_left], np.int64)
    right = np.array([ref(c[1]) for c in out_left], np.int64)
    root_refs = np.array([ref(r) for r in roots], np.int64)
    n_refs = N + len(leaf_rows)
    if child_bytes == "auto":
        child_bytes = 2 if n_refs <= 0x10000 else 4
    if child_bytes not in (2, 4):
        raise ValueError("child_bytes must be 2, 4 or 'auto'")
    if n_refs > (0x10000 if child_bytes == 2 else 0xFFFFFFFF):
        raise ValueError(f"{n_refs} nodes + leaves do not fit {child_bytes}-byte references")
    thr = np.array(out_thr, np.int16 if dtype == "int16" else np.float32)
    leaves = np.array(leaf_rows, LEAF_DTYPES[leaf]).reshape(-1, n_outputs)
    return TreesModel(task=task, dtype=dtype, leaf=leaf, child_bytes=child_bytes,
                      n_features=n_features, n_outputs=n_outputs, roots=root_refs,
                      feature=np.array(out_feat, np.uint16), threshold=thr, left=left, right=right,
                      leaves=leaves, classes=classes, source=source)


def _encode_thresholds(thr, dtype, comparison="le"):
    """Thresholds for `x <= t` from float64 ones; decide: 0 compare, 1 left, 2 right.

    comparison "le": the split is x <= thr (sklearn); "lt": x < thr (emlearn).
    """
    thr = np.asarray(thr, np.float64)
    decide = np.zeros(len(thr), np.int8)
    if dtype == "int16":
        if comparison == "le":
            t = np.floor(thr)
        else:  # x < thr  <=>  x <= ceil(thr) - 1 for integer x
            t = np.ceil(thr) - 1
        decide[t >= 32767] = 1
        decide[t < -32768] = 2
        return np.clip(t, -32768, 32767).astype(np.int16), decide
    if comparison == "le":
        with np.errstate(over="ignore"):
            t32 = thr.astype(np.float32)
        up = t32.astype(np.float64) > thr  # nearest rounding went up: step down one float32
        t32[up] = np.nextafter(t32[up], np.float32(-np.inf))
        return t32, decide
    # x < t32 <=> x <= the float32 just below t32 (t32 is the value the C code compared with)
    with np.errstate(over="ignore"):
        t32 = thr.astype(np.float32)
    return np.nextafter(t32, np.float32(-np.inf)).astype(np.float32), decide


def _quantize_probabilities(p, leaf):
    """Class probability rows -> stored leaf rows that keep each row's first argmax."""
    p = np.asarray(p, np.float64)
    best = np.argmax(p, axis=1)
    rows = np.arange(len(p))
    if leaf == LEAF_F64:
        return p
    if leaf == LEAF_U16:
        q = np.floor(p * U16_ONE + 0.5).astype(np.int64)
        fix = np.argmax(q, axis=1) != best  # rounding made an earlier class tie the winner
        q[rows[fix], best[fix]] += 1
        q = np.minimum(q, U16_ONE).astype(np.uint16)
    else:
        q = p.astype(np.float32)
        fix = np.argmax(q, axis=1) != best
        q[rows[fix], best[fix]] = np.nextafter(q[rows[fix], best[fix]], np.float32(2))
    if not np.array_equal(np.argmax(q, axis=1), best):  # pragma: no cover (cannot happen)
        raise AssertionError("leaf quantisation changed a leaf's most probable class")
    return q


def _leaf_probabilities(tree, n_classes):
    """sklearn's DecisionTreeClassifier.predict_proba of every node, same float64 operations."""
    proba = np.array(tree.value[:, 0, :n_classes], np.float64)
    normalizer = proba.sum(axis=1)[:, np.newaxis]
    normalizer[normalizer == 0.0] = 1.0
    proba /= normalizer
    return proba


def estimator_trees(est):
    """(list of sklearn Tree objects, is_classifier, n_classes or n_outputs, classes_)."""
    name = type(est).__name__
    if name not in SUPPORTED:
        raise TypeError(f"convert_trees supports {sorted(SUPPORTED)}, not {name}")
    if not hasattr(est, "n_features_in_"):
        raise ValueError(f"{name} is not fitted")
    subs = list(est.estimators_) if hasattr(est, "estimators_") else [est]
    trees = [e.tree_ for e in subs]
    classifier = name.endswith("Classifier")
    if classifier:
        if est.n_outputs_ != 1:
            raise ValueError("multi-output classifiers are not supported (regressors are)")
        return trees, True, int(est.n_classes_), est.classes_
    return trees, False, int(est.n_outputs_), None


def convert(estimator, dtype="float32", leaves="auto", child_bytes="auto", **_ignored):
    """Fitted sklearn tree model -> TreesModel.

    dtype: "float32" (features as float32, like sklearn) or "int16" (the model
    must have been trained on integer features in int16 range).
    leaves: "auto", "u16" (classifiers only), "f32" or "f64" (see module doc).
    child_bytes: 2, 4 or "auto" (2 when every reference fits 16 bits).
    """
    if dtype not in ("float32", "int16"):
        raise ValueError("dtype must be 'float32' or 'int16'")
    trees, classifier, n_out, classes = estimator_trees(estimator)
    n_features = int(estimator.n_features_in_)
    if n_features > MAX_FEATURES or n_out > MAX_OUTPUTS or len(trees) > MAX_TREES:
        raise ValueError(f"model exceeds the format limits ({MAX_FEATURES} features, "
                         f"{MAX_OUTPUTS} outputs, {MAX_TREES} trees)")
    values = []
    for tree in trees:
        if classifier:
            values.append(_leaf_probabilities(tree, n_out))
        else:
            values.append(np.array(tree.value[:, :, 0], np.float64))
    if leaves == "auto":
        if not classifier:
            leaves = "f32"
        else:
            pure = all(np.count_nonzero(v[t.children_left == -1], axis=1).max() <= 1
                       for v, t in zip(values, trees))
            leaves = "u16" if (len(trees) == 1 or pure) else "f64"
    if leaves not in LEAF_NAMES:
        raise ValueError("leaves must be 'auto', 'u16', 'f32' or 'f64'")
    leaf = LEAF_NAMES[leaves]
    if leaf == LEAF_U16 and not classifier:
        raise ValueError("u16 leaves hold probabilities: classifiers only")

    feature, thr64, left, right, leaf_vals, roots = [], [], [], [], [], []
    node_base = 0
    split_ids = []
    for tree in trees:  # global ids: split nodes first (all trees), then leaves
        is_leaf = tree.children_left == -1
        split_ids.append(np.flatnonzero(~is_leaf))
        node_base += int((~is_leaf).sum())
    D = node_base
    leaf_base = D
    split_base = 0
    for tree, v, splits in zip(trees, values, split_ids):
        is_leaf = tree.children_left == -1
        leaves_here = np.flatnonzero(is_leaf)
        gid = np.empty(tree.node_count, np.int64)
        gid[splits] = split_base + np.arange(len(splits))
        gid[leaves_here] = leaf_base + np.arange(len(leaves_here))
        feature.append(tree.feature[splits])
        thr64.append(tree.threshold[splits])
        left.append(gid[tree.children_left[splits]])
        right.append(gid[tree.children_right[splits]])
        rows = v[leaves_here]
        leaf_vals.append(_quantize_probabilities(rows, leaf) if classifier else rows)
        roots.append(gid[0])
        split_base += len(splits)
        leaf_base += len(leaves_here)
    thr, decide = _encode_thresholds(np.concatenate(thr64) if thr64 else np.zeros(0), dtype)
    graph = _Graph(np.concatenate(feature), thr, decide, np.concatenate(left),
                   np.concatenate(right), np.concatenate(leaf_vals), roots)
    return _build(graph, task=TASK_CLASSIFIER if classifier else TASK_REGRESSOR, dtype=dtype,
                  leaf=leaf, child_bytes=child_bytes, n_features=n_features, n_outputs=n_out,
                  classes=classes, source=type(estimator).__name__)


# ---- emlearn CSV import -----------------------------------------------------------

def from_emlearn_csv(text, dtype="int16", comparison="emlearn", child_bytes="auto"):
    """Model saved by emlearn (`cmodel.save(format='csv')`) -> TreesModel.

    emlearn's format, one item per line: `f,<n_features>`, `c,<n_classes>`
    (0 for a regressor), `lb,<leaf_bits>`, `l,<leaf>` (leaf_bits 0: class index,
    32: float value, 1..8: a `[..]` list of per-class uint8 proportions of
    255), `r,<root node>`, `n,<feature>,<value>,<left>,<right>` where a child
    >= 0 is a split node relative to this one and < 0 is leaf -child-1.
    comparison "emlearn" reproduces emlearn's device decision `x < value`
    (int16: value truncated to an integer, as emlearn does); "sklearn" reads
    the node as `x <= value`, the split of the sklearn model it came from.
    """
    if comparison not in ("emlearn", "sklearn"):
        raise ValueError("comparison must be 'emlearn' or 'sklearn'")
    if dtype not in ("float32", "int16"):
        raise ValueError("dtype must be 'float32' or 'int16'")
    items = _csv_items(text)
    meta, leaves_txt, roots, nodes = {}, [], [], []
    for line_no, kind, fields in items:
        try:
            if kind in ("f", "c", "lb", "lf"):
                meta["lb" if kind == "lf" else kind] = int(fields[0])
            elif kind == "l":
                leaves_txt.append((line_no, ",".join(fields)))
            elif kind == "r":
                roots.append(int(fields[0]))
            elif kind == "n":
                if len(fields) != 4:
                    raise ValueError("a node has 4 fields")
                nodes.append((int(fields[0]), float(fields[1]), int(fields[2]), int(fields[3])))
            else:
                raise ValueError(f"unknown item {kind!r}")
        except (ValueError, IndexError) as exc:
            raise ValueError(f"emlearn CSV line {line_no}: {exc}") from None
    for key in ("f", "c"):
        if key not in meta:
            raise ValueError(f"emlearn CSV: missing '{key}' line")
    n_features, n_classes, bits = meta["f"], meta["c"], meta.get("lb", 0)
    if not nodes or not roots or not leaves_txt:
        raise ValueError("emlearn CSV: needs at least one node, root and leaf")
    classifier = n_classes > 0
    if classifier and bits == 32 or not classifier and bits != 32 or not 0 <= bits <= 32:
        raise ValueError(f"emlearn CSV: leaf_bits {bits} does not fit c={n_classes}")
    if not 1 <= n_features <= MAX_FEATURES or n_classes > MAX_OUTPUTS:
        raise ValueError("emlearn CSV: bad feature or class count")
    D, L = len(nodes), len(leaves_txt)
    n_out = n_classes if classifier else 1
    values = np.zeros((L, n_out), np.uint16 if classifier else np.float32)
    for i, (line_no, txt) in enumerate(leaves_txt):
        try:
            if not classifier:
                values[i, 0] = np.float32(float(txt))
            elif bits == 0:
                c = int(float(txt))
                if not 0 <= c < n_classes:
                    raise ValueError(f"class {c} out of range")
                values[i, c] = U16_ONE
            else:
                q = [int(v) for v in txt.strip().strip("[]").replace(",", " ").split()]
                if len(q) != n_classes or min(q) < 0 or max(q) > 255:
                    raise ValueError(f"expected {n_classes} proportions in 0..255")
                values[i] = np.array(q, np.uint32) * 257  # q / 255 * 65535 exactly
        except ValueError as exc:
            raise ValueError(f"emlearn CSV line {line_no}: leaf {txt!r}: {exc}") from None
    feature = np.zeros(D, np.int64)
    raw_thr = np.zeros(D, np.float64)
    left, right = np.zeros(D, np.int64), np.zeros(D, np.int64)
    for i, (f, v, lc, rc) in enumerate(nodes):
        if not 0 <= f < n_features:
            raise ValueError(f"emlearn CSV node {i}: feature {f} >= {n_features}")
        if not math.isfinite(v):
            raise ValueError(f"emlearn CSV node {i}: threshold {v}")
        feature[i] = f
        raw_thr[i] = math.trunc(v) if (dtype == "int16" and comparison == "emlearn") else v
        for side, c in ((left, lc), (right, rc)):
            if c >= 0:
                if c == 0 or i + c >= D:
                    raise ValueError(f"emlearn CSV node {i}: child offset {c} out of range")
                side[i] = i + c
            else:
                if -c - 1 >= L:
                    raise ValueError(f"emlearn CSV node {i}: leaf {-c - 1} out of range")
                side[i] = D + (-c - 1)
    for r in roots:
        if not 0 <= r < D:
            raise ValueError(f"emlearn CSV: root {r} out of range")
    thr, decide = _encode_thresholds(raw_thr, dtype, "lt" if comparison == "emlearn" else "le")
    graph = _Graph(feature, thr, decide, left, right, values, roots)
    return _build(graph, task=TASK_CLASSIFIER if classifier else TASK_REGRESSOR, dtype=dtype,
                  leaf=LEAF_U16 if classifier else LEAF_F32, child_bytes=child_bytes,
                  n_features=n_features, n_outputs=n_out, classes=None, source="emlearn-csv")


def load_emlearn_csv(path, **opts):
    """from_emlearn_csv() of a file."""
    with open(path, encoding="utf-8") as f:
        return from_emlearn_csv(f.read(), **opts)


def _csv_items(text):
    """(line number, kind, fields) per item; a leaf list `[..]` may span lines (numpy repr)."""
    out, pending = [], None
    for no, line in enumerate(text.replace("\r", "\n").split("\n"), 1):
        if pending is not None:
            pending[2][-1] += " " + line.strip()
            if "]" in line:
                out.append(pending)
                pending = None
            continue
        line = line.strip()
        if not line:
            continue
        kind, _, rest = line.partition(",")
        if kind == "l":
            item = (no, "l", [rest])
            if "[" in rest and "]" not in rest:
                pending = item
            else:
                out.append(item)
        else:
            out.append((no, kind, rest.split(",")))
    if pending is not None:
        raise ValueError(f"emlearn CSV line {pending[0]}: unterminated leaf list")
    return out


# ---- parsing a file back --------------------------------------------------------------

def load(data, classes=None):
    """Parses and validates a trees model file (as the C++ load() does) -> TreesModel."""
    header, p = unpack_model(data)
    if header["kind"] != KIND_TREES:
        raise ValueError(f"not a trees model (kind {header['kind']})")
    if len(p) < PAYLOAD_HEADER.size:
        raise ValueError("trees payload shorter than its header")
    task, leaf, cb, zero, T, N, L = PAYLOAD_HEADER.unpack_from(p)
    if task > 1 or leaf > 2 or cb not in (2, 4) or zero or (task == TASK_REGRESSOR and leaf == LEAF_U16):
        raise ValueError("bad trees payload header")
    dtype = {DTYPE_FLOAT32: "float32", DTYPE_INT16: "int16"}.get(header["input_dtype"])
    if dtype is None:
        raise ValueError("trees input dtype must be float32 or int16")
    V, F = header["n_outputs"], header["n_inputs"]
    if not (1 <= F <= MAX_FEATURES and 1 <= V <= MAX_OUTPUTS and 1 <= T <= MAX_TREES and L >= 1):
        raise ValueError("trees sizes out of range")
    if header["arena_bytes"] != 8 * V:
        raise ValueError("arena_bytes must be 8 * n_outputs")
    node_dt = _node_dtype(dtype, cb)
    ldt = LEAF_DTYPES[leaf]
    off = PAYLOAD_HEADER.size
    end = off + 4 * T + node_dt.itemsize * N + ((L * V * ldt.itemsize + 3) & ~3)
    if end != len(p):
        raise ValueError(f"trees payload is {len(p)} bytes, its header says {end}")
    roots = np.frombuffer(p, "<u4", T, off)
    nodes = np.frombuffer(p, node_dt, N, off + 4 * T)
    lv = np.frombuffer(p, ldt, L * V, off + 4 * T + node_dt.itemsize * N).reshape(L, V)
    refs = N + L
    if (roots >= refs).any():
        raise ValueError("a root is out of range")
    idx = np.arange(N)
    for side in ("left", "right"):
        c = nodes[side].astype(np.int64)
        if ((c < N) & (c <= idx)).any() or (c >= refs).any():
            raise ValueError(f"a {side} child is out of range or not after its parent")
    if (nodes["feature"] >= F).any():
        raise ValueError("a feature index is out of range")
    return TreesModel(task=task, dtype=dtype, leaf=leaf, child_bytes=cb, n_features=F,
                      n_outputs=V, roots=roots, feature=nodes["feature"],
                      threshold=nodes["threshold"], left=nodes["left"], right=nodes["right"],
                      leaves=lv, classes=classes, source="file")
