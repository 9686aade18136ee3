// Deterministic test signals for the benchmarks (fixed-seed LCG, no libm), so
// every run feeds the kernels the same data and counts are reproducible.
#ifndef TINYSENSE_BENCH_TARGET_BENCH_DATA_HPP
#define TINYSENSE_BENCH_TARGET_BENCH_DATA_HPP

#include <cstddef>
#include <cstdint>

namespace tinysense::bench {

// Uniform floats in [-amplitude, amplitude).
inline void fill_uniform(float* x, std::size_t n, float amplitude, std::uint32_t seed = 12345u) noexcept {
  std::uint32_t s = seed;
  for (std::size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    const float u = static_cast<float>(s >> 8) * (1.0f / 16777216.0f);  // [0, 1)
    x[i] = amplitude * (2.0f * u - 1.0f);
  }
}

// Uniform int16 in [-amplitude, amplitude] (amplitude <= 32767).
inline void fill_uniform_i16(std::int16_t* x, std::size_t n, std::int32_t amplitude,
                             std::uint32_t seed = 12345u) noexcept {
  std::uint32_t s = seed;
  const std::uint32_t span = static_cast<std::uint32_t>(2 * amplitude + 1);
  for (std::size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    x[i] = static_cast<std::int16_t>(static_cast<std::int32_t>((s >> 8) % span) - amplitude);
  }
}

}  // namespace tinysense::bench

#endif  // TINYSENSE_BENCH_TARGET_BENCH_DATA_HPP
