// Umbrella header for the core: Status, Span, fixed-point helpers, checks.
#ifndef TINYSENSE_CORE_HPP
#define TINYSENSE_CORE_HPP
#include "tinysense/core/check.hpp"
#include "tinysense/core/fixed_point.hpp"
#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#endif  // TINYSENSE_CORE_HPP
