// The only Node-API code of Tensile: a narrow boundary of a dozen functions. Kernel arguments do not
// travel as JavaScript values: the TypeScript side packs them into a shared Float64Array (the
// frame) and calls run(kernelIndex), so one kernel call costs one cheap Node-API call.
//
// Frame layout (doubles): n_in, n_out, then per tensor: handle, dtype, ndim, offset, limit,
// shape[ndim], strides[ndim]; then n_attrs, attrs[n_attrs]. offset and limit (one past the storage's
// last element) count elements of the block. See native/README.md and src/backends/native/frame.ts.
//
// The addon is context-aware: the main thread and every worker_thread that loads it get their own
// Instance (frame, ISA level, thread pool, allocator accounting reported to their own isolate), and
// the process-wide parts (kernel table, caching allocator) are safe to use from several threads.
#include <napi.h>

#include <stdlib.h>
#include <string.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <utility>

#include "../runtime/allocator.h"
#include "../runtime/cpu.h"
#include "../runtime/registry.h"
#include "../runtime/threadpool.h"
#include "tensile/abi.h"

namespace tensile {
namespace {

constexpr size_t kFrameDoubles = 2048;
// Room for the largest call: counts, TL_MAX_TENSORS views of TL_MAX_DIMS dims, TL_MAX_ATTRS attributes.
static_assert(kFrameDoubles >= 2 + TL_MAX_TENSORS * (5 + 2 * TL_MAX_DIMS) + 1 + TL_MAX_ATTRS, "the frame must hold a full call");
constexpr size_t kReplyDoubles = 8;

// One per Node environment (the main thread and each worker_thread load the addon separately);
// deleted with its environment (a worker that exits), which joins its threads and takes back the
// native blocks its JavaScript still held.
struct Instance {
  Napi::Reference<Napi::ArrayBuffer> frame_buffer;
  double* frame = nullptr;
  double* reply = nullptr;
  uint32_t id = 0;          // owner of this environment's blocks in the allocator
  Isa isa = kIsaGeneric;    // the kernel level this environment runs (setIsa)
  bool conv_winograd = true;  // tl_runtime::conv_winograd (setConvWinograd, TENSILE_CONV_WINOGRAD)
  // Threads of this environment's kernels, the calling thread included. The pool is started on
  // the first kernel that can use it, so an environment set to 1 thread (a worker_thread, by
  // default) never starts one.
  int threads = 1;
  ThreadPool* pool = nullptr;
  size_t live_bytes = 0;    // blocks of this environment (the allocator counts the process)
  size_t live_blocks = 0;

  ~Instance() {
    DeleteThreadPool(pool);
    size_t bytes = 0, blocks = 0;
    FreeOwnedBlocks(id, &bytes, &blocks);
  }
};

std::atomic<uint32_t> next_instance_id{1};

const tl_runtime kRuntimeTemplate = {1, ParallelFor, 1};

Instance* GetInstance(Napi::Env env) { return env.GetInstanceData<Instance>(); }

// Reads one tensor description from the frame and checks it against its storage and block.
int ReadTensor(const double* f, size_t* pos, size_t end, tl_tensor* t) {
  if (*pos + 5 > end) return TL_ERR_ARGS;
  Handle handle = static_cast<Handle>(f[*pos]);
  double dtype = f[*pos + 1], ndim = f[*pos + 2], offset = f[*pos + 3], limit = f[*pos + 4];
  *pos += 5;
  if (!(dtype >= 0 && dtype <= 3 && ndim >= 0 && ndim <= TL_MAX_DIMS && offset >= 0 && limit >= 0 && limit < 9.0e15)) {
    return TL_ERR_ARGS;
  }
  t->dtype = static_cast<int32_t>(dtype);
  t->ndim = static_cast<int32_t>(ndim);
  t->offset = static_cast<int64_t>(offset);
  if (*pos + 2 * t->ndim > end) return TL_ERR_ARGS;
  int64_t size = 1, last = t->offset;
  for (int d = 0; d < t->ndim; d++) {
    double s = f[*pos + d], st = f[*pos + t->ndim + d];
    if (!(s >= 0 && st >= 0 && s < 9.0e15 && st < 9.0e15)) return TL_ERR_ARGS;
    t->shape[d] = static_cast<int64_t>(s);
    t->strides[d] = static_cast<int64_t>(st);
    size *= t->shape[d];
    last += (t->shape[d] - 1) * t->strides[d];
  }
  *pos += 2 * t->ndim;
  t->size = size;
  BlockInfo block;
  if (!LookupBlock(handle, &block)) return TL_ERR_HANDLE;
  // The view must stay inside its storage (limit: one past the storage's last element), and the
  // storage inside its block: a wrong layout is an error, never a stray read or write.
  int64_t elsize = t->dtype == TL_F64 ? 8 : t->dtype == TL_BOOL ? 1 : 4;
  int64_t lim = static_cast<int64_t>(limit);
  if (lim * elsize > static_cast<int64_t>(block.bytes)) return TL_ERR_BOUNDS;
  if (size > 0 && last >= lim) return TL_ERR_BOUNDS;
  t->data = block.data;
  return TL_OK;
}

// run(kernelIndex): runs a kernel on the arguments packed in the frame; returns a tl_status.
Napi::Value Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Instance* inst = GetInstance(env);
  tl_kernel_fn fn = KernelAt(inst->isa, info[0].As<Napi::Number>().Int32Value());
  if (fn == nullptr) return Napi::Number::New(env, TL_ERR_KERNEL);
  const double* f = inst->frame;
  double n_in = f[0], n_out = f[1];
  if (!(n_in >= 0 && n_out >= 0 && n_in + n_out <= TL_MAX_TENSORS)) return Napi::Number::New(env, TL_ERR_ARGS);
  tl_tensor tensors[TL_MAX_TENSORS];
  tl_args args;
  args.n_in = static_cast<int32_t>(n_in);
  args.n_out = static_cast<int32_t>(n_out);
  args.t = tensors;
  size_t pos = 2;
  for (int i = 0; i < args.n_in + args.n_out; i++) {
    int status = ReadTensor(f, &pos, kFrameDoubles, &tensors[i]);
    if (status != TL_OK) return Napi::Number::New(env, status);
  }
  double n_attrs = f[pos];
  if (!(n_attrs >= 0 && n_attrs <= TL_MAX_ATTRS) || pos + 1 + static_cast<size_t>(n_attrs) > kFrameDoubles) {
    return Napi::Number::New(env, TL_ERR_ARGS);
  }
  args.n_attrs = static_cast<int32_t>(n_attrs);
  args.attrs = f + pos + 1;
  tl_runtime rt = kRuntimeTemplate;
  rt.n_threads = inst->threads;
  rt.conv_winograd = inst->conv_winograd ? 1 : 0;
  if (inst->threads > 1 && inst->pool == nullptr) inst->pool = NewThreadPool(inst->threads);
  SetCurrentPool(inst->pool);
  return Napi::Number::New(env, fn(&args, &rt));
}

// Accounts a freed block to its environment and to V8.
void Released(Napi::Env env, Instance* inst, size_t bytes) {
  if (bytes == 0) return;
  if (inst != nullptr) {
    inst->live_bytes -= bytes;
    inst->live_blocks--;
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, -static_cast<int64_t>(bytes));
}

void FinalizeBlock(Napi::Env env, void* /*data*/, Handle* handle) {
  // 0 when free() already returned it, or when its environment's teardown took it back.
  Released(env, GetInstance(env), FreeBlock(*handle));
  delete handle;
}

// alloc(bytes): an ArrayBuffer over a new zeroed native block; its handle goes to reply[0].
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  double requested = info[0].As<Napi::Number>().DoubleValue();
  if (!(requested >= 0 && requested < 9.0e15)) {
    Napi::RangeError::New(env, "[native] alloc: bad byte count").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Instance* inst = GetInstance(env);
  Handle handle;
  BlockInfo block;
  if (!AllocBlock(static_cast<size_t>(requested), inst->id, &handle, &block)) {
    Napi::Error::New(env, "[native] out of memory").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  inst->live_bytes += block.bytes;
  inst->live_blocks++;
  Napi::MemoryManagement::AdjustExternalMemory(env, static_cast<int64_t>(block.bytes));
  inst->reply[0] = static_cast<double>(handle);
  inst->reply[1] = static_cast<double>(block.bytes);
  // The finalizer returns the block if JavaScript drops the buffer without free().
  return Napi::ArrayBuffer::New(env, block.data, static_cast<size_t>(requested), FinalizeBlock, new Handle(handle));
}

// free(handle, buffer): returns the block to the cache now and detaches the buffer so no view can
// reach the memory afterwards. Freeing twice is harmless.
Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Handle handle = static_cast<Handle>(info[0].As<Napi::Number>().DoubleValue());
  if (info.Length() > 1 && info[1].IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = info[1].As<Napi::ArrayBuffer>();
    if (!buffer.IsDetached()) buffer.Detach();
  }
  size_t bytes = FreeBlock(handle);
  Released(env, GetInstance(env), bytes);
  return Napi::Number::New(env, static_cast<double>(bytes));
}

Napi::Value ListKernels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = KernelCount();
  Napi::Array names = Napi::Array::New(env, n);
  for (int i = 0; i < n; i++) names.Set(i, Napi::String::New(env, KernelName(i)));
  return names;
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), GetInstance(info.Env())->threads);
}

// setNumThreads(n): this environment's thread count (other environments keep theirs).
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Instance* inst = GetInstance(info.Env());
  int n = info[0].As<Napi::Number>().Int32Value();
  n = n < 1 ? 1 : (n > 256 ? 256 : n);
  if (n != inst->threads) {
    DeleteThreadPool(inst->pool);  // restarted with the new size by the next kernel that needs it
    inst->pool = nullptr;
    inst->threads = n;
  }
  return Napi::Number::New(info.Env(), inst->threads);
}

// poolProbe(nth, reps, sliceMicros, nested): a test of the thread pool alone. Runs `reps` parallel
// loops of nth slices (each busy for sliceMicros µs; with nested, each also runs a 3-slice loop
// inside) and returns [every slice ran exactly once per loop (and every nested slice once per
// slice), slices that ran on a thread other than the caller].
struct Probe {
  std::atomic<int> counts[64];
  std::atomic<int> nested[64][3];
  std::atomic<int> off_caller{0};
  std::thread::id caller;
  double micros = 0;
  bool nest = false;
};

void ProbeNested(void* ctx, int ith, int nth) {
  auto* p = static_cast<std::pair<Probe*, int>*>(ctx);
  if (nth == 3) p->first->nested[p->second][ith].fetch_add(1);
}

void ProbeSlice(void* ctx, int ith, int /*nth*/) {
  Probe* p = static_cast<Probe*>(ctx);
  if (std::this_thread::get_id() != p->caller) p->off_caller.fetch_add(1);
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(static_cast<int64_t>(p->micros * 1000));
  while (std::chrono::steady_clock::now() < until) {
  }
  if (p->nest) {
    std::pair<Probe*, int> inner{p, ith};
    ParallelFor(3, ProbeNested, &inner);
  }
  p->counts[ith].fetch_add(1);
}

Napi::Value PoolProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Instance* inst = GetInstance(env);
  int nth = info[0].As<Napi::Number>().Int32Value();
  int reps = info[1].As<Napi::Number>().Int32Value();
  nth = nth < 1 ? 1 : (nth > 64 ? 64 : nth);
  auto probe = std::make_unique<Probe>();
  for (int i = 0; i < 64; i++) {
    probe->counts[i] = 0;
    for (int k = 0; k < 3; k++) probe->nested[i][k] = 0;
  }
  probe->caller = std::this_thread::get_id();
  probe->micros = info[2].As<Napi::Number>().DoubleValue();
  probe->nest = info[3].As<Napi::Boolean>().Value();
  if (inst->threads > 1 && inst->pool == nullptr) inst->pool = NewThreadPool(inst->threads);
  SetCurrentPool(inst->pool);
  bool exact = true;
  for (int r = 0; r < reps; r++) {
    ParallelFor(nth, ProbeSlice, probe.get());
    for (int i = 0; i < nth; i++) {
      exact = exact && probe->counts[i].load() == r + 1;
      for (int k = 0; k < 3; k++) exact = exact && probe->nested[i][k].load() == (probe->nest ? r + 1 : 0);
    }
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Boolean::New(env, exact));
  out.Set(1u, Napi::Number::New(env, probe->off_caller.load()));
  return out;
}

Napi::Value GetIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), IsaName(GetInstance(info.Env())->isa));
}

// setIsa(name): switches this environment's kernels to another compiled level (tests compare
// them); false if unavailable.
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  std::string name = info[0].As<Napi::String>().Utf8Value();
  for (int i = 0; i < kIsaCount; i++) {
    Isa isa = static_cast<Isa>(i);
    if (name != IsaName(isa)) continue;
    if (!IsaAvailable(isa)) break;
    GetInstance(info.Env())->isa = isa;
    return Napi::Boolean::New(info.Env(), true);
  }
  return Napi::Boolean::New(info.Env(), false);
}

// setConvWinograd(on): whether conv2d may take the Winograd path in this environment; returns
// the previous setting.
Napi::Value SetConvWinograd(const Napi::CallbackInfo& info) {
  Instance* inst = GetInstance(info.Env());
  const bool previous = inst->conv_winograd;
  inst->conv_winograd = info[0].ToBoolean().Value();
  return Napi::Boolean::New(info.Env(), previous);
}

Napi::Value AvailableIsas(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t n = 0;
  for (int i = 0; i < kIsaCount; i++) {
    if (IsaAvailable(static_cast<Isa>(i))) out.Set(n++, Napi::String::New(env, IsaName(static_cast<Isa>(i))));
  }
  return out;
}

Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  AllocatorStats s = GetAllocatorStats();
  Instance* inst = GetInstance(env);
  Napi::Object out = Napi::Object::New(env);
  out.Set("liveBytes", static_cast<double>(inst->live_bytes));
  out.Set("liveBlocks", static_cast<double>(inst->live_blocks));
  out.Set("processLiveBytes", static_cast<double>(s.live_bytes));
  out.Set("processLiveBlocks", static_cast<double>(s.live_blocks));
  out.Set("cachedBytes", static_cast<double>(s.cached_bytes));
  out.Set("cachedBlocks", static_cast<double>(s.cached_blocks));
  out.Set("cacheLimit", static_cast<double>(s.cache_limit));
  return out;
}

Napi::Value EmptyCacheFn(const Napi::CallbackInfo& info) {
  EmptyCache();
  return info.Env().Undefined();
}

Napi::Value SetCacheLimitFn(const Napi::CallbackInfo& info) {
  double bytes = info[0].As<Napi::Number>().DoubleValue();
  SetCacheLimit(bytes > 0 ? static_cast<size_t>(bytes) : 0);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  Instance* inst = new Instance();
  inst->id = next_instance_id.fetch_add(1, std::memory_order_relaxed);
  inst->isa = BestIsa();
  inst->threads = DefaultThreadCount();
  const char* winograd = getenv("TENSILE_CONV_WINOGRAD");
  inst->conv_winograd = winograd == nullptr || strcmp(winograd, "0") != 0;
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, (kFrameDoubles + kReplyDoubles) * sizeof(double));
  inst->frame_buffer = Napi::Persistent(buffer);
  inst->frame = static_cast<double*>(buffer.Data());
  inst->reply = inst->frame + kFrameDoubles;
  memset(inst->frame, 0, (kFrameDoubles + kReplyDoubles) * sizeof(double));
  env.SetInstanceData(inst);

  exports.Set("frame", Napi::Float64Array::New(env, kFrameDoubles, buffer, 0));
  exports.Set("reply", Napi::Float64Array::New(env, kReplyDoubles, buffer, kFrameDoubles * sizeof(double)));
  exports.Set("run", Napi::Function::New(env, Run, "run"));
  exports.Set("alloc", Napi::Function::New(env, Alloc, "alloc"));
  exports.Set("free", Napi::Function::New(env, Free, "free"));
  exports.Set("listKernels", Napi::Function::New(env, ListKernels, "listKernels"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("poolProbe", Napi::Function::New(env, PoolProbe, "poolProbe"));
  exports.Set("isa", Napi::Function::New(env, GetIsa, "isa"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("availableIsas", Napi::Function::New(env, AvailableIsas, "availableIsas"));
  exports.Set("setConvWinograd", Napi::Function::New(env, SetConvWinograd, "setConvWinograd"));
  exports.Set("memoryStats", Napi::Function::New(env, MemoryStats, "memoryStats"));
  exports.Set("emptyCache", Napi::Function::New(env, EmptyCacheFn, "emptyCache"));
  exports.Set("setCacheLimit", Napi::Function::New(env, SetCacheLimitFn, "setCacheLimit"));
  exports.Set("abiVersion", Napi::Number::New(env, 1));
  exports.Set("maxDims", Napi::Number::New(env, TL_MAX_DIMS));
  exports.Set("maxTensors", Napi::Number::New(env, TL_MAX_TENSORS));
  exports.Set("maxAttrs", Napi::Number::New(env, TL_MAX_ATTRS));
  return exports;
}

}  // namespace
}  // namespace tensile

static Napi::Object InitTensile(Napi::Env env, Napi::Object exports) { return tensile::Init(env, exports); }

NODE_API_MODULE(tensile_native, InitTensile)
