// Thread pools: kernels run as (ith, nth) slices, claimed from a shared counter by the calling thread
// and by whichever workers are awake, so a worker that sleeps or is descheduled never holds up a
// loop. Workers spin briefly after a job (back-to-back ops find them awake) and then sleep on a futex.
//
// One pool per Node environment (the main thread and each worker_thread), owned by the addon's
// per-environment state: a worker_thread's kernels never wait for the main thread's pool, and
// setNumThreads in one thread never resizes another's. A thread runs parallel loops on the pool
// it made current with SetCurrentPool; without one (a single-threaded environment, or inside a
// task) every loop runs inline on the caller.
#ifndef TENSILE_RUNTIME_THREADPOOL_H
#define TENSILE_RUNTIME_THREADPOOL_H

#include "tensile/abi.h"

namespace tensile {

class ThreadPool;

// Threads a main-thread pool uses by default: TENSILE_NUM_THREADS if set, else the CPUs this
// process may run on.
int DefaultThreadCount();

// A pool of n threads, the calling thread included (n - 1 are started); n < 1 means 1.
ThreadPool* NewThreadPool(int n);

// Stops and joins the pool's threads. Not while a loop runs on it.
void DeleteThreadPool(ThreadPool* pool);

// Threads of the pool, the calling thread included.
int ThreadPoolSize(const ThreadPool* pool);

// The pool ParallelFor uses on the calling thread (null: run inline).
void SetCurrentPool(ThreadPool* pool);

// Runs fn(ctx, ith, nth) exactly once for every ith in [0, nth) and returns when all have finished.
// The caller takes slices until none are left, then waits for those running on workers; which
// thread runs a slice (and how many one thread runs) varies from call to call. Runs inline (all
// slices in order on the caller) when nth <= 1, when the calling thread has no current pool, or
// when called from inside a task (a nested loop).
void ParallelFor(int nth, tl_task_fn fn, void* ctx);

}  // namespace tensile

#endif
