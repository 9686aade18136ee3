// libFuzzer target: the record decoder/encoder and RecordLog on arbitrary flash
// images (input format: fuzz_record.hpp). Seeds in fuzz/corpus/fuzz_record/
// (written by tests/golden/gen_record.py --corpus). Build and run with fuzz/run.
#include <cstddef>
#include <cstdint>

#include "fuzz_record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tinysense::fuzz::run_record(data, size);
  return 0;
}
