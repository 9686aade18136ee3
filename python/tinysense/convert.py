"""One entry point from a trained model to a tinysense model file.

    from tinysense.convert import convert
    m = convert(RandomForestClassifier().fit(X, y))          # trees
    m = convert(KNeighborsClassifier(3).fit(Xq, y))           # k-NN (int16 features)
    m = convert(torch_sequential, calibration=X_calib)        # int8 CNN (PTQ)
    m.save("model.tsm"); open("model.hpp", "w").write(m.to_header("model"))
    m.predict(X_test)     # through the compiled C++ (tinysense._ext): check equivalence

Command line (progress bar on stderr during CNN calibration):
    python3 -m tinysense.convert model.pkl -o model.tsm [--header model.hpp] [--dtype int16]
    python3 -m tinysense.convert model.pt --calibration calib.npy -o model.tsm
sklearn estimators are read with pickle, PyTorch modules with torch.load
(whole nn.Sequential). Only load files you trust: both formats run code.
"""
import argparse
import pickle
import sys

import numpy as np

from . import convert_cnn, convert_knn, convert_trees


class CnnModel:
    """A converted CNN: the .tsm bytes plus inference through the C++ runner."""

    def __init__(self, data, graph):
        self.data = bytes(data)
        self.graph = graph  # convert_cnn's description (ops, tensors, arena)
        self._runner = None

    def to_bytes(self):
        return self.data

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.data)

    def to_header(self, name, *, namespace=None):
        return convert_trees.bytes_to_header(self.data, name, namespace=namespace,
                                             comment="tinysense CNN model")

    @property
    def arena_bytes(self):
        return self.graph.arena_bytes

    def _cnn(self):
        if self._runner is None:
            from . import _ext
            self._runner = _ext.Cnn(self.data)
        return self._runner

    def run(self, X):
        """Raw outputs for float inputs X in the torch layout (N, C, H, W)."""
        cnn = self._cnn()
        x = np.asarray(X, np.float32).transpose(0, 2, 3, 1).reshape(len(X), -1)  # NCHW -> NHWC
        if not cnn.is_float:
            x = convert_cnn.quantize_input(self.graph, x)
        return cnn.run_batch(np.ascontiguousarray(x))

    def predict(self, X):
        return np.argmax(self.run(X), axis=1)


def _is_torch_module(model):
    mod = type(model).__module__
    return mod.startswith("torch.")


def convert(model, *, calibration=None, progress=False, **opts):
    """Trained estimator or module -> converted model (save / to_header / predict).

    scikit-learn DecisionTree*, RandomForest*, ExtraTree(s)*: options of
    convert_trees.convert (dtype="float32"|"int16", leaves=, child_bytes=).
    KNeighborsClassifier: options of convert_knn.convert.
    torch.nn.Sequential: calibration (float inputs, NCHW) is required; options
    of convert_cnn.convert (mode="int8"|"float", calibration method, softmax).
    """
    name = type(model).__name__
    if _is_torch_module(model):
        if calibration is None:
            raise ValueError("a PyTorch model needs calibration data (calibration=inputs, NCHW float)")
        method = opts.pop("method", "minmax")
        data, graph = convert_cnn.convert(model, np.asarray(calibration, np.float32),
                                          calibration=method, progress=progress, **opts)
        return CnnModel(data, graph)
    if name == "KNeighborsClassifier":
        return convert_knn.convert(model, **opts)
    if name in ("DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
                "ExtraTreeRegressor", "RandomForestClassifier", "RandomForestRegressor",
                "ExtraTreesClassifier", "ExtraTreesRegressor"):
        return convert_trees.convert(model, **opts)
    raise TypeError(f"tinysense cannot convert a {type(model).__module__}.{name}: expected a "
                    "scikit-learn tree ensemble or KNeighborsClassifier, or a torch.nn.Sequential CNN")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tinysense.convert",
                                 description="Convert a trained model to a tinysense model file (.tsm).")
    ap.add_argument("model", help="pickled scikit-learn estimator (.pkl) or torch.save()d nn.Sequential (.pt)")
    ap.add_argument("-o", "--output", required=True, help="model file to write (.tsm)")
    ap.add_argument("--header", help="also write a C++ header with the same bytes")
    ap.add_argument("--name", default="model", help="array name in the header")
    ap.add_argument("--dtype", choices=["float32", "int16"], help="tree feature type")
    ap.add_argument("--calibration", help=".npy float32 calibration inputs (CNN)")
    ap.add_argument("--mode", choices=["int8", "float"], help="CNN arithmetic")
    args = ap.parse_args(argv)
    if args.model.endswith((".pt", ".pth")):
        import torch
        model = torch.load(args.model, map_location="cpu")
    else:
        with open(args.model, "rb") as f:
            model = pickle.load(f)
    opts = {}
    if args.dtype:
        opts["dtype"] = args.dtype
    if args.mode:
        opts["mode"] = args.mode
    calib = np.load(args.calibration) if args.calibration else None
    try:
        m = convert(model, calibration=calib, progress=True, **opts)
    except (TypeError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m.save(args.output)
    print(f"wrote {args.output}: {len(m.to_bytes())} bytes ({m!r})")
    if args.header:
        with open(args.header, "w") as f:
            f.write(m.to_header(args.name))
        print(f"wrote {args.header}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
