# tinysense_iir on MicroPython vs scipy.signal.sosfilt (float64) and the
# bit-exact Q15 models of tests/golden/gen_biquad.py. Tolerance:
# kBiquadRelRms of tests/cpp/harness/tolerances.hpp.
import array
import random

import harness
from harness import check, equal_seq, farr, harr, raises, rel_rms, zeros

import tinysense_iir as ti

D = harness.data("iir")
BIQUAD_REL_RMS = 1e-5


def chunks(n, seed):
    """Random chunk lengths (0 included) covering n samples."""
    random.seed(seed)
    out, i = [], 0
    while i < n:
        k = min(n - i, random.choice((0, 1, 2, 3, 7, 31, 64, 200, 513)))
        out.append((i, i + k))
        i += k
    return out


def run_chunked(filt, x, tc):
    y = zeros(tc, len(x))
    mx, my = memoryview(x), memoryview(y)
    for a, b in chunks(len(x), 11):
        filt.process(mx[a:b], my[a:b])
    return y


def test_float_matches_scipy():
    x = farr(D["x"])
    for name, sos, ref in D["designs"]:
        f = ti.IIR(farr(sos))
        check(f.sections == len(sos) // 6, "sections")
        y = zeros("f", len(x))
        r = f.process(x, y)
        check(r is y, "process(x, out) returns out")
        err = rel_rms(y, ref)
        check(err <= BIQUAD_REL_RMS, "%s rel rms %g" % (name, err))


def test_float_streaming_in_place_and_reset():
    x = farr(D["x"])
    name, sos, ref = D["designs"][1]
    f = ti.IIR(sos)  # a plain list works too
    once = zeros("f", len(x))
    f.process(x, once)
    f.reset()
    pieces = run_chunked(f, x, "f")
    equal_seq(pieces, once, "chunked vs one call")
    f.reset()
    buf = farr(x)
    r = f.process(buf)  # in place
    check(r is buf, "process(buf) returns buf")
    equal_seq(buf, once, "in place vs out of place")
    # Without reset the state carries on: a second pass differs.
    again = zeros("f", len(x))
    f.process(x, again)
    check(again[0] != once[0] or again[5] != once[5], "state carried over")


def test_sos_is_copied():
    sos = farr(D["designs"][0][1])
    f = ti.IIR(sos)
    x = farr(D["x"])
    y1 = f.process(x, zeros("f", len(x)))
    for i in range(len(sos)):
        sos[i] = 0.0
    f.reset()
    y2 = f.process(x, zeros("f", len(x)))
    equal_seq(y2, y1, "filter changed when the caller's sos changed")


def test_q15_from_float_sos_bit_exact():
    f = ti.IIRQ15(farr(D["q15_sos_f32"]))
    check(f.post_shift == D["q15_shift"], "post_shift %d vs %d" % (f.post_shift, D["q15_shift"]))
    x = harr(D["q15_x"])
    y = zeros("h", len(x))
    f.process(x, y)
    equal_seq(y, D["q15_y"], "Q15 from float sos")
    f.reset()
    equal_seq(run_chunked(f, x, "h"), D["q15_y"], "Q15 chunked")


def test_q15_from_int16_sos_bit_exact():
    f = ti.IIRQ15(harr(D["q15_sos"]), D["q15_shift"])
    check(f.sections == len(D["q15_sos"]) // 6, "sections")
    buf = harr(D["q15_x"])
    f.process(buf)
    equal_seq(buf, D["q15_y"], "Q15 from int16 sos, in place")
    g = ti.IIRQ15(harr(D["sat_sos"]), D["sat_shift"])
    y = g.process(harr(D["sat_x"]), zeros("h", len(D["sat_x"])))
    equal_seq(y, D["sat_y"], "Q15 saturation")
    check(max(y) == 32767, "saturation case saturates")


def test_bad_coefficients_raise():
    raises(ValueError, ti.IIR, [])
    raises(ValueError, ti.IIR, [1, 0, 0, 1, 0])              # not 6 per section
    raises(ValueError, ti.IIR, [1, 0, 0, 2, 0, 0])           # a0 != 1
    raises(ValueError, ti.IIR, [1, 0, 0, 1, float("nan"), 0])
    raises(ValueError, ti.IIR, [1, 0, 0, 1, float("inf"), 0])
    raises(ValueError, ti.IIR, farr([0.0] * 12))             # a0 == 0
    raises(TypeError, ti.IIR, array.array("d", [1, 0, 0, 1, 0, 0]))
    raises(TypeError, ti.IIR, 3)
    raises(ValueError, ti.IIRQ15, [300.0, 0, 0, 1, 0, 0])    # does not fit Q15 at shift 7
    raises(ValueError, ti.IIRQ15, harr([16384, 0, 0, 16384, 0, 0]))  # int16 sos needs post_shift
    raises(ValueError, ti.IIRQ15, harr([16384, 0, 0, 16384, 0, 0]), 0)
    raises(ValueError, ti.IIRQ15, harr([16384, 0, 0, 16384, 0, 0]), 8)
    raises(ValueError, ti.IIRQ15, harr([16384, 0, 0, 16000, 0, 0]), 1)  # a0 != 1.0
    raises(ValueError, ti.IIRQ15, [1, 0, 0, 1, 0, 0], 1)     # post_shift only for int16 sos


def test_bad_buffers_raise():
    f = ti.IIR([1, 0, 0, 1, -0.5, 0])
    raises(TypeError, f.process, zeros("h", 10))
    raises(TypeError, f.process, b"\x00" * 40)               # read-only in place
    raises(ValueError, f.process, zeros("f", 10), zeros("f", 9))
    big = zeros("f", 30)
    mv = memoryview(big)
    raises(ValueError, f.process, mv[0:10], mv[5:15])        # partial overlap
    f.process(mv[0:10], mv[0:10])                            # exact alias is in place: fine
    q = ti.IIRQ15(harr([16384, 0, 0, 16384, 0, 0]), 1)
    raises(TypeError, q.process, zeros("f", 4))
    raises(TypeError, q.process, zeros("h", 4), zeros("f", 4))


def test_no_leaks():
    sos = farr(D["designs"][1][1])
    harness.no_leak(lambda: ti.IIR(sos))
    harness.no_leak(lambda: ti.IIR(list(sos)))  # the list path converts into a temporary
    harness.no_leak(lambda: ti.IIRQ15(sos))


harness.main(globals())
