// Status: the one error type of the whole library.
//
// Values are errno-style: 0 is success, failures are negative errno numbers
// (Linux values), so a Status fits in an int and maps one-to-one to OSError in
// the Python fronts. Functions that can fail return Status and are
// [[nodiscard]]; nothing in the library throws or aborts.
#ifndef TINYSENSE_CORE_STATUS_HPP
#define TINYSENSE_CORE_STATUS_HPP

namespace tinysense {

enum class Status : int {
  kOk = 0,
  kIoError = -5,          // EIO: a bus or device transfer failed
  kNoMemory = -12,        // ENOMEM: caller-provided storage is too small
  kBusy = -16,            // EBUSY: resource in use, try later
  kInvalidArgument = -22, // EINVAL: a parameter is outside its domain
  kNoSpace = -28,         // ENOSPC: storage is full
  kOutOfRange = -34,      // ERANGE: a value does not fit its representation
  kNoData = -61,          // ENODATA: nothing to read
  kNotInitialized = -77,  // EBADFD: object used before a successful init()
  kCorrupt = -84,         // EILSEQ: data failed validation (magic, CRC, index)
  kSizeMismatch = -90,    // EMSGSIZE: buffer lengths do not agree
  kNotSupported = -95,    // EOPNOTSUPP: valid request, not implemented
  kTimeout = -110,        // ETIMEDOUT
};

// Short, stable, human-readable name of a status ("ok", "invalid argument").
// Written as a switch over every enumerator so -Wswitch flags a missing case.
const char* to_string(Status s) noexcept;

[[nodiscard]] constexpr bool ok(Status s) noexcept { return s == Status::kOk; }

}  // namespace tinysense

// Propagates a failing Status to the caller.
#define TINYSENSE_TRY(expr)                                  \
  do {                                                       \
    const ::tinysense::Status tinysense_try_s_ = (expr);     \
    if (tinysense_try_s_ != ::tinysense::Status::kOk) {      \
      return tinysense_try_s_;                               \
    }                                                        \
  } while (0)

#endif  // TINYSENSE_CORE_STATUS_HPP
