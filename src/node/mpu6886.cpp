#include "tinysense/node/mpu6886.hpp"

namespace tinysense::node {
namespace {

constexpr std::uint8_t kRegSmplrtDiv = 0x19;
constexpr std::uint8_t kRegConfig = 0x1A;
constexpr std::uint8_t kRegGyroConfig = 0x1B;
constexpr std::uint8_t kRegAccelConfig = 0x1C;
constexpr std::uint8_t kRegAccelConfig2 = 0x1D;
constexpr std::uint8_t kRegFifoEn = 0x23;
constexpr std::uint8_t kRegIntStatus = 0x3A;
constexpr std::uint8_t kRegUserCtrl = 0x6A;
constexpr std::uint8_t kRegPwrMgmt1 = 0x6B;
constexpr std::uint8_t kRegPwrMgmt2 = 0x6C;
constexpr std::uint8_t kRegFifoCountH = 0x72;
constexpr std::uint8_t kRegFifoRW = 0x74;
constexpr std::uint8_t kRegWhoAmI = 0x75;

constexpr std::uint8_t kPwrReset = 0x80;
constexpr std::uint8_t kPwrSleep = 0x40;
constexpr std::uint8_t kPwrClkAuto = 0x01;
constexpr std::uint8_t kUserFifoEn = 0x40;
constexpr std::uint8_t kUserFifoRst = 0x04;
constexpr std::uint8_t kFifoEnAccel = 0x08;
constexpr std::uint8_t kFifoEnGyro = 0x10;
constexpr std::uint8_t kIntFifoOflow = 0x10;
constexpr std::uint8_t kGyroFs2000 = 0x18;
constexpr std::uint8_t kStandbyGyro = 0x07;

// -3 dB bandwidths (Hz) of DLPF_CFG / A_DLPF_CFG settings 1..6 (FCHOICE_B = 0).
constexpr float kGyroBw[7] = {0.0f, 176.0f, 92.0f, 41.0f, 20.0f, 10.0f, 5.0f};
constexpr float kAccelBw[7] = {0.0f, 218.1f, 99.0f, 44.8f, 21.2f, 10.2f, 5.1f};

// The setting 1..6 with the widest bandwidth below rate / 2 (anti-aliasing),
// or 6 (the narrowest) when none is.
std::uint8_t pick_dlpf(const float* bw, std::uint32_t rate_hz) noexcept {
  const float nyquist = 0.5f * static_cast<float>(rate_hz);
  for (std::uint8_t cfg = 1; cfg <= 6; ++cfg) {
    if (bw[cfg] < nyquist) return cfg;
  }
  return 6;
}

std::int16_t be16(const std::uint8_t* p) noexcept {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>((p[0] << 8) | p[1]));
}

}  // namespace

Status Mpu6886::init(const I2cBus& bus, const Mpu6886Config& config, const Clock* clock) noexcept {
  ready_ = false;
  if (!valid(bus) || (clock != nullptr && !valid(*clock))) return Status::kInvalidArgument;
  const std::uint32_t rate = config.rate_hz;
  if (rate < 4 || rate > 1000 || 1000 % rate != 0) return Status::kInvalidArgument;
  const auto range = static_cast<std::uint8_t>(config.range);
  if (range > 3) return Status::kInvalidArgument;
  const std::size_t packet = config.gyro ? 14 : 8;
  if (bus.max_transfer != 0 && bus.max_transfer < packet) return Status::kInvalidArgument;
  bus_ = bus;
  addr_ = config.address;
  range_ = range;
  gyro_ = config.gyro;
  needs_reset_ = false;

  std::uint8_t id = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegWhoAmI, &id));
  if (id != kWhoAmI) return Status::kNotSupported;
  TINYSENSE_TRY(i2c_write_u8(bus_, addr_, kRegPwrMgmt1, kPwrReset));
  if (clock != nullptr) sleep_for_us(*clock, kResetDelayUs);
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegPwrMgmt1, kPwrClkAuto));
  // The gyro draws ~2.6 mA against ~0.4 mA for the accelerometer: keep it in
  // standby unless asked for.
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegPwrMgmt2, gyro_ ? 0x00 : kStandbyGyro));
  TINYSENSE_TRY(
      i2c_write_verify(bus_, addr_, kRegConfig, pick_dlpf(kGyroBw, rate)));   // FIFO_MODE 0
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegGyroConfig, kGyroFs2000));  // FCHOICE_B 0
  TINYSENSE_TRY(
      i2c_write_verify(bus_, addr_, kRegAccelConfig, static_cast<std::uint8_t>(range << 3)));
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegAccelConfig2, pick_dlpf(kAccelBw, rate)));
  TINYSENSE_TRY(
      i2c_write_verify(bus_, addr_, kRegSmplrtDiv, static_cast<std::uint8_t>(1000 / rate - 1)));
  TINYSENSE_TRY(
      i2c_write_verify(bus_, addr_, kRegFifoEn,
                       static_cast<std::uint8_t>(kFifoEnAccel | (gyro_ ? kFifoEnGyro : 0))));
  loss_.start(rate, clock);
  ready_ = true;
  const Status s = reset_fifo();
  if (!ok(s)) ready_ = false;
  return s;
}

Status Mpu6886::reset_fifo() noexcept {
  if (!ready_) return Status::kNotInitialized;
  TINYSENSE_TRY(i2c_write_u8(bus_, addr_, kRegUserCtrl, kUserFifoEn | kUserFifoRst));
  // INT_STATUS may still report an overflow of the old content: clear it so
  // the next read does not discard fresh data.
  std::uint8_t status = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegIntStatus, &status));
  loss_.level_read(loss_.now(), 0);
  needs_reset_ = false;
  return Status::kOk;
}

Status Mpu6886::available(std::size_t* frames) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (frames == nullptr) return Status::kInvalidArgument;
  std::uint8_t c[2];
  TINYSENSE_TRY(i2c_read(bus_, addr_, kRegFifoCountH, Span<std::uint8_t>(c)));
  *frames = static_cast<std::size_t>(((c[0] & 0x1F) << 8) | c[1]) / packet_bytes();
  return Status::kOk;
}

Status Mpu6886::set_sleep(bool sleep) noexcept {
  if (!ready_) return Status::kNotInitialized;
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegPwrMgmt1,
                                 static_cast<std::uint8_t>(kPwrClkAuto | (sleep ? kPwrSleep : 0))));
  return sleep ? Status::kOk : reset_fifo();
}

Status Mpu6886::overflow_reset(std::size_t frames_seen, FifoRead* info) noexcept {
  needs_reset_ = true;
  TINYSENSE_TRY(i2c_write_u8(bus_, addr_, kRegUserCtrl, kUserFifoEn | kUserFifoRst));
  const std::uint64_t t = loss_.now();
  std::uint8_t status = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegIntStatus, &status));
  needs_reset_ = false;
  info->frames = 0;
  info->overflow = true;
  info->lost = loss_.overflow(t, frames_seen);
  return Status::kOk;
}

void Mpu6886::accel_to_g(Span<const std::int16_t> counts, Span<float> g) const noexcept {
  TINYSENSE_DCHECK(counts.size() == g.size());
  const float scale = 1.0f / counts_per_g();
  for (std::size_t i = 0; i < counts.size(); ++i) g[i] = static_cast<float>(counts[i]) * scale;
}

Status Mpu6886::read_fifo(Span<std::int16_t> out, FifoRead* info) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (info == nullptr) return Status::kInvalidArgument;
  *info = FifoRead{};
  if (needs_reset_) return overflow_reset(0, info);

  const std::uint64_t t = loss_.now();
  std::uint8_t c[2];
  TINYSENSE_TRY(i2c_read(bus_, addr_, kRegFifoCountH, Span<std::uint8_t>(c)));
  const std::size_t count = static_cast<std::size_t>(((c[0] & 0x1F) << 8) | c[1]);
  if (count > kFifoBytes) {
    needs_reset_ = true;
    return Status::kCorrupt;
  }
  const std::size_t packet = packet_bytes();
  const std::size_t ch = channels();
  const std::size_t avail = count / packet;
  const std::size_t want = avail < out.size() / ch ? avail : out.size() / ch;

  std::size_t chunk_frames = kChunkBytes / packet;
  if (bus_.max_transfer != 0 && bus_.max_transfer / packet < chunk_frames) {
    chunk_frames = bus_.max_transfer / packet;
  }
  std::size_t done = 0;
  std::int16_t temp = last_temp_;
  while (done < want) {
    const std::size_t n = want - done < chunk_frames ? want - done : chunk_frames;
    const Status s = i2c_read(bus_, addr_, kRegFifoRW, Span<std::uint8_t>(chunk_, n * packet));
    if (!ok(s)) {
      needs_reset_ = true;  // unknown how many bytes left the FIFO
      for (std::size_t i = 0; i < done * ch; ++i) out[i] = 0;
      return s;
    }
    for (std::size_t f = 0; f < n; ++f) {
      const std::uint8_t* p = chunk_ + f * packet;
      std::int16_t* o = out.data() + (done + f) * ch;
      o[0] = be16(p);
      o[1] = be16(p + 2);
      o[2] = be16(p + 4);
      if (gyro_) {
        o[3] = be16(p + 8);
        o[4] = be16(p + 10);
        o[5] = be16(p + 12);
      }
    }
    temp = be16(chunk_ + (n - 1) * packet + 6);
    done += n;
  }

  // An overflow at any time since the previous check (before or during the
  // burst) means the bytes just read may be shifted: drop them.
  std::uint8_t status = 0;
  const Status s = i2c_read_u8(bus_, addr_, kRegIntStatus, &status);
  if (!ok(s) || (status & kIntFifoOflow) != 0) {
    for (std::size_t i = 0; i < want * ch; ++i) out[i] = 0;
    if (!ok(s)) {
      needs_reset_ = true;
      return s;
    }
    return overflow_reset(avail, info);
  }
  loss_.level_read(t, avail - want);
  last_temp_ = temp;
  info->frames = want;
  return Status::kOk;
}

}  // namespace tinysense::node
