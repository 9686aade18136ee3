// .npy and WAV readers vs numpy / the wave module (gen_recording.py): real
// recordings (complete and truncated), every prefix of valid files, byte
// corruption (no crash, no read outside the buffer: ASan), refused kinds.
#include <cstdint>
#include <cstring>

#include "golden_recording.hpp"
#include "tinysense/node/recording.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::recording;

namespace {

constexpr std::size_t kMaxFile = 8192;
std::uint8_t g_buf[kMaxFile];

// Copies the first `len` bytes of a file to the END of g_buf, so any read
// past the end of the view leaves the array (ASan reports it).
Span<const std::uint8_t> tail_copy(const std::uint8_t* file, std::size_t len) {
  std::uint8_t* dst = g_buf + (kMaxFile - len);
  std::memcpy(dst, file, len);
  return Span<const std::uint8_t>(dst, len);
}

Span<const std::uint8_t> bytes(const std::uint8_t* p, std::size_t n) {
  return Span<const std::uint8_t>(p, n);
}

}  // namespace

TT_TEST(npy_full_recording_matches_numpy) {
  NpyInt16 a;
  TT_CHECK(parse_npy_int16(bytes(g::npy_full, g::npy_full_len), Truncation::kReject, &a) ==
           Status::kOk);
  TT_CHECK_EQ(a.rows, std::size_t{1000});
  TT_CHECK_EQ(a.rows_declared, std::size_t{1000});
  TT_CHECK_EQ(a.cols, std::size_t{3});
  TT_CHECK(!a.truncated);
  int bad = 0;
  for (std::size_t r = 0; r < a.rows; ++r) {
    for (std::size_t c = 0; c < 3; ++c) bad += a.at(r, c) != g::npy_full_rows[r * 3 + c];
  }
  TT_CHECK_EQ(bad, 0);
  static std::int16_t rows[30];
  TT_CHECK(a.copy_rows(990, Span<std::int16_t>(rows)) == Status::kOk);
  TT_CHECK(std::memcmp(rows, g::npy_full_rows + 990 * 3, sizeof rows) == 0);
  TT_CHECK(a.copy_rows(991, Span<std::int16_t>(rows)) == Status::kOutOfRange);
  TT_CHECK(a.copy_rows(0, Span<std::int16_t>(rows, 29)) == Status::kSizeMismatch);
}

TT_TEST(npy_truncated_recording_rejected_or_rows_present) {
  NpyInt16 a;
  const auto file = bytes(g::npy_trunc, g::npy_trunc_len);
  TT_CHECK(parse_npy_int16(file, Truncation::kReject, &a) == Status::kSizeMismatch);
  TT_CHECK(parse_npy_int16(file, Truncation::kUsePresent, &a) == Status::kOk);
  TT_CHECK(a.truncated);
  TT_CHECK_EQ(a.rows_declared, static_cast<std::size_t>(g::npy_trunc_declared));
  TT_CHECK_EQ(a.rows, static_cast<std::size_t>(g::npy_trunc_present));
  int bad = 0;
  for (std::size_t i = 0; i < a.rows * 3; ++i) bad += a.at(i / 3, i % 3) != g::npy_trunc_rows[i];
  TT_CHECK_EQ(bad, 0);
}

TT_TEST(npy_every_prefix_is_safe) {
  // Header: 80 bytes. Shorter prefixes are corrupt; longer ones are truncated
  // files with floor((len - 80) / 6) rows.
  int bad = 0;
  for (std::size_t len = 0; len <= g::npy_full_len; ++len) {
    NpyInt16 a;
    const Status s = parse_npy_int16(tail_copy(g::npy_full, len), Truncation::kUsePresent, &a);
    if (len < 80) {
      bad += s != Status::kCorrupt;
    } else {
      bad += s != Status::kOk || a.rows != (len - 80) / 6 || a.truncated != (len < g::npy_full_len);
      if (s == Status::kOk && a.rows > 0)
        bad += a.at(a.rows - 1, 2) != g::npy_full_rows[a.rows * 3 - 1];
    }
    const Status strict = parse_npy_int16(tail_copy(g::npy_full, len), Truncation::kReject, &a);
    if (len >= 80 && len < g::npy_full_len) bad += strict != Status::kSizeMismatch;
  }
  TT_CHECK_EQ(bad, 0);
}

TT_TEST(npy_header_corruption_never_crashes) {
  // Every header byte replaced by a few values: either an error or a
  // consistent view (rows * cols * 2 bytes inside the buffer).
  static const std::uint8_t kValues[] = {0x00, 0x20, 0x27, 0x28, 0x29, 0x2C,
                                         0x31, 0x39, 0x3A, 0x7B, 0x7D, 0xFF};
  int bad = 0, accepted = 0;
  for (std::size_t pos = 0; pos < 80; ++pos) {
    for (std::uint8_t v : kValues) {
      std::uint8_t* dst = g_buf + (kMaxFile - g::npy_full_len);
      std::memcpy(dst, g::npy_full, g::npy_full_len);
      dst[pos] = v;
      NpyInt16 a;
      const Status s = parse_npy_int16(Span<const std::uint8_t>(dst, g::npy_full_len),
                                       Truncation::kUsePresent, &a);
      if (s == Status::kOk) {
        ++accepted;
        const std::size_t end = static_cast<std::size_t>(a.data - dst) + a.rows * a.cols * 2;
        bad += end > g::npy_full_len;
        if (a.rows > 0) (void)a.at(a.rows - 1, a.cols - 1);
      }
    }
  }
  TT_CHECK_EQ(bad, 0);
  TT_CHECK_GE(accepted, 1);  // e.g. a changed digit of the shape is still a valid header
}

TT_TEST(npy_synthetic_variants) {
  NpyInt16 a;
  TT_CHECK(parse_npy_int16(bytes(g::npy_v2, g::npy_v2_len), Truncation::kReject, &a) ==
           Status::kOk);
  TT_CHECK_EQ(a.cols, std::size_t{1});
  TT_CHECK_EQ(a.rows, g::npy_v2_values_len);
  int bad = 0;
  for (std::size_t i = 0; i < a.rows; ++i) bad += a.at(i, 0) != g::npy_v2_values[i];
  TT_CHECK_EQ(bad, 0);
  TT_CHECK(parse_npy_int16(bytes(g::npy_empty, g::npy_empty_len), Truncation::kReject, &a) ==
           Status::kOk);
  TT_CHECK_EQ(a.rows, std::size_t{0});
  TT_CHECK_EQ(a.cols, std::size_t{3});
  TT_CHECK(parse_npy_int16(bytes(g::npy_f4, g::npy_f4_len), Truncation::kReject, &a) ==
           Status::kNotSupported);
  TT_CHECK(parse_npy_int16(bytes(g::npy_be, g::npy_be_len), Truncation::kReject, &a) ==
           Status::kNotSupported);
  TT_CHECK(parse_npy_int16(bytes(g::npy_fortran, g::npy_fortran_len), Truncation::kReject, &a) ==
           Status::kNotSupported);
  TT_CHECK(parse_npy_int16(bytes(g::npy_3d, g::npy_3d_len), Truncation::kReject, &a) ==
           Status::kNotSupported);
  TT_CHECK(parse_npy_int16(Span<const std::uint8_t>(), Truncation::kUsePresent, &a) ==
           Status::kCorrupt);  // an empty file (one is in the data set)
  TT_CHECK(parse_npy_int16(bytes(g::npy_full, g::npy_full_len), Truncation::kReject, nullptr) ==
           Status::kInvalidArgument);
}

TT_TEST(npy_handwritten_headers) {
  struct Case {
    const char* header;
    Status expect;
    std::size_t rows, cols;
  };
  static const Case kCases[] = {
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }", Status::kOk, 2, 3},
      {"{'shape': (2,), 'fortran_order': False, 'descr': '<i2'}", Status::kOk, 2, 1},
      {"{\"descr\": \"<i2\", \"fortran_order\": False, \"shape\": (2L, 3L)}", Status::kOk, 2, 3},
      {"{'descr': '<i2', 'fortran_order': False}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'descr': '<i2', 'fortran_order': False, 'shape': (2, 3)}",
       Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': Maybe, 'shape': (2, 3)}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3)} x", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2 3)}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': ()}", Status::kNotSupported, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 0)}", Status::kNotSupported, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (99999999999999999999, 3)}",
       Status::kCorrupt, 0, 0},
      {"{'descr': '<i2\\x', 'fortran_order': False, 'shape': (2, 3)}", Status::kCorrupt, 0, 0},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3)", Status::kCorrupt, 0, 0},
  };
  int bad = 0;
  for (const Case& c : kCases) {
    std::uint8_t file[256] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    const std::size_t hl = std::strlen(c.header);
    file[8] = static_cast<std::uint8_t>(hl + 1);
    file[9] = 0;
    std::memcpy(file + 10, c.header, hl);
    file[10 + hl] = '\n';
    std::memset(file + 11 + hl, 0x11, 12);  // 2 rows of 3 int16
    NpyInt16 a;
    const Status s =
        parse_npy_int16(Span<const std::uint8_t>(file, 11 + hl + 12), Truncation::kReject, &a);
    if (s != c.expect) {
      ++bad;
      std::printf("    header %s -> %s\n", c.header, to_string(s));
    } else if (s == Status::kOk) {
      bad += a.rows != c.rows || a.cols != c.cols;
    }
  }
  TT_CHECK_EQ(bad, 0);
}

namespace {
int check_wav(const std::uint8_t* file, std::size_t len, const std::int32_t* ref,
              std::size_t ref_len, std::uint16_t channels, std::uint16_t bits, std::uint32_t rate) {
  WavPcm w;
  if (parse_wav(bytes(file, len), Truncation::kReject, &w) != Status::kOk) return 1000;
  int bad = (w.channels != channels) + (w.bits != bits) + (w.sample_rate != rate) +
            (w.frames * w.channels != ref_len) + w.truncated;
  for (std::size_t i = 0; i < ref_len && bad == 0; ++i) {
    bad += w.sample_i32(i / channels, i % channels) != ref[i];
  }
  return bad;
}
}  // namespace

TT_TEST(wav_formats_match_wave_module) {
  TT_CHECK_EQ(check_wav(g::wav16, g::wav16_len, g::wav16_ref, g::wav16_ref_len, 1, 16, 16000), 0);
  TT_CHECK_EQ(check_wav(g::wav24s, g::wav24s_len, g::wav24s_ref, g::wav24s_ref_len, 2, 24, 48000),
              0);
  TT_CHECK_EQ(check_wav(g::wav32, g::wav32_len, g::wav32_ref, g::wav32_ref_len, 1, 32, 8000), 0);
  TT_CHECK_EQ(
      check_wav(g::wav_ext, g::wav_ext_len, g::wav_ext_ref, g::wav_ext_ref_len, 1, 24, 44100), 0);
  TT_CHECK_EQ(
      check_wav(g::wav_list, g::wav_list_len, g::wav_list_ref, g::wav_list_ref_len, 1, 16, 8000),
      0);
  WavPcm w;
  TT_CHECK(parse_wav(bytes(g::wav_float, g::wav_float_len), Truncation::kUsePresent, &w) ==
           Status::kNotSupported);
}

TT_TEST(wav_truncated) {
  WavPcm w;
  const auto file = bytes(g::wav_trunc, g::wav_trunc_len);
  TT_CHECK(parse_wav(file, Truncation::kReject, &w) == Status::kSizeMismatch);
  TT_CHECK(parse_wav(file, Truncation::kUsePresent, &w) == Status::kOk);
  TT_CHECK(w.truncated);
  TT_CHECK_EQ(w.frames_declared, std::size_t{200});
  TT_CHECK_EQ(w.frames, g::wav_trunc_ref_len);
  int bad = 0;
  for (std::size_t i = 0; i < w.frames; ++i) bad += w.sample_i32(i, 0) != g::wav_trunc_ref[i];
  TT_CHECK_EQ(bad, 0);
}

TT_TEST(wav_every_prefix_and_corruption_is_safe) {
  int bad = 0;
  for (std::size_t len = 0; len <= g::wav24s_len; ++len) {
    WavPcm w;
    const Status s = parse_wav(tail_copy(g::wav24s, len), Truncation::kUsePresent, &w);
    if (s == Status::kOk) {
      bad += w.frames * w.bytes_per_frame() > len;
      if (w.frames > 0) (void)w.sample_i32(w.frames - 1, 1);
    }
  }
  for (std::size_t pos = 0; pos < 60; ++pos) {
    for (std::uint8_t v :
         {std::uint8_t{0x00}, std::uint8_t{0x01}, std::uint8_t{0x7F}, std::uint8_t{0xFF}}) {
      std::uint8_t* dst = g_buf + (kMaxFile - g::wav_list_len);
      std::memcpy(dst, g::wav_list, g::wav_list_len);
      dst[pos] = v;
      WavPcm w;
      if (parse_wav(Span<const std::uint8_t>(dst, g::wav_list_len), Truncation::kUsePresent, &w) ==
          Status::kOk) {
        const std::size_t end =
            static_cast<std::size_t>(w.data - dst) + w.frames * w.bytes_per_frame();
        bad += end > g::wav_list_len;
        if (w.frames > 0) (void)w.sample_i32(w.frames - 1, w.channels - 1u);
      }
    }
  }
  TT_CHECK_EQ(bad, 0);
  WavPcm w;
  TT_CHECK(parse_wav(bytes(g::npy_v2, g::npy_v2_len), Truncation::kUsePresent, &w) ==
           Status::kCorrupt);
  TT_CHECK(parse_wav(bytes(g::wav16, g::wav16_len), Truncation::kUsePresent, nullptr) ==
           Status::kInvalidArgument);
}
