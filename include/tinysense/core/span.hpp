// Span: a non-owning view of a contiguous array (C++17 has no std::span).
//
// Only what kernels need: size, indexing, iteration, sub-views, and the
// implicit Span<T> -> Span<const T> conversion. Indexing is unchecked in
// release builds and checked by TINYSENSE_DCHECK in debug builds.
#ifndef TINYSENSE_CORE_SPAN_HPP
#define TINYSENSE_CORE_SPAN_HPP

#include <array>
#include <cstddef>
#include <type_traits>

#include "tinysense/core/check.hpp"

namespace tinysense {

template <class T>
class Span {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using size_type = std::size_t;
  using iterator = T*;

  constexpr Span() noexcept = default;
  constexpr Span(T* data, std::size_t size) noexcept : data_(data), size_(size) {}
  template <std::size_t N>
  constexpr Span(T (&array)[N]) noexcept : data_(array), size_(N) {}  // NOLINT: implicit by design
  template <class U, std::size_t N,
            class = std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]>>>
  constexpr Span(std::array<U, N>& array) noexcept : data_(array.data()), size_(N) {}  // NOLINT
  template <class U, std::size_t N,
            class = std::enable_if_t<std::is_convertible_v<const U (*)[], T (*)[]>>>
  constexpr Span(const std::array<U, N>& array) noexcept  // NOLINT
      : data_(array.data()), size_(N) {}
  // Span<T> -> Span<const T>.
  template <class U, class = std::enable_if_t<std::is_convertible_v<U (*)[], T (*)[]>>>
  constexpr Span(const Span<U>& other) noexcept : data_(other.data()), size_(other.size()) {}  // NOLINT

  constexpr T* data() const noexcept { return data_; }
  constexpr std::size_t size() const noexcept { return size_; }
  constexpr std::size_t size_bytes() const noexcept { return size_ * sizeof(T); }
  constexpr bool empty() const noexcept { return size_ == 0; }
  constexpr T* begin() const noexcept { return data_; }
  constexpr T* end() const noexcept { return data_ + size_; }

  constexpr T& operator[](std::size_t i) const noexcept {
    TINYSENSE_DCHECK(i < size_);
    return data_[i];
  }
  // First `count` elements; count must be <= size().
  constexpr Span first(std::size_t count) const noexcept {
    TINYSENSE_DCHECK(count <= size_);
    return Span(data_, count);
  }
  // Elements [offset, offset + count); offset + count must be <= size().
  constexpr Span subspan(std::size_t offset, std::size_t count) const noexcept {
    TINYSENSE_DCHECK(offset <= size_ && count <= size_ - offset);
    return Span(data_ + offset, count);
  }
  // Elements [offset, size()).
  constexpr Span subspan(std::size_t offset) const noexcept {
    TINYSENSE_DCHECK(offset <= size_);
    return Span(data_ + offset, size_ - offset);
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tinysense

#endif  // TINYSENSE_CORE_SPAN_HPP
