// Shim for tinysense_iir: float32 and Q15 biquad cascades (scipy sos layout).
// Each instance holds its own copy of the coefficients, so the Python caller
// may reuse or free its sos array after construction.
#include "shim_util.hpp"
#include "tinysense/dsp/biquad.hpp"

using tinysense::q15_t;
using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace dsp = tinysense::dsp;

namespace {

struct IirInstance {
  dsp::Biquad filter;
};

struct IirQ15Instance {
  dsp::BiquadQ15 filter;
};

template <class Instance, class Coef>
std::size_t layout(void* base, std::size_t sections, std::size_t state_len, Instance** inst,
                   Coef** sos, Coef** state) noexcept {
  Carver c(base);
  *inst = c.template make<Instance>();
  *sos = c.template take<Coef>(dsp::kSosRowLen * sections);
  *state = c.template take<Coef>(state_len);
  return c.size();
}

bool sections_ok(std::size_t sos_len) noexcept {
  return sos_len != 0 && sos_len % dsp::kSosRowLen == 0;
}

}  // namespace

extern "C" {

size_t ts_iir_bytes(size_t sections) {
  IirInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  return layout(nullptr, sections, dsp::Biquad::state_len(sections), &inst, &sos, &state);
}

int ts_iir_init(void* mem, const float* sos_in, size_t sos_len) {
  if (!sections_ok(sos_len)) return to_int(Status::kSizeMismatch);
  const std::size_t sections = sos_len / dsp::kSosRowLen;
  IirInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  layout(mem, sections, dsp::Biquad::state_len(sections), &inst, &sos, &state);
  for (std::size_t i = 0; i < sos_len; ++i) sos[i] = sos_in[i];
  return to_int(inst->filter.init(Span<const float>(sos, sos_len),
                                  Span<float>(state, dsp::Biquad::state_len(sections))));
}

void ts_iir_process(void* mem, const float* in, float* out, size_t n) {
  static_cast<IirInstance*>(mem)->filter.process(Span<const float>(in, n), Span<float>(out, n));
}

void ts_iir_reset(void* mem) { static_cast<IirInstance*>(mem)->filter.reset(); }

size_t ts_iir_sections(const void* mem) {
  return static_cast<const IirInstance*>(mem)->filter.sections();
}

size_t ts_iir_q15_bytes(size_t sections) {
  IirQ15Instance* inst = nullptr;
  q15_t* sos = nullptr;
  q15_t* state = nullptr;
  return layout(nullptr, sections, dsp::BiquadQ15::state_len(sections), &inst, &sos, &state);
}

int ts_iir_q15_init(void* mem, const int16_t* sos_in, size_t sos_len, int post_shift) {
  if (!sections_ok(sos_len)) return to_int(Status::kSizeMismatch);
  const std::size_t sections = sos_len / dsp::kSosRowLen;
  IirQ15Instance* inst = nullptr;
  q15_t* sos = nullptr;
  q15_t* state = nullptr;
  layout(mem, sections, dsp::BiquadQ15::state_len(sections), &inst, &sos, &state);
  for (std::size_t i = 0; i < sos_len; ++i) sos[i] = sos_in[i];
  return to_int(inst->filter.init(Span<const q15_t>(sos, sos_len), post_shift,
                                  Span<q15_t>(state, dsp::BiquadQ15::state_len(sections))));
}

int ts_iir_q15_init_float(void* mem, const float* sos_in, size_t sos_len) {
  if (!sections_ok(sos_len)) return to_int(Status::kSizeMismatch);
  const std::size_t sections = sos_len / dsp::kSosRowLen;
  IirQ15Instance* inst = nullptr;
  q15_t* sos = nullptr;
  q15_t* state = nullptr;
  layout(mem, sections, dsp::BiquadQ15::state_len(sections), &inst, &sos, &state);
  int post_shift = 0;
  TS_TRY(dsp::sos_to_q15(Span<const float>(sos_in, sos_len), Span<q15_t>(sos, sos_len),
                                    &post_shift));
  return to_int(inst->filter.init(Span<const q15_t>(sos, sos_len), post_shift,
                                  Span<q15_t>(state, dsp::BiquadQ15::state_len(sections))));
}

void ts_iir_q15_process(void* mem, const int16_t* in, int16_t* out, size_t n) {
  static_cast<IirQ15Instance*>(mem)->filter.process(Span<const q15_t>(in, n), Span<q15_t>(out, n));
}

void ts_iir_q15_reset(void* mem) { static_cast<IirQ15Instance*>(mem)->filter.reset(); }

size_t ts_iir_q15_sections(const void* mem) {
  return static_cast<const IirQ15Instance*>(mem)->filter.sections();
}

int ts_iir_q15_post_shift(const void* mem) {
  return static_cast<const IirQ15Instance*>(mem)->filter.post_shift();
}

}  // extern "C"
