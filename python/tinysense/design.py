"""Host-side filter design: IEC 61672-1 A/C frequency weighting as biquads.

The firmware cannot afford an optimiser, so the coefficients are designed here
(in float64, with numpy/scipy) and either built into the library
(src/dsp/weighting_table.inc, written by scripts/gen_weighting_table.py for
16, 22.05, 32, 44.1, 48 and 96 kHz) or printed as a C++ array for any other
rate:

    /usr/bin/python3 -m tinysense.design weighting A 24000

Method. A plain bilinear transform of the analog weighting is exact at low
frequencies but frequency warping makes it fall far below the analog curve
near Nyquist (about 6 dB at 6.4 kHz for fs = 16 kHz). So the design is
  1. the bilinear transform of the analog filter, grouped into sections so
     that float32 coefficients and float32 arithmetic stay accurate (see
     _bilinear_sos: 20.6 Hz poles paired with 12194 Hz ones, zeros at z = 1
     spread so the last section still has one);
  2. `n_correction` extra biquads (default 2), each a minimum-phase, stable
     pair of complex zeros and poles parametrised by radius (< 0.95) and
     angle, fitted by scipy.optimize.least_squares to the dB error over
     10 Hz .. min(20 kHz, 0.4 fs), then refined towards minimax with a few
     Lawson reweighting passes;
  3. every section scaled to unit gain at 1 kHz and the whole cascade to
     exactly 0 dB at 1 kHz.
Max error vs the analog weighting, float32 coefficients included: < 0.02 dB
(A) and < 0.005 dB (C) at the built-in rates, < 0.03 dB (A) and < 0.005 dB
(C) on a sweep of 25 rates from 16 to 96 kHz.

Conventions: scipy sos rows [b0 b1 b2 a0 a1 a2], a0 = 1 (what
scipy.signal.sosfilt and tinysense::dsp::Biquad take). Frequencies in Hz.
This module needs only numpy and scipy (it is loaded without the compiled
extension by scripts/gen_weighting_table.py).
"""
import argparse
import sys

import numpy as np
from scipy import optimize
from scipy.special import expit

# IEC 61672-1:2013 Annex E pole frequencies in Hz (E.2-E.5 evaluated; the
# nominal values are 20.6, 107.7, 737.9 and 12194 Hz).
F1 = 20.598997
F2 = 107.65265
F3 = 737.86223
F4 = 12194.217

KINDS = ("A", "C")
FREQ_LO = 10.0      # lower edge of the accuracy band, Hz
FREQ_HI_MAX = 20000.0
MIN_RATE = 8000.0   # the tool's accepted range; the library tests 16 k .. 96 k
MAX_RATE = 192000.0
_RMAX = 0.95        # radius bound of the correction poles and zeros
_FIT_POINTS = 400
_STARTS = 12


def band(fs):
    """Accuracy band (lo, hi) in Hz: 10 Hz .. min(20 kHz, 0.4 fs)."""
    return FREQ_LO, min(FREQ_HI_MAX, 0.4 * float(fs))


def _check_kind(kind):
    if not isinstance(kind, str):
        raise TypeError(f"kind must be 'A' or 'C', got {type(kind).__name__}")
    k = kind.upper()
    if k not in KINDS:
        raise ValueError(f"kind must be 'A' or 'C', got {kind!r}")
    return k


def _check_rate(fs):
    if isinstance(fs, bool) or not isinstance(fs, (int, float, np.integer, np.floating)):
        raise TypeError(f"fs must be a number, got {type(fs).__name__}")
    fs = float(fs)
    if not np.isfinite(fs) or not MIN_RATE <= fs <= MAX_RATE:
        raise ValueError(f"fs must be in [{MIN_RATE:g}, {MAX_RATE:g}] Hz, got {fs:g}")
    return fs


def analog_weighting_db(kind, f):
    """Exact analog A or C weighting of IEC 61672-1 in dB, 0 dB at 1 kHz.

    A(f) = 20 log10(F4^2 f^4 / ((f^2+F1^2) sqrt((f^2+F2^2)(f^2+F3^2)) (f^2+F4^2))) - A(1 kHz)
    C(f) = 20 log10(F4^2 f^2 / ((f^2+F1^2) (f^2+F4^2))) - C(1 kHz)
    f: array of frequencies in Hz (> 0). Returns float64 array.
    """
    kind = _check_kind(kind)

    def raw(f2):
        if kind == "A":
            r = F4**2 * f2**2 / ((f2 + F1**2) * np.sqrt((f2 + F2**2) * (f2 + F3**2)) * (f2 + F4**2))
        else:
            r = F4**2 * f2 / ((f2 + F1**2) * (f2 + F4**2))
        return 20.0 * np.log10(r)

    f2 = np.asarray(f, dtype=np.float64) ** 2
    return raw(f2) - raw(1.0e6)


def sos_response_db(sos, f, fs):
    """|H(e^{j 2 pi f / fs})| of an sos cascade in dB (float64), like scipy.signal.sosfreqz."""
    sos = np.asarray(sos, dtype=np.float64)
    z1 = np.exp(-2j * np.pi * np.asarray(f, dtype=np.float64) / float(fs))  # z^-1
    z2 = z1 * z1
    h = np.ones_like(z1)
    for b0, b1, b2, a0, a1, a2 in sos:
        h = h * (b0 + b1 * z1 + b2 * z2) / (a0 + a1 * z1 + a2 * z2)
    return 20.0 * np.log10(np.abs(h))


def _bilinear_real_pole(fp, fs):
    """z-plane image of the real analog pole s = -2 pi fp (bilinear, no prewarp)."""
    k = np.pi * fp / fs
    return (1.0 - k) / (1.0 + k)


def _bilinear_sos(kind, fs):
    """Bilinear transform of the analog weighting, as sections chosen for float32.

    Poles: 20.6 Hz is paired with 12194 Hz (far apart, so rounding a1/a2 to
    float32 moves the 20.6 Hz pole by < 0.01 %; a double 20.6 Hz pole in one
    section would move ~1 % at 96 kHz). Zeros: TDF-II injects each section's
    rounding noise behind that section's zeros, where only its poles (gain
    ~1/(1 - p) near DC) shape it; so every section gets at most the zeros it
    needs and the last section keeps a zero at z = 1 to remove the low-frequency
    part of the noise of the sections before it. With the zeros grouped
    instead ([1,-2,1] twice, [1,2,1]) the roundoff error at 48 kHz is ~1e-3 of
    the output, with this split ~1e-5.
    """
    p1, p2, p3, p4 = (_bilinear_real_pole(f, fs) for f in (F1, F2, F3, F4))
    lo_hi = [1.0, -(p1 + p4), p1 * p4]
    if kind == "A":
        # s^4 over six poles: zeros at z = 1 (x4) and z = -1 (x2, the bilinear's excess).
        rows = [[1.0, 0.0, -1.0, 1.0, -(p2 + p3), p2 * p3],
                [1.0, -2.0, 1.0] + lo_hi,
                [1.0, 0.0, -1.0] + lo_hi]
    else:
        # s^2 over four poles: zeros at z = 1 and z = -1 in each section.
        rows = [[1.0, 0.0, -1.0] + lo_hi,
                [1.0, 0.0, -1.0] + lo_hi]
    return np.array(rows, dtype=np.float64)


def _correction_sos(params):
    """Correction biquads from (zero radius, zero angle, pole radius, pole angle) logits."""
    p = np.asarray(params, dtype=np.float64).reshape(-1, 4)
    rz = _RMAX * expit(p[:, 0])
    tz = np.pi * expit(p[:, 1])
    rp = _RMAX * expit(p[:, 2])
    tp = np.pi * expit(p[:, 3])
    one = np.ones_like(rz)
    return np.stack([one, -2.0 * rz * np.cos(tz), rz * rz, one, -2.0 * rp * np.cos(tp), rp * rp],
                    axis=1)


def _finish(sos, fs):
    """Scales each section to unit gain at 1 kHz (so 0 dB there overall) and
    flushes coefficients below 1e-9 (left by saturated radius logits) to 0."""
    sos = np.array(sos, dtype=np.float64)
    sos[np.abs(sos) < 1e-9] = 0.0
    for row in sos:
        g = 10.0 ** (sos_response_db(row[None, :], [1000.0], fs)[0] / 20.0)
        row[:3] /= g
    return sos


def _fit(kind, fs, n_correction):
    lo, hi = band(fs)
    f = np.geomspace(lo, hi, _FIT_POINTS)
    base = _bilinear_sos(kind, fs)
    target = analog_weighting_db(kind, f)
    base_db = sos_response_db(base, f, fs) - sos_response_db(base, [1000.0], fs)[0]

    def error_db(params):
        c = _correction_sos(params)
        return base_db + sos_response_db(c, f, fs) - sos_response_db(c, [1000.0], fs)[0] - target

    def fit(start, weight):
        r = optimize.least_squares(lambda p: weight * error_db(p), start, method="lm",
                                   max_nfev=2000)
        return r.x, float(np.max(np.abs(error_db(r.x))))

    # Multi-start L2 fit; the starts come from a fixed seed so the design is reproducible.
    rng = np.random.default_rng(1)
    uniform = np.ones_like(f)
    best, best_err = None, np.inf
    for _ in range(_STARTS):
        params, err = fit(rng.normal(0.0, 2.0, 4 * n_correction), uniform)
        if err < best_err:
            best, best_err = params, err
    # Lawson-style reweighting towards minimax: weight grows where the error is large.
    weight = uniform
    for _ in range(4):
        weight = weight * np.sqrt(np.abs(error_db(best)) / best_err + 0.05)
        weight = weight / weight.mean()
        params, err = fit(best, weight)
        if err < best_err:
            best, best_err = params, err
    return np.vstack([base, _correction_sos(best)])


def weighting_sos(kind, fs, n_correction=2):
    """A or C weighting for sample rate fs (Hz) as a float64 sos array (sections, 6).

    Bilinear transform + n_correction fitted biquads (see the module doc);
    0 dB at 1 kHz; within 0.1 dB (typically < 0.02 dB) of the analog
    weighting over band(fs). Deterministic. Raises TypeError for a
    non-string kind or non-numeric fs, ValueError for an unknown kind, fs
    outside [8 kHz, 192 kHz] or n_correction outside 1..3. Takes a few seconds.
    """
    kind = _check_kind(kind)
    fs = _check_rate(fs)
    if isinstance(n_correction, bool) or not isinstance(n_correction, (int, np.integer)):
        raise TypeError("n_correction must be an int")
    if not 1 <= n_correction <= 3:
        raise ValueError(f"n_correction must be 1, 2 or 3, got {n_correction}")
    return _finish(_fit(kind, fs, int(n_correction)), fs)


def max_error_db(sos, kind, fs, points=4000):
    """Max |response - analog weighting| in dB over band(fs) on a dense log grid."""
    kind = _check_kind(kind)
    lo, hi = band(fs)
    f = np.geomspace(lo, hi, points)
    return float(np.max(np.abs(sos_response_db(sos, f, fs) - analog_weighting_db(kind, f))))


def float_literal(v):
    """Shortest C++ float literal that rounds back to the same float32."""
    v = np.float32(v)
    if v != 0 and not 1e-4 <= abs(v) < 1e7:
        s = np.format_float_scientific(v, unique=True, trim="0")
    else:
        s = np.format_float_positional(v, unique=True, trim="0")
        if s.endswith("."):
            s += "0"
        elif "." not in s:
            s += ".0"
    return s + "f"


def to_cpp(sos, name, comment=""):
    """C++ `constexpr float name[sections * 6]` with the sos rows rounded to float32."""
    sos = np.asarray(sos, dtype=np.float64)
    lines = [f"// {c}" for c in comment.splitlines()] if comment else []
    lines.append(f"constexpr float {name}[{sos.shape[0]} * 6] = {{")
    for row in sos:
        lines.append("    " + ", ".join(float_literal(v) for v in row) + ",")
    lines.append("};")
    return "\n".join(lines) + "\n"


def describe(sos, kind, fs):
    """Comment block for generated arrays: what, band, measured max error (float32)."""
    lo, hi = band(fs)
    err32 = max_error_db(np.asarray(sos, np.float32).astype(np.float64), kind, fs)
    return (f"{kind}-weighting (IEC 61672-1) for fs = {fs:g} Hz, {len(sos)} sections,\n"
            f"scipy sos rows [b0 b1 b2 a0 a1 a2]; 0 dB at 1 kHz; max |error| vs the analog\n"
            f"weighting {err32:.4f} dB over {lo:g} .. {hi:g} Hz (float32 coefficients).")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tinysense.design",
                                 description="Design filters for tinysense and print them as C++.")
    sub = ap.add_subparsers(dest="command", required=True)
    w = sub.add_parser("weighting", help="IEC 61672-1 A/C weighting for one sample rate")
    w.add_argument("kind", help="A or C")
    w.add_argument("fs", type=float, help="sample rate in Hz (8000 .. 192000)")
    w.add_argument("--name", help="C++ array name (default kAWeighting<fs>)")
    w.add_argument("--corrections", type=int, default=2, help="correction sections (1..3)")
    args = ap.parse_args(argv)
    try:
        sos = weighting_sos(args.kind, args.fs, args.corrections)
    except ValueError as exc:
        ap.error(str(exc))
    kind = args.kind.upper()
    err = max_error_db(sos.astype(np.float32).astype(np.float64), kind, args.fs)
    if err > 0.1:
        sys.stderr.write(f"warning: max error {err:.3f} dB exceeds 0.1 dB; try --corrections 3\n")
    name = args.name or f"k{kind}Weighting{int(round(args.fs))}"
    comment = describe(sos, kind, args.fs) + (
        "\nUse: tinysense::dsp::Weighting::init(Span<const float>(" + name + "), state)"
        "\nor tinysense::dsp::Biquad (same sos layout).")
    sys.stdout.write(to_cpp(sos, name, comment))
    return 0


if __name__ == "__main__":
    sys.exit(main())
