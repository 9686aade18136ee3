# Minimal test harness for the MicroPython tests (runs under MicroPython).
#
# A test file defines test_* functions and ends with harness.main(globals()).
# Each test runs in name order; a failed check or an unexpected exception
# fails that test. Prints one line per test and a summary, and exits with
# status 1 if anything failed. Reference data: harness.data(stem) reads
# $TS_MPY_DATA/<stem>.json (written by gen_expected.py).
import array
import gc
import json
import math
import os
import sys

_failures = []


class CheckError(Exception):
    pass


def check(cond, what):
    if not cond:
        raise CheckError(what)


def data(stem):
    d = os.getenv("TS_MPY_DATA")
    check(d is not None, "TS_MPY_DATA is not set (run tests/micropython/run)")
    with open(d + "/" + stem + ".json") as f:
        return json.load(f)


def model_bytes(name):
    """A model file of the test data directory as bytes."""
    with open(os.getenv("TS_MPY_DATA") + "/" + name, "rb") as f:
        return f.read()


def farr(values):
    return array.array("f", values)


def harr(values):
    return array.array("h", values)


def zeros(typecode, n):
    return array.array(typecode, bytes(n * {"f": 4, "h": 2, "i": 4, "I": 4, "b": 1, "B": 1}[typecode]))


def rel_rms(got, ref):
    """sqrt(sum((got - ref)^2) / sum(ref^2)); got and ref are sequences of numbers."""
    num = 0.0
    den = 0.0
    for g, r in zip(got, ref):
        num += (g - r) * (g - r)
        den += r * r
    check(len(got) == len(ref), "length %d != %d" % (len(got), len(ref)))
    return math.sqrt(num / den) if den > 0 else math.sqrt(num)


def max_abs(got, ref):
    check(len(got) == len(ref), "length %d != %d" % (len(got), len(ref)))
    m = 0.0
    for g, r in zip(got, ref):
        e = abs(g - r)
        if e != e or e > m:
            m = e if e == e else float("inf")
    return m


def near(got, ref, tol, what):
    check(abs(got - ref) <= tol, "%s: %r vs %r (tolerance %g)" % (what, got, ref, tol))


def rel_near(got, ref, rel, what):
    check(abs(got - ref) <= rel * max(abs(ref), 1e-30),
          "%s: %r vs %r (relative tolerance %g)" % (what, got, ref, rel))


def equal_seq(got, ref, what):
    check(len(got) == len(ref), "%s: length %d != %d" % (what, len(got), len(ref)))
    for i in range(len(ref)):
        if got[i] != ref[i]:
            raise CheckError("%s: first difference at %d: %r != %r" % (what, i, got[i], ref[i]))


def raises(exc, fn, *args, **kw):
    """fn(*args, **kw) must raise exc (a subclass counts); returns the message."""
    try:
        fn(*args, **kw)
    except exc as e:
        return str(e)
    except Exception as e:
        raise CheckError("%s raised %s(%s), expected %s" % (
            getattr(fn, "__name__", "call"), type(e).__name__, e, exc.__name__))
    raise CheckError("%s did not raise %s" % (getattr(fn, "__name__", "call"), exc.__name__))


def no_leak(make, rounds=30):
    """make() builds (and drops) one object; after `rounds` of them the heap
    must not hold more than ~2 of their size (the conservative GC may keep
    the last one alive through a stale stack slot)."""
    gc.collect()
    base = gc.mem_alloc()
    make()
    one = gc.mem_alloc() - base
    for _ in range(rounds):
        make()
    gc.collect()
    grown = gc.mem_alloc() - base
    check(grown <= 2 * max(one, 64) + 256,
          "heap grew by %d bytes after %d objects of ~%d bytes" % (grown, rounds + 1, one))
    return one


def main(ns):
    names = sorted(k for k in ns if k.startswith("test_"))
    for name in names:
        try:
            ns[name]()
            print("PASS", name)
        except Exception as e:
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
            if not isinstance(e, CheckError):
                sys.print_exception(e)
            _failures.append(name)
        gc.collect()
    print("%d passed, %d failed" % (len(names) - len(_failures), len(_failures)))
    if _failures:
        sys.exit(1)
