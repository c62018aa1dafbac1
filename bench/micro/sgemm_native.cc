// The native GEMM without Node: native/src/kernels/gemm.cc (one ISA level's build) on the addon's thread
// pool, timing square float32 products call by call. For A/B work on the GEMM: the figures carry no
// JavaScript, allocator or V8 noise, and a build takes seconds. Prints the mean (what the bench's
// repetitions measure), the median and the best GFLOP/s and their fraction of the FMA peak
// (117 GFLOP/s per core on the Zen 4 bench machine), and checks 2,000 elements against float64 sums.
//
// Build and run from the repository root (an AVX-512 machine):
//   g++ -O3 -std=gnu++17 -fno-math-errno -ffp-contract=off -mavx512f -mavx512bw -mavx512vl \
//     -mavx512dq -mavx2 -mfma -mf16c -DTENSILE_ISA=avx512 -DTENSILE_ISA_AVX512 \
//     -Inative/include -Inative/src -Inative/src/kernels bench/micro/sgemm_native.cc \
//     native/src/runtime/threadpool.cc -o /tmp/sgemm_native -lpthread
//   /tmp/sgemm_native n [threads=2] [calls=20]
// The AVX2 level: `-mavx2 -mfma -mf16c -DTENSILE_ISA=avx2 -DTENSILE_ISA_AVX2` instead of the AVX-512
// flags. Compare builds by interleaving them (a b a b ...) over many rounds: the host's noise comes
// in phases of tens of seconds, longer than one call.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "kernels/gemm.cc"
#include "runtime/threadpool.h"

namespace {

constexpr double kPeakPerCore = 117;  // GFLOP/s, bench/machine/peak.c on the bench machine

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s n [threads=2] [calls=20]\n", argv[0]);
    return 2;
  }
  const int n = atoi(argv[1]);
  const int threads = argc > 2 ? atoi(argv[2]) : 2;
  const int calls = argc > 3 ? atoi(argv[3]) : 20;
  if (n < 1 || threads < 1 || calls < 1) {
    fprintf(stderr, "n, threads and calls must be positive, got %d %d %d\n", n, threads, calls);
    return 2;
  }
  tensile::ThreadPool* pool = tensile::NewThreadPool(threads);
  tensile::SetCurrentPool(pool);
  const tl_runtime rt{threads, tensile::ParallelFor, 1};

  const size_t count = size_t(n) * n;
  std::vector<float> a(count), b(count), c(count);
  for (size_t i = 0; i < count; i++) {
    a[i] = float((i * 7919) % 1000) * 1e-3f;
    b[i] = float((i * 104729) % 1000) * 1e-3f;
  }
  using tensile::TENSILE_ISA::GemmCall;
  GemmCall<float> g;
  g.m = g.n = g.k = n;
  g.a = tensile::TENSILE_ISA::StridedOperand<float>(a.data(), n, 1, 0);
  g.bt = tensile::TENSILE_ISA::StridedOperand<float>(b.data(), 1, n, 0);  // B read as Bᵀ: rows of B are its columns
  g.c = c.data();
  g.c_rs = n;
  g.c_cs = 1;

  const double flop = 2.0 * n * n * n;
  std::vector<double> secs;
  for (int r = 0; r < calls + 3; r++) {  // 3 warm-up calls (arenas, page faults)
    const auto t0 = std::chrono::steady_clock::now();
    if (tensile::TENSILE_ISA::Gemm(g, &rt) != TL_OK) {
      fprintf(stderr, "the GEMM failed (packing memory)\n");
      return 1;
    }
    if (r >= 3) secs.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  double worst = 0;
  for (int t = 0; t < 2000; t++) {
    const size_t i = (size_t(t) * 7919) % n, j = (size_t(t) * 104729 + 13) % n;
    double ref = 0;
    for (int k = 0; k < n; k++) ref += double(a[i * n + k]) * b[size_t(k) * n + j];
    worst = std::max(worst, fabs(ref - c[i * n + j]) / (fabs(ref) + 1));
  }

  double total = 0;
  for (double s : secs) total += s;
  std::sort(secs.begin(), secs.end());
  const double mean = flop * secs.size() / total / 1e9;
  const double median = flop / secs[secs.size() / 2] / 1e9, best = flop / secs.front() / 1e9;
  const double peak = kPeakPerCore * threads;
  printf("n=%d threads=%d calls=%d: mean %.1f, median %.1f, best %.1f GFLOP/s (%.1f%% / %.1f%% / %.1f%% of %.0f)%s\n", n,
         threads, calls, mean, median, best, 100 * mean / peak, 100 * median / peak, 100 * best / peak, peak,
         worst > 1e-5 ? "  WRONG: results differ from float64 sums" : "");
  tensile::DeleteThreadPool(pool);
  return worst > 1e-5 ? 1 : 0;
}
