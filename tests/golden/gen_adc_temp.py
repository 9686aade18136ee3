"""Golden data for the ADC temperature sensor (tinysense/node/adc_temp.hpp).

A simulated 12-bit ADC (vref 3.3 V) with Gaussian noise of 0.8 LSB converts
the voltage of a sensor at known temperatures; for each case 4^e noisy codes
are recorded (the C++ test replays them in order through ReplayAdc) and the
numpy model gives the expected oversampled code and temperature:
  code = clip(floor(v / vref * 4096 + noise + 0.5), 0, 4095)
  s = sum(codes); over = s if e == 0 else (s + (1 << (e - 1))) >> e
  linear (TMP36): T = (over * vref / 2^(12 + e) - 0.5) / 0.010
  NTC (10 kOhm, B = 3950, T0 = 25 degC, 10 kOhm series, NTC to ground):
      r = over / 2^(12 + e); R = 10000 r / (1 - r)
      T = 1 / (1 / 298.15 + ln(R / 10000) / 3950) - 273.15
Per case (row of `cases`, float64): kind (0 linear, 1 NTC), e, first code
index, expected oversampled code, expected T, true T.
"""
import numpy as np

from goldenlib import output_path, write_header

BITS, VREF, SIGMA = 12, 3.3, 0.8
rng = np.random.default_rng(36)


def tmp36_volts(t):
    return 0.5 + 0.010 * t


def ntc_volts(t):
    r = 10000.0 * np.exp(3950.0 * (1.0 / (t + 273.15) - 1.0 / 298.15))
    return VREF * r / (r + 10000.0)


def convert(kind, over, e):
    full = float(1 << (BITS + e))
    if kind == 0:
        return (over * VREF / full - 0.5) / 0.010
    r = over / full
    res = 10000.0 * r / (1.0 - r)
    return 1.0 / (1.0 / 298.15 + np.log(res / 10000.0) / 3950.0) - 273.15


codes_all = []
cases = []
errors = {}
for kind, temps in ((0, [-20.0, 0.0, 22.5, 37.0, 60.0, 100.0]), (1, [-10.0, 0.0, 25.0, 50.0, 85.0])):
    for t in temps:
        v = tmp36_volts(t) if kind == 0 else ntc_volts(t)
        for e in (0, 1, 3, 5):
            n = 4 ** e
            codes = np.clip(np.floor(v / VREF * (1 << BITS) + SIGMA * rng.standard_normal(n) + 0.5),
                            0, (1 << BITS) - 1).astype(np.int64)
            s = int(codes.sum())
            over = s if e == 0 else (s + (1 << (e - 1))) >> e
            got = convert(kind, over, e)
            cases.append([kind, e, len(codes_all), over, got, t])
            errors.setdefault(e, []).append(abs(got - t))
            codes_all.extend(int(c) for c in codes)

# Oversampling must pay off in this very data (mean error at e = 5 well below e = 0).
assert np.mean(errors[5]) < 0.3 * np.mean(errors[0]), errors
write_header(output_path(), "adc_temp",
             {"codes": np.array(codes_all, np.uint32), "cases": np.array(cases, np.float64)},
             {"n_cases": len(cases)})
