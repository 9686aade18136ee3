"""Models and rows for bench_trees.cpp (fixed seeds): a 10-tree forest of depth <= 8
and k-NN sets, converted with the tinysense host tools. Usage: gen_trees.py OUT.hpp"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import numpy as np
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from tinysense import convert_trees as ct, convert_knn as ck
X, y = datasets.make_classification(n_samples=2000, n_features=16, n_informative=8, n_classes=3, random_state=0)
Xq = np.round(X * 1000).astype(np.int16)
est = RandomForestClassifier(10, max_depth=8, random_state=0).fit(Xq[:1500], y[:1500])
out = ["#pragma once", "#include <cstdint>", "#include <cstddef>"]
mods = {
 "forest_i16_u16": ct.convert(est, dtype="int16", leaves="u16"),
 "forest_i16_f64": ct.convert(est, dtype="int16", leaves="f64"),
 "forest_f32_f32": ct.convert(est, dtype="float32", leaves="f32"),
 "forest_f32_f64": ct.convert(est, dtype="float32", leaves="f64"),
}
for k, m in mods.items():
    out.append(ct.bytes_to_header(m.to_bytes(), k, comment=repr(m)).split("#include <cstdint>\n",1)[1])
    print(k, m, file=sys.stderr)
rows = Xq[1500:1532]
out.append("alignas(4) inline constexpr std::int16_t bench_xi[] = {" + ",".join(map(str, rows.ravel())) + "};")
out.append("alignas(4) inline constexpr float bench_xf[] = {" + ",".join(f"{float(v)!r}f" for v in rows.ravel()) + "};")
# average path length
m = mods["forest_i16_u16"]
leaves_depth = []
for t in est.estimators_:
    d = t.decision_path(rows.astype(np.float32)).sum(1) - 1
    leaves_depth.append(np.asarray(d).ravel())
print("mean splits per tree per row:", np.mean(leaves_depth), "total per prediction", np.mean(np.sum(leaves_depth, 0)), file=sys.stderr)
Xi, yi = datasets.load_iris(return_X_y=True); Xi = np.round(Xi*10).astype(np.int16)
kn = ck.convert(KNeighborsClassifier(5).fit(Xi[::2].astype(float), yi[::2]))
Xd, yd = datasets.load_digits(return_X_y=True); Xd = Xd.astype(np.int16)
kd = ck.convert(KNeighborsClassifier(7).fit(Xd[:900].astype(float), yd[:900]))
for k, m in {"knn_iris": kn, "knn_digits": kd}.items():
    out.append(ct.bytes_to_header(m.to_bytes(), k, comment=repr(m)).split("#include <cstdint>\n",1)[1])
    print(k, m, file=sys.stderr)
out.append("alignas(4) inline constexpr std::int16_t iris_q[] = {" + ",".join(map(str, Xi[1::2][:8].ravel())) + "};")
out.append("alignas(4) inline constexpr std::int16_t digits_q[] = {" + ",".join(map(str, Xd[1000:1008].ravel())) + "};")
open(sys.argv[1], "w").write("\n".join(out).replace("#pragma once\n", "", 0))
