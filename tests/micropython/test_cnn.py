# tinysense_cnn on MicroPython: the shipped int8 digits model
# (models/digits_cnn.tsm) vs the bit-exact integer model of
# python/tinysense/convert_cnn.py (run()), on 30 sklearn digits test images;
# tinysense_img.PixelQuantizer's fixed-point input is within 1 of quantize_input
# (image.hpp: exact only when 1 / (std * scale) is a multiple of 2^-16).
import array

import harness
from harness import check, equal_seq, raises, zeros

import tinysense_cnn as tc

D = harness.data("cnn")
N_PIX = 64


def images(key, typecode):
    flat = D[key]
    return [array.array(typecode, flat[i:i + N_PIX]) for i in range(0, len(flat), N_PIX)]


def test_int8_outputs_bit_exact():
    m = tc.Cnn(harness.model_bytes("cnn_digits.tsm"))
    check(m.input_shape == (8, 8, 1), "input_shape %r" % (m.input_shape,))
    check(m.input_typecode == "b" and m.output_typecode == "b", "typecodes")
    check(m.output_size == D["out_size"] and m.arena_bytes == D["arena_bytes"], "sizes")
    check(abs(m.input_scale - D["input_scale"]) < 1e-9 and m.input_zero_point == D["input_zero_point"],
          "input quantisation")
    out = zeros("b", m.output_size)
    n = m.output_size
    correct = 0
    for i, x in enumerate(images("x", "b")):
        check(m.run(x, out) is out, "run returns out")
        equal_seq(out, D["out"][i * n:(i + 1) * n], "image %d output" % i)
        cls = m.predict(x)
        check(cls == D["cls"][i], "image %d class" % i)
        correct += cls == D["labels"][i]
    check(correct >= 27, "accuracy on 30 test digits: %d" % correct)


def test_quantizer_feeds_the_model():
    try:
        import tinysense_img as ti
    except ImportError:
        return  # tinysense_img not built: covered by test_img
    m = tc.Cnn(harness.model_bytes("cnn_digits.tsm"))
    q = ti.PixelQuantizer(0.0, 16.0, m.input_scale, m.input_zero_point)  # pixel / 16
    x = zeros("b", N_PIX)
    for i, pix in enumerate(images("pixels", "B")):
        q.process(pix, x)
        err = harness.max_abs(x, D["x"][i * N_PIX:(i + 1) * N_PIX])
        check(err <= 1, "image %d quantised: max |error| %d" % (i, err))


def test_bad_inputs_raise():
    data = harness.model_bytes("cnn_digits.tsm")
    raises(ValueError, tc.Cnn, data[:100])
    bad = bytearray(data)
    bad[200] ^= 0x10
    raises(ValueError, tc.Cnn, bad)
    raises(ValueError, tc.Cnn, harness.model_bytes("knn_wine.tsm"))
    huge = bytearray(data)
    huge[12:16] = b"\xff\xff\xff\x7f"  # arena_bytes: 2 GiB
    raises(ValueError, tc.Cnn, huge)
    m = tc.Cnn(data)
    raises(TypeError, m.run, zeros("f", N_PIX), zeros("b", 10))
    raises(ValueError, m.run, zeros("b", N_PIX - 1), zeros("b", 10))
    raises(ValueError, m.run, zeros("b", N_PIX), zeros("b", 9))
    raises(TypeError, m.run, zeros("b", N_PIX), zeros("f", 10))
    raises(TypeError, m.predict, bytearray(N_PIX))
    for i in range(0, len(data), 11):
        b = bytearray(data)
        b[i] ^= 0x33
        try:
            tc.Cnn(b)
        except ValueError:
            pass


def test_no_leaks():
    data = harness.model_bytes("cnn_digits.tsm")
    one = harness.no_leak(lambda: tc.Cnn(data))
    check(one >= D["arena_bytes"], "Cnn holds its arena (%d bytes)" % one)


harness.main(globals())
