#include "tinysense/node/recording.hpp"

#include <cstring>

namespace tinysense::node {
namespace {

std::uint16_t le16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t le32(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// ---- .npy header dictionary --------------------------------------------------
// The header is a Python literal such as
//   {'descr': '<i2', 'fortran_order': False, 'shape': (1000, 3), }
// padded with spaces and ended by '\n'. This is a strict parser of exactly the
// subset numpy.lib.format writes; it never reads outside [p, end).

constexpr std::uint8_t kNpyMagic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
// KSDATAFORMAT_SUBTYPE_PCM after its first two bytes (0x0001).
constexpr std::uint8_t kPcmGuidTail[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                           0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

constexpr std::size_t kMaxDims = 8;
constexpr std::uint64_t kMaxDim = std::uint64_t{1} << 40;

class Cursor {
 public:
  Cursor(const std::uint8_t* p, const std::uint8_t* end) noexcept : p_(p), end_(end) {}

  void skip_ws() noexcept {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  bool eat(char c) noexcept {
    skip_ws();
    if (p_ < end_ && *p_ == static_cast<std::uint8_t>(c)) {
      ++p_;
      return true;
    }
    return false;
  }
  // A '...' or "..." literal without escapes.
  bool string(const std::uint8_t** s, std::size_t* n) noexcept {
    skip_ws();
    if (p_ >= end_ || (*p_ != '\'' && *p_ != '"')) return false;
    const std::uint8_t quote = *p_++;
    const std::uint8_t* start = p_;
    while (p_ < end_ && *p_ != quote) {
      if (*p_ == '\\') return false;
      ++p_;
    }
    if (p_ >= end_) return false;
    *s = start;
    *n = static_cast<std::size_t>(p_ - start);
    ++p_;
    return true;
  }
  bool word(const char* w) noexcept {
    skip_ws();
    const std::size_t n = std::strlen(w);
    if (static_cast<std::size_t>(end_ - p_) < n || std::memcmp(p_, w, n) != 0) return false;
    p_ += n;
    return true;
  }
  bool uint(std::uint64_t* v) noexcept {
    skip_ws();
    if (p_ >= end_ || *p_ < '0' || *p_ > '9') return false;
    std::uint64_t x = 0;
    while (p_ < end_ && *p_ >= '0' && *p_ <= '9') {
      x = x * 10 + static_cast<std::uint64_t>(*p_ - '0');
      if (x > kMaxDim) return false;
      ++p_;
    }
    if (p_ < end_ && *p_ == 'L') ++p_;  // Python 2 long literal
    *v = x;
    return true;
  }
  bool at_end() noexcept {
    skip_ws();
    return p_ == end_;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

bool equals(const std::uint8_t* s, std::size_t n, const char* lit) noexcept {
  return std::strlen(lit) == n && std::memcmp(s, lit, n) == 0;
}

struct NpyHeader {
  bool has_descr = false, has_order = false, has_shape = false;
  bool descr_ok = false;
  bool fortran = false;
  std::size_t ndim = 0;
  std::uint64_t shape[kMaxDims] = {};
};

// Parses the shape tuple "(a, b, ...)" with an optional trailing comma.
bool parse_shape(Cursor& c, NpyHeader* h) noexcept {
  if (!c.eat('(')) return false;
  if (c.eat(')')) return true;
  for (;;) {
    std::uint64_t v = 0;
    if (h->ndim == kMaxDims || !c.uint(&v)) return false;
    h->shape[h->ndim++] = v;
    if (c.eat(')')) return true;
    if (!c.eat(',')) return false;
    if (c.eat(')')) return true;
  }
}

Status parse_dict(const std::uint8_t* p, const std::uint8_t* end, NpyHeader* h) noexcept {
  Cursor c(p, end);
  if (!c.eat('{')) return Status::kCorrupt;
  if (!c.eat('}')) {
    for (;;) {
      const std::uint8_t* key = nullptr;
      std::size_t key_len = 0;
      if (!c.string(&key, &key_len) || !c.eat(':')) return Status::kCorrupt;
      if (equals(key, key_len, "descr")) {
        const std::uint8_t* v = nullptr;
        std::size_t n = 0;
        if (h->has_descr || !c.string(&v, &n)) return Status::kCorrupt;
        h->has_descr = true;
        h->descr_ok = equals(v, n, "<i2");
      } else if (equals(key, key_len, "fortran_order")) {
        if (h->has_order) return Status::kCorrupt;
        h->has_order = true;
        if (c.word("True")) {
          h->fortran = true;
        } else if (!c.word("False")) {
          return Status::kCorrupt;
        }
      } else if (equals(key, key_len, "shape")) {
        if (h->has_shape || !parse_shape(c, h)) return Status::kCorrupt;
        h->has_shape = true;
      } else {
        return Status::kCorrupt;
      }
      if (c.eat('}')) break;
      if (!c.eat(',')) return Status::kCorrupt;
      if (c.eat('}')) break;
    }
  }
  if (!c.at_end()) return Status::kCorrupt;
  if (!h->has_descr || !h->has_order || !h->has_shape) return Status::kCorrupt;
  return Status::kOk;
}

}  // namespace

Status NpyInt16::copy_rows(std::size_t first, Span<std::int16_t> out) const noexcept {
  if (cols == 0 || out.size() % cols != 0) return Status::kSizeMismatch;
  const std::size_t count = out.size() / cols;
  if (first > rows || count > rows - first) return Status::kOutOfRange;
  for (std::size_t r = 0; r < count; ++r) {
    for (std::size_t c = 0; c < cols; ++c) out[r * cols + c] = at(first + r, c);
  }
  return Status::kOk;
}

Status parse_npy_int16(Span<const std::uint8_t> file, Truncation policy, NpyInt16* out) noexcept {
  if (out == nullptr) return Status::kInvalidArgument;
  const std::size_t n = file.size();
  if (n < 10 || std::memcmp(file.data(), kNpyMagic, 6) != 0) return Status::kCorrupt;
  const std::uint8_t major = file[6];
  std::size_t header_start = 0, header_len = 0;
  if (major == 1) {
    header_start = 10;
    header_len = le16(file.data() + 8);
  } else if (major == 2 || major == 3) {
    if (n < 12) return Status::kCorrupt;
    header_start = 12;
    header_len = le32(file.data() + 8);
  } else {
    return Status::kCorrupt;
  }
  if (header_len == 0 || header_len > n - header_start) return Status::kCorrupt;
  const std::uint8_t* hdr = file.data() + header_start;
  NpyHeader h;
  TINYSENSE_TRY(parse_dict(hdr, hdr + header_len, &h));
  if (!h.descr_ok || h.fortran || h.ndim == 0 || h.ndim > 2) return Status::kNotSupported;
  const std::uint64_t rows = h.shape[0];
  const std::uint64_t cols = h.ndim == 2 ? h.shape[1] : 1;
  if (cols == 0) return Status::kNotSupported;
  // Shapes beyond size_t (only possible on 32-bit targets) cannot be indexed.
  if (static_cast<std::uint64_t>(static_cast<std::size_t>(rows)) != rows ||
      static_cast<std::uint64_t>(static_cast<std::size_t>(2 * cols)) != 2 * cols) {
    return Status::kNotSupported;
  }
  const std::size_t data_start = header_start + header_len;
  const std::uint64_t row_bytes = 2 * cols;
  const std::uint64_t present = static_cast<std::uint64_t>(n - data_start) / row_bytes;
  const bool truncated = present < rows;
  if (truncated && policy == Truncation::kReject) return Status::kSizeMismatch;
  out->data = file.data() + data_start;
  out->rows_declared = static_cast<std::size_t>(rows);
  out->rows = static_cast<std::size_t>(truncated ? present : rows);
  out->cols = static_cast<std::size_t>(cols);
  out->truncated = truncated;
  return Status::kOk;
}

// ---- WAVE ----------------------------------------------------------------------

std::int32_t WavPcm::sample_i32(std::size_t frame, std::size_t channel) const noexcept {
  const std::size_t bps = bits / 8u;
  const std::uint8_t* p = data + frame * bytes_per_frame() + channel * bps;
  std::uint32_t u = 0;
  if (bps == 2) {
    u = static_cast<std::uint32_t>(le16(p)) << 16;
  } else if (bps == 3) {
    u = (static_cast<std::uint32_t>(p[0]) << 8) | (static_cast<std::uint32_t>(p[1]) << 16) |
        (static_cast<std::uint32_t>(p[2]) << 24);
  } else {
    u = le32(p);
  }
  return static_cast<std::int32_t>(u);
}

Status parse_wav(Span<const std::uint8_t> file, Truncation policy, WavPcm* out) noexcept {
  if (out == nullptr) return Status::kInvalidArgument;
  const std::size_t n = file.size();
  const std::uint8_t* f = file.data();
  if (n < 12 || std::memcmp(f, "RIFF", 4) != 0 || std::memcmp(f + 8, "WAVE", 4) != 0) {
    return Status::kCorrupt;
  }
  bool have_fmt = false;
  std::uint16_t channels = 0, bits = 0, block_align = 0;
  std::uint32_t rate = 0;
  bool fmt_supported = false;
  std::size_t off = 12;
  while (n - off >= 8) {
    const std::uint8_t* ch = f + off;
    const std::uint32_t size = le32(ch + 4);
    const std::size_t body = off + 8;
    const std::size_t avail = n - body;
    if (std::memcmp(ch, "data", 4) == 0) {
      if (!have_fmt) return Status::kCorrupt;
      if (!fmt_supported) return Status::kNotSupported;
      const std::size_t present_bytes = size < avail ? size : avail;
      const std::size_t declared = size / block_align;
      const std::size_t present = present_bytes / block_align;
      const bool truncated = present < declared;
      if (truncated && policy == Truncation::kReject) return Status::kSizeMismatch;
      out->data = f + body;
      out->sample_rate = rate;
      out->channels = channels;
      out->bits = bits;
      out->frames_declared = declared;
      out->frames = present;
      out->truncated = truncated;
      return Status::kOk;
    }
    if (size > avail) return Status::kCorrupt;  // only the data chunk may be cut short
    if (std::memcmp(ch, "fmt ", 4) == 0) {
      if (have_fmt || size < 16) return Status::kCorrupt;
      have_fmt = true;
      const std::uint16_t tag = le16(ch + 8);
      channels = le16(ch + 10);
      rate = le32(ch + 12);
      block_align = le16(ch + 20);
      bits = le16(ch + 22);
      if (channels == 0 || rate == 0 || bits == 0 || bits % 8 != 0 ||
          block_align != static_cast<std::uint32_t>(channels) * (bits / 8u)) {
        return Status::kCorrupt;
      }
      bool pcm = tag == 1;
      if (tag == 0xFFFE) {
        if (size < 40) return Status::kCorrupt;
        pcm = le16(ch + 8 + 24) == 1 && std::memcmp(ch + 8 + 26, kPcmGuidTail, 14) == 0;
      }
      fmt_supported = pcm && (bits == 16 || bits == 24 || bits == 32);
    }
    const std::size_t step = static_cast<std::size_t>(size) + (size & 1u);
    if (step > avail) break;  // a final pad byte may be missing
    off = body + step;
  }
  return Status::kCorrupt;  // no data chunk
}

}  // namespace tinysense::node
