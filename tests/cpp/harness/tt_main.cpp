#include <cstdio>
#include <cstring>

#include "tt.hpp"

namespace tt {
namespace {
TestCase* g_head = nullptr;
TestCase* g_tail = nullptr;
int g_current_failures = 0;
}  // namespace

Registrar::Registrar(TestCase* tc) noexcept {
  // Append so tests run in source order.
  if (g_tail == nullptr) {
    g_head = tc;
  } else {
    g_tail->next = tc;
  }
  g_tail = tc;
}

void fail(const char* file, int line, const char* what) noexcept {
  ++g_current_failures;
  const char* base = std::strrchr(file, '/');
  std::printf("    FAIL %s:%d: %s\n", base != nullptr ? base + 1 : file, line, what);
}

int current_failures() noexcept { return g_current_failures; }

template <class A, class B>
static double rel_rms_impl(const A* got, const B* ref, std::size_t n) noexcept {
  double num = 0.0, den = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = static_cast<double>(got[i]) - static_cast<double>(ref[i]);
    num += d * d;
    den += static_cast<double>(ref[i]) * static_cast<double>(ref[i]);
  }
  return std::sqrt(num / (den > 1e-300 ? den : 1e-300));
}

double rel_rms_error(const float* got, const double* ref, std::size_t n) noexcept {
  return rel_rms_impl(got, ref, n);
}
double rel_rms_error(const float* got, const float* ref, std::size_t n) noexcept {
  return rel_rms_impl(got, ref, n);
}

double snr_db(const float* got, const double* ref, std::size_t n) noexcept {
  const double r = rel_rms_impl(got, ref, n);
  return r <= 0.0 ? 1e9 : -20.0 * std::log10(r);
}

template <class A, class B>
static double max_abs_impl(const A* got, const B* ref, std::size_t n) noexcept {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double d = std::fabs(static_cast<double>(got[i]) - static_cast<double>(ref[i]));
    if (!(d <= m)) m = d;  // NaN propagates as a failure
  }
  return m;
}
double max_abs_error(const float* got, const double* ref, std::size_t n) noexcept {
  return max_abs_impl(got, ref, n);
}
double max_abs_error(const float* got, const float* ref, std::size_t n) noexcept {
  return max_abs_impl(got, ref, n);
}

}  // namespace tt

int main(int argc, char** argv) {
  const char* name = argc > 0 && argv[0] != nullptr ? argv[0] : "tests";
  const char* base = std::strrchr(name, '/');
  if (base != nullptr) name = base + 1;
  int passed = 0, failed = 0;
  for (tt::TestCase* tc = tt::g_head; tc != nullptr; tc = tc->next) {
    tt::g_current_failures = 0;
    tc->fn();
    if (tt::g_current_failures == 0) {
      ++passed;
      std::printf("  ok   %s\n", tc->name);
    } else {
      ++failed;
      std::printf("  FAIL %s (%d checks)\n", tc->name, tt::g_current_failures);
    }
  }
  std::printf("%s: %d passed, %d failed\n", name, passed, failed);
  // No test registered is a failure too: a binary that runs nothing proves nothing.
  return (failed == 0 && passed > 0) ? 0 : 1;
}
