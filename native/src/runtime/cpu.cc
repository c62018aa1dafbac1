#include "cpu.h"

namespace tensile {

const char* IsaName(Isa isa) {
  switch (isa) {
    case kIsaAvx512: return "avx512";
    case kIsaAvx2: return "avx2";
    case kIsaNeon: return "neon";
    default: return "generic";
  }
}

bool IsaAvailable(Isa isa) {
  if (isa == kIsaGeneric) return true;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // __builtin_cpu_supports also checks that the OS saves the wider registers (XCR0).
  __builtin_cpu_init();
  if (isa == kIsaAvx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (isa == kIsaAvx512) {
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("fma");
  }
#endif
#if defined(TENSILE_HAVE_ARM_ISAS)
  // Advanced SIMD (NEON) is part of the AArch64 base architecture: every arm64 CPU runs it.
  if (isa == kIsaNeon) return true;
#endif
  return false;
}

Isa BestIsa() {
  if (IsaAvailable(kIsaNeon)) return kIsaNeon;
  if (IsaAvailable(kIsaAvx512)) return kIsaAvx512;
  if (IsaAvailable(kIsaAvx2)) return kIsaAvx2;
  return kIsaGeneric;
}

}  // namespace tensile
