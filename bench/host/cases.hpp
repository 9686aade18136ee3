// Host benchmark cases: one kernel, set up once, run many times.
//
// Each bench_<stem>.cpp registers its cases in a process-wide registry; two
// drivers run them: bench_host (Google Benchmark, wall clock) and
// bench_host_icount (exact instruction counts under valgrind --tool=callgrind).
// Benchmark code is not library code: it may allocate and use std::vector.
#ifndef TINYSENSE_BENCH_HOST_CASES_HPP
#define TINYSENSE_BENCH_HOST_CASES_HPP

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tsbench {

// One kernel with its inputs and outputs allocated.
class Case {
 public:
  virtual ~Case() = default;
  // Empty when setup succeeded, else why not (init() status, mismatch, ...).
  virtual std::string error() const { return {}; }
  // One call of the kernel on the prepared input.
  virtual void run() noexcept = 0;
};

// Where a case runs: wall-clock timing, instruction counting, or both.
enum Mode : unsigned { kTime = 1u, kIcount = 2u, kBoth = 3u };

struct CaseSpec {
  std::string kernel;   // "rfft_f32", "biquad_q15", ...
  std::string impl;     // "tinysense", "kissfft", "fftw_measure", ...
  std::string param;    // "1024", "4x2000": what the report shows as the size
  std::size_t samples;  // input samples per call (items processed)
  std::size_t bytes;    // input bytes per call (bytes processed)
  unsigned modes;
  std::function<std::unique_ptr<Case>()> make;

  // Benchmark name "<kernel>/<impl>/<param>" (parsed by bench_report.py).
  std::string name() const { return kernel + "/" + impl + "/" + param; }
};

std::vector<CaseSpec>& registry();

// Registers specs at static-initialisation time (bench code only).
struct Registrar {
  explicit Registrar(std::vector<CaseSpec> specs);
};

// Deterministic pseudo-random test signals (fixed seed per call).
std::vector<float> noise_f32(std::size_t n, std::uint32_t seed, float amplitude = 1.0f);
std::vector<std::int16_t> noise_i16(std::size_t n, std::uint32_t seed, std::int16_t amplitude);

}  // namespace tsbench

#endif  // TINYSENSE_BENCH_HOST_CASES_HPP
