// The caching allocator behind every native tensor: 64-byte aligned blocks, handed out by handle,
// kept on free lists by size class when freed, so a training step reuses last step's memory
// instead of asking the OS (and page-faulting) again. One allocator serves the whole process and is
// safe to call from several threads (each Node environment allocates from its own thread); every
// block records the environment that owns it, so an environment that goes away (a worker_thread
// that exits) takes its blocks back with it.
#ifndef TENSILE_RUNTIME_ALLOCATOR_H
#define TENSILE_RUNTIME_ALLOCATOR_H

#include <stddef.h>
#include <stdint.h>

namespace tensile {

// A block handle as JavaScript sees it: generation * 2^24 + slot, an exact double.
using Handle = uint64_t;

constexpr uint64_t kSlotBits = 24;
constexpr uint64_t kMaxSlots = uint64_t(1) << kSlotBits;

struct BlockInfo {
  char* data;
  size_t bytes;  // the size class (at least what was asked for)
};

// Allocates at least `bytes` zeroed bytes owned by `owner` (an environment's id, > 0). Returns false
// when out of memory.
bool AllocBlock(size_t bytes, uint32_t owner, Handle* handle, BlockInfo* info);

// Returns a block to the cache. Returns its size class, or 0 when the handle is stale
// (already freed): freeing twice is harmless.
size_t FreeBlock(Handle handle);

// The block behind a live handle, or false when the handle is unknown or stale.
bool LookupBlock(Handle handle, BlockInfo* info);

// Returns every live block of `owner` to the cache (stale handles then fail); adds their bytes and
// count to *bytes and *blocks.
void FreeOwnedBlocks(uint32_t owner, size_t* bytes, size_t* blocks);

struct AllocatorStats {
  size_t live_bytes;    // in blocks handed out
  size_t live_blocks;
  size_t cached_bytes;  // on free lists
  size_t cached_blocks;
  size_t cache_limit;
};
// Counters of the whole process (all environments).
AllocatorStats GetAllocatorStats();

// Frees every cached block back to the OS.
void EmptyCache();

// The most bytes kept on free lists (default 1 GiB or TENSILE_CACHE_BYTES); larger frees go to the OS.
void SetCacheLimit(size_t bytes);

}  // namespace tensile

#endif
