"""Golden mel filterbanks and log-mel frames; also the numpy reference for tests/python.

librosa is not installed here, so this file re-implements, in numpy float64,
the formulas of librosa 0.10 that tinysense follows exactly:
librosa.hz_to_mel / mel_to_hz / mel_frequencies, librosa.fft_frequencies
(numpy.fft.rfftfreq), librosa.filters.mel(htk=, norm='slaney' | None) and
librosa.power_to_db(top_db=None). Framing is librosa's center=False:
frame t = x[t * hop : t * hop + n_fft], windowed by scipy's periodic Hann
(librosa's 'hann'), power = |rfft|**2.

Golden arrays (per filterbank config K): fbK_cfg = [sr, n_fft, n_mels, fmin,
fmax (0 = sr / 2), htk, slaney_norm], fbK_melf (librosa.mel_frequencies of
n_mels + 2 points), the sparse reference weights fbK_first / fbK_count / fbK_w
(non-zero runs per band, float64), and for some configs random power spectra
fbK_power (float32, n_spec x n_bins) with fbK_mel = W @ power (float64).
Audio: audio_x (int16 at 16 kHz, segments of audio_seg_len samples) and the
log-mel references audio_db (config 0, dB) / audio_ln (config 1, natural log);
audio_is_real = 0 when the LibriVox clip (Debian pocketsphinx-testdata) is
missing and a synthetic stand-in was used.
"""
import os

import numpy as np

WAV_DIR = "/usr/share/pocketsphinx/test/data/librivox"
WAV = os.path.join(WAV_DIR, "sense_and_sensibility_01_austen_64kb-0870.wav")


def hz_to_mel(frequencies, htk=False):
    f = np.asanyarray(frequencies, dtype=np.float64)
    if htk:
        return 2595.0 * np.log10(1.0 + f / 700.0)
    f_min, f_sp = 0.0, 200.0 / 3
    mels = (f - f_min) / f_sp
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(f >= min_log_hz,
                    min_log_mel + np.log(np.maximum(f, min_log_hz) / min_log_hz) / logstep, mels)


def mel_to_hz(mels, htk=False):
    m = np.asanyarray(mels, dtype=np.float64)
    if htk:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    f_min, f_sp = 0.0, 200.0 / 3
    freqs = f_min + f_sp * m
    min_log_hz = 1000.0
    min_log_mel = (min_log_hz - f_min) / f_sp
    logstep = np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), freqs)


def mel_frequencies(n_mels, fmin, fmax, htk=False):
    return mel_to_hz(np.linspace(hz_to_mel(fmin, htk), hz_to_mel(fmax, htk), n_mels), htk)


def mel_filterbank(sr, n_fft, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney"):
    """librosa.filters.mel in float64: (n_mels, n_fft // 2 + 1)."""
    if fmax is None:
        fmax = float(sr) / 2
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_frequencies(n_mels + 2, fmin, fmax, htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, len(fftfreqs)))
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, np.newaxis]
    elif norm is not None:
        raise ValueError(norm)
    return weights


def power_to_db(S, ref=1.0, amin=1e-10):
    """librosa.power_to_db(S, ref=ref, amin=amin, top_db=None)."""
    return 10.0 * np.log10(np.maximum(amin, S)) - 10.0 * np.log10(np.maximum(amin, ref))


def hann_periodic(n):
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)


def frames(x, n_fft, hop):
    n = 0 if len(x) < n_fft else 1 + (len(x) - n_fft) // hop
    return np.stack([x[t * hop:t * hop + n_fft] for t in range(n)]) if n else np.zeros((0, n_fft))


def log_mel(x, sr, n_fft, hop, n_mels, fmin=0.0, fmax=None, htk=False, norm="slaney",
            log="db", floor=1e-10, ref=1.0):
    """Log-mel frames of x (float64), (n_frames, n_mels)."""
    w = mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
    spec = np.fft.rfft(frames(np.asarray(x, np.float64), n_fft, hop) * hann_periodic(n_fft), axis=-1)
    mel = (np.abs(spec) ** 2) @ w.T
    if log == "db":
        return power_to_db(mel, ref=ref, amin=floor)
    return np.log(np.maximum(mel, floor))


def read_wav_int16(path=WAV):
    from scipy.io import wavfile
    sr, x = wavfile.read(path)
    assert x.dtype == np.int16 and x.ndim == 1
    return sr, x


def synthetic_speech(rng, n, sr=16000):
    """int16 stand-in for the LibriVox clip: a quiet noisy lead-in, then a
    gliding harmonic "voice" with a noise floor (wide in-frame dynamic range)."""
    t = np.arange(n) / sr
    f0 = 120.0 + 40.0 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sr
    voice = sum(np.sin(h * phase) / h for h in range(1, 30))
    env = np.clip((t - 1.0) * 4.0, 0.0, 1.0)
    x = 6000.0 * env * voice + 30.0 * rng.standard_normal(n)
    return np.clip(np.round(x), -32768, 32767).astype(np.int16)


# (sr, n_fft, n_mels, fmin, fmax or None, htk, norm). 0: librosa defaults at
# 16 kHz/512/40; 1: HTK without norm; 2: librosa's full defaults; 3: narrow
# low bands with empty filters; 4: large FFT, no norm; 5: smallest FFT.
FB_CONFIGS = [
    (16000, 512, 40, 0.0, None, False, "slaney"),
    (16000, 512, 40, 20.0, 7600.0, True, None),
    (22050, 2048, 128, 0.0, None, False, "slaney"),
    (8000, 256, 128, 0.0, 4000.0, True, "slaney"),
    (44100, 4096, 80, 50.0, 14000.0, False, None),
    (48000, 16, 3, 0.0, None, False, "slaney"),
]
AUDIO_SEGMENTS = (0, 52000)  # a quiet lead-in and speech
AUDIO_FRAMES, AUDIO_HOP, AUDIO_NFFT = 16, 160, 512
LN_FLOOR = 1e-6


def main():
    from goldenlib import output_path, write_header

    rng = np.random.default_rng(7)
    arrays = {}
    for k, (sr, n_fft, n_mels, fmin, fmax, htk, norm) in enumerate(FB_CONFIGS):
        w = mel_filterbank(sr, n_fft, n_mels, fmin, fmax, htk, norm)
        first, count, vals = [], [], []
        for row in w:
            nz = np.flatnonzero(row > 0)
            assert len(nz) == 0 or np.all(np.diff(nz) == 1)  # one contiguous run
            first.append(nz[0] if len(nz) else 0)
            count.append(len(nz))
            vals.append(row[nz])
        arrays[f"fb{k}_cfg"] = np.array([sr, n_fft, n_mels, fmin, 0.0 if fmax is None else fmax,
                                         float(htk), float(norm == "slaney")], np.float64)
        arrays[f"fb{k}_melf"] = mel_frequencies(n_mels + 2, fmin, sr / 2 if fmax is None else fmax,
                                                htk)
        arrays[f"fb{k}_first"] = np.array(first, np.int32)
        arrays[f"fb{k}_count"] = np.array(count, np.int32)
        arrays[f"fb{k}_w"] = np.concatenate(vals)
        if k in (0, 1, 2):
            n_bins = n_fft // 2 + 1
            p = (rng.exponential(1.0, (3, n_bins)) * 10.0 ** rng.uniform(-4, 4, (3, n_bins)))
            p = p.astype(np.float32)
            arrays[f"fb{k}_power"] = p
            arrays[f"fb{k}_mel"] = p.astype(np.float64) @ w.T

    if os.path.exists(WAV):
        sr, x = read_wav_int16()
        audio_is_real = 1
    else:  # Debian package pocketsphinx-testdata missing: keep the test, on a stand-in
        sr, x = 16000, synthetic_speech(rng, 60000)
        audio_is_real = 0
    seg_len = AUDIO_NFFT + (AUDIO_FRAMES - 1) * AUDIO_HOP
    segs = [x[s:s + seg_len] for s in AUDIO_SEGMENTS]
    arrays["audio_x"] = np.concatenate(segs)
    db, ln = [], []
    for s in segs:
        xf = s.astype(np.float64) / 32768.0
        c0, c1 = FB_CONFIGS[0], FB_CONFIGS[1]
        db.append(log_mel(xf, sr, AUDIO_NFFT, AUDIO_HOP, *c0[2:], log="db"))
        ln.append(log_mel(xf, sr, AUDIO_NFFT, AUDIO_HOP, *c1[2:], log="ln", floor=LN_FLOOR))
    arrays["audio_db"] = np.concatenate(db)
    arrays["audio_ln"] = np.concatenate(ln)
    scalars = {"audio_seg_len": seg_len, "audio_frames": AUDIO_FRAMES, "audio_hop": AUDIO_HOP,
               "audio_segments": len(segs), "audio_sr": sr, "num_configs": len(FB_CONFIGS),
               "audio_is_real": audio_is_real}
    write_header(output_path(), "mel", arrays, scalars)


if __name__ == "__main__":
    main()
