// The spin-wait hint, for loops that poll a flag another thread will set: it lets the core's
// other hardware thread (and the power budget) go ahead. Shared by the thread pool and the kernels
// that wait on each other's work (gemm.cc); the same on every ISA build.
#ifndef TENSILE_SIMD_SPIN_H
#define TENSILE_SIMD_SPIN_H

namespace tensile {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace tensile

#endif
