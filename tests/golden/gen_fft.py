"""Golden FFT data: numpy.fft float64 references and a bit-exact model of RfftQ15.

Float: for every size 16..4096, a float32 input (fixed seed) and numpy's
float64 rfft / fft / ifft / irfft of it. Q15: q15_rfft() below repeats
src/dsp/fft.cpp's fixed-point arithmetic step by step (twiddle recurrence,
bit-reversed first pass, radix-4 passes, split post-processing, every shift,
rounding and saturation), so the C++ output must match it bit for bit.
"""
import math

import numpy as np

from goldenlib import output_path, write_header

SIZES = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
# Sizes with a stored irfft of an arbitrary spectrum / a stored ifft (the
# others are covered by round trips; keeps the header well under 1 MB of data).
IRFFT_SIZES = [16, 64, 512, 4096]
IFFT_SIZES = [16, 32, 64, 128, 256, 512, 1024]
rng = np.random.default_rng(20240611)


# ---------------------------------------------------------------------------
# Twiddles: the same double-precision recurrence as for_each_twiddle().
# ---------------------------------------------------------------------------
def twiddles_f64(n):
    """(cos, sin)(2 pi k / n) for k < n/2, computed exactly as fft.cpp does."""
    c_out = np.zeros(n // 2)
    s_out = np.zeros(n // 2)
    n8, n4, n2 = n // 8, n // 4, n // 2
    theta = 6.283185307179586476925286766559 / n
    sh = math.sin(0.5 * theta)
    alpha = 2.0 * sh * sh
    beta = math.sin(theta)
    c, s = 1.0, 0.0
    for k in range(n8 + 1):
        for idx, cv, sv in ((k, c, s), (n4 - k, s, c), (n4 + k, -s, c)):
            if idx < n2:
                c_out[idx], s_out[idx] = cv, sv
        if k > 0 and n2 - k < n2:
            c_out[n2 - k], s_out[n2 - k] = -c, s
        dc = alpha * c + beta * s
        ds = alpha * s - beta * c
        c -= dc
        s -= ds
    return c_out, s_out


def twiddles_q15(n):
    c, s = twiddles_f64(n)
    re = np.minimum(np.floor(c * 32768.0 + 0.5), 32767).astype(np.int64)
    im = np.minimum(np.floor(-s * 32768.0 + 0.5), 32767).astype(np.int64)
    return re, im


# ---------------------------------------------------------------------------
# Q15 model. A complex array is a pair (re, im) of int64 arrays holding int16
# values; each helper is one Arm DSP instruction (lane-wise) of fft.cpp.
# ---------------------------------------------------------------------------
def _check16(*arrays):
    for a in arrays:
        assert a.min() >= -32768 and a.max() <= 32767, "int16 overflow in the Q15 model"


SATURATED = [0]  # values clipped by a saturating step (only the split step may clip)


def sat(v):
    SATURATED[0] += int(np.count_nonzero((v < -32768) | (v > 32767)))
    return np.clip(v, -32768, 32767)


def shadd(a, b):
    return ((a[0] + b[0]) >> 1, (a[1] + b[1]) >> 1)


def shsub(a, b):
    return ((a[0] - b[0]) >> 1, (a[1] - b[1]) >> 1)


def shsax(a, b):  # lo = (a.lo + b.hi) / 2, hi = (a.hi - b.lo) / 2
    return ((a[0] + b[1]) >> 1, (a[1] - b[0]) >> 1)


def shasx(a, b):  # lo = (a.lo - b.hi) / 2, hi = (a.hi + b.lo) / 2
    return ((a[0] - b[1]) >> 1, (a[1] + b[0]) >> 1)


def qadd(a, b):
    return (sat(a[0] + b[0]), sat(a[1] + b[1]))


def qsub(a, b):
    return (sat(a[0] - b[0]), sat(a[1] - b[1]))


def qsax(a, b):
    return (sat(a[0] + b[1]), sat(a[1] - b[0]))


def qasx(a, b):
    return (sat(a[0] - b[1]), sat(a[1] + b[0]))


def round_half(a):  # shadd16(x, 0x00010001)
    return ((a[0] + 1) >> 1, (a[1] + 1) >> 1)


def cmul_half(b, w):  # (b * w) / 2, rounded half up, top halves of smlsd / smladx
    re = (b[0] * w[0] - b[1] * w[1] + 0x8000) >> 16
    im = (b[0] * w[1] + b[1] * w[0] + 0x8000) >> 16
    return (re, im)


def bitrev(count):
    bits = count.bit_length() - 1
    return np.array([int(format(j, f"0{bits}b")[::-1], 2) if bits else 0 for j in range(count)])


def q15_rfft(x):
    """RfftQ15::forward: returns (re, im) int16 arrays of n/2 + 1 bins ~ rfft(x) / n."""
    x = np.asarray(x, dtype=np.int64)
    n = len(x)
    m = n // 2
    twr, twi = twiddles_q15(n)
    zr, zi = x[0::2], x[1::2]
    lg = m.bit_length() - 1
    dr = np.zeros(m, dtype=np.int64)
    di = np.zeros(m, dtype=np.int64)
    if lg % 2:  # radix-2 first pass, / 4
        r = bitrev(m // 2)
        a = (zr[r], zi[r])
        b = (zr[r + m // 2], zi[r + m // 2])
        o0 = round_half(shadd(a, b))
        o1 = round_half(shsub(a, b))
        dr[0::2], di[0::2] = o0
        dr[1::2], di[1::2] = o1
        length = 2
    else:  # radix-4 first pass, / 8
        g = m // 4
        r = bitrev(g)
        xs = [(zr[r + u * g], zi[r + u * g]) for u in range(4)]
        s0, s1 = shadd(xs[0], xs[2]), shsub(xs[0], xs[2])
        t0, t1 = shadd(xs[1], xs[3]), shsub(xs[1], xs[3])
        outs = [shadd(s0, t0), shsax(s1, t1), shsub(s0, t0), shasx(s1, t1)]
        for u, o in enumerate(outs):
            dr[u::4], di[u::4] = round_half(o)
        length = 4
    _check16(dr, di)
    length *= 4
    while length <= m:
        q = length // 4
        s = n // length
        k = np.arange(q)
        w1 = (twr[k * s], twi[k * s])
        w2 = (twr[2 * k * s], twi[2 * k * s])
        i3 = 3 * k * s
        neg = i3 >= n // 2
        i3 = np.where(neg, i3 - n // 2, i3)
        w3 = (twr[i3], twi[i3])
        vr = dr.reshape(-1, 4, q)
        vi = di.reshape(-1, 4, q)
        legs = [(vr[:, j, :].copy(), vi[:, j, :].copy()) for j in range(4)]
        a = round_half(legs[0])
        b = cmul_half(legs[1], w2)
        c = cmul_half(legs[2], w1)
        d = cmul_half(legs[3], w3)
        s0, s1 = shadd(a, b), shsub(a, b)
        t0 = tuple(np.where(neg, x_sub, x_add) for x_add, x_sub in zip(shadd(c, d), shsub(c, d)))
        t1 = tuple(np.where(neg, x_add, x_sub) for x_add, x_sub in zip(shadd(c, d), shsub(c, d)))
        before = SATURATED[0]
        outs = [qadd(s0, t0), qsax(s1, t1), qsub(s0, t0), qasx(s1, t1)]
        assert SATURATED[0] == before, "a radix-4 pass saturated"
        for j, o in enumerate(outs):
            vr[:, j, :], vi[:, j, :] = o
        _check16(dr, di)
        length *= 4
    # Split post-processing.
    xr = np.zeros(m + 1, dtype=np.int64)
    xi = np.zeros(m + 1, dtype=np.int64)
    xr[0] = sat(dr[0] + di[0])
    xr[m] = sat(dr[0] - di[0])
    k = np.arange(1, m // 2 + 1)
    a = (dr[k], di[k])
    b = (dr[m - k], di[m - k])
    w = (twr[k], twi[k])
    rb = (b[1], b[0])
    ra = (a[1], a[0])
    sh = shsax(a, rb)
    shc = shsax(b, ra)
    dh = shasx(a, rb)
    p = (dh[0] * w[1] + dh[1] * w[0] + 0x4000) >> 15
    q = (dh[0] * w[0] - dh[1] * w[1] + 0x4000) >> 15
    _check16(p, q)
    xk = qsax(sh, (q, p))
    xm = qsub(shc, (p, q))
    # Bin m/2 is written twice with the same value; m - k after k.
    xr[k], xi[k] = xk
    xr[m - k], xi[m - k] = xm
    assert xr[m // 2] == xk[0][-1] and xi[m // 2] == xk[1][-1]
    return xr, xi


def pack_q15(re, im):
    return np.stack([re, im], axis=-1).astype(np.int16).ravel()


def complex_to_f64(z):
    return np.stack([z.real, z.imag], axis=-1).astype(np.float64).ravel()


def complex_to_f32(z):
    return np.stack([z.real, z.imag], axis=-1).astype(np.float32).ravel()


arrays = {}
for n in SIZES:
    # Real FFT: float32 input in [-1, 1), float64 reference of that exact input.
    x = rng.uniform(-1.0, 1.0, n).astype(np.float32)
    arrays[f"rfft_in_{n}"] = x
    arrays[f"rfft_ref_{n}"] = complex_to_f64(np.fft.rfft(x.astype(np.float64)))
    # Inverse real FFT of an arbitrary spectrum: numpy ignores Im of bins 0 and n/2.
    spec = (rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)).astype(np.complex64)
    if n in IRFFT_SIZES:
        arrays[f"irfft_in_{n}"] = complex_to_f32(spec)
        arrays[f"irfft_ref_{n}"] = np.fft.irfft(spec.astype(np.complex128), n).astype(np.float64)
    # Complex FFT and inverse of the same complex64 input.
    z = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    arrays[f"cfft_in_{n}"] = complex_to_f32(z)
    arrays[f"cfft_ref_{n}"] = complex_to_f64(np.fft.fft(z.astype(np.complex128)))
    if n in IFFT_SIZES:
        arrays[f"cifft_ref_{n}"] = complex_to_f64(np.fft.ifft(z.astype(np.complex128)))

# Q15: random full-range input at every size, bit-exact model output.
min_snr = 1e9
for n in SIZES:
    x = rng.integers(-32768, 32768, n).astype(np.int16)
    re, im = q15_rfft(x)
    arrays[f"q15_in_{n}"] = x
    arrays[f"q15_ref_{n}"] = pack_q15(re, im)
    ref = np.fft.rfft(x.astype(np.float64)) / n
    err = (re + 1j * im) - ref
    snr = 10 * np.log10(np.sum(np.abs(ref) ** 2) / np.sum(np.abs(err) ** 2))
    min_snr = min(min_snr, snr)
assert min_snr > 30.0, f"Q15 model SNR too low: {min_snr:.1f} dB"

# Q15 full-scale stress: extreme values that maximise every intermediate.
stress = {}
for n in (16, 32, 256, 1024, 4096):
    j = np.arange(n)
    stress[f"q15_min_{n}"] = np.full(n, -32768, dtype=np.int16)        # DC at -1
    stress[f"q15_alt_{n}"] = np.where(j % 2 == 0, 32767, -32768).astype(np.int16)  # Nyquist
    # Square waves in phase with one bin: |rfft| / n close to its maximum 2/pi.
    k0 = n // 8 + 1
    stress[f"q15_sq_{n}"] = np.where(np.cos(2 * np.pi * k0 * j / n + 0.3) >= 0, 32767, -32768).astype(np.int16)
    # (x[2j], x[2j+1]) in phase with the complex FFT's worst case: |z| = sqrt(2) full scale.
    k1 = n // 16 + 1
    ph = 2 * np.pi * k1 * (j // 2) / (n // 2)
    sq = np.where(j % 2 == 0, np.cos(ph) >= 0, np.sin(ph) <= 0)
    stress[f"q15_cpx_{n}"] = np.where(sq, 32767, -32768).astype(np.int16)
    stress[f"q15_rnd_{n}"] = np.where(rng.integers(0, 2, n) == 1, 32767, -32768).astype(np.int16)
for name, x in stress.items():
    re, im = q15_rfft(x)
    arrays[name] = x
    arrays[name + "_ref"] = pack_q15(re, im)

# Q15 twiddle tables (init must reproduce them exactly).
for n in (16, 1024, 4096):
    re, im = twiddles_q15(n)
    arrays[f"q15_tw_{n}"] = pack_q15(re, im)

write_header(output_path(), "fft", arrays, scalars={"q15_model_min_snr_db": float(min_snr)})
