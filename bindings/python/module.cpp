// tinysense._ext: entry point; every bind_<module>.cpp registers a Binder.
#include <string>

#include "common.hpp"

namespace tinysense::py {
namespace {
Binder* g_binders = nullptr;
}

Binder::Binder(const char* n, Fn f) noexcept : name(n), fn(f), next(g_binders) { g_binders = this; }

void check(Status s, const char* what) {
  if (s == Status::kOk) return;
  std::string msg = std::string(what) + ": " + to_string(s);
  switch (s) {
    case Status::kIoError:
    case Status::kBusy:
    case Status::kTimeout:
    case Status::kNoSpace:
      PyErr_SetString(PyExc_OSError, msg.c_str());
      throw pyb::error_already_set();
    default:
      throw pyb::value_error(msg);
  }
}

}  // namespace tinysense::py

PYBIND11_MODULE(_ext, m) {
  m.doc() = "tinysense C++ kernels (float32 / int16 numpy arrays in and out)";
  for (auto* b = tinysense::py::g_binders; b != nullptr; b = b->next) b->fn(m);
}
