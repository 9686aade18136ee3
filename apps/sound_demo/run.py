#!/usr/bin/python3
"""The tinysense demo: a real speech recording through the noise-meter chain.

1. Takes a 16 kHz speech recording (Debian's pocketsphinx-testdata).
2. Runs the Cortex-M4F firmware (apps/sound_demo/sound_demo.cpp) in QEMU: it
   computes the A-weighted Fast sound level every 10 ms and a 40-band log-mel
   spectrogram (n_fft 512, hop 10 ms) of the whole recording, while our QEMU
   plugin counts the instructions of each step.
3. Checks the firmware's numbers against numpy/scipy float64 references.
4. Prints the cost table (instructions per second of audio, share of an
   80 MHz Cortex-M4F) and saves a PNG plot.

Usage: run.py --elf build/.../sound_demo --plugin .../libinsncount.so [--out DIR] [WAV...]
"""
import argparse
import os
import struct
import sys

import numpy as np
import scipy.io.wavfile
import scipy.signal

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
sys.path.insert(0, os.path.join(ROOT, "bench", "target"))
sys.path.insert(0, os.path.join(ROOT, "tests", "golden"))
import qemu_count  # noqa: E402
from gen_mel import log_mel  # noqa: E402  (numpy float64 reference, librosa's formulas)
from tinysense import design  # noqa: E402

DEFAULT_WAVS = [
    "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
    "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-0890.wav",
]
CLOCK_HZ = 80e6
N_FFT, HOP, N_MELS, BLOCK = 512, 160, 40, 160


def load_audio(paths):
    parts = []
    for p in paths:
        rate, x = scipy.io.wavfile.read(p)
        if rate != 16000 or x.dtype != np.int16 or x.ndim != 1:
            sys.exit(f"{p}: need 16 kHz mono int16, got {rate} Hz {x.dtype} {x.shape}")
        parts.append(x)
    return 16000, np.concatenate(parts)


def reference_level(x, rate):
    """A-weighted Fast level every BLOCK samples, float64 (scipy sosfilt + the exact recursion)."""
    w = scipy.signal.sosfilt(design.weighting_sos("A", rate), x.astype(np.float64) / 32768.0)
    alpha = 1.0 - np.exp(-1.0 / (rate * 0.125))
    # y[n] = (1 - alpha) y[n-1] + alpha w^2: a one-pole IIR filter.
    y = scipy.signal.lfilter([alpha], [1.0, -(1.0 - alpha)], w * w)
    n_blocks = len(x) // BLOCK
    return 10.0 * np.log10(y[BLOCK - 1:n_blocks * BLOCK:BLOCK])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "demo"))
    ap.add_argument("wavs", nargs="*", default=DEFAULT_WAVS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rate, pcm = load_audio(args.wavs)
    seconds = len(pcm) / rate
    print(f"recording: {len(args.wavs)} file(s), {seconds:.2f} s at {rate} Hz "
          f"({', '.join(os.path.basename(w) for w in args.wavs)})")

    # --- the firmware, in QEMU, reading the recording over semihosting
    with open(os.path.join(args.out, "demo_input.s16"), "wb") as f:
        f.write(b"TSAU" + struct.pack("<III", rate, len(pcm), 0) + pcm.astype("<i2").tobytes())
    cwd = os.getcwd()
    os.chdir(args.out)  # semihosting resolves relative paths against QEMU's cwd
    try:
        run = qemu_count.run(os.path.abspath(os.path.join(cwd, args.elf)),
                             os.path.abspath(os.path.join(cwd, args.plugin)))
    finally:
        os.chdir(cwd)
    counts = {m["kernel"]: m for m in run["measurements"]}
    level = np.fromfile(os.path.join(args.out, "demo_level.f32"), dtype="<f4")
    logmel = np.fromfile(os.path.join(args.out, "demo_logmel.f32"), dtype="<f4").reshape(-1, N_MELS)

    # --- references (float64)
    ref_level = reference_level(pcm, rate)
    ref_logmel = log_mel(pcm.astype(np.float64) / 32768.0, rate, N_FFT, HOP, N_MELS)
    if ref_logmel.shape[0] != logmel.shape[0] and ref_logmel.shape[1] == logmel.shape[0]:
        ref_logmel = ref_logmel.T
    settle = int(1.0 * rate / BLOCK)  # skip the first second: the Fast meter starts from silence
    lvl_err = np.max(np.abs(level[settle:] - ref_level[settle:len(level)]))
    mel_err = np.max(np.abs(logmel - ref_logmel))
    print(f"check vs numpy/scipy float64: LAF max |error| = {lvl_err:.5f} dB (after 1 s), "
          f"log-mel max |error| = {mel_err:.5f} dB")
    ok = lvl_err < 0.05 and mel_err < 0.05

    # --- whole-recording statistics of the meter (interval = the recording)
    line = next(l for l in run["stdout"].splitlines() if l.startswith("@levels "))
    got = {k: float(v) for k, v in (tok.split("=") for tok in line.split()[1:])}
    w = scipy.signal.sosfilt(design.weighting_sos("A", rate), pcm.astype(np.float64) / 32768.0)
    n_used = (len(pcm) // BLOCK) * BLOCK
    alpha = 1.0 - np.exp(-1.0 / (rate * 0.125))
    y = scipy.signal.lfilter([alpha], [1.0, -(1.0 - alpha)], w[:n_used] ** 2)
    lv = 10 * np.log10(y)
    hist = lv[int(0.01 * rate) - 1::int(0.01 * rate)]  # the meter samples its level every 10 ms
    ref = {"leq": 10 * np.log10(np.mean(w[:n_used] ** 2)), "lmax": lv.max(), "lmin": lv.min(),
           "l10": np.percentile(hist, 90), "l50": np.percentile(hist, 50), "l90": np.percentile(hist, 10)}
    print()
    print(f"{'sound level (dBFS, A, Fast)':28} {'firmware':>9} {'numpy':>9}")
    for k in ("leq", "lmax", "lmin", "l10", "l50", "l90"):
        print(f"  {k.upper():26} {got[k]:>9.2f} {ref[k]:>9.2f}")
    # Leq/Lmax exact; Lmin/Ln come from 0.1 dB histogram bins (and Lmin includes the start from silence).
    ok = ok and abs(got["leq"] - ref["leq"]) < 0.01 and abs(got["lmax"] - ref["lmax"]) < 0.01
    ok = ok and all(abs(got[k] - ref[k]) < 0.2 for k in ("l10", "l50", "l90"))

    # --- cost table
    rows = [("A-weighting + Fast level (every 10 ms)", counts["demo_level"]),
            ("log-mel 40 bands, n_fft 512, hop 10 ms", counts["demo_logmel"])]
    print()
    print("Cortex-M4F cost (QEMU mps2-an386, exact instruction counts, NOT cycles;")
    print("'% of 80 MHz' assumes one instruction per cycle: an estimate, real cores add wait states)")
    print(f"{'step':42} {'instructions':>13} {'per second of audio':>20} {'% of 80 MHz':>12}")
    total = 0.0
    for name, m in rows:
        per_s = m["instructions"] / seconds
        total += per_s
        print(f"{name:42} {m['instructions']:>13,} {per_s:>20,.0f} {100 * per_s / CLOCK_HZ:>11.2f}%")
    print(f"{'both':42} {'':>13} {total:>20,.0f} {100 * total / CLOCK_HZ:>11.2f}%")
    ram = sum(m["ram"] for _, m in rows)
    print(f"RAM of the processing state (meter + filterbank + FFT tables + scratch): {ram:,} bytes")

    # --- plot
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = np.arange(len(pcm)) / rate
    fig, ax = plt.subplots(3, 1, figsize=(10, 8), sharex=True)
    ax[0].plot(t, pcm / 32768.0, lw=0.4)
    ax[0].set_ylabel("signal (FS)")
    ax[0].set_title("tinysense demo: speech through the noise-meter chain on Cortex-M4F (QEMU)")
    tl = (np.arange(len(level)) + 1) * BLOCK / rate
    ax[1].plot(tl, ref_level[:len(level)], lw=2.5, color="0.75", label="numpy/scipy float64")
    ax[1].plot(tl, level, lw=1, label="tinysense firmware (float32)")
    ax[1].set_ylabel("LAF (dBFS)")
    ax[1].set_ylim(max(-100, np.min(level[settle:]) - 5), 0)
    ax[1].legend(loc="lower right")
    tm = (np.arange(logmel.shape[0]) * HOP + N_FFT / 2) / rate
    ax[2].imshow(logmel.T, origin="lower", aspect="auto", extent=[tm[0], tm[-1], 0, N_MELS], cmap="magma")
    ax[2].set_ylabel("mel band")
    ax[2].set_xlabel("time (s)")
    fig.tight_layout()
    png = os.path.join(args.out, "sound_demo.png")
    fig.savefig(png, dpi=90)
    print(f"\nplot: {png}")
    if not ok:
        print("demo: FAILED: firmware output does not match the reference")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
