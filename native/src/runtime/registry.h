// The kernel table: every family's kernels, by index, once per compiled ISA level. Read-only after
// its first use, so environments on several threads share it; each environment picks its level.
#ifndef TENSILE_RUNTIME_REGISTRY_H
#define TENSILE_RUNTIME_REGISTRY_H

#include "tensile/abi.h"
#include "cpu.h"

namespace tensile {

int KernelCount();
const char* KernelName(int index);
// The kernel at `index` compiled for `isa` (an available level), or null for an unknown index.
tl_kernel_fn KernelAt(Isa isa, int index);

}  // namespace tensile

#endif
