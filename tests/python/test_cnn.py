"""CNN: the committed models (accuracy on the test split through the C++ runner,
bit-exact with the numpy integer model), the PyTorch converter, the binding."""
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import tinysense as ts
from tinysense import convert_cnn as cc

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "models")
FASHION = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(name):
    """(float NHWC images in [0, 1], labels) of the test split recorded in models.json."""
    if name == "digits":
        from sklearn.datasets import load_digits
        d = load_digits()
        return (d.images[-450:] / 16.0)[..., None], d.target[-450:]
    x = read_idx(f"{FASHION}/t10k-images-idx3-ubyte.gz") / 255.0
    return x[..., None], read_idx(f"{FASHION}/t10k-labels-idx1-ubyte.gz")


def meta():
    with open(os.path.join(MODELS, "models.json")) as f:
        return json.load(f)


def load(name):
    with open(os.path.join(MODELS, f"{name}_cnn.tsm"), "rb") as f:
        return f.read()


# ---- committed models ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["digits", "fashion"])
def test_committed_model_loads_and_is_small(name):
    data = load(name)
    info = meta()[name]
    assert len(data) == info["bytes"] < 200_000
    net = ts.Cnn(data)
    model = cc.read_model(data)
    assert net.arena_bytes == model.arena_bytes == info["arena_bytes"]
    assert net.input_shape == model.input.shape == tuple(info["input_shape"])
    assert net.output_shape == (1, 1, 10)
    assert not net.is_float
    assert net.input_scale == pytest.approx(1 / 255) and net.input_zero_point == -128


@pytest.mark.parametrize("name", ["digits", "fashion"])
def test_int8_accuracy_within_1pp_of_float(name):
    info = meta()[name]
    x, y = load_split(name)
    assert len(y) == info["n_test"]
    net = ts.Cnn(load(name))
    q = cc.quantize_input(cc.read_model(load(name)), x)
    out = net.run_batch(q.reshape(len(q), -1))
    correct = int((out.argmax(axis=1) == y).sum())
    acc = correct / len(y)
    assert correct == round(info["int8_accuracy"] * len(y))  # deterministic integer arithmetic
    assert acc >= info["float_accuracy"] - 0.01, (acc, info["float_accuracy"])


@pytest.mark.parametrize("name,count", [("digits", 450), ("fashion", 300)])
def test_cpp_equals_numpy_integer_model(name, count):
    data = load(name)
    model = cc.read_model(data)
    x, _ = load_split(name)
    q = cc.quantize_input(model, x[:count])
    ref = cc.run(model, q).reshape(count, -1)
    got = ts.Cnn(data).run_batch(q.reshape(count, -1))
    np.testing.assert_array_equal(got, ref)


def test_pixel_quantizer_matches_model_input_quantisation():
    model = cc.read_model(load("fashion"))
    x, _ = load_split("fashion")
    pixels = np.round(x[:5] * 255).astype(np.uint8)
    pq = ts.PixelQuantizer(0.0, 255.0, model.input.scale, model.input.zero_point)
    np.testing.assert_array_equal(pq.process(pixels.ravel()), cc.quantize_input(model, x[:5]).ravel())


# ---- binding ---------------------------------------------------------------------------------

def test_binding_rejects_bad_input():
    net = ts.Cnn(load("digits"))
    with pytest.raises(TypeError):
        net.run(np.zeros(64, np.float32))
    with pytest.raises(ValueError):
        net.run(np.zeros(63, np.int8))
    with pytest.raises(ValueError):
        net.run_batch(np.zeros((2, 63), np.int8))
    assert net.run(np.zeros((8, 8, 1), np.int8)).shape == (10,)
    with pytest.raises(ValueError, match="corrupt"):
        ts.Cnn(load("digits")[:-1] + b"\x01")
    with pytest.raises(ValueError):
        ts.Cnn(b"TSMD")
    with pytest.raises(IndexError):
        net.tensor(99)
    assert net.tensor(0)["shape"] == (8, 8, 1)


# ---- converter ---------------------------------------------------------------------------------

def test_quantize_multiplier():
    for real in [1e-6, 0.001, 0.25, 0.5, 0.7, 0.999999999, 1.0, 3.7, 100.0]:
        m, s = cc.quantize_multiplier(real)
        assert (1 << 30) <= m < (1 << 31)
        assert m * 2.0 ** (s - 31) == pytest.approx(real, rel=1e-9)
    assert cc.quantize_multiplier(0.0) == (0, 0)
    assert cc.quantize_multiplier(1e-12) == (0, 0)


def test_arena_plan_never_overlaps_live_tensors():
    rng = np.random.default_rng(0)
    for _ in range(200):
        sizes = list(rng.integers(1, 5000, rng.integers(2, 12)))
        offsets, arena = cc.plan_arena(sizes)
        assert all(o % 4 == 0 for o in offsets)
        assert all(o + s <= arena for o, s in zip(offsets, sizes))
        for i in range(len(sizes) - 1):  # op i reads tensor i and writes tensor i + 1
            a, b = (offsets[i], offsets[i] + sizes[i]), (offsets[i + 1], offsets[i + 1] + sizes[i + 1])
            assert a[1] <= b[0] or b[1] <= a[0]
        assert arena == max(cc._align(a) + cc._align(b) for a, b in zip(sizes, sizes[1:]))


torch = pytest.importorskip("torch")


def every_layer_net():
    nn = torch.nn
    torch.manual_seed(3)
    net = nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU6(),
        nn.Conv2d(6, 12, 3, stride=2, padding=1, groups=6, bias=False), nn.BatchNorm2d(12), nn.ReLU(),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.AvgPool2d(2, stride=1, padding=1, count_include_pad=False),
        nn.Conv2d(12, 8, 1), nn.ReLU(),
        nn.Conv2d(8, 8, 2, padding="valid"),
        nn.Dropout(0.2), nn.Flatten(), nn.Linear(8 * 3 * 3, 16), nn.ReLU(), nn.Linear(16, 5))
    with torch.no_grad():  # non-trivial BN statistics
        for m in net:
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return net.eval()


def test_float_conversion_matches_torch():
    net = every_layer_net()
    x = np.random.default_rng(1).standard_normal((40, 3, 11, 10)).astype(np.float32)
    data, model = cc.convert(net, x, mode="float", softmax="float")
    assert [op.op for op in model.ops] == [cc.OP_CONV2D, cc.OP_DEPTHWISE, cc.OP_MAXPOOL, cc.OP_AVGPOOL,
                                           cc.OP_CONV2D, cc.OP_CONV2D, cc.OP_DENSE, cc.OP_DENSE,
                                           cc.OP_SOFTMAX]
    with torch.no_grad():
        ref = torch.softmax(net(torch.from_numpy(x)), 1).numpy()
    got = ts.Cnn(data).run_batch(x.transpose(0, 2, 3, 1).reshape(40, -1).copy())
    np.testing.assert_allclose(got, ref, atol=2e-5)
    np.testing.assert_allclose(cc.run(cc.read_model(data), x.transpose(0, 2, 3, 1)).reshape(40, -1),
                               ref, atol=1e-6)


@pytest.mark.parametrize("calibration", ["minmax", "percentile"])
@pytest.mark.parametrize("softmax", ["int8", "float"])
def test_int8_conversion_bit_exact_and_close_to_torch(calibration, softmax):
    net = every_layer_net()
    rng = np.random.default_rng(2)
    calib = rng.standard_normal((64, 3, 11, 10)).astype(np.float32)
    x = rng.standard_normal((50, 3, 11, 10)).astype(np.float32)
    data, model = cc.convert(net, calib, calibration=calibration, softmax=softmax)
    q = cc.quantize_input(model, x.transpose(0, 2, 3, 1))
    got = ts.Cnn(data).run_batch(q.reshape(50, -1))
    ref = cc.run(cc.read_model(data), q).reshape(50, -1)
    if softmax == "int8":
        np.testing.assert_array_equal(got, ref)
        probs = (got.astype(np.float64) + 128) / 256
    else:
        np.testing.assert_allclose(got, ref, atol=2e-6)
        probs = got
    with torch.no_grad():
        ref_t = torch.softmax(net(torch.from_numpy(x)), 1).numpy()
    assert np.abs(probs - ref_t).mean() < 0.03  # quantisation error, not a wrong graph


def test_converter_rejects_unsupported_layers():
    nn = torch.nn
    x = np.zeros((2, 1, 8, 8), np.float32)
    bad = [nn.Sequential(nn.Conv2d(1, 4, 3, dilation=2)),
           nn.Sequential(nn.Conv2d(1, 4, 3), nn.Sigmoid()),
           nn.Sequential(nn.BatchNorm2d(1)),
           nn.Sequential(nn.AvgPool2d(2, padding=1)),           # count_include_pad=True
           nn.Sequential(nn.MaxPool2d(2, ceil_mode=True)),
           nn.Sequential(nn.AdaptiveAvgPool2d(2)),
           nn.Sequential(nn.Linear(64, 3)),                      # no Flatten
           nn.Sequential(nn.Conv2d(1, 4, 3), nn.Conv2d(4, 4, 3, groups=2))]
    for net in bad:
        with pytest.raises(ValueError):
            cc.convert(net, x)


def test_cli_converts_with_progress(tmp_path):
    net = every_layer_net()
    torch.save(net, tmp_path / "net.pt")
    np.save(tmp_path / "calib.npy", np.random.default_rng(4).standard_normal((450, 3, 11, 10)).astype(np.float32))
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    r = subprocess.run([sys.executable, "-m", "tinysense.convert_cnn", str(tmp_path / "net.pt"),
                        str(tmp_path / "calib.npy"), "-o", str(tmp_path / "net.tsm"), "--softmax", "int8"],
                       capture_output=True, text=True, env=env, check=True)
    assert "calibrating" in r.stderr and "450/450" in r.stderr
    assert "arena" in r.stdout
    assert ts.Cnn((tmp_path / "net.tsm").read_bytes()).output_shape == (1, 1, 5)
