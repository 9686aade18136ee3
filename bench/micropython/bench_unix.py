# MicroPython side of scripts/bench-mpy (unix port): pure MicroPython kernels
# (bytecode, @micropython.native, @micropython.viper) against the tinysense
# native modules. Every variant is checked against numpy/scipy/sklearn
# references from make_data.py before it is timed; a variant that disagrees is
# reported as failed, never timed. Method and caveats: README.md here.
#
# Usage: micropython bench_unix.py DATA_DIR OUT_JSON [--quick] [--mpy-dir DIR]
#   DATA_DIR  output of make_data.py (data.json, forest_*.tsm)
#   --mpy-dir directory holding the tinysense_*.mpy modules (build/mpy/x64);
#             modules that are missing there are reported as "pending"
import array
import gc
import json
import sys
import time


HERE = __file__.rsplit('/', 1)[0] if '/' in __file__ else '.'
ROOT = HERE + '/../..'
sys.path.insert(0, HERE)
import kernels  # noqa: E402
import kernels_viper  # noqa: E402

QUICK = '--quick' in sys.argv
BUDGET_US = 150000 if QUICK else 600000   # timing budget per variant
MIN_SAMPLE_US = 5000                      # one timing sample lasts at least this
MIN_SAMPLES, MAX_SAMPLES = (3, 15) if QUICK else (7, 101)


# ---- Compiling kernels.py with other emitters ------------------------------------

def _emit_module(emitter):
    # kernels.py once more, with the marker line before each kernel replaced by
    # the decorator. Kernels the emitter rejects are left out (viper accepts
    # only the float ones; the integer ones have hand-written viper versions).
    src = open(HERE + '/kernels.py').read()
    parts = src.split('\n#@emit\n')
    mod = {}
    exec(parts[0], mod)
    rejected = []
    for part in parts[1:]:
        name = part[part.find('def ') + 4:part.find('(')]
        try:
            exec(parts[0] + '\n@micropython.' + emitter + '\n' + part, mod)
        except Exception as e:  # ViperTypeError etc.: the emitter needs other code
            rejected.append((name, repr(e)))
    return mod, rejected


NATIVE, _ = _emit_module('native')
VIPER, VIPER_REJECTED = _emit_module('viper')


# ---- Timing and memory ---------------------------------------------------------------

_LOOPS = {}


def _loop(nargs):
    # A timing loop that calls f with nargs positional arguments directly (a
    # star-call would add ~0.5 us per call, as much as a small native kernel).
    if nargs not in _LOOPS:
        names = ', '.join('a%d' % i for i in range(nargs))
        g = {}
        exec('def loop(f, k%s):\n    for _ in range(k):\n        f(%s)\n' % (', ' + names if names else '', names), g)
        _LOOPS[nargs] = g['loop']
    return _LOOPS[nargs]


def _median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else 0.5 * (v[n // 2 - 1] + v[n // 2])


def _cpu_ns():
    # CPU time of this process (Linux /proc/self/schedstat, ns). The kernel
    # updates it at scheduler ticks (~4 ms), so it is only used summed over a
    # whole measurement (>= ~0.3 s of CPU: error ~2 ticks, < 3%).
    try:
        with open('/proc/self/schedstat') as f:
            return int(f.read().split()[0])
    except (OSError, ValueError):
        return None


def time_call(f, args):
    # Median wall time per call in us (time.ticks_us): k calls per sample so
    # that each sample lasts >= 2 ms, as many samples as fit in the budget.
    # Also the CPU time per call over all samples (cpu_us): on a loaded shared
    # machine the wall median includes time the process was not running.
    # One gc.collect() before, GC enabled throughout: a kernel that allocates
    # pays for its collections.
    loop = _loop(len(args))
    k = 1
    while True:
        gc.collect()
        t0 = time.ticks_us()
        loop(f, k, *args)
        dt = time.ticks_diff(time.ticks_us(), t0)
        if dt >= MIN_SAMPLE_US or k >= 1 << 20:
            break
        k = k * 2 if dt < MIN_SAMPLE_US // 8 else max(k + 1, int(k * MIN_SAMPLE_US * 1.2 / max(dt, 1)))
    n = max(MIN_SAMPLES, min(MAX_SAMPLES, BUDGET_US // max(dt, 1)))
    samples = []
    gc.collect()
    c0 = _cpu_ns()
    for _ in range(n):
        t0 = time.ticks_us()
        loop(f, k, *args)
        samples.append(time.ticks_diff(time.ticks_us(), t0) / k)
    c1 = _cpu_ns()
    samples.sort()
    return {'time_us': _median(samples), 'time_us_min': samples[0], 'time_us_max': samples[-1],
            'cpu_us': (c1 - c0) / 1000.0 / (n * k) if c0 is not None and c1 is not None else None,
            'cpu_total_ms': (c1 - c0) / 1e6 if c0 is not None and c1 is not None else None,
            'samples': n, 'calls_per_sample': k}


def alloc_call(f, args):
    # Heap bytes allocated by one call (gc.mem_alloc delta, GC disabled).
    loop = _loop(len(args))
    gc.collect()
    gc.disable()
    try:
        a0 = gc.mem_alloc()
        loop(f, 1, *args)
        return gc.mem_alloc() - a0
    except MemoryError:
        return None
    finally:
        gc.enable()


# ---- Checks ------------------------------------------------------------------------------

def max_abs_diff(a, b):
    m = 0.0
    for i in range(len(b)):
        d = abs(a[i] - b[i])
        if d > m:
            m = d
    return m


def max_abs(b):
    m = 0.0
    for v in b:
        if abs(v) > m:
            m = abs(v)
    return m


def check_close(got, ref, rel, what):
    err = max_abs_diff(got, ref) / max_abs(ref)
    return err <= rel, '%s max |err| / max |ref| = %.2e (limit %.0e)' % (what, err, rel)


def check_exact(got, ref, what):
    bad = 0
    for i in range(len(ref)):
        if got[i] != ref[i]:
            bad += 1
    return bad == 0, '%s bit-exact: %d of %d values differ' % (what, bad, len(ref))


# ---- Cases ------------------------------------------------------------------------------

RESULTS = []
D = json.load(open(sys.argv[1] + '/data.json'))


def run_case(kernel, param, dtype, variant, f, args, check, note=''):
    # check(): runs the kernel once on fresh state, returns (ok, detail).
    rec = {'kernel': kernel, 'param': param, 'dtype': dtype, 'variant': variant, 'note': note}
    try:
        ok, detail = check()
    except Exception as e:
        ok, detail = False, 'check raised ' + repr(e)
    rec['check'] = detail
    rec['ok'] = ok
    if ok:
        rec.update(time_call(f, args))
        rec['alloc_bytes'] = alloc_call(f, args)
        print('  %-7s %-10s %-4s %-22s %11.2f us (cpu %11.2f us)  alloc %8s B  %s' % (
            kernel, param, dtype, variant, rec['time_us'], rec['cpu_us'] or -1, rec['alloc_bytes'], detail))
    else:
        print('  %-7s %-10s %-4s %-22s CHECK FAILED: %s' % (kernel, param, dtype, variant, detail))
    RESULTS.append(rec)


def pending(kernel, param, dtype, variant, why):
    RESULTS.append({'kernel': kernel, 'param': param, 'dtype': dtype, 'variant': variant,
                    'pending': why, 'ok': None})
    print('  %-7s %-10s %-4s %-22s pending: %s' % (kernel, param, dtype, variant, why))


X16 = D['x16']
XF = [v / 32768.0 for v in X16]


# tinysense modules: imported from --mpy-dir when present there.
TS = {}
if '--mpy-dir' in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index('--mpy-dir') + 1])
for _m in ('tinysense_fft', 'tinysense_iir', 'tinysense_stats', 'tinysense_trees', 'tinysense_cnn'):
    try:
        TS[_m] = __import__(_m)
    except Exception as e:  # ImportError, or ValueError for an .mpy of another version/arch
        TS[_m] = None
        print('bench_unix: %s not available (%r)' % (_m, e))

import ts_adapters  # noqa: E402  (the thin layer that knows the modules' Python API)


def ts_variant(kernel, param, dtype, name, build, make_check):
    # build(module) -> (f, args) or raises; make_check(f, args) -> check().
    mod = TS.get(name)
    if mod is None:
        pending(kernel, param, dtype, 'tinysense', name + '.mpy not built yet')
        return
    try:
        f, args, reset = build(mod)
    except Exception as e:
        pending(kernel, param, dtype, 'tinysense', '%s API not usable here: %r' % (name, e))
        return
    run_case(kernel, param, dtype, 'tinysense', f, args, make_check(f, args, reset))


def fft_cases():
    for n in D['fft_sizes']:
        p = 'n=%d' % n
        ref = D['rfft_%d' % n]
        x = array.array('f', XF[:n])

        def mk_check_f(f, args, reset=None, ref=ref):
            def check():
                f(*args)
                return check_close(args[1], ref, 1e-5, 'vs numpy.fft.rfft')
            return check
        for variant, mod, lists in (('plain', kernels.__dict__, True), ('plain, array scratch', kernels.__dict__, False),
                                    ('native', NATIVE, True), ('viper', VIPER, True)):
            if 'rfft_f32' not in mod:
                continue
            plan = kernels.rfft_plan(n, lists)
            out = [0.0] * (n + 2) if lists else array.array('f', [0.0] * (n + 2))
            args = (x, out) + plan
            run_case('rfft', p, 'f32', variant, mod['rfft_f32'], args, mk_check_f(mod['rfft_f32'], args))
        ts_variant('rfft', p, 'f32', 'tinysense_fft', lambda m: ts_adapters.rfft_f32(m, n, x),
                   mk_check_f)

        refq = D['rfft_q15_%d' % n]
        xq = array.array('h', X16[:n])
        refq_np = [v / n * 32768.0 for v in ref]

        def mk_check_q(f, args, reset=None, refq=refq):
            def check():
                f(*args)
                return check_exact(args[1], refq, 'vs kernels.rfft_q15 integer model')
            return check

        def mk_check_q_np(f, args, reset=None, refq_np=refq_np):
            def check():
                f(*args)
                err = max_abs_diff(args[1], refq_np)
                return err <= 8.0, 'vs numpy rfft/n: max |err| = %.1f LSB (limit 8)' % err
            return check
        planq = kernels.rfft_q15_plan(n)
        for variant, f in (('plain', kernels.rfft_q15), ('native', NATIVE['rfft_q15']),
                           ('viper (ptr16)', kernels_viper.rfft_q15)):
            out = array.array('h', [0] * (n + 2))
            args = (xq, out) + planq
            run_case('rfft', p, 'q15', variant, f, args, mk_check_q(f, args),
                     'same integer algorithm, checked bit for bit; %.1f LSB from numpy' % D['rfft_q15_%d_vs_numpy_lsb' % n])
        ts_variant('rfft', p, 'q15', 'tinysense_fft', lambda m: ts_adapters.rfft_q15(m, n, xq), mk_check_q_np)


def rms_cases():
    n = D['iir_len']
    p = 'n=%d' % n
    xf = array.array('f', XF[:n])
    xq = array.array('h', X16[:n])
    for dtype, x, ref, variants, tsb in (
            ('f32', xf, D['rms_f32'], (('plain', kernels.rms_f32), ('native', NATIVE['rms_f32']),
                                       ('viper', VIPER.get('rms_f32'))), ts_adapters.rms_f32),
            ('i16', xq, D['rms_i16'], (('plain', kernels.rms_i16), ('native', NATIVE['rms_i16']),
                                       ('viper (ptr16)', kernels_viper.rms_i16)), ts_adapters.rms_i16)):
        def mk_check(f, args, reset=None, ref=ref):
            def check():
                got = f(*args)
                err = abs(got - ref) / ref
                return err <= 1e-6, 'vs numpy: rel err %.1e (limit 1e-6)' % err
            return check
        for variant, f in variants:
            if f is not None:
                run_case('rms', p, dtype, variant, f, (x,), mk_check(f, (x,)))
        ts_variant('rms', p, dtype, 'tinysense_stats', lambda m: tsb(m, x), mk_check)


def iir_cases():
    n = D['iir_len']
    sos = D['sos']
    nsec = len(sos) // 6
    p = '%dx%d' % (nsec, n)
    xf = array.array('f', XF[:n])
    xq = array.array('h', X16[:n])
    ref = D['biquad_f32']
    refq = D['biquad_q15']

    def mk_check_f(f, args, reset):
        def check():
            reset()
            f(*args)
            return check_close(args[-1], ref, 1e-4, 'vs scipy.signal.sosfilt')
        return check

    def mk_check_q(f, args, reset):
        def check():
            reset()
            f(*args)
            return check_exact(args[-1], refq, 'vs BiquadQ15 integer model')
        return check
    sos_f = array.array('f', sos)
    for variant, mod in (('plain', kernels.__dict__), ('native', NATIVE), ('viper', VIPER)):
        if 'biquad_f32' not in mod:
            continue
        state = array.array('f', [0.0] * (2 * nsec))
        y = array.array('f', [0.0] * n)
        args = (sos_f, state, xf, y)

        def reset(state=state):
            for i in range(len(state)):
                state[i] = 0.0
        run_case('iir', p, 'f32', variant, mod['biquad_f32'], args, mk_check_f(mod['biquad_f32'], args, reset))
    ts_variant('iir', p, 'f32', 'tinysense_iir', lambda m: ts_adapters.iir_f32(m, sos_f, xf), mk_check_f)

    sos_q = array.array('h', D['sos_q15'])
    shift = D['sos_q15_shift']
    for variant, f in (('plain', kernels.biquad_q15), ('native', NATIVE['biquad_q15']),
                       ('viper (ptr16)', kernels_viper.biquad_q15)):
        state = array.array('h', [0] * (4 * nsec))
        y = array.array('h', [0] * n)
        args = (sos_q, shift, state, xq, y)

        def reset(state=state):
            for i in range(len(state)):
                state[i] = 0
        run_case('iir', p, 'q15', variant, f, args, mk_check_q(f, args, reset))
    ts_variant('iir', p, 'q15', 'tinysense_iir', lambda m: ts_adapters.iir_q15(m, sos_q, shift, xq), mk_check_q)


def forest_cases():
    T = D['forest']
    p = '%dtrees,d%d' % (T['n_trees'], T['max_depth'])
    ncls = T['ncls']
    Xte = T['X_test']
    yref = T['y_sklearn']
    feat = array.array('h', T['feat'])
    child = array.array('H', T['child'])
    roots = array.array('H', T['roots'])
    xs_f = [array.array('f', r) for r in Xte]
    xs_i = [array.array('h', r) for r in Xte]

    def mk_check(f, args, reset=None, xs=None):
        def check():
            bad = 0
            for i in range(len(xs)):
                if f(*((xs[i],) + args[1:])) != yref[i]:
                    bad += 1
            return bad == 0, 'vs sklearn predict on %d vectors: %d differ' % (len(xs), bad)
        return check
    thr_f = array.array('f', T['thr_f32'])
    leaf_f = array.array('f', T['leafval_f32'])
    acc_f = array.array('f', [0.0] * ncls)
    for variant, mod in (('plain', kernels.__dict__), ('native', NATIVE)):
        f = mod['forest_predict']
        args = (xs_f[0], feat, thr_f, child, roots, leaf_f, ncls, acc_f)
        run_case('forest', p, 'f32', variant, f, args, mk_check(f, args, xs=xs_f))
    f = kernels_viper.forest_predict_i16
    args = (xs_i[0], feat, array.array('h', T['thr_i16']), child, roots,
            array.array('H', T['leafval_u16']), ncls, array.array('I', [0] * ncls))
    run_case('forest', p, 'i16', 'viper (ptr16)', f, args, mk_check(f, args, xs=xs_i),
             'int16 features, floor(threshold), uint16 leaf probabilities')
    for dtype, xs, tsm in (('f32', xs_f, 'forest_f32.tsm'), ('i16', xs_i, 'forest_i16.tsm')):
        if tsm not in D['forest_tsm']:
            pending('forest', p, dtype, 'tinysense', 'no .tsm model (python/tinysense/convert_trees.py failed)')
            continue
        model = open(sys.argv[1] + '/' + tsm, 'rb').read()
        ts_variant('forest', p, dtype, 'tinysense_trees', lambda m: ts_adapters.forest(m, model, xs[0]),
                   lambda f, args, reset, xs=xs: mk_check(f, args, xs=xs))


def cnn_cases():
    C = D['cnn']
    p = 'digits'
    xs = [array.array('b', r) for r in C['x']]

    model = open(ROOT + '/' + C['model'], 'rb').read()

    def mk_check(f, args, reset=None):
        # The class and the whole int8 output, bit for bit, against the numpy
        # model of the C++ runner (tinysense: predict(x) and run(x, out)).
        def check():
            bad = 0
            full = None if len(args) == 2 else ts_adapters.cnn_output(TS['tinysense_cnn'], model)
            for i in range(len(xs)):
                if full is None:
                    cls = f(args[0], xs[i])
                    out = list(args[0][-1][3])
                else:
                    cls = f(xs[i])
                    out = full(xs[i])
                if cls != C['cls'][i] or out != C['out'][i]:
                    bad += 1
            return bad == 0, 'class and int8 output vs convert_cnn.run (numpy model of the C++ runner), ' \
                '%d images: %d differ' % (len(xs), bad)
        return check
    note = '%s, %d MACs, int8' % (C['model'], C['macs'])
    for variant, f in (('plain', kernels.cnn_run), ('native', NATIVE['cnn_run']),
                       ('viper (ptr8)', kernels_viper.cnn_run)):
        args = (kernels.cnn_plan(C['layers']), xs[0])
        run_case('cnn', p, 'i8', variant, f, args, mk_check(f, args), note)
    ts_variant('cnn', p, 'i8', 'tinysense_cnn', lambda m: ts_adapters.cnn(m, model, xs[0]), mk_check)


print('bench_unix: MicroPython %s, %s' % (sys.version, sys.implementation))
if VIPER_REJECTED:
    print('bench_unix: viper rejects (hand-written viper versions used instead): ' +
          ', '.join(n for n, _ in VIPER_REJECTED))
fft_cases()
rms_cases()
iir_cases()
forest_cases()
cnn_cases()

with open(sys.argv[2], 'w') as f:
    json.dump({'schema': 'tinysense-bench-mpy-unix/1', 'micropython': sys.version,
               'implementation': str(sys.implementation), 'quick': QUICK,
               'budget_us': BUDGET_US, 'min_sample_us': MIN_SAMPLE_US, 'min_samples': MIN_SAMPLES,
               'viper_rejected': [n for n, _ in VIPER_REJECTED],
               'results': RESULTS}, f)
print('bench_unix: wrote %s (%d records)' % (sys.argv[2], len(RESULTS)))
