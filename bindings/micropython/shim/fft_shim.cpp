// Shim for tinysense_fft: real, complex and Q15 FFTs, spectra, windows.
#include "shim_util.hpp"
#include "tinysense/dsp/fft.hpp"
#include "tinysense/dsp/window.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace dsp = tinysense::dsp;

namespace {

struct RfftInstance {
  dsp::Rfft fft;
  dsp::Complex32* scratch;  // n/2 + 1 bins for spectrum()
};

struct CfftInstance {
  dsp::ComplexFft fft;
};

struct RfftQ15Instance {
  dsp::RfftQ15 fft;
  dsp::ComplexQ15* scratch;  // n/2 + 1 bins for power()
};

// One layout function per instance kind: measures when base is null.
std::size_t rfft_layout(void* base, std::size_t n, RfftInstance** inst,
                        Span<dsp::Complex32>* tw) noexcept {
  Carver c(base);
  *inst = c.make<RfftInstance>();
  *tw = Span<dsp::Complex32>(c.take<dsp::Complex32>(dsp::Rfft::twiddle_len(n)),
                             dsp::Rfft::twiddle_len(n));
  dsp::Complex32* scratch = c.take<dsp::Complex32>(n / 2 + 1);
  if (*inst != nullptr) (*inst)->scratch = scratch;
  return c.size();
}

std::size_t rfft_q15_layout(void* base, std::size_t n, RfftQ15Instance** inst,
                            Span<dsp::ComplexQ15>* tw) noexcept {
  Carver c(base);
  *inst = c.make<RfftQ15Instance>();
  *tw = Span<dsp::ComplexQ15>(c.take<dsp::ComplexQ15>(dsp::RfftQ15::twiddle_len(n)),
                              dsp::RfftQ15::twiddle_len(n));
  dsp::ComplexQ15* scratch = c.take<dsp::ComplexQ15>(n / 2 + 1);
  if (*inst != nullptr) (*inst)->scratch = scratch;
  return c.size();
}

std::size_t cfft_layout(void* base, std::size_t n, CfftInstance** inst,
                        Span<dsp::Complex32>* tw) noexcept {
  Carver c(base);
  *inst = c.make<CfftInstance>();
  *tw = Span<dsp::Complex32>(c.take<dsp::Complex32>(dsp::ComplexFft::twiddle_len(n)),
                             dsp::ComplexFft::twiddle_len(n));
  return c.size();
}

// Complex32 / ComplexQ15 are two packed floats / int16 (static_asserts in fft.hpp),
// so an interleaved buffer is an array of them.
const dsp::Complex32* as_c32(const float* p) noexcept {
  return reinterpret_cast<const dsp::Complex32*>(p);
}
dsp::Complex32* as_c32(float* p) noexcept { return reinterpret_cast<dsp::Complex32*>(p); }

}  // namespace

extern "C" {

size_t ts_rfft_bytes(size_t n) {
  if (!dsp::is_valid_fft_size(n)) return 0;
  RfftInstance* inst = nullptr;
  Span<dsp::Complex32> tw;
  return rfft_layout(nullptr, n, &inst, &tw);
}

int ts_rfft_init(void* mem, size_t n) {
  if (!dsp::is_valid_fft_size(n)) return to_int(Status::kInvalidArgument);
  RfftInstance* inst = nullptr;
  Span<dsp::Complex32> tw;
  rfft_layout(mem, n, &inst, &tw);
  return to_int(inst->fft.init(n, tw));
}

void ts_rfft_forward(void* mem, const float* x, float* out) {
  auto* inst = static_cast<RfftInstance*>(mem);
  const std::size_t n = inst->fft.size();
  inst->fft.forward(Span<const float>(x, n), Span<dsp::Complex32>(as_c32(out), n / 2 + 1));
}

void ts_rfft_inverse(void* mem, const float* spec, float* out) {
  auto* inst = static_cast<RfftInstance*>(mem);
  const std::size_t n = inst->fft.size();
  inst->fft.inverse(Span<const dsp::Complex32>(as_c32(spec), n / 2 + 1), Span<float>(out, n));
}

void ts_rfft_spectrum(void* mem, const float* x, float* out, int power) {
  auto* inst = static_cast<RfftInstance*>(mem);
  const std::size_t n = inst->fft.size();
  const std::size_t bins = n / 2 + 1;
  inst->fft.forward(Span<const float>(x, n), Span<dsp::Complex32>(inst->scratch, bins));
  if (power != 0) {
    dsp::power_spectrum(Span<const dsp::Complex32>(inst->scratch, bins), Span<float>(out, bins));
  } else {
    dsp::magnitude(Span<const dsp::Complex32>(inst->scratch, bins), Span<float>(out, bins));
  }
}

size_t ts_cfft_bytes(size_t n) {
  if (!dsp::is_valid_fft_size(n)) return 0;
  CfftInstance* inst = nullptr;
  Span<dsp::Complex32> tw;
  return cfft_layout(nullptr, n, &inst, &tw);
}

int ts_cfft_init(void* mem, size_t n) {
  if (!dsp::is_valid_fft_size(n)) return to_int(Status::kInvalidArgument);
  CfftInstance* inst = nullptr;
  Span<dsp::Complex32> tw;
  cfft_layout(mem, n, &inst, &tw);
  return to_int(inst->fft.init(n, tw));
}

void ts_cfft_forward(const void* mem, const float* in, float* out) {
  const auto* inst = static_cast<const CfftInstance*>(mem);
  const std::size_t n = inst->fft.size();
  inst->fft.forward(Span<const dsp::Complex32>(as_c32(in), n), Span<dsp::Complex32>(as_c32(out), n));
}

void ts_cfft_inverse(const void* mem, const float* in, float* out) {
  const auto* inst = static_cast<const CfftInstance*>(mem);
  const std::size_t n = inst->fft.size();
  inst->fft.inverse(Span<const dsp::Complex32>(as_c32(in), n), Span<dsp::Complex32>(as_c32(out), n));
}

size_t ts_rfft_q15_bytes(size_t n) {
  if (!dsp::is_valid_fft_size(n)) return 0;
  RfftQ15Instance* inst = nullptr;
  Span<dsp::ComplexQ15> tw;
  return rfft_q15_layout(nullptr, n, &inst, &tw);
}

int ts_rfft_q15_init(void* mem, size_t n) {
  if (!dsp::is_valid_fft_size(n)) return to_int(Status::kInvalidArgument);
  RfftQ15Instance* inst = nullptr;
  Span<dsp::ComplexQ15> tw;
  rfft_q15_layout(mem, n, &inst, &tw);
  return to_int(inst->fft.init(n, tw));
}

void ts_rfft_q15_forward(void* mem, const int16_t* x, int16_t* out) {
  auto* inst = static_cast<RfftQ15Instance*>(mem);
  const std::size_t n = inst->fft.size();
  inst->fft.forward(Span<const tinysense::q15_t>(x, n),
                    Span<dsp::ComplexQ15>(reinterpret_cast<dsp::ComplexQ15*>(out), n / 2 + 1));
}

void ts_rfft_q15_power(void* mem, const int16_t* x, int32_t* out) {
  auto* inst = static_cast<RfftQ15Instance*>(mem);
  const std::size_t n = inst->fft.size();
  const std::size_t bins = n / 2 + 1;
  inst->fft.forward(Span<const tinysense::q15_t>(x, n), Span<dsp::ComplexQ15>(inst->scratch, bins));
  dsp::power_spectrum_q15(Span<const dsp::ComplexQ15>(inst->scratch, bins),
                          Span<std::int32_t>(out, bins));
}

void ts_power_spectrum(const float* spec, size_t bins, float* out) {
  dsp::power_spectrum(Span<const dsp::Complex32>(as_c32(spec), bins), Span<float>(out, bins));
}

void ts_magnitude(const float* spec, size_t bins, float* out) {
  dsp::magnitude(Span<const dsp::Complex32>(as_c32(spec), bins), Span<float>(out, bins));
}

int ts_get_window(int type, int symmetric, float* out, size_t n) {
  dsp::WindowType t;
  switch (type) {
    case TS_WIN_BOXCAR: t = dsp::WindowType::kRectangular; break;
    case TS_WIN_HANN: t = dsp::WindowType::kHann; break;
    case TS_WIN_HAMMING: t = dsp::WindowType::kHamming; break;
    default: return to_int(Status::kInvalidArgument);
  }
  return to_int(dsp::make_window(
      t, symmetric != 0 ? dsp::WindowSymmetry::kSymmetric : dsp::WindowSymmetry::kPeriodic,
      Span<float>(out, n)));
}

}  // extern "C"
