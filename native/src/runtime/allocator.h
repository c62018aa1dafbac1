// The caching allocator behind every native tensor: 64-byte aligned blocks, handed out by handle,
// kept on free lists by size class when freed, so a training step reuses last step's memory
// instead of asking the OS (and page-faulting) again.
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

// Allocates at least `bytes` zeroed bytes. Returns false when out of memory.
bool AllocBlock(size_t bytes, Handle* handle, BlockInfo* info);

// Returns a block to the cache. Returns its size class, or 0 when the handle is stale
// (already freed): freeing twice is harmless.
size_t FreeBlock(Handle handle);

// The block behind a live handle, or false when the handle is unknown or stale.
bool LookupBlock(Handle handle, BlockInfo* info);

struct AllocatorStats {
  size_t live_bytes;    // in blocks handed out
  size_t live_blocks;
  size_t cached_bytes;  // on free lists
  size_t cached_blocks;
  size_t cache_limit;
};
AllocatorStats GetAllocatorStats();

// Frees every cached block back to the OS.
void EmptyCache();

// The most bytes kept on free lists (default 1 GiB or TENSILE_CACHE_BYTES); larger frees go to the OS.
void SetCacheLimit(size_t bytes);

}  // namespace tensile

#endif
