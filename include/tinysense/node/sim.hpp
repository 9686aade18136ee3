// Simulated buses and devices, so the node drivers are tested without
// hardware (on the host, under ASan, and on Cortex-M4F under QEMU: no OS, no
// heap, no file system; recorded data comes in as caller-owned buffers).
//
// - SimClock: virtual time; sleeping jumps forward and counts wake-ups.
// - SimI2cBus: routes register transactions to attached devices by address,
//   NACKs unknown addresses, enforces a transfer-length limit, and injects
//   faults (NACK / timeout on a chosen transaction).
// - SimMpu6886, SimLis3dh: register maps and FIFOs of the two accelerometers,
//   sampling a recording (int16 x, y, z at +-2 g, 16384 counts/g, as in the
//   har_exercise_1 data set) on their own sample clock, including FIFO
//   overflow, FIFO reset, clear-on-read status bits and partial reads.
// - WavSource: an I2S/PCM source replaying one channel of a WAV.
// - SimAdc / ReplayAdc: an ADC with Gaussian noise, or one replaying codes.
//
// The simulations implement what the drivers rely on, as documented in the
// data sheets (MPU-6886 / ICM-20602 family register map; LIS3DH DocID17530
// and AN3308); behaviour a data sheet leaves open is chosen pessimistically
// and noted next to the class.
#ifndef TINYSENSE_NODE_SIM_HPP
#define TINYSENSE_NODE_SIM_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"
#include "tinysense/node/bus.hpp"
#include "tinysense/node/recording.hpp"

namespace tinysense::node {

// ---- Clock -------------------------------------------------------------------

// Virtual monotonic time. sleep_until_us() jumps to the target time (a perfect
// timer wake-up) and counts as one wake-up when it advanced time.
class SimClock {
 public:
  std::uint64_t now_us() const noexcept { return now_us_; }
  void set_us(std::uint64_t t) noexcept { now_us_ = t > now_us_ ? t : now_us_; }
  void advance_us(std::uint64_t dt) noexcept { now_us_ += dt; }
  std::uint32_t wakeups() const noexcept { return wakeups_; }
  // Clock interface backed by this object (which must outlive it).
  Clock clock() noexcept;

 private:
  static std::uint64_t now_cb(void* ctx);
  static void sleep_cb(void* ctx, std::uint64_t t_us);
  std::uint64_t now_us_ = 0;
  std::uint32_t wakeups_ = 0;
};

// ---- I2C -----------------------------------------------------------------------

// A device behind SimI2cBus: the same callbacks as I2cBus without the address.
struct SimI2cDevice {
  int (*write)(void* ctx, std::uint8_t reg, const std::uint8_t* data, std::size_t len);
  int (*read)(void* ctx, std::uint8_t reg, std::uint8_t* data, std::size_t len);
  void* ctx;
  std::uint8_t addr;
};

class SimI2cBus {
 public:
  static constexpr std::size_t kMaxDevices = 4;

  // Errors: kNoSpace (kMaxDevices attached), kInvalidArgument (address above
  // 0x7F, already attached, or a null callback).
  [[nodiscard]] Status attach(const SimI2cDevice& dev) noexcept;
  // I2cBus interface to this bus; a transaction longer than max_transfer
  // (when non-zero) fails with kInvalidArgument, as a driver with a fixed
  // buffer would refuse it.
  I2cBus bus(std::size_t max_transfer = 0) noexcept;
  // The transaction `after` transactions from now (0 = the next one) fails
  // with `status` without reaching the device (kIoError = NACK, kTimeout).
  void inject_fault(std::uint32_t after, Status status) noexcept;
  // Models transfer time: each transaction advances `clock` by (3 + len) *
  // ns_per_byte (address, register, repeated start, then the data bytes; 22500
  // ns per byte is 400 kHz with 9 clocks per byte), the data part after the
  // device callback, so a device keeps sampling during a long burst. The
  // default (null clock) is instantaneous transfers.
  void set_timing(SimClock* clock, std::uint32_t ns_per_byte) noexcept;

  std::uint32_t transactions() const noexcept { return transactions_; }
  std::uint64_t bytes_read() const noexcept { return bytes_read_; }
  std::uint64_t bytes_written() const noexcept { return bytes_written_; }
  // Transactions that exceeded max_transfer (a driver bug).
  std::uint32_t oversize() const noexcept { return oversize_; }

 private:
  static int write_cb(void* ctx, std::uint8_t addr, std::uint8_t reg, const std::uint8_t* data,
                      std::size_t len);
  static int read_cb(void* ctx, std::uint8_t addr, std::uint8_t reg, std::uint8_t* data,
                     std::size_t len);
  const SimI2cDevice* find(std::uint8_t addr) const noexcept;
  int begin(std::size_t len) noexcept;
  void spend(std::size_t bytes) noexcept;

  SimI2cDevice devices_[kMaxDevices] = {};
  SimClock* clock_ = nullptr;
  std::uint64_t ns_debt_ = 0;
  std::uint32_t ns_per_byte_ = 0;
  std::size_t count_ = 0;
  std::size_t max_transfer_ = 0;
  std::uint32_t transactions_ = 0;
  std::uint32_t fault_at_ = 0;
  std::uint32_t oversize_ = 0;
  Status fault_ = Status::kOk;
  std::uint64_t bytes_read_ = 0;
  std::uint64_t bytes_written_ = 0;
};

// ---- Sample clock shared by the simulated sensors --------------------------------

// Samples at rate num / den Hz from a start time: sample j (j = 1, 2, ...)
// of a run is taken at t0 + j / rate.
class SimSampleClock {
 public:
  void start(std::uint64_t t0_us, std::uint64_t num, std::uint64_t den) noexcept;
  void stop() noexcept { running_ = false; }
  bool running() const noexcept { return running_; }
  // Number of samples taken in (t0, t] minus those already taken.
  std::uint64_t due(std::uint64_t t_us) const noexcept;
  void take(std::uint64_t n) noexcept { taken_ += n; }

 private:
  std::uint64_t t0_ = 0, num_ = 0, den_ = 1, taken_ = 0;
  bool running_ = false;
};

// ---- MPU6886 -------------------------------------------------------------------

// MPU-6886 register map and 1 KiB FIFO behind I2C.
// Modelled: WHO_AM_I 0x19; PWR_MGMT_1 reset (bit 7, restores every register
// and empties the FIFO; reset value 0x41 = asleep) and SLEEP; sample rate
// 1 kHz / (1 + SMPLRT_DIV) when GYRO_CONFIG.FCHOICE_B = 0 and CONFIG.DLPF_CFG
// is 1..6, else 8 kHz (the divider is ignored, as on the chip);
// ACCEL_CONFIG.ACCEL_FS_SEL (the recording's +-2 g counts are shifted right
// by FS_SEL); FIFO_EN (ACCEL bit 3, GYRO bit 4; the temperature is always
// included, packets are accel 6 + temp 2 + gyro 6 bytes, big-endian);
// USER_CTRL.FIFO_EN and FIFO_RST; CONFIG.FIFO_MODE (0: a full FIFO
// overwrites its oldest BYTES, so packets lose alignment; 1: a packet that
// does not fit is dropped); INT_STATUS FIFO_OFLOW_INT (bit 4) and
// DATA_RDY_INT (bit 0), cleared by reading; FIFO_COUNTH/L (reading H
// latches L); FIFO_R_W pops bytes and, when empty, repeats the last byte
// (counted in stale_reads()); ACCEL/TEMP/GYRO_OUT hold the latest sample;
// burst reads auto-increment except on FIFO_R_W. The gyro outputs carry the
// sample index (x = low 16 bits, y = high 16 bits, z = 0) so tests can check
// continuity; TEMP_OUT is a constant (temp_raw).
class SimMpu6886 {
 public:
  static constexpr std::size_t kFifoBytes = 1024;
  static constexpr std::uint8_t kDefaultAddress = 0x68;

  // xyz: rows of x, y, z at +-2 g (3 * rows int16, kept by reference); sample
  // k of the device replays row k % rows. clock: the time base (kept).
  // Errors: kInvalidArgument (empty or not a multiple of 3, null clock).
  [[nodiscard]] Status init(Span<const std::int16_t> xyz, const SimClock* clock) noexcept;
  SimI2cDevice device(std::uint8_t addr = kDefaultAddress) noexcept;

  // Index of the next sample the device will take.
  std::uint64_t next_index() const noexcept { return index_; }
  // Index of the first sample stored in the FIFO after the most recent FIFO
  // reset (FIFO_RST or device reset); meaningful once that sample exists.
  std::uint64_t index_at_last_reset() const noexcept { return index_at_reset_; }
  std::uint32_t fifo_resets() const noexcept { return fifo_resets_; }
  std::uint32_t stale_reads() const noexcept { return stale_reads_; }
  std::size_t fifo_level() const noexcept { return fifo_count_; }
  std::uint8_t reg(std::uint8_t r) const noexcept { return regs_[r & 0x7F]; }
  std::int16_t temp_raw = 1634;  // 30 degC: 25 + 1634 / 326.8

 private:
  static int write_cb(void* ctx, std::uint8_t reg, const std::uint8_t* data, std::size_t len);
  static int read_cb(void* ctx, std::uint8_t reg, std::uint8_t* data, std::size_t len);
  void reset_device() noexcept;
  void reset_fifo() noexcept;
  void sync() noexcept;
  void restart_sampling() noexcept;
  void take_sample() noexcept;
  void push_byte(std::uint8_t b) noexcept;
  void write_reg(std::uint8_t reg, std::uint8_t value) noexcept;
  std::uint8_t read_reg(std::uint8_t reg) noexcept;

  Span<const std::int16_t> xyz_;
  const SimClock* clock_ = nullptr;
  SimSampleClock sampler_;
  std::uint8_t regs_[128] = {};
  std::uint8_t fifo_[kFifoBytes] = {};
  std::size_t fifo_head_ = 0, fifo_count_ = 0;
  std::uint16_t count_latch_ = 0;
  std::uint8_t last_pop_ = 0xFF;
  std::uint64_t index_ = 0, index_at_reset_ = 0;
  std::uint32_t fifo_resets_ = 0, stale_reads_ = 0;
  bool mark_next_ = false;
};

// ---- LIS3DH ---------------------------------------------------------------------

// LIS3DH register map and 32-sample FIFO behind I2C.
// Modelled: WHO_AM_I 0x33; CTRL_REG1 ODR (codes 1..9) / LPen / axis enables
// (reset 0x07: power-down); CTRL_REG4 FS and HR; CTRL_REG5 FIFO_EN (BOOT
// self-clears); FIFO_CTRL_REG FM (bypass empties the FIFO; FIFO mode stops
// when full; stream mode overwrites the oldest sample); FIFO_SRC_REG WTM,
// OVRN_FIFO (set while 32 samples are stored), EMPTY, FSS (31 when full: the
// 5-bit field cannot hold 32; a driver must use OVRN to see a full FIFO);
// OUT_X_L..OUT_Z_H little-endian, left-justified 8/10/12-bit data (LP /
// normal / HR) in the data sheet's sensitivities (mg/digit); with FIFO on,
// reading OUT_Z_H pops a sample and a burst read rolls from 0x2D back to
// 0x28 (AN3308), an empty FIFO repeats the last sample (stale_reads());
// a burst needs the sub-address MSB (0x80), without it the same register is
// read repeatedly.
class SimLis3dh {
 public:
  static constexpr std::size_t kFifoSamples = 32;
  static constexpr std::uint8_t kDefaultAddress = 0x18;

  // Same contract as SimMpu6886::init; the recording's counts are converted
  // to g (/ 16384) and then to the configured range and resolution.
  [[nodiscard]] Status init(Span<const std::int16_t> xyz, const SimClock* clock) noexcept;
  SimI2cDevice device(std::uint8_t addr = kDefaultAddress) noexcept;

  std::uint64_t next_index() const noexcept { return index_; }
  // As SimMpu6886::index_at_last_reset (reset = FM bypass or FIFO_EN off).
  std::uint64_t index_at_last_reset() const noexcept { return index_at_reset_; }
  std::uint32_t fifo_resets() const noexcept { return fifo_resets_; }
  std::uint32_t stale_reads() const noexcept { return stale_reads_; }
  std::size_t fifo_level() const noexcept { return count_; }
  std::uint8_t reg(std::uint8_t r) const noexcept { return regs_[r & 0x3F]; }
  // The raw left-justified sample the device produces for recording row `row`
  // under the current configuration (what the FIFO would hold).
  void expected_raw(std::size_t row, std::int16_t out[3]) const noexcept;

 private:
  static int write_cb(void* ctx, std::uint8_t reg, const std::uint8_t* data, std::size_t len);
  static int read_cb(void* ctx, std::uint8_t reg, std::uint8_t* data, std::size_t len);
  void sync() noexcept;
  void restart_sampling() noexcept;
  void take_sample() noexcept;
  void reset_fifo() noexcept;
  bool fifo_active() const noexcept;
  std::uint8_t read_out(std::uint8_t reg) noexcept;

  Span<const std::int16_t> xyz_;
  const SimClock* clock_ = nullptr;
  SimSampleClock sampler_;
  std::uint8_t regs_[64] = {};
  std::int16_t fifo_[kFifoSamples][3] = {};
  std::int16_t latest_[3] = {};
  std::int16_t out_[3] = {};  // the sample visible in OUT_X_L..OUT_Z_H
  std::size_t head_ = 0, count_ = 0;
  std::uint64_t index_ = 0, index_at_reset_ = 0;
  std::uint32_t fifo_resets_ = 0, stale_reads_ = 0;
  bool mark_next_ = false;
};

// ---- PCM -----------------------------------------------------------------------

// Replays one channel of a parsed WAV as a PcmSource. Conversion to the
// requested format is MSB-aligned: 16-bit data as int32 is << 16, 24-bit
// data is << 8 in int32 or >> 8 (truncated) in int16, 32-bit data as int16
// is >> 16 (truncated).
class WavSource {
 public:
  // max_per_read: at most this many samples per read() (0 = no limit), to
  // mimic DMA blocks. loop: restart at the end, else report 0 samples.
  // Errors: kInvalidArgument (channel out of range, no frames).
  [[nodiscard]] Status init(const WavPcm& wav, std::uint16_t channel, PcmFormat format,
                            std::size_t max_per_read = 0, bool loop = false) noexcept;
  PcmSource source() noexcept;
  std::size_t position() const noexcept { return pos_; }

 private:
  static int read_cb(void* ctx, void* samples, std::size_t count, std::size_t* got);
  WavPcm wav_;
  std::size_t pos_ = 0, max_per_read_ = 0;
  std::uint16_t channel_ = 0;
  PcmFormat format_ = PcmFormat::kInt16;
  bool loop_ = false;
};

// ---- ADC -----------------------------------------------------------------------

// Ideal N-bit ADC plus Gaussian noise: code = clamp(floor(v / vref * 2^N +
// noise + 0.5), 0, 2^N - 1), noise ~ N(0, sigma_lsb^2) from a fixed-seed
// xorshift32 + Box-Muller generator (deterministic on every target).
class SimAdc {
 public:
  static constexpr std::size_t kChannels = 4;
  // Errors: kInvalidArgument (bits outside 1..24, vref <= 0, sigma < 0, seed 0).
  [[nodiscard]] Status init(std::uint8_t bits, float vref, float sigma_lsb,
                            std::uint32_t seed) noexcept;
  void set_input_volts(std::uint8_t channel, float volts) noexcept;
  Adc adc() noexcept;
  std::uint32_t conversions() const noexcept { return conversions_; }

 private:
  static int read_cb(void* ctx, std::uint8_t channel, std::uint32_t* code);
  float gaussian() noexcept;
  float volts_[kChannels] = {};
  float vref_ = 1.0f, sigma_ = 0.0f;
  std::uint32_t state_ = 1, conversions_ = 0;
  std::uint8_t bits_ = 12;
  bool has_spare_ = false;
  float spare_ = 0.0f;
};

// An ADC that returns recorded codes in order (any channel); kNoData after
// the last one.
class ReplayAdc {
 public:
  // codes kept by reference. Errors: kInvalidArgument (bits outside 1..24, vref <= 0).
  [[nodiscard]] Status init(Span<const std::uint32_t> codes, std::uint8_t bits,
                            float vref) noexcept;
  Adc adc() noexcept;
  std::size_t position() const noexcept { return pos_; }

 private:
  static int read_cb(void* ctx, std::uint8_t channel, std::uint32_t* code);
  Span<const std::uint32_t> codes_;
  std::size_t pos_ = 0;
  float vref_ = 1.0f;
  std::uint8_t bits_ = 12;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_SIM_HPP
