// libFuzzer target: the trees payload loader + runner (see fuzz_targets.hpp for the input format).
// Build and run with fuzz/run; the committed seeds are fuzz/corpus/fuzz_trees/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tinysense::fuzz::run_trees(data, size);
  return 0;
}
