// LIS3DH driver against the simulated chip (sim.hpp) measuring a real
// recording; the counts must equal numpy's data-sheet model (gen_lis3dh.py)
// for each resolution and range, and overflows must be detected, reset and
// counted without ever returning stale or overwritten samples.
#include <cstdint>
#include <cstring>
#include <new>

#include "golden_lis3dh.hpp"
#include "tinysense/node/lis3dh.hpp"
#include "tinysense/node/sim.hpp"
#include "tt.hpp"

using namespace tinysense;
using namespace tinysense::node;
namespace g = golden::lis3dh;

namespace {

std::int16_t g_out[3 * 256];

struct Rig {
  SimClock clock;
  SimI2cBus i2c;
  SimLis3dh dev;
  Lis3dh lis;
  Clock clk;
};
Rig g_rig;

Status setup(const Lis3dhConfig& cfg, std::size_t max_transfer = 0, bool with_clock = true) {
  g_rig.~Rig();
  new (&g_rig) Rig();
  TT_CHECK(g_rig.dev.init(Span<const std::int16_t>(g::rows, g::rows_len), &g_rig.clock) ==
           Status::kOk);
  TT_CHECK(g_rig.i2c.attach(g_rig.dev.device()) == Status::kOk);
  g_rig.clk = g_rig.clock.clock();
  return g_rig.lis.init(g_rig.i2c.bus(max_transfer), cfg, with_clock ? &g_rig.clk : nullptr);
}

// Checks each delivered sample against numpy's expected digits for its row,
// and each reported loss against the simulator's ground truth.
struct Follower {
  const std::int16_t* expect = g::hr2;
  bool synced = false;
  bool exact_loss = true;
  std::uint64_t next_k = 0, delivered = 0, pending_lost = 0, true_lost = 0;
  std::uint32_t overflows = 0, bad_frames = 0, bad_loss = 0;

  Status step(std::size_t max_samples) {
    FifoRead info;
    const Status s = g_rig.lis.read_fifo(Span<std::int16_t>(g_out, 3 * max_samples), &info);
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
        const std::uint64_t diff =
            truth > pending_lost ? truth - pending_lost : pending_lost - truth;
        if (exact_loss ? diff > 1 : pending_lost > truth) ++bad_loss;
      }
      pending_lost = 0;
      next_k = k0;
      synced = true;
    }
    for (std::size_t f = 0; f < info.frames; ++f, ++next_k) {
      const std::size_t row = static_cast<std::size_t>(next_k % 1000);
      for (std::size_t i = 0; i < 3; ++i) bad_frames += g_out[3 * f + i] != expect[3 * row + i];
    }
    delivered += info.frames;
    return s;
  }
};

}  // namespace

TT_TEST(init_configures_chip) {
  TT_CHECK(setup(Lis3dhConfig{}) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x20), 0x57);  // 100 Hz, XYZ
  TT_CHECK_EQ(g_rig.dev.reg(0x23), 0x88);  // BDU, +-2 g, HR
  TT_CHECK_EQ(g_rig.dev.reg(0x24), 0x40);  // FIFO on
  TT_CHECK_EQ(g_rig.dev.reg(0x2E), 0x80);  // stream mode
  TT_CHECK_EQ(g_rig.lis.resolution_bits(), 12);
  TT_CHECK_EQ(g_rig.lis.mg_per_count(), 1.0f);
  Lis3dhConfig cfg;
  cfg.mode = Lis3dhMode::kLowPower;
  cfg.rate_hz = 5376;
  cfg.range = Lis3dhRange::k16g;
  TT_CHECK(setup(cfg) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x20), 0x9F);
  TT_CHECK_EQ(g_rig.dev.reg(0x23), 0xB0);
  TT_CHECK_EQ(g_rig.lis.mg_per_count(), 192.0f);
  cfg.mode = Lis3dhMode::kNormal;
  cfg.rate_hz = 1344;
  TT_CHECK(setup(cfg) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x20), 0x97);
  TT_CHECK_EQ(g_rig.lis.resolution_bits(), 10);
}

namespace {
int mpu_like_read(void*, std::uint8_t, std::uint8_t* d, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d[i] = 0x19;
  return 0;
}
int mpu_like_write(void*, std::uint8_t, const std::uint8_t*, std::size_t) { return 0; }
}  // namespace

TT_TEST(init_rejects_bad_config_and_devices) {
  Lis3dhConfig cfg;
  for (int rate : {0, 2, 1600, 5376, 3000}) {  // 1600 / 5376 need low-power mode
    cfg.rate_hz = static_cast<std::uint16_t>(rate);
    TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  }
  cfg = Lis3dhConfig{};
  cfg.mode = Lis3dhMode::kLowPower;
  cfg.rate_hz = 1344;
  TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  cfg = Lis3dhConfig{};
  cfg.range = static_cast<Lis3dhRange>(4);
  TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  cfg = Lis3dhConfig{};
  cfg.mode = static_cast<Lis3dhMode>(3);
  TT_CHECK(setup(cfg) == Status::kInvalidArgument);
  TT_CHECK(setup(Lis3dhConfig{}, 5) == Status::kInvalidArgument);
  TT_CHECK(setup(Lis3dhConfig{}, 6) == Status::kOk);
  cfg = Lis3dhConfig{};
  cfg.address = 0x19;
  TT_CHECK(setup(cfg) == Status::kIoError);
  SimI2cBus bus;
  TT_CHECK(bus.attach(SimI2cDevice{mpu_like_write, mpu_like_read, nullptr, 0x18}) == Status::kOk);
  Lis3dh lis;
  TT_CHECK(lis.init(bus.bus(), Lis3dhConfig{}) == Status::kNotSupported);
  FifoRead info;
  TT_CHECK(lis.read_fifo(Span<std::int16_t>(g_out, 3), &info) == Status::kNotInitialized);
}

TT_TEST(counts_match_numpy_model_per_setting) {
  struct Setting {
    Lis3dhMode mode;
    Lis3dhRange range;
    const std::int16_t* expect;
    float mg;
  };
  const Setting kSettings[] = {
      {Lis3dhMode::kHighRes, Lis3dhRange::k2g, g::hr2, 1.0f},
      {Lis3dhMode::kNormal, Lis3dhRange::k4g, g::nm4, 8.0f},
      {Lis3dhMode::kLowPower, Lis3dhRange::k8g, g::lp8, 64.0f},
      {Lis3dhMode::kHighRes, Lis3dhRange::k16g, g::hr16, 12.0f},
  };
  static float gs[3 * 256];
  for (const Setting& s : kSettings) {
    Lis3dhConfig cfg;
    cfg.mode = s.mode;
    cfg.range = s.range;
    TT_CHECK(setup(cfg, 32) == Status::kOk);
    Follower f;
    f.expect = s.expect;
    double worst = 0.0;
    for (int i = 0; i < 50; ++i) {  // 10 s, read every 200 ms (20 of 32 slots)
      g_rig.clock.advance_us(200000);
      TT_CHECK(f.step(256) == Status::kOk);
      // to_g vs the recording: within half a digit, except where the
      // +-2 g high-resolution range clips (2047 mg) - it does not here.
      const std::size_t n = 3 * 20;
      g_rig.lis.to_g(Span<const std::int16_t>(g_out, n), Span<float>(gs, n));
      const std::size_t row0 = static_cast<std::size_t>((f.next_k - 20) % 1000);
      const double err = tt::max_abs_error(gs, g::g + 3 * row0, n);
      worst = err > worst ? err : worst;
    }
    TT_CHECK_EQ(f.delivered, std::uint64_t{1000});
    TT_CHECK_EQ(f.bad_frames, 0u);
    TT_CHECK_EQ(f.overflows, 0u);
    TT_CHECK_LE(worst, 0.5 * s.mg / 1000.0 + 1e-6);
    TT_CHECK_EQ(g_rig.lis.mg_per_count(), s.mg);
    TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
    TT_CHECK_EQ(g_rig.i2c.oversize(), 0u);
  }
}

TT_TEST(bursts_use_rollover_and_respect_max_transfer) {
  TT_CHECK(setup(Lis3dhConfig{}, 32) == Status::kOk);  // 5 samples (30 bytes) per burst
  g_rig.clock.advance_us(250000);                      // 25 samples
  const std::uint32_t before = g_rig.i2c.transactions();
  Follower f;
  TT_CHECK(f.step(256) == Status::kOk);
  TT_CHECK_EQ(f.delivered, std::uint64_t{25});
  TT_CHECK_EQ(g_rig.i2c.transactions() - before, 6u);  // FIFO_SRC + 5 bursts
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK(setup(Lis3dhConfig{}) == Status::kOk);  // unlimited: one burst of 16 max (chunk buffer)
  g_rig.clock.advance_us(300000);
  const std::uint32_t b2 = g_rig.i2c.transactions();
  Follower f2;
  TT_CHECK(f2.step(256) == Status::kOk);
  TT_CHECK_EQ(f2.delivered, std::uint64_t{30});
  TT_CHECK_EQ(g_rig.i2c.transactions() - b2, 3u);
  TT_CHECK_EQ(f2.bad_frames, 0u);
}

TT_TEST(random_chunking_gives_the_same_stream) {
  std::uint32_t lcg = 777;
  auto next = [&lcg](std::uint32_t mod) {
    lcg = lcg * 1664525u + 1013904223u;
    return (lcg >> 8) % mod;
  };
  Lis3dhConfig cfg;
  cfg.rate_hz = 400;  // 32 slots = 80 ms
  TT_CHECK(setup(cfg, 48) == Status::kOk);
  Follower f;
  for (int i = 0; i < 2000; ++i) {  // on average 6 samples produced, 24 read per step
    g_rig.clock.advance_us(1000u * (1 + next(30)));
    TT_CHECK(f.step(8 + next(33)) == Status::kOk);
  }
  while (g_rig.dev.fifo_level() > 0) TT_CHECK(f.step(8) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 0u);
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(f.delivered, g_rig.dev.next_index() - g_rig.dev.index_at_last_reset());
  TT_CHECK_GE(f.delivered, std::uint64_t{10000});
  TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
}

TT_TEST(overflow_detected_reset_and_counted) {
  for (bool clock : {true, false}) {
    TT_CHECK(setup(Lis3dhConfig{}, 0, clock) == Status::kOk);
    Follower f;
    f.exact_loss = clock;
    g_rig.clock.advance_us(200000);
    TT_CHECK(f.step(5) == Status::kOk);  // 5 read, 15 left
    g_rig.clock.advance_us(500000);      // +50: the 32 slots overflow
    TT_CHECK(f.step(256) == Status::kOk);
    TT_CHECK_EQ(f.overflows, 1u);
    TT_CHECK_EQ(g_rig.dev.fifo_level(), std::size_t{0});
    for (int i = 0; i < 10; ++i) {
      g_rig.clock.advance_us(150000);
      TT_CHECK(f.step(256) == Status::kOk);
    }
    TT_CHECK_EQ(f.overflows, 1u);
    TT_CHECK_EQ(f.bad_frames, 0u);
    TT_CHECK_EQ(f.bad_loss, 0u);
    TT_CHECK_NEAR(static_cast<double>(f.true_lost), 65.0, 1.0);  // 15 left + 50 new
    TT_CHECK_EQ(g_rig.lis.overflows(), 1u);
    if (!clock) TT_CHECK_EQ(g_rig.lis.lost_total(), std::uint64_t{32});
  }
}

TT_TEST(full_fifo_counts_as_32_not_fss) {
  // Exactly 32 stored: FSS reads 31, OVRN is set. The driver must not read
  // 31 samples and carry on as if nothing happened.
  TT_CHECK(setup(Lis3dhConfig{}) == Status::kOk);
  g_rig.clock.advance_us(320000);
  std::size_t avail = 0;
  TT_CHECK(g_rig.lis.available(&avail) == Status::kOk);
  TT_CHECK_EQ(avail, std::size_t{32});
  TT_CHECK_EQ(g_rig.dev.fifo_level(), std::size_t{32});
  Follower f;
  TT_CHECK(f.step(256) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 1u);
  TT_CHECK_EQ(f.delivered, std::uint64_t{0});
}

TT_TEST(bus_errors_and_sleep) {
  TT_CHECK(setup(Lis3dhConfig{}, 30) == Status::kOk);
  Follower f;
  g_rig.clock.advance_us(200000);
  TT_CHECK(f.step(256) == Status::kOk);
  g_rig.clock.advance_us(200000);
  g_rig.i2c.inject_fault(0, Status::kIoError);  // FIFO_SRC: nothing consumed
  TT_CHECK(f.step(256) == Status::kIoError);
  TT_CHECK(f.step(256) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 0u);
  g_rig.clock.advance_us(200000);
  g_rig.i2c.inject_fault(2, Status::kTimeout);  // second burst
  TT_CHECK(f.step(256) == Status::kTimeout);
  TT_CHECK(f.step(256) == Status::kOk);
  TT_CHECK_EQ(f.overflows, 1u);
  TT_CHECK(g_rig.lis.set_sleep(true) == Status::kOk);
  TT_CHECK_EQ(g_rig.dev.reg(0x20), 0x07);
  const std::uint64_t k = g_rig.dev.next_index();
  g_rig.clock.advance_us(30000000);
  TT_CHECK_EQ(g_rig.dev.next_index(), k);
  TT_CHECK(g_rig.lis.set_sleep(false) == Status::kOk);
  for (int i = 0; i < 5; ++i) {
    g_rig.clock.advance_us(200000);
    TT_CHECK(f.step(256) == Status::kOk);
  }
  TT_CHECK_EQ(f.overflows, 1u);
  TT_CHECK_EQ(f.bad_frames, 0u);
  TT_CHECK_EQ(f.bad_loss, 0u);
  TT_CHECK_EQ(g_rig.dev.stale_reads(), 0u);
}
