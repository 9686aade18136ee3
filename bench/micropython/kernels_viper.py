# Hand-written @micropython.viper kernels: integer (int16 / Q15) versions that use
# raw pointers (ptr16 / ptr32), which is where viper is strong; floats would
# be boxed objects even under viper (see kernels.py for the float versions,
# which bench_unix.py also compiles with the viper emitter as they are).
#
# Each computes exactly what its kernels.py counterpart computes (bench_unix.py
# checks it bit for bit before timing). ptr16 loads are unsigned, so every
# int16 load is sign-extended with (v ^ 0x8000) - 0x8000. Only for ports with
# the viper emitter (unix x64/arm, most MCU ports), not the micro:bit 1.9
# firmware.
import math
import micropython


@micropython.viper
def _sumsq_i16(x: ptr16, n: int) -> int:
    s = 0
    i = 0
    n4 = n & ~3
    while i < n4:  # unrolled by 4: viper's loop test and increment are a real share
        a = (x[i] ^ 0x8000) - 0x8000
        b = (x[i + 1] ^ 0x8000) - 0x8000
        c = (x[i + 2] ^ 0x8000) - 0x8000
        d = (x[i + 3] ^ 0x8000) - 0x8000
        s += a * a + b * b + c * c + d * d
        i += 4
    while i < n:
        a = (x[i] ^ 0x8000) - 0x8000
        s += a * a
        i += 1
    return s


def rms_i16(x):
    # sqrt(mean(x**2)) of an array('h'). The sum of squares is exact in a 64-bit
    # viper int (unix x64); a 32-bit MCU would overflow past 2 samples of
    # full scale, where one would accumulate in blocks.
    return math.sqrt(_sumsq_i16(x, len(x)) / len(x))


@micropython.viper
def _biquad_q15(sos: ptr16, nsec: int, shift: int, state: ptr16, x: ptr16, y: ptr16, n: int):
    rnd = 1 << (14 - shift)
    sh = 15 - shift
    src = x
    for s in range(nsec):
        b0 = (sos[6 * s] ^ 0x8000) - 0x8000
        b1 = (sos[6 * s + 1] ^ 0x8000) - 0x8000
        b2 = (sos[6 * s + 2] ^ 0x8000) - 0x8000
        a1 = (sos[6 * s + 4] ^ 0x8000) - 0x8000
        a2 = (sos[6 * s + 5] ^ 0x8000) - 0x8000
        x1 = (state[4 * s] ^ 0x8000) - 0x8000
        x2 = (state[4 * s + 1] ^ 0x8000) - 0x8000
        y1 = (state[4 * s + 2] ^ 0x8000) - 0x8000
        y2 = (state[4 * s + 3] ^ 0x8000) - 0x8000
        for i in range(n):
            x0 = (src[i] ^ 0x8000) - 0x8000
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


def biquad_q15(sos, shift, state, x, y):
    # Same arguments and result as kernels.biquad_q15 (tinysense BiquadQ15).
    # The accumulator needs 33 bits: exact with unix x64's 64-bit viper ints.
    _biquad_q15(sos, len(sos) // 6, shift, state, x, y, len(x))


@micropython.viper
def _rfft_q15(x: ptr16, out: ptr16, n: int, cos_t: ptr16, sin_t: ptr16, rev: ptr16, re: ptr16, im: ptr16):
    m = n >> 1
    j = 0
    for i in range(m):
        r = rev[i]
        re[r] = ((x[j] ^ 0x8000) - 0x8000) >> 1
        im[r] = ((x[j + 1] ^ 0x8000) - 0x8000) >> 1
        j += 2
    i = 0
    while i < m:
        ar = (re[i] ^ 0x8000) - 0x8000
        ai = (im[i] ^ 0x8000) - 0x8000
        br = (re[i + 1] ^ 0x8000) - 0x8000
        bi = (im[i + 1] ^ 0x8000) - 0x8000
        re[i] = (ar + br + 1) >> 1
        im[i] = (ai + bi + 1) >> 1
        re[i + 1] = (ar - br + 1) >> 1
        im[i + 1] = (ai - bi + 1) >> 1
        i += 2
    half = 2
    step = n >> 2
    while half < m:
        span = half << 1
        t = 0
        for k in range(half):
            wr = (cos_t[t] ^ 0x8000) - 0x8000
            wi = (sin_t[t] ^ 0x8000) - 0x8000
            t += step
            i = k
            while i < m:
                j = i + half
                br = (re[j] ^ 0x8000) - 0x8000
                bi = (im[j] ^ 0x8000) - 0x8000
                tr = (wr * br + wi * bi + 0x4000) >> 15
                ti = (wr * bi - wi * br + 0x4000) >> 15
                ar = (re[i] ^ 0x8000) - 0x8000
                ai = (im[i] ^ 0x8000) - 0x8000
                re[j] = (ar - tr + 1) >> 1
                im[j] = (ai - ti + 1) >> 1
                re[i] = (ar + tr + 1) >> 1
                im[i] = (ai + ti + 1) >> 1
                i += span
        half = span
        step >>= 1
    zr = (re[0] ^ 0x8000) - 0x8000
    zi = (im[0] ^ 0x8000) - 0x8000
    out[0] = zr + zi
    out[1] = 0
    out[2 * m] = zr - zi
    out[2 * m + 1] = 0
    for k in range(1, (m >> 1) + 1):
        q = m - k
        ar = (re[k] ^ 0x8000) - 0x8000
        ai = (im[k] ^ 0x8000) - 0x8000
        br = (re[q] ^ 0x8000) - 0x8000
        bi = (im[q] ^ 0x8000) - 0x8000
        er = ar + br
        ei = ai - bi
        orr = ai + bi
        oi = br - ar
        c = (cos_t[k] ^ 0x8000) - 0x8000
        s = (sin_t[k] ^ 0x8000) - 0x8000
        tr = (c * orr + s * oi + 0x4000) >> 15
        ti = (c * oi - s * orr + 0x4000) >> 15
        out[2 * q] = (er - tr + 1) >> 1
        out[2 * q + 1] = (ti - ei + 1) >> 1
        out[2 * k] = (er + tr + 1) >> 1
        out[2 * k + 1] = (ei + ti + 1) >> 1


def rfft_q15(x, out, n, cos_t, sin_t, rev, re, im):
    # Same arguments and result as kernels.rfft_q15 (plan from kernels.rfft_q15_plan).
    _rfft_q15(x, out, n, cos_t, sin_t, rev, re, im)


@micropython.viper
def _forest_i16(x: ptr16, feat: ptr16, thr: ptr16, child: ptr16, roots: ptr16, ntrees: int,
                leafval: ptr16, ncls: int, acc: ptr32) -> int:
    for c in range(ncls):
        acc[c] = 0
    for t in range(ntrees):
        i = roots[t]
        f = (feat[i] ^ 0x8000) - 0x8000
        while f >= 0:
            if (x[f] ^ 0x8000) - 0x8000 <= (thr[i] ^ 0x8000) - 0x8000:
                i = child[2 * i]
            else:
                i = child[2 * i + 1]
            f = (feat[i] ^ 0x8000) - 0x8000
        b = (-f - 1) * ncls
        for c in range(ncls):
            acc[c] += leafval[b + c]
    best = 0
    for c in range(1, ncls):
        if acc[c] > acc[best]:
            best = c
    return best


def forest_predict_i16(x, feat, thr, child, roots, leafval, ncls, acc):
    # kernels.forest_predict for an int16 model: x array('h'), thr = floor of
    # sklearn's thresholds (array('h')), leafval = probabilities * 65535 rounded
    # (array('H')), acc array('I') of ncls. Integer sums: a vote can differ
    # from sklearn's float sums only on near-ties (bench_unix.py counts them).
    return _forest_i16(x, feat, thr, child, roots, len(roots), leafval, ncls, acc)


# ---- int8 CNN: kernels.cnn_run with raw int8 / int32 pointers ---------------------------
# Same arithmetic as kernels.mbqm / conv2d_i8 / avgpool_i8 / dense_i8 /
# softmax_i8 (checked bit for bit); the requantisation is inlined, as viper
# calls cost more than these few operations. x * multiplier needs 62 bits:
# exact with unix x64's 64-bit viper ints (a 32-bit port would need a
# high-multiply helper).

@micropython.viper
def _conv2d(x: ptr8, h: int, w: int, cin: int, wt: ptr8, bias: ptr32, mult: ptr32, shift: ptr8,
            cout: int, kh: int, kw: int, sh: int, sw: int, pt: int, pl: int, zin: int, zout: int,
            lo: int, hi: int, out: ptr8, oh: int, ow: int):
    o = 0
    for oy in range(oh):
        for ox in range(ow):
            for co in range(cout):
                acc = (bias[co] ^ 0x80000000) - 0x80000000
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
                            acc += (((x[xb + ci] ^ 0x80) - 0x80) - zin) * ((wt[wb + ci] ^ 0x80) - 0x80)
                m = (mult[co] ^ 0x80000000) - 0x80000000
                s = (shift[co] ^ 0x80) - 0x80
                if s > 0:
                    acc = acc << s
                    if acc > 2147483647:
                        acc = 2147483647
                    elif acc < -2147483648:
                        acc = -2147483648
                t = acc * m
                if t >= 0:
                    t = (t + 1073741824) >> 31
                else:
                    t = 0 - ((1073741823 - t) >> 31)
                if s < 0:
                    e = 0 - s
                    mask = (1 << e) - 1
                    rem = t & mask
                    thr = mask >> 1
                    if t < 0:
                        thr += 1
                    t = t >> e
                    if rem > thr:
                        t += 1
                v = t + zout
                if v < lo:
                    v = lo
                elif v > hi:
                    v = hi
                out[o] = v
                o += 1


@micropython.viper
def _avgpool(x: ptr8, h: int, w: int, c: int, kh: int, kw: int, sh: int, sw: int, pt: int, pl: int,
             lo: int, hi: int, out: ptr8, oh: int, ow: int):
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
                        total += (x[(iy * w + ix) * c + ch] ^ 0x80) - 0x80
                        count += 1
                if total > 0:
                    v = (total + (count >> 1)) // count
                else:
                    v = 0 - (((count >> 1) - total) // count)
                if v < lo:
                    v = lo
                elif v > hi:
                    v = hi
                out[o] = v
                o += 1


@micropython.viper
def _dense(x: ptr8, nin: int, wt: ptr8, bias: ptr32, mult: ptr32, shift: ptr8, nout: int, zin: int,
           zout: int, lo: int, hi: int, out: ptr8):
    for j in range(nout):
        acc = (bias[j] ^ 0x80000000) - 0x80000000
        wb = j * nin
        for i in range(nin):
            acc += (((x[i] ^ 0x80) - 0x80) - zin) * ((wt[wb + i] ^ 0x80) - 0x80)
        m = (mult[j] ^ 0x80000000) - 0x80000000
        s = (shift[j] ^ 0x80) - 0x80
        if s > 0:
            acc = acc << s
            if acc > 2147483647:
                acc = 2147483647
            elif acc < -2147483648:
                acc = -2147483648
        t = acc * m
        if t >= 0:
            t = (t + 1073741824) >> 31
        else:
            t = 0 - ((1073741823 - t) >> 31)
        if s < 0:
            e = 0 - s
            mask = (1 << e) - 1
            rem = t & mask
            thr = mask >> 1
            if t < 0:
                thr += 1
            t = t >> e
            if rem > thr:
                t += 1
        v = t + zout
        if v < lo:
            v = lo
        elif v > hi:
            v = hi
        out[j] = v


@micropython.viper
def _softmax(x: ptr8, n: int, table: ptr16, out: ptr8) -> int:
    mx = (x[0] ^ 0x80) - 0x80
    best = 0
    for i in range(1, n):
        v = (x[i] ^ 0x80) - 0x80
        if v > mx:
            mx = v
    total = 0
    for i in range(n):
        total += table[mx - ((x[i] ^ 0x80) - 0x80)]
    bv = -1000
    for i in range(n):
        v = ((table[mx - ((x[i] ^ 0x80) - 0x80)] << 8) + (total >> 1)) // total - 128
        if v < -128:
            v = -128
        elif v > 127:
            v = 127
        out[i] = v
        if v > bv:
            bv = v
            best = i
    return best


def cnn_run(layers, x):
    # kernels.cnn_run with the viper layers (same layer tuples from kernels.cnn_plan).
    best = -1
    for L in layers:
        k = L[0]
        if k == 1:
            _conv2d(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11], L[12],
                    L[13], L[14], L[15], L[16], L[17], L[18], L[19], L[20], L[21])
            x = L[19]
        elif k == 4:
            _avgpool(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11], L[12],
                     L[13], L[14])
            x = L[12]
        elif k == 6:
            _dense(x, L[1], L[2], L[3], L[4], L[5], L[6], L[7], L[8], L[9], L[10], L[11])
            x = L[11]
        else:
            best = _softmax(x, L[1], L[2], L[3])
            x = L[3]
    if best < 0:
        best = 0
        for i in range(1, len(x)):
            if x[i] > x[best]:
                best = i
    return best
