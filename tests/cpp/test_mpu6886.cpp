// MPU6886 driver against the simulated chip (sim.hpp) replaying a real
// recording of the har_exercise_1 data set (gen_mpu6886.py): every frame
// delivered must be the recording's next row (or, after an overflow, the
// first row stored after the FIFO reset), overflows must be reported with
// the number of lost frames, and nothing from an overflowed FIFO may leak.
#include <cstdint>
#include <cstring>
#include <new>

#include "golden_mpu6886.hpp"
#include "tinysense/node/mpu6886.hpp"
#include "tinysense/node/recording.hpp"
#include "tinysense/node/sim.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::mpu6886;

namespace {

constexpr std::size_t kRows = 1000;
std::int16_t g_rows[kRows * 3];  // the recording, decoded by parse_npy_int16
std::int16_t g_trunc[100 * 3];
std::int16_t g_out[6 * 512];

struct Rig {
  SimClock clock;
  SimI2cBus i2c;
  SimMpu6886 dev;
  Mpu6886 mpu;
  Clock clk;
};
Rig g_rig;

void load_rows() {
  NpyInt16 a;
  TT_CHECK(parse_npy_int16(Span<const std::uint8_t>(g::npy, g::npy_len), Truncation::kReject, &a) ==
           Status::kOk);
  TT_CHECK(a.copy_rows(0, Span<std::int16_t>(g_rows)) == Status::kOk);
  TT_CHECK(std::memcmp(g_rows, g::rows, sizeof g_rows) == 0);
}

// Fresh simulated board; returns the driver's init status.
Status setup(const Mpu6886Config& cfg, std::size_t max_transfer = 0, bool with_clock = true,
             Span<const std::int16_t> rows = Span<const std::int16_t>(g_rows)) {
  g_rig.~Rig();
  new (&g_rig) Rig();
  TT_CHECK(g_rig.dev.init(rows, &g_rig.clock) == Status::kOk);
  TT_CHECK(g_rig.i2c.attach(g_rig.dev.device()) == Status::kOk);
  g_rig.clk = g_rig.clock.clock();
  return g_rig.mpu.init(g_rig.i2c.bus(max_transfer), cfg, with_clock ? &g_rig.clk : nullptr);
}

// Follows the stream: checks every delivered frame against the recording and
// every reported loss against the simulator's ground truth.
struct Follower {
  Span<const std::int16_t> rows;
  int shift = 0;  // ACCEL_FS_SEL
  bool gyro = false;
  bool synced = false;       // next_k is known
  std::uint64_t next_k = 0;  // index of the next frame we expect
  std::uint64_t delivered = 0, reported_lost = 0, true_lost = 0, pending_lost = 0;
  std::uint32_t overflows = 0, bad_frames = 0, bad_loss = 0;
  bool exact_loss = true;  // with a clock the estimate is within +-1

  Status step(std::size_t max_frames) {
    FifoRead info;
    const std::size_t ch = gyro ? 6 : 3;
    const Status s = g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, max_frames * ch), &info);
    if (info.overflow) {
      ++overflows;
      bad_frames += info.frames != 0;
      pending_lost += info.lost;
      synced = false;
    }
    if (info.frames > 0 && !synced) {
      const std::uint64_t k0 = g_rig.dev.index_at_last_reset();
      if (delivered > 0 || overflows > 0) {
        const std::uint64_t truth = k0 - next_k;
        true_lost += truth;
        reported_lost += pending_lost;
        const std::uint64_t diff =
            truth > pending_lost ? truth - pending_lost : pending_lost - truth;
        if (exact_loss ? diff > 1 : pending_lost > truth) ++bad_loss;
      }
      pending_lost = 0;
      next_k = k0;
      synced = true;
    }
    const std::size_t n = rows.size() / 3;
    for (std::size_t f = 0; f < info.frames; ++f, ++next_k) {
      const std::int16_t* o = g_out + f * ch;
      const std::size_t row = static_cast<std::size_t>(next_k % n);
      for (std::size_t i = 0; i < 3; ++i) {
        bad_frames += o[i] != static_cast<std::int16_t>(rows[row * 3 + i] >> shift);
      }
      if (gyro) {
        const std::uint64_t k =
            static_cast<std::uint16_t>(o[3]) |
            (static_cast<std::uint64_t>(static_cast<std::uint16_t>(o[4])) << 16);
        bad_frames += k != (next_k & 0xFFFFFFFFu);
      }
    }
    delivered += info.frames;
    return s;
  }
};

}  // namespace

TT_TEST(init_configures_chip) {
  load_rows();
  Mpu6886Config cfg;
  TT_CHECK(setup(cfg) == Status::kOk);
  const SimMpu6886& d = g_rig.dev;
  TT_CHECK_EQ(d.reg(0x6B), 0x01);  // awake, auto clock
  TT_CHECK_EQ(d.reg(0x6C), 0x07);  // gyro standby
  TT_CHECK_EQ(d.reg(0x19), 9);     // 1 kHz / (1 + 9) = 100 Hz
  TT_CHECK_EQ(d.reg(0x1A), 3);     // gyro DLPF 41 Hz < 50 Hz, FIFO_MODE 0
  TT_CHECK_EQ(d.reg(0x1B), 0x18);  // +-2000 dps, FCHOICE_B 0
  TT_CHECK_EQ(d.reg(0x1C), 0x00);  // +-2 g
  TT_CHECK_EQ(d.reg(0x1D), 3);     // accel DLPF 44.8 Hz
  TT_CHECK_EQ(d.reg(0x23), 0x08);  // accel into the FIFO
  TT_CHECK_EQ(d.reg(0x6A), 0x40);  // FIFO on
  TT_CHECK_EQ(g_rig.mpu.channels(), std::size_t{3});
  TT_CHECK_EQ(g_rig.mpu.fifo_capacity_frames(), std::size_t{128});
  TT_CHECK_EQ(g_rig.mpu.counts_per_g(), 16384.0f);
  TT_CHECK_EQ(g_rig.clock.now_us(), std::uint64_t{Mpu6886::kResetDelayUs});  // waited after reset

  cfg.rate_hz = 1000;
  cfg.gyro = true;
  cfg.range = Mpu6886Range::k16g;
  TT_CHECK(setup(cfg) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x19), 0);
  TT_CHECK_EQ(g_rig.dev.reg(0x1A), 1);  // 176 Hz < 500 Hz
  TT_CHECK_EQ(g_rig.dev.reg(0x1C), 0x18);
  TT_CHECK_EQ(g_rig.dev.reg(0x23), 0x18);
  TT_CHECK_EQ(g_rig.dev.reg(0x6C), 0x00);
  TT_CHECK_EQ(g_rig.mpu.channels(), std::size_t{6});
  TT_CHECK_EQ(g_rig.mpu.fifo_capacity_frames(), std::size_t{73});
  cfg.rate_hz = 4;
  TT_CHECK(setup(cfg) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x19), 249);
  TT_CHECK_EQ(g_rig.dev.reg(0x1A), 6);  // nothing below 2 Hz: narrowest
}

namespace {
// A device that answers every register with 0x12 (an ICM-20602's WHO_AM_I).
int other_write(void*, std::uint8_t, const std::uint8_t*, std::size_t) { return 0; }
int other_read(void*, std::uint8_t, std::uint8_t* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = 0x12;
  return 0;
}
}  // namespace

TT_TEST(init_rejects_bad_config_and_devices) {
  load_rows();
  Mpu6886Config cfg;
  for (int rate : {0, 3, 7, 300, 2000}) {
    cfg.rate_hz = static_cast<std::uint16_t>(rate);
    TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  }
  cfg = Mpu6886Config{};
  cfg.range = static_cast<Mpu6886Range>(4);
  TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  cfg = Mpu6886Config{};
  TT_CHECK(setup(cfg, 7) == Status::kInvalidArgument);  // a burst cannot hold one packet
  cfg.gyro = true;
  TT_CHECK(setup(cfg, 13) == Status::kInvalidArgument);
  TT_CHECK(setup(cfg, 14) == Status::kOk);
  cfg = Mpu6886Config{};
  cfg.address = 0x69;  // nobody there: NACK
  TT_CHECK(setup(cfg) == Status::kIoError);
  FifoRead info;
  TT_CHECK(g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, 30), &info) == Status::kNotInitialized);

  SimI2cBus bus;
  TT_CHECK(bus.attach(SimI2cDevice{other_write, other_read, nullptr, 0x68}) == Status::kOk);
  Mpu6886 mpu;
  TT_CHECK(mpu.init(bus.bus(), Mpu6886Config{}) == Status::kNotSupported);
  I2cBus broken = bus.bus();
  broken.read = nullptr;
  TT_CHECK(mpu.init(broken, Mpu6886Config{}) == Status::kInvalidArgument);

  // A timeout in the middle of the configuration is reported as such.
  TT_CHECK(setup(Mpu6886Config{}) == Status::kOk);
  g_rig.i2c.inject_fault(5, Status::kTimeout);
  TT_CHECK(g_rig.mpu.init(g_rig.i2c.bus(), Mpu6886Config{}, &g_rig.clk) == Status::kTimeout);
  TT_CHECK(g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, 30), &info) == Status::kNotInitialized);
}

TT_TEST(replays_recording_exactly) {
  load_rows();
  // 10 s at 100 Hz read every 250 ms: the 1000 rows, in order, nothing lost.
  for (std::size_t max_transfer : {std::size_t{0}, std::size_t{32}, std::size_t{255}}) {
    TT_CHECK(setup(Mpu6886Config{}, max_transfer) == Status::kOk);
    Follower f;
    f.rows = Span<const std::int16_t>(g_rows);
    for (int i = 0; i < 40; ++i) {
      g_rig.clock.advance_us(250000);
      TT_CHECK(f.step(512) == Status::kOk);
    }
    TT_CHECK_EQ(f.delivered, std::uint64_t{1000});
    TT_CHECK_EQ(f.bad_frames, 0u);
    TT_CHECK_EQ(f.overflows, 0u);
    TT_CHECK_EQ(g_rig.i2c.oversize(), 0u);
    TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
    TT_CHECK_EQ(g_rig.mpu.last_temperature_c(), 30.0f);
    // The whole run, frames in order, equals numpy's decoding of the file.
    TT_CHECK_EQ(g_rig.dev.index_at_last_reset(), std::uint64_t{0});
  }
}

TT_TEST(bursts_respect_max_transfer) {
  load_rows();
  TT_CHECK(setup(Mpu6886Config{}, 32) == Status::kOk);  // 4 packets per transaction
  g_rig.clock.advance_us(1000000);                      // 100 frames waiting
  const std::uint32_t before = g_rig.i2c.transactions();
  FifoRead info;
  TT_CHECK(g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, 3 * 512), &info) == Status::kOk);
  TT_CHECK_EQ(info.frames, std::size_t{100});
  // count + 25 bursts of 4 packets + INT_STATUS check
  TT_CHECK_EQ(g_rig.i2c.transactions() - before, 27u);
  TT_CHECK_EQ(g_rig.i2c.oversize(), 0u);
}

TT_TEST(partial_reads_keep_the_rest) {
  load_rows();
  TT_CHECK(setup(Mpu6886Config{}) == Status::kOk);
  Follower f;
  f.rows = Span<const std::int16_t>(g_rows);
  g_rig.clock.advance_us(500000);  // 50 frames
  TT_CHECK(f.step(7) == Status::kOk);
  TT_CHECK_EQ(f.delivered, std::uint64_t{7});
  std::size_t avail = 0;
  TT_CHECK(g_rig.mpu.available(&avail) == Status::kOk);
  TT_CHECK_EQ(avail, std::size_t{43});
  for (int i = 0; i < 6; ++i) TT_CHECK(f.step(7) == Status::kOk);
  TT_CHECK_EQ(f.delivered, std::uint64_t{49});
  TT_CHECK(f.step(0) == Status::kOk);  // an empty buffer reads nothing
  TT_CHECK(f.step(7) == Status::kOk);
  TT_CHECK_EQ(f.delivered, std::uint64_t{50});
  TT_CHECK(f.step(7) == Status::kOk);  // FIFO empty: 0 frames, no error
  TT_CHECK_EQ(f.delivered, std::uint64_t{50});
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
}

TT_TEST(random_chunking_gives_the_same_stream) {
  load_rows();
  std::uint32_t lcg = 12345;
  auto next = [&lcg](std::uint32_t mod) {
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) % mod;
  };
  for (bool gyro : {false, true}) {
    Mpu6886Config cfg;
    cfg.gyro = gyro;
    cfg.rate_hz = 200;
    TT_CHECK(setup(cfg, gyro ? 56 : 40) == Status::kOk);
    Follower f;
    f.rows = Span<const std::int16_t>(g_rows);
    f.gyro = gyro;
    // Random gaps shorter than the FIFO fill time (73 frames at 200 Hz with
    // the gyro: 365 ms) and random read sizes.
    for (int i = 0; i < 400; ++i) {
      g_rig.clock.advance_us(1000u * (1 + next(150)));
      TT_CHECK(f.step(1 + next(100)) == Status::kOk);
    }
    while (g_rig.dev.fifo_level() > 0) TT_CHECK(f.step(64) == Status::kOk);  // drain
    TT_CHECK_EQ(f.overflows, 0u);
    TT_CHECK_EQ(f.bad_frames, 0u);
    // Every sample the chip took since the first reset was delivered, once.
    TT_CHECK_EQ(f.delivered, g_rig.dev.next_index() - g_rig.dev.index_at_last_reset());
    TT_CHECK_GE(f.delivered, std::uint64_t{5000});
    TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
  }
}

TT_TEST(overflow_detected_reset_and_counted) {
  load_rows();
  for (bool gyro : {false, true}) {
    Mpu6886Config cfg;
    cfg.gyro = gyro;
    TT_CHECK(setup(cfg) == Status::kOk);
    Follower f;
    f.rows = Span<const std::int16_t>(g_rows);
    f.gyro = gyro;
    g_rig.clock.advance_us(300000);
    TT_CHECK(f.step(20) == Status::kOk);  // 20 read, 10 left behind
    g_rig.clock.advance_us(2000000);      // 200 more: the FIFO (128 / 73 frames) overflows
    TT_CHECK(f.step(512) == Status::kOk);
    TT_CHECK_EQ(f.overflows, 1u);
    TT_CHECK_EQ(g_rig.mpu.overflows(), 1u);
    TT_CHECK_EQ(g_rig.dev.fifo_level(), std::size_t{0});  // reset
    for (int i = 0; i < 10; ++i) {
      g_rig.clock.advance_us(100000);
      TT_CHECK(f.step(512) == Status::kOk);
    }
    TT_CHECK_EQ(f.overflows, 1u);
    TT_CHECK_EQ(f.bad_frames, 0u);
    TT_CHECK_EQ(f.bad_loss, 0u);
    // 10 left + 200 produced: all lost.
    TT_CHECK_NEAR(static_cast<double>(f.true_lost), 210.0, 1.0);
    TT_CHECK_EQ(g_rig.mpu.lost_total(), f.reported_lost);
    TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
  }
}

TT_TEST(overflow_without_clock_is_a_lower_bound) {
  load_rows();
  TT_CHECK(setup(Mpu6886Config{}, 0, false) == Status::kOk);
  Follower f;
  f.rows = Span<const std::int16_t>(g_rows);
  f.exact_loss = false;
  g_rig.clock.advance_us(5000000);  // 500 frames into a 128-frame FIFO
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 1u);
  g_rig.clock.advance_us(200000);
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(f.bad_loss, 0u);  // reported <= truth
  TT_CHECK_EQ(f.reported_lost, std::uint64_t{128});
}

TT_TEST(overflow_during_a_slow_burst_is_caught) {
  load_rows();
  // 1 kHz with the gyro: the FIFO holds 73 ms. A 100 kHz bus (90 us per
  // byte) needs ~90 ms to drain it, so new frames overwrite the FIFO while
  // it is being read; the post-read INT_STATUS check must throw it all away.
  Mpu6886Config cfg;
  cfg.rate_hz = 1000;
  cfg.gyro = true;
  TT_CHECK(setup(cfg) == Status::kOk);
  g_rig.i2c.set_timing(&g_rig.clock, 90000);
  Follower f;
  f.rows = Span<const std::int16_t>(g_rows);
  f.gyro = true;
  g_rig.clock.advance_us(70000);  // 70 of 73 frames
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 1u);
  TT_CHECK_EQ(f.delivered, std::uint64_t{0});
  // Reading often enough on the same slow bus works.
  for (int i = 0; i < 50; ++i) {
    g_rig.clock.advance_us(5000);
    TT_CHECK(f.step(8) == Status::kOk);
  }
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(f.bad_loss, 0u);
  TT_CHECK_GE(f.delivered, std::uint64_t{300});
  TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
}

TT_TEST(long_session_with_random_gaps) {
  load_rows();
  std::uint32_t lcg = 99;
  auto next = [&lcg](std::uint32_t mod) {
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) % mod;
  };
  for (bool gyro : {false, true}) {
    Mpu6886Config cfg;
    cfg.gyro = gyro;
    TT_CHECK(setup(cfg, 64) == Status::kOk);
    g_rig.i2c.set_timing(&g_rig.clock, 22500);  // 400 kHz
    Follower f;
    f.rows = Span<const std::int16_t>(g_rows);
    f.gyro = gyro;
    for (int i = 0; i < 300; ++i) {
      g_rig.clock.advance_us(10000u * (1 + next(gyro ? 90 : 160)));  // sometimes too late
      TT_CHECK(f.step(1 + next(200)) == Status::kOk);
    }
    TT_CHECK_GE(f.overflows, 10u);
    TT_CHECK_EQ(f.bad_frames, 0u);
    TT_CHECK_EQ(f.bad_loss, 0u);
    // Every sample taken is either delivered, lost (reported), or still queued.
    const std::uint64_t produced = g_rig.dev.next_index() - g_rig.dev.index_at_last_reset();
    TT_CHECK_LE(f.next_k - g_rig.dev.index_at_last_reset(), produced);
    TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
  }
}

TT_TEST(bus_errors_never_leak_data) {
  load_rows();
  TT_CHECK(setup(Mpu6886Config{}, 32) == Status::kOk);
  Follower f;
  f.rows = Span<const std::int16_t>(g_rows);
  g_rig.clock.advance_us(200000);
  TT_CHECK(f.step(512) == Status::kOk);
  // A NACK on the count read: nothing consumed, next read continues.
  g_rig.clock.advance_us(200000);
  g_rig.i2c.inject_fault(0, Status::kIoError);
  TT_CHECK(f.step(512) == Status::kIoError);
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 0u);
  // A timeout in the middle of the FIFO burst: unknown position, so the
  // next call resets the FIFO and reports the loss.
  g_rig.clock.advance_us(200000);
  g_rig.i2c.inject_fault(2, Status::kTimeout);
  TT_CHECK(f.step(512) == Status::kTimeout);
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 1u);
  // A NACK on the INT_STATUS check: the data cannot be trusted either.
  g_rig.clock.advance_us(200000);
  g_rig.i2c.inject_fault(6, Status::kIoError);  // count, 5 bursts (20 frames / 4), status
  TT_CHECK(f.step(512) == Status::kIoError);
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 2u);
  for (int i = 0; i < 5; ++i) {
    g_rig.clock.advance_us(100000);
    TT_CHECK(f.step(512) == Status::kOk);
  }
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(f.bad_loss, 0u);
  TT_CHECK_GE(f.delivered, std::uint64_t{70});
  TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
  FifoRead info;
  TT_CHECK(g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, 3), nullptr) == Status::kInvalidArgument);
  (void)info;
}

TT_TEST(sleep_stops_sampling_and_wake_restarts_clean) {
  load_rows();
  TT_CHECK(setup(Mpu6886Config{}) == Status::kOk);
  Follower f;
  f.rows = Span<const std::int16_t>(g_rows);
  g_rig.clock.advance_us(500000);
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK(g_rig.mpu.set_sleep(true) == Status::kOk);
  const std::uint64_t k = g_rig.dev.next_index();
  g_rig.clock.advance_us(60000000);  // a minute asleep
  TT_CHECK_EQ(g_rig.dev.next_index(), k);
  TT_CHECK(g_rig.mpu.set_sleep(false) == Status::kOk);
  g_rig.clock.advance_us(500000);
  std::size_t avail = 0;
  TT_CHECK(g_rig.mpu.available(&avail) == Status::kOk);
  TT_CHECK_EQ(avail, std::size_t{50});
  TT_CHECK(f.step(512) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 0u);
  TT_CHECK_EQ(f.bad_frames, 0u);
}

TT_TEST(ranges_and_conversion_to_g) {
  load_rows();
  Mpu6886Config cfg;
  cfg.range = Mpu6886Range::k8g;
  TT_CHECK(setup(cfg) == Status::kOk);
  TT_CHECK_EQ(g_rig.mpu.counts_per_g(), 4096.0f);
  g_rig.clock.advance_us(1000000);
  FifoRead info;
  TT_CHECK(g_rig.mpu.read_fifo(Span<std::int16_t>(g_out, 300), &info) == Status::kOk);
  TT_CHECK_EQ(info.frames, std::size_t{100});
  TT_CHECK(std::memcmp(g_out, g::rows_8g, 300 * sizeof(std::int16_t)) == 0);
  static float gs[300];
  g_rig.mpu.accel_to_g(Span<const std::int16_t>(g_out, 300), Span<float>(gs));
  // +-8 g drops the 2 low bits of the +-2 g recording: within 4 counts at 16384/g.
  TT_CHECK_LE(tt::max_abs_error(gs, g::g, 300), 4.0 / 16384.0);
}

TT_TEST(truncated_recording_replays_rows_present) {
  load_rows();
  NpyInt16 a;
  TT_CHECK(parse_npy_int16(Span<const std::uint8_t>(g::trunc_npy, g::trunc_npy_len),
                           Truncation::kReject, &a) == Status::kSizeMismatch);
  TT_CHECK(parse_npy_int16(Span<const std::uint8_t>(g::trunc_npy, g::trunc_npy_len),
                           Truncation::kUsePresent, &a) == Status::kOk);
  TT_CHECK_EQ(a.rows, std::size_t{100});
  TT_CHECK(a.copy_rows(0, Span<std::int16_t>(g_trunc)) == Status::kOk);
  TT_CHECK(std::memcmp(g_trunc, g::trunc_rows, sizeof g_trunc) == 0);
  TT_CHECK(setup(Mpu6886Config{}, 0, true, Span<const std::int16_t>(g_trunc)) == Status::kOk);
  Follower f;
  f.rows = Span<const std::int16_t>(g_trunc);
  for (int i = 0; i < 25; ++i) {  // 2.5 passes over the 100 rows
    g_rig.clock.advance_us(100000);
    TT_CHECK(f.step(512) == Status::kOk);
  }
  TT_CHECK_EQ(f.delivered, std::uint64_t{250});
  TT_CHECK_EQ(f.bad_frames, 0u);
}
