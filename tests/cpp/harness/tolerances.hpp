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
// Biquad final state vs scipy's zf: absolute, per unit of (|zf| + 1).
constexpr double kBiquadStateRel = 1e-5;
// Biquad DC / pure-tone steady-state gain vs the analytic value / sosfreqz: relative.
constexpr double kBiquadGainRel = 1e-4;
// BiquadQ15 (4-section lowpass, moderate input) vs the float64 response of the
// unquantised sos: minimum SNR in dB (the int model gives 61 dB).
constexpr double kBiquadQ15SnrDb = 55.0;
// Statistics on float32 input vs numpy float64 (relative to the value's scale).
constexpr double kStatsRel = 1e-5;
// Statistics on int16 input: exact integer sums, rounded to float once (a few ulp).
constexpr double kStatsInt16Rel = 3e-7;
// Windows vs scipy.signal.get_window: absolute.
constexpr double kWindowAbs = 1e-6;
// Log-mel (dB or natural log) absolute error.
constexpr double kLogMelAbs = 1e-3;
// Mel filterbank weights (vs the largest weight) and mel energies (float32
// weights and accumulation vs float64), relative.
constexpr double kMelRel = 1e-6;
// Log-mel bands more than 60 dB below their frame's loudest band: float32 FFT
// rounding noise (~140 dB below the frame's peak) dominates them.
constexpr double kLogMelQuietAbs = 1e-2;
// A/C-weighting magnitude response vs the IEC 61672-1 analog formula, in dB.
constexpr double kWeightingDb = 0.1;
// Sound level meter readings vs a float64 numpy model, in dB.
constexpr double kLevelDb = 0.01;
// CNN float32 kernels (conv/dense sums of <= 100 terms, values ~1..10) vs float64.
constexpr double kCnnFloatAbs = 1e-4;
// Softmax probabilities (float32 expf) vs float64.
constexpr double kCnnSoftmaxAbs = 2e-6;
// Whole float32 CNN (the shipped graphs) vs the float64 numpy model: softmax output.
constexpr double kCnnModelFloatAbs = 1e-4;
// Bilinear resize (weights rounded to 1/2048, output rounded) vs float64, in
// pixel levels: 0.5 from the final rounding + 2 * 255 / 4096 from the weights.
constexpr double kImgBilinearAbs = 0.625;

// Trees predict_proba vs sklearn float64: u16 leaves are within 1.5 quantisation
// steps of 1/65535 (rounding + the argmax-keeping nudge), float32 leaves a few ulp.
constexpr double kTreesProbaU16Abs = 1.5 / 65535.0 + 1e-7;
constexpr double kTreesProbaF32Abs = 1e-6;
// Trees regression, float32 leaves summed in float32: max error / max |value|.
constexpr double kTreesRegressF32Rel = 1e-6;

// Node runtime (tinysense/node): first-order DC-blocking high-pass in float32
// vs scipy.signal.lfilter float64, relative RMS error.
constexpr double kMicDcRelRms = 2e-6;  // measured 3.5e-7
// Oversampled ADC temperature (float32 conversion) vs the numpy float64 model, degC.
constexpr double kAdcTempAbsC = 1e-3;

}  // namespace tt::tol

#endif  // TINYSENSE_TESTS_TOLERANCES_HPP
