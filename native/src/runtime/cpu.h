// CPU feature detection: which of the compiled ISA levels this machine can run.
#ifndef TENSILE_RUNTIME_CPU_H
#define TENSILE_RUNTIME_CPU_H

namespace tensile {

// ISA levels, best last. Kernels are compiled once per level (native/README.md).
enum Isa { kIsaGeneric = 0, kIsaAvx2 = 1, kIsaAvx512 = 2, kIsaCount = 3 };

// The name of a level as the addon reports it ("generic", "avx2", "avx512").
const char* IsaName(Isa isa);

// The best level that was compiled in and that this CPU (and OS) supports.
Isa BestIsa();

// True when `isa` was compiled in and can run here.
bool IsaAvailable(Isa isa);

}  // namespace tensile

#endif
