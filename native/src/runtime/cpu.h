// CPU feature detection: which of the compiled ISA levels this machine can run.
#ifndef TENSILE_RUNTIME_CPU_H
#define TENSILE_RUNTIME_CPU_H

namespace tensile {

// ISA levels. Kernels are compiled once per level the architecture has (native/README.md): x86-64
// builds generic, avx2 and avx512 (best last); arm64 builds generic and neon.
enum Isa { kIsaGeneric = 0, kIsaAvx2 = 1, kIsaAvx512 = 2, kIsaNeon = 3, kIsaCount = 4 };

// The name of a level as the addon reports it ("generic", "avx2", "avx512", "neon").
const char* IsaName(Isa isa);

// The best level that was compiled in and that this CPU (and OS) supports.
Isa BestIsa();

// True when `isa` was compiled in and can run here.
bool IsaAvailable(Isa isa);

}  // namespace tensile

#endif
