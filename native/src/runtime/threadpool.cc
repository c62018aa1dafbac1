#include "threadpool.h"

#include <sched.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tensile {
namespace {

// How long an idle worker spins before it sleeps: long enough to bridge the JavaScript work between
// two ops of a training step, short enough not to burn a core when the program goes quiet.
constexpr auto kSpinTime = std::chrono::microseconds(100);

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

thread_local bool tl_in_task = false;

}  // namespace

class ThreadPool {
 public:
  explicit ThreadPool(int n) { Start(n); }
  ~ThreadPool() { Stop(); }

  int size() const { return size_; }

  void Run(int nth, tl_task_fn fn, void* ctx) {
    if (nth <= 1) {  // the common case for small tensors: no locks, no thread-local lookups
      fn(ctx, 0, 1);
      return;
    }
    if (tl_in_task || !call_mu_.try_lock()) {
      RunInline(nth < 1 ? 1 : nth, fn, ctx);
      return;
    }
    // Kernels ask for at most the pool's size; a smaller pool (setNumThreads meanwhile) runs the
    // extra slices on the caller after its own.
    int extra = nth > size_ ? nth - size_ : 0;
    int pooled = nth - extra;
    fn_ = fn;
    ctx_ = ctx;
    nth_ = pooled;
    total_ = nth;
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      cv_.notify_all();
    }
    tl_in_task = true;
    fn(ctx, 0, nth);
    for (int i = pooled; i < nth; i++) fn(ctx, i, nth);
    tl_in_task = false;
    // Wait for every worker to acknowledge the job (those past nth only acknowledge).
    int spins = 0;
    while (pending_.load(std::memory_order_acquire) != 0) {
      if (++spins < 4096) CpuRelax();
      else std::this_thread::yield();
    }
    call_mu_.unlock();
  }

 private:
  static void RunInline(int nth, tl_task_fn fn, void* ctx) {
    bool was = tl_in_task;
    tl_in_task = true;
    for (int i = 0; i < nth; i++) fn(ctx, i, nth);
    tl_in_task = was;
  }

  void Start(int n) {
    size_ = n < 1 ? 1 : n;
    stop_.store(false);
    // The generation is read here, not in the new thread: a job (or Stop) posted before a worker
    // first runs must still count as new to it, or it is missed and Run/Stop wait forever.
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, i, start] { Work(i, start); });
  }

  void Stop() {
    stop_.store(true);
    generation_.fetch_add(1, std::memory_order_seq_cst);
    {
      std::lock_guard<std::mutex> lock(mu_);
      cv_.notify_all();
    }
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void Work(int index, uint64_t seen) {
    tl_in_task = true;
    for (;;) {
      uint64_t g = generation_.load(std::memory_order_acquire);
      auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
      int spins = 0;
      while (g == seen) {
        CpuRelax();
        g = generation_.load(std::memory_order_acquire);
        if (g != seen) break;
        if ((++spins & 255) == 0 && std::chrono::steady_clock::now() > spin_until) {
          std::unique_lock<std::mutex> lock(mu_);
          sleepers_.fetch_add(1, std::memory_order_seq_cst);
          cv_.wait(lock, [&] { return generation_.load(std::memory_order_seq_cst) != seen; });
          sleepers_.fetch_sub(1, std::memory_order_seq_cst);
          g = generation_.load(std::memory_order_acquire);
        }
      }
      seen = g;
      if (stop_.load(std::memory_order_acquire)) return;
      if (index < nth_) fn_(ctx_, index, total_);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  int size_ = 1;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  tl_task_fn fn_ = nullptr;
  void* ctx_ = nullptr;
  int nth_ = 0;    // slices run by the pool's threads
  int total_ = 0;  // slices in all (the caller runs those past nth_)
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex call_mu_;  // one parallel loop at a time (a pool serves one environment's thread)
};

namespace {

// The calling thread's pool: set by the addon for the environment that runs on this thread.
thread_local ThreadPool* tl_pool = nullptr;

void RunAllInline(int nth, tl_task_fn fn, void* ctx) {
  bool was = tl_in_task;
  tl_in_task = true;
  for (int i = 0; i < nth; i++) fn(ctx, i, nth);
  tl_in_task = was;
}

}  // namespace

int DefaultThreadCount() {
  const char* env = getenv("TENSILE_NUM_THREADS");
  if (env != nullptr && *env != '\0') {
    int n = atoi(env);
    if (n >= 1) return n > 256 ? 256 : n;
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n >= 1) return n;
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n >= 1 ? static_cast<int>(n) : 1;
}

ThreadPool* NewThreadPool(int n) { return new ThreadPool(n < 1 ? 1 : (n > 256 ? 256 : n)); }

void DeleteThreadPool(ThreadPool* pool) {
  if (tl_pool == pool) tl_pool = nullptr;
  delete pool;
}

int ThreadPoolSize(const ThreadPool* pool) { return pool == nullptr ? 1 : pool->size(); }

void SetCurrentPool(ThreadPool* pool) { tl_pool = pool; }

void ParallelFor(int nth, tl_task_fn fn, void* ctx) {
  if (nth <= 1) {  // the common case for small tensors: no locks
    fn(ctx, 0, 1);
    return;
  }
  ThreadPool* pool = tl_pool;
  if (pool == nullptr) RunAllInline(nth, fn, ctx);
  else pool->Run(nth, fn, ctx);
}

}  // namespace tensile
