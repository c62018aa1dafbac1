// A persistent thread pool: kernels run as (ith, nth) slices on workers that spin briefly after a
// job and then sleep on a condition variable, so back-to-back small ops do not pay a wake-up.
#ifndef TENSILE_RUNTIME_THREADPOOL_H
#define TENSILE_RUNTIME_THREADPOOL_H

#include "tensile/abi.h"

namespace tensile {

// Threads the pool uses by default: TENSILE_NUM_THREADS if set, else the CPUs this process may run on.
int DefaultThreadCount();

// Threads of the pool, the calling thread included.
int PoolSize();

// Restarts the pool with n threads (the caller counts as one); n < 1 means 1.
void SetPoolSize(int n);

// Runs fn(ctx, ith, nth) for every ith in [0, nth) and returns when all have finished. The caller
// runs slice 0. Runs inline (all slices in order on the caller) when nth <= 1, when called from
// inside a task, or when another thread is using the pool.
void ParallelFor(int nth, tl_task_fn fn, void* ctx);

}  // namespace tensile

#endif
