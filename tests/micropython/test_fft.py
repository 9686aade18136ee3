# tinysense_fft on MicroPython vs numpy.fft (float64) and the bit-exact Q15
# model of tests/golden/gen_fft.py. Tolerances: tests/cpp/harness/tolerances.hpp
# (kFftRelRms, kFftRoundTripRelRms, kWindowAbs).
import array
import math

import harness
from harness import check, equal_seq, farr, harr, raises, rel_rms, zeros

import tinysense_fft as tf

D = harness.data("fft")
FFT_REL_RMS = 2e-6
WINDOW_ABS = 1e-6


def test_rfft_matches_numpy():
    for n in D["sizes"]:
        f = tf.FFT(n)
        check(f.n == n and f.bins == n // 2 + 1, "n / bins")
        x = farr(D["x%d" % n])
        x_copy = farr(x)
        out = zeros("f", n + 2)
        r = f.rfft(x, out)
        check(r is out, "rfft returns out")
        err = rel_rms(out, D["rfft%d" % n])
        check(err <= FFT_REL_RMS, "rfft n=%d rel rms %g" % (n, err))
        equal_seq(x, x_copy, "rfft modified x")
        check(out[1] == 0.0 and out[n + 1] == 0.0, "imag of bins 0 and n/2 must be 0")


def test_irfft_matches_numpy_and_round_trips():
    for n in D["sizes"]:
        f = tf.FFT(n)
        spec = farr(D["spec%d" % n])
        out = zeros("f", n)
        f.irfft(spec, out)
        err = rel_rms(out, D["irfft%d" % n])
        check(err <= FFT_REL_RMS, "irfft n=%d rel rms %g" % (n, err))
        x = farr(D["x%d" % n])
        s = zeros("f", n + 2)
        back = zeros("f", n)
        f.irfft(f.rfft(x, s), back)
        err = rel_rms(back, x)
        check(err <= FFT_REL_RMS, "round trip n=%d rel rms %g" % (n, err))


def test_power_and_magnitude():
    for n in D["sizes"]:
        f = tf.FFT(n)
        x = farr(D["x%d" % n])
        ref = D["rfft%d" % n]
        pref = [ref[2 * k] ** 2 + ref[2 * k + 1] ** 2 for k in range(n // 2 + 1)]
        mref = [math.sqrt(v) for v in pref]
        p = zeros("f", n // 2 + 1)
        m = zeros("f", n // 2 + 1)
        f.power(x, p)
        f.magnitude(x, m)
        check(rel_rms(p, pref) <= 2 * FFT_REL_RMS, "power n=%d" % n)
        check(rel_rms(m, mref) <= FFT_REL_RMS, "magnitude n=%d" % n)
        # Module functions on an interleaved spectrum agree with the methods.
        s = f.rfft(x, zeros("f", n + 2))
        p2 = tf.power(s, zeros("f", n // 2 + 1))
        m2 = tf.magnitude(s, zeros("f", n // 2 + 1))
        equal_seq(p2, p, "power(spec) vs FFT.power")
        equal_seq(m2, m, "magnitude(spec) vs FFT.magnitude")


def test_complex_fft_and_in_place():
    for n in D["cfft_sizes"]:
        c = tf.CFFT(n)
        x = farr(D["cx%d" % n])
        out = zeros("f", 2 * n)
        c.fft(x, out)
        check(rel_rms(out, D["cfft%d" % n]) <= FFT_REL_RMS, "fft n=%d" % n)
        c.ifft(x, out)
        check(rel_rms(out, D["cifft%d" % n]) <= FFT_REL_RMS, "ifft n=%d" % n)
        y = farr(x)
        c.fft(y, y)  # in place
        check(rel_rms(y, D["cfft%d" % n]) <= FFT_REL_RMS, "in-place fft n=%d" % n)


def test_q15_bit_exact():
    for n in D["q15_sizes"]:
        f = tf.FFTQ15(n)
        x = harr(D["xq%d" % n])
        out = zeros("h", n + 2)
        f.rfft(x, out)
        equal_seq(out, D["q15_%d" % n], "Q15 rfft n=%d" % n)
        p = zeros("i", n // 2 + 1)
        f.power(x, p)
        equal_seq(p, D["q15_power%d" % n], "Q15 power n=%d" % n)


def test_windows_match_scipy():
    for name, n, fftbins, ref in D["windows"]:
        w = zeros("f", n)
        r = tf.get_window(name, w, fftbins)
        check(r is w, "get_window returns out")
        err = harness.max_abs(w, ref)
        check(err <= WINDOW_ABS, "%s n=%d fftbins=%s max abs %g" % (name, n, fftbins, err))
    w = zeros("f", 8)
    tf.get_window("hann", w)  # default fftbins=True (periodic)
    check(abs(w[4] - 1.0) < 1e-7 and w[0] == 0.0, "periodic hann by default")


def test_tail_canary_with_memoryview():
    n = 64
    f = tf.FFT(n)
    big = farr([7.5] * (n + 2 + 5))
    view = memoryview(big)[0:n + 2]
    f.rfft(farr(D["x64"]), view)
    for v in big[n + 2:]:
        check(v == 7.5, "rfft wrote past the end of out")
    check(rel_rms(big[:n + 2], D["rfft64"]) <= FFT_REL_RMS, "rfft into a memoryview")


def test_bad_sizes_raise():
    for n in (0, 1, 8, 15, 100, 8192, -16):
        raises(ValueError, tf.FFT, n)
        raises(ValueError, tf.CFFT, n)
        raises(ValueError, tf.FFTQ15, n)
    raises(TypeError, tf.FFT, "16")
    raises(TypeError, tf.FFT)


def test_bad_buffers_raise():
    f = tf.FFT(16)
    x = zeros("f", 16)
    out = zeros("f", 18)
    raises(TypeError, f.rfft, array.array("d", [0.0] * 16), out)   # wrong typecode
    raises(TypeError, f.rfft, zeros("h", 16), out)
    raises(TypeError, f.rfft, bytearray(64), out)
    raises(TypeError, f.rfft, [0.0] * 16, out)                     # not a buffer
    raises(TypeError, f.rfft, x, b"\x00" * 72)                     # read-only output
    raises(ValueError, f.rfft, zeros("f", 15), out)                # wrong lengths
    raises(ValueError, f.rfft, x, zeros("f", 17))
    raises(ValueError, f.irfft, zeros("f", 16), zeros("f", 16))
    raises(ValueError, f.power, x, zeros("f", 8))
    big = zeros("f", 40)
    mv = memoryview(big)
    raises(ValueError, f.rfft, mv[0:16], mv[10:28])                # overlap
    raises(ValueError, f.irfft, mv[0:18], mv[17:33])
    c = tf.CFFT(16)
    raises(ValueError, c.fft, mv[0:32], mv[2:34])                  # partial overlap
    q = tf.FFTQ15(16)
    raises(TypeError, q.rfft, x, zeros("h", 18))
    raises(TypeError, q.power, zeros("h", 16), zeros("f", 9))
    raises(ValueError, tf.power, zeros("f", 7), zeros("f", 3))
    raises(ValueError, tf.get_window, "kaiser", zeros("f", 8))
    raises(ValueError, tf.get_window, "hann", zeros("f", 0))


def test_no_leaks():
    def make():
        f = tf.FFT(1024)
        f.rfft(zeros("f", 1024), zeros("f", 1026))
    one = harness.no_leak(make)
    check(one >= 8 * 1024, "FFT(1024) holds its tables (%d bytes)" % one)
    harness.no_leak(lambda: tf.CFFT(512))
    harness.no_leak(lambda: tf.FFTQ15(512))


harness.main(globals())
