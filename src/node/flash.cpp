#include "tinysense/node/flash.hpp"

#include <cstring>

namespace tinysense::node {
namespace {

constexpr bool is_pow2(std::uint32_t x) noexcept { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

Status RamFlash::init(Span<std::uint8_t> memory, std::uint32_t block_size,
                      std::uint32_t block_count, std::uint32_t prog_size,
                      Span<std::uint32_t> erase_counts) noexcept {
  mem_ = Span<std::uint8_t>();
  if (block_count == 0 || !is_pow2(prog_size) || block_size < prog_size ||
      block_size % prog_size != 0) {
    return Status::kInvalidArgument;
  }
  if (memory.size() / block_size < block_count ||
      memory.size() != static_cast<std::size_t>(block_size) * block_count ||
      (!erase_counts.empty() && erase_counts.size() != block_count)) {
    return Status::kSizeMismatch;
  }
  mem_ = memory;
  erase_counts_ = erase_counts;
  block_size_ = block_size;
  block_count_ = block_count;
  prog_size_ = prog_size;
  ops_ = progs_ = erases_ = violations_ = 0;
  armed_ = false;
  powered_ = true;
  std::memset(mem_.data(), 0xFF, mem_.size());
  for (std::uint32_t& c : erase_counts_) c = 0;
  return Status::kOk;
}

Flash RamFlash::flash() noexcept {
  return Flash{&RamFlash::read_cb, &RamFlash::prog_cb, &RamFlash::erase_cb, &RamFlash::sync_cb,
               this, block_size_, block_count_, prog_size_};
}

void RamFlash::cut_power_at(std::uint32_t op, PowerCut mode, std::uint32_t seed) noexcept {
  armed_ = true;
  cut_op_ = ops_ + op;
  cut_mode_ = mode;
  rng_ = seed * 2654435761u + 0x9E3779B9u;
  if (rng_ == 0) rng_ = 1;
}

void RamFlash::power_on() noexcept {
  armed_ = false;
  powered_ = true;
}

std::uint32_t RamFlash::rand() noexcept {  // xorshift32
  std::uint32_t x = rng_;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rng_ = x;
  return x;
}

// How far an interrupted operation got, for kScatter: each bit changed with
// probability 1/2, 15/16 or 1/256 (barely started).
std::uint8_t RamFlash::scatter_level() noexcept { return static_cast<std::uint8_t>(rand() % 3); }

// A byte mask whose 0 bits are the ones the interrupted operation changed.
std::uint8_t RamFlash::scatter_mask(std::uint8_t level) noexcept {
  std::uint8_t changed = 0;
  for (int bit = 0; bit < 8; ++bit) {
    const std::uint32_t r = rand() & 0xFFu;
    const bool c = level == 0 ? r < 128 : (level == 1 ? r < 240 : r == 0);
    if (c) changed = static_cast<std::uint8_t>(changed | (1u << bit));
  }
  return static_cast<std::uint8_t>(~changed);
}

bool RamFlash::cut_now() noexcept {
  const bool cut = armed_ && ops_ == cut_op_;
  ++ops_;
  if (cut) {
    armed_ = false;
    powered_ = false;
  }
  return cut;
}

int RamFlash::read_cb(void* ctx, std::uint32_t block, std::uint32_t offset, std::uint8_t* data,
                      std::size_t size) noexcept {
  auto* f = static_cast<RamFlash*>(ctx);
  if (!f->powered_) return static_cast<int>(Status::kIoError);
  if (block >= f->block_count_ || offset > f->block_size_ || size > f->block_size_ - offset) {
    return static_cast<int>(Status::kInvalidArgument);
  }
  if (size != 0) {
    std::memcpy(data, f->mem_.data() + static_cast<std::size_t>(block) * f->block_size_ + offset,
                size);
  }
  return 0;
}

int RamFlash::prog_cb(void* ctx, std::uint32_t block, std::uint32_t offset,
                      const std::uint8_t* data, std::size_t size) noexcept {
  auto* f = static_cast<RamFlash*>(ctx);
  if (!f->powered_) return static_cast<int>(Status::kIoError);
  if (block >= f->block_count_ || offset > f->block_size_ || size > f->block_size_ - offset ||
      offset % f->prog_size_ != 0 || size % f->prog_size_ != 0) {
    return static_cast<int>(Status::kInvalidArgument);
  }
  std::uint8_t* p = f->mem_.data() + static_cast<std::size_t>(block) * f->block_size_ + offset;
  for (std::size_t u = 0; u < size; u += f->prog_size_) {
    for (std::size_t i = 0; i < f->prog_size_; ++i) {
      if (p[u + i] != 0xFF) {
        ++f->violations_;
        break;
      }
    }
  }
  ++f->progs_;
  if (!f->cut_now()) {
    for (std::size_t i = 0; i < size; ++i) p[i] = static_cast<std::uint8_t>(p[i] & data[i]);
    return 0;
  }
  if (f->cut_mode_ == PowerCut::kPrefix && size != 0) {
    const std::size_t done = f->rand() % size;
    for (std::size_t i = 0; i < done; ++i) p[i] = static_cast<std::uint8_t>(p[i] & data[i]);
    // A random part of the bits that the next byte would clear.
    const auto keep = static_cast<std::uint8_t>(f->rand());
    p[done] = static_cast<std::uint8_t>(p[done] & (data[done] | keep));
  } else if (f->cut_mode_ == PowerCut::kScatter) {
    const std::uint8_t level = f->scatter_level();
    for (std::size_t i = 0; i < size; ++i) {
      p[i] = static_cast<std::uint8_t>(p[i] & (data[i] | f->scatter_mask(level)));
    }
  }
  return static_cast<int>(Status::kIoError);
}

int RamFlash::erase_cb(void* ctx, std::uint32_t block) noexcept {
  auto* f = static_cast<RamFlash*>(ctx);
  if (!f->powered_) return static_cast<int>(Status::kIoError);
  if (block >= f->block_count_) return static_cast<int>(Status::kInvalidArgument);
  std::uint8_t* p = f->mem_.data() + static_cast<std::size_t>(block) * f->block_size_;
  ++f->erases_;
  if (!f->erase_counts_.empty()) ++f->erase_counts_[block];
  if (!f->cut_now()) {
    std::memset(p, 0xFF, f->block_size_);
    return 0;
  }
  if (f->cut_mode_ == PowerCut::kPrefix) {
    // Erase does not sweep the block in address order: any range may be done.
    std::size_t a = f->rand() % f->block_size_, b = f->rand() % f->block_size_;
    if (a > b) {
      const std::size_t t = a;
      a = b;
      b = t;
    }
    std::memset(p + a, 0xFF, b - a);
    p[b] = static_cast<std::uint8_t>(p[b] | f->rand());
  } else if (f->cut_mode_ == PowerCut::kScatter) {
    const std::uint8_t level = f->scatter_level();
    for (std::size_t i = 0; i < f->block_size_; ++i) {
      p[i] = static_cast<std::uint8_t>(p[i] | static_cast<std::uint8_t>(~f->scatter_mask(level)));
    }
  }
  return static_cast<int>(Status::kIoError);
}

int RamFlash::sync_cb(void* ctx) noexcept {
  return static_cast<RamFlash*>(ctx)->powered_ ? 0 : static_cast<int>(Status::kIoError);
}

}  // namespace tinysense::node
