// Header peeking shared by the model shims: plausibility only (the kernels'
// load() validates the whole file); no alignment requirement.
#ifndef TINYSENSE_MP_MODEL_SHIM_HPP
#define TINYSENSE_MP_MODEL_SHIM_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/ml/model.hpp"

namespace tinysense::mp {

// True when `model` starts with a container header of `kind`.
inline bool header_ok(const std::uint8_t* model, std::size_t len, ml::ModelKind kind) noexcept {
  return model != nullptr && len >= ml::kModelHeaderSize && model[0] == 'T' && model[1] == 'S' &&
         model[2] == 'M' && model[3] == 'D' &&
         ml::read_u16(model + 6) == static_cast<std::uint16_t>(kind);
}

constexpr std::size_t kOffArenaBytes = 12;
constexpr std::size_t kOffInputs = 20;
constexpr std::size_t kOffOutputs = 24;

}  // namespace tinysense::mp

#endif  // TINYSENSE_MP_MODEL_SHIM_HPP
