// Every numeric tolerance of the C++ tests, in one place.
//
// float32 kernels are compared with float64 numpy/scipy references, so the
// bounds are relative (error energy over signal energy) or SNR in dB. Q15
// kernels are compared bit for bit with a numpy integer model of the same
// arithmetic, so they have no tolerance at all.
#ifndef TINYSENSE_TESTS_TOLERANCES_HPP
#define TINYSENSE_TESTS_TOLERANCES_HPP

namespace tt::tol {

// FFT (float32, radix-2/4, n <= 4096) vs numpy float64: relative RMS error.
constexpr double kFftRelRms = 2e-6;
// Round trip irfft(rfft(x)) vs x.
constexpr double kFftRoundTripRelRms = 2e-6;
// Biquad cascades (float32 TDF-II) vs scipy.signal.sosfilt float64.
constexpr double kBiquadRelRms = 1e-5;
// Statistics on float32 input vs numpy float64 (relative to the value's scale).
constexpr double kStatsRel = 1e-5;
// Windows vs scipy.signal.get_window: absolute.
constexpr double kWindowAbs = 1e-6;
// Log-mel (dB or natural log) absolute error.
constexpr double kLogMelAbs = 1e-3;
// A/C-weighting magnitude response vs the IEC 61672-1 analog formula, in dB.
constexpr double kWeightingDb = 0.1;
// Sound level meter readings vs a float64 numpy model, in dB.
constexpr double kLevelDb = 0.01;

}  // namespace tt::tol

#endif  // TINYSENSE_TESTS_TOLERANCES_HPP
