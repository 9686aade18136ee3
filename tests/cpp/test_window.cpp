// Windows vs scipy.signal.get_window.
#include "golden_window.hpp"
#include "tinysense/dsp/window.hpp"
#include "tolerances.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::dsp;

namespace {
float g_buf[1024 + 1];

void check(WindowType type, WindowSymmetry sym, const double* ref, std::size_t n) {
  g_buf[n] = 12345.0f;  // canary
  TT_CHECK(make_window(type, sym, Span<float>(g_buf, n)) == Status::kOk);
  TT_CHECK_LE(tt::max_abs_error(g_buf, ref, n), tt::tol::kWindowAbs);
  TT_CHECK_EQ(g_buf[n], 12345.0f);
}
}  // namespace

#define CHECK_ALL(name, type)                                                                     \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_1, 1);                   \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_2, 2);                   \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_7, 7);                   \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_64, 64);                 \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_400, 400);               \
  check(type, WindowSymmetry::kPeriodic, golden::window::name##_periodic_1024, 1024);             \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_1, 1);                 \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_2, 2);                 \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_7, 7);                 \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_64, 64);               \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_400, 400);             \
  check(type, WindowSymmetry::kSymmetric, golden::window::name##_symmetric_1024, 1024)

TT_TEST(hann_matches_scipy) { CHECK_ALL(hann, WindowType::kHann); }
TT_TEST(hamming_matches_scipy) { CHECK_ALL(hamming, WindowType::kHamming); }
TT_TEST(boxcar_matches_scipy) { CHECK_ALL(boxcar, WindowType::kRectangular); }

TT_TEST(rejects_empty_and_unknown) {
  TT_CHECK(make_window(WindowType::kHann, WindowSymmetry::kPeriodic, Span<float>()) ==
           Status::kInvalidArgument);
  float w[4];
  TT_CHECK(make_window(static_cast<WindowType>(99), WindowSymmetry::kPeriodic, Span<float>(w)) ==
           Status::kInvalidArgument);
}

TT_TEST(apply_window_in_place) {
  float x[4] = {1, 2, 3, 4};
  const float w[4] = {0.5f, 0.25f, 2.0f, 0.0f};
  apply_window(Span<const float>(x), Span<const float>(w), Span<float>(x));
  TT_CHECK_EQ(x[0], 0.5f);
  TT_CHECK_EQ(x[1], 0.5f);
  TT_CHECK_EQ(x[2], 6.0f);
  TT_CHECK_EQ(x[3], 0.0f);
}
