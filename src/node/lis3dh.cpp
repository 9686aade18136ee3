#include "tinysense/node/lis3dh.hpp"

namespace tinysense::node {
namespace {

constexpr std::uint8_t kRegWhoAmI = 0x0F;
constexpr std::uint8_t kRegCtrl1 = 0x20;
constexpr std::uint8_t kRegCtrl4 = 0x23;
constexpr std::uint8_t kRegCtrl5 = 0x24;
constexpr std::uint8_t kRegOutXL = 0x28;
constexpr std::uint8_t kRegFifoCtrl = 0x2E;
constexpr std::uint8_t kRegFifoSrc = 0x2F;
constexpr std::uint8_t kAutoIncrement = 0x80;

constexpr std::uint8_t kCtrl1Xyz = 0x07;
constexpr std::uint8_t kCtrl1LowPower = 0x08;
constexpr std::uint8_t kCtrl4Bdu = 0x80;
constexpr std::uint8_t kCtrl4Hr = 0x08;
constexpr std::uint8_t kCtrl5FifoEn = 0x40;
constexpr std::uint8_t kFifoBypass = 0x00;
constexpr std::uint8_t kFifoStream = 0x80;
constexpr std::uint8_t kSrcOvrn = 0x40;
constexpr std::uint8_t kSrcEmpty = 0x20;

// Sensitivity (mg/digit) [range][mode], data sheet table 4.
constexpr float kMgPerDigit[4][3] = {
    {16.0f, 4.0f, 1.0f}, {32.0f, 8.0f, 2.0f}, {64.0f, 16.0f, 4.0f}, {192.0f, 48.0f, 12.0f}};
constexpr int kBits[3] = {8, 10, 12};

// ODR code of a rate for a mode, or 0 when the rate does not exist in it.
std::uint8_t odr_code(std::uint32_t rate, bool low_power) noexcept {
  switch (rate) {
    case 1: return 1;
    case 10: return 2;
    case 25: return 3;
    case 50: return 4;
    case 100: return 5;
    case 200: return 6;
    case 400: return 7;
    case 1600: return low_power ? 8 : 0;
    case 1344: return low_power ? 0 : 9;
    case 5376: return low_power ? 9 : 0;
    default: return 0;
  }
}

}  // namespace

Status Lis3dh::init(const I2cBus& bus, const Lis3dhConfig& config, const Clock* clock) noexcept {
  ready_ = false;
  if (!valid(bus) || (clock != nullptr && !valid(*clock))) return Status::kInvalidArgument;
  const auto range = static_cast<std::uint8_t>(config.range);
  const auto mode = static_cast<std::uint8_t>(config.mode);
  if (range > 3 || mode > 2) return Status::kInvalidArgument;
  const bool lp = config.mode == Lis3dhMode::kLowPower;
  const std::uint8_t odr = odr_code(config.rate_hz, lp);
  if (odr == 0) return Status::kInvalidArgument;
  if (bus.max_transfer != 0 && bus.max_transfer < 6) return Status::kInvalidArgument;
  bus_ = bus;
  addr_ = config.address;
  bits_ = kBits[mode];
  mg_per_count_ = kMgPerDigit[range][mode];
  ctrl1_ = static_cast<std::uint8_t>((odr << 4) | (lp ? kCtrl1LowPower : 0) | kCtrl1Xyz);
  needs_reset_ = false;

  std::uint8_t id = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegWhoAmI, &id));
  if (id != kWhoAmI) return Status::kNotSupported;
  // Configure while powered down so no sample is taken in a mixed setting.
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegCtrl1, kCtrl1Xyz));
  // BDU: the high and low bytes of a sample always come from the same sample.
  TINYSENSE_TRY(i2c_write_verify(
      bus_, addr_, kRegCtrl4,
      static_cast<std::uint8_t>(kCtrl4Bdu | (range << 4) | (mode == 2 ? kCtrl4Hr : 0))));
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegCtrl5, kCtrl5FifoEn));
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegFifoCtrl, kFifoBypass));
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegFifoCtrl, kFifoStream));
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegCtrl1, ctrl1_));
  loss_.start(config.rate_hz, clock);
  ready_ = true;
  return Status::kOk;
}

Status Lis3dh::fifo_restart() noexcept {
  TINYSENSE_TRY(i2c_write_u8(bus_, addr_, kRegFifoCtrl, kFifoBypass));
  return i2c_write_u8(bus_, addr_, kRegFifoCtrl, kFifoStream);
}

Status Lis3dh::reset_fifo() noexcept {
  if (!ready_) return Status::kNotInitialized;
  TINYSENSE_TRY(fifo_restart());
  loss_.level_read(loss_.now(), 0);
  needs_reset_ = false;
  return Status::kOk;
}

Status Lis3dh::set_sleep(bool sleep) noexcept {
  if (!ready_) return Status::kNotInitialized;
  TINYSENSE_TRY(i2c_write_verify(bus_, addr_, kRegCtrl1, sleep ? kCtrl1Xyz : ctrl1_));
  return sleep ? Status::kOk : reset_fifo();
}

Status Lis3dh::available(std::size_t* samples) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (samples == nullptr) return Status::kInvalidArgument;
  std::uint8_t src = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegFifoSrc, &src));
  *samples = (src & kSrcOvrn) != 0 ? kFifoSamples : ((src & kSrcEmpty) != 0 ? 0 : (src & 0x1Fu));
  return Status::kOk;
}

void Lis3dh::to_g(Span<const std::int16_t> counts, Span<float> g) const noexcept {
  TINYSENSE_DCHECK(counts.size() == g.size());
  const float scale = mg_per_count_ * 0.001f;
  for (std::size_t i = 0; i < counts.size(); ++i) g[i] = static_cast<float>(counts[i]) * scale;
}

Status Lis3dh::overflow_reset(std::size_t seen, FifoRead* info) noexcept {
  needs_reset_ = true;
  TINYSENSE_TRY(fifo_restart());
  needs_reset_ = false;
  info->frames = 0;
  info->overflow = true;
  info->lost = loss_.overflow(loss_.now(), seen);
  return Status::kOk;
}

Status Lis3dh::read_fifo(Span<std::int16_t> out, FifoRead* info) noexcept {
  if (!ready_) return Status::kNotInitialized;
  if (info == nullptr) return Status::kInvalidArgument;
  *info = FifoRead{};
  if (needs_reset_) return overflow_reset(0, info);

  const std::uint64_t t = loss_.now();
  std::uint8_t src = 0;
  TINYSENSE_TRY(i2c_read_u8(bus_, addr_, kRegFifoSrc, &src));
  if ((src & kSrcOvrn) != 0) return overflow_reset(kFifoSamples, info);
  const std::size_t stored = (src & kSrcEmpty) != 0 ? 0 : (src & 0x1Fu);
  const std::size_t want = stored < out.size() / 3 ? stored : out.size() / 3;

  std::size_t chunk = kChunkSamples;
  if (bus_.max_transfer != 0 && bus_.max_transfer / 6 < chunk) chunk = bus_.max_transfer / 6;
  const int shift = 16 - bits_;
  std::size_t done = 0;
  while (done < want) {
    const std::size_t n = want - done < chunk ? want - done : chunk;
    const Status s = i2c_read(bus_, addr_, static_cast<std::uint8_t>(kRegOutXL | kAutoIncrement),
                              Span<std::uint8_t>(chunk_, 6 * n));
    if (!ok(s)) {
      needs_reset_ = true;
      for (std::size_t i = 0; i < 3 * done; ++i) out[i] = 0;
      return s;
    }
    for (std::size_t i = 0; i < 3 * n; ++i) {
      const auto raw = static_cast<std::int16_t>(
          static_cast<std::uint16_t>(chunk_[2 * i] | (chunk_[2 * i + 1] << 8)));
      out[3 * done + i] = static_cast<std::int16_t>(raw >> shift);  // arithmetic: keeps the sign
    }
    done += n;
  }
  loss_.level_read(t, stored - want);
  info->frames = want;
  return Status::kOk;
}

}  // namespace tinysense::node
