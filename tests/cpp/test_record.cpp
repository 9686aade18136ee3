// Record codec vs the Python encoder (python/tinysense/records.py): golden
// bytes decode to the golden fields and re-encode to the same bytes; every
// truncation and every invalid record is refused without reading past the
// end; encoder limits. RecordLog vs the Python log decoder on flash images
// written by an independent Python writer. The fuzz corpus, replayed.
#include <cstdio>
#include <cstring>
#include <memory>

#include "../../fuzz/fuzz_record.hpp"
#include "golden_record.hpp"
#include "tinysense/node/flash.hpp"
#include "tinysense/node/record.hpp"
#include "tinysense/node/record_log.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::record;

namespace {

std::uint8_t g_out[4096];

Span<const std::uint8_t> golden_bytes(std::size_t i) {
  return Span<const std::uint8_t>(g::rec_bytes + g::rec_offsets[i],
                                  g::rec_offsets[i + 1] - g::rec_offsets[i]);
}

constexpr std::size_t kRecords = g::rec_offsets_len - 1;

// Exactly-sized heap copy, so ASan sees any read past the end.
struct Exact {
  std::unique_ptr<std::uint8_t[]> p;
  Span<const std::uint8_t> s;
  explicit Exact(Span<const std::uint8_t> src) : p(new std::uint8_t[src.size() + 1]) {
    if (!src.empty()) std::memcpy(p.get(), src.data(), src.size());
    s = Span<const std::uint8_t>(p.get(), src.size());
  }
};

}  // namespace

TT_TEST(decodes_python_golden_records) {
  std::size_t field_index = 0, data_off = 0, total_fields = 0;
  for (std::size_t r = 0; r < kRecords; ++r) {
    const Exact in(golden_bytes(r));
    RecordDecoder d;
    RecordHeader h;
    TT_CHECK(d.begin(in.s, &h) == Status::kOk);
    TT_CHECK_EQ(h.version, kRecordVersion);
    TT_CHECK_EQ(h.kind, g::rec_header[4 * r]);
    TT_CHECK_EQ(h.seq, g::rec_header[4 * r + 1]);
    TT_CHECK_EQ(h.timestamp, g::rec_header[4 * r + 2]);
    const std::uint32_t nf = g::rec_header[4 * r + 3];
    Field f;
    for (std::uint32_t k = 0; k < nf; ++k, ++field_index) {
      const std::int64_t* e = g::rec_fields + 4 * field_index;
      TT_CHECK(d.next(&f) == Status::kOk);
      TT_CHECK_EQ(static_cast<std::int64_t>(f.type), e[0]);
      TT_CHECK_EQ(static_cast<std::int64_t>(f.id), e[1]);
      TT_CHECK_EQ(static_cast<std::int64_t>(f.value), e[2]);
      TT_CHECK_EQ(static_cast<std::int64_t>(f.data.size()), e[3]);
      TT_CHECK(f.data.empty() ||
               std::memcmp(f.data.data(), g::rec_field_data + data_off, f.data.size()) == 0);
      if (f.type == FieldType::kFeatures) {
        for (std::size_t i = 0; i < f.id; ++i) {
          const std::uint8_t* b = g::rec_field_data + data_off + 2 * i;
          TT_CHECK_EQ(feature(f, i), static_cast<std::int16_t>(b[0] | (b[1] << 8)));
        }
      }
      data_off += static_cast<std::size_t>(e[3]);
    }
    TT_CHECK(d.next(&f) == Status::kNoData);
    total_fields += nf;
    std::size_t n = 0;
    TT_CHECK(validate_record(in.s, nullptr, &n) == Status::kOk);
    TT_CHECK_EQ(n, nf);
  }
  TT_CHECK_EQ(field_index * 4, g::rec_fields_len);
  std::printf("    %u golden records, %u fields\n", static_cast<unsigned>(kRecords),
              static_cast<unsigned>(total_fields));
}

TT_TEST(reencodes_python_golden_records_byte_for_byte) {
  for (std::size_t r = 0; r < kRecords; ++r) {
    const Span<const std::uint8_t> in = golden_bytes(r);
    RecordDecoder d;
    RecordHeader h;
    TT_CHECK(d.begin(in, &h) == Status::kOk);
    RecordEncoder e;
    g_out[in.size()] = 0xA5;  // canary
    TT_CHECK(e.begin(Span<std::uint8_t>(g_out, in.size()), h.kind, h.seq, h.timestamp) ==
             Status::kOk);
    Field f;
    while (d.next(&f) == Status::kOk) TT_CHECK(e.add(f) == Status::kOk);
    TT_CHECK_EQ(e.size(), in.size());
    TT_CHECK(std::memcmp(g_out, in.data(), in.size()) == 0);
    TT_CHECK_EQ(g_out[in.size()], 0xA5);
  }
}

TT_TEST(typed_encoder_matches_python_case_0) {
  // gen_record.py HAND[0]: measurement 1234 @ 86400 s, -12.34 degC, 45.67 %RH, 2950 mV.
  RecordEncoder e;
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 64), static_cast<std::uint8_t>(RecordKind::kMeasurement),
                   1234, 86400) == Status::kOk);
  TT_CHECK(e.add_temperature(-1234) == Status::kOk);
  TT_CHECK(e.add_humidity(4567) == Status::kOk);
  TT_CHECK(e.add_battery(2950) == Status::kOk);
  const Span<const std::uint8_t> want = golden_bytes(0);
  TT_CHECK_EQ(e.size(), want.size());
  TT_CHECK(std::memcmp(e.bytes().data(), want.data(), want.size()) == 0);
  TT_CHECK_EQ(e.size(), 15u);  // 1 + 2 + 3 (varints) + 3 x 3
  // Case 2 uses sound_metric(): A/Leq and C/max.
  TT_CHECK_EQ(sound_metric(kWeightA, kStatLeq), 0x10);
  TT_CHECK_EQ(sound_metric(kWeightC, kStatMax), 0x21);
  TT_CHECK_EQ(sound_metric(kWeightA, kStatL90), 0x15);
  TT_CHECK_EQ(confidence_u8(0.0f), 0);
  TT_CHECK_EQ(confidence_u8(-1.0f), 0);
  TT_CHECK_EQ(confidence_u8(__builtin_nanf("")), 0);
  TT_CHECK_EQ(confidence_u8(1.0f), 255);
  TT_CHECK_EQ(confidence_u8(2.0f), 255);
  TT_CHECK_EQ(confidence_u8(0.5f), 128);
  TT_CHECK_EQ(confidence_u8(0.98f), 250);
}

TT_TEST(every_truncation_is_refused_or_a_field_boundary) {
  long refused = 0, prefixes = 0;
  for (std::size_t r = 0; r < kRecords; ++r) {
    const Span<const std::uint8_t> in = golden_bytes(r);
    // Field boundaries: the sizes of the record after its header and after each field.
    std::size_t bounds[300];
    std::size_t nb = 0;
    {
      RecordDecoder d;
      RecordHeader h;
      TT_CHECK(d.begin(in, &h) == Status::kOk);
      RecordEncoder e;
      TT_CHECK(e.begin(Span<std::uint8_t>(g_out, sizeof g_out), h.kind, h.seq, h.timestamp) ==
               Status::kOk);
      bounds[nb++] = e.size();
      Field f;
      while (d.next(&f) == Status::kOk && nb < 300) {
        TT_CHECK(e.add(f) == Status::kOk);
        bounds[nb++] = e.size();
      }
    }
    for (std::size_t len = 0; len < in.size(); ++len) {
      const Exact cut(in.first(len));
      bool boundary = false;
      for (std::size_t b = 0; b < nb; ++b) boundary = boundary || bounds[b] == len;
      std::size_t fields = 0;
      const Status s = validate_record(cut.s, nullptr, &fields);
      if (boundary) {
        TT_CHECK(s == Status::kOk);
        ++prefixes;
      } else {
        TT_CHECK(s == Status::kCorrupt);
        ++refused;
      }
    }
  }
  std::printf("    truncations: %ld refused, %ld valid shorter records (field boundaries)\n",
              refused, prefixes);
}

TT_TEST(invalid_records_get_the_python_verdict) {
  for (std::size_t i = 0; i + 1 < g::bad_offsets_len; ++i) {
    const Exact in(Span<const std::uint8_t>(g::bad_bytes + g::bad_offsets[i],
                                            g::bad_offsets[i + 1] - g::bad_offsets[i]));
    const Status s = validate_record(in.s);
    if (static_cast<int>(s) != g::bad_status[i]) std::printf("    bad record %u\n", static_cast<unsigned>(i));
    TT_CHECK_EQ(static_cast<int>(s), g::bad_status[i]);
  }
  // A decoder that failed stays failed; next() before begin() fails.
  RecordDecoder d;
  Field f;
  TT_CHECK(d.next(&f) == Status::kCorrupt);
  const std::uint8_t bad[] = {0x20, 1, 1, 0x01, 0x10, 0x00, 0x09};
  TT_CHECK(d.begin(Span<const std::uint8_t>(bad), nullptr) == Status::kOk);
  TT_CHECK(d.next(&f) == Status::kOk);
  TT_CHECK(d.next(&f) == Status::kCorrupt);
  TT_CHECK(d.next(&f) == Status::kCorrupt);
}

TT_TEST(encoder_limits) {
  RecordEncoder e;
  TT_CHECK(e.add_temperature(1) == Status::kNotInitialized);
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 64), 32, 0, 0) == Status::kInvalidArgument);
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 2), 0, 0, 0) == Status::kNoMemory);
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 10), 0, 0xFFFFFFFFu, 0xFFFFFFFFu) == Status::kNoMemory);
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 11), 0, 0xFFFFFFFFu, 0xFFFFFFFFu) == Status::kOk);
  TT_CHECK(e.add_battery(1) == Status::kNoMemory);
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 3), 0, 0, 0) == Status::kOk);
  TT_CHECK_EQ(e.size(), 3u);
  // Each add either fits whole or leaves the record as it was.
  g_out[10] = 0x5A;
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 10), 1, 5, 6) == Status::kOk);
  TT_CHECK(e.add_temperature(100) == Status::kOk);  // 3 + 3 bytes
  TT_CHECK(e.add_class(1, 2) == Status::kOk);       // + 3 = 9 of 10
  TT_CHECK(e.add_sound_level(0x10, 5000) == Status::kNoMemory);
  TT_CHECK(e.add_humidity(1) == Status::kNoMemory);
  TT_CHECK(e.add_value(0, 0) == Status::kNoMemory);          // 3 bytes: 12 > 10
  const std::int16_t one[1] = {7};
  TT_CHECK(e.add_features(Span<const std::int16_t>(one)) == Status::kNoMemory);
  TT_CHECK(e.add_extension(0x80, Span<const std::uint8_t>()) == Status::kNoMemory);
  TT_CHECK_EQ(e.size(), 9u);
  TT_CHECK_EQ(g_out[10], 0x5A);
  TT_CHECK(validate_record(e.bytes()) == Status::kOk);
  // Values the format cannot carry.
  TT_CHECK(e.begin(Span<std::uint8_t>(g_out, sizeof g_out), 0, 0, 0) == Status::kOk);
  TT_CHECK(e.add_humidity(10001) == Status::kInvalidArgument);
  TT_CHECK(e.add_humidity(10000) == Status::kOk);
  TT_CHECK(e.add_features(Span<const std::int16_t>()) == Status::kInvalidArgument);
  static std::int16_t many[256];
  TT_CHECK(e.add_features(Span<const std::int16_t>(many, 256)) == Status::kInvalidArgument);
  TT_CHECK(e.add_features(Span<const std::int16_t>(many, 255)) == Status::kOk);
  static std::uint8_t blob[256];
  TT_CHECK(e.add_extension(0x7F, Span<const std::uint8_t>(blob, 1)) == Status::kInvalidArgument);
  TT_CHECK(e.add_extension(0x80, Span<const std::uint8_t>(blob, 256)) == Status::kInvalidArgument);
  TT_CHECK(e.add_extension(0xFF, Span<const std::uint8_t>(blob, 255)) == Status::kOk);
  Field f;
  f.type = FieldType::kHumidity;
  f.value = 10001;
  TT_CHECK(e.add(f) == Status::kInvalidArgument);
  f.type = FieldType::kTemperature;
  f.value = 40000;
  TT_CHECK(e.add(f) == Status::kInvalidArgument);
  f.type = FieldType::kFeatures;
  f.id = 2;
  f.data = Span<const std::uint8_t>(blob, 3);
  TT_CHECK(e.add(f) == Status::kInvalidArgument);
  f.type = static_cast<FieldType>(0x33);
  TT_CHECK(e.add(f) == Status::kInvalidArgument);
  TT_CHECK(validate_record(e.bytes()) == Status::kOk);
  // Varint and zigzag extremes round-trip.
  const std::int32_t values[] = {0, -1, 1, 63, -64, 64, -65, 2147483647, -2147483647 - 1};
  for (const std::int32_t v : values) {
    TT_CHECK(e.begin(Span<std::uint8_t>(g_out, 32), 0, 0, 0) == Status::kOk);
    TT_CHECK(e.add_value(9, v) == Status::kOk);
    RecordDecoder d;
    TT_CHECK(d.begin(e.bytes(), nullptr) == Status::kOk);
    TT_CHECK(d.next(&f) == Status::kOk);
    TT_CHECK(f.type == FieldType::kValue && f.id == 9 && f.value == v);
  }
}

namespace {

// Mounts a golden image with RecordLog and compares with records.decode_log().
void check_image(const std::uint8_t* img, std::size_t img_len, const std::uint32_t* geom,
                 const std::uint32_t* seqs, const std::uint32_t* sizes,
                 const std::uint8_t* payloads, long long count, long long sent_end,
                 long long next_seq, long long has_head, long long head, long long oldest) {
  static std::uint8_t mem[4096];
  static std::uint8_t buf[64];
  RamFlash flash;
  TT_CHECK(flash.init(Span<std::uint8_t>(mem, img_len), geom[0], geom[1], geom[2]) == Status::kOk);
  std::memcpy(mem, img, img_len);
  RecordLog log;
  TT_CHECK(log.mount(flash.flash(), Span<std::uint8_t>(buf)) == Status::kOk);
  TT_CHECK_EQ(static_cast<long long>(log.sent_end()), sent_end);
  TT_CHECK_EQ(static_cast<long long>(log.next_seq()), next_seq);
  TT_CHECK_EQ(log.has_blocks() ? 1ll : 0ll, has_head);
  if (has_head != 0) {
    TT_CHECK_EQ(static_cast<long long>(log.head_block()), head);
    TT_CHECK_EQ(static_cast<long long>(log.oldest_block()), oldest);
  }
  LogCursor c = log.begin();
  RecordInfo info;
  long long n = 0;
  std::size_t off = 0;
  Status s;
  while ((s = log.read(&c, Span<std::uint8_t>(g_out, sizeof g_out), &info)) == Status::kOk) {
    TT_CHECK(n < count);
    if (n >= count) break;
    TT_CHECK_EQ(info.seq, seqs[n]);
    TT_CHECK_EQ(info.size, sizes[n]);
    TT_CHECK(std::memcmp(g_out, payloads + off, info.size) == 0);
    TT_CHECK(validate_record(Span<const std::uint8_t>(g_out, info.size)) == Status::kOk);
    off += info.size;
    ++n;
  }
  TT_CHECK(s == Status::kNoData);
  TT_CHECK_EQ(n, count);
  // The log carries on from there: the record lands after all others, with a fresh number.
  const std::uint8_t rec[3] = {0x20, 0x00, 0x00};
  std::uint32_t seq = 0;
  TT_CHECK(log.append(Span<const std::uint8_t>(rec), &seq) == Status::kOk);
  TT_CHECK_EQ(static_cast<long long>(seq), next_seq);
  TT_CHECK(log.mount(flash.flash(), Span<std::uint8_t>(buf)) == Status::kOk);
  c = log.begin();
  std::uint32_t last = 0;
  while (log.read(&c, Span<std::uint8_t>(g_out, sizeof g_out), &info) == Status::kOk) last = info.seq;
  TT_CHECK_EQ(last, seq);
  TT_CHECK_EQ(flash.violations(), 0u);
}

}  // namespace

TT_TEST(log_images_read_as_the_python_decoder_says) {
  // Wrap-around, markers, a CRC-damaged frame (skipped), a damaged frame
  // header (rest of that block unreadable), a torn tail (head sealed, numbers
  // skipped), a dead spare full of old records (never returned).
  check_image(g::img_wrapped, g::img_wrapped_len, g::img_wrapped_geom, g::img_wrapped_seqs,
              g::img_wrapped_sizes, g::img_wrapped_payloads, g::img_wrapped_count,
              g::img_wrapped_sent_end, g::img_wrapped_next_seq, g::img_wrapped_has_head,
              g::img_wrapped_head, g::img_wrapped_oldest);
  // The only block's header damaged: empty log, but its numbers are not reused.
  check_image(g::img_lost_head, g::img_lost_head_len, g::img_lost_head_geom,
              g::img_lost_head_seqs, g::img_lost_head_sizes, g::img_lost_head_payloads,
              g::img_lost_head_count, g::img_lost_head_sent_end, g::img_lost_head_next_seq,
              g::img_lost_head_has_head, g::img_lost_head_head, g::img_lost_head_oldest);
}

TT_TEST(fuzz_corpus_runs_clean) {
  int files = 0, accepted = 0;
  for (std::size_t i = 0; i + 1 < g::corpus_fuzz_record_offsets_len; ++i) {
    const std::uint32_t a = g::corpus_fuzz_record_offsets[i], b = g::corpus_fuzz_record_offsets[i + 1];
    const Exact in(Span<const std::uint8_t>(g::corpus_fuzz_record + a, b - a));
    accepted += tinysense::fuzz::run_record(in.s.data(), in.s.size());
    ++files;
  }
  // Also the golden records and every invalid one.
  for (std::size_t r = 0; r < kRecords; ++r) {
    const Exact in(golden_bytes(r));
    accepted += tinysense::fuzz::run_record(in.s.data(), in.s.size());
    ++files;
  }
  for (std::size_t i = 0; i + 1 < g::bad_offsets_len; ++i) {
    const Exact in(Span<const std::uint8_t>(g::bad_bytes + g::bad_offsets[i],
                                            g::bad_offsets[i + 1] - g::bad_offsets[i]));
    accepted += tinysense::fuzz::run_record(in.s.data(), in.s.size());
    ++files;
  }
  std::printf("    fuzz harness: %d inputs, %d accepted (records + mounted images)\n", files,
              accepted);
  TT_CHECK(files > 0 && accepted > 0);
}
