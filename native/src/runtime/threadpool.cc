#include "threadpool.h"
#include "../simd/spin.h"

#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tensile {
namespace {

// How long an idle worker spins after its last job before it sleeps: long enough to bridge the
// JavaScript between two ops of a training step (a few µs to a few tens of µs), short enough that a
// quiet program (or one whose DataLoader workers want the cores) stops paying for it quickly.
// TENSILE_POOL_SPIN_US overrides it (0: sleep at once), for measurements.
constexpr int kDefaultSpinMicros = 50;

// How long the calling thread spins for slices still running on workers before it sleeps: they are
// running (a slice is claimed by a running thread), so this is normally short.
constexpr auto kCallerSpin = std::chrono::microseconds(50);

int SpinMicros() {
  static const int us = [] {
    const char* env = getenv("TENSILE_POOL_SPIN_US");
    if (env == nullptr || *env == '\0') return kDefaultSpinMicros;
    int v = atoi(env);
    return v < 0 ? 0 : (v > 100000 ? 100000 : v);
  }();
  return us;
}

// Sleep until *word != expected (or a spurious wake-up), and wake sleepers on word. Linux: a futex
// on the atomic itself; elsewhere a process-wide condition variable polled every millisecond.
#if defined(__linux__)
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, expected, nullptr, nullptr, 0);
}
void FutexWake(std::atomic<uint32_t>* word, int n) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, n, nullptr, nullptr, 0);
}
#else
std::mutex g_futex_mu;
std::condition_variable g_futex_cv;
void FutexWait(std::atomic<uint32_t>* word, uint32_t expected) {
  std::unique_lock<std::mutex> lock(g_futex_mu);
  if (word->load() == expected) g_futex_cv.wait_for(lock, std::chrono::milliseconds(1));
}
void FutexWake(std::atomic<uint32_t>* /*word*/, int /*n*/) {
  std::lock_guard<std::mutex> lock(g_futex_mu);
  g_futex_cv.notify_all();
}
#endif

thread_local bool tl_in_task = false;

}  // namespace

// Scheduling: slices are claimed, not assigned. Run publishes a job (fn, ctx, nth) and then the
// caller and every worker that is awake take slices from one counter until none are left; the
// caller then waits only for slices already taken, which are running on some thread. A worker that
// is asleep or descheduled when the job comes costs nothing: the caller (or another worker) runs
// its share, and when it wakes it finds the job empty.
//
// The counter is one 64-bit word, job id in the high half and next slice in the low half, and a
// worker claims with a compare-and-swap on the whole word: a worker that read job J's description
// and was then descheduled cannot take a slice of a later job with J's fn, because the word no
// longer holds J. Everything is seq_cst: a claim that succeeds on J happens before J's last slice
// finishes, which happens before the caller publishes J + 1, so the fn/ctx/nth a successful
// claimer read are J's.
class ThreadPool {
 public:
  explicit ThreadPool(int n) { Start(n); }
  ~ThreadPool() { Stop(); }

  int size() const { return size_; }

  void Run(int nth, tl_task_fn fn, void* ctx) {
    if (tl_in_task || size_ <= 1 || !call_mu_.try_lock()) {
      RunInline(nth, fn, ctx);
      return;
    }
    fn_.store(fn);
    ctx_.store(ctx);
    nth_.store(nth);
    done_.store(0);
    const uint32_t job = job_.load(std::memory_order_relaxed) + 1;
    claim_.store(static_cast<uint64_t>(job) << 32);
    job_.store(job);
    // Wake sleepers only when there are some (no system call on the hot path of back-to-back ops),
    // and no more than can get a slice (the caller takes one).
    if (sleepers_.load() > 0) FutexWake(&job_, nth - 1);

    tl_in_task = true;
    uint32_t mine = 0;
    for (;;) {
      const uint64_t w = claim_.fetch_add(1);  // only the caller adds; job id stays in the high half
      const int ith = static_cast<int>(static_cast<uint32_t>(w));
      if (ith >= nth) break;
      fn(ctx, ith, nth);
      mine++;
    }
    tl_in_task = false;
    uint32_t d = done_.fetch_add(mine) + mine;
    // The rest are running on workers now: spin briefly, then sleep until the last one finishes.
    if (d != static_cast<uint32_t>(nth)) {
      const auto spin_until = std::chrono::steady_clock::now() + kCallerSpin;
      int spins = 0;
      while ((d = done_.load()) != static_cast<uint32_t>(nth)) {
        if ((++spins & 63) != 0 || std::chrono::steady_clock::now() < spin_until) {
          CpuRelax();
          continue;
        }
        caller_waiting_.store(1);
        d = done_.load();
        if (d != static_cast<uint32_t>(nth)) FutexWait(&done_, d);
        caller_waiting_.store(0);
      }
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
    // The job id is read here, not in the new thread: Stop posted before a worker first runs must
    // still count as new to it, or it sleeps through it and Stop waits forever.
    const uint32_t start = job_.load();
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, start] { Work(start); });
  }

  void Stop() {
    stop_.store(true);
    job_.fetch_add(1);
    FutexWake(&job_, INT_MAX);
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  // Takes slices of the job with id `job` until none are left.
  void Help(uint32_t job) {
    tl_task_fn fn = fn_.load();
    void* ctx = ctx_.load();
    const int nth = nth_.load();
    uint64_t w = claim_.load();
    while (static_cast<uint32_t>(w >> 32) == job && static_cast<int>(static_cast<uint32_t>(w)) < nth) {
      if (!claim_.compare_exchange_weak(w, w + 1)) continue;  // w reloaded
      fn(ctx, static_cast<int>(static_cast<uint32_t>(w)), nth);
      if (done_.fetch_add(1) + 1 == static_cast<uint32_t>(nth) && caller_waiting_.load()) FutexWake(&done_, 1);
      w = claim_.load();
    }
  }

  void Work(uint32_t seen) {
    tl_in_task = true;
    const auto spin = std::chrono::microseconds(SpinMicros());
    for (;;) {
      uint32_t job = job_.load();
      if (job == seen) {
        const auto spin_until = std::chrono::steady_clock::now() + spin;
        int spins = 0;
        while ((job = job_.load(std::memory_order_relaxed)) == seen) {
          if ((++spins & 255) != 0 || std::chrono::steady_clock::now() < spin_until) {
            CpuRelax();
            continue;
          }
          // Dekker with Run: we count ourselves as a sleeper, then look at job_ again; Run stores
          // job_, then looks at sleepers_. One of us sees the other, and the futex only sleeps
          // while job_ still holds `seen`.
          sleepers_.fetch_add(1);
          if (job_.load() == seen) FutexWait(&job_, seen);
          sleepers_.fetch_sub(1);
          spins = 0;
        }
        job = job_.load();
      }
      seen = job;
      if (stop_.load()) return;
      Help(job);
    }
  }

  int size_ = 1;
  std::vector<std::thread> workers_;
  std::atomic<bool> stop_{false};
  std::atomic<tl_task_fn> fn_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<int> nth_{0};
  alignas(64) std::atomic<uint32_t> job_{0};   // the latest job's id; workers spin and sleep on it
  std::atomic<int> sleepers_{0};               // workers asleep (or about to be) on job_
  alignas(64) std::atomic<uint64_t> claim_{0};  // job id << 32 | next slice to take
  alignas(64) std::atomic<uint32_t> done_{0};   // slices of the current job finished
  std::atomic<uint32_t> caller_waiting_{0};     // the caller sleeps on done_
  alignas(64) std::mutex call_mu_;              // one parallel loop at a time per pool
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
