# Thin layer between bench_unix.py and the Python API of the tinysense
# MicroPython modules (documented at the top of each
# bindings/micropython/<module>/<module>.c). Each builder returns (f, args,
# reset): f(*args) runs the kernel once the way a user would call it, into
# caller-owned buffers (args[1] / args[-1] is the output, as for the pure
# kernels), and reset() rewinds filter state (or is None).
import array


def rfft_f32(m, n, x):
    fft = m.FFT(n)
    return fft.rfft, (x, array.array('f', [0.0] * (n + 2))), None


def rfft_q15(m, n, x):
    fft = m.FFTQ15(n)
    return fft.rfft, (x, array.array('h', [0] * (n + 2))), None


def rms_f32(m, x):
    return m.rms, (x,), None


def rms_i16(m, x):
    return m.rms, (x,), None


def iir_f32(m, sos, x):
    filt = m.IIR(sos)
    return filt.process, (x, array.array('f', [0.0] * len(x))), filt.reset


def iir_q15(m, sos, shift, x):
    # The Q15 coefficients and post_shift of make_data.py (tinysense's
    # sos_to_q15 rule), so the result is comparable bit for bit.
    filt = m.IIRQ15(sos, shift)
    return filt.process, (x, array.array('h', [0] * len(x))), filt.reset


def forest(m, model, x):
    # f(x) -> class index (sklearn predict) for one feature vector.
    forest_obj = m.Forest(model)
    return forest_obj.predict, (x,), None


def cnn(m, model, x):
    # f(x) -> class index for one int8 image.
    net = m.Cnn(model)
    return net.predict, (x,), None


def cnn_output(m, model):
    # g(x) -> the int8 output tensor as a list (Cnn.run into an array('b')).
    net = m.Cnn(model)
    out = array.array('b', bytes(net.output_size))

    def g(x):
        net.run(x, out)
        return list(out)
    return g
