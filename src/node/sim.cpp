#include "tinysense/node/sim.hpp"

#include <cmath>
#include <cstring>

namespace tinysense::node {
namespace {

constexpr int to_int(Status s) noexcept { return static_cast<int>(s); }

}  // namespace

// ---- SimClock -------------------------------------------------------------------

Clock SimClock::clock() noexcept { return Clock{&SimClock::now_cb, &SimClock::sleep_cb, this}; }

std::uint64_t SimClock::now_cb(void* ctx) { return static_cast<SimClock*>(ctx)->now_us_; }

void SimClock::sleep_cb(void* ctx, std::uint64_t t_us) {
  auto* self = static_cast<SimClock*>(ctx);
  if (t_us > self->now_us_) {
    self->now_us_ = t_us;
    ++self->wakeups_;
  }
}

// ---- SimI2cBus ------------------------------------------------------------------

Status SimI2cBus::attach(const SimI2cDevice& dev) noexcept {
  if (dev.addr > 0x7F || dev.read == nullptr || dev.write == nullptr) {
    return Status::kInvalidArgument;
  }
  if (find(dev.addr) != nullptr) return Status::kInvalidArgument;
  if (count_ == kMaxDevices) return Status::kNoSpace;
  devices_[count_++] = dev;
  return Status::kOk;
}

I2cBus SimI2cBus::bus(std::size_t max_transfer) noexcept {
  max_transfer_ = max_transfer;
  return I2cBus{&SimI2cBus::write_cb, &SimI2cBus::read_cb, this, max_transfer};
}

void SimI2cBus::inject_fault(std::uint32_t after, Status status) noexcept {
  fault_at_ = transactions_ + after;
  fault_ = status;
}

void SimI2cBus::set_timing(SimClock* clock, std::uint32_t ns_per_byte) noexcept {
  clock_ = clock;
  ns_per_byte_ = ns_per_byte;
  ns_debt_ = 0;
}

const SimI2cDevice* SimI2cBus::find(std::uint8_t addr) const noexcept {
  for (std::size_t i = 0; i < count_; ++i) {
    if (devices_[i].addr == addr) return &devices_[i];
  }
  return nullptr;
}

void SimI2cBus::spend(std::size_t bytes) noexcept {
  if (clock_ == nullptr) return;
  ns_debt_ += static_cast<std::uint64_t>(bytes) * ns_per_byte_;
  clock_->advance_us(ns_debt_ / 1000u);
  ns_debt_ %= 1000u;
}

int SimI2cBus::begin(std::size_t len) noexcept {
  const std::uint32_t index = transactions_++;
  if (fault_ != Status::kOk && index == fault_at_) {
    const Status s = fault_;
    fault_ = Status::kOk;
    return to_int(s);
  }
  if (max_transfer_ != 0 && len > max_transfer_) {
    ++oversize_;
    return to_int(Status::kInvalidArgument);
  }
  return 0;
}

int SimI2cBus::write_cb(void* ctx, std::uint8_t addr, std::uint8_t reg, const std::uint8_t* data,
                        std::size_t len) {
  auto* self = static_cast<SimI2cBus*>(ctx);
  const int rc = self->begin(len);
  if (rc != 0) return rc;
  const SimI2cDevice* dev = self->find(addr);
  self->spend(2);
  if (dev == nullptr) return to_int(Status::kIoError);  // address NACK
  const int r = dev->write(dev->ctx, reg, data, len);
  self->spend(len);
  self->bytes_written_ += len;
  return r;
}

int SimI2cBus::read_cb(void* ctx, std::uint8_t addr, std::uint8_t reg, std::uint8_t* data,
                       std::size_t len) {
  auto* self = static_cast<SimI2cBus*>(ctx);
  const int rc = self->begin(len);
  if (rc != 0) return rc;
  const SimI2cDevice* dev = self->find(addr);
  self->spend(3);
  if (dev == nullptr) return to_int(Status::kIoError);
  const int r = dev->read(dev->ctx, reg, data, len);
  self->spend(len);
  self->bytes_read_ += len;
  return r;
}

// ---- SimSampleClock ---------------------------------------------------------------

void SimSampleClock::start(std::uint64_t t0_us, std::uint64_t num, std::uint64_t den) noexcept {
  t0_ = t0_us;
  num_ = num;
  den_ = den;
  taken_ = 0;
  running_ = num != 0 && den != 0;
}

std::uint64_t SimSampleClock::due(std::uint64_t t_us) const noexcept {
  if (!running_ || t_us <= t0_) return 0;
  const std::uint64_t total = (t_us - t0_) * num_ / (den_ * 1000000u);
  return total > taken_ ? total - taken_ : 0;
}

// ---- SimMpu6886 -------------------------------------------------------------------

namespace {
namespace mpu {
constexpr std::uint8_t kSmplrtDiv = 0x19, kConfig = 0x1A, kGyroConfig = 0x1B, kAccelConfig = 0x1C,
                       kFifoEn = 0x23, kIntStatus = 0x3A, kAccelXoutH = 0x3B, kGyroZoutL = 0x48,
                       kUserCtrl = 0x6A, kPwrMgmt1 = 0x6B, kFifoCountH = 0x72, kFifoCountL = 0x73,
                       kFifoRW = 0x74, kWhoAmI = 0x75;
}  // namespace mpu

void put_be16(std::uint8_t* p, std::int32_t v) noexcept {
  const auto u = static_cast<std::uint16_t>(v);
  p[0] = static_cast<std::uint8_t>(u >> 8);
  p[1] = static_cast<std::uint8_t>(u & 0xFF);
}
}  // namespace

Status SimMpu6886::init(Span<const std::int16_t> xyz, const SimClock* clock) noexcept {
  if (xyz.empty() || xyz.size() % 3 != 0 || clock == nullptr) return Status::kInvalidArgument;
  xyz_ = xyz;
  clock_ = clock;
  index_ = 0;
  fifo_resets_ = 0;
  stale_reads_ = 0;
  reset_device();
  fifo_resets_ = 0;
  return Status::kOk;
}

SimI2cDevice SimMpu6886::device(std::uint8_t addr) noexcept {
  return SimI2cDevice{&SimMpu6886::write_cb, &SimMpu6886::read_cb, this, addr};
}

void SimMpu6886::reset_device() noexcept {
  std::memset(regs_, 0, sizeof regs_);
  regs_[mpu::kPwrMgmt1] = 0x41;  // asleep, auto clock
  regs_[mpu::kConfig] = 0x80;
  regs_[mpu::kWhoAmI] = 0x19;
  reset_fifo();
  sampler_.stop();
}

void SimMpu6886::reset_fifo() noexcept {
  fifo_head_ = 0;
  fifo_count_ = 0;
  ++fifo_resets_;
  mark_next_ = true;
}

void SimMpu6886::restart_sampling() noexcept {
  if ((regs_[mpu::kPwrMgmt1] & 0x40) != 0) {
    sampler_.stop();
    return;
  }
  const std::uint8_t dlpf = regs_[mpu::kConfig] & 0x07;
  const bool divider = (regs_[mpu::kGyroConfig] & 0x03) == 0 && dlpf >= 1 && dlpf <= 6;
  if (divider) {
    sampler_.start(clock_->now_us(), 1000, 1u + regs_[mpu::kSmplrtDiv]);
  } else {
    sampler_.start(clock_->now_us(), 8000, 1);
  }
}

void SimMpu6886::push_byte(std::uint8_t b) noexcept {
  if (fifo_count_ == kFifoBytes) {  // overwrite the oldest byte
    fifo_head_ = (fifo_head_ + 1) % kFifoBytes;
    --fifo_count_;
    regs_[mpu::kIntStatus] |= 0x10;
  }
  fifo_[(fifo_head_ + fifo_count_) % kFifoBytes] = b;
  ++fifo_count_;
}

void SimMpu6886::take_sample() noexcept {
  const std::uint64_t k = index_++;
  const std::size_t rows = xyz_.size() / 3;
  const std::size_t row = static_cast<std::size_t>(k % rows);
  const int fs = (regs_[mpu::kAccelConfig] >> 3) & 3;
  std::uint8_t* out = regs_ + mpu::kAccelXoutH;
  for (int i = 0; i < 3; ++i)
    put_be16(out + 2 * i, xyz_[row * 3 + static_cast<std::size_t>(i)] >> fs);
  put_be16(out + 6, temp_raw);
  put_be16(out + 8, static_cast<std::int32_t>(k & 0xFFFF));
  put_be16(out + 10, static_cast<std::int32_t>((k >> 16) & 0xFFFF));
  put_be16(out + 12, 0);
  regs_[mpu::kIntStatus] |= 0x01;

  const bool fifo_on = (regs_[mpu::kUserCtrl] & 0x40) != 0;
  const bool accel = (regs_[mpu::kFifoEn] & 0x08) != 0;
  const bool gyro = (regs_[mpu::kFifoEn] & 0x10) != 0;
  if (!fifo_on || (!accel && !gyro)) return;
  std::uint8_t packet[14];
  std::size_t n = 0;
  if (accel) {
    std::memcpy(packet, out, 6);
    n = 6;
  }
  std::memcpy(packet + n, out + 6, 2);
  n += 2;
  if (gyro) {
    std::memcpy(packet + n, out + 8, 6);
    n += 6;
  }
  if ((regs_[mpu::kConfig] & 0x40) != 0 && fifo_count_ + n > kFifoBytes) {
    regs_[mpu::kIntStatus] |= 0x10;  // FIFO_MODE 1: the packet is dropped
    return;
  }
  if (mark_next_) {
    index_at_reset_ = k;
    mark_next_ = false;
  }
  for (std::size_t i = 0; i < n; ++i) push_byte(packet[i]);
}

void SimMpu6886::sync() noexcept {
  std::uint64_t n = sampler_.due(clock_->now_us());
  if (n == 0) return;
  sampler_.take(n);
  // Only the last few FIFO-fulls of samples can still be visible; skip the
  // rest without looping over them (hours of virtual time are cheap).
  constexpr std::uint64_t kKeep = kFifoBytes / 8 + 2;
  if (n > kKeep) {
    const std::uint64_t skip = n - kKeep;
    const bool fifo_on = (regs_[mpu::kUserCtrl] & 0x40) != 0 && (regs_[mpu::kFifoEn] & 0x18) != 0;
    if (fifo_on && (regs_[mpu::kConfig] & 0x40) != 0) {
      // Keep-oldest mode: the early samples fill the FIFO, the rest are dropped.
      for (std::uint64_t i = 0; i < kKeep; ++i) take_sample();
      index_ += skip;
      regs_[mpu::kIntStatus] |= 0x10;
      return;
    }
    index_ += skip;
    if (fifo_on) {
      if (mark_next_) {
        index_at_reset_ = index_ - skip;
        mark_next_ = false;
      }
      regs_[mpu::kIntStatus] |= 0x10;
    }
    n = kKeep;
  }
  for (std::uint64_t i = 0; i < n; ++i) take_sample();
}

void SimMpu6886::write_reg(std::uint8_t reg, std::uint8_t value) noexcept {
  switch (reg) {
    case mpu::kPwrMgmt1: {
      if ((value & 0x80) != 0) {
        reset_device();
        return;
      }
      const bool was_asleep = (regs_[reg] & 0x40) != 0;
      regs_[reg] = value;
      if (was_asleep != ((value & 0x40) != 0)) restart_sampling();
      return;
    }
    case mpu::kUserCtrl:
      if ((value & 0x04) != 0) reset_fifo();
      regs_[reg] = static_cast<std::uint8_t>(value & ~0x05);  // FIFO_RST, SIG_COND_RST self-clear
      return;
    case mpu::kSmplrtDiv:
    case mpu::kConfig:
    case mpu::kGyroConfig:
      regs_[reg] = value;
      restart_sampling();
      return;
    case mpu::kIntStatus:
    case mpu::kFifoCountH:
    case mpu::kFifoCountL:
    case mpu::kFifoRW:
    case mpu::kWhoAmI: return;  // read-only (FIFO writes are not modelled)
    default:
      if (reg >= mpu::kAccelXoutH && reg <= mpu::kGyroZoutL) return;
      regs_[reg] = value;
      return;
  }
}

std::uint8_t SimMpu6886::read_reg(std::uint8_t reg) noexcept {
  switch (reg) {
    case mpu::kIntStatus: {
      const std::uint8_t v = regs_[reg];
      regs_[reg] = 0;
      return v;
    }
    case mpu::kFifoCountH:
      count_latch_ = static_cast<std::uint16_t>(fifo_count_);
      return static_cast<std::uint8_t>((count_latch_ >> 8) & 0x1F);
    case mpu::kFifoCountL: return static_cast<std::uint8_t>(count_latch_ & 0xFF);
    case mpu::kFifoRW:
      if (fifo_count_ == 0) {
        ++stale_reads_;
        return last_pop_;
      }
      last_pop_ = fifo_[fifo_head_];
      fifo_head_ = (fifo_head_ + 1) % kFifoBytes;
      --fifo_count_;
      return last_pop_;
    default: return regs_[reg];
  }
}

int SimMpu6886::write_cb(void* ctx, std::uint8_t reg, const std::uint8_t* data, std::size_t len) {
  auto* self = static_cast<SimMpu6886*>(ctx);
  self->sync();
  std::uint8_t r = reg & 0x7F;
  for (std::size_t i = 0; i < len; ++i) {
    self->write_reg(r, data[i]);
    r = static_cast<std::uint8_t>((r + 1) & 0x7F);
  }
  return 0;
}

int SimMpu6886::read_cb(void* ctx, std::uint8_t reg, std::uint8_t* data, std::size_t len) {
  auto* self = static_cast<SimMpu6886*>(ctx);
  self->sync();
  std::uint8_t r = reg & 0x7F;
  for (std::size_t i = 0; i < len; ++i) {
    data[i] = self->read_reg(r);
    if (r != mpu::kFifoRW) r = static_cast<std::uint8_t>((r + 1) & 0x7F);
  }
  return 0;
}

// ---- SimLis3dh ---------------------------------------------------------------------

namespace {
namespace lis {
constexpr std::uint8_t kWhoAmI = 0x0F, kCtrlReg0 = 0x1E, kCtrlReg1 = 0x20, kCtrlReg4 = 0x23,
                       kCtrlReg5 = 0x24, kStatusReg = 0x27, kOutXL = 0x28, kOutZH = 0x2D,
                       kFifoCtrl = 0x2E, kFifoSrc = 0x2F;
// Sensitivity in mg/digit [full scale][mode: 0 LP 8-bit, 1 normal 10-bit, 2 HR 12-bit].
constexpr int kSensitivityMg[4][3] = {{16, 4, 1}, {32, 8, 2}, {64, 16, 4}, {192, 48, 12}};
constexpr int kBits[3] = {8, 10, 12};
// ODR code -> Hz in normal / high-resolution mode (code 8: low-power only).
constexpr std::uint32_t kRates[10] = {0, 1, 10, 25, 50, 100, 200, 400, 1600, 1344};
}  // namespace lis
}  // namespace

Status SimLis3dh::init(Span<const std::int16_t> xyz, const SimClock* clock) noexcept {
  if (xyz.empty() || xyz.size() % 3 != 0 || clock == nullptr) return Status::kInvalidArgument;
  xyz_ = xyz;
  clock_ = clock;
  std::memset(regs_, 0, sizeof regs_);
  regs_[lis::kWhoAmI] = 0x33;
  regs_[lis::kCtrlReg0] = 0x10;
  regs_[lis::kCtrlReg1] = 0x07;
  head_ = count_ = 0;
  index_ = index_at_reset_ = 0;
  fifo_resets_ = stale_reads_ = 0;
  mark_next_ = true;
  sampler_.stop();
  std::memset(latest_, 0, sizeof latest_);
  std::memset(out_, 0, sizeof out_);
  return Status::kOk;
}

SimI2cDevice SimLis3dh::device(std::uint8_t addr) noexcept {
  return SimI2cDevice{&SimLis3dh::write_cb, &SimLis3dh::read_cb, this, addr};
}

void SimLis3dh::expected_raw(std::size_t row, std::int16_t out[3]) const noexcept {
  const int fs = (regs_[lis::kCtrlReg4] >> 4) & 3;
  const bool lp = (regs_[lis::kCtrlReg1] & 0x08) != 0;
  const bool hr = (regs_[lis::kCtrlReg4] & 0x08) != 0;
  const int mode = lp ? 0 : (hr ? 2 : 1);
  const int bits = lis::kBits[mode];
  const double mg_per_digit = lis::kSensitivityMg[fs][mode];
  const long lo = -(1L << (bits - 1)), hi = (1L << (bits - 1)) - 1;
  for (std::size_t i = 0; i < 3; ++i) {
    const double g = xyz_[row * 3 + i] / 16384.0;
    long d = static_cast<long>(std::floor(g * 1000.0 / mg_per_digit + 0.5));
    d = d < lo ? lo : (d > hi ? hi : d);
    out[i] = static_cast<std::int16_t>(d * (1L << (16 - bits)));
  }
}

bool SimLis3dh::fifo_active() const noexcept {
  return (regs_[lis::kCtrlReg5] & 0x40) != 0 && (regs_[lis::kFifoCtrl] >> 6) != 0;
}

void SimLis3dh::restart_sampling() noexcept {
  const int odr = regs_[lis::kCtrlReg1] >> 4;
  const bool lp = (regs_[lis::kCtrlReg1] & 0x08) != 0;
  std::uint32_t rate = odr < 10 ? lis::kRates[odr] : 0;
  if (odr == 8 && !lp) rate = 0;  // 1.6 kHz exists only in low-power mode
  if (odr == 9 && lp) rate = 5376;
  if (rate == 0) {
    sampler_.stop();
  } else {
    sampler_.start(clock_->now_us(), rate, 1);
  }
}

void SimLis3dh::reset_fifo() noexcept {
  head_ = count_ = 0;
  ++fifo_resets_;
  mark_next_ = true;
}

void SimLis3dh::take_sample() noexcept {
  const std::uint64_t k = index_++;
  expected_raw(static_cast<std::size_t>(k % (xyz_.size() / 3)), latest_);
  regs_[lis::kStatusReg] |= 0x08;  // ZYXDA
  if (!fifo_active()) return;
  const int fm = regs_[lis::kFifoCtrl] >> 6;
  if (count_ == kFifoSamples) {
    if (fm == 1) return;                 // FIFO mode: stops collecting when full
    head_ = (head_ + 1) % kFifoSamples;  // stream: overwrite the oldest
    --count_;
  }
  if (mark_next_) {
    index_at_reset_ = k;
    mark_next_ = false;
  }
  std::memcpy(fifo_[(head_ + count_) % kFifoSamples], latest_, sizeof latest_);
  ++count_;
}

void SimLis3dh::sync() noexcept {
  std::uint64_t n = sampler_.due(clock_->now_us());
  if (n == 0) return;
  sampler_.take(n);
  constexpr std::uint64_t kKeep = kFifoSamples + 2;
  if (n > kKeep) {
    const std::uint64_t skip = n - kKeep;
    if (fifo_active() && (regs_[lis::kFifoCtrl] >> 6) == 1) {
      for (std::uint64_t i = 0; i < kKeep; ++i) take_sample();
      index_ += skip;
      return;
    }
    if (fifo_active() && mark_next_) {
      index_at_reset_ = index_;
      mark_next_ = false;
    }
    index_ += skip;
    n = kKeep;
  }
  for (std::uint64_t i = 0; i < n; ++i) take_sample();
}

std::uint8_t SimLis3dh::read_out(std::uint8_t reg) noexcept {
  const int idx = reg - lis::kOutXL;
  const std::int16_t* s = latest_;
  if (fifo_active()) {
    if (reg == lis::kOutXL && count_ == 0) ++stale_reads_;
    s = count_ > 0 ? fifo_[head_] : out_;
  }
  const auto u = static_cast<std::uint16_t>(s[idx / 2]);
  const auto byte = static_cast<std::uint8_t>((idx % 2) == 0 ? (u & 0xFF) : (u >> 8));
  if (reg == lis::kOutZH) {
    if (fifo_active() && count_ > 0) {
      std::memcpy(out_, fifo_[head_], sizeof out_);
      head_ = (head_ + 1) % kFifoSamples;
      --count_;
    }
    regs_[lis::kStatusReg] &= static_cast<std::uint8_t>(~0x08);
  }
  return byte;
}

int SimLis3dh::write_cb(void* ctx, std::uint8_t reg, const std::uint8_t* data, std::size_t len) {
  auto* self = static_cast<SimLis3dh*>(ctx);
  self->sync();
  const bool inc = (reg & 0x80) != 0;
  std::uint8_t r = reg & 0x7F;
  for (std::size_t i = 0; i < len; ++i) {
    if (r >= 0x40) return to_int(Status::kIoError);  // no such register: NACK
    const std::uint8_t v = data[i];
    switch (r) {
      case lis::kCtrlReg1:
        self->regs_[r] = v;
        self->restart_sampling();
        break;
      case lis::kCtrlReg5: {
        const bool was_on = (self->regs_[r] & 0x40) != 0;
        self->regs_[r] = static_cast<std::uint8_t>(v & 0x7F);  // BOOT self-clears
        if (was_on && (v & 0x40) == 0) self->reset_fifo();
        break;
      }
      case lis::kFifoCtrl:
        self->regs_[r] = v;
        if ((v >> 6) == 0) self->reset_fifo();
        break;
      case lis::kWhoAmI:
      case lis::kStatusReg:
      case lis::kFifoSrc: break;  // read-only
      default:
        if (r >= lis::kOutXL && r <= lis::kOutZH) break;
        self->regs_[r] = v;
        break;
    }
    if (inc) ++r;
  }
  return 0;
}

int SimLis3dh::read_cb(void* ctx, std::uint8_t reg, std::uint8_t* data, std::size_t len) {
  auto* self = static_cast<SimLis3dh*>(ctx);
  self->sync();
  const bool inc = (reg & 0x80) != 0;
  std::uint8_t r = reg & 0x7F;
  for (std::size_t i = 0; i < len; ++i) {
    if (r >= 0x40) return to_int(Status::kIoError);
    if (r >= lis::kOutXL && r <= lis::kOutZH) {
      data[i] = self->read_out(r);
    } else if (r == lis::kFifoSrc) {
      const std::size_t c = self->count_;
      if (!self->fifo_active()) {
        data[i] = 0x20;
      } else {
        const std::size_t fth = self->regs_[lis::kFifoCtrl] & 0x1F;
        std::uint8_t v = static_cast<std::uint8_t>(c == kFifoSamples ? 31 : c);
        if (c >= fth) v |= 0x80;
        if (c == kFifoSamples) v |= 0x40;
        if (c == 0) v |= 0x20;
        data[i] = v;
      }
    } else {
      data[i] = self->regs_[r];
    }
    if (inc)
      r = (self->fifo_active() && r == lis::kOutZH) ? lis::kOutXL
                                                    : static_cast<std::uint8_t>(r + 1);
  }
  return 0;
}

// ---- WavSource ---------------------------------------------------------------------

Status WavSource::init(const WavPcm& wav, std::uint16_t channel, PcmFormat format,
                       std::size_t max_per_read, bool loop) noexcept {
  if (channel >= wav.channels || wav.frames == 0 || wav.data == nullptr) {
    return Status::kInvalidArgument;
  }
  wav_ = wav;
  channel_ = channel;
  format_ = format;
  max_per_read_ = max_per_read;
  loop_ = loop;
  pos_ = 0;
  return Status::kOk;
}

PcmSource WavSource::source() noexcept { return PcmSource{&WavSource::read_cb, this, format_}; }

int WavSource::read_cb(void* ctx, void* samples, std::size_t count, std::size_t* got) {
  auto* self = static_cast<WavSource*>(ctx);
  std::size_t n = count;
  if (self->max_per_read_ != 0 && n > self->max_per_read_) n = self->max_per_read_;
  std::size_t done = 0;
  while (done < n) {
    if (self->pos_ == self->wav_.frames) {
      if (!self->loop_) break;
      self->pos_ = 0;
    }
    const std::int32_t v = self->wav_.sample_i32(self->pos_++, self->channel_);
    if (self->format_ == PcmFormat::kInt16) {
      static_cast<std::int16_t*>(samples)[done] = static_cast<std::int16_t>(v >> 16);
    } else {
      static_cast<std::int32_t*>(samples)[done] = v;
    }
    ++done;
  }
  *got = done;
  return 0;
}

// ---- SimAdc / ReplayAdc --------------------------------------------------------------

Status SimAdc::init(std::uint8_t bits, float vref, float sigma_lsb, std::uint32_t seed) noexcept {
  if (bits < 1 || bits > 24 || !(vref > 0.0f) || !(sigma_lsb >= 0.0f) || seed == 0) {
    return Status::kInvalidArgument;
  }
  bits_ = bits;
  vref_ = vref;
  sigma_ = sigma_lsb;
  state_ = seed;
  has_spare_ = false;
  conversions_ = 0;
  for (float& v : volts_) v = 0.0f;
  return Status::kOk;
}

void SimAdc::set_input_volts(std::uint8_t channel, float volts) noexcept {
  if (channel < kChannels) volts_[channel] = volts;
}

Adc SimAdc::adc() noexcept { return Adc{&SimAdc::read_cb, this, bits_, vref_}; }

float SimAdc::gaussian() noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  auto uniform = [this]() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return (static_cast<float>(state_ >> 8) + 0.5f) * (1.0f / 16777216.0f);  // (0, 1)
  };
  const float u1 = uniform();
  const float u2 = uniform();
  const float r = std::sqrt(-2.0f * std::log(u1));
  const float a = 6.28318530718f * u2;
  spare_ = r * std::sin(a);
  has_spare_ = true;
  return r * std::cos(a);
}

int SimAdc::read_cb(void* ctx, std::uint8_t channel, std::uint32_t* code) {
  auto* self = static_cast<SimAdc*>(ctx);
  if (channel >= kChannels) return to_int(Status::kInvalidArgument);
  const float full = static_cast<float>(1u << self->bits_);
  const float x = self->volts_[channel] / self->vref_ * full +
                  (self->sigma_ > 0.0f ? self->sigma_ * self->gaussian() : 0.0f);
  const float c = std::floor(x + 0.5f);
  *code = c <= 0.0f ? 0u
                    : (c >= full - 1.0f ? (1u << self->bits_) - 1u : static_cast<std::uint32_t>(c));
  ++self->conversions_;
  return 0;
}

Status ReplayAdc::init(Span<const std::uint32_t> codes, std::uint8_t bits, float vref) noexcept {
  if (bits < 1 || bits > 24 || !(vref > 0.0f)) return Status::kInvalidArgument;
  codes_ = codes;
  bits_ = bits;
  vref_ = vref;
  pos_ = 0;
  return Status::kOk;
}

Adc ReplayAdc::adc() noexcept { return Adc{&ReplayAdc::read_cb, this, bits_, vref_}; }

int ReplayAdc::read_cb(void* ctx, std::uint8_t, std::uint32_t* code) {
  auto* self = static_cast<ReplayAdc*>(ctx);
  if (self->pos_ == self->codes_.size()) return to_int(Status::kNoData);
  *code = self->codes_[self->pos_++];
  return 0;
}

}  // namespace tinysense::node
