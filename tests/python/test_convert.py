"""tinysense.convert: one entry point for every model kind, and its command line."""
import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from tinysense import convert_cnn
from tinysense.convert import CnnModel, convert, main
from tinysense.model_format import KIND_CNN, KIND_KNN, KIND_TREES, unpack_model


def test_trees_and_knn_dispatch_and_match_sklearn():
    X, y = load_iris(return_X_y=True)
    rf = RandomForestClassifier(5, random_state=0).fit(X, y)
    m = convert(rf)
    assert unpack_model(m.to_bytes())[0]["kind"] == KIND_TREES
    np.testing.assert_array_equal(m.predict(X), rf.predict(X))

    reg = ExtraTreesRegressor(4, max_depth=5, random_state=0).fit(X[:, :3], X[:, 3])
    np.testing.assert_allclose(convert(reg).predict(X[:, :3]), reg.predict(X[:, :3]).astype(np.float32),
                               rtol=1e-6)

    Xq = np.round(X * 10).astype(np.int16)
    knn = KNeighborsClassifier(3, algorithm="brute").fit(Xq.astype(np.float64), y)
    mk = convert(knn)
    assert unpack_model(mk.to_bytes())[0]["kind"] == KIND_KNN
    np.testing.assert_array_equal(mk.predict(Xq), knn.predict(Xq.astype(np.float64)))


def test_cnn_dispatch_runs_the_cpp_runner_bit_exactly():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 10)).eval()
    X = (load_digits().images[:64, None] / 16.0).astype(np.float32)
    with pytest.raises(ValueError, match="calibration"):
        convert(net)
    m = convert(net, calibration=X)
    assert isinstance(m, CnnModel)
    assert unpack_model(m.to_bytes())[0]["kind"] == KIND_CNN
    got = m.run(X)
    xq = convert_cnn.quantize_input(m.graph, X.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(got, convert_cnn.run(m.graph, xq).reshape(len(X), -1))
    assert "alignas(4)" in m.to_header("digits")


def test_unsupported_model_is_a_clear_type_error():
    with pytest.raises(TypeError, match="cannot convert"):
        convert(LogisticRegression())


def test_command_line_writes_model_and_header(tmp_path, capsys):
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "rf.pkl"
    path.write_bytes(pickle.dumps(RandomForestClassifier(3, random_state=1).fit(X, y)))
    out, hdr = tmp_path / "rf.tsm", tmp_path / "rf.hpp"
    assert main([str(path), "-o", str(out), "--header", str(hdr), "--name", "rf"]) == 0
    assert unpack_model(out.read_bytes())[0]["kind"] == KIND_TREES
    assert "rf_size" in hdr.read_text()
    bad = tmp_path / "lr.pkl"
    bad.write_bytes(pickle.dumps(LogisticRegression()))
    assert main([str(bad), "-o", str(tmp_path / "x.tsm")]) == 2
    assert "cannot convert" in capsys.readouterr().err
