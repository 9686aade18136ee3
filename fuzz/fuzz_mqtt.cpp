// libFuzzer target: the MQTT server-packet parser and the QoS 1 client (see fuzz_mqtt.hpp).
// Build and run with fuzz/run; the committed seeds are fuzz/corpus/fuzz_mqtt/.
#include <cstddef>
#include <cstdint>

#include "fuzz_mqtt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tinysense::fuzz::run_mqtt(data, size);
  return 0;
}
