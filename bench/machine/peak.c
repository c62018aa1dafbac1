/*
 * fp32 FMA peak: each thread runs CHAINS independent chains of vector FMAs (enough to cover the FMA
 * latency on every x86 core we know), so the loop is bound by FMA throughput alone.
 * Usage: peak THREADS ITERATIONS. Prints one line: "<isa> <threads> <GFLOP/s>" (best of 10 trials).
 * Built by bench/lib/machine.ts with `cc -O2 -mavx512f -mfma` or, failing that, `-mavx2 -mfma`.
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define LANES 16
#define ISA "avx512"
#define VFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VSET(x) _mm512_set1_ps(x)
static float vsum(vec v) { return _mm512_reduce_add_ps(v); }
#else
typedef __m256 vec;
#define LANES 8
#define ISA "avx2"
#define VFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VSET(x) _mm256_set1_ps(x)
static float vsum(vec v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  return t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
}
#endif

#define CHAINS 12

static long iterations;
static volatile float sink;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *chains(void *arg) {
  (void)arg;
  const vec m = VSET(0.999999f), k = VSET(1e-7f);
  vec a0 = VSET(1.0f), a1 = VSET(1.1f), a2 = VSET(1.2f), a3 = VSET(1.3f), a4 = VSET(1.4f), a5 = VSET(1.5f);
  vec a6 = VSET(1.6f), a7 = VSET(1.7f), a8 = VSET(1.8f), a9 = VSET(1.9f), a10 = VSET(2.0f), a11 = VSET(2.1f);
  for (long i = 0; i < iterations; i++) {
    a0 = VFMA(a0, m, k); a1 = VFMA(a1, m, k); a2 = VFMA(a2, m, k); a3 = VFMA(a3, m, k);
    a4 = VFMA(a4, m, k); a5 = VFMA(a5, m, k); a6 = VFMA(a6, m, k); a7 = VFMA(a7, m, k);
    a8 = VFMA(a8, m, k); a9 = VFMA(a9, m, k); a10 = VFMA(a10, m, k); a11 = VFMA(a11, m, k);
  }
  sink = vsum(a0) + vsum(a1) + vsum(a2) + vsum(a3) + vsum(a4) + vsum(a5) + vsum(a6) + vsum(a7) + vsum(a8) +
         vsum(a9) + vsum(a10) + vsum(a11);
  return NULL;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  iterations = argc > 2 ? atol(argv[2]) : 50000000L;
  if (threads < 1 || threads > 256 || iterations < 1) return 2;
  pthread_t ids[256];
  double best = 0;
  for (int trial = 0; trial < 10; trial++) {
    double t0 = now();
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, chains, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    double t = now() - t0;
    double gflops = (double)threads * iterations * CHAINS * LANES * 2 / t / 1e9;
    if (gflops > best) best = gflops;
  }
  printf("%s %d %.2f\n", ISA, threads, best);
  return 0;
}
