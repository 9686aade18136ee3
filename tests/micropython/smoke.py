# Cross-architecture smoke test of the tinysense MicroPython modules.
#
# Needs no files except the model files next to it (trees / knn / cnn, from
# gen_expected.py): inputs come from a fixed LCG. Prints one line per result,
# "<name> <v0> <v1> ...", so tests/micropython/run-qemu can run it on the unix
# port (x64 .mpy) and on an Arm board emulated by QEMU (armv6m / armv7m /
# armv7emsp .mpy) and compare the two outputs number by number. Bad inputs
# must raise, never crash: each case prints "raise <name> ok".
import array
import sys

try:
    MODEL_DIR = TS_MODEL_DIR  # noqa: F821  (defined by run-qemu before this script)
except NameError:
    MODEL_DIR = sys.argv[1] if len(sys.argv) > 1 else "."
_state = [12345]


def rnd():
    """Uniform in [-1, 1) from a 31-bit LCG (identical on every port)."""
    _state[0] = (_state[0] * 1103515245 + 12345) & 0x7FFFFFFF
    return _state[0] / 1073741824.0 - 1.0


def farr(n, scale=1.0):
    return array.array("f", [rnd() * scale for _ in range(n)])


def harr(n, scale=20000):
    return array.array("h", [int(rnd() * scale) for _ in range(n)])


def show(name, values):
    print(name, " ".join("%.7g" % v for v in values))


def raises(name, exc, fn, *args):
    try:
        fn(*args)
    except exc:
        print("raise", name, "ok")
        return
    except Exception as e:
        print("raise", name, "wrong", type(e).__name__)
        return
    print("raise", name, "missing")


def model(name):
    with open(MODEL_DIR + "/" + name, "rb") as f:
        return f.read()


def have(mod):
    try:
        __import__(mod)
        return True
    except ImportError:
        print("skip", mod)
        return False


if have("tinysense_fft"):
    import tinysense_fft as tf
    f = tf.FFT(256)
    x = farr(256)
    s = f.rfft(x, array.array("f", bytes(4 * 258)))
    show("fft.rfft", s)
    y = f.irfft(s, array.array("f", bytes(4 * 256)))
    show("fft.irfft", y)
    show("fft.power", f.power(x, array.array("f", bytes(4 * 129))))
    c = tf.CFFT(64)
    z = farr(128)
    show("fft.cfft", c.fft(z, z))
    q = tf.FFTQ15(128)
    show("fft.q15", q.rfft(harr(128), array.array("h", bytes(2 * 130))))
    show("fft.hann", tf.get_window("hann", array.array("f", bytes(4 * 16))))
    raises("fft.size", ValueError, tf.FFT, 100)
    raises("fft.type", TypeError, f.rfft, array.array("h", bytes(512)), s)

if have("tinysense_iir"):
    import tinysense_iir as ti
    sos = [0.0200834, 0.0401667, 0.0200834, 1.0, -1.5610181, 0.6413515,
           1.0, 2.0, 1.0, 1.0, -1.4590290, 0.7352209]
    g = ti.IIR(sos)
    show("iir.f32", g.process(farr(300)))
    h = ti.IIRQ15(sos)
    show("iir.q15", h.process(harr(300, 8000)) + array.array("h", [h.post_shift]))
    raises("iir.a0", ValueError, ti.IIR, [1, 0, 0, 2, 0, 0])

if have("tinysense_stats"):
    import tinysense_stats as st
    x = farr(1000, 3.0)
    xh = harr(1000)
    for name, v in (("f", x), ("h", xh)):
        show("stats." + name, [st.mean(v), st.var(v), st.std(v, ddof=1), st.rms(v), st.min(v), st.max(v),
                               st.ptp(v), st.sum(v), st.energy(v), st.zero_crossings(v), st.zcr(v),
                               st.median(v, array.array(name, bytes(len(v) * (4 if name == "f" else 2))))])
        show("stats.features." + name, st.features(v))
    show("stats.sum_big", [st.energy(array.array("h", [32767] * 5000))])
    raises("stats.empty", ValueError, st.mean, array.array("f"))

if have("tinysense_mel"):
    import tinysense_mel as tm
    m = tm.Mel(16000, 256, 24)
    fr = farr(256, 0.3)
    show("mel.db", m.process(fr, array.array("f", bytes(4 * 24))))
    m2 = tm.Mel(16000, 256, 24, htk=True, norm=None, log="ln", amin=1e-6)
    show("mel.ln", m2.process(fr, array.array("f", bytes(4 * 24))))
    raises("mel.nfft", ValueError, tm.Mel, 16000, 300, 24)

if have("tinysense_soundlevel"):
    import tinysense_soundlevel as sl
    mt = sl.Meter(16000, "A")
    for _ in range(8):
        mt.process(harr(1000, 3000))
    show("sl.meter", [mt.level(), mt.leq(), mt.lmax(), mt.lmin(), mt.l10(), mt.l50(), mt.l90(), mt.samples])
    w = sl.Weighting(48000, "C")
    show("sl.weighting", w.process(farr(200)))
    raises("sl.rate", ValueError, sl.Meter, 12345)

if have("tinysense_trees"):
    import tinysense_trees as tt
    fo = tt.Forest(model("trees_rf_iris_f32.tsm"))
    out = array.array("f", bytes(4 * fo.n_outputs))
    res = []
    for i in range(20):
        xi = array.array("f", [5.8 + 2 * rnd(), 3.0 + rnd(), 3.7 + 3 * rnd(), 1.2 + rnd()])
        res.append(fo.predict(xi))
        res.extend(fo.predict_proba(xi, out))
    show("trees.rf", res)
    raises("trees.corrupt", ValueError, tt.Forest, model("trees_rf_iris_f32.tsm")[:-3])

if have("tinysense_knn"):
    import tinysense_knn as tk
    kn = tk.Knn(model("knn_wine.tsm"), capacity=4)
    res = []
    idx = array.array("I", bytes(4 * kn.k))
    for i in range(10):
        xi = harr(kn.n_features, 2000)
        res.append(kn.predict(xi))
        res.append(kn.kneighbors(xi, idx))
        res.extend(sorted(idx))
    kn.add(harr(kn.n_features, 2000), 2)
    res.append(kn.size)
    show("knn", res)

if have("tinysense_cnn"):
    import tinysense_cnn as tc
    cn = tc.Cnn(model("cnn_digits.tsm"))
    res = []
    out = array.array("b", bytes(cn.output_size))
    for i in range(5):
        xi = array.array("b", [int(rnd() * 127) for _ in range(64)])
        res.append(cn.predict(xi))
        res.extend(cn.run(xi, out))
    show("cnn", res)

if have("tinysense_img"):
    import tinysense_img as tg
    src = bytes([int((rnd() + 1) * 127.5) for _ in range(17 * 13 * 3)])
    g8 = bytearray(17 * 13)
    tg.convert(src, 17, 13, "rgb888", g8, "gray")
    show("img.gray", g8)
    d = bytearray(6 * 5)
    for meth in ("nearest", "bilinear", "area"):
        tg.resize(g8, 17, 13, d, 6, 5, method=meth)
        show("img." + meth, d)
    qz = tg.PixelQuantizer(127.5, 63.75, 0.0157, 3)
    show("img.quant", qz.process(g8, array.array("b", bytes(len(g8)))))

print("smoke done")
