// Fuzz harness of the node storage: the record decoder (record.hpp) and the
// RecordLog mount/read/append path on an arbitrary flash image
// (record_log.hpp). Shared by the libFuzzer target fuzz/fuzz_record.cpp and by
// tests/cpp/test_record.cpp, which replays fuzz/corpus/fuzz_record/ on every
// target without libFuzzer. Every input goes through both:
//
//  * run_record_codec: the bytes as a record. The decoder must accept or
//    return kCorrupt / kNotSupported; an accepted record must re-encode, field
//    by field, to exactly the same bytes (the format is canonical), and the
//    encoder must refuse a buffer one byte short with kNoMemory.
//  * run_log_image: byte 0 picks a geometry (bits 0-1: block size 128 << b,
//    bits 2-3: 2 + b blocks, bits 4-5: prog size 1 << 2b, bit 6: drop_oldest,
//    bit 7: no ack reserve), the rest is the flash image (0xFF-padded). mount()
//    must succeed or refuse (bad geometry, foreign or newer log); then every
//    record read must come in strictly increasing seq order below next_seq,
//    appends and acks must only fail with kNoSpace / kBusy / kOutOfRange, no
//    write unit may be programmed twice, and after a power cut at an op chosen
//    by the input the newest acknowledged record must be read back intact.
// A violation traps.
#ifndef TINYSENSE_FUZZ_FUZZ_RECORD_HPP
#define TINYSENSE_FUZZ_FUZZ_RECORD_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "tinysense/node/flash.hpp"
#include "tinysense/node/record.hpp"
#include "tinysense/node/record_log.hpp"

namespace tinysense::fuzz {

constexpr std::size_t kRecordMax = 16 * 1024;  // larger inputs are skipped
constexpr std::size_t kLogFlashMax = 1024 * 5;

struct RecordBuffers {
  std::uint8_t out[kRecordMax];
  std::uint8_t flash[kLogFlashMax];
  std::uint8_t log_buffer[64];
  std::uint8_t payload[1024];
  std::uint8_t check[1024];
};
inline RecordBuffers g_record;  // zero-initialised, no constructor

inline void record_require(bool ok) noexcept {
  if (!ok) __builtin_trap();
}

// Re-encodes a valid record field by field into out[0..cap); returns the
// encoder's first failure (kOk when everything fit) and its size.
inline Status record_reencode(Span<const std::uint8_t> in, std::size_t cap,
                              std::size_t expect_fields, std::size_t* out_size) noexcept {
  node::RecordDecoder d;
  node::RecordHeader h;
  record_require(d.begin(in, &h) == Status::kOk);
  node::RecordEncoder e;
  Status es = e.begin(Span<std::uint8_t>(g_record.out, cap), h.kind, h.seq, h.timestamp);
  node::Field f;
  std::size_t n = 0;
  Status ds;
  while ((ds = d.next(&f)) == Status::kOk) {
    record_require(f.data.empty() || (f.data.data() >= in.data() &&
                                      f.data.data() + f.data.size() <= in.data() + in.size()));
    if (f.type == node::FieldType::kFeatures) {
      std::int32_t sum = 0;
      for (std::size_t i = 0; i < f.id; ++i) sum += node::feature(f, i);
      (void)sum;
    }
    if (es == Status::kOk) es = e.add(f);
    ++n;
  }
  record_require(ds == Status::kNoData && n == expect_fields);
  *out_size = e.size();
  return es;
}

inline int run_record_codec(const std::uint8_t* data, std::size_t size) noexcept {
  if (size > kRecordMax) return 0;
  const Span<const std::uint8_t> in(data, size);
  std::size_t fields = 0;
  const Status s = node::validate_record(in, nullptr, &fields);
  record_require(s == Status::kOk || s == Status::kCorrupt || s == Status::kNotSupported);
  if (s != Status::kOk) return 0;
  std::size_t n = 0;
  record_require(record_reencode(in, size, fields, &n) == Status::kOk && n == size &&
                 std::memcmp(g_record.out, data, size) == 0);
  // One byte short: refused, and what was written is still a valid record.
  record_require(record_reencode(in, size - 1, fields, &n) == Status::kNoMemory && n < size);
  if (n > 0) {
    record_require(node::validate_record(Span<const std::uint8_t>(g_record.out, n)) ==
                   Status::kOk);
  }
  return 1;
}

inline bool record_log_read_all(node::RecordLog& log, std::uint32_t* last_seq,
                                std::size_t* last_size, std::uint32_t* count) noexcept {
  node::LogCursor c = log.begin();
  node::RecordInfo info;
  std::uint32_t n = 0;
  Status s;
  while ((s = log.read(&c, Span<std::uint8_t>(g_record.check, sizeof g_record.check), &info)) ==
         Status::kOk) {
    record_require(n == 0 || info.seq > *last_seq);
    record_require(info.seq < log.next_seq() && info.size <= log.max_payload());
    *last_seq = info.seq;
    *last_size = info.size;
    ++n;
    record_require(n <= kLogFlashMax / node::RecordLog::kFrameOverhead);
  }
  record_require(s == Status::kNoData);
  *count = n;
  return n > 0;
}

inline int run_log_image(const std::uint8_t* data, std::size_t size) noexcept {
  if (size < 1) return 0;
  const std::uint8_t sel = data[0];
  const std::uint32_t bs = 128u << (sel & 3u);
  const std::uint32_t bc = 2u + ((sel >> 2) & 3u);
  const std::uint32_t ps = 1u << (2u * ((sel >> 4) & 3u));
  node::LogConfig cfg;
  cfg.drop_oldest = (sel & 0x40u) != 0;
  cfg.ack_reserve = (sel & 0x80u) != 0 ? 0 : 2;
  const std::size_t bytes = static_cast<std::size_t>(bs) * bc;
  node::RamFlash flash;
  record_require(flash.init(Span<std::uint8_t>(g_record.flash, bytes), bs, bc, ps) == Status::kOk);
  const std::size_t n_img = size - 1 < bytes ? size - 1 : bytes;
  if (n_img > 0) std::memcpy(g_record.flash, data + 1, n_img);
  const Span<std::uint8_t> buf(g_record.log_buffer, sizeof g_record.log_buffer);
  node::RecordLog log;
  Status s = log.mount(flash.flash(), buf, cfg);
  record_require(s == Status::kOk || s == Status::kInvalidArgument ||
                 s == Status::kNotSupported);
  if (s != Status::kOk) return 0;
  record_require(log.sent_end() <= log.next_seq());
  std::uint32_t last = 0, count = 0;
  std::size_t last_size = 0;
  record_log_read_all(log, &last, &last_size, &count);
  node::LogCursor u;
  record_require(log.unsent(&u) == Status::kOk);
  node::RecordInfo info;
  while ((s = log.read(&u, Span<std::uint8_t>(g_record.check, sizeof g_record.check), &info)) ==
         Status::kOk) {
    record_require(info.seq >= log.sent_end());
  }
  record_require(s == Status::kNoData);

  // Appends and acks with contents from the input, then a power cut.
  const std::size_t max = log.max_payload() < sizeof g_record.payload ? log.max_payload()
                                                                       : sizeof g_record.payload;
  bool have = false;
  std::uint32_t acked = 0;
  std::size_t acked_size = 0;
  const std::uint32_t cut_at = size > 1 ? data[size - 1] % 24u : 0u;
  flash.cut_power_at(cut_at, static_cast<node::PowerCut>(sel % 3u),
                     static_cast<std::uint32_t>(size));
  for (std::size_t i = 0; i < 12 && flash.powered(); ++i) {
    const std::size_t n = (data[i % size] * 7u + i) % (max + 1);
    for (std::size_t k = 0; k < n; ++k) {
      g_record.payload[k] = data[(i + k) % size] ^ static_cast<std::uint8_t>(i);
    }
    std::uint32_t seq = 0;
    s = log.append(Span<const std::uint8_t>(g_record.payload, n), &seq);
    if (s == Status::kOk) {
      have = true;
      acked = seq;
      acked_size = n;
      std::memcpy(g_record.check, g_record.payload, n);
      if (i % 4 == 3) {
        s = log.mark_sent(seq > 2 ? seq - 2 : 0);
        record_require(s == Status::kOk || s == Status::kBusy || s == Status::kInvalidArgument ||
                       !flash.powered());
      }
    } else {
      record_require(s == Status::kNoSpace || s == Status::kOutOfRange || !flash.powered());
    }
  }
  std::memcpy(g_record.payload, g_record.check, acked_size);
  flash.power_on();
  record_require(flash.violations() == 0);
  record_require(log.mount(flash.flash(), buf, cfg) == Status::kOk);
  record_log_read_all(log, &last, &last_size, &count);
  if (have && !cfg.drop_oldest) {
    // The newest acknowledged record is the newest record (or, if the log
    // had to drop the block it was in, it was acknowledged by mark_sent).
    record_require(count > 0 && last >= acked);
    node::LogCursor c = log.begin();
    while ((s = log.read(&c, Span<std::uint8_t>(g_record.check, sizeof g_record.check), &info)) ==
               Status::kOk &&
           info.seq != acked) {
    }
    record_require(s == Status::kOk && info.seq == acked && info.size == acked_size &&
                   std::memcmp(g_record.check, g_record.payload, acked_size) == 0);
  }
  return 1;
}

inline int run_record(const std::uint8_t* data, std::size_t size) noexcept {
  return run_record_codec(data, size) + run_log_image(data, size);
}

}  // namespace tinysense::fuzz

#endif  // TINYSENSE_FUZZ_FUZZ_RECORD_HPP
