"""Writes the seed corpora fuzz/corpus/<target>/ (small valid models, a few KB).

fuzz_trees / fuzz_knn seeds are model files without their CRC field (the
harness signs them, see fuzz_targets.hpp); fuzz_model seeds are whole files.
Run with /usr/bin/python3 (numpy + scikit-learn); fixed seeds, so the output
only changes when the converters do.
"""
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier, RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
from tinysense import convert_knn, convert_trees  # noqa: E402


def unsigned(data):
    """Model file without bytes 28..31 (the CRC), the fuzz_trees/fuzz_knn input format."""
    return data[:28] + data[32:]


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


X, y = datasets.load_iris(return_X_y=True)
X32 = X.astype(np.float32)
Xi = np.round(X * 10).astype(np.int16)
trees = {
    "dt_f32_u16": convert_trees.convert(DecisionTreeClassifier(max_depth=3, random_state=0).fit(X32, y)),
    "rf_f32_f64": convert_trees.convert(RandomForestClassifier(3, max_depth=2, random_state=0).fit(X32, y),
                                        leaves="f64"),
    "et_i16_f32_c32": convert_trees.convert(ExtraTreesClassifier(3, max_depth=3, random_state=0).fit(Xi, y),
                                            dtype="int16", leaves="f32", child_bytes=4),
    "rf_f32_u16_c32": convert_trees.convert(RandomForestClassifier(2, max_depth=2, random_state=1).fit(X32, y),
                                            leaves="u16", child_bytes=4),
    "reg2_f32": convert_trees.convert(RandomForestRegressor(2, max_depth=3, random_state=0).fit(
        X32[:, :2], X[:, 2:]), leaves="f32"),
    "reg_i16_f64": convert_trees.convert(DecisionTreeRegressor(max_depth=3, random_state=0).fit(
        Xi[:, :3], X[:, 3]), dtype="int16", leaves="f64"),
    "leaf_only": convert_trees.convert(DecisionTreeClassifier().fit(X32[:5], y[:5])),
    "emlearn_csv": convert_trees.from_emlearn_csv(
        "f,2\r\nc,2\r\nlb,0\r\nl,0\r\nl,1\r\nr,0\r\nn,0,3.5,1,-2\r\nn,1,-2.0,-1,-2"),
}
for name, m in trees.items():
    write("fuzz_trees", name, unsigned(m.to_bytes()))

knn = {
    "iris_k3": convert_knn.convert(KNeighborsClassifier(3).fit(Xi[::15].astype(np.float64), y[::15])),
    "empty_k1": convert_knn.from_arrays(np.zeros((0, 3), np.int16), np.zeros(0, np.uint16), 1, 2),
    "odd_k2": convert_knn.from_arrays(np.array([[1, -2, 3], [-32768, 32767, 0], [5, 5, 5]], np.int16),
                                      [0, 1, 1], 2, 2),
}
for name, m in knn.items():
    write("fuzz_knn", name, unsigned(m.to_bytes()))

write("fuzz_model", "trees_dt", trees["dt_f32_u16"].to_bytes())
write("fuzz_model", "trees_reg", trees["reg_i16_f64"].to_bytes())
write("fuzz_model", "knn_odd", knn["odd_k2"].to_bytes())
bad = bytearray(trees["dt_f32_u16"].to_bytes())
bad[40] ^= 0x10  # CRC mismatch
write("fuzz_model", "bad_crc", bad)
