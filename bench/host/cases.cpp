// Case registry and test-signal helpers shared by the host benchmark drivers.
#include "cases.hpp"

#include <random>
#include <utility>

namespace tsbench {

std::vector<CaseSpec>& registry() {
  static std::vector<CaseSpec> specs;  // bench code: a function-local static is fine here
  return specs;
}

Registrar::Registrar(std::vector<CaseSpec> specs) {
  for (auto& s : specs) registry().push_back(std::move(s));
}

std::vector<float> noise_f32(std::size_t n, std::uint32_t seed, float amplitude) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-amplitude, amplitude);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<std::int16_t> noise_i16(std::size_t n, std::uint32_t seed, std::int16_t amplitude) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-amplitude, amplitude);
  std::vector<std::int16_t> v(n);
  for (auto& x : v) x = static_cast<std::int16_t>(dist(rng));
  return v;
}

}  // namespace tsbench
