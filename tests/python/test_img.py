"""Image pre-processing vs Pillow (where Pillow defines the convention) and vs
float64 numpy references. Differences from Pillow are asserted, not hidden:
see the comments of tinysense/img/image.hpp."""
import numpy as np
import pytest

import tinysense as ts

Image = pytest.importorskip("PIL.Image")
rng = np.random.default_rng(99)


def pil_resize(a, size, method):
    return np.asarray(Image.fromarray(a).resize(size, method)).astype(np.int64)


def our_resize(a, size, method):
    h, w = a.shape[:2]
    fmt = "gray" if a.ndim == 2 else "rgb888"
    out = ts.img_resize(np.ascontiguousarray(a).ravel(), w, h, fmt, size[0], size[1], method)
    return out.reshape((size[1], size[0]) + a.shape[2:]).astype(np.int64)


# ---- pixel formats ----------------------------------------------------------------------

def test_gray_equals_pillow_convert_L():
    rgb = rng.integers(0, 256, (512, 1024, 3), dtype=np.uint8)
    got = ts.img_convert(rgb.ravel(), 1024, 512, "rgb888", "gray")
    np.testing.assert_array_equal(got, np.asarray(Image.fromarray(rgb).convert("L")).ravel())
    # Pillow's integer form differs from round((299 R + 587 G + 114 B) / 1000) on some pixels:
    # we follow Pillow, not the nominal formula.
    r, g, b = (rgb[..., i].astype(np.int64).ravel() for i in range(3))
    assert np.any(got != (r * 299 + g * 587 + b * 114 + 500) // 1000)


@pytest.mark.parametrize("order", ["rgb565le", "rgb565be"])
def test_rgb565_equals_pillow_unpacking(order):
    u = np.arange(65536, dtype=np.uint16)
    raw = u.astype("<u2" if order == "rgb565le" else ">u2").tobytes()
    got = ts.img_convert(np.frombuffer(raw, np.uint8), 256, 256, order, "rgb888")
    pil = Image.frombytes("RGB", (256, 256), u.astype("<u2").tobytes(), "raw", "BGR;16")
    np.testing.assert_array_equal(got, np.asarray(pil).ravel())
    # Packing is the exact inverse (Pillow has no RGB -> RGB565 packer).
    np.testing.assert_array_equal(ts.img_convert(got, 256, 256, "rgb888", order),
                                  np.frombuffer(raw, np.uint8))
    gray = ts.img_convert(np.frombuffer(raw, np.uint8), 256, 256, order, "gray")
    np.testing.assert_array_equal(gray, np.asarray(pil.convert("L")).ravel())


def test_gray_to_rgb_replicates():
    g = rng.integers(0, 256, 300, dtype=np.uint8)
    got = ts.img_convert(g, 20, 15, "gray", "rgb888").reshape(-1, 3)
    np.testing.assert_array_equal(got, np.asarray(Image.fromarray(g.reshape(15, 20)).convert("RGB")).reshape(-1, 3))


# ---- resize -------------------------------------------------------------------------------

def test_nearest_follows_pillow_except_exact_ties():
    ties = mismatches = 0
    for s in range(1, 60):
        for d in range(1, 60):
            row = (np.arange(s) % 256).astype(np.uint8).reshape(1, s)
            got = our_resize(row, (d, 1), "nearest")[0]
            pil = pil_resize(row, (d, 1), Image.NEAREST)[0]
            x = np.arange(d)
            np.testing.assert_array_equal(got, ((2 * x + 1) * s) // (2 * d))  # the exact rule
            tie = ((2 * x + 1) * s) % (2 * d) == 0
            ties += int(tie.sum())
            mismatches += int((got != pil).sum())
            # Pillow accumulates (x + 0.5) * s / d in double: it can only differ on a tie,
            # where it sometimes lands just below the boundary (one pixel to the left).
            assert np.all(tie | (got == pil)), (s, d)
            assert np.all((got == pil) | (got - pil == 1))
    assert 0 < mismatches < ties


def test_nearest_2d_rgb_equals_pillow_for_integer_factors():
    a = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    for size in [(8, 6), (4, 3), (32, 24), (48, 36)]:
        np.testing.assert_array_equal(our_resize(a, size, "nearest"), pil_resize(a, size, Image.NEAREST))


@pytest.mark.parametrize("size", [(106, 74), (159, 111), (80, 50), (60, 40)])
def test_bilinear_upscaling_within_one_of_pillow(size):
    yy, xx = np.mgrid[0:37, 0:53]
    for a in (rng.integers(0, 256, (37, 53), dtype=np.uint8),
              (127 + 100 * np.sin(xx / 5) * np.cos(yy / 7)).astype(np.uint8)):
        d = np.abs(our_resize(a, size, "bilinear") - pil_resize(a, size, Image.BILINEAR))
        assert d.max() <= 1 and d.mean() < 0.3


def area_float(a, size):
    """Exact area average in float64 (fractional coverage)."""
    def weights(s, d):
        w = np.zeros((d, s))
        for o in range(d):
            lo, hi = o * s / d, (o + 1) * s / d
            for i in range(s):
                w[o, i] = max(0.0, min(i + 1, hi) - max(i, lo))
        return w / w.sum(axis=1, keepdims=True)
    h, w = a.shape[:2]
    return np.einsum("ys,sx...,tx->yt...", weights(h, size[1]), a.astype(np.float64), weights(w, size[0]))


@pytest.mark.parametrize("size", [(20, 15), (7, 5), (33, 21), (53, 37), (1, 1), (80, 60)])
def test_area_is_the_exact_area_average(size):
    a = rng.integers(0, 256, (37, 53), dtype=np.uint8)
    ref = area_float(a, size)
    got = our_resize(a, size, "area")
    assert np.abs(got - ref).max() <= 0.5 + 1e-9
    np.testing.assert_array_equal(got, np.floor(ref + 0.5 + 1e-9))  # rounded half up


@pytest.mark.parametrize("k", [2, 3, 4, 6])
def test_area_integer_factors_vs_pillow_reduce(k):
    a = rng.integers(0, 256, (36, 48), dtype=np.uint8)
    got = our_resize(a, (48 // k, 36 // k), "area")
    red = np.asarray(Image.fromarray(a).reduce(k)).astype(np.int64)
    # Power-of-two factors: identical. Others: Pillow divides with a fixed-point
    # reciprocal, which rounds differently on some pixels (never by more than 1).
    if k in (2, 4):
        np.testing.assert_array_equal(got, red)
    assert np.abs(got - red).max() <= 1


def test_crop_and_errors():
    a = rng.integers(0, 256, (10, 12, 3), dtype=np.uint8)
    got = ts.img_crop(a.ravel(), 12, 10, "rgb888", 3, 2, 5, 4).reshape(4, 5, 3)
    np.testing.assert_array_equal(got, np.asarray(Image.fromarray(a).crop((3, 2, 8, 6))))
    with pytest.raises(ValueError):
        ts.img_crop(a.ravel(), 12, 10, "rgb888", 10, 0, 5, 4)
    with pytest.raises(TypeError):
        ts.img_convert(a.ravel().astype(np.int16), 12, 10, "rgb888", "gray")
    with pytest.raises(ValueError):
        ts.img_convert(a.ravel()[:-1], 12, 10, "rgb888", "gray")
    with pytest.raises(ValueError, match="unknown pixel format"):
        ts.img_convert(a.ravel(), 12, 10, "bgr", "gray")
    with pytest.raises(ValueError, match="unknown interpolation"):
        ts.img_resize(a.ravel(), 12, 10, "rgb888", 6, 5, "cubic")
    with pytest.raises(ValueError):
        ts.img_resize(a.ravel()[:240], 12, 10, "rgb565le", 6, 5, "area")


# ---- normalisation / quantisation -----------------------------------------------------------

@pytest.mark.parametrize("mean,std,scale,zp", [(0.0, 255.0, 1 / 255, -128), (127.5, 63.75, 0.0157, 3),
                                               (10.0, 1.0, 0.5, -100), (0.0, 16.0, 0.00392157, -128)])
def test_pixel_quantizer(mean, std, scale, zp):
    p = np.arange(256, dtype=np.uint8)
    q = ts.PixelQuantizer(mean, std, scale, zp)
    got = q.process(p).astype(np.int64)
    ref = np.clip(np.floor((p - mean) / std / np.float64(np.float32(scale)) + 0.5) + zp, -128, 127)
    assert np.abs(got - ref).max() <= 1
    fixed = np.clip((p.astype(np.int64) * q.multiplier + q.offset) >> 16, -128, 127)
    np.testing.assert_array_equal(got, fixed)
    if (mean, std, zp) == (0.0, 255.0, -128):
        np.testing.assert_array_equal(got, p.astype(np.int64) - 128)
    with pytest.raises(ValueError):
        ts.PixelQuantizer(0.0, 0.0, 1.0, 0)


def test_normalize():
    p = np.arange(256, dtype=np.uint8)
    np.testing.assert_allclose(ts.img_normalize(p, 33.0, 58.5), (p - 33.0) / 58.5, atol=1e-6)
