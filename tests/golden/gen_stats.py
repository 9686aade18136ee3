"""Golden statistics from numpy (float64 on the float32/int16 test signals).

Per float32 signal <name>:  <name>_x (float32 input) and <name>_ref (float64):
  [sum, energy, mean, var0, var1, std0, std1, rms, min, max, ptp, zcr, median,
   zero_crossings, scale_sum, scale_mean]
where scale_sum = sum(|x|) and scale_mean = mean(|x|) bound the rounding of
float32 sums. Per int16 signal: <name>_x (int16), <name>_exact (int64:
[sum, energy, min, max, ptp, zero_crossings]) and <name>_ref (float64:
[mean, var0, var1, std0, std1, rms, zcr, median]). Percentiles: <name>_pq
(float32 q, the C++ argument, widened exactly for numpy) and <name>_pct.
Zero crossings: numpy.count_nonzero((x[:-1] < 0) != (x[1:] < 0)), zero positive.
"""
import numpy as np

from goldenlib import output_path, write_header

rng = np.random.default_rng(20240611)
arrays = {}

FIXED_Q = [0.0, 10.0, 25.0, 50.0, 90.0, 100.0]


def zc(x):
    return int(np.count_nonzero((x[:-1] < 0) != (x[1:] < 0))) if len(x) > 1 else 0


def qs():
    rand = rng.uniform(0.0, 100.0, 6).astype(np.float32)
    return np.concatenate([np.array(FIXED_Q, np.float32), rand])


def add_float(name, x32):
    x = x32.astype(np.float64)
    n = len(x)
    ddof1 = np.var(x, ddof=1) if n > 1 else np.nan
    ref = [
        np.sum(x), np.sum(x * x), np.mean(x), np.var(x), ddof1, np.std(x),
        np.sqrt(ddof1), np.sqrt(np.mean(x * x)), np.min(x), np.max(x), np.max(x) - np.min(x),
        zc(x) / (n - 1) if n > 1 else 0.0, np.median(x), zc(x), np.sum(np.abs(x)),
        np.mean(np.abs(x)),
    ]
    q = qs()
    arrays[f"{name}_x"] = x32
    arrays[f"{name}_ref"] = np.array(ref, np.float64)
    arrays[f"{name}_pq"] = q
    arrays[f"{name}_pct"] = np.percentile(x, q.astype(np.float64))


def add_int16(name, x16):
    x = x16.astype(np.int64)
    n = len(x)
    xf = x.astype(np.float64)
    ddof1 = np.var(xf, ddof=1) if n > 1 else np.nan
    exact = [x.sum(), (x * x).sum(), x.min(), x.max(), x.max() - x.min(), zc(x)]
    ref = [
        np.mean(xf), np.var(xf), ddof1, np.std(xf), np.sqrt(ddof1), np.sqrt(np.mean(xf * xf)),
        zc(x) / (n - 1) if n > 1 else 0.0, np.median(xf),
    ]
    q = qs()
    arrays[f"{name}_x"] = x16
    arrays[f"{name}_exact"] = np.array(exact, np.int64)
    arrays[f"{name}_ref"] = np.array(ref, np.float64)
    arrays[f"{name}_pq"] = q
    arrays[f"{name}_pct"] = np.percentile(xf, q.astype(np.float64))


# float32 signals: length 1, odd, medium, DC offset that stresses one-pass
# formulas, large zero-mean, a drifting ramp, and a DC signal whose first
# sample is an outlier (the shift features() starts from).
add_float("f_one", np.array([3.25], np.float32))
add_float("f_odd", rng.standard_normal(7).astype(np.float32))
add_float("f_mid", (2.0 * rng.standard_normal(1000) + 0.5).astype(np.float32))
add_float("f_dc", (1000.0 + 0.01 * rng.standard_normal(10000)).astype(np.float32))
add_float("f_big", rng.uniform(-1.0, 1.0, 10007).astype(np.float32))
add_float("f_ramp", (np.linspace(-50.0, 5000.0, 4099) + rng.standard_normal(4099)).astype(np.float32))
spike = (200.0 + 0.5 * rng.standard_normal(3000)).astype(np.float32)
spike[0] = 260.0
add_float("f_spike", spike)
ties = np.repeat(np.array([-2.0, 0.0, 0.0, 1.5, 7.0], np.float32), 3)
add_float("f_ties", rng.permutation(ties))

# int16 signals: one full-scale sample, odd, full-scale uniform (incl. both
# extremes), accelerometer-like gravity offset, constant -32768 (maximum
# energy per sample, zero variance).
add_int16("i_one", np.array([-32768], np.int16))
add_int16("i_odd", rng.integers(-100, 100, 7, dtype=np.int16))
full = rng.integers(-32768, 32768, 4097, dtype=np.int64)
full[:2] = [-32768, 32767]
add_int16("i_full", rng.permutation(full).astype(np.int16))
add_int16("i_dc", (16384 + np.round(300 * rng.standard_normal(10000))).astype(np.int16))
add_int16("i_min", np.full(1000, -32768, np.int16))

# Conversions, numpy models of the documented C++ arithmetic.
c_i16 = rng.integers(-32768, 32768, 513, dtype=np.int64).astype(np.int16)
c_i16[:3] = [-32768, 32767, 0]
arrays["cvt_i16"] = c_i16
for tag, scale in (("q15", np.float32(1.0 / 32768.0)), ("odd", np.float32(3.7))):
    arrays[f"cvt_i16_to_f_{tag}"] = c_i16.astype(np.float32) * scale

special = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, -0.49999997, 32766.5, 32767.49,
                    32767.5, 40000.0, -32767.5, -32768.49, -32768.5, -1e9, np.nan, np.inf,
                    -np.inf, -0.0, 1e-30], np.float32)
c_f = np.concatenate([special, rng.uniform(-40000.0, 40000.0, 300).astype(np.float32)])
arrays["cvt_f"] = c_f
with np.errstate(invalid="ignore", over="ignore"):
    for tag, scale in (("one", np.float32(1.0)), ("q15", np.float32(32768.0)),
                       ("tiny", np.float32(0.001))):
        v = c_f * scale
        v = np.where(np.isnan(v), np.float32(0.0), v)
        arrays[f"cvt_f_to_i16_{tag}"] = np.clip(np.rint(v), -32768, 32767).astype(np.int16)

write_header(output_path(), "stats", arrays)
