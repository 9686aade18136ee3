// RecordLog: see docs/design/storage.md for the format and the reasoning.
#include "tinysense/node/record_log.hpp"

#include <cstring>

#include "tinysense/core/crc32.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {
namespace {

constexpr std::uint32_t kMagic = 0x474C5354u;  // bytes "TSLG"
constexpr std::uint16_t kMarkerFlag = 0x8000u;
constexpr std::uint32_t kFrameHeader = 8;      // seq, info, check; then payload, CRC

constexpr bool is_pow2(std::uint32_t x) noexcept { return x != 0 && (x & (x - 1)) == 0; }
constexpr std::uint32_t round_up(std::uint32_t x, std::uint32_t a) noexcept {
  return (x + a - 1) & ~(a - 1);
}

std::uint16_t get16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
std::uint32_t get32(const std::uint8_t* p) noexcept {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
void put16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
void put32(std::uint8_t* p, std::uint32_t v) noexcept {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

std::uint32_t crc(const std::uint8_t* p, std::size_t n, std::uint32_t c = 0) noexcept {
  return crc32(Span<const std::uint8_t>(p, n), c);
}

// Low 16 bits of the CRC-32 of seq and info: lets a reader trust a frame's
// length (and skip just that frame) even when its payload is damaged.
std::uint16_t frame_check(const std::uint8_t* h) noexcept {
  return static_cast<std::uint16_t>(crc(h, 6) & 0xFFFFu);
}

struct BlockHeader {
  std::uint32_t block_seq, first_seq, sent_end;
};

enum class HeaderKind { kInvalid, kValid, kForeign, kNewer };

// Validates 32 header bytes against the geometry.
HeaderKind parse_header(const std::uint8_t* h, const Flash& f, BlockHeader* out) noexcept {
  if (get32(h) != kMagic || get32(h + 28) != crc(h, 28)) return HeaderKind::kInvalid;
  if (get16(h + 4) != RecordLog::kVersion) return HeaderKind::kNewer;
  if (get16(h + 6) != f.prog_size || get32(h + 8) != f.block_size ||
      get32(h + 12) != f.block_count) {
    return HeaderKind::kForeign;
  }
  out->block_seq = get32(h + 16);
  out->first_seq = get32(h + 20);
  out->sent_end = get32(h + 24);
  return HeaderKind::kValid;
}

}  // namespace

struct RecordLog::Frame {
  enum State : std::uint8_t { kEnd, kBadHeader, kOk };
  State state;
  bool marker;
  std::uint32_t seq;   // record seq, or the sent_end value of a marker
  std::uint32_t len;   // payload bytes
  std::uint32_t size;  // whole frame, aligned to prog_size
  std::uint8_t raw[kFrameHeader];
};

Status RecordLog::flash_status(int rc) const noexcept { return status_from_int(rc); }

Status RecordLog::rd(std::uint32_t block, std::uint32_t off, std::uint8_t* p,
                     std::size_t n) const noexcept {
  return status_from_int(flash_.read(flash_.ctx, block, off, p, n));
}

Status RecordLog::pg(std::uint32_t block, std::uint32_t off, const std::uint8_t* p,
                     std::size_t n) noexcept {
  return status_from_int(flash_.prog(flash_.ctx, block, off, p, n));
}

Status RecordLog::sync() noexcept {
  return flash_.sync == nullptr ? Status::kOk : status_from_int(flash_.sync(flash_.ctx));
}

std::uint32_t RecordLog::frame_bytes(std::size_t payload) const noexcept {
  return round_up(kFrameOverhead + static_cast<std::uint32_t>(payload), flash_.prog_size);
}

Status RecordLog::mount(const Flash& flash, Span<std::uint8_t> buffer,
                        const LogConfig& config) noexcept {
  mounted_ = false;
  if (flash.read == nullptr || flash.prog == nullptr || flash.erase == nullptr ||
      !is_pow2(flash.prog_size) || flash.prog_size > 4096 || flash.block_count < 2 ||
      flash.block_size % flash.prog_size != 0 || flash.block_size > 0x40000000u) {
    return Status::kInvalidArgument;
  }
  const std::uint32_t ps = flash.prog_size;
  const std::uint32_t data_start = round_up(kBlockHeaderBytes, ps);
  const std::uint32_t marker = round_up(kFrameOverhead, ps);
  const std::uint32_t reserve = config.ack_reserve * marker;
  // A block holds its header, the ack reserve and at least one 1-byte record.
  if (static_cast<std::uint64_t>(data_start) + reserve + round_up(kFrameOverhead + 1, ps) >
      flash.block_size) {
    return Status::kInvalidArgument;
  }
  if (buffer.size() < min_buffer_bytes(ps)) return Status::kNoMemory;
  flash_ = flash;
  buf_ = buffer;
  config_ = config;
  const std::size_t usable = buffer.size() < 0x10000u ? buffer.size() : 0x10000u;
  chunk_ = static_cast<std::uint32_t>(usable) & ~(ps - 1);
  data_start_ = data_start;
  marker_bytes_ = marker;
  reserve_bytes_ = reserve;
  const std::uint32_t room = (flash.block_size - data_start - reserve) & ~(ps - 1);
  max_payload_ = room - kFrameOverhead < kMaxPayload ? room - kFrameOverhead : kMaxPayload;
  has_head_ = sealed_ = false;
  head_seq_ = oldest_seq_ = write_off_ = next_seq_ = sent_end_ = durable_end_ = 0;

  // The newest valid block header is the head; block seq s lives in block s % n.
  for (std::uint32_t p = 0; p < flash.block_count; ++p) {
    TINYSENSE_TRY(rd(p, 0, buf_.data(), kBlockHeaderBytes));
    BlockHeader h{};
    switch (parse_header(buf_.data(), flash_, &h)) {
      case HeaderKind::kInvalid: continue;
      case HeaderKind::kNewer: return Status::kNotSupported;
      case HeaderKind::kForeign: return Status::kInvalidArgument;
      case HeaderKind::kValid: break;
    }
    if (phys(h.block_seq) != p) continue;
    if (!has_head_ || h.block_seq > head_seq_) {
      has_head_ = true;
      head_seq_ = h.block_seq;
      next_seq_ = h.first_seq;
      sent_end_ = h.sent_end;
    }
  }
  if (has_head_) {
    const std::uint32_t live = flash.block_count - 1;  // one block is always the spare
    oldest_seq_ = head_seq_ >= live - 1 ? head_seq_ - (live - 1) : 0;
    // Numbers continue after every live block's first seq (a consistent log
    // has them increasing; an inconsistent image must not shadow new records).
    for (std::uint32_t b = oldest_seq_; b < head_seq_; ++b) {
      bool valid = false;
      std::uint32_t first = 0;
      TINYSENSE_TRY(read_block_header(b, &valid, &first, nullptr));
      if (valid && first > next_seq_) next_seq_ = first;
    }
    TINYSENSE_TRY(scan_head());
    // A spare with any valid header is an old dead block: nothing to learn.
    const std::uint32_t spare = phys(head_seq_ + 1);
    TINYSENSE_TRY(rd(spare, 0, buf_.data(), kBlockHeaderBytes));
    BlockHeader h{};
    if (parse_header(buf_.data(), flash_, &h) != HeaderKind::kValid) {
      TINYSENSE_TRY(scan_orphan(spare));
    }
    if (sent_end_ > next_seq_) sent_end_ = next_seq_;
    durable_end_ = sent_end_;
  } else {
    for (std::uint32_t p = 0; p < flash.block_count; ++p) TINYSENSE_TRY(scan_orphan(p));
  }
  mounted_ = true;
  return Status::kOk;
}

Status RecordLog::read_block_header(std::uint32_t block_seq, bool* valid,
                                    std::uint32_t* first_seq,
                                    std::uint32_t* sent_end) const noexcept {
  std::uint8_t h[kBlockHeaderBytes];
  TINYSENSE_TRY(rd(phys(block_seq), 0, h, sizeof h));
  BlockHeader b{};
  *valid = parse_header(h, flash_, &b) == HeaderKind::kValid && b.block_seq == block_seq;
  if (first_seq != nullptr) *first_seq = b.first_seq;
  if (sent_end != nullptr) *sent_end = b.sent_end;
  return Status::kOk;
}

Status RecordLog::frame_at(std::uint32_t p, std::uint32_t off, std::uint32_t end,
                           Frame* f) const noexcept {
  f->state = Frame::kEnd;
  if (off > end || end - off < kFrameOverhead) return Status::kOk;
  TINYSENSE_TRY(rd(p, off, f->raw, kFrameHeader));
  bool blank = true;
  for (const std::uint8_t b : f->raw) blank = blank && b == 0xFF;
  if (blank) return Status::kOk;
  f->state = Frame::kBadHeader;
  if (get16(f->raw + 6) != frame_check(f->raw)) return Status::kOk;
  const std::uint16_t info = get16(f->raw + 4);
  f->marker = (info & kMarkerFlag) != 0;
  f->len = info & kMaxPayload;
  f->seq = get32(f->raw);
  f->size = frame_bytes(f->len);
  if ((f->marker && f->len != 0) || f->size > end - off) return Status::kOk;
  f->state = Frame::kOk;
  return Status::kOk;
}

Status RecordLog::frame_crc(std::uint32_t p, std::uint32_t off, const Frame& f,
                            Span<std::uint8_t> out, bool* ok, std::uint32_t* crc_out) const noexcept {
  std::uint32_t c = crc(f.raw, kFrameHeader);
  if (out.size() >= f.len) {
    if (f.len != 0) TINYSENSE_TRY(rd(p, off + kFrameHeader, out.data(), f.len));
    c = crc(out.data(), f.len, c);
  } else {
    for (std::uint32_t pos = 0; pos < f.len;) {
      const std::uint32_t n = f.len - pos < chunk_ ? f.len - pos : chunk_;
      TINYSENSE_TRY(rd(p, off + kFrameHeader + pos, buf_.data(), n));
      c = crc(buf_.data(), n, c);
      pos += n;
    }
  }
  std::uint8_t stored[4];
  TINYSENSE_TRY(rd(p, off + kFrameHeader + f.len, stored, 4));
  *ok = get32(stored) == c;
  if (crc_out != nullptr) *crc_out = c;
  return Status::kOk;
}

Status RecordLog::is_blank(std::uint32_t p, std::uint32_t off, bool* blank) const noexcept {
  *blank = true;
  while (off < flash_.block_size) {
    const std::uint32_t n = flash_.block_size - off < chunk_ ? flash_.block_size - off : chunk_;
    TINYSENSE_TRY(rd(p, off, buf_.data(), n));
    for (std::uint32_t i = 0; i < n; ++i) {
      if (buf_[i] != 0xFF) {
        *blank = false;
        return Status::kOk;
      }
    }
    off += n;
  }
  return Status::kOk;
}

// Finds the write position in the head block, the newest sent marker and the
// next sequence number. The head may end in a torn frame or in garbage from
// an interrupted program: anything but a clean blank tail seals the block.
Status RecordLog::scan_head() noexcept {
  const std::uint32_t p = phys(head_seq_);
  const std::uint32_t max_frames = flash_.block_size / marker_bytes_;
  std::uint32_t off = data_start_;
  bool clean = false;
  for (;;) {
    Frame f{};
    TINYSENSE_TRY(frame_at(p, off, flash_.block_size, &f));
    if (f.state == Frame::kEnd) {
      clean = true;
      break;
    }
    if (f.state == Frame::kBadHeader) {
      // Length unknown: the rest of the block is unreadable. Frames may follow
      // whose numbers were handed out (and maybe sent); skip as many numbers
      // as frames could fit, so none is ever given to a second record.
      const std::uint32_t skip = (flash_.block_size - off) / marker_bytes_;
      next_seq_ = next_seq_ < 0xFFFFFFFEu - skip ? next_seq_ + skip : 0xFFFFFFFEu;
      break;
    }
    bool ok = false;
    TINYSENSE_TRY(frame_crc(p, off, f, Span<std::uint8_t>(), &ok));
    if (f.marker) {
      if (ok && f.seq > sent_end_) sent_end_ = f.seq;
    } else if (f.seq >= next_seq_ && f.seq != 0xFFFFFFFFu &&
               (ok || f.seq - next_seq_ < max_frames)) {
      // Also for a frame that fails its CRC: its header (checked on its own)
      // says the number was handed out, maybe to a record damaged later, and
      // numbers are never reused. Only within reach, in case that header is
      // garbage that passed its 16-bit check.
      next_seq_ = f.seq + 1;
    }
    off += f.size;
  }
  write_off_ = off;
  if (clean) TINYSENSE_TRY(is_blank(p, off, &clean));
  sealed_ = !clean;
  return Status::kOk;
}

// Numbers found in blocks without a valid header: the spare after the head
// (or, with no valid header anywhere, every block) may be a newer block whose
// header was damaged. Intact records numbered after ours push next_seq_ past
// them, so their numbers are never reused; old dead records change nothing.
Status RecordLog::scan_orphan(std::uint32_t p) noexcept {
  for (std::uint32_t off = data_start_;;) {
    Frame f{};
    TINYSENSE_TRY(frame_at(p, off, flash_.block_size, &f));
    if (f.state == Frame::kBadHeader && has_head_) {
      // Unreadable rest (a damaged newer block, or an interrupted erase):
      // assume the worst, as scan_head() does.
      const std::uint32_t skip = (flash_.block_size - off) / marker_bytes_;
      next_seq_ = next_seq_ < 0xFFFFFFFEu - skip ? next_seq_ + skip : 0xFFFFFFFEu;
    }
    if (f.state != Frame::kOk) break;
    if (!f.marker && f.seq >= next_seq_ && f.seq != 0xFFFFFFFFu) {
      bool ok = false;
      TINYSENSE_TRY(frame_crc(p, off, f, Span<std::uint8_t>(), &ok));
      if (ok) next_seq_ = f.seq + 1;
    }
    off += f.size;
  }
  return Status::kOk;
}

// Opens block head+1 in the spare: erase, header, sync, verify. Writing that
// header is what ends the life of the oldest block (only n-1 blocks are
// live), so it is refused while the oldest block holds unsent records.
Status RecordLog::open_block(std::uint32_t new_sent_end) noexcept {
  const std::uint32_t n = flash_.block_count;
  std::uint32_t t = 0;
  if (has_head_) {
    if (head_seq_ == 0xFFFFFFFFu) return Status::kOutOfRange;
    t = head_seq_ + 1;
  }
  if (has_head_ && t >= n - 1 && !config_.drop_oldest) {
    const std::uint32_t dying = t - (n - 1);
    bool valid = false;
    std::uint32_t first = 0;
    TINYSENSE_TRY(read_block_header(dying, &valid, &first, nullptr));
    if (valid) {
      // Its records are numbered below the first seq of the next valid block.
      std::uint32_t bound = next_seq_;
      for (std::uint32_t b = dying + 1; b <= head_seq_; ++b) {
        bool v = false;
        std::uint32_t f = 0;
        TINYSENSE_TRY(read_block_header(b, &v, &f, nullptr));
        if (v) {
          bound = f;
          break;
        }
      }
      const std::uint32_t from = first > new_sent_end ? first : new_sent_end;
      if (bound > from) return Status::kNoSpace;
    }
  }
  const std::uint32_t p = phys(t);
  TINYSENSE_TRY(flash_status(flash_.erase(flash_.ctx, p)));
  std::uint8_t* h = buf_.data();
  std::memset(h, 0xFF, data_start_);
  put32(h, kMagic);
  put16(h + 4, kVersion);
  put16(h + 6, static_cast<std::uint16_t>(flash_.prog_size));
  put32(h + 8, flash_.block_size);
  put32(h + 12, flash_.block_count);
  put32(h + 16, t);
  put32(h + 20, next_seq_);
  put32(h + 24, new_sent_end);
  put32(h + 28, crc(h, 28));
  TINYSENSE_TRY(pg(p, 0, h, data_start_));
  TINYSENSE_TRY(sync());
  bool valid = false;
  std::uint32_t first = 0, sent = 0;
  TINYSENSE_TRY(read_block_header(t, &valid, &first, &sent));
  if (!valid || first != next_seq_ || sent != new_sent_end) return Status::kIoError;
  has_head_ = true;
  head_seq_ = t;
  oldest_seq_ = t >= n - 2 ? t - (n - 2) : 0;
  write_off_ = data_start_;
  sealed_ = false;
  sent_end_ = durable_end_ = new_sent_end;
  return Status::kOk;
}

// Programs one frame at the write position in chunks of the buffer, syncs and
// reads it back. Whatever happens, the frame's range is never programmed
// again (each write unit is programmed once per erase); on failure the block
// is sealed and the next write opens a new one.
Status RecordLog::write_frame(std::uint32_t seq, bool marker,
                              Span<const std::uint8_t> payload) noexcept {
  const std::uint32_t p = phys(head_seq_);
  const std::uint32_t off = write_off_;
  const auto len = static_cast<std::uint32_t>(payload.size());
  const std::uint32_t size = frame_bytes(len);
  std::uint8_t head[kFrameHeader];
  put32(head, seq);
  put16(head + 4, static_cast<std::uint16_t>(len | (marker ? kMarkerFlag : 0u)));
  put16(head + 6, frame_check(head));
  std::uint32_t c = crc(head, kFrameHeader);
  if (len != 0) c = crc(payload.data(), len, c);
  std::uint8_t tail[4];
  put32(tail, c);
  write_off_ = off + size;
  // The frame as a byte stream: header | payload | CRC | 0xFF padding.
  for (std::uint32_t pos = 0; pos < size;) {
    const std::uint32_t n = size - pos < chunk_ ? size - pos : chunk_;
    std::uint8_t* dst = buf_.data();
    for (std::uint32_t i = 0; i < n;) {
      const std::uint32_t s = pos + i;
      std::uint32_t k = 0;
      if (s < kFrameHeader) {
        k = kFrameHeader - s < n - i ? kFrameHeader - s : n - i;
        std::memcpy(dst + i, head + s, k);
      } else if (s < kFrameHeader + len) {
        k = kFrameHeader + len - s < n - i ? kFrameHeader + len - s : n - i;
        std::memcpy(dst + i, payload.data() + (s - kFrameHeader), k);
      } else if (s < kFrameOverhead + len) {
        k = kFrameOverhead + len - s < n - i ? kFrameOverhead + len - s : n - i;
        std::memcpy(dst + i, tail + (s - kFrameHeader - len), k);
      } else {
        k = n - i;
        std::memset(dst + i, 0xFF, k);
      }
      i += k;
    }
    const Status s = pg(p, off + pos, dst, n);
    if (s != Status::kOk) {
      sealed_ = true;
      return s;
    }
    pos += n;
  }
  Status s = sync();
  Frame f{};
  bool ok = false;
  std::uint32_t got = 0;
  if (s == Status::kOk) s = frame_at(p, off, flash_.block_size, &f);
  if (s == Status::kOk && f.state == Frame::kOk &&
      std::memcmp(f.raw, head, kFrameHeader) == 0) {
    s = frame_crc(p, off, f, Span<std::uint8_t>(), &ok, &got);
  }
  if (s == Status::kOk && !(ok && got == c)) s = Status::kIoError;
  if (s != Status::kOk) sealed_ = true;
  return s;
}

Status RecordLog::append(Span<const std::uint8_t> payload, std::uint32_t* seq) noexcept {
  if (!mounted_) return Status::kNotInitialized;
  if (payload.size() > max_payload_) return Status::kInvalidArgument;
  if (next_seq_ == 0xFFFFFFFFu) return Status::kOutOfRange;
  const std::uint32_t need = frame_bytes(payload.size()) + reserve_bytes_;
  if (!has_head_ || sealed_ || flash_.block_size - write_off_ < need) {
    TINYSENSE_TRY(open_block(sent_end_));
  }
  // The number is spent once programming starts, even if it fails, so two
  // frames never carry the same seq.
  const std::uint32_t s = next_seq_++;
  TINYSENSE_TRY(write_frame(s, false, payload));
  if (seq != nullptr) *seq = s;
  return Status::kOk;
}

Status RecordLog::mark_sent(std::uint32_t seq) noexcept {
  if (!mounted_) return Status::kNotInitialized;
  if (seq >= next_seq_) return Status::kInvalidArgument;
  const std::uint32_t v = seq + 1;
  if (v <= durable_end_) return Status::kOk;
  const std::uint32_t target = v > sent_end_ ? v : sent_end_;
  if (has_head_ && !sealed_ && flash_.block_size - write_off_ >= marker_bytes_) {
    TINYSENSE_TRY(write_frame(target, true, Span<const std::uint8_t>()));
    sent_end_ = durable_end_ = target;
    return Status::kOk;
  }
  const Status s = open_block(target);
  if (s == Status::kNoSpace) {
    sent_end_ = target;  // frees space in RAM now; written with the next header
    return Status::kBusy;
  }
  return s;
}

LogCursor RecordLog::begin() const noexcept {
  LogCursor c;
  c.block_seq = oldest_seq_;
  return c;
}

Status RecordLog::unsent(LogCursor* cursor) const noexcept {
  if (!mounted_) return Status::kNotInitialized;
  *cursor = begin();
  cursor->min_seq = sent_end_;
  if (!has_head_) return Status::kOk;
  // Start in the newest block whose header says everything before it is sent.
  for (std::uint32_t b = head_seq_; b > oldest_seq_; --b) {
    bool valid = false;
    std::uint32_t first = 0;
    TINYSENSE_TRY(read_block_header(b, &valid, &first, nullptr));
    if (valid && first <= sent_end_) {
      cursor->block_seq = b;
      break;
    }
  }
  return Status::kOk;
}

Status RecordLog::read(LogCursor* c, Span<std::uint8_t> out, RecordInfo* info) const noexcept {
  if (!mounted_) return Status::kNotInitialized;
  if (!has_head_) return Status::kNoData;
  for (;;) {
    if (c->block_seq < oldest_seq_) {  // dropped (drop_oldest) or a fresh cursor
      c->block_seq = oldest_seq_;
      c->offset = 0;
    }
    if (c->block_seq > head_seq_) return Status::kNoData;
    const std::uint32_t p = phys(c->block_seq);
    const std::uint32_t end = c->block_seq == head_seq_ ? write_off_ : flash_.block_size;
    bool next_block = false;
    Frame f{};
    if (c->offset == 0) {
      // Entering a block: its records are numbered from its header's first
      // seq up to the first seq of the next valid block (the head: next_seq_).
      // Anything outside (a stale or inconsistent frame) is never returned.
      bool valid = false;
      std::uint32_t first = 0;
      TINYSENSE_TRY(read_block_header(c->block_seq, &valid, &first, nullptr));
      if (valid) {
        c->offset = data_start_;
        if (first > c->min_seq) c->min_seq = first;
        c->end_seq = 0xFFFFFFFFu;
        for (std::uint32_t b = c->block_seq + 1; b <= head_seq_ && b > c->block_seq; ++b) {
          bool v = false;
          std::uint32_t f2 = 0;
          TINYSENSE_TRY(read_block_header(b, &v, &f2, nullptr));
          if (v) {
            c->end_seq = f2;
            break;
          }
        }
      } else {
        next_block = true;
      }
    }
    if (!next_block) {
      TINYSENSE_TRY(frame_at(p, c->offset, end, &f));
      next_block = f.state != Frame::kOk;  // blank, end or damaged header: rest unreadable
    }
    if (next_block) {
      if (c->block_seq >= head_seq_) return Status::kNoData;
      ++c->block_seq;
      c->offset = 0;
      continue;
    }
    if (f.marker || f.seq < c->min_seq || f.seq >= next_seq_ || f.seq >= c->end_seq) {
      c->offset += f.size;
      continue;
    }
    bool ok = false;
    TINYSENSE_TRY(frame_crc(p, c->offset, f, out, &ok));
    if (!ok) {
      c->offset += f.size;
      continue;
    }
    info->seq = f.seq;
    info->size = f.len;
    if (out.size() < f.len) return Status::kNoMemory;  // checked above, cursor stays
    c->offset += f.size;
    c->min_seq = f.seq + 1;
    return Status::kOk;
  }
}

}  // namespace tinysense::node
