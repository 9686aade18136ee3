#include "tinysense/dsp/weighting.hpp"

#include <cmath>

namespace tinysense::dsp {
namespace {

struct WeightingTableEntry {
  WeightingType type;
  float sample_rate;
  const float* sos;
};

#include "weighting_table.inc"

static_assert(kTableSectionsA == kWeightingSectionsA, "regenerate the table or update the header");
static_assert(kTableSectionsC == kWeightingSectionsC, "regenerate the table or update the header");
static_assert(kWeightingSectionsA <= kWeightingMaxSections &&
                  kWeightingSectionsC <= kWeightingMaxSections,
              "built-in cascades must fit WeightingN");

// A rate within 0.01 % of a built-in one shifts the response by < 0.005 dB.
constexpr float kRateRelTolerance = 1e-4f;

}  // namespace

Span<const float> builtin_weighting_sos(WeightingType type, float sample_rate) noexcept {
  if (type != WeightingType::kA && type != WeightingType::kC) return {};
  if (!(sample_rate > 0.0f)) return {};  // also rejects NaN
  const std::size_t sections =
      type == WeightingType::kA ? kWeightingSectionsA : kWeightingSectionsC;
  for (const WeightingTableEntry& e : kWeightingTable) {
    const float tolerance = kRateRelTolerance * e.sample_rate;
    if (e.type == type && std::fabs(sample_rate - e.sample_rate) <= tolerance) {
      return Span<const float>(e.sos, sections * kSosRowLen);
    }
  }
  return {};
}

Status Weighting::init(WeightingType type, float sample_rate, Span<float> state) noexcept {
  sos_ = Span<const float>();
  ready_ = false;
  if (type != WeightingType::kA && type != WeightingType::kC && type != WeightingType::kZ) {
    return Status::kInvalidArgument;
  }
  if (!(sample_rate > 0.0f) || !std::isfinite(sample_rate)) return Status::kInvalidArgument;
  if (type == WeightingType::kZ) {
    ready_ = true;
    return Status::kOk;
  }
  // Other rates: the coefficients need a least-squares fit that belongs on the
  // host. Run `python3 -m tinysense.design weighting A <rate>` and call
  // init(sos, state) with the printed array (or use Biquad directly).
  const Span<const float> sos = builtin_weighting_sos(type, sample_rate);
  if (sos.empty()) return Status::kNotSupported;
  if (state.size() < state_len(type)) return Status::kNoMemory;
  return init(sos, state);
}

Status Weighting::init(Span<const float> sos, Span<float> state) noexcept {
  sos_ = Span<const float>();
  ready_ = false;
  if (sos.empty() || sos.size() % kSosRowLen != 0 ||
      sos.size() / kSosRowLen > kWeightingMaxSections) {
    return Status::kSizeMismatch;
  }
  TINYSENSE_TRY(biquad_.init(sos, state));
  sos_ = sos;
  ready_ = true;
  return Status::kOk;
}

void Weighting::process(Span<const float> in, Span<float> out) noexcept {
  TINYSENSE_DCHECK(ready_ && out.size() == in.size());
  if (!sos_.empty()) {
    biquad_.process(in, out);
    return;
  }
  if (in.data() == out.data()) return;  // Z weighting in place: nothing to do
  for (std::size_t i = 0, n = in.size(); i < n; ++i) out[i] = in[i];
}

void Weighting::reset() noexcept {
  if (!sos_.empty()) biquad_.reset();
}

}  // namespace tinysense::dsp
