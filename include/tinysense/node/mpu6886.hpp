// MPU-6886 6-axis IMU driver (the sensor of the har_exercise_1 recordings):
// accelerometer (and optionally gyroscope) read from the 1 KiB FIFO in bursts.
//
// Register map: MPU-6886 data sheet (same map as the ICM-20602, see also the
// Linux inv_mpu6050 driver and M5Stack's MPU6886 driver): WHO_AM_I 0x75 =
// 0x19; PWR_MGMT_1 0x6B (DEVICE_RESET bit 7, SLEEP bit 6, CLKSEL 2:0);
// PWR_MGMT_2 0x6C (accel standby bits 5:3, gyro standby 2:0); SMPLRT_DIV
// 0x19 (rate = 1 kHz / (1 + div) when FCHOICE_B = 0 and DLPF_CFG in 1..6);
// CONFIG 0x1A (FIFO_MODE bit 6, DLPF_CFG 2:0); GYRO_CONFIG 0x1B (FS_SEL 4:3,
// FCHOICE_B 1:0); ACCEL_CONFIG 0x1C (ACCEL_FS_SEL 4:3); ACCEL_CONFIG2 0x1D
// (A_DLPF_CFG 2:0); FIFO_EN 0x23 (GYRO bit 4, ACCEL bit 3); INT_STATUS 0x3A
// (FIFO_OFLOW_INT bit 4, cleared by reading); USER_CTRL 0x6A (FIFO_EN bit 6,
// FIFO_RST bit 2); FIFO_COUNTH/L 0x72/0x73; FIFO_R_W 0x74.
// FIFO packets (big-endian): accel x, y, z (6 bytes), temperature (2 bytes,
// always present on this family), then gyro x, y, z (6 bytes) when enabled:
// 8 or 14 bytes per frame.
//
// Overflow: the FIFO runs in "replace oldest" mode; when it overflows the
// oldest BYTES are overwritten, so with 14-byte packets the content loses
// packet alignment. The driver therefore checks INT_STATUS.FIFO_OFLOW_INT
// AFTER reading the data: if an overflow happened at any time since the
// previous check (before or during this read), everything read in this call
// is discarded (the output is zeroed), the FIFO is reset, FifoRead::overflow
// is set and FifoRead::lost counts the lost frames (see FifoLoss). It never
// returns data from an overflowed FIFO. Read at least every
// fifo_capacity_frames() / rate_hz seconds to avoid overflows.
// A bus error while reading FIFO data leaves the FIFO position unknown: the
// call returns the error and the next read_fifo() resets the FIFO first
// (counted as an overflow).
#ifndef TINYSENSE_NODE_MPU6886_HPP
#define TINYSENSE_NODE_MPU6886_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"

namespace tinysense::node {

enum class Mpu6886Range : std::uint8_t { k2g = 0, k4g = 1, k8g = 2, k16g = 3 };

struct Mpu6886Config {
  std::uint8_t address = 0x68;  // 0x69 with AD0 high
  std::uint16_t rate_hz = 100;  // output rate; 1000 / rate_hz must be an integer in 1..256
  Mpu6886Range range = Mpu6886Range::k2g;
  bool gyro = false;  // also put the gyro (+-2000 dps) into the FIFO
};

class Mpu6886 {
 public:
  static constexpr std::uint8_t kWhoAmI = 0x19;
  static constexpr std::size_t kFifoBytes = 1024;
  static constexpr std::uint32_t kResetDelayUs = 100000;  // after DEVICE_RESET

  // Checks WHO_AM_I, resets the device, configures rate, range, digital
  // low-pass filters (the widest bandwidth below rate / 2), the FIFO, and
  // verifies the configuration by reading it back; then empties the FIFO.
  // clock: optional (may be null); used to wait after the reset and for the
  // lost-frame estimate; must outlive the driver.
  // Errors: kInvalidArgument (bus callbacks missing, rate not a divisor of
  // 1000 in 4..1000, range out of enum), kNotSupported (WHO_AM_I is not
  // 0x19: another device answers), kIoError/kTimeout (bus; a register that
  // does not read back as written is kIoError).
  [[nodiscard]] Status init(const I2cBus& bus, const Mpu6886Config& config,
                            const Clock* clock = nullptr) noexcept;

  // int16 values per frame in read_fifo()'s output: 3 (ax, ay, az) or 6
  // (ax, ay, az, gx, gy, gz).
  std::size_t channels() const noexcept { return gyro_ ? 6 : 3; }
  std::size_t packet_bytes() const noexcept { return gyro_ ? 14 : 8; }
  std::size_t fifo_capacity_frames() const noexcept { return kFifoBytes / packet_bytes(); }

  // Reads up to out.size() / channels() frames (raw counts, see
  // counts_per_g) into `out`, in FIFO bursts of at most the bus's
  // max_transfer (whole packets). Frames not read stay in the FIFO for the
  // next call. *info receives frames / overflow / lost (see the header note).
  // Errors: kNotInitialized, kInvalidArgument (null info), kCorrupt (the
  // FIFO count exceeds the FIFO size: a garbled bus), bus errors.
  [[nodiscard]] Status read_fifo(Span<std::int16_t> out, FifoRead* info) noexcept;
  // Frames currently waiting in the FIFO.
  [[nodiscard]] Status available(std::size_t* frames) noexcept;
  // Empties the FIFO (FIFO_RST) and clears stale interrupt flags.
  [[nodiscard]] Status reset_fifo() noexcept;
  // Puts the whole chip to sleep (SLEEP = 1, ~6 uA; samples stop) or wakes
  // it; waking empties the FIFO so no stale frames follow the gap.
  [[nodiscard]] Status set_sleep(bool sleep) noexcept;

  // Accelerometer counts per g: 16384 >> range.
  float counts_per_g() const noexcept { return static_cast<float>(16384 >> range_); }
  // Gyroscope counts per degree per second at +-2000 dps.
  static constexpr float kGyroCountsPerDps = 16.4f;
  // g[i] = counts[i] / counts_per_g() for accelerometer counts (pass the
  // accel columns only); counts.size() must equal g.size().
  void accel_to_g(Span<const std::int16_t> counts, Span<float> g) const noexcept;
  // Die temperature of the last frame read, degC = raw / 326.8 + 25.
  float last_temperature_c() const noexcept {
    return static_cast<float>(last_temp_) / 326.8f + 25.0f;
  }

  std::uint64_t lost_total() const noexcept { return loss_.lost_total(); }
  std::uint32_t overflows() const noexcept { return loss_.overflows(); }

 private:
  Status overflow_reset(std::size_t frames_seen, FifoRead* info) noexcept;

  static constexpr std::size_t kChunkBytes = 16 * 14;  // burst buffer: 16 packets of 14 bytes
  I2cBus bus_{};
  FifoLoss loss_;
  std::uint8_t chunk_[kChunkBytes] = {};
  std::uint8_t addr_ = 0;
  std::uint8_t range_ = 0;
  std::int16_t last_temp_ = 0;
  bool gyro_ = false;
  bool ready_ = false;
  bool needs_reset_ = false;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_MPU6886_HPP
