# tinysense_img on MicroPython vs the numpy integer models of
# tests/golden/gen_img.py (conversions, nearest / bilinear / area resize) and
# the fixed-point quantiser formula of include/tinysense/img/image.hpp: exact.
import array

import harness
from harness import check, equal_seq, raises, zeros

import tinysense_img as ti

D = harness.data("img")


def test_conversions():
    rgb = bytes(D["rgb"])
    w, h = 13, 7
    g = bytearray(w * h)
    check(ti.convert(rgb, w, h, "rgb888", g, "gray") is g, "returns dst")
    equal_seq(g, D["rgb_to_gray"], "rgb888 -> gray")
    le = bytearray(w * h * 2)
    ti.convert(rgb, w, h, "rgb888", le, "rgb565le")
    equal_seq(le, D["rgb_to_565le"], "rgb888 -> rgb565le")
    be = array.array("B", bytes(w * h * 2))
    ti.convert(rgb, w, h, "rgb888", be, "rgb565be")
    equal_seq(be, D["rgb_to_565be"], "rgb888 -> rgb565be")
    back = bytearray(w * h * 3)
    ti.convert(bytes(D["c565be"]), w, h, "rgb565be", back, "rgb888")
    equal_seq(back, D["c565_to_rgb"], "rgb565be -> rgb888")


def test_resizes():
    src = {"gray": (bytes(D["src_gray"]), 17, 13), "rgb888": (bytes(D["src_rgb"]), 9, 7)}
    for method, fmt, w, h, ref in D["resizes"]:
        s, sw, sh = src[fmt]
        dst = bytearray(len(ref))
        check(ti.resize(s, sw, sh, dst, w, h, fmt, method) is dst, "returns dst")
        equal_seq(dst, ref, "%s %s %dx%d" % (method, fmt, w, h))
    x, y, rw, rh = D["roi"]
    dst = bytearray(6 * 5)
    ti.resize(bytes(D["src_gray"]), 17, 13, dst, 6, 5, roi=(x, y, rw, rh))
    equal_seq(dst, D["roi_out"], "roi + bilinear")


def test_quantizer_and_normalize():
    pix = bytes(range(256))
    out = zeros("b", 256)
    for mean, std, scale, zp, ref in D["quant"]:
        q = ti.PixelQuantizer(mean, std, scale, zp)
        check(q.process(pix, out) is out, "returns out")
        equal_seq(out, ref, "quantiser %r" % ([mean, std, scale, zp],))
    f = zeros("f", 256)
    ti.normalize(pix, f, 33.0, 58.5)
    check(harness.max_abs(f, D["normalize"]) <= 1e-6, "normalize")


def test_bad_inputs_raise():
    raises(ValueError, ti.convert, bytes(10), 5, 2, "rgb888", bytearray(10), "gray")   # src size
    raises(ValueError, ti.convert, bytes(30), 5, 2, "rgb888", bytearray(9), "gray")    # dst size
    raises(ValueError, ti.convert, bytes(30), 5, 2, "bgr", bytearray(10), "gray")
    raises(ValueError, ti.convert, bytes(30), 0, 2, "rgb888", bytearray(0), "gray")
    raises(TypeError, ti.convert, bytes(30), 5, 2, "rgb888", bytes(10), "gray")      # read-only dst
    raises(ValueError, ti.resize, bytes(20), 5, 4, bytearray(4), 2, 2, "rgb565le")
    raises(ValueError, ti.resize, bytes(20), 5, 4, bytearray(4), 2, 2, method="cubic")
    raises(ValueError, ti.resize, bytes(20), 5, 4, bytearray(4), 2, 2, roi=(4, 0, 2, 2))
    raises(ValueError, ti.resize, bytes(20), 5, 4, bytearray(4), 2, 2, roi=(0, 0, 0, 2))
    raises(ValueError, ti.resize, bytes(20), 5, 4, bytearray(4), 2, 2, roi=(0, 0, 2))
    buf = bytearray(40)
    mv = memoryview(buf)
    raises(ValueError, ti.resize, mv[0:20], 5, 4, mv[10:14], 2, 2)                  # overlap
    raises(ValueError, ti.PixelQuantizer, 0.0, 0.0, 1.0, 0)
    raises(ValueError, ti.PixelQuantizer, 0.0, 1.0, 1.0, 200)
    raises(ValueError, ti.PixelQuantizer, 0.0, 1.0, 0.001, 0)                       # > 64 steps per level
    q = ti.PixelQuantizer(0.0, 255.0, 1 / 255, -128)
    raises(ValueError, q.process, bytes(10), zeros("b", 9))
    raises(TypeError, q.process, bytes(10), zeros("h", 10))
    raises(ValueError, ti.normalize, bytes(4), zeros("f", 4), 0.0, 0.0)
    raises(ValueError, ti.normalize, bytes(4), zeros("f", 3))


def test_no_leaks():
    harness.no_leak(lambda: ti.PixelQuantizer(0.0, 255.0, 1 / 255, -128))


harness.main(globals())
