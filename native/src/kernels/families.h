// Every kernel family, one line each. Adding a family: write native/src/kernels/<name>.cc ending
// in TL_FAMILY_TABLE(<name>) = {...}, add TL_FAMILY(<name>) here, and its TypeScript wrappers under
// src/backends/native/kernels/. binding.gyp picks up every .cc file in this folder by itself.
TL_FAMILY(copy)
TL_FAMILY(random)
TL_FAMILY(unary)
TL_FAMILY(binary)
TL_FAMILY(reduce)
TL_FAMILY(gemm)
TL_FAMILY(conv)
TL_FAMILY(index)
TL_FAMILY(mask)
TL_FAMILY(movement)
TL_FAMILY(pad)
