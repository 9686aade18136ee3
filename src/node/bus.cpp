#include "tinysense/node/bus.hpp"

namespace tinysense::node {

Status status_from_int(int rc) noexcept {
  switch (rc) {
    case static_cast<int>(Status::kOk): return Status::kOk;
    case static_cast<int>(Status::kIoError): return Status::kIoError;
    case static_cast<int>(Status::kNoMemory): return Status::kNoMemory;
    case static_cast<int>(Status::kBusy): return Status::kBusy;
    case static_cast<int>(Status::kInvalidArgument): return Status::kInvalidArgument;
    case static_cast<int>(Status::kNoSpace): return Status::kNoSpace;
    case static_cast<int>(Status::kOutOfRange): return Status::kOutOfRange;
    case static_cast<int>(Status::kNoData): return Status::kNoData;
    case static_cast<int>(Status::kNotInitialized): return Status::kNotInitialized;
    case static_cast<int>(Status::kCorrupt): return Status::kCorrupt;
    case static_cast<int>(Status::kSizeMismatch): return Status::kSizeMismatch;
    case static_cast<int>(Status::kNotSupported): return Status::kNotSupported;
    case static_cast<int>(Status::kTimeout): return Status::kTimeout;
    default: return Status::kIoError;
  }
}

Status i2c_write_u8(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                    std::uint8_t value) noexcept {
  return status_from_int(bus.write(bus.ctx, addr, reg, &value, 1));
}

Status i2c_read(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                Span<std::uint8_t> data) noexcept {
  if (data.empty() || (bus.max_transfer != 0 && data.size() > bus.max_transfer)) {
    return Status::kInvalidArgument;
  }
  return status_from_int(bus.read(bus.ctx, addr, reg, data.data(), data.size()));
}

Status i2c_read_u8(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                   std::uint8_t* value) noexcept {
  return status_from_int(bus.read(bus.ctx, addr, reg, value, 1));
}

Status i2c_write_verify(const I2cBus& bus, std::uint8_t addr, std::uint8_t reg,
                        std::uint8_t value) noexcept {
  TINYSENSE_TRY(i2c_write_u8(bus, addr, reg, value));
  std::uint8_t back = 0;
  TINYSENSE_TRY(i2c_read_u8(bus, addr, reg, &back));
  return back == value ? Status::kOk : Status::kIoError;
}

void sleep_for_us(const Clock& clock, std::uint64_t us) noexcept {
  const std::uint64_t until = clock.now_us(clock.ctx) + us;
  while (clock.now_us(clock.ctx) < until) clock.sleep_until_us(clock.ctx, until);
}

void FifoLoss::start(std::uint32_t rate_hz, const Clock* clock) noexcept {
  clock_ = clock;
  rate_hz_ = rate_hz;
  left_ = 0;
  t_level_us_ = now();
}

std::uint64_t FifoLoss::now() const noexcept {
  return clock_ != nullptr ? clock_->now_us(clock_->ctx) : 0;
}

void FifoLoss::level_read(std::uint64_t t_us, std::size_t left) noexcept {
  t_level_us_ = t_us;
  left_ = left;
}

std::size_t FifoLoss::overflow(std::uint64_t t_us, std::size_t frames_seen) noexcept {
  std::uint64_t lost = frames_seen > left_ ? frames_seen : left_;
  if (clock_ != nullptr && t_us > t_level_us_) {
    // Frames produced since the level was sampled, rounded to nearest.
    const std::uint64_t produced = ((t_us - t_level_us_) * rate_hz_ + 500000u) / 1000000u + left_;
    if (produced > lost) lost = produced;
  }
  lost_total_ += lost;
  ++overflows_;
  t_level_us_ = t_us;
  left_ = 0;
  return static_cast<std::size_t>(lost);
}

}  // namespace tinysense::node
