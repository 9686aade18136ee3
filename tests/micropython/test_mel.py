# tinysense_mel on MicroPython vs librosa's formulas in numpy float64
# (tests/golden/gen_mel.py). Tolerances: kLogMelAbs / kLogMelQuietAbs (bands
# more than 60 dB below the frame's loudest) and kMelRel of
# tests/cpp/harness/tolerances.hpp.
import math

import harness
from harness import check, equal_seq, farr, raises, zeros

import tinysense_mel as tm

D = harness.data("mel")
LOG_MEL_ABS = 1e-3
LOG_MEL_QUIET_ABS = 1e-2
MEL_REL = 1e-6


def make(kw):
    kw = dict(kw)
    return tm.Mel(kw.pop("sr"), kw.pop("n_fft"), kw.pop("n_mels"), **kw)


def check_log_mel(got, ref, n_mels, is_db, what):
    quiet = 60.0 if is_db else 60.0 / (10.0 / math.log(10.0))  # 60 dB in ln units
    for t in range(len(ref) // n_mels):
        row = ref[t * n_mels:(t + 1) * n_mels]
        top = max(row)
        for m in range(n_mels):
            tol = LOG_MEL_ABS if row[m] >= top - quiet else LOG_MEL_QUIET_ABS
            e = abs(got[t * n_mels + m] - row[m])
            check(e <= tol, "%s frame %d band %d: %r vs %r" % (what, t, m, got[t * n_mels + m], row[m]))


def test_frames_match_librosa_model():
    x = farr(D["x"])
    hop = D["hop"]
    for cfg in D["configs"]:
        kw = cfg["kwargs"]
        m = make(kw)
        check(m.n_fft == kw["n_fft"] and m.n_mels == kw["n_mels"] and m.n_bins == kw["n_fft"] // 2 + 1,
              "attributes")
        check(m.num_weights == cfg["num_weights"], "num_weights %d vs %d" % (m.num_weights, cfg["num_weights"]))
        n = tm.num_frames(len(x), kw["n_fft"], hop)
        check(n == cfg["frames"], "num_frames")
        out = zeros("f", n * kw["n_mels"])
        check(m.frames(x, hop, out) == n, "frames() count")
        check_log_mel(out, cfg["log_mel"], kw["n_mels"], kw.get("log", "db") == "db", str(kw))
        # process() on each frame gives the same bits as frames().
        one = zeros("f", kw["n_mels"])
        mx = memoryview(x)
        for t in range(n):
            m.process(mx[t * hop:t * hop + kw["n_fft"]], one)
            equal_seq(one, out[t * kw["n_mels"]:(t + 1) * kw["n_mels"]], "process vs frames, frame %d" % t)


def test_filterbank_apply():
    for cfg in D["configs"]:
        kw = cfg["kwargs"]
        m = make(kw)
        nb, nm = kw["n_fft"] // 2 + 1, kw["n_mels"]
        for s in range(len(cfg["power"]) // nb):
            p = farr(cfg["power"][s * nb:(s + 1) * nb])
            out = zeros("f", nm)
            check(m.apply(p, out) is out, "apply returns out")
            ref = cfg["mel"][s * nm:(s + 1) * nm]
            top = max(abs(v) for v in ref)
            err = harness.max_abs(out, ref)
            check(err <= MEL_REL * top, "apply: max abs %g (scale %g)" % (err, top))


def test_power_to_db():
    x = farr(D["db_in"])
    out = zeros("f", len(x))
    check(tm.power_to_db(x, out) is out, "returns out")
    check(harness.max_abs(out, D["db_out"]) <= 1e-4, "power_to_db")
    tm.power_to_db(x, out, amin=1e-5, ref=2.0)
    check(harness.max_abs(out, D["db_out_ref"]) <= 1e-4, "power_to_db amin/ref")
    y = farr(x)
    check(tm.power_to_db(y) is y, "in place returns x")
    equal_seq(y, tm.power_to_db(x, zeros("f", len(x))), "in place vs out")


def test_bad_config_raises():
    raises(ValueError, tm.Mel, 16000, 500, 40)           # n_fft not a power of two
    raises(ValueError, tm.Mel, 16000, 8192, 40)
    raises(ValueError, tm.Mel, 16000, 512, 0)
    raises(ValueError, tm.Mel, 0, 512, 40)
    raises(ValueError, tm.Mel, -16000, 512, 40)
    raises(ValueError, tm.Mel, float("nan"), 512, 40)
    raises(ValueError, tm.Mel, 16000, 512, 40, fmax=9000)  # above Nyquist
    raises(ValueError, tm.Mel, 16000, 512, 40, fmin=4000, fmax=3000)
    raises(ValueError, tm.Mel, 16000, 512, 40, fmin=-1)
    raises(ValueError, tm.Mel, 16000, 512, 40, norm="l2")
    raises(ValueError, tm.Mel, 16000, 512, 40, window="kaiser")
    raises(ValueError, tm.Mel, 16000, 512, 40, log="log2")
    raises(ValueError, tm.Mel, 16000, 512, 40, amin=0)
    raises(ValueError, tm.Mel, 16000, 512, 40, ref=-1)
    raises(TypeError, tm.Mel, 16000, 512)


def test_bad_buffers_raise():
    m = tm.Mel(16000, 256, 20)
    raises(ValueError, m.process, zeros("f", 255), zeros("f", 20))
    raises(ValueError, m.process, zeros("f", 256), zeros("f", 21))
    raises(TypeError, m.process, zeros("h", 256), zeros("f", 20))
    raises(ValueError, m.frames, zeros("f", 1000), 0, zeros("f", 1000))
    raises(ValueError, m.frames, zeros("f", 1000), 100, zeros("f", 20))   # out too small
    check(m.frames(zeros("f", 100), 64, zeros("f", 0)) == 0, "no frame in a short signal")
    raises(ValueError, m.apply, zeros("f", 128), zeros("f", 20))
    big = zeros("f", 300)
    mv = memoryview(big)
    raises(ValueError, m.process, mv[0:256], mv[250:270])
    raises(ValueError, tm.power_to_db, zeros("f", 4), zeros("f", 3))
    raises(ValueError, tm.power_to_db, zeros("f", 4), amin=0.0)
    raises(ValueError, tm.num_frames, 100, 16, 0)


def test_no_leaks():
    one = harness.no_leak(lambda: tm.Mel(16000, 512, 40))
    check(one > 4 * 512, "Mel holds its tables (%d bytes)" % one)


harness.main(globals())
