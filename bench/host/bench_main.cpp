// bench_host: runs every registered case with Google Benchmark (wall clock).
// Usage: bench_host [--benchmark_* flags]; scripts/bench passes the flags that
// write bench/results/host.json.
#include <benchmark/benchmark.h>

#include <fstream>
#include <memory>
#include <string>

#include "cases.hpp"

#ifndef TSBENCH_COMPILER
#define TSBENCH_COMPILER "unknown"
#endif
#ifndef TSBENCH_CXX_FLAGS
#define TSBENCH_CXX_FLAGS "unknown"
#endif

namespace {

// "model name" from /proc/cpuinfo (Google Benchmark's context lacks it).
std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size()) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("tinysense_compiler", TSBENCH_COMPILER);
  benchmark::AddCustomContext("tinysense_cxx_flags", TSBENCH_CXX_FLAGS);

  for (const auto& spec : tsbench::registry()) {
    if ((spec.modes & tsbench::kTime) == 0) continue;
    // Set up once per process: FFTW_MEASURE planning and the correctness check
    // are not repeated for every repetition.
    auto holder = std::make_shared<std::unique_ptr<tsbench::Case>>();
    auto make = spec.make;
    const auto samples = static_cast<double>(spec.samples);
    const auto bytes = static_cast<double>(spec.bytes);
    benchmark::RegisterBenchmark(spec.name().c_str(), [holder, make, samples, bytes](benchmark::State& st) {
      if (!*holder) *holder = make();
      tsbench::Case& c = **holder;
      const std::string err = c.error();
      if (!err.empty()) {
        st.SkipWithError(err.c_str());
        return;
      }
      for (auto _ : st) {
        c.run();
        benchmark::ClobberMemory();
      }
      st.SetItemsProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(samples));
      st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations()) * static_cast<std::int64_t>(bytes));
      st.counters["samples_per_call"] = samples;
    });
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
