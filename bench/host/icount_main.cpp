// bench_host_icount: exact x86-64 instruction counts of the host kernels.
//
// Run under `valgrind --tool=callgrind --collect-atstart=no`: for each case it
// runs the kernel once outside the measurement (page faults, lazy binding),
// then `reps` calls with collection on, and dumps one callgrind profile per
// case named "<kernel>/<impl>/<param> reps=<reps>". bench_report.py turns the
// dumps into bench/results/host_icount.json. Instruction counts are exactly
// repeatable, unlike wall clock on a shared machine; they ignore cache misses,
// SIMD width and latency, so they complement the timings rather than replace them.
// Usage: bench_host_icount [reps] [name-substring]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cases.hpp"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define TSBENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef TSBENCH_HAVE_CALLGRIND
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#define CALLGRIND_TOGGLE_COLLECT
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(name) static_cast<void>(name)
#define RUNNING_ON_VALGRIND 0
#endif

int main(int argc, char** argv) {
  const long reps = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 10;
  const std::string filter = argc > 2 ? argv[2] : "";
  if (reps <= 0) {
    std::fprintf(stderr, "usage: %s [reps > 0] [name-substring]\n", argv[0]);
    return 2;
  }
  if (!RUNNING_ON_VALGRIND) {
    std::fprintf(stderr, "note: not under valgrind; run via scripts/bench (callgrind) for counts\n");
  }
  int failures = 0;
  for (const auto& spec : tsbench::registry()) {
    if ((spec.modes & tsbench::kIcount) == 0) continue;
    const std::string name = spec.name();
    if (!filter.empty() && name.find(filter) == std::string::npos) continue;
    auto c = spec.make();
    const std::string err = c->error();
    if (!err.empty()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), err.c_str());
      ++failures;
      continue;
    }
    c->run();
    const std::string label = name + " reps=" + std::to_string(reps);
    CALLGRIND_ZERO_STATS;
    CALLGRIND_TOGGLE_COLLECT;
    for (long i = 0; i < reps; ++i) c->run();
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT(label.c_str());
    std::printf("%s samples=%zu\n", label.c_str(), spec.samples);
  }
  return failures == 0 ? 0 : 1;
}
