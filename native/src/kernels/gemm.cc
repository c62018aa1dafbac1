// The GEMM driver (BLIS-style blocking around the micro-kernel of gemm_micro.h) and the matmul
// kernel. Loop order per thread, outermost first: NC columns of B → KC of depth (pack B block, kept
// in L2) → MC rows of A (pack A block) → MR rows (an A micro-panel, kept in L1) → NR columns.
// Threads split the batch, or the rows and columns of C, into slices that pack their own panels,
// so no thread waits on another.
#include <stdlib.h>

#include "gemm.h"
#include "gemm_micro.h"
#include "gemm_pack.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// Per-thread packing memory: allocated on a thread's first GEMM and kept for its lifetime (pool
// threads live as long as the pool), so no GEMM call allocates. Sized for the larger of the float
// and double blockings.
template <class T>
constexpr size_t ArenaBytesFor() {
  using B = GemmBlocking<T>;
  return (size_t(B::MC) * B::KC + size_t(B::KC) * B::NC) * sizeof(T);
}
constexpr size_t kArenaBytes =
    ArenaBytesFor<float>() > ArenaBytesFor<double>() ? ArenaBytesFor<float>() : ArenaBytesFor<double>();

struct Arena {
  void* mem = nullptr;
  ~Arena() { free(mem); }
  void* Get() {
    if (mem == nullptr && posix_memalign(&mem, 64, kArenaBytes) != 0) mem = nullptr;
    return mem;
  }
};
thread_local Arena tl_arena;

TL_INLINE int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

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

// C[b][m0:m1, n0:n1] on the calling thread.
template <class T>
void GemmBlock(const GemmCall<T>& g, int64_t b, int64_t m0, int64_t m1, int64_t n0, int64_t n1, T* apack,
               T* bpack) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  if (g.k == 0) {
    ScaleC(g, b, m0, m1, n0, n1);
    return;
  }
  T* c = g.c + g.c_batch.Offset(b);
  // Equal depth blocks (K = 288 runs as 2 × 144, not 256 + 32: one short pass over C costs as
  // much C traffic as a full one).
  const int64_t kstep = CeilDiv(g.k, CeilDiv(g.k, B::KC));
  for (int64_t jc = n0; jc < n1; jc += B::NC) {
    const int64_t nc = n1 - jc < B::NC ? n1 - jc : B::NC;
    for (int64_t pc = 0; pc < g.k; pc += kstep) {
      const int64_t kc = g.k - pc < kstep ? g.k - pc : kstep;
      Pack(g.bt, b, jc, nc, pc, kc, NR, bpack);
      const T beta = pc == 0 ? g.beta : T(1);
      for (int64_t ic = m0; ic < m1; ic += B::MC) {
        const int64_t mc = m1 - ic < B::MC ? m1 - ic : B::MC;
        Pack(g.a, b, ic, mc, pc, kc, MR, apack);
        for (int64_t ir = 0; ir < mc; ir += MR) {
          const int mr = mc - ir < MR ? static_cast<int>(mc - ir) : MR;
          for (int64_t jr = 0; jr < nc; jr += NR) {
            const int nr = nc - jr < NR ? static_cast<int>(nc - jr) : NR;
            MicroKernel<T, MR, B::NV>(kc, apack + ir * kc, bpack + jr * kc, c + (ic + ir) * g.c_rs + (jc + jr) * g.c_cs,
                                      g.c_rs, g.c_cs, mr, nr, g.alpha, beta);
          }
        }
      }
    }
  }
}

// How the work is cut: `units` = batch × tm × tn slices, dealt to threads in contiguous runs.
template <class T>
struct GemmJob {
  const GemmCall<T>* g;
  int64_t tm, tn;      // slices of M and N per batch item
  int64_t mstep, nstep;  // rows / columns per slice (multiples of MR / NR)
  int64_t units;
  volatile int status;
};

template <class T>
void GemmTask(void* p, int ith, int nth) {
  GemmJob<T>& job = *static_cast<GemmJob<T>*>(p);
  const GemmCall<T>& g = *job.g;
  int64_t u0, u1;
  Split(job.units, ith, nth, &u0, &u1);
  if (u0 >= u1) return;
  T* apack = nullptr;
  T* bpack = nullptr;
  if (g.k > 0) {
    char* mem = static_cast<char*>(tl_arena.Get());
    if (mem == nullptr) {
      job.status = TL_ERR_NOMEM;
      return;
    }
    using B = GemmBlocking<T>;
    apack = reinterpret_cast<T*>(mem);
    bpack = apack + size_t(B::MC) * B::KC;
  }
  const int64_t per_item = job.tm * job.tn;
  for (int64_t u = u0; u < u1; u++) {
    const int64_t b = u / per_item;
    const int64_t im = (u % per_item) / job.tn, jn = u % job.tn;
    const int64_t m0 = im * job.mstep, n0 = jn * job.nstep;
    const int64_t m1 = m0 + job.mstep < g.m ? m0 + job.mstep : g.m;
    const int64_t n1 = n0 + job.nstep < g.n ? n0 + job.nstep : g.n;
    if (m0 < m1 && n0 < n1) GemmBlock(g, b, m0, m1, n0, n1, apack, bpack);
  }
}

// Multiply-adds worth waking a thread for (a few microseconds of work).
constexpr int64_t kGrainMacs = int64_t(1) << 18;

template <class T>
int RunGemm(const GemmCall<T>& g, const tl_runtime* rt) {
  using B = GemmBlocking<T>;
  constexpr int MR = B::MR, NR = B::NV * VecOf<T>::V::W;
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return TL_OK;
  const int64_t macs = g.batch * g.m * g.n * (g.k > 0 ? g.k : 1);
  int nth = ThreadsFor(rt, macs, kGrainMacs);
  if (g.max_threads > 0 && nth > g.max_threads) nth = g.max_threads;
  GemmJob<T> job;
  job.g = &g;
  job.status = TL_OK;
  job.tm = job.tn = 1;
  const int64_t mp = CeilDiv(g.m, MR), np = CeilDiv(g.n, NR);
  if (nth > 1 && !(g.batch % nth == 0 || g.batch >= 4 * nth)) {
    // Cut each item into nth slices, choosing the split of M × N that minimizes the largest slice's
    // tile area plus the panels it packs (a slice packs all of its rows of A and columns of B).
    double best = -1;
    for (int64_t tm = 1; tm <= nth; tm++) {
      if (nth % tm != 0) continue;
      const int64_t tn = nth / tm;
      if (tm > mp || tn > np) continue;
      const double rows = double(CeilDiv(mp, tm) * MR), cols = double(CeilDiv(np, tn) * NR);
      const double cost = rows * cols + 2.0 * (rows + cols);
      if (best < 0 || cost < best) {
        best = cost;
        job.tm = tm;
        job.tn = tn;
      }
    }
  }
  job.mstep = CeilDiv(mp, job.tm) * MR;
  job.nstep = CeilDiv(np, job.tn) * NR;
  job.units = g.batch * job.tm * job.tn;
  if (nth > job.units) nth = static_cast<int>(job.units);
  rt->parallel_for(nth, GemmTask<T>, &job);
  return job.status;
}

// matmul: a [B, M, K] · b [B, K, N] → out [B, M, N] (contiguous), inputs with any strides (a
// transposed operand is a stride swap, a broadcast batch stride 0). Same contract as the js kernel.
template <class T>
int MatmulT(const tl_args* args, const tl_runtime* rt) {
  const tl_tensor& a = args->t[0];
  const tl_tensor& b = args->t[1];
  const tl_tensor& out = args->t[2];
  GemmCall<T> g;
  g.batch = out.shape[0];
  g.m = a.shape[1];
  g.k = a.shape[2];
  g.n = b.shape[2];
  g.a = StridedOperand<T>(Base<const T>(a), a.strides[1], a.strides[2], a.shape[0] == 1 ? 0 : a.strides[0]);
  g.bt = StridedOperand<T>(Base<const T>(b), b.strides[2], b.strides[1], b.shape[0] == 1 ? 0 : b.strides[0]);
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
  if (a.ndim != 3 || b.ndim != 3 || out.ndim != 3) return TL_ERR_ARGS;
  const int64_t batch = out.shape[0];
  if (a.shape[2] != b.shape[1] || out.shape[1] != a.shape[1] || out.shape[2] != b.shape[2] ||
      (a.shape[0] != batch && a.shape[0] != 1) || (b.shape[0] != batch && b.shape[0] != 1)) {
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
    {"matmul", tensile::TENSILE_ISA::Matmul},  // a [B,M,K] · b [B,K,N] → [B,M,N]; no attrs
    {nullptr, nullptr},
};
