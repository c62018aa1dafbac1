// Exhaustive accuracy check of the float32 vector math (native/src/simd/vmath.h): every one of the
// 2^32 float32 inputs through exp, log, tanh and sigmoid, against float64 libm rounded to float32.
// Prints the largest error in ulp (and where) and how many inputs are off by more than 1 ulp.
// Build and run for one ISA level (a minute or two each; an optional argument checks every n-th
// vector of inputs only, for slow runs such as the NEON build under qemu-aarch64):
//   g++ -O2 -std=gnu++17 -ffp-contract=off -mavx2 -mfma -DTENSILE_ISA=avx2 -DTENSILE_ISA_AVX2 \
//       native/tools/ulp-check.cc -o /tmp/ulp-avx2 && /tmp/ulp-avx2
//   g++ -O2 -std=gnu++17 -ffp-contract=off -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma \
//       -DTENSILE_ISA=avx512 -DTENSILE_ISA_AVX512 native/tools/ulp-check.cc -o /tmp/ulp-avx512 && /tmp/ulp-avx512
//   aarch64-linux-gnu-g++ -O2 -std=gnu++17 -ffp-contract=off -DTENSILE_ISA=neon -DTENSILE_ISA_NEON \
//       native/tools/ulp-check.cc -o /tmp/ulp-neon && qemu-aarch64 -L /usr/aarch64-linux-gnu /tmp/ulp-neon 61
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../src/simd/vmath.h"

using namespace tensile::TENSILE_ISA;
using S = F32;

static int64_t Ordered(float f) {
  int32_t i;
  memcpy(&i, &f, 4);
  return i < 0 ? static_cast<int64_t>(INT32_MIN) - i : i;  // monotonic in the float's value
}

struct Stats {
  const char* name;
  double max_ulp = 0;
  float worst = 0;
  uint64_t over1 = 0, bad_special = 0;
};

static double Sigmoid(double x) {
  if (x >= 0) return 1 / (1 + exp(-x));
  double e = exp(x);
  return e / (1 + e);
}

static uint64_t g_step = S::W;  // inputs from one vector to the next checked

template <class F, class R>
static void Check(Stats& st, F vec, R ref) {
  float in[S::W], out[S::W];
  for (uint64_t base = 0; base < (uint64_t(1) << 32); base += g_step) {
    for (int k = 0; k < S::W; k++) {
      uint32_t bits = static_cast<uint32_t>(base + k);
      memcpy(&in[k], &bits, 4);
    }
    S::store(out, vec(S::load(in)));
    for (int k = 0; k < S::W; k++) {
      float want = static_cast<float>(ref(static_cast<double>(in[k])));
      float got = out[k];
      if (isnan(want) || isnan(got) || isinf(want) || isinf(got)) {
        if (!(isnan(want) && isnan(got)) && want != got) st.bad_special++;
        continue;
      }
      double ulp = fabs(static_cast<double>(Ordered(got) - Ordered(want)));
      if (ulp > 1) st.over1++;
      if (ulp > st.max_ulp) {
        st.max_ulp = ulp;
        st.worst = in[k];
      }
    }
  }
  printf("%-8s max error %.0f ulp (at x = %.9g); %llu inputs off by more than 1 ulp; %llu wrong specials (NaN/inf)\n", st.name,
         st.max_ulp, st.worst, static_cast<unsigned long long>(st.over1), static_cast<unsigned long long>(st.bad_special));
}

int main(int argc, char** argv) {
#define TL_STR2(x) #x
#define TL_STR(x) TL_STR2(x)
  const long every = argc > 1 ? atol(argv[1]) : 1;
  if (every < 1) {
    fprintf(stderr, "usage: %s [every-nth-vector >= 1]\n", argv[0]);
    return 2;
  }
  g_step = static_cast<uint64_t>(every) * S::W;
  printf("ISA level: %s, inputs: one vector in %ld\n", TL_STR(TENSILE_ISA), every);
  Stats e{"exp"}, l{"log"}, t{"tanh"}, s{"sigmoid"};
  Check(e, [](S::V x) { return VExp<S>(x); }, [](double x) { return exp(x); });
  Check(l, [](S::V x) { return VLog<S>(x); }, [](double x) { return log(x); });
  Check(t, [](S::V x) { return VTanh<S>(x); }, [](double x) { return tanh(x); });
  Check(s, [](S::V x) { return VSigmoid<S>(x); }, Sigmoid);
  return 0;
}
