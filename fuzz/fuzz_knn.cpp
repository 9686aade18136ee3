// libFuzzer target: the k-NN payload loader + runner (see fuzz_targets.hpp for the input format).
// Build and run with fuzz/run; the committed seeds are fuzz/corpus/fuzz_knn/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tinysense::fuzz::run_knn(data, size);
  return 0;
}
