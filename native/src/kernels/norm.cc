// The fused normalization kernels, with the contracts of src/backends/js/norm.ts: contiguous
// x [N, C, S...] whose C channels form G groups of Cg; statistic m = (perSample ? n·G : 0) + c / Cg.
// The values of (sample n, group g) are one contiguous block of Cg·S, so
//   BatchNorm  (perSample 0, G = C): statistic c = N blocks of S values at stride C·S;
//   GroupNorm  (perSample 1):        statistic (n, g) = one block of Cg·S values;
//   LayerNorm  (perSample 1, G = 1, x viewed as [rows, features], S = 1): one row per statistic,
//              with per-element weights.
// Work is split over statistics (normStats, normGroupGrad), channels (normAffineGrad) or blocks
// (normApply, normInputGrad). Sums accumulate in float64 and the variance takes two passes over each
// chunk of a statistic's values (the second from L1), merged pairwise, so float32 does not drift.
// Attributes, in order: groups, perSample, eps, hasWeight, hasBias. Inputs as the ops list them.
#include "norm_cols.h"

namespace tensile {
namespace TENSILE_ISA {
namespace {

// ---- normStats: per statistic, chunk by chunk: each chunk's mean and squared deviations in two
// passes (the second from L1), then merged into the running (count, mean, M2) with Chan et al.'s
// pairwise update. One pass over memory, and as accurate as two passes over the whole statistic. ----
constexpr int64_t kChunk = 2048;

struct Moments {
  double count = 0, mean = 0, m2 = 0;
  // Adds a chunk of k values with mean cm and Σ (x − cm)² = cq.
  TL_INLINE void Merge(double k, double cm, double cq) {
    if (count == 0) {
      count = k;
      mean = cm;
      m2 = cq;
      return;
    }
    const double total = count + k, delta = cm - mean;
    mean += delta * (k / total);
    m2 += cq + delta * delta * (count * k / total);
    count = total;
  }
};

template <class T>
void StatsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  const int64_t len = q.cg * q.s;
  int64_t start, end;
  Split(q.m, ith, nth, &start, &end);
  for (int64_t m = start; m < end; m++) {
    int64_t n0, n1, gi;
    BlocksOf(q, m, &n0, &n1, &gi);
    Moments acc;
    for (int64_t n = n0; n < n1; n++) {
      const T* x = c.x + (n * q.c + gi * q.cg) * q.s;
      for (int64_t off = 0; off < len; off += kChunk) {
        const int64_t k = len - off < kChunk ? len - off : kChunk;
        const double cm = SumD(x + off, k) / static_cast<double>(k);
        acc.Merge(static_cast<double>(k), cm, SqDevD(x + off, k, cm));
      }
    }
    c.out[m] = static_cast<T>(acc.mean);
    c.out[q.m + m] = static_cast<T>(acc.m2 / static_cast<double>(q.count));
  }
}

// BatchNorm's statistics (one per channel over the batch): like AffineGradTask, a range of channels
// per task with the samples outermost, so memory is read in order.
template <class T>
void StatsChannelsTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.c, ith, nth, &start, &end);
  Moments acc[kTile];
  for (int64_t c0 = start; c0 < end; c0 += kTile) {
    const int64_t len = end - c0 < kTile ? end - c0 : kTile;
    for (int64_t k = 0; k < len; k++) acc[k] = Moments();
    for (int64_t n = 0; n < q.n; n++) {
      for (int64_t k = 0; k < len; k++) {
        const T* x = c.x + (n * q.c + c0 + k) * q.s;
        for (int64_t off = 0; off < q.s; off += kChunk) {
          const int64_t cnt = q.s - off < kChunk ? q.s - off : kChunk;
          const double cm = SumD(x + off, cnt) / static_cast<double>(cnt);
          acc[k].Merge(static_cast<double>(cnt), cm, SqDevD(x + off, cnt, cm));
        }
      }
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(acc[k].mean);
      c.out[q.c + c0 + k] = static_cast<T>(acc[k].m2 / static_cast<double>(q.count));
    }
  }
}

// ---- normApply: per block (n, g) ----
template <class T>
void ApplyTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.n * q.g, ith, nth, &start, &end);
  for (int64_t blk = start; blk < end; blk++) {
    const int64_t n = blk / q.g, gi = blk % q.g, m = StatOf(q, n, gi);
    const double r = InvStd(c, m);
    const T mu = c.stats[m];
    const int64_t c0 = gi * q.cg, base = (n * q.c + c0) * q.s;
    if (q.s == 1) {
      AffineRowW<T>(c.x + base, c.out + base, q.cg, mu, static_cast<T>(r), q.has_w ? c.w + c0 : nullptr, q.has_b ? c.b + c0 : nullptr);
      continue;
    }
    for (int64_t k = 0; k < q.cg; k++) {
      const double a = (q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0) * r;
      const T b = q.has_b ? c.b[c0 + k] : T(0);
      AffineRun<T>(c.x + base + k * q.s, c.out + base + k * q.s, q.s, mu, static_cast<T>(a), b);
    }
  }
}

// ---- normAffineGrad: per channel Σ gy·x̂ and Σ gy. A task takes a range of channels and walks the
// samples outermost, so for each sample it reads its channels' runs in memory order. ----
template <class T>
void AffineGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.c, ith, nth, &start, &end);
  double dw[kTile], db[kTile];
  for (int64_t c0 = start; c0 < end; c0 += kTile) {
    const int64_t len = end - c0 < kTile ? end - c0 : kTile;
    for (int64_t k = 0; k < len; k++) dw[k] = db[k] = 0;
    for (int64_t n = 0; n < q.n; n++) {
      for (int64_t k = 0; k < len; k++) {
        const int64_t m = StatOf(q, n, (c0 + k) / q.cg), off = (n * q.c + c0 + k) * q.s;
        double sg, sgx;
        GyDevD<T>(c.gy + off, c.x + off, nullptr, q.s, static_cast<double>(c.stats[m]), &sg, &sgx);
        dw[k] += sgx * InvStd(c, m);
        db[k] += sg;
      }
    }
    for (int64_t k = 0; k < len; k++) {
      c.out[c0 + k] = static_cast<T>(dw[k]);
      c.out[q.c + c0 + k] = static_cast<T>(db[k]);
    }
  }
}

// ---- normGroupGrad: per statistic Σ gy·w·x̂ and Σ gy·w ----
template <class T>
void GroupGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.m, ith, nth, &start, &end);
  for (int64_t m = start; m < end; m++) {
    int64_t n0, n1, gi;
    BlocksOf(q, m, &n0, &n1, &gi);
    const double mu = static_cast<double>(c.stats[m]);
    const int64_t c0 = gi * q.cg;
    double s0 = 0, s1 = 0;
    for (int64_t n = n0; n < n1; n++) {
      const int64_t base = (n * q.c + c0) * q.s;
      if (q.s == 1) {
        double sg, sgx;
        GyDevD<T>(c.gy + base, c.x + base, q.has_w ? c.w + c0 : nullptr, q.cg, mu, &sg, &sgx);
        s0 += sgx;
        s1 += sg;
        continue;
      }
      for (int64_t k = 0; k < q.cg; k++) {
        double sg, sgx;
        GyDevD<T>(c.gy + base + k * q.s, c.x + base + k * q.s, nullptr, q.s, mu, &sg, &sgx);
        const double wk = q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0;
        s0 += wk * sgx;
        s1 += wk * sg;
      }
    }
    c.out[m] = static_cast<T>(s0 * InvStd(c, m));
    c.out[q.m + m] = static_cast<T>(s1);
  }
}

// ---- normInputGrad: per block, dx = gy·w·r + (x − mean)·B + C ----
template <class T>
void InputGradTask(void* p, int ith, int nth) {
  const Ctx<T>& c = *static_cast<const Ctx<T>*>(p);
  const Geo& q = c.q;
  int64_t start, end;
  Split(q.n * q.g, ith, nth, &start, &end);
  const double inv_count = 1.0 / static_cast<double>(q.count);
  for (int64_t blk = start; blk < end; blk++) {
    const int64_t n = blk / q.g, gi = blk % q.g, m = StatOf(q, n, gi);
    const double r = InvStd(c, m);
    const T mu = c.stats[m];
    const T B = static_cast<T>(-r * r * static_cast<double>(c.sums[m]) * inv_count);
    const T C = static_cast<T>(-r * static_cast<double>(c.sums[q.m + m]) * inv_count);
    const int64_t c0 = gi * q.cg, base = (n * q.c + c0) * q.s;
    if (q.s == 1) {
      GradRowW<T>(c.gy + base, c.x + base, q.has_w ? c.w + c0 : nullptr, c.out + base, q.cg, static_cast<T>(r), mu, B, C);
      continue;
    }
    for (int64_t k = 0; k < q.cg; k++) {
      const double a = (q.has_w ? static_cast<double>(c.w[c0 + k]) : 1.0) * r;
      GradRun<T>(c.gy + base + k * q.s, c.x + base + k * q.s, c.out + base + k * q.s, q.s, static_cast<T>(a), mu, B, C);
    }
  }
}

// Elements per thread worth splitting for.
constexpr int64_t kGrain = 1 << 14;

enum Kind { kStats, kApply, kAffineGrad, kGroupGrad, kInputGrad };

template <class T>
int Run(const tl_args* a, const tl_runtime* rt, Kind kind) {
  // Inputs: stats/apply: x first; the gradients: gy, x, stats first.
  const bool grad = kind == kAffineGrad || kind == kGroupGrad || kind == kInputGrad;
  const tl_tensor& x = a->t[grad ? 1 : 0];
  Ctx<T> c;
  if (!MakeGeo(x, a, &c.q)) return TL_ERR_ARGS;
  const Geo& q = c.q;
  const int n_fixed = kind == kStats ? 1 : kind == kApply ? 2 : kind == kInputGrad ? 4 : 3;
  const int n_in = n_fixed + (q.has_w ? 1 : 0) + (q.has_b ? 1 : 0);
  if (a->n_in != n_in || a->n_out != 1) return TL_ERR_ARGS;
  for (int i = 0; i <= n_in; i++) {
    if (a->t[i].dtype != x.dtype) return TL_ERR_UNSUPPORTED;
    if (!IsContiguous(a->t[i])) return TL_ERR_ARGS;
  }
  c.x = Base<const T>(x);
  c.gy = grad ? Base<const T>(a->t[0]) : nullptr;
  c.stats = kind == kStats ? nullptr : Base<const T>(a->t[grad ? 2 : 1]);
  c.sums = kind == kInputGrad ? Base<const T>(a->t[3]) : nullptr;
  c.w = q.has_w ? Base<const T>(a->t[n_fixed]) : nullptr;
  c.b = q.has_b ? Base<const T>(a->t[n_fixed + (q.has_w ? 1 : 0)]) : nullptr;
  c.out = Base<T>(a->t[n_in]);
  if (q.m == 0 || q.count == 0) return TL_OK;
  const int64_t work = q.n * q.c * q.s;
  int nth = ThreadsFor(rt, work, kGrain);
  // Column tiles (BatchNorm1d, LayerNorm's affine gradient): narrower than kTile when there are
  // fewer than one kTile per thread, a multiple of 16 values.
  const int64_t per = (q.c + nth - 1) / nth;
  c.tile = per >= kTile ? kTile : (per + 15) & ~int64_t(15);
  const bool bn_cols = q.s == 1 && !q.per_sample && q.g == q.c;
  switch (kind) {
    case kStats:
      if (bn_cols) rt->parallel_for(nth, StatsColsTask<T>, &c);
      else if (!q.per_sample && q.cg == 1) rt->parallel_for(nth < q.c ? nth : static_cast<int>(q.c), StatsChannelsTask<T>, &c);
      else rt->parallel_for(nth < q.m ? nth : static_cast<int>(q.m), StatsTask<T>, &c);
      break;
    case kApply:
      rt->parallel_for(nth, bn_cols ? ElemColsTask<T, false> : ApplyTask<T>, &c);
      break;
    case kAffineGrad:
      if (bn_cols) rt->parallel_for(nth, AffineGradBnColsTask<T>, &c);
      else if (q.s == 1 && q.per_sample && q.g == 1) rt->parallel_for(nth, AffineGradColsTask<T>, &c);
      else rt->parallel_for(nth, AffineGradTask<T>, &c);
      break;
    case kGroupGrad:
      rt->parallel_for(nth, GroupGradTask<T>, &c);
      break;
    case kInputGrad:
      rt->parallel_for(nth, bn_cols ? ElemColsTask<T, true> : InputGradTask<T>, &c);
      break;
  }
  return TL_OK;
}

template <int kKind>
int NormKernel(const tl_args* a, const tl_runtime* rt) {
  if (a->n_in < 1) return TL_ERR_ARGS;
  const int dt = a->t[kKind == kStats || kKind == kApply ? 0 : 1].dtype;
  if (dt == TL_F32) return Run<float>(a, rt, static_cast<Kind>(kKind));
  if (dt == TL_F64) return Run<double>(a, rt, static_cast<Kind>(kKind));
  return TL_ERR_UNSUPPORTED;
}

}  // namespace
}  // namespace TENSILE_ISA
}  // namespace tensile

TL_FAMILY_TABLE(norm) = {
    {"normStats", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kStats>},
    {"normApply", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kApply>},
    {"normAffineGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kAffineGrad>},
    {"normGroupGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kGroupGrad>},
    {"normInputGrad", tensile::TENSILE_ISA::NormKernel<tensile::TENSILE_ISA::kInputGrad>},
    {nullptr, nullptr},
};
