// TINYSENSE_DCHECK: an internal consistency check for debug builds.
//
// Compiles to nothing unless TINYSENSE_DEBUG is defined (the host-asan preset
// defines it). A failed check traps: it marks a bug in tinysense or a broken
// precondition of a noexcept hot-path function, never bad user data, which
// init()/load() report with a Status instead.
#ifndef TINYSENSE_CORE_CHECK_HPP
#define TINYSENSE_CORE_CHECK_HPP

#if defined(TINYSENSE_DEBUG)
#define TINYSENSE_DCHECK(cond)   \
  do {                           \
    if (!(cond)) {               \
      __builtin_trap();          \
    }                            \
  } while (0)
#else
#define TINYSENSE_DCHECK(cond) \
  do {                         \
  } while (0)
#endif

#endif  // TINYSENSE_CORE_CHECK_HPP
