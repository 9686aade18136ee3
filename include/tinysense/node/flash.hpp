// NOR flash interface of the record log, and a RAM emulation of it that can
// cut power at any program or erase (the littlefs emulated-block-device idea).
//
// NOR semantics, which the log relies on and RamFlash enforces:
//  * erase(block) sets every byte of the block to 0xFF;
//  * prog() can only clear bits (1 -> 0): the result is old AND new, so
//    programming over data that is not erased does not restore any 1 bit;
//  * prog() offsets and sizes are multiples of prog_size (the smallest write
//    unit: 1 for SPI NOR, 4 on nRF52, 8 on STM32L4, 32 on STM32H7), within one
//    block. The log programs every write unit at most once between erases, so
//    ECC flash that forbids a second program of the same unit works too;
//  * read() has byte granularity and may cross nothing but one block.
// Like the bus interfaces (bus.hpp), Flash is a plain struct of C function
// pointers plus a context: callbacks return 0 on success or a negative
// tinysense::Status value, anything else reads as kIoError.
#ifndef TINYSENSE_NODE_FLASH_HPP
#define TINYSENSE_NODE_FLASH_HPP

#include <cstddef>
#include <cstdint>

#include "tinysense/core/span.hpp"
#include "tinysense/core/status.hpp"

namespace tinysense::node {

// A block device with NOR semantics. Trivially copyable; the context must
// outlive every copy.
struct Flash {
  // Copies `size` bytes at (block, offset) to `data`.
  int (*read)(void* ctx, std::uint32_t block, std::uint32_t offset, std::uint8_t* data,
              std::size_t size);
  // Programs `size` bytes (a multiple of prog_size) at a prog_size-aligned offset.
  int (*prog)(void* ctx, std::uint32_t block, std::uint32_t offset, const std::uint8_t* data,
              std::size_t size);
  // Erases one block to 0xFF.
  int (*erase)(void* ctx, std::uint32_t block);
  // Returns once every earlier prog/erase is durable; null when they always are.
  int (*sync)(void* ctx);
  void* ctx;
  std::uint32_t block_size;   // bytes per erase block
  std::uint32_t block_count;  // erase blocks the log may use, numbered 0..block_count-1
  std::uint32_t prog_size;    // write unit in bytes, a power of two dividing block_size
};

// How an operation interrupted by a power cut leaves the flash.
enum class PowerCut : std::uint8_t {
  kClean = 0,    // the interrupted program/erase changed nothing
  kPrefix = 1,   // it got part way: a program did a prefix of its bytes and some bits of
                 // the next one; an erase did a random byte range (not always from 0)
  kScatter = 2,  // every bit it would change changed with the same probability, drawn
                 // per cut from 1/2, 15/16 and 1/256 (half-programmed or half-erased
                 // cells, or an operation that barely started)
};

// NOR flash emulated in caller-provided RAM, for tests and host tools.
// Counts program and erase operations (together: "ops", numbered from 0) and
// can cut the power at op k: op k is applied according to a PowerCut mode and
// returns kIoError, and every later read/prog/erase fails with kIoError until
// power_on(), as if the chip had lost power (the caller then "reboots": mounts
// again). Programs over write units that were not erased are applied with NOR
// semantics and counted as violations. Not copyable: flash() points at it.
class RamFlash {
 public:
  RamFlash() noexcept = default;
  RamFlash(const RamFlash&) = delete;
  RamFlash& operator=(const RamFlash&) = delete;

  // memory.size() must be block_size * block_count; it is erased (0xFF).
  // erase_counts, when not empty, must have block_count entries: each erase
  // of block b increments erase_counts[b] (wear statistics). Checks geometry
  // like the log does (kInvalidArgument) and sizes (kSizeMismatch).
  [[nodiscard]] Status init(Span<std::uint8_t> memory, std::uint32_t block_size,
                            std::uint32_t block_count, std::uint32_t prog_size,
                            Span<std::uint32_t> erase_counts = {}) noexcept;

  // The Flash interface of this emulator (ctx = this).
  Flash flash() noexcept;

  // Cuts the power when the op counter reaches `op` (the op-th program or
  // erase from now on counts as interrupted); `seed` drives partial results.
  void cut_power_at(std::uint32_t op, PowerCut mode, std::uint32_t seed) noexcept;
  // Restores power and disarms any pending cut (a reboot; memory is kept).
  void power_on() noexcept;
  bool powered() const noexcept { return powered_; }

  std::uint32_t ops() const noexcept { return ops_; }      // programs + erases so far
  std::uint32_t progs() const noexcept { return progs_; }  // program calls so far
  std::uint32_t erases() const noexcept { return erases_; }
  // Programs that touched a write unit not fully erased (0 for a correct log).
  std::uint32_t violations() const noexcept { return violations_; }
  Span<std::uint8_t> memory() const noexcept { return mem_; }

 private:
  static int read_cb(void* ctx, std::uint32_t block, std::uint32_t offset, std::uint8_t* data,
                     std::size_t size) noexcept;
  static int prog_cb(void* ctx, std::uint32_t block, std::uint32_t offset,
                     const std::uint8_t* data, std::size_t size) noexcept;
  static int erase_cb(void* ctx, std::uint32_t block) noexcept;
  static int sync_cb(void* ctx) noexcept;
  // True when this op is the one the armed cut interrupts (power is then off).
  bool cut_now() noexcept;
  std::uint32_t rand() noexcept;
  std::uint8_t scatter_level() noexcept;
  std::uint8_t scatter_mask(std::uint8_t level) noexcept;

  Span<std::uint8_t> mem_;
  Span<std::uint32_t> erase_counts_;
  std::uint32_t block_size_ = 0;
  std::uint32_t block_count_ = 0;
  std::uint32_t prog_size_ = 0;
  std::uint32_t ops_ = 0;
  std::uint32_t progs_ = 0;
  std::uint32_t erases_ = 0;
  std::uint32_t violations_ = 0;
  std::uint32_t cut_op_ = 0;
  std::uint32_t rng_ = 1;
  PowerCut cut_mode_ = PowerCut::kClean;
  bool armed_ = false;
  bool powered_ = true;
};

}  // namespace tinysense::node

#endif  // TINYSENSE_NODE_FLASH_HPP
