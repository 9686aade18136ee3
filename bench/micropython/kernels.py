# Pure-MicroPython reference kernels for the tinysense comparison (bench/micropython/README.md).
#
# One source, several emitters: the marker line before each kernel is a comment
# here, so importing this file gives plain bytecode; bench_unix.py compiles the
# same text once more with the markers replaced by "@micropython.native" and,
# for the float kernels that viper accepts unchanged (rfft_f32, rms_f32,
# biquad_f32), by "@micropython.viper". The int(...) around sizes is for viper
# (it makes them machine ints there) and costs one call per kernel call in
# plain bytecode. The code is also valid CPython and MicroPython 1.9
# (micro:bit): no f-strings, no keyword-only arguments, only the array and math
# modules. Written to be fast in MicroPython: caller-owned preallocated arrays,
# precomputed twiddles and bit-reversal tables, iterative radix-2 FFT, locals
# only in the loops, no allocation per sample (except the boxed floats the VM
# itself creates for float arithmetic on ports with boxed floats).
#
# Conventions are tinysense's (and numpy/scipy's): rfft output is numpy.fft.rfft
# interleaved as (re, im) pairs; the Q15 rfft returns rfft(x) / n like
# tinysense RfftQ15; the biquads follow scipy's sos layout; the Q15 biquad is
# tinysense BiquadQ15 bit for bit.
import array
import math

# ---- Real FFT, float -----------------------------------------------------------


def bitrev(m):
    # array('H') of the bit-reversed indices of 0..m-1 (m a power of two).
    bits = 0
    while (1 << bits) < m:
        bits += 1
    rev = array.array('H', range(m))
    for k in range(m):
        r = 0
        v = k
        for _ in range(bits):
            r = (r << 1) | (v & 1)
            v >>= 1
        rev[k] = r
    return rev


def rfft_plan(n, lists=False):
    # Tables and scratch for a real FFT of n points (power of two >= 8), done
    # as an n/2-point complex FFT of z[j] = x[2j] + i x[2j+1] plus a split step.
    # Returns (n, cos_t, sin_t, rev, re, im) with cos_t[k] + i sin_t[k] = exp(2 pi i k / n), k < n/2.
    # lists=True keeps the float tables and scratch in lists instead of
    # array('f'): faster where floats are boxed (unix port: reading an
    # array('f') element allocates a new float object, a list element is one).
    m = n // 2
    if lists:
        cos_t = [0.0] * m
        sin_t = [0.0] * m
    else:  # arrays made from range(): no temporary list (the micro:bit heap is ~10 KB)
        cos_t = array.array('f', range(m))
        sin_t = array.array('f', range(m))
    for k in range(m):
        cos_t[k] = math.cos(2.0 * math.pi * k / n)
        sin_t[k] = math.sin(2.0 * math.pi * k / n)
    if lists:
        return (n, cos_t, sin_t, bitrev(m), [0.0] * m, [0.0] * m)
    return (n, cos_t, sin_t, bitrev(m), array.array('f', range(m)), array.array('f', range(m)))


#@emit
def rfft_f32(x, out, n, cos_t, sin_t, rev, re, im):
    # out[0:n+2] = numpy.fft.rfft(x) as (re, im) pairs; x has n floats (not modified).
    m = int(n) >> 1
    # Pack z[j] = x[2j] + i x[2j+1] straight into bit-reversed order.
    j = 0
    for i in range(m):
        r = rev[i]
        re[r] = x[j]
        im[r] = x[j + 1]
        j += 2
    # Stage 1 (span 2): twiddle 1, no multiplications.
    for i in range(0, m, 2):
        ar = re[i]
        ai = im[i]
        br = re[i + 1]
        bi = im[i + 1]
        re[i] = ar + br
        im[i] = ai + bi
        re[i + 1] = ar - br
        im[i + 1] = ai - bi
    # Remaining stages: twiddle outside, butterflies inside.
    half = 2
    step = m >> 1  # twiddle stride in the n-point table: n / (2 * half)
    while half < m:
        span = half << 1
        t = 0
        for k in range(half):
            wr = cos_t[t]
            wi = sin_t[t]  # w = wr - i wi
            t += step
            i = k
            while i < m:
                j = i + half
                br = re[j]
                bi = im[j]
                tr = wr * br + wi * bi
                ti = wr * bi - wi * br
                ar = re[i]
                ai = im[i]
                re[j] = ar - tr
                im[j] = ai - ti
                re[i] = ar + tr
                im[i] = ai + ti
                i += span
        half = span
        step >>= 1
    # Split step: X[k] = E[k] + W^k O[k], X[m-k] = conj(E[k] - W^k O[k]).
    zr = re[0]
    zi = im[0]
    out[0] = zr + zi
    out[1] = 0.0
    out[2 * m] = zr - zi
    out[2 * m + 1] = 0.0
    for k in range(1, (m >> 1) + 1):
        q = m - k
        ar = re[k]
        ai = im[k]
        br = re[q]
        bi = im[q]
        er = 0.5 * (ar + br)
        ei = 0.5 * (ai - bi)
        orr = 0.5 * (ai + bi)
        oi = 0.5 * (br - ar)
        c = cos_t[k]
        s = sin_t[k]
        tr = c * orr + s * oi
        ti = c * oi - s * orr
        out[2 * q] = er - tr
        out[2 * q + 1] = ti - ei
        out[2 * k] = er + tr
        out[2 * k + 1] = ei + ti


# ---- Real FFT, Q15 (integer arithmetic) ------------------------------------------


def rfft_q15_plan(n):
    # Like rfft_plan with Q15 twiddles (round(32768 * cos), 1.0 saturated to 32767)
    # and int16 scratch. Returns (n, cos_t, sin_t, rev, re, im).
    m = n // 2
    cos_t = array.array('h', range(m))
    sin_t = array.array('h', range(m))
    for k in range(m):
        c = int(math.floor(32768.0 * math.cos(2.0 * math.pi * k / n) + 0.5))
        s = int(math.floor(32768.0 * math.sin(2.0 * math.pi * k / n) + 0.5))
        cos_t[k] = min(c, 32767)
        sin_t[k] = min(s, 32767)
    return (n, cos_t, sin_t, bitrev(m), array.array('h', range(m)), array.array('h', range(m)))


#@emit
def rfft_q15(x, out, n, cos_t, sin_t, rev, re, im):
    # out[0:n+2] = rfft(x) / n in Q15 as (re, im) pairs; x: n int16 (Q15).
    # The input is halved when packed and every butterfly stage halves again
    # (rounding half up), so the complex FFT returns Z / n with every |z| <=
    # 23170 throughout: no value leaves int16, even for full-scale input. The
    # split step then halves once more. Every sum of products is below 2^31,
    # so the same code is safe with 32-bit integers (viper on a 32-bit MCU).
    m = n >> 1
    j = 0
    for i in range(m):
        r = rev[i]
        re[r] = x[j] >> 1
        im[r] = x[j + 1] >> 1
        j += 2
    for i in range(0, m, 2):
        ar = re[i]
        ai = im[i]
        br = re[i + 1]
        bi = im[i + 1]
        re[i] = (ar + br + 1) >> 1
        im[i] = (ai + bi + 1) >> 1
        re[i + 1] = (ar - br + 1) >> 1
        im[i + 1] = (ai - bi + 1) >> 1
    half = 2
    step = n >> 2
    while half < m:
        span = half << 1
        t = 0
        for k in range(half):
            wr = cos_t[t]
            wi = sin_t[t]
            t += step
            i = k
            while i < m:
                j = i + half
                br = re[j]
                bi = im[j]
                tr = (wr * br + wi * bi + 0x4000) >> 15
                ti = (wr * bi - wi * br + 0x4000) >> 15
                ar = re[i]
                ai = im[i]
                re[j] = (ar - tr + 1) >> 1
                im[j] = (ai - ti + 1) >> 1
                re[i] = (ar + tr + 1) >> 1
                im[i] = (ai + ti + 1) >> 1
                i += span
        half = span
        step >>= 1
    zr = re[0]
    zi = im[0]
    out[0] = zr + zi
    out[1] = 0
    out[2 * m] = zr - zi
    out[2 * m + 1] = 0
    for k in range(1, (m >> 1) + 1):
        q = m - k
        ar = re[k]
        ai = im[k]
        br = re[q]
        bi = im[q]
        er = ar + br        # 2 E (re)
        ei = ai - bi        # 2 E (im)
        orr = ai + bi       # 2 O (re)
        oi = br - ar        # 2 O (im)
        c = cos_t[k]
        s = sin_t[k]
        tr = (c * orr + s * oi + 0x4000) >> 15
        ti = (c * oi - s * orr + 0x4000) >> 15
        out[2 * q] = (er - tr + 1) >> 1
        out[2 * q + 1] = (ti - ei + 1) >> 1
        out[2 * k] = (er + tr + 1) >> 1
        out[2 * k + 1] = (ei + ti + 1) >> 1


# ---- RMS -------------------------------------------------------------------------


#@emit
def rms_f32(x):
    # sqrt(mean(x**2)) of an array('f') (float64 arithmetic where the port has it).
    s = 0.0
    for v in x:
        s += v * v
    return math.sqrt(s / len(x))


#@emit
def rms_i16(x):
    # sqrt(mean(x**2)) of an array('h'): exact integer sum of squares, one division.
    s = 0
    for v in x:
        s += v * v
    return math.sqrt(s / len(x))


#@emit
def rms_i16f(x):
    # rms_i16 with a float accumulator: on 32-bit ports the exact integer sum
    # leaves the small-int range (2^30) after a few samples and every further
    # addition allocates a long int, while floats there are unboxed.
    s = 0.0
    for v in x:
        s += v * v
    return math.sqrt(s / len(x))


# ---- IIR: cascade of biquads -------------------------------------------------------


#@emit
def biquad_f32(sos, state, x, y):
    # scipy.signal.sosfilt, transposed direct form II, one section at a time over
    # the whole block. sos: 6 floats per section [b0 b1 b2 a0 a1 a2] (a0 == 1);
    # state: 2 per section (scipy zi flattened, carried over calls). y may be x.
    n = int(len(x))
    src = x
    for s in range(int(len(sos)) // 6):
        b0 = sos[6 * s]
        b1 = sos[6 * s + 1]
        b2 = sos[6 * s + 2]
        a1 = sos[6 * s + 4]
        a2 = sos[6 * s + 5]
        z1 = state[2 * s]
        z2 = state[2 * s + 1]
        for i in range(n):
            v = src[i]
            w = b0 * v + z1
            z1 = b1 * v - a1 * w + z2
            z2 = b2 * v - a2 * w
            y[i] = w
        state[2 * s] = z1
        state[2 * s + 1] = z2
        src = y


#@emit
def biquad_q15(sos, shift, state, x, y):
    # tinysense BiquadQ15, bit for bit: direct form I, per sample and section
    # acc = b0 x0 + b1 x1 + b2 x2 - a1 y1 - a2 y2, y0 = sat16((acc + 2^(14-shift)) >> (15-shift)).
    # sos: 6 int16 per section in Q(15 - shift); state: 4 int16 per section
    # (x1, x2, y1, y2). The sum needs up to 33 bits: Python ints here.
    n = len(x)
    rnd = 1 << (14 - shift)
    sh = 15 - shift
    src = x
    for s in range(len(sos) // 6):
        b0 = sos[6 * s]
        b1 = sos[6 * s + 1]
        b2 = sos[6 * s + 2]
        a1 = sos[6 * s + 4]
        a2 = sos[6 * s + 5]
        x1 = state[4 * s]
        x2 = state[4 * s + 1]
        y1 = state[4 * s + 2]
        y2 = state[4 * s + 3]
        for i in range(n):
            x0 = src[i]
            v = (b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2 + rnd) >> sh
            if v > 32767:
                v = 32767
            elif v < -32768:
                v = -32768
            y[i] = v
            x2 = x1
            x1 = x0
            y2 = y1
            y1 = v
        state[4 * s] = x1
        state[4 * s + 1] = x2
        state[4 * s + 2] = y1
        state[4 * s + 3] = y2
        src = y


# ---- Random forest (soft voting, as sklearn's predict) --------------------------------


#@emit
def forest_predict(x, feat, thr, child, roots, leafval, ncls, acc):
    # Class index of sklearn's RandomForestClassifier.predict for one vector x.
    # Nodes of all trees in flat arrays: split node i sends x left (child[2i])
    # when x[feat[i]] <= thr[i], else right (child[2i+1]); feat[i] < 0 marks a
    # leaf whose probabilities are leafval[(-feat[i]-1)*ncls : ... + ncls].
    for c in range(ncls):
        acc[c] = 0.0
    for r in roots:
        i = r
        f = feat[i]
        while f >= 0:
            if x[f] <= thr[i]:
                i = child[2 * i]
            else:
                i = child[2 * i + 1]
            f = feat[i]
        b = (-f - 1) * ncls
        for c in range(ncls):
            acc[c] += leafval[b + c]
    best = 0
    for c in range(1, ncls):
        if acc[c] > acc[best]:
            best = c
    return best


# ---- int8 CNN (tinysense / TFLite int8 arithmetic) -------------------------------------
# A chain of layers on int8 NHWC tensors, exactly as tinysense's Cnn runner and
# python/tinysense/convert_cnn.py compute it: zero-point-corrected int32
# accumulation, per-channel requantisation with TFLite's
# MultiplyByQuantizedMultiplier, rounding average pooling, table softmax.


#@emit
def mbqm(x, m, s):
    # TFLite MultiplyByQuantizedMultiplier(x, m, s), the left shift saturating to int32.
    if s > 0:
        x = x << s
        if x > 2147483647:
            x = 2147483647
        elif x < -2147483648:
            x = -2147483648
    t = x * m
    if t >= 0:
        t = (t + 1073741824) >> 31
    else:
        t = -((1073741823 - t) >> 31)
    if s < 0:
        mask = (1 << -s) - 1
        rem = t & mask
        thr = mask >> 1
        if t < 0:
            thr += 1
        t = t >> -s
        if rem > thr:
            t += 1
    return t


#@emit
def conv2d_i8(x, h, w, cin, wt, bias, mult, shift, cout, kh, kw, sh, sw, pt, pl,
              zin, zout, lo, hi, out, oh, ow):
    # out (oh x ow x cout) = requant(conv(x - zin, wt) + bias); wt OHWI int8.
    o = 0
    for oy in range(oh):
        for ox in range(ow):
            for co in range(cout):
                acc = bias[co]
                for ky in range(kh):
                    iy = oy * sh + ky - pt
                    if iy < 0 or iy >= h:
                        continue
                    for kx in range(kw):
                        ix = ox * sw + kx - pl
                        if ix < 0 or ix >= w:
                            continue
                        xb = (iy * w + ix) * cin
                        wb = ((co * kh + ky) * kw + kx) * cin
                        for ci in range(cin):
                            acc += (x[xb + ci] - zin) * wt[wb + ci]
                v = mbqm(acc, mult[co], shift[co]) + zout
                out[o] = lo if v < lo else (hi if v > hi else v)
                o += 1


#@emit
def avgpool_i8(x, h, w, c, kh, kw, sh, sw, pt, pl, lo, hi, out, oh, ow):
    # Average of the valid taps, rounded half away from zero (TFLite).
    o = 0
    for oy in range(oh):
        for ox in range(ow):
            for ch in range(c):
                total = 0
                count = 0
                for ky in range(kh):
                    iy = oy * sh + ky - pt
                    if iy < 0 or iy >= h:
                        continue
                    for kx in range(kw):
                        ix = ox * sw + kx - pl
                        if ix < 0 or ix >= w:
                            continue
                        total += x[(iy * w + ix) * c + ch]
                        count += 1
                if total > 0:
                    v = (total + count // 2) // count
                else:
                    v = -((count // 2 - total) // count)
                out[o] = lo if v < lo else (hi if v > hi else v)
                o += 1


#@emit
def dense_i8(x, nin, wt, bias, mult, shift, nout, zin, zout, lo, hi, out):
    # out[j] = requant(sum_i (x[i] - zin) * wt[j * nin + i] + bias[j]).
    for j in range(nout):
        acc = bias[j]
        wb = j * nin
        for i in range(nin):
            acc += (x[i] - zin) * wt[wb + i]
        v = mbqm(acc, mult[j], shift[j]) + zout
        out[j] = lo if v < lo else (hi if v > hi else v)


#@emit
def softmax_i8(x, n, table, out):
    # int8 softmax (output scale 1/256, zero point -128) with the model's Q15 exp table.
    mx = x[0]
    for i in range(1, n):
        if x[i] > mx:
            mx = x[i]
    total = 0
    for i in range(n):
        total += table[mx - x[i]]
    for i in range(n):
        v = ((table[mx - x[i]] << 8) + total // 2) // total - 128
        out[i] = -128 if v < -128 else (127 if v > 127 else v)


#@emit
def cnn_run(layers, x):
    # Runs the layer list of cnn_plan() on int8 input x; returns (class, output).
    # Class = first index of the largest output (numpy.argmax).
    for L in layers:
        k = L[0]
        if k == 1:
            conv2d_i8(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11], L[12],
                      L[13], L[14], L[15], L[16], L[17], L[18], L[19], L[20], L[21])
            x = L[19]
        elif k == 4:
            avgpool_i8(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11], L[12],
                       L[13], L[14])
            x = L[12]
        elif k == 6:
            dense_i8(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11])
            x = L[11]
        else:
            softmax_i8(x, L[1], L[2], L[3])
            x = L[3]
    best = 0
    for i in range(1, len(x)):
        if x[i] > x[best]:
            best = i
    return best


def cnn_plan(spec):
    # Layer tuples (arrays preallocated) from make_data.py's JSON description
    # of a tinysense int8 CNN; the argument order of each layer function.
    layers = []
    for d in spec:
        k = d['op']
        if k == 1:
            out = array.array('b', bytes(d['oh'] * d['ow'] * d['cout']))
            layers.append((1, d['h'], d['w'], d['cin'], array.array('b', d['weights']),
                           array.array('i', d['bias']), array.array('i', d['mult']),
                           array.array('b', d['shift']), d['cout'], d['kh'], d['kw'], d['sh'], d['sw'],
                           d['pt'], d['pl'], d['zin'], d['zout'], d['lo'], d['hi'], out, d['oh'], d['ow']))
        elif k == 4:
            out = array.array('b', bytes(d['oh'] * d['ow'] * d['c']))
            layers.append((4, d['h'], d['w'], d['c'], d['kh'], d['kw'], d['sh'], d['sw'], d['pt'], d['pl'],
                           d['lo'], d['hi'], out, d['oh'], d['ow']))
        elif k == 6:
            out = array.array('b', bytes(d['nout']))
            layers.append((6, d['nin'], array.array('b', d['weights']), array.array('i', d['bias']),
                           array.array('i', d['mult']), array.array('b', d['shift']), d['nout'],
                           d['zin'], d['zout'], d['lo'], d['hi'], out))
        elif k == 7:
            layers.append((7, d['n'], array.array('H', d['table']), array.array('b', bytes(d['n']))))
        else:
            raise ValueError('layer type %d not in this benchmark' % k)
    return layers
