# tinysense_soundlevel on MicroPython vs the float64 numpy model of
# tests/golden/gen_sound_level.py (scipy sosfilt with the built-in sos, the
# exponential time weighting, exact Ln). Tolerance: kLevelDb (0.01 dB) of
# tests/cpp/harness/tolerances.hpp; Ln within half a histogram bin more.
import math

import harness
from harness import check, equal_seq, farr, harr, near, raises, rel_rms, zeros

import tinysense_soundlevel as sl

D = harness.data("soundlevel")
LEVEL_DB = 0.01
BIN_DB = 0.1


def meter_for(case, **extra):
    return sl.Meter(case["fs"], case["weighting"], case["tau"], calibration=case["cal"],
                    hist_interval=case["interval"], hist_bin_db=BIN_DB, **extra)


def check_interval(m, case, tag):
    near(m.leq(), case[tag + "_leq"], LEVEL_DB, case["name"] + " " + tag + " leq")
    near(m.lmax(), case[tag + "_lmax"], LEVEL_DB, case["name"] + " " + tag + " lmax")
    near(m.lmin(), case[tag + "_lmin"], LEVEL_DB, case["name"] + " " + tag + " lmin")
    check(m.histogram_samples == int(case[tag + "_count"]), case["name"] + " histogram count")
    for p, fn in ((10, m.l10), (50, m.l50), (90, m.l90)):
        ref = case["%s_l%d" % (tag, p)]
        near(fn(), ref, BIN_DB / 2 + LEVEL_DB, "%s %s L%d" % (case["name"], tag, p))
        check(fn() == m.percentile(p), "l%d() == percentile(%d)" % (p, p))


def run_case(case, m, x, chunk):
    step = D["trace_step"]
    split = case["split"]
    trace = []
    mx = memoryview(x)
    i = 0
    while i < split:  # first interval; chunks also end at the model's trace points
        j = min(i + chunk, split, (i // step + 1) * step)
        m.process(mx[i:j])
        i = j
        if i % step == 0:
            trace.append((i // step - 1, m.level()))
    check_interval(m, case, "i1")
    check(m.samples == split, "interval samples")
    m.reset_interval()
    check(m.samples == 0 and m.leq() != m.leq(), "empty interval: NaN leq")
    while i < len(x):
        j = min(i + chunk, len(x), (i // step + 1) * step)
        m.process(mx[i:j])
        i = j
        if i % step == 0:
            trace.append((i // step - 1, m.level()))
    check_interval(m, case, "i2")
    check(len(trace) == len(case["level_trace"]), "trace points %d" % len(trace))
    for k, level in trace:
        near(level, case["level_trace"][k], LEVEL_DB, "%s level at %d" % (case["name"], (k + 1) * step))
    near(m.level(), case["final_level"], LEVEL_DB, case["name"] + " final level")


def test_meter_int16_input_matches_model():
    for case in D["cases"]:
        x = harr(case["x"])
        run_case(case, meter_for(case), x, 1000)


def test_meter_float_input_and_chunking():
    for case in D["cases"]:
        x = zeros("f", len(case["x"]))
        for i, v in enumerate(case["x"]):
            x[i] = v / 32768.0
        run_case(case, meter_for(case), x, 250)


def test_custom_sos_equals_builtin():
    for case in D["cases"]:
        if not case["sos"]:
            continue
        a = meter_for(case)
        b = meter_for(case, sos=farr(case["sos"]))
        x = harr(case["x"][:20000])
        a.process(x)
        b.process(x)
        check(a.leq() == b.leq() and a.level() == b.level() and a.lmax() == b.lmax(),
              case["name"] + ": custom sos differs from built-in")


def test_weighting_filter():
    w = sl.Weighting(44100, "A")
    check(w.sections == len(D["w_sos"]) // 6, "sections")
    sos = w.sos(zeros("f", 6 * w.sections))
    equal_seq(sos, D["w_sos"], "built-in coefficients")
    x = farr(D["wx"])
    y = zeros("f", len(x))
    w.process(x, y)
    check(rel_rms(y, D["wy"]) <= 1e-5, "A-weighting vs sosfilt")
    w.reset()
    buf = farr(x)
    w.process(buf)
    equal_seq(buf, y, "in place after reset")
    z = sl.Weighting(12345, "Z")
    check(z.sections == 0, "Z has no sections")
    out = z.process(farr([1.0, -2.0]), zeros("f", 2))
    equal_seq(out, [1.0, -2.0], "Z passes through")
    c = sl.Weighting(12345, sos=farr(D["w_sos"]))  # any rate with designed sos
    check(c.sections == w.sections, "custom sos sections")


def test_readings_before_data():
    m = sl.Meter(48000)
    check(m.level() == -math.inf, "silence reads -inf")
    check(m.leq() != m.leq() and m.lmax() != m.lmax() and m.l50() != m.l50(), "NaN without data")
    near(m.alpha, 1.0 - math.exp(-1.0 / (48000 * 0.125)), 1e-9, "alpha")
    m.process(farr([0.5] * 4800))
    m.reset()
    check(m.samples == 0 and m.level() == -math.inf, "reset restarts everything")


def test_bad_config_raises():
    raises(ValueError, sl.Meter, 12345)                  # no built-in A at this rate
    raises(ValueError, sl.Meter, 16000, "B")
    raises(ValueError, sl.Meter, 0)
    raises(ValueError, sl.Meter, -48000)
    raises(ValueError, sl.Meter, float("nan"))
    raises(ValueError, sl.Meter, 16000, "A", 0)          # tau
    raises(ValueError, sl.Meter, 16000, "A", 1000.0)
    raises(ValueError, sl.Meter, 16000, "A", 1e-6)       # rate * tau < 1
    raises(ValueError, sl.Meter, 16000, hist_bins=1)
    raises(ValueError, sl.Meter, 16000, hist_bin_db=0.0)
    raises(ValueError, sl.Meter, 16000, hist_interval=0.0)
    raises(ValueError, sl.Meter, 16000, hist_interval=100.0)
    raises(ValueError, sl.Meter, 16000, sos=farr([1, 0, 0, 1, 0]))
    raises(ValueError, sl.Meter, 16000, sos=farr([1, 0, 0, 2, 0, 0]))
    raises(TypeError, sl.Meter, 16000, sos=harr([1, 0, 0, 1, 0, 0]))
    raises(ValueError, sl.Weighting, 22000, "C")
    raises(ValueError, sl.Weighting, 16000, "X")
    m = sl.Meter(16000)
    raises(TypeError, m.process, bytearray(8))
    raises(TypeError, m.process, [0.1, 0.2])
    raises(ValueError, m.percentile, 101)
    w = sl.Weighting(16000)
    raises(ValueError, w.process, zeros("f", 4), zeros("f", 5))
    raises(ValueError, w.sos, zeros("f", 3))


def test_no_leaks():
    one = harness.no_leak(lambda: sl.Meter(48000))
    check(one >= 4 * 1200, "Meter holds its histogram (%d bytes)" % one)
    sos = farr(D["w_sos"])
    harness.no_leak(lambda: sl.Meter(44100, sos=sos, hist_bins=100))
    harness.no_leak(lambda: sl.Weighting(44100, "C"))


harness.main(globals())
