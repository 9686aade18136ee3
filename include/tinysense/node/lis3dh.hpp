// LIS3DH 3-axis accelerometer driver: rate, range and resolution set up,
// samples read from the 32-level FIFO (stream mode) in I2C bursts.
//
// Register map (ST DocID17530, AN3308): WHO_AM_I 0x0F = 0x33; CTRL_REG1 0x20
// (ODR 7:4, LPen 3, Z/Y/X enable 2:0); CTRL_REG4 0x23 (BDU 7, FS 5:4, HR 3);
// CTRL_REG5 0x24 (FIFO_EN 6); FIFO_CTRL_REG 0x2E (FM 7:6: 00 bypass, 10
// stream); FIFO_SRC_REG 0x2F (WTM 7, OVRN_FIFO 6, EMPTY 5, FSS 4:0);
// OUT_X_L 0x28 .. OUT_Z_H 0x2D, little-endian, left-justified; a multi-byte
// access needs the sub-address MSB set (0x80 | reg), and with the FIFO on a
// burst rolls over from 0x2D to 0x28, so one read of 6 * n bytes pops n samples.
// Output: "counts" are the right-justified digits of the chosen resolution
// (12-bit high-resolution, 10-bit normal, 8-bit low-power), e.g.
// -2048..2047 in HR mode; g = counts * mg_per_count() / 1000 with the data
// sheet's sensitivities (HR: 1/2/4/12 mg per digit at +-2/4/8/16 g).
//
// Overflow: OVRN_FIFO is set when all 32 slots hold unread samples; in
// stream mode the next sample then overwrites the oldest, and how many were
// overwritten is not reported. FSS has 5 bits and cannot show 32, so the
// driver counts stored samples as 32 when OVRN is set, FSS otherwise. An
// OVRN means samples may have been lost: the content is discarded, the
// FIFO is reset (bypass, then stream), and FifoRead::overflow / lost are
// set as for the MPU6886 (see FifoLoss). Read at least every 32 / rate_hz
// seconds (minus the read time) to avoid it.
#ifndef TINYSENSE_NODE_LIS3DH_HPP
#define TINYSENSE_NODE_LIS3DH_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {

enum class Lis3dhRange : std::uint8_t { k2g = 0, k4g = 1, k8g = 2, k16g = 3 };
// Resolution: low-power 8-bit, normal 10-bit, high-resolution 12-bit.
enum class Lis3dhMode : std::uint8_t { kLowPower = 0, kNormal = 1, kHighRes = 2 };

struct Lis3dhConfig {
  std::uint8_t address = 0x18;  // 0x19 with SA0/SDO high
  // 1, 10, 25, 50, 100, 200, 400 Hz; 1344 (normal / high-res); 1600 and
  // 5376 (low-power only).
  std::uint16_t rate_hz = 100;
  Lis3dhRange range = Lis3dhRange::k2g;
  Lis3dhMode mode = Lis3dhMode::kHighRes;
};

class Lis3dh {
 public:
  static constexpr std::uint8_t kWhoAmI = 0x33;
  static constexpr std::size_t kFifoSamples = 32;

  // Checks WHO_AM_I, powers the sensor down, sets range / resolution / BDU,
  // enables the FIFO in stream mode, then starts sampling; every written
  // register is read back. clock: optional (may be null), for the lost-frame
  // estimate; must outlive the driver.
  // Errors: kInvalidArgument (bus, a rate not in the list for the mode, an
  // enum out of range, bus max_transfer below 6), kNotSupported (WHO_AM_I is
  // not 0x33), kIoError / kTimeout (bus, read-back mismatch).
  [[nodiscard]] Status init(const I2cBus& bus, const Lis3dhConfig& config,
                            const Clock* clock = nullptr) noexcept;

  // Reads up to out.size() / 3 samples (x, y, z counts) from the FIFO.
  // Errors: kNotInitialized, kInvalidArgument (null info), bus errors (the
  // next call then resets the FIFO first, counted as an overflow).
  [[nodiscard]] Status read_fifo(Span<std::int16_t> out, FifoRead* info) noexcept;
  [[nodiscard]] Status available(std::size_t* samples) noexcept;
  // Empties the FIFO (bypass, then stream).
  [[nodiscard]] Status reset_fifo() noexcept;
  // Power-down (ODR = 0, ~0.5 uA) or back to the configured rate; waking
  // empties the FIFO.
  [[nodiscard]] Status set_sleep(bool sleep) noexcept;

  int resolution_bits() const noexcept { return bits_; }
  // Sensitivity in mg per count (data sheet table 4).
  float mg_per_count() const noexcept { return mg_per_count_; }
  // g[i] = counts[i] * mg_per_count() / 1000; sizes must match.
  void to_g(Span<const std::int16_t> counts, Span<float> g) const noexcept;

  std::uint64_t lost_total() const noexcept { return loss_.lost_total(); }
  std::uint32_t overflows() const noexcept { return loss_.overflows(); }

 private:
  Status overflow_reset(std::size_t seen, FifoRead* info) noexcept;
  Status fifo_restart() noexcept;

  static constexpr std::size_t kChunkSamples = 16;
  I2cBus bus_{};
  FifoLoss loss_;
  std::uint8_t chunk_[kChunkSamples * 6] = {};
  float mg_per_count_ = 1.0f;
  std::uint8_t addr_ = 0;
  std::uint8_t ctrl1_ = 0;
  int bits_ = 12;
  bool ready_ = false;
  bool needs_reset_ = false;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_LIS3DH_HPP
