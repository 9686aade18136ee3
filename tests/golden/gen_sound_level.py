"""Golden data for the sound level meter: a float64 numpy model of the same
recursion as src/dsp/sound_level.cpp on fixed-seed signals.

Model (float64 throughout; the only float32 inputs are the signal, the
built-in weighting coefficients and alpha, which the C++ code also rounds):
  w = sosfilt(sos, x)                      (x for Z weighting)
  y[n] = y[n-1] + (w[n]^2 - y[n-1]) * alpha, y[-1] = 0, alpha = float32(1 - exp(-1/(fs tau)))
  level = 10 log10(y) + cal;  Leq = 10 log10(mean(w^2)) + cal over the interval
  Lmax / Lmin = max / min of the level over the interval's samples
  histogram samples: level at interval samples P-1, 2P-1, ... (P = round(fs * interval))
  Ln = the ceil(n/100 * count)-th largest histogram sample (exact, no bins)
Each case runs two intervals: reset_interval() at `split` (time weighting and
filter keep running), statistics for both.
"""
import numpy as np
from scipy.signal import lfilter, sosfilt

from gen_weighting import load_builtin_sos
from goldenlib import output_path, write_header

TRACE_STEP = 1000  # level_db checked every TRACE_STEP samples


def make_signal(rng, fs, seconds):
    """Noise + a 1 kHz tone with a level that wanders over ~35 dB, as int16."""
    n = int(fs * seconds)
    t = np.arange(n) / fs
    env_db = -38.0 + 16.0 * (1.0 + np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6.28)))
    env_db += 3.0 * np.sin(2 * np.pi * 3.1 * t)
    noise = rng.standard_normal(n)
    tone = np.sqrt(2.0) * np.sin(2 * np.pi * 1000.0 * t) * (np.sin(2 * np.pi * 0.4 * t) > 0.3)
    x = 10.0 ** (env_db / 20.0) * (noise + 0.7 * tone)
    return np.clip(np.round(x * 32768.0), -32768, 32767).astype(np.int16)


def model(x16, fs, sos, tau, cal, interval_s, split):
    x = x16.astype(np.float64) / 32768.0
    w = x if sos is None else sosfilt(sos.astype(np.float64), x)
    e = w * w
    alpha = float(np.float32(-np.expm1(-1.0 / (float(np.float32(fs)) * float(np.float32(tau))))))
    y = lfilter([alpha], [1.0, -(1.0 - alpha)], e)  # y[n] = y[n-1] + (e[n] - y[n-1]) alpha
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(y) + cal
    period = int(np.floor(fs * interval_s + 0.5))
    out = {"level_trace": level[TRACE_STEP - 1::TRACE_STEP], "final_level": level[-1]}
    for name, lo, hi in (("i1", 0, split), ("i2", split, len(x))):
        seg = slice(lo, hi)
        out[f"{name}_leq"] = 10.0 * np.log10(np.mean(e[seg])) + cal
        out[f"{name}_lmax"] = np.max(level[seg])
        out[f"{name}_lmin"] = np.min(level[seg])
        samples = level[lo + period - 1:hi:period]
        out[f"{name}_count"] = len(samples)
        desc = np.sort(samples)[::-1]
        for p in (10, 50, 90):
            rank = max(1, int(np.ceil(p / 100.0 * len(samples))))
            out[f"{name}_l{p}"] = desc[rank - 1]
    return out


def main():
    table = load_builtin_sos()
    rng = np.random.default_rng(20240611)
    # name, fs, weighting, tau, calibration_db, histogram interval s, seconds, split s
    cases = [
        ("a48_fast", 48000, "A", 0.125, 0.0, 0.01, 1.6, 0.9),
        ("c16_slow", 16000, "C", 1.0, 0.0, 0.02, 4.0, 2.5),
        ("z32_fast_cal", 32000, "Z", 0.125, 94.0, 0.005, 1.0, 0.5),
    ]
    arrays, scalars = {}, {}
    for name, fs, kind, tau, cal, interval, seconds, split_s in cases:
        x = make_signal(rng, fs, seconds)
        split = int(split_s * fs)
        sos = None if kind == "Z" else table[(kind, fs)]
        res = model(x, fs, sos, tau, cal, interval, split)
        arrays[f"{name}_x"] = x
        arrays[f"{name}_level_trace"] = res.pop("level_trace")
        scalars[f"{name}_split"] = split
        for k, v in res.items():
            scalars[f"{name}_{k}"] = int(v) if k.endswith("_count") else float(v)
    scalars["trace_step"] = TRACE_STEP
    write_header(output_path(), "sound_level", arrays, scalars)


if __name__ == "__main__":
    main()
