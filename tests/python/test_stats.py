import glob
import os

import numpy as np
import pytest

import tinysense as ts

HAR_DIR = os.environ.get("TINYSENSE_HAR_DIR", os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
    "shared", "data", "har_exercise_1"))
REL = 1e-5  # float32 kernels vs float64 numpy, relative to the value's scale
ULP = 3e-7  # int16 kernels: exact sums, one float rounding at the end


def zc_model(x):
    return int(np.count_nonzero((x[:-1] < 0) != (x[1:] < 0))) if len(x) > 1 else 0


def signals():
    rng = np.random.default_rng(3)
    out = []
    for n in (1, 2, 7, 1000, 10001):
        out.append(("f32", rng.standard_normal(n).astype(np.float32)))
        out.append(("f32dc", (1000.0 + 0.01 * rng.standard_normal(n)).astype(np.float32)))
        out.append(("i16", rng.integers(-32768, 32768, n).astype(np.int16)))
        out.append(("i16dc", (16384 + rng.integers(-50, 50, n)).astype(np.int16)))
    return out


SIGNALS = signals()
IDS = [f"{k}-{len(x)}" for k, x in SIGNALS]


def close(got, ref, tol, scale=0.0):
    assert abs(got - ref) <= tol * max(abs(ref), scale), (got, ref)


@pytest.mark.parametrize("kind,x", SIGNALS, ids=IDS)
def test_stats_match_numpy(kind, x):
    xf = x.astype(np.float64)
    tol = REL if x.dtype == np.float32 else ULP
    close(ts.mean(x), xf.mean(), tol, np.abs(xf).mean())
    close(ts.var(x), xf.var(), tol, 1e-30)
    close(ts.std(x), xf.std(), tol, 1e-30)
    if len(x) > 1:
        close(ts.var(x, ddof=1), xf.var(ddof=1), tol, 1e-30)
        close(ts.std(x, ddof=1), xf.std(ddof=1), tol, 1e-30)
    close(ts.rms(x), np.sqrt(np.mean(xf * xf)), tol)
    assert ts.min_value(x) == xf.min() and ts.max_value(x) == xf.max()
    assert ts.zero_crossings(x) == zc_model(x)
    assert ts.zero_crossing_rate(x) == pytest.approx(zc_model(x) / (len(x) - 1) if len(x) > 1 else 0.0,
                                                     abs=1e-7)
    if x.dtype == np.int16:
        # Integer totals are exact Python ints; ptp never wraps.
        assert ts.total(x) == int(x.astype(np.int64).sum())
        assert ts.energy(x) == int((x.astype(np.int64) ** 2).sum())
        assert ts.ptp(x) == int(x.max()) - int(x.min())
        assert ts.median(x) == np.median(xf)
    else:
        close(ts.total(x), xf.sum(), REL, np.abs(xf).sum())
        close(ts.energy(x), (xf * xf).sum(), REL)
        close(ts.ptp(x), np.ptp(xf), 1e-7)
        close(ts.median(x), np.median(xf), 1e-7, np.abs(xf).max())


@pytest.mark.parametrize("kind,x", SIGNALS, ids=IDS)
def test_percentiles_match_numpy(kind, x):
    rng = np.random.default_rng(len(x))
    q = np.concatenate([[0, 10, 25, 50, 90, 100], rng.uniform(0, 100, 8)]).astype(np.float32)
    got = ts.percentile(x, q)
    assert got.dtype == np.float32 and got.shape == q.shape
    ref = np.percentile(x.astype(np.float64), q.astype(np.float64))
    scale = float(np.abs(x.astype(np.float64)).max())
    np.testing.assert_allclose(got, ref, rtol=0, atol=(ULP if x.dtype == np.int16 else 1e-7) * max(scale, 1))
    assert ts.percentile(x, 0) == x.min() and ts.percentile(x, 100) == x.max()
    assert isinstance(ts.percentile(x, 37.5), float)


@pytest.mark.parametrize("kind,x", SIGNALS, ids=IDS)
def test_features_match_numpy(kind, x):
    xf = x.astype(np.float64)
    f = ts.features(x)
    tol = REL if x.dtype == np.float32 else ULP
    close(f["mean"], xf.mean(), tol, np.abs(xf).mean())
    close(f["std"], xf.std(), tol, 1e-30)
    close(f["rms"], np.sqrt(np.mean(xf * xf)), tol)
    close(f["energy"], (xf * xf).sum(), tol)
    assert f["min"] == xf.min() and f["max"] == xf.max()
    close(f["ptp"], xf.max() - xf.min(), 1e-7)
    assert f["zcr"] == pytest.approx(zc_model(x) / (len(x) - 1) if len(x) > 1 else 0.0, abs=1e-7)


def load_npy_rows(path):
    """(n, 3) int16 rows actually present in a possibly truncated .npy file.

    The header may promise more rows than the file holds (a recorder that
    stopped early); numpy.load would raise, so read the header, then only the
    complete rows that follow. Returns None for an empty or non-npy file.
    """
    with open(path, "rb") as f:
        try:
            version = np.lib.format.read_magic(f)
        except ValueError:
            return None
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        data = f.read()
    assert dtype == np.dtype("<i2") and not fortran and len(shape) == 2 and shape[1] == 3
    rows = min(shape[0], len(data) // (3 * dtype.itemsize))
    return np.frombuffer(data[:rows * 3 * dtype.itemsize], dtype=dtype).reshape(rows, 3)


HAR_FILES = sorted(glob.glob(os.path.join(HAR_DIR, "*.npy")))


@pytest.mark.skipif(not HAR_FILES, reason="HAR data set not present")
def test_loader_handles_truncated_files():
    truncated = os.path.join(HAR_DIR, "2000-01-01T000051_jumpingjack.npy")
    x = load_npy_rows(truncated)
    assert x is not None and 0 < len(x) < 1000
    with pytest.raises(ValueError):
        np.load(truncated)  # why the careful loader exists
    assert load_npy_rows(os.path.join(HAR_DIR, "2000-01-01T000407_squat.npy")) is None  # 0 bytes


@pytest.mark.skipif(not HAR_FILES, reason="HAR data set not present")
@pytest.mark.parametrize("path", HAR_FILES[:40], ids=[os.path.basename(p) for p in HAR_FILES[:40]])
def test_real_accelerometer_windows(path):
    data = load_npy_rows(path)
    if data is None or len(data) < 2:
        pytest.skip("empty recording")
    for axis in range(3):
        x = np.ascontiguousarray(data[:, axis])  # a column view is strided: copy
        xf = x.astype(np.float64)
        f = ts.features(x)
        close(f["mean"], xf.mean(), ULP, 1e-30)
        close(f["std"], xf.std(), ULP, 1e-30)
        close(f["rms"], np.sqrt(np.mean(xf * xf)), ULP)
        assert (f["min"], f["max"]) == (xf.min(), xf.max())
        assert ts.energy(x) == int((x.astype(np.int64) ** 2).sum())
        assert ts.median(x) == np.median(xf)
        np.testing.assert_allclose(ts.percentile(x, [5, 25, 75, 95]),
                                   np.percentile(xf, [5, 25, 75, 95]), rtol=ULP)
        # The same window in g (16384 counts per g) through the float path.
        g = ts.int16_to_float(x, 1.0 / 16384)
        np.testing.assert_array_equal(g, x.astype(np.float32) * np.float32(1.0 / 16384))
        gf = g.astype(np.float64)
        close(ts.std(g), gf.std(), REL, 1e-30)
        close(ts.mean(g), gf.mean(), REL, np.abs(gf).mean())
        assert ts.zero_crossings(g) == zc_model(gf)


def test_conversions_match_numpy_model():
    rng = np.random.default_rng(5)
    i = rng.integers(-32768, 32768, 1000).astype(np.int16)
    np.testing.assert_array_equal(ts.int16_to_float(i), i.astype(np.float32) * np.float32(1 / 32768))
    np.testing.assert_array_equal(ts.int16_to_float(i, 0.5), i.astype(np.float32) * np.float32(0.5))
    f = np.concatenate([[0.5, 1.5, 2.5, -0.5, -2.5, 1e9, -1e9, np.nan, np.inf, -np.inf],
                        rng.uniform(-1.2, 1.2, 1000)]).astype(np.float32)
    with np.errstate(invalid="ignore"):
        for scale in (32768.0, 1.0, 100.0):
            v = f * np.float32(scale)
            model = np.clip(np.rint(np.where(np.isnan(v), 0, v)), -32768, 32767).astype(np.int16)
            np.testing.assert_array_equal(ts.float_to_int16(f, scale), model)
    np.testing.assert_array_equal(ts.float_to_int16(ts.int16_to_float(i)), i)  # Q15 round trip


def test_nan_gives_nan_percentile():
    x = np.array([1, np.nan, 3], np.float32)
    assert np.isnan(ts.median(x)) and np.isnan(np.median(x))


@pytest.mark.parametrize("fn", [ts.mean, ts.var, ts.std, ts.rms, ts.min_value, ts.max_value, ts.ptp,
                                ts.median, ts.zero_crossing_rate, ts.zero_crossings, ts.energy,
                                ts.total, ts.features])
def test_type_and_value_errors(fn):
    for bad in (np.zeros(4, np.float64), np.zeros(4, np.int32), [1.0, 2.0], 3.0):
        with pytest.raises(TypeError):
            fn(bad)
    with pytest.raises(ValueError):
        fn(np.zeros((2, 2), np.float32))  # 2-D
    with pytest.raises(ValueError):
        fn(np.zeros(8, np.float32)[::2])  # not contiguous


@pytest.mark.parametrize("fn", [ts.mean, ts.var, ts.std, ts.rms, ts.min_value, ts.max_value, ts.ptp,
                                ts.median, ts.zero_crossing_rate, ts.features])
@pytest.mark.parametrize("dtype", [np.float32, np.int16])
def test_empty_is_value_error(fn, dtype):
    with pytest.raises(ValueError):
        fn(np.zeros(0, dtype))


def test_empty_totals_are_zero():
    assert ts.total(np.zeros(0, np.int16)) == 0 and ts.energy(np.zeros(0, np.float32)) == 0.0
    assert ts.zero_crossings(np.zeros(0, np.float32)) == 0


def test_bad_arguments():
    x = np.arange(5, dtype=np.float32)
    with pytest.raises(ValueError):
        ts.var(x, ddof=5)
    with pytest.raises(ValueError):
        ts.std(x, ddof=-1)
    for q in (-1, 100.5, np.nan, [10, 101]):
        with pytest.raises(ValueError):
            ts.percentile(x, q)
    with pytest.raises(ValueError):
        ts.percentile(x, [[1, 2]])
    with pytest.raises(TypeError):
        ts.int16_to_float(x)  # needs int16
    with pytest.raises(TypeError):
        ts.float_to_int16(np.zeros(3, np.int16))  # needs float32
