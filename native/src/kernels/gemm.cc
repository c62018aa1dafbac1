// The GEMM driver (BLIS-style blocking around the micro-kernel of gemm_micro.h) and the matmul
// kernel. Loop order per thread, outermost first: MCL3 rows of A → KC of depth (pack A block, in L3)
// → NC columns of B (pack B block, kept in L2) → MR rows (an A micro-panel, kept in L1) → NR columns.
// Threads take slices of C (whole batch items, or rows × columns of one) that pack their own
// panels, so no thread waits on another; a thread that runs out of slices takes micro-rows of the
// blocks the others are still on (OpenBlock), so the product ends when the work does.
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "gemm.h"
#include "gemm_micro.h"
#include "gemm_pack.h"
#include "../simd/spin.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Per-thread packing memory: allocated on a thread's first GEMM and kept for its lifetime (pool
// threads live as long as the pool), so no GEMM call allocates. Sized for the larger of the float
// and double blockings.
template <class T>
constexpr size_t ArenaBytesFor() {
  using B = GemmBlocking<T>;
  return (size_t(B::MCL3) * B::KC + size_t(B::KC) * B::NC) * sizeof(T);
}
constexpr size_t kArenaBytes =
    ArenaBytesFor<float>() > ArenaBytesFor<double>() ? ArenaBytesFor<float>() : ArenaBytesFor<double>();

// 2 MiB aligned and marked for transparent huge pages: the packing writes and the macro-kernel's
// reads then stay within a few TLB entries.
struct Arena {
  void* mem = nullptr;
  ~Arena() { free(mem); }
  void* Get() {
    if (mem != nullptr) return mem;
    const size_t huge = size_t(2) << 20;
    const size_t bytes = (kArenaBytes + huge - 1) / huge * huge;
    if (posix_memalign(&mem, huge, bytes) != 0) return mem = nullptr;
#ifdef MADV_HUGEPAGE  // Linux only
    madvise(mem, bytes, MADV_HUGEPAGE);  // advice only: without it the arena still works
#endif
    return mem;
  }
};
thread_local Arena tl_arena;


template <class T>
void Pack(const GemmOperand<T>& op, int64_t b, int64_t r0, int64_t rows, int64_t k0, int64_t depth, int w,
          T* dst) {
  if (op.pack != nullptr) {
    op.pack(op.ctx, b, r0, rows, k0, depth, w, dst);
  } else {
    PackView<T, typename VecOf<T>::V>(op.p + op.batch.Offset(b), op.rs, op.ks, r0, rows, k0, depth, w, dst);
  }
}

// C = beta · C for a product with no depth.
template <class T>
void ScaleC(const GemmCall<T>& g, int64_t b, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  T* c = g.c + g.c_batch.Offset(b);
  for (int64_t i = m0; i < m1; i++) {
    for (int64_t j = n0; j < n1; j++) {
      T* x = c + i * g.c_rs + j * g.c_cs;
      *x = g.beta == T(0) ? T(0) : g.beta * *x;
    }
  }
}

// A big A block does not stay in L2 (it lives in L3), so while one A micro-panel is in use the next
// is prefetched, a slice of it per micro-kernel call: without that each micro-panel's first tile
// waits on L3 (~3% at n = 2048). A small block (under kPrefetchABytes) is still in L2 from its
// packing, where the prefetch instructions would only cost (16 per tile at 64³).
constexpr int64_t kPrefetchABytes = int64_t(256) << 10;

// What a micro-row needs to know of its block.
template <class T>
struct BlockView {
  const GemmCall<T>* g;
  const T* apack;
  const T* bpack;
  T* c;  // the block's first element of C
  int64_t mc, nc, kc;
  T beta;         // g->beta for the first depth block, else 1 (add to what earlier blocks stored)
  bool prefetch;  // the A block is big enough to live in L3 (kPrefetchABytes)
};

// The block a thread is multiplying, open to the product's other threads: a thread with no slices
// left helps those still working by taking micro-rows (MR rows × the block's columns, ~20 µs each)
// of their current blocks. Slices are claimed whole, so without this a thread the host slowed
// down near the end left the others idle: 1-3% of a 2-thread 1024² product's mean time on a quiet
// machine, more with a busy neighbour. `claim` holds the block's version (high half) and its next
// micro-row (low half). To open a block the owner first closes the old version (low half
// kClosed), then writes the fields, then publishes the new version. A helper reads the claim word,
// copies the fields, and claims with a compare-and-swap on the whole word: it succeeds only if the
// word did not change meanwhile, so the fields it copied were not being rewritten (a seqlock with
// the claim as its sequence; fields travel by relaxed atomics between release / acquire fences).
constexpr uint64_t kClosed = 0xffffffffu;
template <class T>
struct OpenBlock {
  BlockView<T> view;  // copied in and out field by field with relaxed atomics (CopyView)
  alignas(64) uint64_t claim;
  alignas(64) int64_t done;  // micro-rows of this version finished
};

template <class F>
TL_INLINE void CopyRelaxed(const F& from, F& to) {
  F v;
  __atomic_load(&from, &v, __ATOMIC_RELAXED);
  __atomic_store(&to, &v, __ATOMIC_RELAXED);
}

// Copies a view into an open block's slot (the owner) or out of it (a helper).
template <class T>
void CopyView(const BlockView<T>& from, BlockView<T>& to) {
  CopyRelaxed(from.g, to.g);
  CopyRelaxed(from.apack, to.apack);
  CopyRelaxed(from.bpack, to.bpack);
  CopyRelaxed(from.c, to.c);
  CopyRelaxed(from.mc, to.mc);
  CopyRelaxed(from.nc, to.nc);
  CopyRelaxed(from.kc, to.kc);
  CopyRelaxed(from.beta, to.beta);
  CopyRelaxed(from.prefetch, to.prefetch);
}

// Micro-row r of a block: MR rows × all its columns. While one micro-row runs, the next one's A
// panel is fetched a slice per micro-kernel call (see kPrefetchABytes).
template <class T>
void BlockRow(const BlockView<T>& v, int64_t r) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  const GemmCall<T>& g = *v.g;
  const int64_t ir = r * MR, kc = v.kc;
  const int64_t panel_bytes = MR * kc * int64_t(sizeof(T));
  const int64_t chunk = CeilDiv(panel_bytes, CeilDiv(v.nc, NR) * 64) * 64;  // bytes per call
  const int mr = v.mc - ir < MR ? static_cast<int>(v.mc - ir) : MR;
  const T* a = v.apack + ir * kc;
  const char* next = v.prefetch && ir + MR < v.mc ? reinterpret_cast<const char*>(a + MR * kc) : nullptr;
  int64_t ahead = 0;
  for (int64_t jr = 0; jr < v.nc; jr += NR) {
    const int nr = v.nc - jr < NR ? static_cast<int>(v.nc - jr) : NR;
    if (next != nullptr) {
      for (int64_t end = ahead + chunk; ahead < end && ahead < panel_bytes; ahead += 64) {
        __builtin_prefetch(next + ahead, 0, 3);
      }
    }
    MicroKernel<T, MR, B::NV>(kc, a, v.bpack + jr * kc, v.c + ir * g.c_rs + jr * g.c_cs, g.c_rs, g.c_cs, mr, nr,
                              g.alpha, v.beta);
  }
}

// The macro-kernel over one packed A block (mc × kc) and one packed B block (kc × nc): each A
// micro-panel (MR × kc) stays in L1 while the B micro-panels stream past it from L2. The owner
// opens the block in its slot, takes micro-rows until none are left, then waits for those that
// helpers took (a row is claimed by a running thread, so the wait is short).
template <class T>
void MacroKernel(OpenBlock<T>& o, const GemmCall<T>& g, T* c, int64_t mc, int64_t nc, int64_t kc,
                 const T* apack, const T* bpack, bool first_depth) {
  const int64_t rows = CeilDiv(mc, GemmBlocking<T>::MR);
  const BlockView<T> view{&g, apack, bpack, c, mc, nc, kc, first_depth ? g.beta : T(1),
                          mc * kc * int64_t(sizeof(T)) > kPrefetchABytes};
  const uint64_t version = (__atomic_load_n(&o.claim, __ATOMIC_RELAXED) >> 32) + 1;
  __atomic_store_n(&o.claim, ((version - 1) << 32) | kClosed, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  CopyView(view, o.view);
  __atomic_store_n(&o.done, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&o.claim, version << 32, __ATOMIC_RELEASE);
  int64_t mine = 0;
  for (;;) {
    const int64_t r = static_cast<uint32_t>(__atomic_fetch_add(&o.claim, 1, __ATOMIC_RELAXED));
    if (r >= rows) break;
    BlockRow(view, r);
    mine++;
  }
  if (__atomic_add_fetch(&o.done, mine, __ATOMIC_ACQ_REL) == rows) return;
  while (__atomic_load_n(&o.done, __ATOMIC_ACQUIRE) != rows) CpuRelax();
}

// Takes and computes one micro-row of some thread's open block; false when none has one left.
template <class T>
bool HelpOnce(OpenBlock<T>* slots, int nslots) {
  for (int s = 0; s < nslots; s++) {
    OpenBlock<T>& o = slots[s];
    uint64_t w = __atomic_load_n(&o.claim, __ATOMIC_ACQUIRE);
    if (w == 0 || (w & kClosed) == kClosed) continue;  // never opened, or being rewritten
    BlockView<T> view;
    CopyView(o.view, view);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);  // a field of a newer version means the CAS sees it closed
    if ((w & kClosed) >= static_cast<uint64_t>(CeilDiv(view.mc, GemmBlocking<T>::MR))) continue;
    if (!__atomic_compare_exchange_n(&o.claim, &w, w + 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) continue;
    BlockRow(view, static_cast<uint32_t>(w));
    __atomic_add_fetch(&o.done, 1, __ATOMIC_RELEASE);
    return true;
  }
  return false;
}

// C[b][m0:m1, n0:n1] on the calling thread. Loop order (BLIS's, with A as the broadcast side):
// MCL3 rows of A → KC of depth (pack the A block once: MCL3 × KC, in L3) → NC columns of B (pack the
// B block, KC × NC, kept in L2) → the macro-kernel. A is packed once per slice and B once per MCL3 rows
// of it. The opposite order (B block outermost, A blocks of MC rows in L2) repacked all of A for
// every NC columns: packing took ~6.5% of a one-thread 2048² product, ~4% now.
template <class T>
void GemmBlock(const GemmCall<T>& g, int64_t b, int64_t m0, int64_t m1, int64_t n0, int64_t n1, T* apack,
               T* bpack, OpenBlock<T>& open) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  if (g.k == 0) {
    ScaleC(g, b, m0, m1, n0, n1);
    return;
  }
  T* c = g.c + g.c_batch.Offset(b);
  // Equal depth blocks (K = 576 runs as 2 × 288, not 512 + 64: one short pass over C costs as
  // much C traffic as a full one).
  const int64_t kstep = CeilDiv(g.k, CeilDiv(g.k, B::KC));
  for (int64_t ic = m0; ic < m1; ic += B::MCL3) {
    const int64_t mc = m1 - ic < B::MCL3 ? m1 - ic : B::MCL3;
    for (int64_t pc = 0; pc < g.k; pc += kstep) {
      const int64_t kc = g.k - pc < kstep ? g.k - pc : kstep;
      Pack(g.a, b, ic, mc, pc, kc, MR, apack);
      for (int64_t jc = n0; jc < n1; jc += B::NC) {
        const int64_t nc = n1 - jc < B::NC ? n1 - jc : B::NC;
        Pack(g.bt, b, jc, nc, pc, kc, NR, bpack);
        MacroKernel(open, g, c + ic * g.c_rs + jc * g.c_cs, mc, nc, kc, apack, bpack, pc == 0);
      }
    }
  }
}

#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
// Products skip packing when both operands are plain row-major views that fit in L2 together and
// the depth is one block: the micro-kernel reads them where they are (MicroKernelDirect), A's rows
// from L1 and B's from L2, threads splitting the micro-rows. Measured on Zen 4 (float32 n³,
// GFLOP/s, packed → direct): one core 64: 95 → 111, 128: 105 → 114, 256: 108 → 115; two cores
// 128: 158 → 208, 192: 184 → 201, 256: 198 → 227 (97% of the FMA peak). 384³ does not fit and
// measured the same either way.
constexpr int64_t kDirectBytes = int64_t(512) << 10;  // (m + n) · k elements at most, in bytes

template <class T>
bool DirectEligible(const GemmCall<T>& g) {
  return g.a.pack == nullptr && g.bt.pack == nullptr && g.a.ks == 1 && g.bt.rs == 1 && g.c_cs == 1 && g.k > 0 &&
         g.k <= GemmBlocking<T>::KC && (g.m + g.n) * g.k * int64_t(sizeof(T)) <= kDirectBytes;
}

// Micro-rows [u0, u1) of the product, counted over the batch (unit = item · row tiles + tile).
template <class T>
void DirectRows(const GemmCall<T>& g, int64_t u0, int64_t u1) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  const int64_t tiles = CeilDiv(g.m, MR);
  for (int64_t u = u0; u < u1; u++) {
    const int64_t b = u / tiles, i = (u % tiles) * MR;
    const int mr = g.m - i < MR ? static_cast<int>(g.m - i) : MR;
    const T* a = g.a.p + g.a.batch.Offset(b) + i * g.a.rs;
    const T* bt = g.bt.p + g.bt.batch.Offset(b);
    T* c = g.c + g.c_batch.Offset(b) + i * g.c_rs;
    for (int64_t j = 0; j < g.n; j += NR) {
      if (g.n - j >= NR) {
        MicroKernelDirect<T, MR, B::NV, true>(g.k, a, g.a.rs, bt + j, g.bt.ks, c + j, g.c_rs, mr, NR, g.alpha, g.beta);
      } else {
        MicroKernelDirect<T, MR, B::NV, false>(g.k, a, g.a.rs, bt + j, g.bt.ks, c + j, g.c_rs, mr,
                                               static_cast<int>(g.n - j), g.alpha, g.beta);
      }
    }
  }
}

template <class T>
void DirectTask(void* p, int ith, int nth) {
  const GemmCall<T>& g = *static_cast<const GemmCall<T>*>(p);
  int64_t u0, u1;
  Split(g.batch * CeilDiv(g.m, GemmBlocking<T>::MR), ith, nth, &u0, &u1);
  DirectRows(g, u0, u1);
}
#endif

// How the work is cut: `units` = batch × tm × tn slices of C. Threads take slices one at a time
// as they finish (an atomic counter), so a thread the OS parks on a busy machine holds up one
// slice, not half the product, and a thread with none left helps with the blocks still open
// (OpenBlock). Which thread computes a slice or a micro-row never changes the result: every element
// sums the same depth blocks in the same order.
template <class T>
struct GemmJob {
  const GemmCall<T>* g;
  int64_t tm, tn;        // slices of M and N per batch item
  int64_t mstep, nstep;  // rows / columns per slice (multiples of MR / NR)
  int64_t units;
  int64_t next;          // the next slice to take (__atomic builtins)
  int64_t finished;      // slices done
  OpenBlock<T>* open;    // each thread's open block, by its slice number ith (nslots of them)
  int nslots;
  volatile int status;
};

template <class T>
void GemmTask(void* p, int ith, int) {
  GemmJob<T>& job = *static_cast<GemmJob<T>*>(p);
  const GemmCall<T>& g = *job.g;
  T* apack = nullptr;
  T* bpack = nullptr;
  OpenBlock<T> unshared;  // where this thread's blocks open when the product runs without helping
  unshared.claim = 0;
  OpenBlock<T>& open = job.nslots > 1 ? job.open[ith] : unshared;
  for (;;) {
    const int64_t u = __atomic_fetch_add(&job.next, 1, __ATOMIC_RELAXED);
    if (u >= job.units) break;
    if (g.k > 0 && apack == nullptr) {
      char* mem = static_cast<char*>(tl_arena.Get());
      if (mem == nullptr) {
        job.status = TL_ERR_NOMEM;
        __atomic_add_fetch(&job.finished, 1, __ATOMIC_RELEASE);
        continue;
      }
      using B = GemmBlocking<T>;
      apack = reinterpret_cast<T*>(mem);
      bpack = apack + size_t(B::MCL3) * B::KC;
    }
    const int64_t per_item = job.tm * job.tn;
    const int64_t b = u / per_item;
    const int64_t im = (u % per_item) / job.tn, jn = u % job.tn;
    const int64_t m0 = im * job.mstep, n0 = jn * job.nstep;
    const int64_t m1 = m0 + job.mstep < g.m ? m0 + job.mstep : g.m;
    const int64_t n1 = n0 + job.nstep < g.n ? n0 + job.nstep : g.n;
    if (m0 < m1 && n0 < n1) GemmBlock(g, b, m0, m1, n0, n1, apack, bpack, open);
    __atomic_add_fetch(&job.finished, 1, __ATOMIC_RELEASE);
  }
  if (job.nslots <= 1) return;
  // No slices left: help the threads still on theirs until every slice is done. Polling gives way
  // to the OS after a while, in case the thread it waits for is waiting for this core.
  for (int idle = 0; __atomic_load_n(&job.finished, __ATOMIC_ACQUIRE) < job.units;) {
    if (HelpOnce(job.open, job.nslots)) {
      idle = 0;
    } else if (++idle < 4096) {
      CpuRelax();
    } else {
      sched_yield();
    }
  }
}

// Multiply-adds worth waking a thread for (~10 µs of work at one core's ~100 GFLOP/s). The small
// products of a training step (W2's 128×512·10 layer and its gradients, ~0.7M multiply-adds, ~15-50
// µs on one thread) ran slower on 2 threads than on 1: the handoff to a second thread costs more than
// half the product whenever the cores are shared (~200 µs each at load 5 on 2 cores).
constexpr int64_t kGrainMacs = int64_t(1) << 20;
// Packing one element of A or B costs about as much as this many multiply-adds.
constexpr double kPackCost = 12;

template <class T>
int RunGemm(const GemmCall<T>& g, const tl_runtime* rt) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return TL_OK;
  const int64_t macs = g.batch * g.m * g.n * (g.k > 0 ? g.k : 1);
  int nth = ThreadsFor(rt, macs, kGrainMacs);
#if defined(TENSILE_ISA_AVX512) || defined(TENSILE_ISA_AVX2)
  if (DirectEligible(g)) {
    // Threads split the micro-rows; each reads all of B, which fits its L2.
    const int64_t units = g.batch * CeilDiv(g.m, B::MR);
    if (nth > units) nth = static_cast<int>(units);
    rt->parallel_for(nth, DirectTask<T>, const_cast<GemmCall<T>*>(&g));
    return TL_OK;
  }
#endif
  GemmJob<T> job;
  job.g = &g;
  job.status = TL_OK;
  job.next = 0;
  job.tm = job.tn = 1;
  const int64_t mp = CeilDiv(g.m, MR), np = CeilDiv(g.n, NR);
  // One slice per thread: a thread the host parks is covered by the others helping with its open
  // blocks (OpenBlock), without the extra packing that two slices per thread cost. Two per thread
  // for products from 2^26 multiply-adds (as before) measured slower at 1024²: AVX-512 207.4
  // against 212.7 GFLOP/s (mean of 30 interleaved rounds in bench/micro/sgemm_native.cc), AVX2
  // 203.0 against 209.6 (12 rounds); at 2048² the same within 0.5%.
  if (nth > 1 && g.batch < nth) {
    // Pick the cut of each item into tm × tn slices that minimizes the waves of slices times a
    // slice's cost: its tile area plus the panels it packs (each slice packs its rows of A once,
    // and its columns of B once per MCL3 rows, see GemmBlock).
    const int64_t want = CeilDiv(nth, g.batch);
    double best = -1;
    for (int64_t tm = 1; tm <= mp && tm <= 4 * want; tm++) {
      for (int64_t tn = 1; tn <= np && tn <= 4 * want; tn++) {
        if (tm * tn < want && !(tm == mp && tn == np)) continue;
        const double rows = double(CeilDiv(mp, tm) * MR), cols = double(CeilDiv(np, tn) * NR);
        const double waves = double(CeilDiv(g.batch * tm * tn, nth));
        const double bpacks = double(CeilDiv(CeilDiv(mp, tm) * MR, B::MCL3));
        const double cost = waves * (rows * cols + kPackCost * (rows + cols * bpacks));
        if (best < 0 || cost < best * (1 - 1e-9)) {
          best = cost;
          job.tm = tm;
          job.tn = tn;
        }
      }
    }
  }
  job.mstep = CeilDiv(mp, job.tm) * MR;
  job.nstep = CeilDiv(np, job.tn) * NR;
  job.units = g.batch * job.tm * job.tn;
  if (nth > job.units) nth = static_cast<int>(job.units);
  job.finished = 0;
  // Open-block slots, one per slice of the pool; a larger pool runs without helping.
  constexpr int kMaxSlots = 16;
  OpenBlock<T> slots[kMaxSlots];
  job.open = slots;
  job.nslots = nth <= kMaxSlots ? nth : 1;
  for (int i = 0; i < job.nslots; i++) slots[i].claim = 0;
  rt->parallel_for(nth, GemmTask<T>, &job);
  return job.status;
}

// A [B, R, C] operand's dims and strides, or a [R, C] one's as a batch of one (batch stride 0).
struct MatrixDims {
  int64_t batch, rows, cols, batch_stride, row_stride, col_stride;
};
MatrixDims DimsOf(const tl_tensor& t) {
  const int o = t.ndim - 2;  // 1 for a batch, 0 for a matrix
  return {o == 1 ? t.shape[0] : 1, t.shape[o], t.shape[o + 1], o == 1 && t.shape[0] != 1 ? t.strides[0] : 0,
          t.strides[o], t.strides[o + 1]};
}

// matmul: a [B, M, K] · b [B, K, N] → out [B, M, N] (contiguous), inputs with any strides (a
// transposed operand is a stride swap, a broadcast batch stride 0); or all three 2-D, a [M, K] ·
// b [K, N] → out [M, N] (mm: no batch-of-one views built per call). Same contract as the js kernel.
template <class T>
int MatmulT(const tl_args* args, const tl_runtime* rt) {
  const tl_tensor& a = args->t[0];
  const tl_tensor& b = args->t[1];
  const tl_tensor& out = args->t[2];
  const MatrixDims da = DimsOf(a), db = DimsOf(b), dc = DimsOf(out);
  GemmCall<T> g;
  g.batch = dc.batch;
  g.m = da.rows;
  g.k = da.cols;
  g.n = db.cols;
  g.a = StridedOperand<T>(Base<const T>(a), da.row_stride, da.col_stride, da.batch_stride);
  g.bt = StridedOperand<T>(Base<const T>(b), db.col_stride, db.row_stride, db.batch_stride);
  g.c = Base<T>(out);
  g.c_rs = g.n;
  g.c_cs = 1;
  g.c_batch.outer = g.m * g.n;
  return RunGemm(g, rt);
}

int Matmul(const tl_args* args, const tl_runtime* rt) {
  if (args->n_in != 2 || args->n_out != 1) return TL_ERR_ARGS;
  const tl_tensor& a = args->t[0];
  const tl_tensor& b = args->t[1];
  const tl_tensor& out = args->t[2];
  if ((a.ndim != 3 && a.ndim != 2) || b.ndim != a.ndim || out.ndim != a.ndim) return TL_ERR_ARGS;
  const MatrixDims da = DimsOf(a), db = DimsOf(b), dc = DimsOf(out);
  if (da.cols != db.rows || dc.rows != da.rows || dc.cols != db.cols || (da.batch != dc.batch && da.batch != 1) ||
      (db.batch != dc.batch && db.batch != 1)) {
    return TL_ERR_ARGS;
  }
  if (a.dtype != b.dtype || a.dtype != out.dtype) return TL_ERR_UNSUPPORTED;
  if (!IsContiguous(out)) return TL_ERR_ARGS;
  switch (a.dtype) {
    case TL_F32: return MatmulT<float>(args, rt);
    case TL_F64: return MatmulT<double>(args, rt);
    default: return TL_ERR_UNSUPPORTED;
  }
}

}  // namespace

int Gemm(const GemmCall<float>& call, const tl_runtime* rt) { return RunGemm(call, rt); }
int Gemm(const GemmCall<double>& call, const tl_runtime* rt) { return RunGemm(call, rt); }

}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(gemm) = {
    {"matmul", tensile::TENSILE_ISA::Matmul},  // a [B,M,K] · b [B,K,N] → [B,M,N], or all 2-D; no attrs
    {nullptr, nullptr},
};
