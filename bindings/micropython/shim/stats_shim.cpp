// Shim for tinysense_stats: statistics, features and int16 <-> float conversion.
#include "shim_util.hpp"
#include "tinysense/dsp/stats.hpp"

using tinysense::Span;
using tinysense::Status;
using tinysense::mp::to_int;
namespace dsp = tinysense::dsp;

namespace {

// One statistic of float or int16 input as float (int16 min/max/ptp exact).
template <class T>
Status stat(int which, Span<const T> x, std::size_t ddof, float* out) noexcept {
  switch (which) {
    case TS_STAT_MEAN: return dsp::mean(x, out);
    case TS_STAT_VAR: return dsp::variance(x, out, ddof);
    case TS_STAT_STD: return dsp::stddev(x, out, ddof);
    case TS_STAT_RMS: return dsp::rms(x, out);
    case TS_STAT_ZCR: return dsp::zero_crossing_rate(x, out);
    default: break;
  }
  if constexpr (std::is_same_v<T, float>) {
    switch (which) {
      case TS_STAT_MIN: return dsp::min_value(x, out);
      case TS_STAT_MAX: return dsp::max_value(x, out);
      case TS_STAT_PTP: return dsp::ptp(x, out);
      default: break;
    }
  } else {
    switch (which) {
      case TS_STAT_MIN: {
        std::int16_t v = 0;
        TINYSENSE_TRY(dsp::min_value(x, &v));
        *out = static_cast<float>(v);
        return Status::kOk;
      }
      case TS_STAT_MAX: {
        std::int16_t v = 0;
        TINYSENSE_TRY(dsp::max_value(x, &v));
        *out = static_cast<float>(v);
        return Status::kOk;
      }
      case TS_STAT_PTP: {
        std::int32_t v = 0;
        TINYSENSE_TRY(dsp::ptp(x, &v));
        *out = static_cast<float>(v);  // <= 65535: exact
        return Status::kOk;
      }
      default: break;
    }
  }
  return Status::kInvalidArgument;
}

void unpack(const dsp::Features& f, float* out) noexcept {
  out[0] = f.mean;
  out[1] = f.stddev;
  out[2] = f.min;
  out[3] = f.max;
  out[4] = f.rms;
  out[5] = f.ptp;
  out[6] = f.zcr;
  out[7] = f.energy;
}

}  // namespace

extern "C" {

int ts_stat_f32(int which, const float* x, size_t n, size_t ddof, float* out) {
  return to_int(stat<float>(which, Span<const float>(x, n), ddof, out));
}

int ts_stat_s16(int which, const int16_t* x, size_t n, size_t ddof, float* out) {
  return to_int(stat<std::int16_t>(which, Span<const std::int16_t>(x, n), ddof, out));
}

float ts_sum_f32(const float* x, size_t n) { return dsp::sum(Span<const float>(x, n)); }
int64_t ts_sum_s16(const int16_t* x, size_t n) { return dsp::sum(Span<const std::int16_t>(x, n)); }
float ts_energy_f32(const float* x, size_t n) { return dsp::energy(Span<const float>(x, n)); }
uint64_t ts_energy_s16(const int16_t* x, size_t n) {
  return dsp::energy(Span<const std::int16_t>(x, n));
}
size_t ts_zero_crossings_f32(const float* x, size_t n) {
  return dsp::zero_crossings(Span<const float>(x, n));
}
size_t ts_zero_crossings_s16(const int16_t* x, size_t n) {
  return dsp::zero_crossings(Span<const std::int16_t>(x, n));
}

int ts_percentiles_f32(const float* x, size_t n, const float* q, size_t nq, float* scratch,
                       float* out) {
  return to_int(dsp::percentiles(Span<const float>(x, n), Span<const float>(q, nq),
                                 Span<float>(scratch, n), Span<float>(out, nq)));
}

int ts_percentiles_s16(const int16_t* x, size_t n, const float* q, size_t nq, int16_t* scratch,
                       float* out) {
  return to_int(dsp::percentiles(Span<const std::int16_t>(x, n), Span<const float>(q, nq),
                                 Span<std::int16_t>(scratch, n), Span<float>(out, nq)));
}

int ts_features_f32(const float* x, size_t n, float* out) {
  dsp::Features f{};
  TS_TRY(dsp::features(Span<const float>(x, n), &f));
  unpack(f, out);
  return TS_OK;
}

int ts_features_s16(const int16_t* x, size_t n, float* out) {
  dsp::Features f{};
  TS_TRY(dsp::features(Span<const std::int16_t>(x, n), &f));
  unpack(f, out);
  return TS_OK;
}

void ts_int16_to_float(const int16_t* in, size_t n, float scale, float* out) {
  dsp::int16_to_float(Span<const std::int16_t>(in, n), scale, Span<float>(out, n));
}

void ts_float_to_int16(const float* in, size_t n, float scale, int16_t* out) {
  dsp::float_to_int16(Span<const float>(in, n), scale, Span<std::int16_t>(out, n));
}

}  // extern "C"
