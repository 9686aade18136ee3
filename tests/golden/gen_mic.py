"""Golden data for the microphone reader (tinysense/node/mic.hpp).

A 16 kHz test signal (440 Hz + 1 kHz tones, noise, and a DC offset of 0.2
full scale as MEMS microphones have) stored three ways, as WAV files:
  wav16: int16 PCM                              -> x16 / 32768
  wav24: int32 PCM, 24 valid bits (INMP441-like), 8 low bits of noise
                                                 -> x24 / 2^23
  wav18: int32 PCM, 18 valid bits (SPH0645-like), 14 low bits of noise
                                                 -> x18 / 2^17
raw*: the exact float values; hp*: scipy.signal.lfilter(b, a, raw) with
b, a = scipy.signal.butter(1, fc, 'highpass', fs=16000), fc = 20 Hz (wav16,
wav24) and 100 Hz (wav18); b20/a20, b100/a100 the coefficients (float64).
"""
import io
import wave

import numpy as np
from scipy import signal

from goldenlib import output_path, write_header

FS = 16000
N = 2400
rng = np.random.default_rng(2024)
t = np.arange(N) / FS
x = 0.2 + 0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1000 * t + 1.0) \
    + 0.02 * rng.standard_normal(N)
x = np.clip(x, -0.99, 0.99)

x16 = np.round(x * 32767).astype(np.int16)
x24 = np.round(x * (1 << 23)).astype(np.int64)
x18 = np.round(x * (1 << 17)).astype(np.int64)
w24 = ((x24 << 8) | rng.integers(0, 1 << 8, N)).astype(np.int32)
w18 = ((x18 << 14) | rng.integers(0, 1 << 14, N)).astype(np.int32)


def wav_bytes(samples, width):
    f = io.BytesIO()
    with wave.open(f, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(FS)
        w.writeframes(samples.astype(f"<i{width}").tobytes())
    return np.frombuffer(f.getvalue(), np.uint8).copy()


raw16 = x16.astype(np.float64) / 32768.0
raw24 = x24.astype(np.float64) / (1 << 23)
raw18 = x18.astype(np.float64) / (1 << 17)
b20, a20 = signal.butter(1, 20.0, "highpass", fs=FS)
b100, a100 = signal.butter(1, 100.0, "highpass", fs=FS)

arrays = {
    "wav16": wav_bytes(x16, 2),
    "wav24": wav_bytes(w24, 4),
    "wav18": wav_bytes(w18, 4),
    "raw16": raw16,
    "raw24": raw24,
    "raw18": raw18,
    "hp16": signal.lfilter(b20, a20, raw16),
    "hp24": signal.lfilter(b20, a20, raw24),
    "hp18": signal.lfilter(b100, a100, raw18),
    "b20": np.asarray(b20, np.float64),
    "a20": np.asarray(a20, np.float64),
    "b100": np.asarray(b100, np.float64),
    "a100": np.asarray(a100, np.float64),
}
# Steady-state gain of the 20 Hz high-pass at 1 kHz (for the tone check).
_, h = signal.freqz(b20, a20, worN=[1000.0], fs=FS)
write_header(output_path(), "mic", arrays, {"fs": FS, "gain_1k": float(abs(h[0]))})
