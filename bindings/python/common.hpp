// Shared helpers of the CPython adapter: Status -> exception, array checks,
// and the registry through which each bind_<module>.cpp adds its functions.
//
// Wrong dtype -> TypeError; wrong shape/length/value -> ValueError; a Status
// from the library -> ValueError (bad argument or data) or OSError (device).
#ifndef TINYSENSE_BINDINGS_PYTHON_COMMON_HPP
#define TINYSENSE_BINDINGS_PYTHON_COMMON_HPP

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>

#include "tinysense/core.hpp"

namespace tinysense::py {

namespace pyb = pybind11;

// Raises the Python exception that matches a failing Status; no-op on kOk.
void check(Status s, const char* what);

// Registers a binder that adds classes/functions to the module at import.
struct Binder {
  using Fn = void (*)(pyb::module_&);
  Binder(const char* name, Fn fn) noexcept;
  const char* name;
  Fn fn;
  Binder* next;
};

// Requires a numpy array of exactly dtype T (TypeError otherwise; no silent
// conversion, so float64 input is an error, not a hidden copy). `name`
// appears in the message. Any shape and strides.
template <class T>
pyb::array require_dtype(const pyb::handle& obj, const char* name) {
  if (!pyb::isinstance<pyb::array>(obj)) {
    throw pyb::type_error(std::string(name) + ": expected a numpy array of dtype " +
                          std::string(pyb::str(pyb::dtype::of<T>())));
  }
  auto arr = pyb::reinterpret_borrow<pyb::array>(obj);
  if (!arr.dtype().is(pyb::dtype::of<T>())) {
    throw pyb::type_error(std::string(name) + ": expected dtype " +
                          std::string(pyb::str(pyb::dtype::of<T>())) + ", got " +
                          std::string(pyb::str(arr.dtype())) + " (convert with .astype())");
  }
  return arr;
}

// Requires a 1-D, C-contiguous array of exactly dtype T. Returns a view that
// keeps the array alive.
template <class T>
pyb::array_t<T> require_1d(const pyb::handle& obj, const char* name) {
  auto arr = require_dtype<T>(obj, name);
  if (arr.ndim() != 1) {
    throw pyb::value_error(std::string(name) + ": expected a 1-D array, got " +
                           std::to_string(arr.ndim()) + "-D");
  }
  if (!(arr.flags() & pyb::array::c_style)) {
    throw pyb::value_error(std::string(name) + ": array must be C-contiguous");
  }
  return pyb::reinterpret_borrow<pyb::array_t<T>>(arr);
}

// Requires a 2-D, C-contiguous array of exactly dtype T with `cols` columns.
template <class T>
pyb::array_t<T> require_2d(const pyb::handle& obj, const char* name, std::size_t cols) {
  auto arr = require_dtype<T>(obj, name);
  if (arr.ndim() != 2 || static_cast<std::size_t>(arr.shape(1)) != cols) {
    throw pyb::value_error(std::string(name) + ": expected shape (n, " + std::to_string(cols) + ")");
  }
  if (!(arr.flags() & pyb::array::c_style)) {
    throw pyb::value_error(std::string(name) + ": array must be C-contiguous");
  }
  return pyb::reinterpret_borrow<pyb::array_t<T>>(arr);
}

// Same as require_1d but also checks the length.
template <class T>
pyb::array_t<T> require_1d(const pyb::handle& obj, const char* name, std::size_t len) {
  auto arr = require_1d<T>(obj, name);
  if (static_cast<std::size_t>(arr.size()) != len) {
    throw pyb::value_error(std::string(name) + ": expected length " + std::to_string(len) +
                           ", got " + std::to_string(arr.size()));
  }
  return arr;
}

template <class T>
Span<const T> cspan(const pyb::array_t<T>& a) {
  return Span<const T>(a.data(), static_cast<std::size_t>(a.size()));
}
template <class T>
Span<T> mspan(pyb::array_t<T>& a) {
  return Span<T>(a.mutable_data(), static_cast<std::size_t>(a.size()));
}

}  // namespace tinysense::py

#endif  // TINYSENSE_BINDINGS_PYTHON_COMMON_HPP
