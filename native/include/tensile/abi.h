/*
 * The C ABI between Tensile's addon glue and its kernels. Plain C structs and function pointers:
 * no C++ types, no exceptions, no allocation. Kernels are compiled once per ISA level
 * (the files of native/src/kernels, see native/README.md) and receive everything through tl_args.
 */
#ifndef TENSILE_ABI_H
#define TENSILE_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most dims a kernel sees; the TypeScript side runs the js kernel for tensors with more. */
#define TL_MAX_DIMS 12
/* Most tensors (inputs + outputs) and attributes in one call. 64 tensors let the fused optimizer
   kernels update 12-32 parameters per call; the addon's frame holds that many at TL_MAX_DIMS. */
#define TL_MAX_TENSORS 64
#define TL_MAX_ATTRS 64

/* Element types, numbered as in src/backends/native/abi.ts. bool is one byte (0 or 1). */
typedef enum tl_dtype { TL_F32 = 0, TL_F64 = 1, TL_I32 = 2, TL_BOOL = 3 } tl_dtype;

/* Status codes: 0 is success; the TypeScript side turns the others into a TensileError. */
typedef enum tl_status {
  TL_OK = 0,
  TL_ERR_ARGS = 1,        /* wrong number or kind of tensors/attributes */
  TL_ERR_DTYPE = 2,       /* the kernel does not handle this dtype combination */
  TL_ERR_HANDLE = 3,      /* a storage handle is unknown or was freed */
  TL_ERR_BOUNDS = 4,      /* a view reaches outside its storage */
  TL_ERR_NOMEM = 5,       /* allocation failed */
  TL_ERR_KERNEL = 6,      /* unknown kernel index */
  TL_ERR_UNSUPPORTED = 7  /* a valid call this kernel does not implement (the caller may fall back) */
} tl_status;

/* A tensor view: element i of the view is at data + elsize * (offset + sum(index_k * strides[k])). */
typedef struct tl_tensor {
  char* data;     /* the storage's first element */
  int32_t dtype;  /* tl_dtype */
  int32_t ndim;
  int64_t offset; /* in elements */
  int64_t size;   /* product of shape */
  int64_t shape[TL_MAX_DIMS];
  int64_t strides[TL_MAX_DIMS]; /* in elements, never negative */
} tl_tensor;

/* One task of a parallel loop: slice `ith` of `nth`. */
typedef void (*tl_task_fn)(void* ctx, int ith, int nth);

/* What the runtime offers a kernel. */
typedef struct tl_runtime {
  /* Threads of the pool (the calling thread included). */
  int n_threads;
  /* Runs fn(ctx, ith, nth) for every ith in [0, nth) across the pool and returns when all are
     done. Ask for at most n_threads slices (more still all run, the extra ones on the caller);
     nth <= 1, and calls from inside a task, run inline on the caller. */
  void (*parallel_for)(int nth, tl_task_fn fn, void* ctx);
  /* Nonzero: conv2d may take the Winograd path (TENSILE_CONV_WINOGRAD=0 or setConvWinograd(false)
     clear it, for results rounded exactly as the direct engines round them). */
  int conv_winograd;
} tl_runtime;

/* The arguments of one kernel call: tensors (inputs first, then outputs) and numeric attributes. */
typedef struct tl_args {
  int32_t n_in;
  int32_t n_out;
  tl_tensor* t;     /* n_in + n_out views; outputs are contiguous unless the kernel says otherwise */
  int32_t n_attrs;
  const double* attrs; /* integers travel as exact doubles */
} tl_args;

/* A kernel: returns a tl_status. */
typedef int (*tl_kernel_fn)(const tl_args* args, const tl_runtime* rt);

/* One entry of a family's table: the name the TypeScript wrapper looks up, and the function. */
typedef struct tl_kernel_def {
  const char* name;
  tl_kernel_fn fn;
} tl_kernel_def;

#ifdef __cplusplus
}
#endif

#endif
