// The kernel table: every family's kernels, by index, for the ISA level chosen at load.
#ifndef TENSILE_RUNTIME_REGISTRY_H
#define TENSILE_RUNTIME_REGISTRY_H

#include "tensile/abi.h"
#include "cpu.h"

namespace tensile {

int KernelCount();
const char* KernelName(int index);
// The kernel at `index` for the active ISA, or null for an unknown index.
tl_kernel_fn KernelAt(int index);

Isa ActiveIsa();
// Switches every kernel to another compiled ISA level; false when it cannot run here.
bool SetActiveIsa(Isa isa);

}  // namespace tensile

#endif
