# tinysense_stats on MicroPython vs numpy (float64); int16 input: exact
# integers, float results within kStatsInt16Rel; float32 input within
# kStatsRel (tests/cpp/harness/tolerances.hpp). Conversions are bit-exact
# against the numpy models in include/tinysense/dsp/stats.hpp.
import array

import harness
from harness import check, equal_seq, farr, harr, near, raises, rel_near, zeros

import tinysense_stats as ts

D = harness.data("stats")
REL = {"f": 1e-5, "h": 3e-7}


def arr(tag):
    return farr(D[tag]["x"]) if tag == "f" else harr(D[tag]["x"])


def test_statistics_match_numpy():
    for tag in ("f", "h"):
        x, r, rel = arr(tag), D[tag], REL[tag]
        scale = max(abs(r["max"]), abs(r["min"]))
        near(ts.mean(x), r["mean"], rel * scale, tag + " mean")
        rel_near(ts.var(x), r["var"], rel, tag + " var")
        rel_near(ts.var(x, ddof=1), r["var1"], rel, tag + " var ddof=1")
        rel_near(ts.std(x), r["std"], rel, tag + " std")
        rel_near(ts.std(x, 1), r["std1"], rel, tag + " std ddof=1")
        rel_near(ts.rms(x), r["rms"], rel, tag + " rms")
        near(ts.zcr(x), r["zcr"], 1e-7, tag + " zcr")
        check(ts.zero_crossings(x) == r["zero_crossings"], tag + " zero_crossings")
        rel_near(ts.energy(x), r["energy"], rel, tag + " energy")
        near(ts.sum(x), r["sum"], rel * scale * len(x) ** 0.5, tag + " sum")


def test_int16_exact_integers():
    x, r = arr("h"), D["h"]
    for name, fn in (("min", ts.min), ("max", ts.max), ("ptp", ts.ptp), ("sum", ts.sum),
                     ("energy", ts.energy)):
        v = fn(x)
        check(isinstance(v, int), name + " of int16 is an int")
        check(v == int(r[name]), "%s %d vs %d" % (name, v, int(r[name])))
    check(ts.ptp(harr([-32768, 32767])) == 65535, "ptp never wraps")
    big = harr([32767] * 70000)  # sums beyond 32 bits stay exact
    check(ts.energy(big) == 70000 * 32767 * 32767, "energy > 2^32")
    check(ts.sum(big) == 70000 * 32767, "sum")
    check(ts.sum(harr([])) == 0 and ts.energy(farr([])) == 0.0, "totals of empty input")


def test_float_min_max():
    x, r = arr("f"), D["f"]
    check(ts.min(x) == r["min"] and ts.max(x) == r["max"], "min/max exact")
    near(ts.ptp(x), r["ptp"], 1e-6, "ptp")


def test_percentiles_and_median():
    q = farr(D["q"])
    for tag in ("f", "h"):
        x, r = arr(tag), D[tag]
        scratch = zeros(tag, len(x) + 3)  # longer scratch is fine
        out = zeros("f", len(q))
        check(ts.percentile(x, q, scratch, out) is out, "returns out")
        for i in range(len(q)):
            near(out[i], r["percentiles"][i], 1e-5 * abs(r["percentiles"][i]) + 1e-6,
                 "%s percentile %g" % (tag, q[i]))
        near(ts.percentile(x, 25, scratch), r["percentiles"][2], 1e-5 * abs(r["percentiles"][2]),
             tag + " percentile 25")
        near(ts.median(x, scratch), r["median"], 1e-5 * abs(r["median"]) + 1e-6, tag + " median")
        before = list(x)
        ts.median(x, scratch)
        equal_seq(x, before, tag + " x untouched with separate scratch")
        y = arr(tag)
        near(ts.median(y, y), r["median"], 1e-5 * abs(r["median"]) + 1e-6, "in place")  # y reordered


def test_features():
    for tag in ("f", "h"):
        x, r, rel = arr(tag), D[tag], 1e-5
        out = zeros("f", 8)
        check(ts.features(x, out) is out, "features(x, out) returns out")
        t = ts.features(x)
        check(isinstance(t, tuple) and len(t) == 8, "features(x) is an 8-tuple")
        equal_seq(list(out), list(t), tag + " tuple vs out")
        scale = max(abs(r["max"]), abs(r["min"]))
        near(out[0], r["mean"], rel * scale, tag + " mean")
        rel_near(out[1], r["std"], rel, tag + " std")
        check(out[2] == r["min"] and out[3] == r["max"], tag + " min/max")
        rel_near(out[4], r["rms"], rel, tag + " rms")
        near(out[5], r["ptp"], 1e-5 * scale, tag + " ptp")
        near(out[6], r["zcr"], 1e-7, tag + " zcr")
        rel_near(out[7], r["energy"], rel, tag + " energy")


def test_conversions_bit_exact():
    f = farr(D["conv_f"])
    h = zeros("h", len(f))
    ts.float_to_int16(f, h)
    equal_seq(h, D["conv_f_to_h"], "float_to_int16")
    ts.float_to_int16(f, h, 100.0)
    equal_seq(h, D["conv_f_to_h_scale100"], "float_to_int16 scale 100")
    ts.float_to_int16(farr([float("nan"), float("inf"), -float("inf")]), memoryview(h)[0:3])
    equal_seq(h[0:3], [0, 32767, -32768], "NaN -> 0, inf saturates")
    x = harr(D["conv_h"])
    out = zeros("f", len(x))
    ts.int16_to_float(x, out)
    equal_seq(out, D["conv_h_to_f"], "int16_to_float")
    ts.int16_to_float(x, out, 3.0)
    equal_seq(out, D["conv_h_to_f_scale3"], "int16_to_float scale 3")


def test_bad_input_raises():
    for fn in (ts.mean, ts.var, ts.std, ts.rms, ts.min, ts.max, ts.ptp, ts.zcr):
        raises(ValueError, fn, farr([]))
        raises(ValueError, fn, harr([]))
        raises(TypeError, fn, array.array("d", [1.0]))
        raises(TypeError, fn, [1.0, 2.0])
    raises(ValueError, ts.var, farr([1.0]), ddof=1)
    raises(ValueError, ts.std, farr([1.0, 2.0]), ddof=2)
    raises(ValueError, ts.var, farr([1.0, 2.0]), ddof=-1)
    x = farr([1.0, 2.0, 3.0])
    raises(ValueError, ts.percentile, x, 101, zeros("f", 3))
    raises(ValueError, ts.percentile, x, -1, zeros("f", 3))
    raises(ValueError, ts.percentile, x, float("nan"), zeros("f", 3))
    raises(ValueError, ts.percentile, x, 50, zeros("f", 2))          # scratch too short
    raises(TypeError, ts.percentile, x, 50, zeros("h", 3))           # scratch of another type
    raises(ValueError, ts.percentile, farr([]), 50, zeros("f", 1))
    raises(ValueError, ts.percentile, x, farr([10, 20]), zeros("f", 3), zeros("f", 3))
    big = zeros("f", 10)
    mv = memoryview(big)
    raises(ValueError, ts.median, mv[0:5], mv[3:8])                  # partial overlap
    raises(ValueError, ts.features, farr([]))
    raises(ValueError, ts.features, x, zeros("f", 7))
    raises(ValueError, ts.float_to_int16, x, zeros("h", 2))
    raises(TypeError, ts.int16_to_float, x, zeros("f", 3))


def test_no_leaks():
    x = arr("f")
    scratch = zeros("f", len(x))
    out = zeros("f", 8)

    def work():
        ts.features(x, out)
        ts.median(x, scratch)
        ts.var(x, ddof=1)
    work()
    harness.no_leak(work)


harness.main(globals())
