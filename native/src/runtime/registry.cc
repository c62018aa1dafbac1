#include "registry.h"

#include <string.h>

#include <mutex>
#include <vector>

// Each family's table, once per compiled ISA level.
#define TL_FAMILY(f) extern "C" const tl_kernel_def tl_family_##f##_generic[];
#include "../kernels/families.h"
#undef TL_FAMILY
#if defined(TENSILE_HAVE_X86_ISAS)
#define TL_FAMILY(f)                                          \
  extern "C" const tl_kernel_def tl_family_##f##_avx2[];      \
  extern "C" const tl_kernel_def tl_family_##f##_avx512[];
#include "../kernels/families.h"
#undef TL_FAMILY
#endif
#if defined(TENSILE_HAVE_ARM_ISAS)
#define TL_FAMILY(f) extern "C" const tl_kernel_def tl_family_##f##_neon[];
#include "../kernels/families.h"
#undef TL_FAMILY
#endif

namespace tensile {
namespace {

struct FamilyTables {
  const tl_kernel_def* isa[kIsaCount];
};

const FamilyTables kFamilies[] = {
// Indexed by Isa: generic, avx2, avx512, neon.
#if defined(TENSILE_HAVE_X86_ISAS)
#define TL_FAMILY(f) {{tl_family_##f##_generic, tl_family_##f##_avx2, tl_family_##f##_avx512, nullptr}},
#elif defined(TENSILE_HAVE_ARM_ISAS)
#define TL_FAMILY(f) {{tl_family_##f##_generic, nullptr, nullptr, tl_family_##f##_neon}},
#else
#define TL_FAMILY(f) {{tl_family_##f##_generic, nullptr, nullptr, nullptr}},
#endif
#include "../kernels/families.h"
#undef TL_FAMILY
};

struct Table {
  std::vector<const char*> names;
  std::vector<tl_kernel_fn> fns[kIsaCount];
};

Table& T() {
  static Table* table = [] {
    Table* t = new Table();
    for (const FamilyTables& fam : kFamilies) {
      int length[kIsaCount];
      for (int isa = 0; isa < kIsaCount; isa++) {
        length[isa] = 0;
        if (fam.isa[isa] != nullptr) while (fam.isa[isa][length[isa]].name != nullptr) length[isa]++;
      }
      for (int index = 0; index < length[kIsaGeneric]; index++) {
        const tl_kernel_def& k = fam.isa[kIsaGeneric][index];
        t->names.push_back(k.name);
        for (int isa = 0; isa < kIsaCount; isa++) {
          // Every build lists the same kernels in the same order (one source file); if a level
          // lacks one anyway, the generic build's kernel stands in.
          const tl_kernel_def* own = fam.isa[isa];
          bool same = index < length[isa] && strcmp(own[index].name, k.name) == 0;
          t->fns[isa].push_back(same ? own[index].fn : k.fn);
        }
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

int KernelCount() { return static_cast<int>(T().names.size()); }

const char* KernelName(int index) {
  Table& t = T();
  return index >= 0 && index < static_cast<int>(t.names.size()) ? t.names[index] : nullptr;
}

tl_kernel_fn KernelAt(Isa isa, int index) {
  Table& t = T();
  if (index < 0 || index >= static_cast<int>(t.names.size())) return nullptr;
  return t.fns[isa][index];
}

}  // namespace tensile
