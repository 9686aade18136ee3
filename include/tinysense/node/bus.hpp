// Bus interfaces the node drivers are written against: I2C register access,
// an I2S/PCM sample source, an ADC, and a clock that can sleep.
//
// Each interface is a plain struct of C function pointers plus a context
// pointer (the littlefs pattern): a driver gets its bus injected, the host
// tests inject simulations (tinysense/node/sim.hpp), and C glue such as a
// MicroPython native module can supply callbacks without any C++ type.
// Callbacks return 0 on success or a negative tinysense::Status value
// (errno-style); any other value is read as kIoError. The structs are
// trivially copyable: a driver keeps its own copy, the context must outlive it.
// Nothing here allocates; nothing is virtual.
#ifndef TINYSENSE_NODE_BUS_HPP
#define TINYSENSE_NODE_BUS_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

// Maps a callback's int result to a Status: 0 -> kOk, a known negative Status
// value -> that Status, anything else -> kIoError.
Status status_from_int(int rc) noexcept;

// ---- I2C ---------------------------------------------------------------------

// Register access to 7-bit-addressed I2C devices.
// `reg` is the register sub-address byte exactly as sent on the wire (a
// driver adds flags such as the LIS3DH auto-increment bit 0x80 itself).
// A NACK (no device, or a register the device refuses) is kIoError, a stuck
// bus or an expired clock-stretching limit is kTimeout.
struct I2cBus {
  // START, addr+W, reg, data[0..len), STOP.
  int (*write)(void* ctx, std::uint8_t addr, std::uint8_t reg, const std::uint8_t* data,
               std::size_t len);
  // START, addr+W, reg, repeated START, addr+R, data[0..len), STOP.
  int (*read)(void* ctx, std::uint8_t addr, std::uint8_t reg, std::uint8_t* data, std::size_t len);
  void* ctx;
  // Largest payload of one transaction in bytes (e.g. 32 for Arduino's Wire
  // buffer, 255 for some DMA engines); 0 means unlimited. Drivers split long
  // reads (FIFO bursts) into transactions of at most this many bytes.
  std::size_t max_transfer;
};

// True when both callbacks are set.
constexpr bool valid(const I2cBus& bus) noexcept {
  return bus.write != nullptr && bus.read != nullptr;
}

// Writes one register. Errors: the bus callback's status.
[[nodiscard]] Status i2c_write_u8(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                                  std::uint8_t value) noexcept;
// Reads data.size() bytes from `reg` in ONE transaction (so multi-byte
// registers are read atomically). kInvalidArgument when data.size() exceeds
// bus.max_transfer or is 0.
[[nodiscard]] Status i2c_read(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                              Span<std::uint8_t> data) noexcept;
[[nodiscard]] Status i2c_read_u8(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                                 std::uint8_t* value) noexcept;
// Writes `value` and reads it back; kIoError when the read-back differs
// (a register that did not take the value: wrong device, flaky bus).
[[nodiscard]] Status i2c_write_verify(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                                      std::uint8_t value) noexcept;

// ---- I2S / PCM ---------------------------------------------------------------

// Sample format of a PCM source. kInt32 samples are MSB-aligned
// ("left-justified") in 32 bits, as I2S MEMS microphones deliver them
// (INMP441: 24 valid bits, SPH0645: 18); the unused low bits may hold noise.
enum class PcmFormat : std::uint8_t { kInt16 = 0, kInt32 = 1 };

// A block source of mono PCM samples (the callback picks the microphone's
// channel out of the I2S frame).
struct PcmSource {
  // Reads up to `count` samples into `samples` (int16_t[count] for kInt16,
  // int32_t[count] for kInt32) and stores how many it wrote in *got
  // (0 = nothing ready yet, e.g. DMA buffer not full). `samples` may be any
  // 2-byte (kInt16) or 4-byte (kInt32) aligned memory.
  int (*read)(void* ctx, void* samples, std::size_t count, std::size_t* got);
  void* ctx;
  PcmFormat format;
};

// ---- ADC ---------------------------------------------------------------------

// A single-shot ADC. A code c of an N-bit converter stands for the voltage
// c * vref_volts / 2^N (the ideal transfer function; c in [0, 2^N - 1]).
struct Adc {
  // Converts once on `channel` and stores the raw code in *code.
  int (*read)(void* ctx, std::uint8_t channel, std::uint32_t* code);
  void* ctx;
  std::uint8_t resolution_bits;  // N, 1..24
  float vref_volts;              // reference voltage (> 0)
};

// ---- Clock -------------------------------------------------------------------

// Monotonic time and sleep.
struct Clock {
  // Microseconds since an arbitrary epoch; never decreases.
  std::uint64_t (*now_us)(void* ctx);
  // Sleeps until now_us() >= t_us, or less if an interrupt wakes the CPU
  // (callers re-check the time). Returns at once when t_us is in the past.
  void (*sleep_until_us)(void* ctx, std::uint64_t t_us);
  void* ctx;
};

constexpr bool valid(const Clock& clock) noexcept {
  return clock.now_us != nullptr && clock.sleep_until_us != nullptr;
}
inline std::uint64_t now_us(const Clock& clock) noexcept { return clock.now_us(clock.ctx); }
inline std::uint64_t now_ms(const Clock& clock) noexcept { return clock.now_us(clock.ctx) / 1000u; }
// Sleeps for at least `us` microseconds (loops over early wake-ups).
void sleep_for_us(const Clock& clock, std::uint64_t us) noexcept;

// ---- FIFO readout results ------------------------------------------------------

// What one FIFO read delivered (MPU6886, LIS3DH).
struct FifoRead {
  std::size_t frames = 0;  // frames written to the caller's buffer
  std::size_t lost = 0;    // frames lost to the overflow detected in this call (see FifoLoss)
  bool overflow = false;   // the FIFO overflowed: its content was discarded and the FIFO reset
};

// Bookkeeping shared by the FIFO drivers: how many frames an overflow lost.
//
// After an overflow the FIFO content is discarded (it may be misaligned or
// overwritten), so every frame produced after the last delivered one, up to
// the FIFO reset, is lost: the frames that were left in the FIFO by the
// previous read (`left`) plus the frames produced since the FIFO level was
// last sampled. With a clock the second part is round(elapsed * rate) (exact
// to +-1 frame); without one it is the FIFO level seen in this call, a lower
// bound (the FIFO was full, so it is at least the FIFO capacity).
class FifoLoss {
 public:
  void start(std::uint32_t rate_hz, const Clock* clock) noexcept;
  // Records the FIFO level read at the start of a read and the frames left
  // behind after it.
  void level_read(std::uint64_t t_us, std::size_t left) noexcept;
  // Overflow detected at t_us with `frames_seen` frames in the FIFO; returns
  // the frames lost and restarts the accounting at t_us.
  std::size_t overflow(std::uint64_t t_us, std::size_t frames_seen) noexcept;
  // Time for level_read()/overflow(): the clock's time, or 0 without a clock.
  std::uint64_t now() const noexcept;

  std::uint64_t lost_total() const noexcept { return lost_total_; }
  std::uint32_t overflows() const noexcept { return overflows_; }

 private:
  const Clock* clock_ = nullptr;
  std::uint64_t t_level_us_ = 0;
  std::uint64_t lost_total_ = 0;
  std::size_t left_ = 0;
  std::uint32_t rate_hz_ = 0;
  std::uint32_t overflows_ = 0;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_BUS_HPP
