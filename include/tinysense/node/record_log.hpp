// RecordLog: an append-only, power-loss-safe record log on NOR flash that is
// also the node's transmission buffer. Design, on-flash format and rejected
// alternatives: docs/design/storage.md; host decoder: python/tinysense/records.py.
//
// Guarantees (tested by cutting power at every program and erase of a
// workload, tests/cpp/test_record_log.cpp):
//  * a record whose append() returned kOk survives any later power cut until
//    it is marked sent (or dropped by drop_oldest); mount() returns the
//    surviving records in order, seq strictly increasing;
//  * the record being appended when power fails is either wholly present or
//    absent, never torn; nothing corrupt is ever returned: every frame is
//    CRC-32 checked on every read (policy on damage: storage.md "Damage");
//  * the sent marker never exceeds what mark_sent() was given, and a value
//    for which mark_sent() returned kOk survives power cuts, so a record can
//    be sent twice after a cut but never lost unsent;
//  * the blocks are used in a circle (one erase per block per lap: wear
//    differs by at most one erase between blocks); each write unit is
//    programmed at most once between erases.
// Costs: RAM = sizeof(RecordLog) + the caller's buffer; mount reads every
// block header and the newest block; append programs one frame (+ one erase
// and one header when it opens a block) and reads it back to verify it.
#ifndef TINYSENSE_NODE_RECORD_LOG_HPP
#define TINYSENSE_NODE_RECORD_LOG_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/flash.hpp"

namespace tinysense::node {

// Options of a RecordLog.
struct LogConfig {
  // When every block holds unsent records: false -> append() returns kNoSpace;
  // true -> the oldest block is erased anyway (a ring buffer of the newest data).
  bool drop_oldest = false;
  // Sent-marker frames kept free in every block beyond the data, so that
  // mark_sent() can persist acks while the log is full (see mark_sent()).
  std::uint8_t ack_reserve = 2;
};

// Position of a reader in the log; obtained from begin() / unsent(), advanced
// by read(). Stays valid across append(); after drop_oldest discarded the
// block it points into, read() continues with the oldest remaining record.
struct LogCursor {
  std::uint32_t block_seq = 0;  // block being read (see storage.md)
  std::uint32_t offset = 0;     // next frame in that block; 0 = block not entered yet
  std::uint32_t min_seq = 0;    // records with a smaller seq are skipped
  std::uint32_t end_seq = 0;    // this block's records are numbered below it (set on entry)
};

// What read() found.
struct RecordInfo {
  std::uint32_t seq = 0;   // the record's sequence number (from append())
  std::size_t size = 0;    // payload bytes
};

class RecordLog {
 public:
  static constexpr std::uint32_t kBlockHeaderBytes = 32;  // before alignment to prog_size
  static constexpr std::uint32_t kFrameOverhead = 12;     // seq, info, check, CRC-32
  static constexpr std::uint32_t kMaxPayload = 0x7FFF;    // 15-bit length field
  static constexpr std::uint16_t kVersion = 1;

  // Smallest buffer mount() accepts for this geometry: one aligned block
  // header. Larger buffers (up to a few hundred bytes) make scans faster.
  static constexpr std::size_t min_buffer_bytes(std::uint32_t prog_size) noexcept {
    return prog_size > kBlockHeaderBytes ? prog_size : kBlockHeaderBytes;
  }

  // Scans the flash and recovers the log: the newest valid block, the records
  // after the last clean frame, the sent marker. A blank or garbage-filled
  // flash mounts as an empty log (nothing is written until the first append).
  // `flash` is copied; `buffer` (>= min_buffer_bytes, caller-owned, used for
  // staging programs and scanning) must outlive the log.
  // Geometry: block_count >= 2, prog_size a power of two <= 4096 dividing
  // block_size (<= 1 GiB), and a block must hold the header, ack_reserve
  // marker frames and a 1-byte record. Errors: kInvalidArgument for a bad
  // geometry or config, or when the flash holds a log of another geometry
  // (not overwritten); kNotSupported for a newer format version; kNoMemory
  // for a small buffer; flash callback errors.
  [[nodiscard]] Status mount(const Flash& flash, Span<std::uint8_t> buffer,
                             const LogConfig& config = LogConfig{}) noexcept;

  // Appends one record (0..max_payload() bytes) and syncs; on kOk the record
  // is durable and *seq (optional) holds its sequence number: unique, strictly
  // increasing (gaps possible after power cuts). kNoSpace: full of unsent
  // records (drop_oldest off), nothing written. kOutOfRange: the 32-bit
  // sequence space is exhausted. kInvalidArgument: payload too large. A flash
  // error (or a failed read-back verify, kIoError) leaves the record absent;
  // the next append starts a new block.
  [[nodiscard]] Status append(Span<const std::uint8_t> payload,
                              std::uint32_t* seq = nullptr) noexcept;

  // Records that every record with seq <= `seq` was acknowledged by the
  // receiver (monotonic: a smaller value than before is a no-op). kOk: the
  // marker is durable. kBusy: accepted (unsent() and the space accounting use
  // it) but not yet durable because the log is full of unsent data and the
  // ack reserve is used up; it is written with the next block header, and a
  // power cut before that only makes those records be sent again.
  // kInvalidArgument: seq >= next_seq().
  [[nodiscard]] Status mark_sent(std::uint32_t seq) noexcept;

  // Cursor at the oldest record in the log.
  LogCursor begin() const noexcept;
  // Cursor at the oldest record not marked sent (skips blocks by header).
  [[nodiscard]] Status unsent(LogCursor* cursor) const noexcept;

  // Copies the next record at/after `cursor` into `out` and advances the
  // cursor. Corrupt frames are skipped, never returned. kNoData: no more
  // records. kNoMemory: out is smaller than the record (info->size says how
  // large; the cursor does not move). Flash errors as returned.
  [[nodiscard]] Status read(LogCursor* cursor, Span<std::uint8_t> out,
                            RecordInfo* info) const noexcept;

  bool mounted() const noexcept { return mounted_; }
  // Sequence number the next append() will get.
  std::uint32_t next_seq() const noexcept { return next_seq_; }
  // Every record with seq < sent_end() is marked sent (0 before any ack).
  std::uint32_t sent_end() const noexcept { return sent_end_; }
  // False while a kBusy mark_sent() value waits to be written.
  bool sent_durable() const noexcept { return durable_end_ == sent_end_; }
  // Largest payload append() accepts with this geometry.
  std::size_t max_payload() const noexcept { return max_payload_; }
  // Block sequence numbers of the newest block and of the oldest live one
  // (no block yet: both 0 and has_blocks() false).
  bool has_blocks() const noexcept { return has_head_; }
  std::uint32_t head_block() const noexcept { return head_seq_; }
  std::uint32_t oldest_block() const noexcept { return oldest_seq_; }

 private:
  struct Frame;
  Status flash_status(int rc) const noexcept;
  Status rd(std::uint32_t block, std::uint32_t off, std::uint8_t* p, std::size_t n) const noexcept;
  Status pg(std::uint32_t block, std::uint32_t off, const std::uint8_t* p,
            std::size_t n) noexcept;
  Status sync() noexcept;
  std::uint32_t phys(std::uint32_t block_seq) const noexcept {
    return block_seq % flash_.block_count;
  }
  std::uint32_t frame_bytes(std::size_t payload) const noexcept;
  Status read_block_header(std::uint32_t block_seq, bool* valid, std::uint32_t* first_seq,
                           std::uint32_t* sent_end) const noexcept;
  Status frame_at(std::uint32_t p, std::uint32_t off, std::uint32_t end, Frame* f) const noexcept;
  Status frame_crc(std::uint32_t p, std::uint32_t off, const Frame& f, Span<std::uint8_t> out,
                   bool* ok, std::uint32_t* crc = nullptr) const noexcept;
  Status is_blank(std::uint32_t p, std::uint32_t off, bool* blank) const noexcept;
  Status scan_head() noexcept;
  Status scan_orphan(std::uint32_t p) noexcept;
  Status open_block(std::uint32_t new_sent_end) noexcept;
  Status write_frame(std::uint32_t seq, bool marker, Span<const std::uint8_t> payload) noexcept;

  Flash flash_{};
  Span<std::uint8_t> buf_;
  LogConfig config_{};
  std::uint32_t chunk_ = 0;        // bytes per program call: buffer rounded down to prog_size
  std::uint32_t data_start_ = 0;   // first frame offset in a block
  std::uint32_t marker_bytes_ = 0; // size of one sent-marker frame
  std::uint32_t reserve_bytes_ = 0;
  std::uint32_t max_payload_ = 0;
  std::uint32_t head_seq_ = 0;     // newest block (valid when has_head_)
  std::uint32_t oldest_seq_ = 0;   // oldest live block
  std::uint32_t write_off_ = 0;    // next free offset in the head block
  std::uint32_t next_seq_ = 0;
  std::uint32_t sent_end_ = 0;
  std::uint32_t durable_end_ = 0;  // sent_end_ as last written to flash
  bool has_head_ = false;
  bool sealed_ = false;            // head block unusable for further frames
  bool mounted_ = false;
};

// RecordLog with its buffer inside (ETL-style owning variant).
template <std::size_t BufferBytes = 64>
class RecordLogN : public RecordLog {
 public:
  static_assert(BufferBytes >= RecordLog::kBlockHeaderBytes, "buffer below one block header");
  RecordLogN() noexcept = default;
  RecordLogN(const RecordLogN&) = delete;  // the base points at storage_
  RecordLogN& operator=(const RecordLogN&) = delete;
  [[nodiscard]] Status mount(const Flash& flash, const LogConfig& config = LogConfig{}) noexcept {
    return RecordLog::mount(flash, Span<std::uint8_t>(storage_, BufferBytes), config);
  }

 private:
  std::uint8_t storage_[BufferBytes] = {};
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_RECORD_LOG_HPP
