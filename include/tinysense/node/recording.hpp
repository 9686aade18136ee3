// Validated, zero-copy readers for recorded sensor data: NumPy .npy arrays of
// int16 (the accelerometer recordings) and RIFF/WAVE PCM (microphone audio).
//
// Both parse a byte buffer the caller owns (a file read into RAM, a blob in
// flash, a download) and return a view into it; nothing is copied or
// allocated, and the buffer must outlive the view. Every header field and
// every length is checked before use, so a damaged or hostile file gives a
// Status, never a crash or an out-of-bounds read (tests feed every prefix of
// valid files and random bytes).
//
// Truncated data (the header promises more rows/frames than the buffer
// holds, e.g. an interrupted recording): with Truncation::kReject the parser
// returns kSizeMismatch; with Truncation::kUsePresent it succeeds, exposes
// only the complete rows/frames present, and sets `truncated`. A partial
// trailing row/frame is never exposed.
#ifndef TINYSENSE_NODE_RECORDING_HPP
#define TINYSENSE_NODE_RECORDING_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

enum class Truncation : std::uint8_t { kReject = 0, kUsePresent = 1 };

// A C-ordered int16 array of 1 or 2 dimensions inside an .npy buffer.
struct NpyInt16 {
  const std::uint8_t* data = nullptr;  // first element; little-endian, possibly unaligned
  std::size_t rows_declared = 0;       // shape[0] in the header
  std::size_t rows = 0;                // complete rows present (== rows_declared unless truncated)
  std::size_t cols = 0;                // shape[1], or 1 for a 1-D array
  bool truncated = false;

  // Element (row, col); row < rows, col < cols (unchecked).
  std::int16_t at(std::size_t row, std::size_t col) const noexcept {
    const std::uint8_t* p = data + 2 * (row * cols + col);
    return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | (p[1] << 8)));
  }
  // Copies rows [first, first + out.size() / cols) into out (row-major).
  // kOutOfRange when those rows are not all present, kSizeMismatch when
  // out.size() is not a multiple of cols.
  [[nodiscard]] Status copy_rows(std::size_t first, Span<std::int16_t> out) const noexcept;
};

// Parses an .npy file (format version 1.0, 2.0 or 3.0) holding int16.
// Accepted: descr exactly '<i2' (numpy.dtype('<i2').str), fortran_order
// False, shape (n,) or (n, c) with c >= 1 (n may be 0); keys in any order. Errors: kCorrupt (bad
// magic, header length, dictionary syntax, missing key), kNotSupported (another dtype, big-endian,
// Fortran order, 0-D or > 2-D), kSizeMismatch (truncated data under kReject), kInvalidArgument
// (null out). *out is written only on success.
[[nodiscard]] Status parse_npy_int16(Span<const std::uint8_t> file, Truncation policy,
                                     NpyInt16* out) noexcept;

// Integer PCM inside a WAVE buffer.
struct WavPcm {
  const std::uint8_t* data = nullptr;  // first sample of the data chunk (little-endian)
  std::uint32_t sample_rate = 0;       // Hz
  std::uint16_t channels = 0;          // interleaved channels per frame
  std::uint16_t bits = 0;              // 16, 24 or 32 bits per sample
  std::size_t frames_declared = 0;     // from the data chunk size
  std::size_t frames = 0;              // complete frames present
  bool truncated = false;

  std::size_t bytes_per_frame() const noexcept { return std::size_t{channels} * (bits / 8u); }
  // Sample (frame, channel) MSB-aligned in int32: 16-bit << 16, 24-bit << 8,
  // 32-bit as is. frame < frames, channel < channels (unchecked).
  std::int32_t sample_i32(std::size_t frame, std::size_t channel) const noexcept;
};

// Parses a RIFF/WAVE file with integer PCM (format tag 1, or 0xFFFE
// WAVE_FORMAT_EXTENSIBLE with the PCM sub-format) of 16, 24 or 32 bits.
// Unknown chunks (LIST, fact, ...) are skipped; the data chunk may be the
// last chunk and shorter than declared (see Truncation). Errors: kCorrupt
// (not RIFF/WAVE, chunk sizes past the end, no fmt or data chunk, fmt too
// short, block align not channels * bits / 8, zero rate or channels),
// kNotSupported (float or compressed formats, other bit depths),
// kSizeMismatch (truncated under kReject), kInvalidArgument (null out).
[[nodiscard]] Status parse_wav(Span<const std::uint8_t> file, Truncation policy,
                               WavPcm* out) noexcept;

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_RECORDING_HPP
