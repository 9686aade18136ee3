// tt: the tiny test harness shared by the host and the Cortex-M (QEMU) runs.
//
// GoogleTest needs an OS; this needs printf. Each test binary links
// tt_main.cpp, registers TT_TEST cases through static objects, and ends with
// the line "<binary>: N passed, N failed". Checks record a failure and carry on
// within the test, so one run shows every broken expectation.
#ifndef TINYSENSE_TESTS_TT_HPP
#define TINYSENSE_TESTS_TT_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>

namespace tt {

using TestFn = void (*)();

struct TestCase {
  const char* name;
  TestFn fn;
  TestCase* next;
};

// Links a test into the global list; runs before main() (test code only).
struct Registrar {
  Registrar(TestCase* tc) noexcept;  // NOLINT
};

// Records a failed expectation with its location and message.
void fail(const char* file, int line, const char* what) noexcept;
// Number of failed expectations in the current test so far.
int current_failures() noexcept;

// Relative RMS error: ||got - ref|| / max(||ref||, tiny).
double rel_rms_error(const float* got, const double* ref, std::size_t n) noexcept;
double rel_rms_error(const float* got, const float* ref, std::size_t n) noexcept;
// Signal-to-noise ratio of got against ref in dB (inf when exact).
double snr_db(const float* got, const double* ref, std::size_t n) noexcept;
// Maximum absolute difference.
double max_abs_error(const float* got, const double* ref, std::size_t n) noexcept;
double max_abs_error(const float* got, const float* ref, std::size_t n) noexcept;

}  // namespace tt

#define TT_CONCAT_INNER(a, b) a##b
#define TT_CONCAT(a, b) TT_CONCAT_INNER(a, b)

#define TT_TEST(name)                                                     \
  static void name();                                                     \
  static tt::TestCase TT_CONCAT(tt_case_, name) = {#name, name, nullptr}; \
  static tt::Registrar TT_CONCAT(tt_reg_, name)(&TT_CONCAT(tt_case_, name)); \
  static void name()

#define TT_CHECK(cond)                                 \
  do {                                                 \
    if (!(cond)) tt::fail(__FILE__, __LINE__, #cond); \
  } while (0)

#define TT_CHECK_EQ(a, b)                                          \
  do {                                                             \
    if (!((a) == (b))) tt::fail(__FILE__, __LINE__, #a " == " #b); \
  } while (0)

// |a - b| <= tol, with a and b converted to double.
#define TT_CHECK_NEAR(a, b, tol)                                                       \
  do {                                                                                 \
    const double tt_a_ = static_cast<double>(a), tt_b_ = static_cast<double>(b);       \
    if (!(std::fabs(tt_a_ - tt_b_) <= static_cast<double>(tol))) {                     \
      char tt_buf_[160];                                                               \
      std::snprintf(tt_buf_, sizeof tt_buf_, "|%s - %s| <= %s (%.9g vs %.9g)", #a, #b, \
                    #tol, tt_a_, tt_b_);                                               \
      tt::fail(__FILE__, __LINE__, tt_buf_);                                           \
    }                                                                                  \
  } while (0)

// value <= bound, printing both on failure.
#define TT_CHECK_LE(value, bound)                                                        \
  do {                                                                                   \
    const double tt_v_ = static_cast<double>(value), tt_b_ = static_cast<double>(bound); \
    if (!(tt_v_ <= tt_b_)) {                                                             \
      char tt_buf_[160];                                                                 \
      std::snprintf(tt_buf_, sizeof tt_buf_, "%s <= %s (%.9g vs %.9g)", #value, #bound,  \
                    tt_v_, tt_b_);                                                       \
      tt::fail(__FILE__, __LINE__, tt_buf_);                                             \
    }                                                                                    \
  } while (0)

#define TT_CHECK_GE(value, bound) TT_CHECK_LE(bound, value)

#endif  // TINYSENSE_TESTS_TT_HPP
