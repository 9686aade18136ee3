// Shim entry points every module may use.
#include "shim_util.hpp"
#include "tinysense/dsp/fft.hpp"

extern "C" const char* ts_status_str(int status) {
  return tinysense::to_string(static_cast<tinysense::Status>(status));
}

extern "C" int ts_fft_size_ok(size_t n) { return tinysense::dsp::is_valid_fft_size(n) ? 1 : 0; }
