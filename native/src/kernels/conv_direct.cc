// RunDirect (conv_direct.h): a register-tiled kernel that reads its B rows straight from padded
// planes through an offset table, so nothing but the weights is ever packed. Also the per-thread
// scratch both engines share (RunDot is in conv_dot.cc).
//
// Two tile kinds. Channel-lane tiles (conv_lanes.h: output channels in the vector lanes, one
// broadcast per position, tiles along one output row) take float items deep enough for their
// transposed store (k ≥ 64: a 3 × 3 kernel over ≥ 8 channels) on the vector levels; everything
// else runs position-lane tiles (below: MR channels × NR positions along the padded pitch, columns
// past `cols` computed and dropped). On an 8 × 8 image the first are ~1.3× as fast: they compute
// no dropped positions and read B by broadcast instead of unaligned vector loads.
#include "conv_direct.h"

#include <stdlib.h>

#include "conv_lanes.h"
#include "gemm_micro.h"


namespace tensile {
namespace TENSILE_ISA {
namespace {


// Depth of one pass over a tile: an MR × kDirectKC panel of A (20 KB at MR = 8, float) stays in L1
// while the taps stream from the planes in L2, and 64 channels × 3 × 3 = 576 take one pass, so
// the tile is stored once instead of read back and added to per depth block.
constexpr int64_t kDirectKC = 640;

// Packed weights: the whole A of an item when it fits (packed once, reused by every item with the
// same weights), else one MC × KC block at a time.
constexpr size_t kPackedABytes = size_t(1) << 20;
template <class T>
constexpr size_t BlockABytes() {
  return size_t(GemmBlocking<T>::MC) * kDirectKC * sizeof(T);
}
static_assert(BlockABytes<float>() <= kPackedABytes && BlockABytes<double>() <= kPackedABytes, "A block too big");
constexpr size_t kOverhead = kPackedABytes;


struct Arena {
  void* mem = nullptr;
  ~Arena() { free(mem); }
  char* Get() {
    if (mem == nullptr && posix_memalign(&mem, 64, kConvScratchBytes + kOverhead) != 0) mem = nullptr;
    return static_cast<char*>(mem);
  }
};
thread_local Arena tl_arena;

// ---- RunDirect -------------------------------------------------------------------------------

// One MR × NR tile over kc reduction steps: tile[i][j] = Σ_k a[k·MR + i] · src[off[k] + j].
template <class T, int MR, int NV>
__attribute__((noinline)) void DirectTile(int64_t kc, const T* __restrict a, const T* src,
                                          const int32_t* __restrict off, T* __restrict tile) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  constexpr int NR = NV * W;
  typename V::V acc[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) acc[i][v] = V::set1(T(0));
  }
#pragma GCC unroll 2
  for (int64_t k = 0; k < kc; k++) {
    const T* b = src + off[k];
    typename V::V bv[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) bv[v] = V::load(b + v * W);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const typename V::V ai = V::set1(a[i]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; v++) acc[i][v] = V::fma(ai, bv[v], acc[i][v]);
    }
    a += MR;
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
#pragma GCC unroll 16
    for (int v = 0; v < NV; v++) V::store(tile + i * NR + v * W, acc[i][v]);
  }
}

// The tile whose positions start `left` before the item's end: when at most half of NR positions
// are left (the last tile of a small image: an 8 × 8 output on a 10-wide pitch is 80 positions),
// a half-width tile skips the padded half's FMAs. Returns the tile's width.
template <class T>
TL_INLINE int RunTile(int64_t kc, const T* a, const T* src, const int32_t* off, T* tile, int64_t left) {
  using B = GemmBlocking<T>;
  constexpr int NR = B::NV * VecOf<T>::V::W;
  if constexpr (B::NV % 2 == 0) {
    if (left <= NR / 2) {
      DirectTile<T, B::MR, B::NV / 2>(kc, a, src, off, tile);
      return NR / 2;
    }
  }
  DirectTile<T, B::MR, B::NV>(kc, a, src, off, tile);
  return NR;
}

// dst[0..len) = src[0..len) + (accumulate ? dst[0..len) : bias), contiguous; then x > 0 ? x : 0
// when `relu` (the last store of a fused conv2d + ReLU).
template <class T>
TL_INLINE void PutRun(T* dst, const T* src, int64_t len, bool accumulate, T bias, bool relu) {
  using V = typename VecOf<T>::V;
  constexpr int W = V::W;
  const typename V::V b = V::set1(bias), zero = V::set1(T(0));
  int64_t j = 0;
  for (; j + W <= len; j += W) {
    typename V::V x = V::load(src + j);
    x = V::add(x, accumulate ? V::load(dst + j) : b);
    if (relu) x = V::select(V::gt(x, zero), x, zero);
    V::store(dst + j, x);
  }
  if (j < len) {
    const int n = static_cast<int>(len - j);
    typename V::V x = V::loadn(src + j, n);
    x = V::add(x, accumulate ? V::loadn(dst + j, n) : b);
    if (relu) x = V::select(V::gt(x, zero), x, zero);
    V::storen(dst + j, x, n);
  }
}

// dst[2j] = src[j] + (accumulate ? dst[2j] : bias) for j < len: the column phase of a stride-2
// input gradient. Masked stores leave the odd columns (another phase, maybe another thread's) alone.
// True if handled.
template <class T>
TL_INLINE bool PutRunStride2(T* dst, const T* src, int64_t len, bool accumulate, T bias) {
#if defined(TENSILE_ISA_AVX512)
  if constexpr (sizeof(T) == 4) {
    const __m512i lo_idx = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i hi_idx = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    const __m512 b = _mm512_set1_ps(bias);
    for (int64_t j = 0; j < len; j += 16) {
      const int n = len - j < 16 ? static_cast<int>(len - j) : 16;
      const __m512 x = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), src + j);
      const int nlo = n < 8 ? n : 8, nhi = n - nlo;
      const __mmask16 mlo = static_cast<__mmask16>(0x5555u & ((1u << (2 * nlo)) - 1));
      const __mmask16 mhi = static_cast<__mmask16>(0x5555u & ((1u << (2 * nhi)) - 1));
      float* d = reinterpret_cast<float*>(dst) + 2 * j;
      __m512 lo = _mm512_permutexvar_ps(lo_idx, x), hi = _mm512_permutexvar_ps(hi_idx, x);
      lo = _mm512_add_ps(lo, accumulate ? _mm512_maskz_loadu_ps(mlo, d) : b);
      hi = _mm512_add_ps(hi, accumulate ? _mm512_maskz_loadu_ps(mhi, d + 16) : b);
      _mm512_mask_storeu_ps(d, mlo, lo);
      _mm512_mask_storeu_ps(d + 16, mhi, hi);
    }
    return true;
  }
#endif
  (void)dst, (void)src, (void)len, (void)accumulate, (void)bias;
  return false;
}

// Writes rows [m0, m0 + mr) of a tile that starts at position q0 (nr positions wide) to their
// grid cells, dropping the positions past `cols` in each pitch-wide row. tile == null writes zeros.
template <class T>
void StoreMapped(const T* tile, int nr, const DirectItem<T>& it, int64_t m0, int mr, int64_t q0, bool accumulate,
                 bool relu) {
  struct Run {
    int64_t at, dst, len;
  };
  Run runs[kMaxTileWidth];
  int count = 0;
  const int64_t qend = q0 + nr < it.rows * it.pitch ? q0 + nr : it.rows * it.pitch;
  for (int64_t q = q0; q < qend;) {
    const int64_t r = q / it.pitch, c = q % it.pitch;
    if (c >= it.cols) {
      q += it.pitch - c;
      continue;
    }
    const int64_t len = it.cols - c < qend - q ? it.cols - c : qend - q;
    runs[count++] = {q - q0, r * it.out_rs + c * it.out_cs, len};
    q += len;
  }
  alignas(64) static const T kZeros[kMaxTileWidth] = {};
  for (int i = 0; i < mr; i++) {
    T* out = it.out + (m0 + i) * it.out_ms;
    const T* row = tile != nullptr ? tile + i * nr : kZeros;
    const T bias = it.bias != nullptr ? it.bias[m0 + i] : T(0);
    for (int s = 0; s < count; s++) {
      const Run& run = runs[s];
      if (it.out_cs == 1) {
        PutRun(out + run.dst, row + run.at, run.len, accumulate, bias, relu);
      } else if (!relu && it.out_cs == 2 && PutRunStride2(out + run.dst, row + run.at, run.len, accumulate, bias)) {
        continue;
      } else {
        for (int64_t j = 0; j < run.len; j++) {
          T* d = out + run.dst + j * it.out_cs;
          const T v = row[run.at + j] + (accumulate ? *d : bias);
          *d = relu && !(v > 0) ? T(0) : v;
        }
      }
    }
  }
}

// Units (an item, or a slice of one item's tiles) are taken one at a time from an atomic counter,
// so a thread parked by the OS on a busy machine holds up one unit, not a fixed share.
template <class T>
struct DirectJob {
  const DirectCall<T>* call;
  int64_t split;       // slices of each item's tiles
  int64_t block;       // items per unit (> 1: whole items, split == 1)
  int64_t units;
  int64_t slot_elems;  // DirectState::slot_elems
  int64_t next;        // the next unit to take (__atomic builtins)
  volatile int status;
};

// A slots of the packed block (one per stride phase of an input gradient: sh · sw ≤ 64).
constexpr int64_t kMaxASlots = 64;

// What one thread keeps from item to item: its scratch, the item prepared there, and which A each
// slot of the packed block holds (key[s]: A of run key / 2, packed for channel lanes when odd).
template <class T>
struct DirectState {
  char* scratch;
  T* apack;
  int64_t slot_elems;  // elements between A slots; 0: one slot, the whole block
  DirectItem<T> it;
  int64_t prepared;
  int64_t key[kMaxASlots];
  T* lane_tile;
  T* tile;
};

// Where item's A goes and whether it is already there: items of one run (a_run · a_cycle
// consecutive items) share A when they agree modulo a_cycle; slot item % a_cycle when each has
// its own, else the one slot.
template <class T>
T* ASlot(const DirectCall<T>& call, DirectState<T>& st, int64_t item, bool lanes, bool* packed) {
  const int64_t cycle = call.a_cycle, phase = item % cycle;
  const int64_t key = 2 * ((item / (call.a_run * cycle)) * cycle + phase) + (lanes ? 1 : 0);
  const int64_t slot = st.slot_elems > 0 ? phase : 0;
  *packed = st.key[slot] == key;
  st.key[slot] = key;
  return st.apack + slot * st.slot_elems;
}

// Slice `slice` of `split` of an item's tiles on channel-lane tiles (conv_lanes.h), when the item
// suits them (UseLanes) and its whole A fits its slot; false (nothing done) otherwise. A is packed
// [k][PW] per panel of PW channels, once per run of items sharing it. Tiles are segments of one
// output row, the row split evenly into segments of ≤ PMAX positions (32 columns: 11 + 11 + 10),
// each run over every channel panel while its planes rows are hot.
template <class T>
bool LaneItem(const DirectCall<T>& call, DirectState<T>& st, int64_t item, int64_t split, int64_t slice) {
  using L = LaneBlocking<T>;
  const DirectItem<T>& it = st.it;
  if (!UseLanes<T>(it.k, call.m)) return false;
  // A stride phase with no cells (input width 1, stride 2: column phase 1 is empty) writes nothing.
  if (it.rows <= 0 || it.cols <= 0) return true;
  const int64_t mpad = CeilDiv(call.m, L::PW) * L::PW;
  const size_t bytes = size_t(mpad * it.k) * sizeof(T);
  if (bytes > kPackedABytes || (st.slot_elems > 0 && bytes > size_t(st.slot_elems) * sizeof(T))) return false;
  bool packed;
  T* apack = ASlot(call, st, item, true, &packed);
  if (!packed) call.pack_a(call.ctx, item, 0, call.m, 0, it.k, L::PW, apack);
  const int64_t segs = CeilDiv(it.cols, L::PMAX), width = CeilDiv(it.cols, segs);
  int64_t t0, t1;
  Split(it.rows * segs, static_cast<int>(slice), static_cast<int>(split), &t0, &t1);
  for (int64_t t = t0; t < t1; t++) {
    const int64_t r = t / segs, c0 = (t % segs) * width;
    const int p = static_cast<int>(it.cols - c0 < width ? it.cols - c0 : width);
    const T* src = it.src + r * it.pitch + c0;
    T* out = it.out + r * it.out_rs + c0 * it.out_cs;
    for (int64_t m0 = 0; m0 < call.m; m0 += L::PW) {
      const int mr = static_cast<int>(call.m - m0 < L::PW ? call.m - m0 : L::PW);
      RunLaneTile<T>(p, mr, it.k, apack + m0 * it.k, src, it.off, st.lane_tile, out + m0 * it.out_ms, it.out_ms,
                     it.out_cs, it.bias != nullptr ? it.bias + m0 : nullptr, call.relu);
    }
  }
  return true;
}

// Slice `slice` of `split` of one item's tiles.
template <class T>
void RunItem(const DirectCall<T>& call, DirectState<T>& st, int64_t item, int64_t split, int64_t slice) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  if (item != st.prepared) {
    call.prepare(call.ctx, item, st.scratch, &st.it);
    st.prepared = item;
  }
  const DirectItem<T>& it = st.it;
  T* tile = st.tile;
  const int64_t positions = it.rows * it.pitch;
  int64_t t0, t1;
  Split(CeilDiv(positions, NR), static_cast<int>(slice), static_cast<int>(split), &t0, &t1);
  if (it.k == 0) {  // no tap reaches these cells (a stride phase of a gradient): zeros
    for (int64_t m0 = 0; m0 < call.m; m0 += MR) {
      const int mr = call.m - m0 < MR ? static_cast<int>(call.m - m0) : MR;
      for (int64_t t = t0; t < t1; t++) StoreMapped<T>(nullptr, NR, it, m0, mr, t * NR, false, false);
    }
    return;
  }
  if constexpr (LaneBlocking<T>::kOn) {
    if (LaneItem(call, st, item, split, slice)) return;
  }
  const int64_t kstep = CeilDiv(it.k, CeilDiv(it.k, kDirectKC));
  const int64_t mpad = CeilDiv(call.m, MR) * MR;
  const size_t bytes = size_t(mpad * it.k) * sizeof(T);
  if (bytes <= kPackedABytes && (st.slot_elems == 0 || bytes <= size_t(st.slot_elems) * sizeof(T))) {
    // All of A, depth block after depth block (block kb at apack + kb · mpad): packed once for
    // every run of items that share it.
    bool packed;
    T* apack = ASlot(call, st, item, false, &packed);
    if (!packed) {
      for (int64_t kb = 0; kb < it.k; kb += kstep) {
        const int64_t kc = it.k - kb < kstep ? it.k - kb : kstep;
        call.pack_a(call.ctx, item, 0, call.m, kb, kc, MR, apack + kb * mpad);
      }
    }
    for (int64_t kb = 0; kb < it.k; kb += kstep) {
      const int64_t kc = it.k - kb < kstep ? it.k - kb : kstep;
      for (int64_t ir = 0; ir < call.m; ir += MR) {
        const int mr = call.m - ir < MR ? static_cast<int>(call.m - ir) : MR;
        for (int64_t t = t0; t < t1; t++) {
          const int nr = RunTile<T>(kc, apack + kb * mpad + ir * kc, it.src + t * NR, it.off + kb, tile, positions - t * NR);
          StoreMapped<T>(tile, nr, it, ir, mr, t * NR, kb > 0, call.relu && kb + kc == it.k);
        }
      }
    }
    return;
  }
  for (int64_t s = 0; s < kMaxASlots; s++) st.key[s] = -1;  // the blocks below overwrite the slots
  T* apack = st.apack;
  for (int64_t kb = 0; kb < it.k; kb += kstep) {
    const int64_t kc = it.k - kb < kstep ? it.k - kb : kstep;
    for (int64_t mb = 0; mb < call.m; mb += B::MC) {
      const int64_t mc = call.m - mb < B::MC ? call.m - mb : B::MC;
      call.pack_a(call.ctx, item, mb, mc, kb, kc, MR, apack);
      for (int64_t ir = 0; ir < mc; ir += MR) {
        const int mr = mc - ir < MR ? static_cast<int>(mc - ir) : MR;
        for (int64_t t = t0; t < t1; t++) {
          const int nr = RunTile<T>(kc, apack + ir * kc, it.src + t * NR, it.off + kb, tile, positions - t * NR);
          StoreMapped<T>(tile, nr, it, mb + ir, mr, t * NR, kb > 0, call.relu && kb + kc == it.k);
        }
      }
    }
  }
}

template <class T>
void DirectTask(void* p, int, int) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  DirectJob<T>& job = *static_cast<DirectJob<T>*>(p);
  const DirectCall<T>& call = *job.call;
  char* scratch = tl_arena.Get();
  if (scratch == nullptr) {
    job.status = TL_ERR_NOMEM;
    return;
  }
  alignas(64) T tile[MR * NR];
  alignas(64) T lane_tile[LaneBlocking<T>::PMAX * LaneBlocking<T>::PW];
  DirectState<T> st;
  st.scratch = scratch;
  st.apack = reinterpret_cast<T*>(scratch + kConvScratchBytes);
  st.slot_elems = job.slot_elems;
  st.prepared = -1;
  for (int64_t s = 0; s < kMaxASlots; s++) st.key[s] = -1;
  st.lane_tile = lane_tile;
  st.tile = tile;
  for (;;) {
    const int64_t u = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED);
    if (u >= job.units) return;
    if (job.block > 1) {  // a block of consecutive items (the stride phases of one image)
      const int64_t end = (u + 1) * job.block < call.items ? (u + 1) * job.block : call.items;
      for (int64_t item = u * job.block; item < end; item++) RunItem(call, st, item, 1, 0);
    } else {
      RunItem(call, st, u / job.split, job.split, u % job.split);
    }
  }
}


template <class T>
int Direct(const DirectCall<T>& call, const tl_runtime* rt) {
  if (call.items <= 0 || call.m <= 0) return TL_OK;
  if (call.scratch > kConvScratchBytes) return TL_ERR_ARGS;
  if (call.a_run < 1 || call.a_cycle < 1) return TL_ERR_ARGS;
  DirectJob<T> job;
  job.call = &call;
  job.next = 0;
  job.status = TL_OK;
  // Items are whole images; a batch smaller than twice the threads also splits each item's tiles.
  int nth = call.macs > 0 ? ThreadsFor(rt, call.macs, kConvGrainMacs) : rt->n_threads;
  job.split = call.items >= 2 * nth ? 1 : nth;
  // Items that cycle through a_cycle As (an input gradient's stride phases, image by image) run
  // in blocks of a_cycle on one thread when there are enough blocks: the phases of one image read
  // the same gy rows and write interleaved cells of the same dx lines, so those stay in one core's
  // cache instead of being fetched once per phase (or bouncing between cores).
  job.block = job.split == 1 && call.a_cycle > 1 && call.items / call.a_cycle >= 2 * nth ? call.a_cycle : 1;
  job.units = job.block > 1 ? CeilDiv(call.items, job.block) : call.items * job.split;
  // One A slot per phase of the cycle when all fit the packed block (each then packed once per
  // run), else one slot repacked whenever the phase changes.
  job.slot_elems = 0;
  if (call.a_cycle > 1 && call.a_cycle <= kMaxASlots && call.k_max > 0) {
    using B = GemmBlocking<T>;
    const int64_t mr_pad = CeilDiv(call.m, B::MR) * B::MR;
    const int64_t pw_pad = CeilDiv(call.m, LaneBlocking<T>::PW) * LaneBlocking<T>::PW;
    const size_t bytes = Align64(size_t((mr_pad > pw_pad ? mr_pad : pw_pad) * call.k_max) * sizeof(T));
    if (bytes * size_t(call.a_cycle) <= kPackedABytes) job.slot_elems = int64_t(bytes / sizeof(T));
  }
  if (nth > job.units) nth = static_cast<int>(job.units);
  rt->parallel_for(nth, DirectTask<T>, &job);
  return job.status;
}

}  // namespace

size_t DirectOverheadBytes() { return kOverhead; }
int RunDirect(const DirectCall<float>& call, const tl_runtime* rt) { return Direct(call, rt); }
int RunDirect(const DirectCall<double>& call, const tl_runtime* rt) { return Direct(call, rt); }
char* ConvScratch() { return tl_arena.Get(); }

}  // namespace TENSILE_ISA
}  // namespace tensile
