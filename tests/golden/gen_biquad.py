"""Golden data for Biquad / BiquadQ15 (tinysense/dsp/biquad.hpp).

float32: scipy.signal.sosfilt in float64 of the float32-rounded sos (so the
reference is the exact filter the C++ code runs; only its float32 arithmetic
is under test), on fixed-seed noise; impulse responses; the final state
(scipy's zf, same layout as Biquad's state); |H| at one tone from sosfreqz.

Q15: a numpy/python-int model of sos_to_q15 and of the documented DF-I
arithmetic (64-bit exact sum, + 2^(14 - post_shift), arithmetic shift right by
15 - post_shift, saturate to int16, per section), bit-exact.
"""
import numpy as np
from scipy import signal

from goldenlib import output_path, write_header

N = 1000        # noise samples per float design
N_IMPULSE = 256
N_Q15 = 1000

# name -> sos from scipy (float64), used as float32. 1..6 sections, odd and
# even counts (the kernel runs a single section, then pairs).
FLOAT_DESIGNS = {
    "lp1": signal.butter(2, 0.1, output="sos"),
    "hp2": signal.butter(4, 0.25, btype="highpass", output="sos"),
    "bp3": signal.cheby1(3, 1.0, [0.1, 0.3], btype="bandpass", output="sos"),
    "lp4": signal.ellip(8, 0.5, 60.0, 0.2, output="sos"),
    "bs5": signal.butter(5, [0.2, 0.4], btype="bandstop", output="sos"),
    "bp6": signal.ellip(6, 1.0, 50.0, [0.3, 0.5], btype="bandpass", output="sos"),
    "hp3": signal.cheby1(5, 0.5, 0.05, btype="highpass", output="sos"),
}
# One tone per design, in the passband: (design, omega in rad/sample = 2 pi / period).
TONE_PERIOD = {"lp1": 40, "lp4": 25, "bp3": 10, "hp2": 4}


def balanced_lowpass(sos):
    """Each section scaled to unit DC gain (keeps Q15 precision; same overall response
    for a unit-DC-gain lowpass such as Butterworth)."""
    sos = sos.copy()
    for row in sos:
        row[:3] *= row[3:].sum() / row[:3].sum()
    return sos


def sos_to_q15_model(sos32):
    """Independent model of tinysense::dsp::sos_to_q15 (float64, exact here)."""
    c = sos32.astype(np.float64)
    for shift in range(1, 8):
        v = c * 2.0 ** (15 - shift)
        r = np.sign(v) * np.floor(np.abs(v) + 0.5)  # half away from zero
        if r.min() >= -32768 and r.max() <= 32767:
            return r.astype(np.int16), shift
    raise ValueError("out of range")


def df1_q15_model(sos16, post_shift, x16):
    """The documented BiquadQ15 arithmetic with python ints (no overflow at all)."""
    sh = 15 - post_shift
    rnd = 1 << (sh - 1)
    y = [int(v) for v in x16]
    for row in np.asarray(sos16).reshape(-1, 6):
        b0, b1, b2, _, a1, a2 = (int(v) for v in row)
        x1 = x2 = y1 = y2 = 0
        out = []
        for x0 in y:
            acc = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            y0 = (acc + rnd) >> sh  # python >> is an arithmetic (floor) shift
            y0 = max(-32768, min(32767, y0))
            out.append(y0)
            x2, x1 = x1, x0
            y2, y1 = y1, y0
        y = out
    return np.array(y, dtype=np.int16)


rng = np.random.default_rng(20240607)
arrays = {}
scalars = {}

x = (0.5 * rng.standard_normal(N)).astype(np.float32)
arrays["noise"] = x
impulse = np.zeros(N_IMPULSE)
impulse[0] = 1.0
for name, sos in FLOAT_DESIGNS.items():
    sos32 = sos.astype(np.float32)
    sos64 = sos32.astype(np.float64)
    y, zf = signal.sosfilt(sos64, x.astype(np.float64), zi=np.zeros((len(sos64), 2)))
    arrays[f"{name}_sos"] = sos32
    arrays[f"{name}_noise_out"] = y
    arrays[f"{name}_noise_zf"] = zf.ravel()
    arrays[f"{name}_impulse"] = signal.sosfilt(sos64, impulse)
    if name in TONE_PERIOD:
        w = 2.0 * np.pi / TONE_PERIOD[name]
        _, h = signal.sosfreqz(sos64, worN=[w])
        scalars[f"{name}_tone_period"] = TONE_PERIOD[name]
        scalars[f"{name}_tone_gain"] = float(np.abs(h[0]))

# ---- Q15 ----
Q15_DESIGNS = {
    # Normal use: a balanced 4-section lowpass (the benchmark's filter).
    "qlp4": balanced_lowpass(signal.butter(8, 0.2, output="sos")),
    # Highpass: b = g [1, -2, 1], large coefficients, b1 near -32768 at post_shift 1.
    "qhp2": signal.butter(4, 0.1, btype="highpass", output="sos"),
    # Bandpass, 3 sections.
    "qbp3": signal.cheby1(3, 1.0, [0.1, 0.2], btype="bandpass", output="sos"),
    # Gain 20: saturates often; |b1| ~ 5 needs post_shift 3.
    "qhot": signal.butter(2, 0.3, output="sos") * np.array([20, 20, 20, 1, 1, 1]),
}
q_inputs = {
    "full": rng.integers(-32768, 32768, N_Q15).astype(np.int16),
    "square": np.where((np.arange(N_Q15) // 25) % 2 == 0, 32767, -32768).astype(np.int16),
    "mid": np.clip(np.round(4000 * rng.standard_normal(N_Q15)), -32768, 32767).astype(np.int16),
}
for name, arr in q_inputs.items():
    arrays[f"q_in_{name}"] = arr
for name, sos in Q15_DESIGNS.items():
    sos32 = sos.astype(np.float32)
    sos16, shift = sos_to_q15_model(sos32)
    arrays[f"{name}_sos"] = sos32
    arrays[f"{name}_sos16"] = sos16.ravel()
    scalars[f"{name}_post_shift"] = shift
    for iname, xin in q_inputs.items():
        arrays[f"{name}_{iname}_out"] = df1_q15_model(sos16, shift, xin)

# Hand-made int16 sos at post_shift 1 with the extreme coefficient -32768 (= -2.0)
# in b1 and a1 and a full-scale input: exercises the 64-bit sum and saturation.
edge = np.array([16384, -32768, 16384, 16384, -32768, 16383,
                 32767, -32768, 32767, 16384, -16384, 8192], dtype=np.int16)
arrays["qedge_sos16"] = edge
for iname, xin in q_inputs.items():
    arrays[f"qedge_{iname}_out"] = df1_q15_model(edge, 1, xin)
# post_shift 7 (a0 = 2^8, rounding constant 2^7): a double pole at 0.75 with a
# double zero at 1, then a mild section.
edge7 = np.array([256, -512, 256, 256, -384, 144,
                  100, 37, -90, 256, 51, 20], dtype=np.int16)
arrays["qedge7_sos16"] = edge7
for iname, xin in q_inputs.items():
    arrays[f"qedge7_{iname}_out"] = df1_q15_model(edge7, 7, xin)

# Q15 vs float: the float64 response of the float sos to the "mid" input.
y_ref = signal.sosfilt(Q15_DESIGNS["qlp4"].astype(np.float32).astype(np.float64),
                       q_inputs["mid"].astype(np.float64) / 32768.0)
arrays["qlp4_mid_float_ref"] = y_ref
q = arrays["qlp4_mid_out"].astype(np.float64) / 32768.0
scalars["qlp4_mid_snr_db"] = float(10 * np.log10(np.sum(y_ref ** 2) / np.sum((q - y_ref) ** 2)))

write_header(output_path(), "biquad", arrays, scalars)
