# tinysense_trees on MicroPython vs scikit-learn (predict, exact) and the numpy
# model of python/tinysense/convert_trees.py (probabilities and regression
# values, which the C++ computes with the same float operations; 1e-6 as
# kTreesProbaF32Abs / kTreesRegressF32Rel of tests/cpp/harness/tolerances.hpp).
import array

import harness
from harness import check, equal_seq, farr, harr, raises, zeros

import tinysense_trees as tt

D = harness.data("trees")
ABS = 1e-6


def rows(case):
    n = case["n_features"]
    x = case["x"]
    mk = farr if case["typecode"] == "f" else harr
    return [mk(x[i:i + n]) for i in range(0, len(x), n)]


def test_classifiers_match_sklearn():
    for case in D["cases"]:
        if not case["classifier"]:
            continue
        f = tt.Forest(harness.model_bytes(case["file"]))
        check(f.is_classifier and f.n_features == case["n_features"], case["name"] + " attributes")
        check(f.n_outputs == case["n_outputs"] and f.n_trees == case["n_trees"], case["name"] + " sizes")
        check(f.typecode == case["typecode"], case["name"] + " typecode")
        no = case["n_outputs"]
        out = zeros("f", no)
        for i, x in enumerate(rows(case)):
            check(f.predict(x) == case["sk_cls"][i], "%s row %d: class" % (case["name"], i))
            check(f.predict(x, voting="hard") == case["hard_cls"][i], "%s row %d: hard" % (case["name"], i))
            f.predict_proba(x, out)
            check(harness.max_abs(out, case["proba"][i * no:(i + 1) * no]) <= ABS,
                  "%s row %d: proba" % (case["name"], i))
            f.predict_proba(x, out, "hard")
            check(harness.max_abs(out, case["hard_proba"][i * no:(i + 1) * no]) <= ABS,
                  "%s row %d: hard proba" % (case["name"], i))


def test_regressor():
    for case in D["cases"]:
        if case["classifier"]:
            continue
        f = tt.Forest(bytearray(harness.model_bytes(case["file"])))  # copied into the object
        check(not f.is_classifier, "regressor")
        no = case["n_outputs"]
        out = zeros("f", no)
        for i, x in enumerate(rows(case)):
            check(f.regress(x, out) is out, "regress returns out")
            ref = case["values"][i * no:(i + 1) * no]
            top = max(abs(v) for v in ref)
            check(harness.max_abs(out, ref) <= 1e-6 * max(top, 1.0), "%s row %d" % (case["name"], i))
            check(harness.max_abs(out, case["sk_values"][i * no:(i + 1) * no]) <= 1e-5 * max(top, 1.0),
                  "%s row %d vs sklearn" % (case["name"], i))
        raises(ValueError, f.predict, rows(case)[0])


def test_model_buffer_kinds():
    case = D["cases"][0]
    data = harness.model_bytes(case["file"])
    x = rows(case)[3]
    want = case["sk_cls"][3]
    for model in (data, bytearray(data), memoryview(data), array.array("B", data)):
        check(tt.Forest(model).predict(x) == want, "model as %s" % type(model).__name__)
    # A copied model does not follow later changes of the caller's buffer.
    buf = bytearray(data)
    f = tt.Forest(buf)
    for i in range(32, len(buf)):
        buf[i] = 0xFF
    check(f.predict(x) == want, "copied model changed")


def test_corrupt_models_raise():
    data = harness.model_bytes(D["cases"][0]["file"])
    raises(ValueError, tt.Forest, b"")
    raises(ValueError, tt.Forest, data[:31])
    raises(ValueError, tt.Forest, data[:-4])                          # truncated
    bad = bytearray(data)
    bad[40] ^= 0x55                                                   # CRC mismatch
    raises(ValueError, tt.Forest, bad)
    bad = bytearray(data)
    bad[0] = ord("X")                                                 # magic
    raises(ValueError, tt.Forest, bad)
    raises(ValueError, tt.Forest, harness.model_bytes("knn_wine.tsm"))  # another kind
    raises(TypeError, tt.Forest, 123)
    # Every truncation and a byte flip anywhere: an exception, never a crash.
    for n in range(0, len(data), 37):
        try:
            tt.Forest(data[:n])
        except ValueError:
            pass
    for i in range(0, len(data), 3):
        b = bytearray(data)
        b[i] ^= 0xA5
        try:
            tt.Forest(b)
        except ValueError:
            pass


def test_bad_inputs_raise():
    cf = D["cases"][0]
    f = tt.Forest(harness.model_bytes(cf["file"]))
    x = rows(cf)[0]
    raises(TypeError, f.predict, harr([0] * cf["n_features"]))         # float model, int16 x
    raises(ValueError, f.predict, farr([0.0] * (cf["n_features"] + 1)))
    raises(ValueError, f.predict, x, voting="majority")
    raises(ValueError, f.predict_proba, x, zeros("f", cf["n_outputs"] + 1))
    raises(ValueError, f.regress, x, zeros("f", cf["n_outputs"]))      # a classifier
    ci = D["cases"][2]
    g = tt.Forest(harness.model_bytes(ci["file"]))
    raises(TypeError, g.predict, farr([0.0] * ci["n_features"]))        # int16 model, float x


def test_no_leaks_and_zero_copy():
    data = harness.model_bytes(D["cases"][0]["file"])
    in_place = harness.no_leak(lambda: tt.Forest(data))
    ba = bytearray(data)
    copied = harness.no_leak(lambda: tt.Forest(ba))
    check(copied - in_place >= len(data) - 64,
          "bytes models are used in place (%d vs %d bytes)" % (in_place, copied))


harness.main(globals())
