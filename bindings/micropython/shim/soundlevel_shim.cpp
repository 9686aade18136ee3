// Shim for tinysense_soundlevel: A/C/Z weighting filter and sound level meter.
// Custom coefficients are copied into the instance (the kernels keep a view).
#include "shim_util.hpp"
#include "tinysense/dsp/sound_level.hpp"
#include "tinysense/dsp/weighting.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::Carver;
using tinysense::mp::to_int;
namespace dsp = tinysense::dsp;

namespace {

struct WeightingInstance {
  dsp::Weighting filter;
};

struct MeterInstance {
  dsp::SoundLevelMeter meter;
};

bool type_ok(int type) noexcept {
  return type == TS_WEIGHT_A || type == TS_WEIGHT_C || type == TS_WEIGHT_Z;
}

dsp::WeightingType to_type(int type) noexcept {
  return type == TS_WEIGHT_A ? dsp::WeightingType::kA
         : type == TS_WEIGHT_C ? dsp::WeightingType::kC
                               : dsp::WeightingType::kZ;
}

// Weighting: [instance][sos copy][state]; state sized for any accepted cascade.
std::size_t weighting_layout(void* base, std::size_t sos_len, WeightingInstance** inst,
                             float** sos, float** state) noexcept {
  Carver c(base);
  *inst = c.make<WeightingInstance>();
  *sos = c.take<float>(sos_len);
  *state = c.take<float>(dsp::Weighting::kMaxStateLen);
  return c.size();
}

// Meter: [instance][sos copy][filter state][histogram].
std::size_t meter_layout(void* base, const ts_meter_config* cfg, MeterInstance** inst, float** sos,
                         float** state, std::uint32_t** hist) noexcept {
  Carver c(base);
  *inst = c.make<MeterInstance>();
  *sos = c.take<float>(cfg->sos_len);
  *state = c.take<float>(dsp::Weighting::kMaxStateLen);
  *hist = c.take<std::uint32_t>(cfg->hist_bins);
  return c.size();
}

}  // namespace

extern "C" {

size_t ts_weighting_bytes(size_t sos_len) {
  WeightingInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  return weighting_layout(nullptr, sos_len, &inst, &sos, &state);
}

int ts_weighting_init(void* mem, int type, float sample_rate, const float* sos_in,
                      size_t sos_len) {
  WeightingInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  weighting_layout(mem, sos_len, &inst, &sos, &state);
  const Span<float> st(state, dsp::Weighting::kMaxStateLen);
  if (sos_len > 0) {
    for (std::size_t i = 0; i < sos_len; ++i) sos[i] = sos_in[i];
    return to_int(inst->filter.init(Span<const float>(sos, sos_len), st));
  }
  if (!type_ok(type)) return to_int(Status::kInvalidArgument);
  return to_int(inst->filter.init(to_type(type), sample_rate, st));
}

void ts_weighting_process(void* mem, const float* in, float* out, size_t n) {
  static_cast<WeightingInstance*>(mem)->filter.process(Span<const float>(in, n),
                                                       Span<float>(out, n));
}

void ts_weighting_reset(void* mem) { static_cast<WeightingInstance*>(mem)->filter.reset(); }

const float* ts_weighting_sos(const void* mem, size_t* len) {
  const Span<const float> sos = static_cast<const WeightingInstance*>(mem)->filter.sos();
  *len = sos.size();
  return sos.empty() ? nullptr : sos.data();
}

const float* ts_weighting_builtin(int type, float sample_rate, size_t* len) {
  *len = 0;
  if (!type_ok(type)) return nullptr;
  const Span<const float> sos = dsp::builtin_weighting_sos(to_type(type), sample_rate);
  *len = sos.size();
  return sos.empty() ? nullptr : sos.data();
}

size_t ts_meter_bytes(const ts_meter_config* cfg) {
  MeterInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  std::uint32_t* hist = nullptr;
  return meter_layout(nullptr, cfg, &inst, &sos, &state, &hist);
}

int ts_meter_init(void* mem, const ts_meter_config* cfg) {
  if (!type_ok(cfg->weighting)) return to_int(Status::kInvalidArgument);
  MeterInstance* inst = nullptr;
  float* sos = nullptr;
  float* state = nullptr;
  std::uint32_t* hist = nullptr;
  meter_layout(mem, cfg, &inst, &sos, &state, &hist);
  for (std::size_t i = 0; i < cfg->sos_len; ++i) sos[i] = cfg->sos[i];
  dsp::SoundLevelConfig c;
  c.sample_rate = cfg->sample_rate;
  c.weighting = to_type(cfg->weighting);
  c.sos = Span<const float>(sos, cfg->sos_len);
  c.time_constant_s = cfg->tau;
  c.calibration_db = cfg->calibration_db;
  c.histogram_min_db = cfg->hist_min_db;
  c.histogram_bin_db = cfg->hist_bin_db;
  c.histogram_interval_s = cfg->hist_interval_s;
  return to_int(inst->meter.init(c, Span<float>(state, dsp::Weighting::kMaxStateLen),
                                 Span<std::uint32_t>(hist, cfg->hist_bins)));
}

void ts_meter_process(void* mem, const float* x, size_t n) {
  static_cast<MeterInstance*>(mem)->meter.process(Span<const float>(x, n));
}

void ts_meter_process_s16(void* mem, const int16_t* x, size_t n) {
  // Converted in chunks on the stack: no per-call allocation, full-scale +-1.
  constexpr std::size_t kChunk = 64;
  float buf[kChunk];
  dsp::SoundLevelMeter& meter = static_cast<MeterInstance*>(mem)->meter;
  for (std::size_t i = 0; i < n; i += kChunk) {
    const std::size_t len = n - i < kChunk ? n - i : kChunk;
    for (std::size_t k = 0; k < len; ++k) buf[k] = static_cast<float>(x[i + k]) * (1.0f / 32768.0f);
    meter.process(Span<const float>(buf, len));
  }
}

void ts_meter_reset(void* mem) { static_cast<MeterInstance*>(mem)->meter.reset(); }

void ts_meter_reset_interval(void* mem) {
  static_cast<MeterInstance*>(mem)->meter.reset_interval();
}

float ts_meter_read(const void* mem, int which) {
  const dsp::SoundLevelMeter& m = static_cast<const MeterInstance*>(mem)->meter;
  switch (which) {
    case TS_METER_LEVEL: return m.level_db();
    case TS_METER_LEQ: return m.leq_db();
    case TS_METER_LMAX: return m.lmax_db();
    case TS_METER_LMIN: return m.lmin_db();
    default: return m.level_db();
  }
}

float ts_meter_percentile(const void* mem, float percent) {
  return static_cast<const MeterInstance*>(mem)->meter.percentile_db(percent);
}

uint64_t ts_meter_interval_samples(const void* mem) {
  return static_cast<const MeterInstance*>(mem)->meter.interval_samples();
}

uint64_t ts_meter_histogram_samples(const void* mem) {
  return static_cast<const MeterInstance*>(mem)->meter.histogram_samples();
}

float ts_meter_alpha(const void* mem) { return static_cast<const MeterInstance*>(mem)->meter.alpha(); }

}  // extern "C"
