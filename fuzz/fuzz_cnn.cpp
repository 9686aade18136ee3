// libFuzzer target: the CNN model loader + runner (input format: fuzz_cnn.hpp).
// Seeds in fuzz/corpus/fuzz_cnn/: the shipped models and two small synthetic
// graphs (every op, int8 and float32), each without its CRC field. Build and
// run with fuzz/run (sources: src/core, src/ml/model.cpp, src/nn), e.g.
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -DTINYSENSE_DEBUG=1 \
//     -Iinclude -Ifuzz fuzz/fuzz_cnn.cpp src/core/*.cpp src/ml/model.cpp src/nn/*.cpp -o fuzz_cnn
#include <cstddef>
#include <cstdint>

#include "fuzz_cnn.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tinysense::fuzz::run_cnn(data, size);
  return 0;
}
