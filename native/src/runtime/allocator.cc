#include "allocator.h"

#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace tensile {
namespace {

constexpr size_t kAlign = 64;
constexpr int kClassesPerDoubling = 4;
constexpr int kNumClasses = 64 * kClassesPerDoubling;
constexpr uint64_t kChunkSlots = 4096;
constexpr uint64_t kNumChunks = kMaxSlots / kChunkSlots;

// Size class of a request: 64 bytes, then four steps per power of two (≤ 25% waste).
int ClassOf(size_t bytes, size_t* class_bytes) {
  if (bytes <= kAlign) {
    *class_bytes = kAlign;
    return 0;
  }
  int k = 63 - __builtin_clzll(static_cast<unsigned long long>(bytes - 1));  // 2^k < bytes <= 2^(k+1)
  size_t base = size_t(1) << k;
  size_t step = base / kClassesPerDoubling;
  size_t sub = (bytes - base + step - 1) / step;  // 1..4
  size_t size = base + sub * step;
  if (size % kAlign != 0) size += kAlign - size % kAlign;
  *class_bytes = size;
  return k * kClassesPerDoubling + static_cast<int>(sub);
}

struct Slot {
  char* data;
  size_t bytes;
  int cls;
  uint32_t owner;
  std::atomic<uint32_t> generation;  // odd while live
};

struct State {
  std::mutex mu;
  // Slots live in fixed chunks that never move, so LookupBlock reads them without the lock.
  std::atomic<Slot*> chunks[kNumChunks];
  uint64_t used_slots = 0;
  std::vector<uint32_t> free_slots;
  std::vector<char*> free_lists[kNumClasses];
  size_t live_bytes = 0, live_blocks = 0, cached_bytes = 0, cached_blocks = 0;
  size_t cache_limit = size_t(1) << 30;

  State() {
    for (auto& c : chunks) c.store(nullptr, std::memory_order_relaxed);
    const char* env = getenv("TENSILE_CACHE_BYTES");
    if (env != nullptr && *env != '\0') cache_limit = strtoull(env, nullptr, 10);
  }
};

State& S() {
  static State* state = new State();  // never destroyed: finalizers may run during exit
  return *state;
}

Slot* SlotAt(State& s, uint64_t index) {
  Slot* chunk = s.chunks[index / kChunkSlots].load(std::memory_order_acquire);
  return chunk == nullptr ? nullptr : &chunk[index % kChunkSlots];
}

}  // namespace

bool AllocBlock(size_t bytes, uint32_t owner, Handle* handle, BlockInfo* info) {
  size_t class_bytes;
  int cls = ClassOf(bytes, &class_bytes);
  State& s = S();
  char* data = nullptr;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (cls < kNumClasses && !s.free_lists[cls].empty()) {
      data = s.free_lists[cls].back();
      s.free_lists[cls].pop_back();
      s.cached_bytes -= class_bytes;
      s.cached_blocks--;
    }
  }
  if (data == nullptr) {
    void* p = nullptr;
    if (posix_memalign(&p, kAlign, class_bytes) != 0) {
      // Out of memory: give the cache back and try once more.
      EmptyCache();
      if (posix_memalign(&p, kAlign, class_bytes) != 0) return false;
    }
    data = static_cast<char*>(p);
  }
  memset(data, 0, class_bytes);

  std::lock_guard<std::mutex> lock(s.mu);
  uint64_t index;
  if (!s.free_slots.empty()) {
    index = s.free_slots.back();
    s.free_slots.pop_back();
  } else {
    if (s.used_slots >= kMaxSlots) {
      free(data);
      return false;
    }
    index = s.used_slots++;
    if (index % kChunkSlots == 0) {
      Slot* chunk = new Slot[kChunkSlots];
      for (uint64_t i = 0; i < kChunkSlots; i++) chunk[i].generation.store(0, std::memory_order_relaxed);
      s.chunks[index / kChunkSlots].store(chunk, std::memory_order_release);
    }
  }
  Slot* slot = SlotAt(s, index);
  slot->data = data;
  slot->bytes = class_bytes;
  slot->cls = cls;
  slot->owner = owner;
  uint32_t gen = slot->generation.load(std::memory_order_relaxed) + 1;  // odd: live
  slot->generation.store(gen, std::memory_order_release);
  s.live_bytes += class_bytes;
  s.live_blocks++;
  *handle = (static_cast<uint64_t>(gen) << kSlotBits) | index;
  info->data = data;
  info->bytes = class_bytes;
  return true;
}

namespace {

// Frees the live slot `index` (generation `gen`) under s.mu; returns its bytes and sets *release to
// memory that goes back to the OS (null when the block stays cached).
size_t FreeSlotLocked(State& s, uint64_t index, Slot* slot, uint32_t gen, char** release) {
  slot->generation.store(gen + 1, std::memory_order_release);  // even: free; stale handles fail
  size_t bytes = slot->bytes;
  s.live_bytes -= bytes;
  s.live_blocks--;
  *release = nullptr;
  if (slot->cls < kNumClasses && s.cached_bytes + bytes <= s.cache_limit) {
    s.free_lists[slot->cls].push_back(slot->data);
    s.cached_bytes += bytes;
    s.cached_blocks++;
  } else {
    *release = slot->data;
  }
  slot->data = nullptr;
  slot->owner = 0;
  // A slot is reused while its handle stays an exact double (generation < 2^29).
  if (gen + 2 < (1u << 29)) s.free_slots.push_back(static_cast<uint32_t>(index));
  return bytes;
}

}  // namespace

size_t FreeBlock(Handle handle) {
  State& s = S();
  uint64_t index = handle & (kMaxSlots - 1);
  uint32_t gen = static_cast<uint32_t>(handle >> kSlotBits);
  char* release = nullptr;
  size_t bytes;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (index >= s.used_slots) return 0;
    Slot* slot = SlotAt(s, index);
    if (slot->generation.load(std::memory_order_relaxed) != gen || (gen & 1) == 0) return 0;
    bytes = FreeSlotLocked(s, index, slot, gen, &release);
  }
  free(release);
  return bytes;
}

void FreeOwnedBlocks(uint32_t owner, size_t* bytes, size_t* blocks) {
  State& s = S();
  std::vector<char*> release;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (uint64_t index = 0; index < s.used_slots; index++) {
      Slot* slot = SlotAt(s, index);
      uint32_t gen = slot->generation.load(std::memory_order_relaxed);
      if ((gen & 1) == 0 || slot->owner != owner) continue;
      char* r = nullptr;
      *bytes += FreeSlotLocked(s, index, slot, gen, &r);
      *blocks += 1;
      if (r != nullptr) release.push_back(r);
    }
  }
  for (char* p : release) free(p);
}

bool LookupBlock(Handle handle, BlockInfo* info) {
  State& s = S();
  uint64_t index = handle & (kMaxSlots - 1);
  uint32_t gen = static_cast<uint32_t>(handle >> kSlotBits);
  if ((gen & 1) == 0) return false;
  Slot* slot = SlotAt(s, index);
  if (slot == nullptr || slot->generation.load(std::memory_order_acquire) != gen) return false;
  info->data = slot->data;
  info->bytes = slot->bytes;
  return true;
}

AllocatorStats GetAllocatorStats() {
  State& s = S();
  std::lock_guard<std::mutex> lock(s.mu);
  return {s.live_bytes, s.live_blocks, s.cached_bytes, s.cached_blocks, s.cache_limit};
}

void EmptyCache() {
  State& s = S();
  std::vector<char*> release;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    for (auto& list : s.free_lists) {
      release.insert(release.end(), list.begin(), list.end());
      list.clear();
    }
    s.cached_bytes = 0;
    s.cached_blocks = 0;
  }
  for (char* p : release) free(p);
}

void SetCacheLimit(size_t bytes) {
  State& s = S();
  {
    std::lock_guard<std::mutex> lock(s.mu);
    s.cache_limit = bytes;
  }
  if (GetAllocatorStats().cached_bytes > bytes) EmptyCache();
}

}  // namespace tensile
