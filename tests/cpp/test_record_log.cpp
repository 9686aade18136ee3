// RecordLog on an emulated NOR flash (RamFlash): power cut at every program
// and erase of scripted workloads (clean, half-done and bit-scattered cuts,
// then a second cut during recovery), bit flips, wear, full log, blank and
// garbage flash, bad configs. Every recovered record is compared byte for
// byte with what was appended; nothing torn or unacknowledged may appear.
#include <cstdio>
#include <cstring>

#include "tinysense/core/crc32.hpp"
#include "tinysense/node/flash.hpp"
#include "tinysense/node/record_log.hpp"
#include "tt.hpp"

// Power-cut sweep: every STRIDE-th op is a cut point (1 = all of them). The
// Cortex-M / RISC-V runs in QEMU use a stride to stay well under a minute;
// the host run always does the full sweep.
#ifndef TINYSENSE_POWERCUT_STRIDE
#if defined(__arm__) || defined(__riscv)
#define TINYSENSE_POWERCUT_STRIDE 2
#else
#define TINYSENSE_POWERCUT_STRIDE 1
#endif
#endif

using namespace tinysense;
using namespace tinysense::node;

namespace {

constexpr std::size_t kMaxMem = 8192;
std::uint8_t g_mem[kMaxMem];
[[maybe_unused]] std::uint8_t g_image[kMaxMem];
std::uint32_t g_erases[64];
std::uint8_t g_buf[512];   // the log's buffer
std::uint8_t g_rec[1024];  // read() output
std::uint8_t g_pay[1024];  // payloads to append / compare

std::uint32_t hash32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

// Payload of append attempt `id`: derived from the id, so it need not be stored.
void make_payload(std::uint32_t id, std::size_t n, std::uint8_t* out) {
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = static_cast<std::uint8_t>(hash32(id * 1000003u + static_cast<std::uint32_t>(i)));
  }
}

bool payload_is(std::uint32_t id, const std::uint8_t* p, std::size_t n) {
  make_payload(id, n, g_pay);
  return n == 0 || std::memcmp(p, g_pay, n) == 0;
}

struct Rng {
  std::uint32_t s;
  std::uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  std::uint32_t below(std::uint32_t n) { return next() % n; }
};

struct Geometry {
  const char* name;
  std::uint32_t block_size, block_count, prog_size, buffer;
  bool drop;
  std::uint8_t reserve;
  int steps;
  std::uint32_t max_size;  // typical largest payload of the workload
  std::uint32_t seed;
};

struct Rec {
  std::uint32_t seq, id, size;
};

// What the "application" knows: the records whose append() returned kOk, the
// one in flight when power failed, and the acks.
constexpr int kMaxRecs = 4096;
struct Model {
  Rec acked[kMaxRecs];
  int first, n;  // acked[first..n) may still be in the log
  bool inflight;
  Rec pending;
  std::uint32_t sent_called;   // largest seq+1 given to mark_sent (incl. an interrupted call)
  std::uint32_t sent_durable;  // largest seq+1 for which mark_sent returned kOk
  std::uint32_t next_id;
};
Model g_model;

void reset_model(Model& m) {
  m.first = m.n = 0;
  m.inflight = false;
  m.sent_called = m.sent_durable = 0;
  m.next_id = 1;
}

int find_acked(const Model& m, std::uint32_t seq) {
  int lo = m.first, hi = m.n;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (m.acked[mid].seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < m.n && m.acked[lo].seq == seq ? lo : -1;
}

struct Stats {
  long scenarios = 0, cuts = 0, survived = 0, inflight_kept = 0, inflight_lost = 0;
  long busy = 0, nospace = 0, appended = 0;
};

std::uint32_t g_seqs[kMaxRecs];

// Checks a freshly mounted log against the model, then folds what was
// recovered into the model (the in-flight record, if present, is now part of
// the log; records gone are gone). Returns true when every check passed.
bool verify(RecordLog& log, Model& m, const Geometry& g, RamFlash& flash, Stats* st) {
  const int fails0 = tt::current_failures();
  LogCursor c = log.begin();
  RecordInfo info;
  int count = 0, first_idx = -1, idx = -1;
  bool inflight_seen = false;
  for (;;) {
    const Status s = log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info);
    if (s == Status::kNoData) break;
    TT_CHECK(s == Status::kOk);
    if (s != Status::kOk || count >= kMaxRecs) break;
    if (count > 0) TT_CHECK(info.seq > g_seqs[count - 1]);
    TT_CHECK(!inflight_seen);  // the in-flight record can only be the newest
    g_seqs[count++] = info.seq;
    const int k = find_acked(m, info.seq);
    if (k >= 0) {
      TT_CHECK_EQ(info.size, m.acked[k].size);
      TT_CHECK(payload_is(m.acked[k].id, g_rec, info.size));
      if (first_idx >= 0) TT_CHECK_EQ(k, idx + 1);  // no holes
      if (first_idx < 0) first_idx = k;
      idx = k;
    } else if (m.inflight && info.seq == m.pending.seq) {
      TT_CHECK_EQ(info.size, m.pending.size);
      TT_CHECK(payload_is(m.pending.id, g_rec, info.size));
      inflight_seen = true;
    } else {
      TT_CHECK(false && "a record that was never appended (or was torn) came back");
    }
  }
  // What is there ends with the newest acknowledged record; older ones may
  // only be missing when the receiver had acknowledged them, or with
  // drop_oldest (which may even leave only empty blocks: a block sealed by a
  // cut still occupies one of the n-1 live places).
  if (first_idx >= 0) TT_CHECK_EQ(idx, m.n - 1);
  if (!g.drop) {
    const int stop = first_idx < 0 ? m.n : first_idx;
    for (int k = m.first; k < stop; ++k) TT_CHECK(m.acked[k].seq < m.sent_called);
  }
  const std::uint32_t sent = log.sent_end();
  TT_CHECK(sent <= m.sent_called);   // never more than the receiver acknowledged
  TT_CHECK(sent >= m.sent_durable);  // a kOk ack is never forgotten
  // unsent() yields exactly the recovered records at or after sent_end().
  LogCursor u;
  TT_CHECK(log.unsent(&u) == Status::kOk);
  int j = 0;
  while (j < count && g_seqs[j] < sent) ++j;
  for (;;) {
    const Status s = log.read(&u, Span<std::uint8_t>(g_rec, sizeof g_rec), &info);
    if (s != Status::kOk) {
      TT_CHECK(s == Status::kNoData);
      break;
    }
    TT_CHECK(j < count && info.seq == g_seqs[j]);
    ++j;
  }
  TT_CHECK_EQ(j, count);
  if (count > 0) TT_CHECK(log.next_seq() > g_seqs[count - 1]);
  if (m.n > 0) TT_CHECK(log.next_seq() > m.acked[m.n - 1].seq);
  TT_CHECK_EQ(flash.violations(), 0u);

  const int new_first = first_idx >= 0 ? first_idx : m.n;
  if (m.inflight && st != nullptr) {
    if (inflight_seen) {
      ++st->inflight_kept;
    } else {
      ++st->inflight_lost;
    }
  }
  if (inflight_seen && m.n < kMaxRecs) m.acked[m.n++] = m.pending;
  m.inflight = false;
  m.first = new_first;
  if (sent > m.sent_durable) m.sent_durable = sent;
  return tt::current_failures() == fails0;
}

// The scripted workload: appends of varying sizes (0 .. max_payload), acks of
// random already-appended records, occasional clean remounts.
class Runner {
 public:
  Runner(const Geometry& g, RamFlash& f, Model& m, Stats& st)
      : g_(g), flash_(f), m_(m), st_(st), rng_{g.seed} {}

  Status mount() {
    LogConfig cfg;
    cfg.drop_oldest = g_.drop;
    cfg.ack_reserve = g_.reserve;
    return log_.mount(flash_.flash(), Span<std::uint8_t>(g_buf, g_.buffer), cfg);
  }

  // Runs up to `steps` steps; returns early when the power goes.
  void run(int steps) {
    for (int i = 0; i < steps && flash_.powered(); ++i) step();
  }

  RecordLog& log() { return log_; }
  Rng& rng() { return rng_; }

 private:
  void step() {
    const std::uint32_t r = rng_.below(100);
    if (r < 62) {
      std::uint32_t size = rng_.below(g_.max_size + 1);
      if (rng_.below(4) == 0) size = rng_.below(5);
      if (rng_.below(16) == 0) size = static_cast<std::uint32_t>(log_.max_payload());
      Rec rec{log_.next_seq(), m_.next_id++, size};
      make_payload(rec.id, size, g_pay);
      m_.inflight = true;
      m_.pending = rec;
      std::uint32_t seq = 0;
      const Status s = log_.append(Span<const std::uint8_t>(g_pay, size), &seq);
      if (s == Status::kOk) {
        TT_CHECK_EQ(seq, rec.seq);
        m_.inflight = false;
        if (m_.n < kMaxRecs) m_.acked[m_.n++] = rec;
        ++st_.appended;
      } else if (s == Status::kNoSpace && !g_.drop) {
        m_.inflight = false;
        ++st_.nospace;
      } else {
        TT_CHECK(!flash_.powered());  // any other failure must be the power cut
      }
    } else if (r < 93) {
      if (m_.n == m_.first) return;
      // Acks trail the newest records a little, so the log fills at times.
      const int span = m_.n - m_.first;
      const int k = m_.first + static_cast<int>(rng_.below(static_cast<std::uint32_t>(span)));
      const std::uint32_t seq = m_.acked[k].seq;
      if (seq + 1 > m_.sent_called) m_.sent_called = seq + 1;
      const Status s = log_.mark_sent(seq);
      if (s == Status::kOk) {
        if (seq + 1 > m_.sent_durable) m_.sent_durable = seq + 1;
      } else if (s == Status::kBusy) {
        ++st_.busy;
      } else {
        TT_CHECK(!flash_.powered());
      }
    } else if (r < 96) {
      // A clean reboot in the middle of the workload.
      TT_CHECK(mount() == Status::kOk);
      verify(log_, m_, g_, flash_, nullptr);
    } else {
      // The transmitter walks the unsent records (read-only).
      LogCursor c;
      TT_CHECK(log_.unsent(&c) == Status::kOk);
      RecordInfo info;
      std::uint32_t prev = 0;
      int n = 0;
      Status s;
      while ((s = log_.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info)) ==
             Status::kOk) {
        TT_CHECK(info.seq >= log_.sent_end());
        TT_CHECK(n == 0 || info.seq > prev);
        const int k = find_acked(m_, info.seq);
        TT_CHECK(k >= 0 && payload_is(m_.acked[k].id, g_rec, info.size));
        prev = info.seq;
        ++n;
      }
      TT_CHECK(s == Status::kNoData);
    }
  }

  const Geometry& g_;
  RamFlash& flash_;
  Model& m_;
  Stats& st_;
  Rng rng_;
  RecordLog log_;
};

Status init_flash(RamFlash& f, const Geometry& g) {
  return f.init(Span<std::uint8_t>(g_mem, static_cast<std::size_t>(g.block_size) * g.block_count),
                g.block_size, g.block_count, g.prog_size,
                Span<std::uint32_t>(g_erases, g.block_count));
}

// Runs the workload once to count its ops N, then for every k < N (by
// stride) and every cut mode: cut at op k, reboot, check; cut again at a
// random op of the recovery, reboot, check; run on, reboot, check.
void sweep(const Geometry& g, Stats& total) {
  Stats st;
  RamFlash flash;
  TT_CHECK(init_flash(flash, g) == Status::kOk);
  reset_model(g_model);
  std::uint32_t n_ops = 0;
  {
    Runner ref(g, flash, g_model, st);
    TT_CHECK(ref.mount() == Status::kOk);
    ref.run(g.steps);
    n_ops = flash.ops();
    TT_CHECK(ref.mount() == Status::kOk);
    TT_CHECK(verify(ref.log(), g_model, g, flash, nullptr));
  }
  const long ref_appended = st.appended, ref_nospace = st.nospace, ref_busy = st.busy;
  std::uint32_t wraps = 0;
  for (std::uint32_t b = 0; b < g.block_count; ++b) wraps = g_erases[b] > wraps ? g_erases[b] : wraps;
  long cuts = 0, survived = 0;
  for (std::uint32_t k = 0; k < n_ops; k += TINYSENSE_POWERCUT_STRIDE) {
    for (int mode = 0; mode < 3; ++mode) {
      TT_CHECK(init_flash(flash, g) == Status::kOk);
      reset_model(g_model);
      Runner r(g, flash, g_model, st);
      TT_CHECK(r.mount() == Status::kOk);
      flash.cut_power_at(k, static_cast<PowerCut>(mode), k * 3 + static_cast<std::uint32_t>(mode));
      r.run(g.steps);
      TT_CHECK(!flash.powered());
      flash.power_on();
      bool ok = r.mount() == Status::kOk;
      ok = ok && verify(r.log(), g_model, g, flash, &st);
      ++cuts;
      survived += ok ? 1 : 0;
      if (!ok) {
        std::printf("    %s: cut at op %u mode %d failed\n", g.name, static_cast<unsigned>(k), mode);
        break;
      }
      // Second cut while the recovered log carries on.
      const std::uint32_t op2 = r.rng().below(48);
      const auto mode2 = static_cast<PowerCut>(r.rng().below(3));
      flash.cut_power_at(op2, mode2, r.rng().next());
      r.run(40);
      const bool cut2 = !flash.powered();
      flash.power_on();
      ok = r.mount() == Status::kOk && verify(r.log(), g_model, g, flash, &st);
      if (cut2) {
        ++cuts;
        survived += ok ? 1 : 0;
      }
      r.run(8);
      TT_CHECK(r.mount() == Status::kOk);
      ok = verify(r.log(), g_model, g, flash, nullptr) && ok;
      ++st.scenarios;
      if (!ok) {
        std::printf("    %s: second cut after op %u mode %d failed\n", g.name,
                    static_cast<unsigned>(k), mode);
        break;
      }
    }
  }
  std::printf(
      "    %-24s %u ops/run (%ld appends, %ld kNoSpace, %ld kBusy, %u erases of the busiest "
      "block); power cuts survived %ld/%ld; in-flight record kept %ld, dropped %ld\n",
      g.name, static_cast<unsigned>(n_ops), ref_appended, ref_nospace, ref_busy,
      static_cast<unsigned>(wraps), survived, cuts, st.inflight_kept, st.inflight_lost);
  total.cuts += cuts;
  total.survived += survived;
  total.scenarios += st.scenarios;
}

Stats g_total;

const Geometry kSweeps[] = {
    // name                     block cnt prog buf  drop  res steps max seed
    {"256x4 prog16 keep", 256, 4, 16, 32, false, 2, 480, 40, 11},
    {"512x3 prog1 drop", 512, 3, 1, 40, true, 2, 400, 60, 22},
    {"128x2 prog8 keep", 128, 2, 8, 32, false, 1, 300, 24, 33},
    {"256x5 prog4 drop buf256", 256, 5, 4, 256, true, 3, 400, 48, 44},
    {"192x3 prog2 keep res0", 192, 3, 2, 32, false, 0, 400, 30, 55},
};

}  // namespace

TT_TEST(power_cut_at_every_program_and_erase) {
  for (const Geometry& g : kSweeps) sweep(g, g_total);
  std::printf("    TOTAL: %ld power cuts survived of %ld (%ld scenarios, stride %d)\n",
              g_total.survived, g_total.cuts, g_total.scenarios, TINYSENSE_POWERCUT_STRIDE);
  TT_CHECK_EQ(g_total.survived, g_total.cuts);
  TT_CHECK(g_total.cuts > (TINYSENSE_POWERCUT_STRIDE == 1 ? 5000 : 500));
}

// ---- the rest: blank/garbage flash, configs, full log, drop, cursors, ----
// ---- bit flips, wear, flash errors ----------------------------------------

namespace {

struct Plain {  // a mounted log on a fresh RamFlash, no power cuts
  RamFlash flash;
  RecordLog log;
  LogConfig cfg;
  std::uint32_t bs, bc, ps;
  Status init(std::uint32_t block_size, std::uint32_t block_count, std::uint32_t prog_size,
              bool drop = false, std::uint8_t reserve = 2) {
    bs = block_size;
    bc = block_count;
    ps = prog_size;
    cfg.drop_oldest = drop;
    cfg.ack_reserve = reserve;
    TINYSENSE_TRY(flash.init(Span<std::uint8_t>(g_mem, static_cast<std::size_t>(bs) * bc), bs, bc,
                             ps, Span<std::uint32_t>(g_erases, bc)));
    return remount();
  }
  Status remount() { return log.mount(flash.flash(), Span<std::uint8_t>(g_buf, 64), cfg); }
  Status add(std::uint32_t id, std::size_t size, std::uint32_t* seq = nullptr) {
    make_payload(id, size, g_pay);
    return log.append(Span<const std::uint8_t>(g_pay, size), seq);
  }
  // Reads every record from `c`; seqs into out (if not null); checks payloads
  // against ids[seq] when ids is given. Returns the count.
  int collect(LogCursor c, std::uint32_t* out = nullptr, const std::uint32_t* ids = nullptr,
              const std::uint32_t* sizes = nullptr) {
    RecordInfo info;
    int n = 0;
    Status s;
    while ((s = log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info)) == Status::kOk) {
      if (ids != nullptr) {
        TT_CHECK(payload_is(ids[info.seq], g_rec, info.size));
        TT_CHECK_EQ(info.size, sizes[info.seq]);
      }
      if (out != nullptr) out[n] = info.seq;
      ++n;
    }
    TT_CHECK(s == Status::kNoData);
    return n;
  }
};
Plain g_plain;

}  // namespace

TT_TEST(blank_flash_mounts_empty) {
  Plain& p = g_plain;
  TT_CHECK(p.init(256, 4, 4) == Status::kOk);
  TT_CHECK(p.log.mounted());
  TT_CHECK(!p.log.has_blocks());
  TT_CHECK_EQ(p.log.next_seq(), 0u);
  TT_CHECK_EQ(p.log.sent_end(), 0u);
  TT_CHECK_EQ(p.collect(p.log.begin()), 0);
  LogCursor u;
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u), 0);
  TT_CHECK(p.log.mark_sent(0) == Status::kInvalidArgument);
  TT_CHECK_EQ(p.flash.ops(), 0u);  // mount never writes
  std::uint32_t seq = 99;
  TT_CHECK(p.add(1, 10, &seq) == Status::kOk);
  TT_CHECK_EQ(seq, 0u);
  TT_CHECK(p.remount() == Status::kOk);
  TT_CHECK_EQ(p.collect(p.log.begin()), 1);
  TT_CHECK_EQ(p.log.next_seq(), 1u);
}

TT_TEST(garbage_flash_mounts_empty_and_is_reused) {
  Plain& p = g_plain;
  static std::uint32_t ids[256], sizes[256];
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    TT_CHECK(p.init(256, 4, 4) == Status::kOk);
    Rng rng{seed * 7919u};
    for (std::size_t i = 0; i < 1024; ++i) g_mem[i] = static_cast<std::uint8_t>(rng.next());
    if (seed % 4 == 0) std::memset(g_mem, 0, 1024);  // all programmed
    TT_CHECK(p.remount() == Status::kOk);
    TT_CHECK(!p.log.has_blocks());
    TT_CHECK_EQ(p.collect(p.log.begin()), 0);
    std::uint32_t seq = 0;
    for (std::uint32_t i = 0; i < 20; ++i) {
      ids[i] = seed * 100 + i;
      sizes[i] = i % 9;
      TT_CHECK(p.add(ids[i], sizes[i], &seq) == Status::kOk);
      TT_CHECK_EQ(seq, i);
      if (i % 3 == 2) TT_CHECK(p.log.mark_sent(i - 1) == Status::kOk);
    }
    TT_CHECK(p.remount() == Status::kOk);
    std::uint32_t got[32];
    const int n = p.collect(p.log.begin(), got, ids, sizes);
    TT_CHECK(n > 0 && got[n - 1] == 19u);
    TT_CHECK_EQ(p.flash.violations(), 0u);
  }
}

TT_TEST(mount_rejects_bad_config) {
  Plain& p = g_plain;
  TT_CHECK(p.init(256, 4, 4) == Status::kOk);
  const Flash good = p.flash.flash();
  RecordLog log;
  const Span<std::uint8_t> buf(g_buf, 64);
  Flash f = good;
  f.read = nullptr;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.prog = nullptr;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.erase = nullptr;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.prog_size = 3;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.prog_size = 0;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.block_count = 1;
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.block_size = 250;  // not a multiple of prog_size
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  f = good;
  f.block_size = 64;  // header + reserve + one frame do not fit
  TT_CHECK(log.mount(f, buf) == Status::kInvalidArgument);
  LogConfig big;
  big.ack_reserve = 200;
  TT_CHECK(log.mount(good, buf, big) == Status::kInvalidArgument);
  TT_CHECK(log.mount(good, Span<std::uint8_t>(g_buf, 31)) == Status::kNoMemory);
  f = good;
  f.prog_size = 64;
  TT_CHECK(log.mount(f, Span<std::uint8_t>(g_buf, 48)) == Status::kNoMemory);
  TT_CHECK(!log.mounted());
  TT_CHECK(log.append(Span<const std::uint8_t>()) == Status::kNotInitialized);
  TT_CHECK(log.mark_sent(0) == Status::kNotInitialized);
  LogCursor c;
  RecordInfo info;
  TT_CHECK(log.unsent(&c) == Status::kNotInitialized);
  TT_CHECK(log.read(&c, Span<std::uint8_t>(g_rec, 8), &info) == Status::kNotInitialized);
  // Payload limits.
  TT_CHECK(log.mount(good, buf) == Status::kOk);
  TT_CHECK_EQ(log.max_payload(), 256u - 32u - 2u * 12u - 12u);
  TT_CHECK(log.append(Span<const std::uint8_t>(g_pay, log.max_payload() + 1)) ==
           Status::kInvalidArgument);
  TT_CHECK(log.append(Span<const std::uint8_t>(g_pay, log.max_payload())) == Status::kOk);
  TT_CHECK(log.mark_sent(1) == Status::kInvalidArgument);  // not appended yet
  // RamFlash geometry checks.
  RamFlash rf;
  TT_CHECK(rf.init(Span<std::uint8_t>(g_mem, 1024), 256, 4, 3) == Status::kInvalidArgument);
  TT_CHECK(rf.init(Span<std::uint8_t>(g_mem, 1000), 256, 4, 4) == Status::kSizeMismatch);
  TT_CHECK(rf.init(Span<std::uint8_t>(g_mem, 1024), 256, 4, 4, Span<std::uint32_t>(g_erases, 3)) ==
           Status::kSizeMismatch);
}

TT_TEST(foreign_geometry_and_newer_version_are_refused) {
  Plain& p = g_plain;
  TT_CHECK(p.init(256, 4, 4) == Status::kOk);
  for (std::uint32_t i = 0; i < 10; ++i) TT_CHECK(p.add(i, 30) == Status::kOk);
  RecordLog log;
  Flash f = p.flash.flash();
  f.block_count = 3;  // same memory seen as a smaller device
  TT_CHECK(log.mount(f, Span<std::uint8_t>(g_buf, 64)) == Status::kInvalidArgument);
  f = p.flash.flash();
  f.prog_size = 8;
  TT_CHECK(log.mount(f, Span<std::uint8_t>(g_buf, 64)) == Status::kInvalidArgument);
  // A header of format version 2 (CRC fixed up): not ours to overwrite.
  g_mem[4] = 2;
  const std::uint32_t c = crc32(Span<const std::uint8_t>(g_mem, 28));
  for (int i = 0; i < 4; ++i) g_mem[28 + i] = static_cast<std::uint8_t>(c >> (8 * i));
  TT_CHECK(p.remount() == Status::kNotSupported);
}

TT_TEST(full_log_refuses_then_frees_on_ack) {
  Plain& p = g_plain;
  // 256-byte blocks, prog 4: 32-byte frames (20-byte payload), 24 bytes of
  // ack reserve -> 6 records per block, 3 live blocks of 4 -> 18 records.
  TT_CHECK(p.init(256, 4, 4) == Status::kOk);
  std::uint32_t seq = 0, n = 0;
  Status s;
  while (n < 1000 && (s = p.add(n, 20, &seq)) == Status::kOk) ++n;
  TT_CHECK(s == Status::kNoSpace);
  TT_CHECK_EQ(n, 18u);
  TT_CHECK(p.add(99, 0) == Status::kNoSpace);
  const std::uint32_t ops = p.flash.ops();
  TT_CHECK(p.remount() == Status::kOk);  // kNoSpace wrote nothing
  TT_CHECK_EQ(p.flash.ops(), ops);
  TT_CHECK_EQ(p.collect(p.log.begin()), 18);
  // Acks inside the oldest block do not free it...
  TT_CHECK(p.log.mark_sent(2) == Status::kOk);
  TT_CHECK(p.add(100, 20) == Status::kNoSpace);
  // ... the ack of its last record does (record 5 ends block 0).
  TT_CHECK(p.log.mark_sent(5) == Status::kOk);
  for (std::uint32_t i = 0; i < 6; ++i) TT_CHECK(p.add(200 + i, 20) == Status::kOk);
  TT_CHECK(p.add(300, 20) == Status::kNoSpace);
  TT_CHECK(p.remount() == Status::kOk);
  std::uint32_t got[32];
  TT_CHECK_EQ(p.collect(p.log.begin(), got), 18);
  TT_CHECK_EQ(got[0], 6u);
  TT_CHECK_EQ(got[17], 23u);
  LogCursor u;
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u, got), 18);
  // Everything acked: the log takes 18 more.
  TT_CHECK(p.log.mark_sent(23) == Status::kOk);
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u), 0);
  for (std::uint32_t i = 0; i < 18; ++i) TT_CHECK(p.add(400 + i, 20) == Status::kOk);
  TT_CHECK(p.add(500, 20) == Status::kNoSpace);
  TT_CHECK_EQ(p.flash.violations(), 0u);
}

TT_TEST(acks_of_a_full_log_use_the_reserve_then_wait_in_ram) {
  Plain& p = g_plain;
  TT_CHECK(p.init(256, 4, 4) == Status::kOk);
  std::uint32_t n = 0;
  while (n < 1000 && p.add(n, 20) == Status::kOk) ++n;
  TT_CHECK_EQ(n, 18u);
  // Two marker frames fit in the reserve of the head block.
  TT_CHECK(p.log.mark_sent(0) == Status::kOk);
  TT_CHECK(p.log.mark_sent(1) == Status::kOk);
  TT_CHECK(p.log.sent_durable());
  // The third cannot be written (head full, oldest block not all sent): held in RAM.
  TT_CHECK(p.log.mark_sent(2) == Status::kBusy);
  TT_CHECK(!p.log.sent_durable());
  TT_CHECK_EQ(p.log.sent_end(), 3u);
  LogCursor u;
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u), 15);
  // A reboot forgets it: records 2.. are sent again, none is lost.
  TT_CHECK(p.remount() == Status::kOk);
  TT_CHECK_EQ(p.log.sent_end(), 2u);
  TT_CHECK(p.log.sent_durable());
  TT_CHECK(p.log.mark_sent(4) == Status::kBusy);
  // Acking the whole oldest block lets the log open a block: the header carries the ack.
  TT_CHECK(p.log.mark_sent(5) == Status::kOk);
  TT_CHECK(p.log.sent_durable());
  TT_CHECK(p.remount() == Status::kOk);
  TT_CHECK_EQ(p.log.sent_end(), 6u);
  TT_CHECK(p.add(1000, 20) == Status::kOk);
  TT_CHECK_EQ(p.flash.violations(), 0u);
}

TT_TEST(drop_oldest_keeps_the_newest_window) {
  Plain& p = g_plain;
  TT_CHECK(p.init(256, 4, 4, true) == Status::kOk);
  static std::uint32_t ids[512], sizes[512];
  LogCursor stale = p.log.begin();
  RecordInfo info;
  for (std::uint32_t i = 0; i < 300; ++i) {
    ids[i] = 7000 + i;
    sizes[i] = 20;
    std::uint32_t seq = 0;
    TT_CHECK(p.add(ids[i], 20, &seq) == Status::kOk);
    TT_CHECK_EQ(seq, i);
    if (i == 2) {  // a reader that stops after the first record
      TT_CHECK(p.log.read(&stale, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kOk);
      TT_CHECK_EQ(info.seq, 0u);
    }
  }
  std::uint32_t got[64];
  const int n = p.collect(p.log.begin(), got, ids, sizes);
  // 2 full blocks + the head: between 13 and 18 records, ending at 299, no holes.
  TT_CHECK(n >= 13 && n <= 18);
  for (int i = 0; i < n; ++i) TT_CHECK_EQ(got[i], 300u - static_cast<std::uint32_t>(n - i));
  // The stale reader continues at the oldest record still there.
  TT_CHECK(p.log.read(&stale, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kOk);
  TT_CHECK_EQ(info.seq, got[0]);
  LogCursor u;
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u), n);
  TT_CHECK(p.log.mark_sent(299) == Status::kOk);
  TT_CHECK(p.log.unsent(&u) == Status::kOk);
  TT_CHECK_EQ(p.collect(u), 0);
  TT_CHECK(p.remount() == Status::kOk);
  TT_CHECK_EQ(p.log.sent_end(), 300u);
  TT_CHECK_EQ(p.collect(p.log.begin(), got, ids, sizes), n);
}

TT_TEST(cursor_follows_appends_and_reports_small_buffers) {
  Plain& p = g_plain;
  TT_CHECK(p.init(512, 4, 1) == Status::kOk);
  TT_CHECK(p.add(1, 40) == Status::kOk);
  LogCursor c = p.log.begin();
  RecordInfo info;
  TT_CHECK(p.log.read(&c, Span<std::uint8_t>(g_rec, 39), &info) == Status::kNoMemory);
  TT_CHECK_EQ(info.size, 40u);
  TT_CHECK_EQ(info.seq, 0u);
  TT_CHECK(p.log.read(&c, Span<std::uint8_t>(g_rec, 40), &info) == Status::kOk);
  TT_CHECK(payload_is(1, g_rec, 40));
  TT_CHECK(p.log.read(&c, Span<std::uint8_t>(g_rec, 40), &info) == Status::kNoData);
  for (std::uint32_t i = 2; i < 40; ++i) TT_CHECK(p.add(i, i) == Status::kOk);  // crosses blocks
  for (std::uint32_t i = 2; i < 40; ++i) {
    TT_CHECK(p.log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kOk);
    TT_CHECK_EQ(info.seq, i - 1);
    TT_CHECK(info.size == i && payload_is(i, g_rec, i));
  }
  TT_CHECK(p.log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kNoData);
  // Zero-length records are records too.
  TT_CHECK(p.add(77, 0) == Status::kOk);
  TT_CHECK(p.log.read(&c, Span<std::uint8_t>(), &info) == Status::kOk);
  TT_CHECK_EQ(info.size, 0u);
}

TT_TEST(owning_variant_mounts) {
  RamFlash flash;
  TT_CHECK(flash.init(Span<std::uint8_t>(g_mem, 2048), 512, 4, 8) == Status::kOk);
  RecordLogN<32> log;
  TT_CHECK(log.mount(flash.flash()) == Status::kOk);
  const std::uint8_t data[3] = {1, 2, 3};
  for (int i = 0; i < 50; ++i) TT_CHECK(log.append(Span<const std::uint8_t>(data)) == Status::kOk);
  RecordLogN<512> again;
  TT_CHECK(again.mount(flash.flash()) == Status::kOk);
  TT_CHECK_EQ(again.next_seq(), 50u);
}

namespace {
#if defined(__arm__) || defined(__riscv)
constexpr int kFlipTrials = 1200;
constexpr std::uint32_t kWearAppends = 6000;
#else
constexpr int kFlipTrials = 12000;
constexpr std::uint32_t kWearAppends = 60000;
#endif
}  // namespace

TT_TEST(bit_flips_are_detected_never_returned) {
  // A log with wrap-around and acks; then, one at a time: a single bit flip in
  // a programmed byte, a burst of up to 32 bits, a few random bytes, or a
  // flip in an erased byte. Every returned record must equal what was
  // appended; count how many records each kind of damage costs.
  Plain& p = g_plain;
  TT_CHECK(p.init(512, 6, 4) == Status::kOk);
  static std::uint32_t ids[1024], sizes[1024];
  static bool present0[1024];
  for (std::uint32_t i = 0; i < 160; ++i) {
    std::uint32_t seq = 0;
    ids[i] = 50000 + i;
    sizes[i] = (i * 7) % 61;
    TT_CHECK(p.add(ids[i], sizes[i], &seq) == Status::kOk);
    TT_CHECK_EQ(seq, i);
    if (i % 6 == 5) TT_CHECK(p.log.mark_sent(i - 4) == Status::kOk);
  }
  const std::size_t bytes = 512 * 6;
  std::memcpy(g_image, g_mem, bytes);
  std::uint32_t seqs0[64];
  const int n0 = p.collect(p.log.begin(), seqs0, ids, sizes);
  for (int i = 0; i < n0; ++i) present0[seqs0[i]] = true;
  const std::uint32_t sent0 = p.log.sent_end(), next0 = p.log.next_seq();
  TT_CHECK(n0 > 30);
  TT_CHECK_EQ(sent0, 152u);  // last ack: mark_sent(151)
  // Erased bytes proper: after the last programmed byte of each block.
  static std::size_t erased_from[8];
  for (std::size_t b = 0; b < 6; ++b) {
    std::size_t e = 512;
    while (e > 0 && g_image[b * 512 + e - 1] == 0xFF) --e;
    erased_from[b] = b * 512 + e;
  }

  const char* kinds[4] = {"1 bit", "burst <= 32 bits", "1-8 random bytes", "1 bit in erased byte"};
  long trials[4] = {}, lost_hist[4][4] = {}, max_lost[4] = {}, bad = 0, resurrected = 0;
  Rng rng{12345};
  for (int t = 0; t < kFlipTrials; ++t) {
    const int kind = t % 4;
    std::memcpy(g_mem, g_image, bytes);
    std::size_t off = 0;
    do {
      off = rng.below(static_cast<std::uint32_t>(bytes));
    } while (kind == 3 ? off < erased_from[off / 512] : g_image[off] == 0xFF);
    if (kind == 0 || kind == 3) {
      g_mem[off] = static_cast<std::uint8_t>(g_mem[off] ^ (1u << rng.below(8)));
    } else if (kind == 1) {
      std::uint32_t mask = 0;
      while (mask == 0) mask = rng.next() >> rng.below(32);
      for (std::size_t i = 0; i < 4 && off + i < bytes; ++i) {
        g_mem[off + i] = static_cast<std::uint8_t>(g_mem[off + i] ^ (mask >> (8 * i)));
      }
    } else {
      const std::uint32_t n = 1 + rng.below(8);
      for (std::uint32_t i = 0; i < n && off + i * 3 < bytes; ++i) {
        g_mem[off + i * 3] = static_cast<std::uint8_t>(rng.next());
      }
    }
    ++trials[kind];
    TT_CHECK(p.remount() == Status::kOk);
    std::uint32_t got[64];
    const int fails = tt::current_failures();
    const int n = p.collect(p.log.begin(), got, ids, sizes);  // checks every payload
    // Every record returned is genuine (payload checked above). A damaged
    // header of the newest block rolls the log back one block, which can
    // bring back the spare's older records (acked long ago): allowed, they
    // come before everything else.
    bool back = false;
    for (int i = 0; i < n; ++i) {
      if (!present0[got[i]]) {
        TT_CHECK(got[i] < seqs0[0]);
        back = true;
      }
    }
    resurrected += back ? 1 : 0;
    TT_CHECK(p.log.sent_end() <= sent0);
    TT_CHECK(p.log.next_seq() >= next0);  // numbers of damaged records are not reused
    if (tt::current_failures() != fails) ++bad;
    const long lost = n0 - n < 0 ? 0 : n0 - n;
    lost_hist[kind][lost <= 0 ? 0 : (lost == 1 ? 1 : (lost <= 10 ? 2 : 3))]++;
    if (lost > max_lost[kind]) max_lost[kind] = lost;
    // The damaged log still works: append, remount, read it back.
    if (t % 16 == 0) {
      std::uint32_t seq = 0;
      const Status s = p.add(999999, 5, &seq);
      TT_CHECK(s == Status::kOk || s == Status::kNoSpace);
      if (s == Status::kOk) {
        TT_CHECK(seq >= next0);
        TT_CHECK(p.remount() == Status::kOk);
        LogCursor c = p.log.begin();
        RecordInfo info;
        std::uint32_t last = 0;
        while (p.log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kOk) {
          last = info.seq;
        }
        TT_CHECK_EQ(last, seq);
        TT_CHECK(payload_is(999999, g_rec, 5));
      }
      TT_CHECK_EQ(p.flash.violations(), 0u);
    }
  }
  std::printf("    %d records in the log; damage -> records lost (0 / 1 / 2-10 / >10, max):\n", n0);
  for (int k = 0; k < 4; ++k) {
    std::printf("      %-22s %5ld trials: %5ld / %5ld / %5ld / %5ld, max %ld\n", kinds[k],
                trials[k], lost_hist[k][0], lost_hist[k][1], lost_hist[k][2], lost_hist[k][3],
                max_lost[k]);
  }
  std::printf("    corrupt or unknown records returned: %ld of %d trials (%ld trials brought old acked "
              "records back)\n", bad, kFlipTrials, resurrected);
  TT_CHECK_EQ(bad, 0);
  TT_CHECK_EQ(lost_hist[3][1] + lost_hist[3][2] + lost_hist[3][3], 0);  // erased bytes: no loss
}

TT_TEST(wear_is_spread_over_all_blocks) {
  Plain& p = g_plain;
  for (const bool drop : {false, true}) {
    TT_CHECK(p.init(512, 8, 4, drop) == Status::kOk);
    Rng rng{drop ? 5u : 6u};
    std::uint32_t seq = 0;
    for (std::uint32_t i = 0; i < kWearAppends; ++i) {
      TT_CHECK(p.add(i, 4 + rng.below(40), &seq) == Status::kOk);
      if (!drop && i % 5 == 4) TT_CHECK(p.log.mark_sent(seq) == Status::kOk);
      if (i % 997 == 0) TT_CHECK(p.remount() == Status::kOk);
    }
    std::uint32_t lo = 0xFFFFFFFFu, hi = 0, total = 0;
    for (std::uint32_t b = 0; b < 8; ++b) {
      lo = g_erases[b] < lo ? g_erases[b] : lo;
      hi = g_erases[b] > hi ? g_erases[b] : hi;
      total += g_erases[b];
    }
    const double payload = kWearAppends * 23.5;
    std::printf(
        "    %s: %u appends, erases per block min %u max %u (ratio %.4f), %.1f payload bytes "
        "per erased byte\n",
        drop ? "drop_oldest" : "acked every 5", static_cast<unsigned>(kWearAppends),
        static_cast<unsigned>(lo), static_cast<unsigned>(hi),
        static_cast<double>(hi) / static_cast<double>(lo), payload / (512.0 * total));
    TT_CHECK(hi - lo <= 1);
    TT_CHECK(lo > 0);
    TT_CHECK_EQ(p.flash.violations(), 0u);
  }
}

namespace {
// A flash whose N-th program fails (not programmed, or programmed wrongly).
struct Faulty {
  Flash inner;
  int fail_at;  // program index that fails
  bool garble;  // false: return kIoError; true: "succeed" with one bit wrong
  int progs;
  bool fail_reads;
};
int f_read(void* ctx, std::uint32_t b, std::uint32_t o, std::uint8_t* d, std::size_t n) {
  auto* f = static_cast<Faulty*>(ctx);
  if (f->fail_reads) return -5;
  return f->inner.read(f->inner.ctx, b, o, d, n);
}
int f_prog(void* ctx, std::uint32_t b, std::uint32_t o, const std::uint8_t* d, std::size_t n) {
  auto* f = static_cast<Faulty*>(ctx);
  if (f->progs++ != f->fail_at) return f->inner.prog(f->inner.ctx, b, o, d, n);
  if (!f->garble) return -5;
  std::uint8_t tmp[512];
  std::memcpy(tmp, d, n);
  for (std::size_t i = 0; i < n; ++i) {  // a cell that did not program: first 0 bit stays 1
    if (tmp[i] != 0xFF) {
      tmp[i] = static_cast<std::uint8_t>(tmp[i] | (~tmp[i] & -(~tmp[i] & 0xFF)));
      break;
    }
  }
  return f->inner.prog(f->inner.ctx, b, o, tmp, n);
}
int f_erase(void* ctx, std::uint32_t b) {
  auto* f = static_cast<Faulty*>(ctx);
  return f->inner.erase(f->inner.ctx, b);
}
}  // namespace

TT_TEST(flash_errors_are_reported_and_recovered_from) {
  for (const bool garble : {false, true}) {
    for (int fail_at = 0; fail_at < 12; ++fail_at) {
      RamFlash rf;
      TT_CHECK(rf.init(Span<std::uint8_t>(g_mem, 1024), 256, 4, 4) == Status::kOk);
      Faulty f{rf.flash(), fail_at, garble, 0, false};
      const Flash flash{f_read, f_prog, f_erase, nullptr, &f, 256, 4, 4};
      RecordLog log;
      TT_CHECK(log.mount(flash, Span<std::uint8_t>(g_buf, 64)) == Status::kOk);
      std::uint32_t ok_ids[16], ok_seq[16], n_ok = 0, errors = 0;
      for (std::uint32_t i = 0; i < 12; ++i) {
        make_payload(i, 20, g_pay);
        std::uint32_t seq = 0;
        const Status s = log.append(Span<const std::uint8_t>(g_pay, 20), &seq);
        if (s == Status::kOk) {
          ok_ids[n_ok] = i;
          ok_seq[n_ok++] = seq;
        } else {
          TT_CHECK(s == Status::kIoError);  // the failed (or unverifiable) program
          ++errors;
        }
      }
      TT_CHECK_EQ(errors, 1u);
      TT_CHECK(log.mount(flash, Span<std::uint8_t>(g_buf, 64)) == Status::kOk);
      LogCursor c = log.begin();
      RecordInfo info;
      std::uint32_t k = 0;
      while (log.read(&c, Span<std::uint8_t>(g_rec, sizeof g_rec), &info) == Status::kOk) {
        TT_CHECK(k < n_ok && info.seq == ok_seq[k] && payload_is(ok_ids[k], g_rec, info.size));
        ++k;
      }
      TT_CHECK_EQ(k, n_ok);
      TT_CHECK_EQ(rf.violations(), 0u);
      f.fail_reads = true;
      TT_CHECK(log.mount(flash, Span<std::uint8_t>(g_buf, 64)) == Status::kIoError);
    }
  }
}
